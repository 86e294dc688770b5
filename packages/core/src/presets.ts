import type { DnsFacts } from "./dns-facts";
import { isHostname, normalizeHostname, type DnsRecord } from "./dns-record";

/*
 * Provider DNS presets: DnsFacts built only from values the vendor documents as fixed. Values a
 * provider assigns per tenant (verification codes, Microsoft's MX and DKIM targets, SES DKIM
 * tokens, Cloudflare's MX set) are arguments — never derived from the domain name.
 */

function checkHost(preset: string, field: string, value: string): string {
  if (!isHostname(value)) {
    throw new Error(
      `${preset}: ${field} ${JSON.stringify(value)} is not a host name; allowed: a DNS host name such as mx.example.com`,
    );
  }
  return normalizeHostname(value);
}

function checkDomain(preset: string, domain: string): string {
  return checkHost(preset, "domain", domain);
}

/** DKIM CNAMEs: `<selector>._domainkey` → `target(selector)`, in the order given. */
function cnameDkim<S extends string>(
  selectors: readonly S[],
  target: (selector: S) => string,
): DnsFacts["dkim"] {
  return selectors.map((selector) => ({
    selector,
    type: "CNAME" as const,
    value: target(selector),
  }));
}

/** DKIM TXT records given as selector → `v=DKIM1; …` value. */
function txtDkim(records: Record<string, string> | undefined): DnsFacts["dkim"] {
  return Object.entries(records ?? {}).map(([selector, value]) => ({
    selector,
    type: "TXT" as const,
    value,
  }));
}

/** Arguments of {@link googleDnsFacts}. */
export interface GoogleDnsArgs {
  /**
   * Publish the five-host MX set of tenants created before 2023 instead of `1 smtp.google.com`.
   * @default false
   */
  legacy?: boolean;
  /** `google-site-verification=…` values from the admin console. @default [] */
  verification?: string[];
}

/**
 * Google Workspace: MX `1 smtp.google.com` (or the legacy five `aspmx.l.google.com` hosts),
 * SPF `_spf.google.com`, IMAP `imap.gmail.com:993` and SMTP `smtp.gmail.com:465`. The DKIM key
 * (selector `google`) is generated in the admin console: supply it as `policy.dkim.google`.
 *
 * @see https://support.google.com/a/answer/174125 (MX values)
 * @see https://support.google.com/a/answer/10684623 (SPF)
 */
export function googleDnsFacts(args: GoogleDnsArgs = {}): DnsFacts {
  const mx = args.legacy
    ? [
        { priority: 1, host: "aspmx.l.google.com" },
        { priority: 5, host: "alt1.aspmx.l.google.com" },
        { priority: 5, host: "alt2.aspmx.l.google.com" },
        { priority: 10, host: "alt3.aspmx.l.google.com" },
        { priority: 10, host: "alt4.aspmx.l.google.com" },
      ]
    : [{ priority: 1, host: "smtp.google.com" }];
  return {
    provider: "google",
    mx,
    spfInclude: ["_spf.google.com"],
    dkim: [],
    verification: args.verification ?? [],
    clientDiscovery: {
      imap: { host: "imap.gmail.com", port: 993 },
      submission: { host: "smtp.gmail.com", port: 465 },
    },
  };
}

/** Zoho data centres and the top-level domain of their mail hosts. */
export type ZohoDataCenter = "com" | "eu" | "in" | "com.au" | "jp" | "ca" | "sa";

/** Arguments of {@link zohoDnsFacts}. */
export interface ZohoDnsArgs {
  /** The data centre the organisation lives in. @default "com" */
  dataCenter?: ZohoDataCenter;
  /** `zoho-verification=zbNNNN.zmverify.zoho.<dc>` from the admin console. @default [] */
  verification?: string[];
  /** DKIM records from Zoho's console/API, selector → `v=DKIM1; k=rsa; p=…`. @default {} */
  dkim?: Record<string, string>;
}

const ZOHO_DCS: ZohoDataCenter[] = ["com", "eu", "in", "com.au", "jp", "ca", "sa"];

/**
 * Zoho Mail: MX `10 mx.zoho.<dc>`, `20 mx2.zoho.<dc>`, `50 mx3.zoho.<dc>`, SPF
 * `zohomail.<dc>`, IMAP `imap.zoho.<dc>:993`, SMTP `smtp.zoho.<dc>:465`.
 *
 * @see https://www.zoho.com/mail/help/adminconsole/configure-email-delivery.html
 * @see https://www.zoho.com/mail/help/adminconsole/spf-configuration.html
 */
export function zohoDnsFacts(args: ZohoDnsArgs = {}): DnsFacts {
  const dc = args.dataCenter ?? "com";
  if (!ZOHO_DCS.includes(dc)) {
    throw new Error(
      `zoho: dataCenter ${JSON.stringify(dc)} is not allowed; allowed: ${ZOHO_DCS.map((d) => JSON.stringify(d)).join(", ")}`,
    );
  }
  return {
    provider: "zoho",
    mx: [
      { priority: 10, host: `mx.zoho.${dc}` },
      { priority: 20, host: `mx2.zoho.${dc}` },
      { priority: 50, host: `mx3.zoho.${dc}` },
    ],
    spfInclude: [`zohomail.${dc}`],
    dkim: txtDkim(args.dkim),
    verification: args.verification ?? [],
    clientDiscovery: {
      imap: { host: `imap.zoho.${dc}`, port: 993 },
      submission: { host: `smtp.zoho.${dc}`, port: 465 },
    },
  };
}

