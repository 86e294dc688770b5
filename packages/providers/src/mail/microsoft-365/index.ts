import {
  defineMailProvider,
  type AdapterSettings,
  type MailboxCheck,
  type MailboxCheckProblem,
} from "../definition";
import {
  createMicrosoft365Provider,
  exchangeOnlyMessage,
  mfaRequiredMessage,
  microsoft365OptInCapabilities,
  type Microsoft365Provider,
  type Microsoft365ProviderConfig,
} from "./adapter";
import { microsoft365ArgsSchema, type Microsoft365Args } from "./args";
import { microsoft365Facts } from "./dns";

export * from "./args";
export * from "./dns";
export {
  createMicrosoft365Provider,
  exchangeOnlyMessage,
  mfaRequiredMessage,
  MFA_GROUP_NICKNAME,
  MFA_POLICY_NAME,
  EXCHANGE_ALIASES_PER_MAILBOX,
  microsoft365Capabilities,
  microsoft365ExchangeCapabilities,
  microsoft365OptInCapabilities,
  Microsoft365Provider,
  type Microsoft365DnsRecords,
  type Microsoft365MailboxInput,
  type Microsoft365ProviderConfig,
} from "./adapter";
export { GRAPH_API_URL, MICROSOFT_AUTHORITY_URL, graphDefaultBudget } from "./client";
export { EXCHANGE_ADMIN_URL, EXCHANGE_SCOPE } from "./exchange";

const SCHEME = "microsoft365:";

/**
 * The locator the account resources carry as their endpoint: every non-secret setting the
 * adapter needs (`microsoft365:?tenant=…&client=…&domain=…&usageLocation=…&licences=…`), so
 * that the runtime can build the adapter from a resource's inputs alone. Never a secret.
 */
export function microsoft365Endpoint(args: Microsoft365Args): string {
  const q = new URLSearchParams({
    tenant: args.tenantId,
    client: args.clientId,
    domain: args.domain,
    usageLocation: args.usageLocation,
  });
  if (args.licences !== undefined) q.set("licences", JSON.stringify(args.licences));
  if (args.apiUrl !== undefined) q.set("api", args.apiUrl);
  if (args.authorityUrl !== undefined) q.set("authority", args.authorityUrl);
  if (args.exchange?.invokeCommand === true) {
    q.set("exchange", "invokeCommand");
    if (args.exchange.apiUrl !== undefined) q.set("exchangeApi", args.exchange.apiUrl);
  }
  if (args.certificateThumbprint !== undefined) {
    q.set("thumbprint", args.certificateThumbprint.replace(/:/g, "").toLowerCase());
  }
  if (args.mfa?.groupId !== undefined) q.set("mfaGroup", args.mfa.groupId);
  if (args.mfa?.createPolicy === true) q.set("mfa", "createPolicy");
  return `${SCHEME}?${q.toString()}`;
}

/** Reads a locator written by {@link microsoft365Endpoint}; throws naming what is missing. */
export function microsoft365SettingsFromEndpoint(
  endpoint: string | undefined,
): Omit<Microsoft365ProviderConfig, "clientSecret"> {
  if (endpoint === undefined || !endpoint.startsWith(`${SCHEME}?`)) {
    throw new Error(
      `microsoft365: apiUrl must be the locator providers.microsoft365(...) writes ` +
        `(microsoft365:?tenant=…&client=…&domain=…&usageLocation=…), got ${JSON.stringify(endpoint ?? null)}`,
    );
  }
  const q = new URLSearchParams(endpoint.slice(SCHEME.length + 1));
  const missing = ["tenant", "client", "domain", "usageLocation"].filter((k) => !q.get(k));
  if (missing.length > 0) {
    throw new Error(`microsoft365: the endpoint locator lacks ${missing.join(", ")}`);
  }
  const licences = q.get("licences");
  return {
    tenantId: q.get("tenant")!,
    clientId: q.get("client")!,
    domain: q.get("domain")!,
    usageLocation: q.get("usageLocation")!,
    ...(licences === null ? {} : { licences: JSON.parse(licences) as Record<string, string> }),
    ...(q.get("api") === null ? {} : { apiUrl: q.get("api")! }),
    ...(q.get("authority") === null ? {} : { authorityUrl: q.get("authority")! }),
    ...(q.get("exchange") === "invokeCommand"
      ? {
          exchange: q.get("exchangeApi") === null ? {} : { apiUrl: q.get("exchangeApi")! },
        }
      : {}),
    ...(q.get("thumbprint") === null
      ? {}
      : { clientCertificate: { thumbprint: q.get("thumbprint")!, privateKey: () => undefined } }),
    ...(q.get("mfaGroup") !== null
      ? { mfa: { groupId: q.get("mfaGroup")! } }
      : q.get("mfa") === "createPolicy"
        ? { mfa: { createPolicy: true } }
        : {}),
  };
}

