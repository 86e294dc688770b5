import { microsoft365Harness } from "../microsoft-365/harness";
import { mailProviderContract } from "./mail-provider";

mailProviderContract("microsoft365 (Graph emulator)", microsoft365Harness);
