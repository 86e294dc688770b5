import { cloudflareEmailRoutingDnsFacts, decodeTxt, type DnsFacts } from "@mailplane/core";

/** One record of `getEmailRoutingDns`. */
export interface EmailRoutingDnsRecord {
  content: string;
  name: string;
  priority: number;
  ttl: number;
  type: string;
}

/**
 * Turns Cloudflare's required Email Routing records (`getEmailRoutingDns`) into DnsFacts with
 * core's `cloudflareEmailRoutingDnsFacts`: the MX set with this zone's priorities and the DKIM
 * TXT keys Cloudflare supplies, by selector.
 */
export function emailRoutingFacts(domain: string, records: EmailRoutingDnsRecord[]): DnsFacts {
  const mx = records
    .filter((r) => r.type === "MX")
    .map((r) => ({ priority: r.priority, host: r.content }));
  if (mx.length === 0) {
    throw new Error(
      `provider cloudflareEmailRouting: Cloudflare returned no MX records for ${domain} (getEmailRoutingDns); ` +
        `check that the zone is active and Email Routing is available on it`,
    );
  }
  const dkim: Record<string, string> = {};
  for (const r of records.filter((x) => x.type === "TXT")) {
    const text = decodeTxt(r.content, "cloudflare");
    const sel = /^(.+?)\._domainkey(?:\.|$)/.exec(r.name);
    if (sel && /^v=DKIM1/i.test(text)) dkim[sel[1]] = text;
  }
  return cloudflareEmailRoutingDnsFacts({ mx, dkim });
}
