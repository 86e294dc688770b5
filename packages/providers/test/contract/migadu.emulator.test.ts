import { migaduHarness } from "./harnesses";
import { mailProviderContract } from "./mail-provider";

mailProviderContract("migadu (emulator)", migaduHarness);
