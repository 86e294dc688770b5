import { tencentExmailHarness } from "../tencent-exmail/harness";
import { mailProviderContract } from "./mail-provider";

mailProviderContract("tencentExmail (Exmail emulator)", tencentExmailHarness);
