import type * as pulumi from "@pulumi/pulumi";
import type { DnsRecordType } from "@mailplane/core";

/**
 * A planned DNS record as a backend receives it: a core `DnsRecord` whose values may
 * still be unknown (for example the DKIM CNAMEs built from an SES identity's token outputs).
 * `role` and `type` are always plain values: they name the child and pick its shape, and a
 * child name must never depend on an Output.
 */
export interface DnsRecordInput {
  /** Stable role key (`mx`, `spf`, `dkim-google`, `srv-imaps`…); names the child. */
  role: string;
  /** Record type. */
  type: DnsRecordType;
  /** Fully-qualified name without the trailing dot, lower-case, punycode. */
  name: pulumi.Input<string>;
  /** Unencoded value: TXT text (never quoted or split), MX/CNAME/SRV target host. */
  value: pulumi.Input<string>;
  /** Time to live in seconds as planned. */
  ttl: pulumi.Input<number>;
  /** MX preference or SRV priority; 0 is a valid value. */
  priority?: pulumi.Input<number>;
  /** SRV weight. */
  weight?: pulumi.Input<number>;
  /** SRV port. */
  port?: pulumi.Input<number>;
}

/** Where a DNS backend creates its children. */
export interface DnsScope {
  /** The owning component's name: the prefix of every child name. */
  name: string;
  /** The component every child is parented to. */
  parent: pulumi.Resource;
  /** The domain (zone origin) the records belong to, lower-case punycode. */
  domain: string;
  /** Domain aliases: further zones some records belong to (e.g. `acme.co`'s MX). */
  domainAliases?: string[];
}

/**
 * The zone a record belongs to: the longest of `scope.domain` and `scope.domainAliases` that
 * the name equals or ends in. Names unknown until deployment belong to `scope.domain`.
 */
export function zoneOf(name: pulumi.Input<string>, scope: DnsScope): string {
  if (typeof name !== "string") return scope.domain;
  const zones = [scope.domain, ...(scope.domainAliases ?? [])].sort((a, b) => b.length - a.length);
  const zone = zones.find((z) => name === z || name.endsWith(`.${z}`));
  if (zone === undefined) {
    throw new Error(
      `DNS records: ${name} is outside the managed zones (${[scope.domain, ...(scope.domainAliases ?? [])].join(", ")})`,
    );
  }
  return zone;
}

/**
 * The zone id for `zone`: `zoneId` for the domain itself, `aliasZoneIds[zone]` for a domain
 * alias; a clear error when a domain alias has none.
 */
export function zoneIdFor(
  backend: string,
  zone: string,
  scope: DnsScope,
  zoneId: pulumi.Input<string>,
  aliasZoneIds: Record<string, pulumi.Input<string>> | undefined,
): pulumi.Input<string> {
  if (zone === scope.domain) return zoneId;
  const id = aliasZoneIds?.[zone];
  if (id === undefined) {
    throw new Error(
      `dns.${backend}: domain alias ${zone} needs its own zone; set aliasZoneIds: { "${zone}": <zone id> }`,
    );
  }
  return id;
}

/**
 * A DNS backend, the object that `dns.cloudflare(...)`, `dns.route53(...)`,
 * `dns.zoneFile(...)` return. MailDomain and MailDnsRecords hand it the planned records and
 * it creates the Pulumi children that publish them.
 *
 * Rules for implementations (see `dns/cloudflare.ts` for a reference):
 * - create every child with `{ parent: scope.parent }`;
 * - derive child names from `scope.name` and the records' `role` (plus content when several
 *   records share a role), never from a list index or an Output — {@link childNames} does this;
 * - encode TXT values with core's `encodeTxt` for the backend's wire format;
 * - keep MX priority 0 as 0.
 */
export interface DnsBackend {
  /** Backend id, e.g. `cloudflare`, `route53`, `zoneFile`. */
  readonly kind: string;
  /**
   * Creates the children that publish `records` and returns them keyed by child name, so
   * users can depend on single records.
   */
  createRecords(records: DnsRecordInput[], scope: DnsScope): Record<string, pulumi.Resource>;
}

/** Lower-case, and only `[a-z0-9._-]`, for content-derived parts of child names. */
export function nameSlug(value: string): string {
  const slug = value
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/[^a-z0-9._-]+/g, "-");
  return slug === "" ? "root" : slug;
}

/**
 * Stable child names for a list of records, one per record, in input order: `${name}-${role}`
 * when the role is unique, `${name}-${role}-${content}` when several records share a role (e.g.
 * the hosts of an MX set). Reordering the records gives every record the same name again.
 * Throws when two records would get the same name (same role and same content).
 */
export function childNames(records: readonly DnsRecordInput[], prefix: string): string[] {
  const perRole = new Map<string, number>();
  for (const r of records) perRole.set(r.role, (perRole.get(r.role) ?? 0) + 1);
  const names = records.map((r) => {
    if (perRole.get(r.role) === 1) return `${prefix}-${r.role}`;
    if (typeof r.value !== "string") {
      throw new Error(
        `DNS records: ${perRole.get(r.role)} records share role "${r.role}" but one has a value ` +
          `unknown until deployment; records with unknown values need a role of their own`,
      );
    }
    return `${prefix}-${r.role}-${nameSlug(r.value)}`;
  });
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new Error(`DNS records: two records would both be named "${n}"`);
    seen.add(n);
  }
  return names;
}
