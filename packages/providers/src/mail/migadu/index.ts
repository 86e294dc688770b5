import { createMigaduProvider, migaduCapabilities, type MigaduProviderConfig } from "./adapter";
import { defineMailProvider, type AdapterSettings } from "../definition";
import { migaduArgsSchema } from "./args";
import { migaduFacts } from "./dns";

export * from "./args";
export * from "./dns";

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
 * The Migadu adapter for the runtime: the endpoint is the resource's `apiUrl`, else
 * `MIGADU_API_URL`, else Migadu's; `MIGADU_REQUEST_BUDGET` sets the request budget. `overrides`
 * (request budget, retries) are for tests and benchmarks.
 */
export function migaduAdapter(
  overrides: Partial<Omit<MigaduProviderConfig, "user" | "apiKey">> = {},
): (settings: AdapterSettings) => ReturnType<typeof createMigaduProvider> {
  return ({ apiUrl, credentials }) =>
    createMigaduProvider({
      baseUrl: apiUrl ?? process.env.MIGADU_API_URL,
      ...budgetFromEnv(process.env.MIGADU_REQUEST_BUDGET),
      ...overrides,
      user: credentials.user!,
      apiKey: credentials.apiKey!,
    });
}

/**
 * Migadu (https://migadu.com): mailboxes, aliases and groups (realised as aliases with several
 * destinations); no in-place rename, no quota, catch-all or domain aliases through the API.
 */
export const migaduDefinition = defineMailProvider({
  id: "migadu",
  capabilities: migaduCapabilities,
  credentials: [
    {
      name: "user",
      env: "MIGADU_USER",
      configKey: "migaduUser",
      description: "the admin email address of the Migadu account",
    },
    {
      name: "apiKey",
      env: "MIGADU_API_KEY",
      configKey: "migaduApiKey",
      description: "an API key from My Account > API Keys",
    },
  ],
  args: migaduArgsSchema,
  dnsFacts: migaduFacts,
  endpoint: (args) => args.apiUrl,
  accountDomain: (args) => args.domain,
  createAdapter: migaduAdapter(),
});
