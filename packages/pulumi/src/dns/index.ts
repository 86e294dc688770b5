import { PowerDnsDnsBackend, type PowerDnsArgs } from "./powerdns";
import { CloudflareDnsBackend, type CloudflareDnsArgs } from "./cloudflare";
import { Route53DnsBackend, type Route53DnsArgs } from "./route53";
import { ZoneFileDnsBackend, type ZoneFileDnsArgs } from "./zone-file";
import { httpUrlProblem, parseSettings } from "@mailplane/core";
import {
  checkedInput,
  checkedInputs,
  cloudflareDnsArgsSchema,
  cloudflareIdProblem,
  powerDnsArgsSchema,
  powerDnsServerIdProblem,
  route53DnsArgsSchema,
  route53ZoneIdProblem,
  zoneNameProblem,
} from "./settings";

/**
 * Publishes the records in a Cloudflare zone as `cloudflare.DnsRecord` children.
 * @example dns.cloudflare({ zoneId: "023e105f4ecef8ad9ca31a8372d0c353" })
 */
export function cloudflare(args: CloudflareDnsArgs): CloudflareDnsBackend {
  parseSettings(cloudflareDnsArgsSchema, args, ["dns", "cloudflare"]);
  return new CloudflareDnsBackend({
    ...args,
    zoneId: checkedInput(args.zoneId, cloudflareIdProblem, "dns.cloudflare.zoneId"),
    aliasZoneIds: checkedInputs(
      args.aliasZoneIds,
      cloudflareIdProblem,
      "dns.cloudflare.aliasZoneIds",
    ),
  });
}

/**
 * Publishes the records in a Route 53 hosted zone as `aws.route53.Record` children.
 * @example dns.route53({ zoneId: zone.zoneId })
 */
export function route53(args: Route53DnsArgs): Route53DnsBackend {
  parseSettings(route53DnsArgsSchema, args, ["dns", "route53"]);
  return new Route53DnsBackend({
    ...args,
    zoneId: checkedInput(args.zoneId, route53ZoneIdProblem, "dns.route53.zoneId"),
    aliasZoneIds: checkedInputs(
      args.aliasZoneIds,
      route53ZoneIdProblem,
      "dns.route53.aliasZoneIds",
    ),
  });
}

/**
 * Writes the records to an RFC 1035 zone file.
 * @example dns.zoneFile({ path: "acme.com.zone" })
 */
export function zoneFile(args: ZoneFileDnsArgs): ZoneFileDnsBackend {
  return new ZoneFileDnsBackend(args);
}

/**
 * Publishes the records in a PowerDNS zone through its HTTP API (API key from `PDNS_API_KEY`).
 * @example dns.powerDns({ apiUrl: "http://ns1.internal:8081", zone: "acme.com" })
 */
export function powerDns(args: PowerDnsArgs): PowerDnsDnsBackend {
  parseSettings(powerDnsArgsSchema, args, ["dns", "powerDns"]);
  return new PowerDnsDnsBackend({
    apiUrl: checkedInput(args.apiUrl, httpUrlProblem, "dns.powerDns.apiUrl"),
    ...(args.serverId === undefined
      ? {}
      : {
          serverId: checkedInput(args.serverId, powerDnsServerIdProblem, "dns.powerDns.serverId"),
        }),
    ...(args.zone === undefined
      ? {}
      : { zone: checkedInput(args.zone, zoneNameProblem, "dns.powerDns.zone") }),
    ...(args.aliasZones === undefined
      ? {}
      : { aliasZones: checkedInputs(args.aliasZones, zoneNameProblem, "dns.powerDns.aliasZones") }),
  });
}
