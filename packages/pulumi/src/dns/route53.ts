import * as pulumi from "@pulumi/pulumi";
import { loadAws } from "../optional-peers";
import { encodeTxt, type DnsRecordType } from "@mailplane/core";
import {
  childNames,
  nameSlug,
  type DnsBackend,
  type DnsRecordInput,
  type DnsScope,
} from "./backend";
import { hostedZoneIdFor, type HostedZoneArgs } from "./hosted-zone";

/** Settings of the Route 53 DNS backend. */
export type Route53DnsArgs = HostedZoneArgs;

/**
 * The DNS backend that publishes records as `aws.route53.Record` children: one record set per
 * name and type (all MX values in one set), TXT strings quoted and split inside ONE value so a
 * long DKIM key stays one record.
 */
export class Route53DnsBackend implements DnsBackend {
  /** Backend id. */
  readonly kind = "route53";
  /** Creates the backend; use {@link dns.route53} instead. */
  constructor(readonly args: Route53DnsArgs) {}

  /**
   * One `aws.route53.Record` per name and type. A set named by one role is `${name}-${role}`
   * (`acme-mx`, `acme-dkim-google`); a set holding several roles (the apex TXT set with SPF
   * and a verification token) is `${name}-${type}-${label}` (`acme-txt-apex`).
   */
  createRecords(records: DnsRecordInput[], scope: DnsScope): Record<string, pulumi.Resource> {
    // @pulumi/aws is an optional peer dependency, loaded on first use.
    const aws = loadAws("dns.route53");
    childNames(records, scope.name); // rejects records that would collide
    // Resolve every zone first: a bad record fails before any child exists.
    const sets = route53Sets(records, scope).map((set) => ({
      ...set,
      zoneId: hostedZoneIdFor("route53", set.name, scope, this.args),
    }));
    const out: Record<string, pulumi.Resource> = {};
    for (const set of sets) {
      out[set.childName] = new aws.route53.Record(
        set.childName,
        { zoneId: set.zoneId, name: set.name, type: set.type, ttl: set.ttl, records: set.records },
        { parent: scope.parent, ...(this.args.provider ? { provider: this.args.provider } : {}) },
      );
    }
    return out;
  }
}

interface Route53Set {
  childName: string;
  name: pulumi.Input<string>;
  type: DnsRecordType;
  ttl: pulumi.Input<number>;
  records: pulumi.Output<string[]>;
}

/** Groups records into Route 53 record sets (one per name+type) with stable child names. */
function route53Sets(records: DnsRecordInput[], scope: DnsScope): Route53Set[] {
  const groups = new Map<string, DnsRecordInput[]>();
  for (const r of records) {
    // A name unknown until deployment (SES DKIM tokens) is its own set, keyed by its role.
    const key = typeof r.name === "string" ? `${r.type} ${r.name}` : `${r.type} role:${r.role}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const sets: Route53Set[] = [];
  for (const group of groups.values()) {
    const first = group[0];
    const roles = [...new Set(group.map((r) => r.role))];
    const childName =
      roles.length === 1
        ? `${scope.name}-${roles[0]}`
        : `${scope.name}-${first.type.toLowerCase()}-${relativeLabel(first.name as string, scope.domain)}`;
    const ttls = [...new Set(group.map((r) => r.ttl))];
    if (ttls.length > 1 && ttls.every((t) => typeof t === "number")) {
      throw new Error(
        `dns.route53: records at ${String(first.name)} ${first.type} have different TTLs ` +
          `(${ttls.join(", ")}); Route 53 keeps one TTL per record set`,
      );
    }
    sets.push({
      childName,
      name: first.name,
      type: first.type,
      ttl: first.ttl,
      records: pulumi.all(group.map(route53Value)).apply((values) => [...values].sort()),
    });
  }
  return sets;
}

/** `acme.com` → `apex`, `_dmarc.acme.com` → `_dmarc`. */
function relativeLabel(name: string, domain: string): string {
  if (name === domain) return "apex";
  return nameSlug(name.endsWith(`.${domain}`) ? name.slice(0, -domain.length - 1) : name);
}

/** The Route 53 value string for one record. */
export function route53Value(r: DnsRecordInput): pulumi.Output<string> {
  return pulumi
    .all([r.value, r.priority, r.weight, r.port])
    .apply(([value, priority, weight, port]) => {
      switch (r.type) {
        case "TXT":
          return encodeTxt(value, "route53");
        case "MX":
          return `${priority ?? 0} ${value}`;
        case "SRV":
          return `${priority ?? 0} ${weight ?? 0} ${port} ${value}`;
        default:
          return value;
      }
    });
}
