import { zohoHarness } from "../zoho/harness";
import { mailProviderContract } from "./mail-provider";

mailProviderContract("zoho (Zoho Mail emulator)", () => zohoHarness());
