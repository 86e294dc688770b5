import * as pulumi from "@pulumi/pulumi";
import type { DnsRecord } from "@mailplane/core";
import { toPowerDnsRRsets, type PowerDnsRRset } from "@mailplane/providers";
import { pluginResourceOptions, typeToken } from "../resource-types";
import { zoneOf, type DnsBackend, type DnsRecordInput, type DnsScope } from "./backend";

/** Settings of the PowerDNS backend. The API key is never an argument: see {@link PowerDnsDnsBackend}. */
export interface PowerDnsArgs {
  /**
   * Base URL of the PowerDNS webserver, e.g. `http://ns1.internal:8081`.
   * @see https://doc.powerdns.com/authoritative/http-api/index.html
   */
  apiUrl: pulumi.Input<string>;
  /**
   * The server id in the API path.
   * @default "localhost"
   */
  serverId?: pulumi.Input<string>;
  /**
   * The zone that holds the records.
   * @default the MailDomain's domain
   */
  zone?: pulumi.Input<string>;
  /**
   * The zone of each domain alias, by alias domain.
   * @default the alias domain itself
   */
  aliasZones?: Record<string, pulumi.Input<string>>;
}

/** Inputs of {@link PowerDnsRecords}. */
export interface PowerDnsRecordsArgs {
  apiUrl: pulumi.Input<string>;
  serverId: pulumi.Input<string>;
  zone: pulumi.Input<string>;
  rrsets: pulumi.Input<PowerDnsRRset[]>;
}

/**
 * The RRsets Mailplane owns in one PowerDNS zone, reconciled through the HTTP API with PATCH
 * (changetype REPLACE / DELETE). One resource per zone, so records sharing a name and type
 * (SPF and a verification TXT at the apex) are one RRset and never overwrite each other.
 * `mailplane:index:PowerDnsRecords`, served by the `mailplane` provider plugin.
 */
export class PowerDnsRecords extends pulumi.CustomResource {
  declare public readonly rrsets: pulumi.Output<PowerDnsRRset[]>;

  constructor(name: string, args: PowerDnsRecordsArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      typeToken("PowerDnsRecords"),
      name,
      { ...args },
      pluginResourceOptions("PowerDnsRecords", opts),
    );
  }
}

/**
 * Publishes the records in a PowerDNS zone. The API key is read by the provider process at call
 * time from `PDNS_API_KEY` (sent as `X-API-Key`); it never enters state or code.
 */
export class PowerDnsDnsBackend implements DnsBackend {
  readonly kind = "powerDns";

  constructor(private readonly args: PowerDnsArgs) {}

  /**
   * One `PowerDnsRecords` child per zone: `${scope.name}-powerdns` for the domain,
   * `${scope.name}-powerdns-<alias>` for each domain alias with records.
   */
  createRecords(records: DnsRecordInput[], scope: DnsScope): Record<string, pulumi.Resource> {
    const byZone = new Map<string, DnsRecordInput[]>();
    for (const r of records) {
      const zone = zoneOf(r.name, scope);
      byZone.set(zone, [...(byZone.get(zone) ?? []), r]);
    }
    const children: Record<string, pulumi.Resource> = {};
    for (const [zone, rs] of byZone) {
      const own = zone === scope.domain;
      const name = own ? `${scope.name}-powerdns` : `${scope.name}-powerdns-${zone}`;
      children[name] = new PowerDnsRecords(
        name,
        {
          apiUrl: this.args.apiUrl,
          serverId: this.args.serverId ?? "localhost",
          zone: own ? (this.args.zone ?? zone) : (this.args.aliasZones?.[zone] ?? zone),
          rrsets: pulumi.all(rs.map(resolveRecord)).apply((resolved) => toPowerDnsRRsets(resolved)),
        },
        { parent: scope.parent },
      );
    }
    return children;
  }
}

function resolveRecord(r: DnsRecordInput): pulumi.Output<DnsRecord> {
  return pulumi
    .all([r.name, r.value, r.ttl, r.priority, r.weight, r.port])
    .apply(([name, value, ttl, priority, weight, port]): DnsRecord => ({
      role: r.role,
      type: r.type,
      name,
      value,
      ttl,
      ...(priority === undefined ? {} : { priority }),
      ...(weight === undefined ? {} : { weight }),
      ...(port === undefined ? {} : { port }),
    }));
}
