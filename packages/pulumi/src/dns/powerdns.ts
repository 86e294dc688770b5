/* eslint-disable @typescript-eslint/no-require-imports -- the serialized provider must require the
   runtime at call time, so state holds a small shim and library upgrades apply to old resources */
import * as pulumi from "@pulumi/pulumi";
import type { DnsRecord } from "@mailplane/core";
import { toPowerDnsRRsets, type PowerDnsRRset } from "@mailplane/providers";
import type { DnsBackend, DnsRecordInput, DnsScope } from "./backend";

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
}

/** The serialized dynamic provider: a shim that loads `@mailplane/providers` at call time. */
const shim: pulumi.dynamic.ResourceProvider = {
  check: (o, n) => require("@mailplane/providers").powerDnsRecordsProvider.check(o, n),
  diff: (i, o, n) => require("@mailplane/providers").powerDnsRecordsProvider.diff(i, o, n),
  create: (n) => require("@mailplane/providers").powerDnsRecordsProvider.create(n),
  read: (i, p) => require("@mailplane/providers").powerDnsRecordsProvider.read(i, p),
  update: (i, o, n) => require("@mailplane/providers").powerDnsRecordsProvider.update(i, o, n),
  delete: (i, p) => require("@mailplane/providers").powerDnsRecordsProvider.delete(i, p),
};

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
 */
export class PowerDnsRecords extends pulumi.dynamic.Resource {
  declare public readonly rrsets: pulumi.Output<PowerDnsRRset[]>;

  constructor(name: string, args: PowerDnsRecordsArgs, opts?: pulumi.CustomResourceOptions) {
    super(shim, name, { ...args }, opts, "mailplane", "PowerDnsRecords");
  }
}

/**
 * Publishes the records in a PowerDNS zone. The API key is read by the provider process at call
 * time from `PDNS_API_KEY` (sent as `X-API-Key`); it never enters state or code.
 */
export class PowerDnsDnsBackend implements DnsBackend {
  readonly kind = "powerDns";

  constructor(private readonly args: PowerDnsArgs) {}

  /** One `PowerDnsRecords` child named `${scope.name}-powerdns`. */
  createRecords(records: DnsRecordInput[], scope: DnsScope): Record<string, pulumi.Resource> {
    const rrsets = pulumi
      .all(
        records.map((r) =>
          pulumi
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
            })),
        ),
      )
      .apply((rs) => toPowerDnsRRsets(rs));
    const name = `${scope.name}-powerdns`;
    const child = new PowerDnsRecords(
      name,
      {
        apiUrl: this.args.apiUrl,
        serverId: this.args.serverId ?? "localhost",
        zone: this.args.zone ?? scope.domain,
        rrsets,
      },
      { parent: scope.parent },
    );
    return { [name]: child };
  }
}
