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