/** Arguments of {@link migaduDnsFacts}. */
export interface MigaduDnsArgs {
  /** The domain (its DKIM CNAME targets contain it). */
  domain: string;
  /** Full verification TXT values, e.g. `hosted-email-verify=<code>`. @default [] */
  verification?: string[];
  /**
   * The code from Migadu's DNS setup page, published as TXT `hosted-email-verify=<code>`.
   * @default none
   */
  verificationCode?: string;
}

/**
 * Migadu: MX `10 aspmx1.migadu.com`, `20 aspmx2.migadu.com`, SPF `spf.migadu.com`, DKIM CNAME
 * `key1/2/3._domainkey` → `keyN.<domain>._domainkey.migadu.com`, autoconfig/autodiscover CNAMEs
 * and IMAP/SMTP/POP3 on `imap/smtp/pop.migadu.com`.
 *
 * Source: the values were cross-checked in public configurations, not a vendor page (see the
 * project's mail-dns facts): compare with the DNS page of your Migadu admin before relying on
 * them.
 * @see https://migadu.com/guides/dns/
 */
export function migaduDnsFacts(args: MigaduDnsArgs): DnsFacts {
  const domain = checkDomain("migadu", args.domain);
  return {
    provider: "migadu",
    mx: [
      { priority: 10, host: "aspmx1.migadu.com" },
      { priority: 20, host: "aspmx2.migadu.com" },
    ],
    spfInclude: ["spf.migadu.com"],
    dkim: cnameDkim(["key1", "key2", "key3"], (s) => `${s}.${domain}._domainkey.migadu.com`),
    verification: [
      ...(args.verification ?? []),
      ...(args.verificationCode === undefined
        ? []
        : [`hosted-email-verify=${args.verificationCode}`]),
    ],
    clientDiscovery: {
      imap: { host: "imap.migadu.com", port: 993 },
      pop3: { host: "pop.migadu.com", port: 995 },
      submission: { host: "smtp.migadu.com", port: 465 },
      autoconfig: "autoconfig.migadu.com",
      autodiscover: "autodiscover.migadu.com",
    },
  };
}

/** Arguments of {@link fastmailDnsFacts}. */
export interface FastmailDnsArgs {
  /** The domain (its DKIM CNAME targets contain it). */
  domain: string;
}

/**
 * Fastmail: MX `10 in1-smtp.messagingengine.com`, `20 in2-smtp.messagingengine.com`, SPF
 * `spf.messagingengine.com`, DKIM CNAME `fm1/2/3._domainkey` → `fmN.<domain>.dkim.fmhosted.com`,
 * IMAP `imap.fastmail.com:993`, POP3 `pop.fastmail.com:995`, SMTP `smtp.fastmail.com:465`.
 * The SRV values were cross-checked in public configurations: verify before relying on them.
 *
 * @see https://www.fastmail.help/hc/en-us/articles/360060591153 (DNS records)
 */
export function fastmailDnsFacts(args: FastmailDnsArgs): DnsFacts {
  const domain = checkDomain("fastmail", args.domain);
  return {
    provider: "fastmail",
    mx: [
      { priority: 10, host: "in1-smtp.messagingengine.com" },
      { priority: 20, host: "in2-smtp.messagingengine.com" },
    ],
    spfInclude: ["spf.messagingengine.com"],
    dkim: cnameDkim(["fm1", "fm2", "fm3"], (s) => `${s}.${domain}.dkim.fmhosted.com`),
    verification: [],
    clientDiscovery: {
      imap: { host: "imap.fastmail.com", port: 993 },
      pop3: { host: "pop.fastmail.com", port: 995 },
      submission: { host: "smtp.fastmail.com", port: 465 },
    },
  };
}

/** Arguments of {@link microsoft365DnsFacts}: the values Microsoft assigns to the tenant. */
export interface Microsoft365DnsArgs {
  /**
   * The MX host the admin center shows (`<d-dash>.mail.protection.outlook.com` or, for newer
   * domains, `<d-dash>.<partition>-v1.mx.microsoft`). Never derived from the domain name.
   */
  mxHost: string;
  /** CNAME targets of `selector1._domainkey` and `selector2._domainkey` from the admin center. */
  dkim: { selector1: string; selector2: string };
  /** `MS=msNNNNNNNN` verification values. @default [] */
  verification?: string[];
}

/**
 * Microsoft 365 (Exchange Online): MX `0 <mxHost>`, SPF `spf.protection.outlook.com`, DKIM
 * CNAMEs `selector1/2._domainkey`, CNAME `autodiscover` → `autodiscover.outlook.com`. The MX
 * host and DKIM targets are tenant-assigned: they are arguments.
 *
 * @see https://learn.microsoft.com/microsoft-365/admin/get-help-with-domains/create-dns-records-at-any-dns-hosting-provider
 */
