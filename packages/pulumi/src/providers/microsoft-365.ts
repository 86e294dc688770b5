import * as pulumi from "@pulumi/pulumi";
import { microsoft365DnsFacts, type DnsFacts } from "@mailplane/core";
import {
  createMicrosoft365Provider,
  microsoft365Definition,
  microsoft365SettingsFromEndpoint,
  microsoft365Endpoint,
  type Microsoft365Args,
} from "@mailplane/providers";
import type { AccountScope, MailProviderBinding } from "../provider-binding";
import { genericBinding, parseBinding, type BindingArgs } from "./binding";

/** The arguments of `providers.microsoft365(...)`. */
export type Microsoft365BindingArgs = BindingArgs<typeof microsoft365Definition>;

/** The client secret as the provider process reads it: the environment, else stack config. */
function clientSecret(): string {
  const fromEnv = process.env.MICROSOFT365_CLIENT_SECRET;
  if (fromEnv) return fromEnv;
  const fromConfig = new pulumi.Config("mailplane").get("microsoft365ClientSecret");
  if (fromConfig) return fromConfig;
  throw new Error(
    "providers.microsoft365: mx is not given, so the MX host and the MS= value are read from " +
      "Microsoft Graph at preview, which needs the client secret: set MICROSOFT365_CLIENT_SECRET " +
      "or `pulumi config set --secret mailplane:microsoft365ClientSecret`, or give mx",
  );
}

/** Facts with the MX host and verification values Graph lists for the domain. */
async function factsFromGraph(args: Microsoft365Args, domain: string): Promise<DnsFacts> {
  if (args.dkim === undefined) {
    throw new Error(
      `providers.microsoft365: dkim is required to publish the DNS records of ${args.domain}; ` +
        "allowed: the selector1/selector2 CNAME targets Exchange Online shows for the domain " +
        "(Microsoft Graph does not list them)",
    );
  }
  const adapter = createMicrosoft365Provider({
    ...microsoft365SettingsFromEndpoint(microsoft365Endpoint(args)),
    clientSecret,
  });
  const records = await adapter.dnsRecords(args.domain ?? domain);
  return microsoft365DnsFacts({
    mxHost: records.mx,
    dkim: { selector1: args.dkim.selector1, selector2: args.dkim.selector2 },
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
  if (parsed.args.mx !== undefined) return generic;
  return {
    ...generic,
    dnsFacts: (domain: string, _scope: AccountScope): pulumi.Input<DnsFacts> =>
      pulumi.output(parsed.resolved).apply((a) => factsFromGraph(a, domain)),
  };
}
