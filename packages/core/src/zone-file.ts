import { z } from "zod";
import type { DnsRecord, DnsRecordType } from "./dns-record";
import { normalizeHostname } from "./dns-record";
import {
  hostNameProblem,
  hostmasterProblem,
  intProblem,
  ipv4Problem,
  ipv6Problem,
  priorityProblem,
  serialProblem,
  setting,
  targetHostProblem,
  ttlProblem,
  type SettingCheck,
} from "./settings";
import { encodeTxt } from "./txt";

/** A name server of the zone, with its addresses when it lies inside the zone (glue). */
export interface ZoneNameServer {
  /** Host name of the name server. */
  host: string;
  /** IPv4 address, written as an A record when the host is inside the zone. */
  ipv4?: string;
  /** IPv6 address, written as an AAAA record when the host is inside the zone. */
  ipv6?: string;
}

/** Options of {@link renderZoneFile}. */
export interface ZoneFileOptions {
  /**
   * SOA serial. Increase it on every change when secondaries transfer the zone (a date-based
   * `YYYYMMDDnn` is common); the file stays byte-for-byte deterministic for a given serial.
   * @default 1
   */
  serial?: number;
  /**
   * The zone's name servers (NS records at the apex; the first is the SOA MNAME).
   * @default `[{ host: "ns1.<origin>", ipv4: "127.0.0.1" }]` — a loopback server, as used by
   *   `mailplane doctor` and the tests; set your real name servers for production.
   */
  nameServers?: ZoneNameServer[];
  /**
   * Responsible mailbox of the SOA, as an address or DNS name.
   * @default `hostmaster@<origin>`
   */
  hostmaster?: string;
  /** `$TTL` and the TTL of SOA and NS records. @default 3600 */
  ttl?: number;
  /** SOA refresh, retry, expire and negative-caching TTL in seconds. @default 7200, 3600, 1209600, 3600 */
  soaTimers?: { refresh: number; retry: number; expire: number; minimum: number };
}

/** A name server of the zone as a binding's settings: see {@link zoneFileOptionsSchema}. */
export const zoneNameServerSchema = z.strictObject({
  host: setting(hostNameProblem),
  ipv4: setting(ipv4Problem).optional(),
  ipv6: setting(ipv6Problem).optional(),
});

/**
 * The schema of {@link ZoneFileOptions}: every value that is written into the file is checked
 * (host names, addresses, hostmaster, TTL and timers as whole numbers, the serial as an unsigned
 * 32-bit number), so a setting can never add a line, a record or a `$INCLUDE` to the zone.
 */
export const zoneFileOptionsSchema = z.strictObject({
  serial: setting<number>(serialProblem).optional(),
  nameServers: z.array(zoneNameServerSchema).min(1).optional(),
  hostmaster: setting(hostmasterProblem).optional(),
  ttl: setting<number>(ttlProblem).optional(),
  soaTimers: z
    .strictObject({
      refresh: setting<number>(ttlProblem),
      retry: setting<number>(ttlProblem),
      expire: setting<number>(ttlProblem),
      minimum: setting<number>(ttlProblem),
    })
    .optional(),
});

const TYPE_ORDER: DnsRecordType[] = ["A", "AAAA", "CNAME", "MX", "TXT", "SRV"];

/** Compares names in DNS canonical order (RFC 4034 §6.1): by labels from the right. */
export function compareDnsNames(a: string, b: string): number {
  const la = a.split(".").reverse();
  const lb = b.split(".").reverse();
  for (let i = 0; i < Math.min(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return la[i]! < lb[i]! ? -1 : 1;
  }
  return la.length - lb.length;
}

/**
 * Sorts records deterministically: canonical name order (apex first), then type
 * (A, AAAA, CNAME, MX, TXT, SRV), then priority, weight, port and value.
 */
export function sortDnsRecords(records: readonly DnsRecord[]): DnsRecord[] {
  return [...records].sort(
    (a, b) =>
      compareDnsNames(a.name, b.name) ||
      TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type) ||
      (a.priority ?? 0) - (b.priority ?? 0) ||
      (a.weight ?? 0) - (b.weight ?? 0) ||
      (a.port ?? 0) - (b.port ?? 0) ||
      (a.value < b.value ? -1 : a.value > b.value ? 1 : 0),
  );
}

