import { microsoft365Harness } from "../microsoft-365/harness";
import { mailProviderContract } from "./mail-provider";

mailProviderContract("microsoft365 (Graph emulator)", () => microsoft365Harness());
// Graph answers 404 / "do not exist" for an object just created until it has replicated.
mailProviderContract("microsoft365 (Graph emulator, replication lag)", () =>
  microsoft365Harness(1),
);
// With exchange: { invokeCommand: true }: mailbox aliases through Exchange Online's admin route,
// whose cmdlets also miss a mailbox until Exchange has provisioned it.
mailProviderContract("microsoft365 + Exchange (emulators, replication lag)", () =>
  microsoft365Harness(1, true),
);
