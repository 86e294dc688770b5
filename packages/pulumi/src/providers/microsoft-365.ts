import * as pulumi from "@pulumi/pulumi";
import {
  MailplaneConfigError,
  microsoft365DnsFacts,
  type AccountPlan,
  type ConfigIssue,
  type DnsFacts,
} from "@mailplane/core";
import {
  createMicrosoft365Provider,
  exchangeOnlyMessage,
  mfaRequiredMessage,
  microsoft365Definition,
  microsoft365SettingsFromEndpoint,
  microsoft365Endpoint,
  type Microsoft365Args,
} from "@mailplane/providers";
import type { AccountScope, MailProviderBinding } from "../provider-binding";
import { genericBinding, parseBinding, type BindingArgs } from "./binding";

/** The arguments of `providers.microsoft365(...)`. */
export type Microsoft365BindingArgs = BindingArgs<typeof microsoft365Definition>;

/** A credential as the provider process reads it: the environment, else stack config. */
function credential(env: string, configKey: string): string | undefined {
  return process.env[env] || new pulumi.Config("mailplane").get(configKey) || undefined;
}

/** The certificate's private key, when the binding names a certificate and the key is set. */
const certificateKey = (): string | undefined =>
  credential("MICROSOFT365_CLIENT_CERTIFICATE_KEY", "microsoft365ClientCertificateKey");

/** The client secret, unless a certificate key is set (it is then used instead). */
function clientSecret(): string {
  const secret = credential("MICROSOFT365_CLIENT_SECRET", "microsoft365ClientSecret");
  if (secret !== undefined || certificateKey() !== undefined) return secret ?? "";
  throw new Error(
    "providers.microsoft365: mx is not given, so the MX host and the MS= value are read from " +
      "Microsoft Graph at preview, which needs the client secret: set MICROSOFT365_CLIENT_SECRET " +
      "or `pulumi config set --secret mailplane:microsoft365ClientSecret`, or give mx",
  );
}

/**
 * Facts with the MX host and verification values Graph lists for the domain (unless `mx` is
 * given), and the DKIM targets of the arguments or, with the Exchange opt-in, of
 * `Get-DkimSigningConfig`.
 */
async function factsFromGraph(args: Microsoft365Args, domain: string): Promise<DnsFacts> {
  const exchange = args.exchange?.invokeCommand === true;
  if (args.dkim === undefined && !exchange) {
    throw new Error(
      `providers.microsoft365: dkim is required to publish the DNS records of ${args.domain}; ` +
        "allowed: the selector1/selector2 CNAME targets Exchange Online shows for the domain " +
        "(Microsoft Graph does not list them), or exchange: { invokeCommand: true } to read " +
        "them from Exchange Online (Get-DkimSigningConfig)",
    );
  }
  const settings = microsoft365SettingsFromEndpoint(microsoft365Endpoint(args));
  const adapter = createMicrosoft365Provider({
    ...settings,
    clientSecret,
    ...(settings.clientCertificate === undefined
      ? {}
      : {
          clientCertificate: {
            thumbprint: settings.clientCertificate.thumbprint,
            privateKey: certificateKey,
          },
        }),
  });
  const d = args.domain ?? domain;
  const [records, dkim] = await Promise.all([
    args.mx === undefined
      ? adapter.dnsRecords(d)
      : Promise.resolve({ mx: args.mx, verification: [] as string[] }),
    args.dkim === undefined ? adapter.dkimTargets(d) : Promise.resolve(args.dkim),
  ]);
  return microsoft365DnsFacts({
    mxHost: records.mx,
    dkim: { selector1: dkim.selector1, selector2: dkim.selector2 },
    verification: [
      ...new Set([
        ...records.verification,
        ...(args.verification === undefined ? [] : [args.verification]),
      ]),
    ],
  });
}

/**
 * Microsoft 365 through Microsoft Graph. The DNS facts come from the arguments when `mx` is
 * given; without it, the MX host and the `MS=` verification value Microsoft assigned are read
 * from Graph (`serviceConfigurationRecords`, `verificationDnsRecords`) when the program runs,
 * preview included, with the client secret of the environment or the stack config. The DKIM
 * targets are always arguments (Graph does not list them).
 *
 * @example
 * new MailDomain("acme", {
 *   domain: "acme.com",
 *   dns,
 *   provider: providers.microsoft365({ tenantId, clientId, domain: "acme.com", usageLocation: "DE",
 *     licences: { default: e3SkuId }, dkim: { selector1, selector2 } }),
 * });
 */
export function microsoft365(input: Microsoft365BindingArgs): MailProviderBinding {
  const parsed = parseBinding(microsoft365Definition, input);
  const generic = genericBinding(microsoft365Definition, parsed);
  const exchange = parsed.args.exchange?.invokeCommand === true;
  const mfa = parsed.args.mfa !== undefined;
  const binding: MailProviderBinding = {
    ...generic,
    createAccounts(plan, scope) {
      const issues = optInIssues(plan, { exchange, mfa });
      if (issues.length > 0) throw new MailplaneConfigError(issues);
      return generic.createAccounts(plan, scope);
    },
  };
  if (parsed.args.mx !== undefined && (parsed.args.dkim !== undefined || !exchange)) {
    return binding;
  }
  return {
    ...binding,
    dnsFacts: (domain: string, _scope: AccountScope): pulumi.Input<DnsFacts> =>
      pulumi.output(parsed.resolved).apply((a) => factsFromGraph(a, domain)),
  };
}

/**
 * The planned accounts that need an opt-in the binding does not give: Exchange Online's admin
 * route for secondary addresses, forwarding and shared mailboxes (with it, forwarding to more
 * than one address: ForwardingSmtpAddress holds one), and `mfa` for `require2fa`. Refused
 * while the program runs, so that preview shows them and nothing is written.
 */
export function optInIssues(
  plan: AccountPlan,
  optIns: { exchange: boolean; mfa: boolean },
): ConfigIssue[] {
  const { exchange, mfa } = optIns;
  const issues: ConfigIssue[] = [];
  for (const m of plan.mailboxes) {
    const base = m.shared ? `shared.${m.key}` : `mailboxes.${m.key}`;
    const forward = m.offboard?.forwardTo ?? [];
    if (m.require2fa && !mfa) {
      issues.push({ path: `${base}.require2fa`, message: mfaRequiredMessage });
    }
    if (!exchange) {
      if (m.shared) {
        issues.push({ path: `${base}.kind`, message: exchangeOnlyMessage("shared mailboxes") });
      }
      if (m.aliases.length > 0) {
        issues.push({
          path: `${base}.aliases`,
          message: exchangeOnlyMessage("secondary addresses (aliases)"),
        });
      }
      if (forward.length > 0) {
        issues.push({
          path: `${base}.offboard.forwardTo`,
          message: exchangeOnlyMessage("forwarding (ForwardingSmtpAddress)"),
        });
      }
    } else if (forward.length > 1) {
      issues.push({
        path: `${base}.offboard.forwardTo`,
        message:
          `Exchange forwards a mailbox to one address (ForwardingSmtpAddress); allowed: at most ` +
          `1, got ${forward.length} (${forward.join(", ")})`,
      });
    }
  }
  return issues;
}