const inRange = (check: SettingCheck, v: unknown) => (v === undefined ? undefined : check(v));
const weightProblem = intProblem(0, 65535, "a weight");
const srvPortProblem = intProblem(0, 65535, "a port");

/**
 * What makes a planned record unwritable as one master-file line, or undefined when it is fine:
 * the owner name, the TTL, the numbers, and the value per type (a host name or `.` for MX, SRV
 * and CNAME, an address for A/AAAA; TXT is always escaped by `encodeTxt`).
 */
export function recordProblem(value: unknown): string | undefined {
  const r = value as DnsRecord;
  if (typeof r !== "object" || r === null) return "is not a record";
  if (!TYPE_ORDER.includes(r.type)) {
    return `type ${JSON.stringify(r.type)} is not written (allowed: ${TYPE_ORDER.join(", ")})`;
  }
  const name = hostNameProblem(r.name);
  if (name !== undefined) return `name: ${name}`;
  const ttl = ttlProblem(r.ttl);
  if (ttl !== undefined) return `${r.name} ${r.type} ttl: ${ttl}`;
  const field = (label: string, p: string | undefined) =>
    p === undefined ? undefined : `${r.name} ${r.type} ${label}: ${p}`;
  switch (r.type) {
    case "MX":
      return (
        field("priority", inRange(priorityProblem, r.priority)) ??
        field("value", targetHostProblem(r.value))
      );
    case "SRV":
      return (
        field("priority", inRange(priorityProblem, r.priority)) ??
        field("weight", inRange(weightProblem, r.weight)) ??
        field("port", inRange(srvPortProblem, r.port)) ??
        field("value", targetHostProblem(r.value))
      );
    case "CNAME":
      return field("value", hostNameProblem(r.value));
    case "A":
      return field("value", ipv4Problem(r.value));
    case "AAAA":
      return field("value", ipv6Problem(r.value));
    case "TXT":
      return typeof r.value === "string"
        ? undefined
        : field("value", `is not text (got ${typeof r.value})`);
  }
}

function inZone(name: string, origin: string): boolean {
  return name === origin || name.endsWith(`.${origin}`);
}

function owner(name: string, origin: string): string {
  return name === origin ? "@" : name.slice(0, -(origin.length + 1));
}

function absolute(host: string): string {
  const h = normalizeHostname(host);
  return h === "." ? "." : `${h}.`;
}

/**
 * A record's data in zone-file presentation (RFC 1035 §5.1), as a zone file and the PowerDNS
 * API both read it: MX `prio host.`, SRV `prio weight port target.`, CNAME `target.`, TXT as
 * quoted strings of at most 255 bytes (`"v=DKIM1; ..." "..."`, one record), others as given.
 * Expects a record `recordProblem` accepts.
 */
export function zoneFileRdata(r: DnsRecord): string {
  switch (r.type) {
    case "MX":
      return `${r.priority ?? 0} ${absolute(r.value)}`;
    case "SRV":
      return `${r.priority ?? 0} ${r.weight ?? 0} ${r.port ?? 0} ${absolute(r.value)}`;
    case "CNAME":
      return absolute(r.value);
    case "TXT":
      return encodeTxt(r.value, "zonefile");
    default:
      return r.value;
  }
}

/**
 * Renders records as an RFC 1035 master file that `named-checkzone` and `kzonecheck` accept:
 * `$ORIGIN`, `$TTL`, an SOA and NS records (from `opts`, with glue for in-zone name servers),
 * then the records sorted by {@link sortDnsRecords}. Owner names are relative to the origin
 * (`@` for the apex), targets absolute; MX and SRV priority 0 is written as `0`; TXT values are
 * encoded by `encodeTxt(value, "zonefile")`. Throws when a record lies outside the origin.
 *
 * @see https://www.rfc-editor.org/rfc/rfc1035#section-5
 */
