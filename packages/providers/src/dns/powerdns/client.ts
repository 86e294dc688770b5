import axios, { type AxiosInstance } from "axios";
import { recordProblem, zoneFileRdata, type DnsRecord } from "@mailplane/core";
import { AuthError, NotFoundError, ProviderError } from "../../errors";
import { apiErrorMessage, errorForStatus } from "../../http/errors";
import { Redactor } from "../../http/redact";

const PROVIDER = "powerdns";

/** One RRset as the PowerDNS HTTP API holds it: all records of one name and type. */
export interface PowerDnsRRset {
  /** Fully-qualified, lower-case, WITH the trailing dot (`mail.acme.com.`). */
  name: string;
  type: string;
  ttl: number;
  /** Record contents in PowerDNS's zone-file presentation, sorted. */
  records: string[];
}

/** Where the API is and which zone; the API key is read from `PDNS_API_KEY` at call time. */
export interface PowerDnsConnection {
  /** Base URL, e.g. `http://127.0.0.1:8081` (the `/api/v1` prefix is added). */
  apiUrl: string;
  /** @default "localhost" */
  serverId?: string;
  /** The zone, e.g. `acme.com` (trailing dot optional). */
  zone: string;
}

const fqdn = (name: string) => (name.endsWith(".") ? name.toLowerCase() : `${name.toLowerCase()}.`);

/**
 * One planned record as PowerDNS content: MX `prio host.`, SRV `prio weight port target.`,
 * CNAME `target.`, TXT as RFC 1035 quoted 255-byte strings (`"v=DKIM1; ..." "..."`, one record).
 * @see https://doc.powerdns.com/authoritative/http-api/zone.html
 */
export function powerDnsContent(record: DnsRecord): string {
  // Defence in depth: a value that is not a host name, an address or a whole number never
  // reaches the API (a newline or space in an MX would make PowerDNS store other records).
  const problem = recordProblem(record);
  if (problem !== undefined) throw new Error(`PowerDNS record: ${problem}`);
  return zoneFileRdata(record);
}

/**
 * Groups planned records into RRsets (one per name and type), sorted by name then type, so
 * two records at one name and type (SPF and a verification TXT at the apex) never overwrite
 * each other. Records of one RRset must agree on the TTL (the lowest is taken).
 */
export function toPowerDnsRRsets(records: readonly DnsRecord[]): PowerDnsRRset[] {
  const sets = new Map<string, PowerDnsRRset>();
  for (const r of records) {
    const name = fqdn(r.name);
    const key = `${name} ${r.type}`;
    const set = sets.get(key) ?? { name, type: r.type, ttl: r.ttl, records: [] };
    set.ttl = Math.min(set.ttl, r.ttl);
    const content = powerDnsContent(r);
    if (!set.records.includes(content)) set.records.push(content);
    sets.set(key, set);
  }
  return sortRRsets([...sets.values()]);
}

/** RRsets in canonical order (name, then type), records sorted: comparable across reads. */
export function sortRRsets(sets: readonly PowerDnsRRset[]): PowerDnsRRset[] {
  return sets
    .map((s) => ({ ...s, records: [...s.records].sort() }))
    .sort((a, b) =>
      a.name === b.name ? a.type.localeCompare(b.type) : a.name.localeCompare(b.name),
    );
}

/** Reads the API key at call time; never stored, never printed. */
function apiKey(): string {
  const key = process.env.PDNS_API_KEY;
  if (key === undefined || key === "") {
    throw new AuthError(
      { provider: PROVIDER, operation: "credentials" },
      "powerdns credentials missing: set PDNS_API_KEY (the api-key of pdns.conf) in the environment",
    );
  }
  return key;
}

/**
 * A small client of the PowerDNS Authoritative HTTP API (`/api/v1`): zones and RRsets.
 * Failures become typed provider errors carrying the API's own `error` text, redacted of the
 * API key in every form (the HTTP kit's `Redactor`) before it is cut to length; the axios
 * error (its config holds the X-API-Key header) is never kept.
 */
