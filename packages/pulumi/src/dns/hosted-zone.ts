import type * as pulumi from "@pulumi/pulumi";
import { zoneIdFor, zoneOf, type DnsScope } from "./backend";

/**
 * Settings every hosted-DNS backend takes (Cloudflare, Route 53): the zone of the domain, the
 * zones of its domain aliases, and the Pulumi provider that writes into them.
 */
export interface HostedZoneArgs {
  /**
   * The zone that holds the domain: a Cloudflare zone id, a Route 53 hosted zone id
   * (`Z0123456789ABCDEFGHIJ`).
   * @see https://developers.cloudflare.com/fundamentals/account/find-account-and-zone-ids/
   * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ListInfoOnHostedZone.html
   */
  zoneId: pulumi.Input<string>;
  /**
   * Zone ids of the domain aliases, by alias domain (`{ "acme.co": "…" }`).
   * @default none; required for each domain alias of the MailDomain
   */
  aliasZoneIds?: Record<string, pulumi.Input<string>>;
  /**
   * An explicit provider of the DNS host's Pulumi package (`cloudflare.Provider` for another
   * account's API token, `aws.Provider` for another account or role).
   * @default the stack's default provider of that package
   */
  provider?: pulumi.ProviderResource;
}

/** The id of the zone `name` belongs to: the domain's `zoneId` or its alias's `aliasZoneIds`. */
export function hostedZoneIdFor(
  backend: string,
  name: pulumi.Input<string>,
  scope: DnsScope,
  args: HostedZoneArgs,
): pulumi.Input<string> {
  return zoneIdFor(backend, zoneOf(name, scope), scope, args.zoneId, args.aliasZoneIds);
}
