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
 * Parses `MIGADU_REQUEST_BUDGET` (`<requests per second>/<burst>`, e.g. `5/10`): a different request
 * budget for accounts with other limits than Migadu's documented ~60 per 2 minutes, and for
 * emulators. Unset or empty: the adapter's default.
 */
export function budgetFromEnv(
  value: string | undefined,
): Pick<MigaduProviderConfig, "budget"> | Record<string, never> {
  if (value === undefined || value.trim() === "") return {};
  const m = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+)\s*$/.exec(value);
  if (m === null || Number(m[1]) <= 0 || Number(m[2]) < 1) {
    throw new Error(
      `MIGADU_REQUEST_BUDGET must be <requests per second>/<burst> with a positive rate and a ` +
        `burst of at least 1, e.g. 5/10; got ${JSON.stringify(value)}`,
    );
  }
  return { budget: { ratePerSecond: Number(m[1]), burst: Number(m[2]) } };
}

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
        ...budgetFromEnv(process.env.MIGADU_REQUEST_BUDGET),
        ...overrides,
        user: credentials.user!,
        apiKey: credentials.apiKey!,
      }),
  };
}

registerMailAdapter("migadu", migaduAdapterEntry());