export class PowerDnsClient {
  private readonly http: AxiosInstance;
  private readonly base: string;

  constructor(private readonly conn: PowerDnsConnection) {
    this.base =
      `/api/v1/servers/${encodeURIComponent(conn.serverId ?? "localhost")}` +
      `/zones/${encodeURIComponent(fqdn(conn.zone))}`;
    this.http = axios.create({
      baseURL: conn.apiUrl.replace(/\/+$/, ""),
      timeout: 30_000,
      validateStatus: () => true,
      headers: { Accept: "application/json" },
      responseType: "text",
      transformResponse: [(body: unknown) => body],
      maxRedirects: 0,
      proxy: false,
    });
  }

  private async call<T>(
    operation: string,
    method: string,
    url: string,
    data?: unknown,
  ): Promise<T> {
    const key = apiKey();
    let res;
    try {
      res = await this.http.request<string>({
        method,
        url,
        data: data === undefined ? undefined : JSON.stringify(data),
        headers: { "X-API-Key": key, "Content-Type": "application/json" },
      });
    } catch (err) {
      // Only the code survives: the axios error's config holds the X-API-Key header.
      const raw = (err as { code?: unknown }).code;
      const code = typeof raw === "string" ? raw : "network error";
      const apiMessage = new Redactor([key]).text(code);
      throw new ProviderError({ provider: PROVIDER, operation, apiMessage });
    }
    const text = typeof res.data === "string" ? res.data : "";
    if (res.status >= 200 && res.status < 300) {
      if (text.trim() === "") return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        return text as T;
      }
    }
    const apiMessage = apiErrorMessage(text, new Redactor([key]));
    throw errorForStatus(
      res.status,
      { provider: PROVIDER, operation, status: res.status, apiMessage },
      false,
    );
  }

  /** True when the zone exists on the server. */
  async zoneExists(): Promise<boolean> {
    try {
      await this.call("getZone", "GET", this.base);
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      // PowerDNS 4.x answers 422 "Could not find domain" for a missing zone.
      if (err instanceof ProviderError && err.status === 422) return false;
      throw err;
    }
  }

  /** Creates a Native zone with the given name servers (host names). */
  async createZone(nameservers: string[]): Promise<void> {
    await this.call(
      "createZone",
      "POST",
      `/api/v1/servers/${encodeURIComponent(this.conn.serverId ?? "localhost")}/zones`,
      { name: fqdn(this.conn.zone), kind: "Native", nameservers: nameservers.map(fqdn) },
    );
  }

  /** Every RRset of the zone, records sorted (disabled records left out). */
  async listRRsets(): Promise<PowerDnsRRset[]> {
    const zone = await this.call<{
      rrsets: Array<{
        name: string;
        type: string;
        ttl: number;
        records: Array<{ content: string; disabled: boolean }>;
      }>;
    }>("listRRsets", "GET", this.base);
    return zone.rrsets.map((s) => ({
      name: s.name,
      type: s.type,
      ttl: s.ttl,
      records: s.records
        .filter((r) => !r.disabled)
        .map((r) => r.content)
        .sort(),
    }));
  }

  /** Replaces the given RRsets and deletes `remove` (name + type) in one PATCH. */
  async patchRRsets(
    replace: readonly PowerDnsRRset[],
    remove: ReadonlyArray<Pick<PowerDnsRRset, "name" | "type">> = [],
  ): Promise<void> {
    if (replace.length === 0 && remove.length === 0) return;
    await this.call("patchRRsets", "PATCH", this.base, {
      rrsets: [
        ...replace.map((s) => ({
          name: fqdn(s.name),
          type: s.type,
          ttl: s.ttl,
          changetype: "REPLACE",
          records: s.records.map((content) => ({ content, disabled: false })),
        })),
        ...remove.map((s) => ({ name: fqdn(s.name), type: s.type, changetype: "DELETE" })),
      ],
    });
  }
}