/**
 * The Microsoft 365 adapter for the runtime, from the resource's endpoint locator and the client
 * secret read at call time. `overrides` (budget, retries) are for tests and benchmarks.
 */
export function microsoft365Adapter(
  overrides: Partial<Omit<Microsoft365ProviderConfig, "clientSecret">> = {},
): (settings: AdapterSettings) => Microsoft365Provider {
  return ({ apiUrl, credentials }) => {
    const settings = microsoft365SettingsFromEndpoint(apiUrl);
    const cert = settings.clientCertificate;
    return createMicrosoft365Provider({
      ...settings,
      ...overrides,
      clientSecret: () => credentials.clientSecret ?? "",
      ...(cert === undefined
        ? {}
        : {
            clientCertificate: {
              thumbprint: cert.thumbprint,
              privateKey: () => credentials.clientCertificateKey,
            },
          }),
    });
  };
}

/**
 * What one mailbox asks that the binding's settings (read from the resource's endpoint locator)
 * cannot honour, at preview: a shared mailbox without the Exchange opt-in, a profile without a
 * licence (and no default). A locator the adapter cannot read is left to the adapter's error.
 */
export function microsoft365MailboxProblems(
  endpoint: string | undefined,
  mailbox: MailboxCheck,
): MailboxCheckProblem[] {
  let settings: ReturnType<typeof microsoft365SettingsFromEndpoint>;
  try {
    settings = microsoft365SettingsFromEndpoint(endpoint);
  } catch {
    return [];
  }
  const problems: MailboxCheckProblem[] = [];
  if (mailbox.shared && settings.exchange === undefined) {
    problems.push({ field: "shared", message: exchangeOnlyMessage("shared mailboxes") });
  }
  if (mailbox.require2fa && settings.mfa === undefined) {
    problems.push({ field: "require2fa", message: mfaRequiredMessage });
  }
  const licences = settings.licences ?? {};
  const profile = mailbox.profile ?? "default";
  if (!mailbox.shared && licences[profile] === undefined && licences.default === undefined) {
    const keys =
      profile === "default" ? "licences.default" : `licences.${profile} or licences.default`;
    problems.push({
      field: "profile",
      message:
        `has no licence for profile "${profile}"; allowed: ${keys} on providers.microsoft365 ` +
        `(a SKU id that includes Exchange Online: a user without one has no mailbox)`,
    });
  }
  return problems;
}

/**
 * Microsoft 365 through Microsoft Graph: mailboxes (licensed users), Microsoft 365 groups,
 * suspension, passwords with a forced change, rename in place. Aliases, shared mailboxes and
 * forwarding live in Exchange Online: the capabilities are what the provider can do with the
 * binding's `exchange: { invokeCommand: true }`; without it the binding refuses them at preview
 * (and the adapter before any request), naming the opt-in.
 */
export const microsoft365Definition = defineMailProvider({
  id: "microsoft365",
  readsProfiles: true,
  capabilities: microsoft365OptInCapabilities,
  credentials: [
    {
      name: "clientSecret",
      env: "MICROSOFT365_CLIENT_SECRET",
      configKey: "microsoft365ClientSecret",
      description:
        "a client secret of the app registration (Entra ID > App registrations > Certificates & secrets)",
      optional: true,
    },
    {
      name: "clientCertificateKey",
      env: "MICROSOFT365_CLIENT_CERTIFICATE_KEY",
      configKey: "microsoft365ClientCertificateKey",
      description:
        "the PEM private key of the certificate whose thumbprint is certificateThumbprint (instead of a client secret)",
      optional: true,
    },
  ],
  args: microsoft365ArgsSchema,
  dnsFacts: microsoft365Facts,
  endpoint: microsoft365Endpoint,
  mailboxProblems: microsoft365MailboxProblems,
  accountDomain: (args) => args.domain,
  createAdapter: microsoft365Adapter(),
});
