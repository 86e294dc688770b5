/**
 * DNS records as a reviewer reads them, from the resources Mailplane's DNS backends create: the
 * zone file (`ZoneFile`, one resource holding the zone's text), Cloudflare (`cloudflare.DnsRecord`,
 * TXT as quoted 255-byte strings), Route 53 (`aws.route53.Record`, `""` joins inside one value)
 * and PowerDNS (`PowerDnsRecords`, RRsets in presentation format). TXT values are decoded with
 * the same codec that encoded them (`@mailplane/core` `decodeTxt`), so a long DKIM key or SPF
 * record reads as one string, not quoted chunks.
 */
import { decodeTxt } from "@mailplane/core";
import { SECRET, type PreviewState } from "./preview";

/** One DNS record: owner name (lower case, no trailing dot), type and its value as text. */
export interface DnsRecordView {
  name: string;
  type: string;
  value: string;
}

/** The value Pulumi prints for an input not known until apply. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** How the summary shows a value not known until apply. */
export const UNKNOWN_TEXT = "(known after apply)";

/** The zone file's types: the plugin's, and the dynamic one of stacks not yet upgraded. */
const ZONE_FILE = new Set(["mailplane:index:ZoneFile", "pulumi-nodejs:dynamic/ZoneFile:Resource"]);
const POWERDNS = new Set([
  "mailplane:index:PowerDnsRecords",
  "pulumi-nodejs:dynamic/mailplane:PowerDnsRecords",
]);
const CLOUDFLARE = new Set([
  "cloudflare:index/dnsRecord:DnsRecord",
  "cloudflare:index/record:Record",
]);
const ROUTE53 = "aws:route53/record:Record";

/** True for the resource types that hold DNS records. */
export function isDnsType(type: string): boolean {
  return ZONE_FILE.has(type) || POWERDNS.has(type) || CLOUDFLARE.has(type) || type === ROUTE53;
}

const fqdn = (name: string): string => name.replace(/\.$/, "").toLowerCase();

/** A name in a zone file, made absolute against `$ORIGIN`. */
function absolute(name: string, origin: string): string {
  if (name === "@") return origin;
  if (name.endsWith(".")) return fqdn(name);
  return origin === "" ? fqdn(name) : `${fqdn(name)}.${origin}`;
}

/** The value of a record as text, hosts without their trailing dot, TXT decoded. */
function presentation(type: string, rdata: string, txt: "zonefile" | "route53"): string {
  if (rdata === UNKNOWN) return UNKNOWN_TEXT;
  if (rdata === SECRET) return SECRET;
  switch (type) {
    case "TXT":
      try {
        return decodeTxt(rdata, txt);
      } catch {
        return rdata; // shown as written: the reviewer sees what the backend would get
      }
    case "MX":
    case "CNAME":
    case "SRV":
    case "NS":
      return rdata.trim().replace(/\.$/, "");
    default:
      return rdata.trim();
  }
}

/**
 * The records of a zone file as Mailplane's zone-file backend writes it: `$ORIGIN`, `$TTL`, one
 * record a line (`name ttl IN type rdata`). The SOA is left out (its serial is dated on write).
 */
export function zoneFileRecords(text: string): DnsRecordView[] {
  let origin = "";
  const out: DnsRecordView[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith(";")) continue;
    const dir = /^\$ORIGIN\s+(\S+)/i.exec(line);
    if (dir) {
      origin = fqdn(dir[1]!);
      continue;
    }
    if (line.startsWith("$")) continue;
    const m = /^(\S+)\s+(?:\d+\s+)?(?:IN\s+)?([A-Za-z0-9]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const type = m[2]!.toUpperCase();
    if (type === "SOA") continue;
    out.push({
      name: absolute(m[1]!, origin),
      type,
      value: presentation(type, m[3]!, "zonefile"),
    });
  }
  return out;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The records one resource's state holds (none when it is not a DNS resource). */
export function recordsOf(type: string, state: PreviewState | undefined): DnsRecordView[] {
  const inputs = state?.inputs;
  if (inputs === undefined) return [];
  if (ZONE_FILE.has(type)) {
    const content = str(inputs.content);
    return content === undefined || content === UNKNOWN ? [] : zoneFileRecords(content);
  }
  if (POWERDNS.has(type)) {
    const rrsets = Array.isArray(inputs.rrsets) ? inputs.rrsets : [];
    return rrsets.flatMap((set: Record<string, unknown>) => {
      const rtype = String(set.type ?? "").toUpperCase();
      const records = Array.isArray(set.records) ? set.records : [];
      return records.map((r: unknown) => ({
        name: fqdn(String(set.name ?? "")),
        type: rtype,
        value: presentation(rtype, String(r), "zonefile"),
      }));
    });
  }
  if (CLOUDFLARE.has(type)) {
    const rtype = String(inputs.type ?? "").toUpperCase();
    const name = fqdn(String(inputs.name ?? ""));
    const content = str(inputs.content) ?? str(inputs.value) ?? "";
    let value: string;
    if (rtype === "TXT") {
      value = content === UNKNOWN ? UNKNOWN_TEXT : content === SECRET ? SECRET : safeTxt(content);
    } else if (rtype === "MX") {
      value = `${String(inputs.priority ?? 0)} ${presentation("MX", content, "zonefile")}`;
    } else if (rtype === "SRV" && typeof inputs.data === "object" && inputs.data !== null) {
      const d = inputs.data as Record<string, unknown>;
      value = [d.priority ?? 0, d.weight ?? 0, d.port, String(d.target ?? "").replace(/\.$/, "")]
        .map(String)
        .join(" ");
    } else {
      value = presentation(rtype, content, "zonefile");
    }
    return [{ name, type: rtype, value }];
  }
  if (type === ROUTE53) {
    const rtype = String(inputs.type ?? "").toUpperCase();
    const name = fqdn(String(inputs.name ?? ""));
    const records = Array.isArray(inputs.records) ? inputs.records : [];
    return records.map((r: unknown) => ({
      name,
      type: rtype,
      value: presentation(rtype, String(r), "route53"),
    }));
  }
  return [];
}

function safeTxt(content: string): string {
  try {
    return decodeTxt(content, "cloudflare");
  } catch {
    return content;
  }
}

/** A changed record set: every value at one name and type, before and after. */
export interface DnsChange {
  name: string;
  type: string;
  old: string[];
  new: string[];
}

/**
 * The record sets that differ between two lists of records, sorted by name then type. Values are
 * compared as sets (the order of the zone's lines is not a change).
 */
export function diffRecords(before: DnsRecordView[], after: DnsRecordView[]): DnsChange[] {
  const group = (rs: DnsRecordView[]) => {
    const m = new Map<string, string[]>();
    for (const r of rs) {
      const k = `${r.name}\u0000${r.type}`;
      const vs = m.get(k) ?? [];
      if (!vs.includes(r.value)) vs.push(r.value);
      m.set(k, vs);
    }
    for (const vs of m.values()) vs.sort();
    return m;
  };
  const a = group(before);
  const b = group(after);
  const out: DnsChange[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const o = a.get(k) ?? [];
    const n = b.get(k) ?? [];
    if (JSON.stringify(o) === JSON.stringify(n)) continue;
    const [name, type] = k.split("\u0000") as [string, string];
    out.push({ name, type, old: o, new: n });
  }
  return out.sort((x, y) => x.name.localeCompare(y.name) || x.type.localeCompare(y.type));
}
