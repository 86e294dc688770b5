import { sqliteHarness } from "./harnesses";
import { mailProviderContract } from "./mail-provider";

mailProviderContract("selfHosted (sqlite)", sqliteHarness);
