import type { MailProviderCapabilities } from "@mailplane/core";
import { ProviderError } from "@mailplane/providers";
import { readCredential, registerMailAdapter } from "./connections";

/**
 * What Migadu can do, as the runtime's diff sees it (no network at preview). Notably no
 * in-place rename of a mailbox: a new local part needs `allowRecreate: true`.
 * @see https://migadu.com/api/
 */
export const migaduRuntimeCapabilities: MailProviderCapabilities = {
  mailboxes: true,
  aliasesPerMailbox: Infinity,
  standaloneAliases: true,
  groups: false,
  sharedMailboxes: false,
  suspend: true,
  quota: false,
  passwords: true,
  forceChangeAtLogin: false,
  require2fa: false,
  externalForward: true,
  catchAll: true,
  domainAliases: true,
  renameInPlace: false,
};

/** The provider kinds the runtime knows in every provider process. */
export const builtinMailProviders: readonly string[] = ["migadu"];

registerMailAdapter("migadu", {
  capabilities: migaduRuntimeCapabilities,
  credentials: () => ({
    user: readCredential("migadu", "MIGADU_USER", "migaduUser"),
    apiKey: readCredential("migadu", "MIGADU_API_KEY", "migaduApiKey"),
  }),
  create: () => {
    throw new ProviderError(
      { provider: "migadu", operation: "connect" },
      "the Migadu adapter is not part of this build of @mailplane/providers yet",
    );
  },
});
