import { defineMailProvider, type AdapterSettings } from "../definition";
import {
  createZohoProvider,
  zohoCapabilities,
  type ZohoProvider,
  type ZohoProviderConfig,
} from "./adapter";
import { zohoArgsSchema, type ZohoArgs } from "./args";
import type { ZohoDataCenterId } from "./client";
import { zohoFacts } from "./dns";

export * from "./adapter";
export * from "./args";
export * from "./client";
export * from "./dns";
export * from "./schema";
export * from "./token-file";

const SCHEME = "zoho:";

/** The settings the account resources carry (never a credential). */
export type ZohoEndpointSettings = Pick<
  ZohoProviderConfig,
  "organizationId" | "dataCenter" | "apiUrl" | "accountsUrl" | "moderators"
>;

/**
 * The locator the account resources carry as their endpoint: every non-secret setting the
 * adapter needs (`zoho:?dc=eu&org=60012345[&api=…&accounts=…&moderators=…]`), so the runtime
 * builds the adapter from a resource's inputs alone.
 */
export function zohoEndpoint(args: ZohoArgs): string {
  const q = new URLSearchParams({ dc: args.dataCenter ?? "com", org: args.organizationId });
  if (args.apiUrl !== undefined) q.set("api", args.apiUrl);
  if (args.accountsUrl !== undefined) q.set("accounts", args.accountsUrl);
  if (args.moderators !== undefined && Object.keys(args.moderators).length > 0) {
    q.set("moderators", JSON.stringify(args.moderators));
  }
  return `${SCHEME}?${q.toString()}`;
}

/** Reads a locator written by {@link zohoEndpoint}; throws naming what is missing. */
export function zohoSettingsFromEndpoint(endpoint: string | undefined): ZohoEndpointSettings {
  if (endpoint === undefined || !endpoint.startsWith(`${SCHEME}?`)) {
    throw new Error(
      `zoho: apiUrl must be the locator providers.zoho(...) writes (zoho:?dc=…&org=…), got ${JSON.stringify(endpoint ?? null)}`,
    );
  }
  const q = new URLSearchParams(endpoint.slice(SCHEME.length + 1));
  const org = q.get("org");
  if (!org) throw new Error("zoho: the endpoint locator lacks org (the organization id)");
  const moderators = q.get("moderators");
  return {
    organizationId: org,
    dataCenter: (q.get("dc") ?? "com") as ZohoDataCenterId,
    ...(q.get("api") === null ? {} : { apiUrl: q.get("api")! }),
    ...(q.get("accounts") === null ? {} : { accountsUrl: q.get("accounts")! }),
    ...(moderators === null
      ? {}
      : { moderators: JSON.parse(moderators) as Record<string, string[]> }),
  };
}

/**
 * The Zoho adapter for the runtime, from the resource's endpoint locator and the OAuth client
 * and refresh token read at call time. `overrides` (budget, retries) are for tests and benchmarks.
 */
export function zohoAdapter(
  overrides: Partial<Omit<ZohoProviderConfig, "clientId" | "clientSecret" | "refreshToken">> = {},
): (settings: AdapterSettings) => ZohoProvider {
  return ({ apiUrl, credentials }) =>
    createZohoProvider({
      ...zohoSettingsFromEndpoint(apiUrl),
      ...overrides,
      clientId: () => credentials.clientId ?? "",
      clientSecret: () => credentials.clientSecret ?? "",
      refreshToken: () => credentials.refreshToken ?? "",
    });
}

/**
 * Zoho Mail through its organisation API: users with their aliases (the `mode` updates), groups
 * with members and moderators, suspension (disable), initial passwords with a change at first
 * login. 2FA enforcement, shared mailboxes, quotas, forwarding and standalone aliases have no
 * API and are refused at preview.
 */
export const zohoDefinition = defineMailProvider({
  id: "zoho",
  capabilities: zohoCapabilities,
  credentials: [
    {
      name: "clientId",
      env: "ZOHO_CLIENT_ID",
      configKey: "zohoClientId",
      description:
        "the client id of a Self Client (or server-based client) in the Zoho API console",
    },
    {
      name: "clientSecret",
      env: "ZOHO_CLIENT_SECRET",
      configKey: "zohoClientSecret",
      description: "that client's secret (Zoho API console)",
    },
    {
      name: "refreshToken",
      env: "ZOHO_REFRESH_TOKEN",
      configKey: "zohoRefreshToken",
      description:
        "a refresh token of an organisation admin with the scopes ZohoMail.organization.accounts.ALL and ZohoMail.organization.groups.ALL",
    },
  ],
  args: zohoArgsSchema,
  dnsFacts: zohoFacts,
  endpoint: zohoEndpoint,
  createAdapter: zohoAdapter(),
});
