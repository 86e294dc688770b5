import { googleWorkspaceHarness } from "./google-workspace-harness";
import { mailProviderContract } from "./mail-provider";

mailProviderContract("googleWorkspace (emulator, eventual consistency on)", googleWorkspaceHarness);
