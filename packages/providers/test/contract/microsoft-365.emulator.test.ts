import { microsoft365Harness } from "../microsoft-365/harness";
import { mailProviderContract } from "./mail-provider";

mailProviderContract("microsoft365 (Graph emulator)", () => microsoft365Harness());
// Graph answers 404 / "do not exist" for an object just created until it has replicated.
mailProviderContract("microsoft365 (Graph emulator, replication lag)", () =>
  microsoft365Harness(1),
);