export function microsoft365DnsFacts(args: Microsoft365DnsArgs): DnsFacts {
  return {
    provider: "microsoft365",
    mx: [{ priority: 0, host: checkHost("microsoft365", "mxHost", args.mxHost) }],
    spfInclude: ["spf.protection.outlook.com"],
    dkim: cnameDkim(["selector1", "selector2"] as const, (s) =>
      checkHost("microsoft365", `dkim.${s}`, args.dkim?.[s] ?? ""),
    ),
    verification: args.verification ?? [],
    clientDiscovery: { autodiscover: "autodiscover.outlook.com" },
  };
}

/** Arguments of {@link sesDnsFacts}. */
export interface SesDnsArgs {
  /** The domain the identity is for. */
  domain: string;
  /** AWS region of the SES identity, e.g. `eu-west-1`. */
  region: string;
  /** The three Easy DKIM tokens (outputs of `aws.sesv2.EmailIdentity`). */
  dkimTokens: string[];
  /**
   * Custom MAIL FROM subdomain (e.g. `bounce.acme.com`): gets `10 feedback-smtp.<region>.amazonses.com`
   * and `v=spf1 include:amazonses.com ~all`. @default none
   */
  mailFromDomain?: string;
  /** Also receive mail with SES: MX `10 inbound-smtp.<region>.amazonaws.com`. @default false */
  receiving?: boolean;
}

/**
 * Amazon SES (sending): DKIM CNAMEs `<token>._domainkey` → `<token>.dkim.amazonses.com` from the
 * tokens given, SPF only on the MAIL FROM subdomain (never at the apex), no MX unless receiving.
 *
 * @see https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy.html
 * @see https://docs.aws.amazon.com/ses/latest/dg/mail-from.html
 */
export function sesDnsFacts(args: SesDnsArgs): DnsFacts {
  const domain = checkDomain("ses", args.domain);
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(args.region)) {
    throw new Error(
      `ses: region ${JSON.stringify(args.region)} is not an AWS region; allowed: e.g. "eu-west-1"`,
    );
  }
  if (args.dkimTokens.length === 0 || args.dkimTokens.some((t) => !/^[a-z0-9]{16,64}$/.test(t))) {
    throw new Error(
      `ses: dkimTokens ${JSON.stringify(args.dkimTokens)} are not SES DKIM tokens; allowed: the EmailIdentity's dkimSigningAttributes tokens (lower-case alphanumerics)`,
    );
  }
  const extra: DnsRecord[] = [];
  if (args.mailFromDomain) {
    const from = checkHost("ses", "mailFromDomain", args.mailFromDomain);
    if (!from.endsWith(`.${domain}`)) {
      throw new Error(
        `ses: mailFromDomain ${JSON.stringify(from)} is not a subdomain of ${domain}; allowed: e.g. bounce.${domain}`,
      );
    }
    extra.push(
      {
        name: from,
        type: "MX",
        ttl: 3600,
        priority: 10,
        value: `feedback-smtp.${args.region}.amazonses.com`,
        role: "ses-mail-from-mx",
      },
      {
        name: from,
        type: "TXT",
        ttl: 3600,
        value: "v=spf1 include:amazonses.com ~all",
        role: "ses-mail-from-spf",
      },
    );
  }
  return {
    provider: "ses",
    mx: args.receiving ? [{ priority: 10, host: `inbound-smtp.${args.region}.amazonaws.com` }] : [],
    spfInclude: [],
    dkim: cnameDkim(args.dkimTokens, (t) => `${t}.dkim.amazonses.com`),
    verification: [],
    extraRecords: extra,
  };
}

/** Arguments of {@link cloudflareEmailRoutingDnsFacts}: the values Cloudflare assigns the zone. */
export interface CloudflareEmailRoutingDnsArgs {
  /** The zone's MX set as Cloudflare shows it (`route1/2/3.mx.cloudflare.net`, per-zone priorities). */
  mx: Array<{ priority: number; host: string }>;
  /** DKIM records Cloudflare supplies, selector → TXT value. @default {} */
  dkim?: Record<string, string>;
}

/**
 * Cloudflare Email Routing: the MX set read from the zone (argument; priorities differ per
 * zone), SPF `_spf.mx.cloudflare.net`. Cannot coexist with another provider's MX.
 *
 * @see https://developers.cloudflare.com/email-routing/setup/email-routing-dns-records/
 */
export function cloudflareEmailRoutingDnsFacts(args: CloudflareEmailRoutingDnsArgs): DnsFacts {
  if (args.mx.length === 0) {
    throw new Error(
      "cloudflareEmailRouting: mx is empty; allowed: the zone's route1/2/3.mx.cloudflare.net records",
    );
  }
  return {
    provider: "cloudflareEmailRouting",
    mx: args.mx.map((m) => ({
      priority: m.priority,
      host: checkHost("cloudflareEmailRouting", "mx", m.host),
    })),
    spfInclude: ["_spf.mx.cloudflare.net"],
    dkim: txtDkim(args.dkim),
    verification: [],
  };
}
