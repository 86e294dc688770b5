/** DNS record types Mailplane plans. */
export type DnsRecordType = "MX" | "TXT" | "CNAME" | "SRV" | "A" | "AAAA";

/**
 * One normalised DNS record as planned by core: the name is a fully-qualified domain name
 * without the trailing dot, lower-case and punycode; the value is unencoded (TXT values are
 * the plain text, never quoted or split; each backend encodes them its own way).
 *
 * - MX: `priority` is the preference (0 is valid), `value` the exchange host (`.` for null MX).
 * - SRV: `priority`, `weight`, `port` and `value` (the target host, `.` when not offered).
 * - CNAME: `value` is the target host.
 */
export interface DnsRecord {
  name: string;
  type: DnsRecordType;
  ttl: number;
  priority?: number;
  weight?: number;
  port?: number;
  value: string;
  /** Stable role key used to name backend children, e.g. `mx`, `spf`, `dkim-google`, `srv-imaps`. */
  role: string;
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/**
 * Normalises a host name for comparison and output: lower-case, without the trailing dot.
 * Does not validate; see {@link isHostname}.
 */
export function normalizeHostname(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith(".") && lower !== "." ? lower.slice(0, -1) : lower;
}

/**
 * True when `name` is a DNS host name Mailplane accepts: ASCII (punycode) labels of 1–63
 * letters, digits, `-` or `_` (not starting or ending with `-`), at least two labels, at most
 * 253 characters, an optional trailing dot. Underscore labels are allowed because SPF includes
 * (`_spf.google.com`) and DKIM names use them.
 */
export function isHostname(name: string): boolean {
  const n = normalizeHostname(name);
  if (n.length === 0 || n.length > 253) return false;
  const labels = n.split(".");
  return labels.length >= 2 && labels.every((l) => LABEL.test(l));
}
