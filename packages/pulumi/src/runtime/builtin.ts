import type { MailProviderCapabilities } from "@mailplane/core";
import type { MigaduProviderConfig } from "@mailplane/providers";
import { createMigaduProvider, migaduCapabilities } from "@mailplane/providers";
import type { MailAdapterEntry } from "./connections";
import { readCredential, registerMailAdapter } from "./connections";

/**
 * What Migadu can do, as the runtime's diff sees it (no network at preview). Notably no
 * in-place rename of a mailbox: a new local part needs `allowRecreate: true`.
 * @see https://migadu.com/api/
 */
export const migaduRuntimeCapabilities: MailProviderCapabilities = migaduCapabilities;

/** The provider kinds the runtime knows in every provider process. */
export const builtinMailProviders: readonly string[] = ["migadu"];

/**
 * The runtime's Migadu entry. Credentials come from `MIGADU_USER`/`MIGADU_API_KEY`, else the
 * Pulumi config keys `mailplane:migaduUser`/`mailplane:migaduApiKey`; the endpoint from the
 * resource's `apiUrl`, else `MIGADU_API_URL`, else Migadu's. `overrides` (request budget,
 * retries) are for tests and benchmarks.
 */
export function migaduAdapterEntry(
  overrides: Partial<Omit<MigaduProviderConfig, "user" | "apiKey">> = {},
): MailAdapterEntry {
  return {
    capabilities: migaduCapabilities,
    credentials: () => ({
      user: readCredential("migadu", "MIGADU_USER", "migaduUser"),
      apiKey: readCredential("migadu", "MIGADU_API_KEY", "migaduApiKey"),
    }),
    create: ({ apiUrl, credentials }) =>
      createMigaduProvider({
        baseUrl: apiUrl ?? process.env.MIGADU_API_URL,
        ...overrides,
        user: credentials.user!,
        apiKey: credentials.apiKey!,
      }),
  };
}

registerMailAdapter("migadu", migaduAdapterEntry());