export function renderZoneFile(
  records: readonly DnsRecord[],
  origin: string,
  opts: ZoneFileOptions = {},
): string {
  const zoneProblem = hostNameProblem(origin);
  if (zoneProblem !== undefined) throw new Error(`zone origin: ${zoneProblem}`);
  const zone = normalizeHostname(origin);
  const ttl = opts.ttl ?? 3600;
  const serial = opts.serial ?? 1;
  const timers = opts.soaTimers ?? { refresh: 7200, retry: 3600, expire: 1209600, minimum: 3600 };
  const nameServers = opts.nameServers ?? [{ host: `ns1.${zone}`, ipv4: "127.0.0.1" }];
  if (nameServers.length === 0) {
    throw new Error(`zone ${zone}: nameServers is empty; allowed: at least one name server`);
  }
  if (!Number.isInteger(serial) || serial < 0 || serial > 4294967295) {
    throw new Error(
      `zone ${zone}: serial ${serial} is not allowed; allowed: an integer 0–4294967295`,
    );
  }
  // Defence in depth: whatever a caller passes, nothing but the intended records is written.
  const refuse = (what: string, check: SettingCheck, value: unknown) => {
    const message = check(value);
    if (message !== undefined) throw new Error(`zone ${zone}: ${what}: ${message}`);
  };
  refuse("ttl", ttlProblem, ttl);
  for (const [k, v] of Object.entries(timers)) refuse(`soaTimers.${k}`, ttlProblem, v);
  nameServers.forEach((ns, i) => {
    refuse(`nameServers[${i}].host`, hostNameProblem, ns.host);
    if (ns.ipv4 !== undefined) refuse(`nameServers[${i}].ipv4`, ipv4Problem, ns.ipv4);
    if (ns.ipv6 !== undefined) refuse(`nameServers[${i}].ipv6`, ipv6Problem, ns.ipv6);
  });
  if (opts.hostmaster !== undefined) refuse("hostmaster", hostmasterProblem, opts.hostmaster);
  records.forEach((r, i) => refuse(`records[${i}]`, recordProblem, r));
  const hostmaster = opts.hostmaster ?? `hostmaster@${zone}`;
  const rname = hostmaster.includes("@")
    ? `${hostmaster.slice(0, hostmaster.lastIndexOf("@")).replace(/\./g, "\\.")}.${normalizeHostname(hostmaster.slice(hostmaster.lastIndexOf("@") + 1))}.`
    : absolute(hostmaster);

  const normalized = records.map((r) => ({ ...r, name: normalizeHostname(r.name) }));
  const outside = normalized.filter((r) => !inZone(r.name, zone));
  if (outside.length > 0) {
    throw new Error(
      `zone ${zone}: ${outside.length} record(s) outside the zone (${outside
        .map((r) => `${r.name} ${r.type}`)
        .join(", ")}); allowed: names equal to or under ${zone}`,
    );
  }

  const glue: DnsRecord[] = [];
  for (const ns of nameServers) {
    const host = normalizeHostname(ns.host);
    if (!inZone(host, zone)) continue;
    const has = (type: DnsRecordType) => normalized.some((r) => r.name === host && r.type === type);
    if (ns.ipv4 && !has("A")) glue.push({ name: host, type: "A", ttl, value: ns.ipv4, role: "ns" });
    if (ns.ipv6 && !has("AAAA"))
      glue.push({ name: host, type: "AAAA", ttl, value: ns.ipv6, role: "ns" });
    if (!ns.ipv4 && !ns.ipv6 && !has("A") && !has("AAAA")) {
      throw new Error(
        `zone ${zone}: name server ${host} is inside the zone but has no address; allowed: give ipv4/ipv6 or an A/AAAA record`,
      );
    }
  }

  const lines = [
    `$ORIGIN ${zone}.`,
    `$TTL ${ttl}`,
    `@\t${ttl}\tIN\tSOA\t${absolute(nameServers[0]!.host)} ${rname} ${serial} ${timers.refresh} ${timers.retry} ${timers.expire} ${timers.minimum}`,
    ...nameServers.map((ns) => `@\t${ttl}\tIN\tNS\t${absolute(ns.host)}`),
  ];
  for (const r of sortDnsRecords([...glue, ...normalized])) {
    lines.push(`${owner(r.name, zone)}\t${r.ttl}\tIN\t${r.type}\t${zoneFileRdata(r)}`);
  }
  return `${lines.join("\n")}\n`;
}
