import type { DnsRecord } from "./dns-record";

/** A host and port a client connects to (RFC 6186 / RFC 8314 SRV targets). */
export interface ServiceEndpoint {
  host: string;
  port: number;
  /**
   * How the client starts TLS. `implicit` endpoints are published as `_imaps`/`_pop3s`/
   * `_submissions` SRV (RFC 8314); `starttls` ones as `_imap`/`_pop3`/`_submission` (RFC 6186).
   * @default `starttls` for ports 143, 110 and 587, else `implicit`
   */
  tls?: "implicit" | "starttls";
}

/**
 * What a mail provider assigns or documents for a domain: the inputs of DNS planning.
 * Values a provider assigns per tenant (Microsoft's MX target, SES DKIM tokens, Cloudflare's
 * MX set, verification codes) come from provider outputs or user input, never guesses.
 */
export interface DnsFacts {
  /** Provider id, e.g. `google`, `migadu`, `selfHosted`. */
  provider: string;
  /** MX set; priority 0 is a valid preference. Empty for sending-only domains. */
  mx: Array<{ priority: number; host: string }>;
  /** SPF include domains the provider needs (e.g. `_spf.google.com`). */
  spfInclude: string[];
  /**
   * Other SPF mechanisms the provider needs, e.g. `["mx"]` for a self-hosted server that sends
   * from its MX hosts, or `["ip4:192.0.2.10"]`.
   * @default []
   */
  spfTerms?: string[];
  /** DKIM records: TXT with the key (`v=DKIM1; k=rsa; p=...`) or CNAME to the provider. */
  dkim: Array<{ selector: string; type: "TXT" | "CNAME"; value: string }>;
  /** TXT values the provider needs at the apex to verify ownership. */
  verification: string[];
  /** Client discovery; services left out are published with a `.` target (not offered). */
  clientDiscovery?: {
    imap?: ServiceEndpoint;
    pop3?: ServiceEndpoint;
    submission?: ServiceEndpoint;
    /** CNAME target for `autodiscover.<domain>` (Outlook). */
    autodiscover?: string;
    /** CNAME target for `autoconfig.<domain>` (Thunderbird). */
    autoconfig?: string;
  };
  /** Further records the provider requires, already normalised. */
  extraRecords?: DnsRecord[];
}
