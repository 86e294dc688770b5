import { z } from "zod";
import { isHostname, normalizeHostname } from "./dns-record";
import { mailtoReportUri, tlsRptUri } from "./report-uri";
import { spfDomainSpecProblem } from "./spf";

/*
 * The `policy` part of a MailDomain declaration: SPF, DMARC, DKIM, MTA-STS, TLS-RPT, BIMI,
 * "no mail" domains, client discovery and TTL. Every refinement message states what is allowed,
 * so the spec's formatter can print `path: what is wrong (got VALUE; allowed ...)`.
 */

/** Longest DKIM key or record accepted: an 8192-bit RSA key is about 1400 base64 characters. */
export const MAX_DKIM_CHARS = 4096;
/** Longest BIMI URL accepted. */
export const MAX_URL_CHARS = 1024;

/**
 * A zod check for text that goes into a TXT record: at most `max` characters, printable ASCII
 * only (space too when `spaces`), so a NUL, a newline or a lone UTF-16 surrogate is refused here,
 * with its path, and never reaches the TXT encoder.
 */
function txtText(max: number, spaces: boolean, what: string) {
  const allowed = spaces ? /^[\x20-\x7e]*$/ : /^[\x21-\x7e]*$/;
  return z.string().superRefine((v, ctx) => {
    if (v.length > max) {
      ctx.addIssue({
        code: "custom",
        input: v,
        message: `is too long for a DNS TXT record; allowed: ${what} of at most ${max} characters`,
      });
    } else if (!allowed.test(v)) {
      const i = v.search(spaces ? /[^\x20-\x7e]/ : /[^\x21-\x7e]/);
      const code = v.codePointAt(i)!.toString(16).toUpperCase().padStart(4, "0");
      ctx.addIssue({
        code: "custom",
        input: v,
        message: `holds U+${code} at position ${i}; allowed: ${what} in printable ASCII${spaces ? "" : " without spaces"}`,
      });
    }
  });
}

const hostname = (what: string) =>
  z
    .string()
    .refine((v) => isHostname(v) && spfDomainSpecProblem(v) === undefined, {
      message: `is not a valid ${what}; allowed: a DNS host name such as _spf.example.com (letters, digits, "-", "_", dots)`,
    })
    .transform(normalizeHostname);

/**
 * A report destination: a bare address (`dmarc@acme.com`, taken literally) or a `mailto:` URI
 * (percent-decoded). Output is always the `mailto:` URI, with the domain lower-cased and the
 * local part percent-encoded as RFC 7489 §6.3 and RFC 6068 require (`a?b@x` → `mailto:a%3Fb@x`).
 */
const mailtoUri = z
  .string()
  .refine((v) => mailtoReportUri(v) !== undefined, {
    message:
      "is not a valid report address; allowed: an e-mail address (dmarc@example.com) or a mailto: URI",
  })
  .transform((v) => mailtoReportUri(v)!);

const IPV4_OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}(/(3[0-2]|[12]?\\d))?$`);

/** A loose but safe IPv6 check: hex groups and colons, at most one `::`, optional prefix. */
function isIpv6(v: string): boolean {
  const m = /^([0-9a-fA-F:.]+)(?:\/(\d{1,3}))?$/.exec(v);
  if (!m) return false;
  if (m[2] !== undefined && Number(m[2]) > 128) return false;
  const addr = m[1]!;
  if ((addr.match(/::/g) ?? []).length > 1) return false;
  const groups = addr.split(":");
  if (groups.length < 3 || groups.length > 8) return false;
  if (!addr.includes("::") && groups.length !== 8) return false;
  return groups.every((g) => g === "" || /^[0-9a-fA-F]{1,4}$/.test(g));
}

const domainSpecList = z.union([
  z.literal(true),
  z.array(hostname("host name")).min(1, {
    message: "must not be empty; allowed: true (the domain itself) or a list of host names",
  }),
]);

/** SPF terms the user adds to the provider's include (RFC 7208). */
export const spfPolicySchema = z
  .object({
    include: z
      .array(hostname("SPF include domain"))
      .optional()
      .describe(
        "Extra `include:` domains (e.g. `_spf.salesforce.com`); the mail provider's include is added for you.",
      ),
    ip4: z
      .array(
        z.string().refine((v) => IPV4.test(v), {
          message: "is not an IPv4 address or CIDR; allowed: e.g. 192.0.2.10 or 192.0.2.0/24",
        }),
      )
      .optional()
      .describe("`ip4:` terms: IPv4 addresses or CIDR ranges allowed to send."),
    ip6: z
      .array(
        z
          .string()
          .refine(isIpv6, {
            message: "is not an IPv6 address or CIDR; allowed: e.g. 2001:db8::1 or 2001:db8::/32",
          })
          .transform((v) => v.toLowerCase()),
      )
      .optional()
      .describe("`ip6:` terms: IPv6 addresses or CIDR ranges allowed to send."),
    a: domainSpecList
      .optional()
      .describe("`a` terms: `true` for the domain's own A/AAAA, or host names (`a:host`)."),
    mx: domainSpecList
      .optional()
      .describe("`mx` terms: `true` for the domain's own MX hosts, or host names (`mx:host`)."),
    all: z
      .enum(["-all", "~all", "?all"], {
        message: 'must be "-all", "~all" or "?all"',
      })
      .default("~all")
      .describe(
        "The final `all` term. `~all` (softfail) is the default because with DMARC enforcing, " +
          "a hard `-all` can make receivers reject forwarded mail before DKIM is checked.",
      ),
  })
  .strict();

const dmarcRequest = z.enum(["none", "quarantine", "reject"], {
  message: 'must be "none", "quarantine" or "reject"',
});
const alignment = z.enum(["r", "s"], { message: 'must be "r" (relaxed) or "s" (strict)' });

/** DMARC policy record options (RFC 9989). */
export const dmarcPolicySchema = z
  .object({
    policy: dmarcRequest.describe("`p=`: what receivers do with mail that fails DMARC."),
    subdomainPolicy: dmarcRequest
      .optional()
      .describe("`sp=`: policy for subdomains. @default the `policy` value (tag left out)"),
    nonExistentPolicy: dmarcRequest
      .optional()
      .describe("`np=`: policy for non-existent subdomains. @default `sp` (tag left out)"),
    testing: z
      .boolean()
      .default(false)
      .describe("`t=y`: testing mode, receivers apply one step less strict policy."),
    rua: z
      .array(mailtoUri)
      .default([])
      .describe("`rua=`: aggregate report destinations (addresses or mailto: URIs)."),
    ruf: z
      .array(mailtoUri)
      .default([])
      .describe("`ruf=`: failure report destinations (addresses or mailto: URIs)."),
    adkim: alignment.optional().describe("`adkim=`: DKIM alignment. @default r (tag left out)"),
    aspf: alignment.optional().describe("`aspf=`: SPF alignment. @default r (tag left out)"),
    fo: z
      .array(z.enum(["0", "1", "d", "s"], { message: 'must be "0", "1", "d" or "s"' }))
      .min(1, { message: 'must not be empty; allowed: one or more of "0", "1", "d", "s"' })
      .refine((v) => new Set(v).size === v.length, {
        message: 'has duplicates; allowed: each of "0", "1", "d", "s" at most once',
      })
      .optional()
      .describe("`fo=`: failure reporting options. @default 0 (tag left out)"),
    psd: z
      .enum(["y", "n", "u"], { message: 'must be "y", "n" or "u"' })
      .optional()
      .describe("`psd=`: public suffix domain flag. @default u (tag left out)"),
    legacy: z
      .object({
        pct: z
          .number()
          .int({ message: "must be an integer; allowed: 0–100" })
          .min(0, { message: "must be 0–100" })
          .max(100, { message: "must be 0–100" })
          .describe("`pct=` for RFC 7489 receivers (removed by RFC 9989). `0` is written too."),
      })
      .strict()
      .optional()
      .describe("Tags RFC 9989 removed but older receivers still honour."),
  })
  .strict();

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const dkimKeySchema = z.union(
  [
    z
      .object({
        publicKey: z
          .string()
          .transform((v) => v.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, ""))
          .refine((v) => v.length > 0 && v.length <= MAX_DKIM_CHARS && BASE64.test(v), {
            message:
              "is not a base64 public key; allowed: the base64 of the key (PEM armour is removed), at most 4096 characters",
          })
          .describe("The public key, base64 (PEM armour and whitespace are removed)."),
        keyType: z
          .enum(["rsa", "ed25519"], { message: 'must be "rsa" or "ed25519"' })
          .default("rsa")
          .describe("`k=`: key type."),
      })
      .strict(),
    z
      .object({
        value: txtText(MAX_DKIM_CHARS, true, "a DKIM record")
          .refine((v) => /^v=DKIM1\s*(;|$)/.test(v), {
            message:
              'must start with "v=DKIM1;"; allowed: a full DKIM record such as v=DKIM1; k=rsa; p=MIIB...',
          })
          .describe("The complete DKIM TXT value, as the provider's console shows it."),
      })
      .strict(),
  ],
  { message: "must be { publicKey, keyType? } or { value }" },
);

const SELECTOR = /^(?!-)[a-z0-9_-]{1,63}(?<!-)(\.(?!-)[a-z0-9_-]{1,63}(?<!-))*$/i;

const ttlSchema = z
  .number()
  .int({ message: "must be an integer number of seconds; allowed: 60–604800" })
  .min(60, { message: "must be 60–604800 seconds" })
  .max(604800, { message: "must be 60–604800 seconds" });

const httpsUrl = (suffix: RegExp, what: string) =>
  z.string().refine(
    (v) => {
      if (v.length > MAX_URL_CHARS || !/^[\x21-\x7e]*$/.test(v) || v.includes(",")) return false;
      try {
        const u = new URL(v);
        return u.protocol === "https:" && suffix.test(u.pathname) && !/[;\s]/.test(v);
      } catch {
        return false;
      }
    },
    { message: `is not allowed; allowed: an https:// URL of ${what}` },
  );

/** The `policy` part of a MailDomain declaration. */
export const policySchema = z
  .object({
    spf: spfPolicySchema
      .default({ all: "~all" })
      .describe("SPF record (`v=spf1`); one record per name, provider include added."),
    dmarc: dmarcPolicySchema
      .optional()
      .describe(
        'DMARC record at `_dmarc.<domain>`. @default `{ policy: "none" }` (`v=DMARC1; p=none`)',
      ),
    dkim: z
      .record(z.string(), dkimKeySchema)
      .superRefine((keys, ctx) => {
        for (const selector of Object.keys(keys)) {
          if (selector.length <= 200 && SELECTOR.test(selector)) continue;
          ctx.addIssue({
            code: "custom",
            path: [selector],
            input: selector,
            message:
              "is not a valid DKIM selector; allowed: DNS labels (letters, digits, -, _) separated by dots, at most 200 characters",
          });
        }
      })
      .default({})
      .describe(
        "DKIM keys you supply, per selector (e.g. Google's key from the admin console). " +
          "Keys a provider assigns come from its facts.",
      ),
    mtaSts: z
      .object({
        mode: z
          .enum(["enforce", "testing", "none"], {
            message: 'must be "enforce", "testing" or "none"',
          })
          .describe("Policy mode (RFC 8461 §3.2)."),
        maxAge: z
          .number()
          .int({ message: "must be an integer number of seconds; allowed: 1–31557600" })
          .min(1, { message: "must be 1–31557600 seconds" })
          .max(31557600, { message: "must be 1–31557600 seconds (RFC 8461 maximum)" })
          .default(604800)
          .describe("`max_age` in seconds. @default 604800 (one week)"),
        mx: z
          .array(
            z
              .string()
              .refine((v) => isHostname(v.replace(/^\*\./, "")), {
                message: "is not an MX pattern; allowed: a host name, optionally starting with *.",
              })
              .transform(normalizeHostname),
          )
          .min(1, { message: "must not be empty; allowed: one or more MX host patterns" })
          .optional()
          .describe("`mx:` patterns. @default derived from the planned MX hosts"),
        policyHost: z
          .string()
          .refine(isHostname, { message: "is not a host name; allowed: a DNS host name" })
          .transform(normalizeHostname)
          .optional()
          .describe(
            "CNAME target that serves `https://mta-sts.<domain>/.well-known/mta-sts.txt`. " +
              "@default none (you host the policy yourself)",
          ),
      })
      .strict()
      .optional()
      .describe("MTA-STS (RFC 8461): `_mta-sts` TXT with the policy id."),
    dmarcReportsFor: z
      .array(
        z
          .string()
          .refine((v) => v === "*" || isHostname(v), {
            message:
              'is not a domain; allowed: a DNS domain name such as acme.com, or "*" for every domain',
          })
          .transform((v) => (v === "*" ? v : normalizeHostname(v))),
      )
      .default([])
      .describe(
        "Other domains whose DMARC reports this domain receives (their `rua`/`ruf` point here): " +
          "publishes `<d>._report._dmarc.<domain>` TXT `v=DMARC1` for each, so receivers send the " +
          'reports (RFC 9989 external destination verification); "*" accepts every domain. ' +
          "@default []",
      ),
    tlsRpt: z
      .object({
        rua: z
          .array(
            z
              .string()
              .refine((v) => tlsRptUri(v) !== undefined, {
                message:
                  "is not a TLS-RPT destination; allowed: an e-mail address, a mailto: URI or an https:// URL (printable ASCII, at most 1024 characters)",
              })
              .transform((v) => tlsRptUri(v)!),
          )
          .min(1, { message: "must not be empty; allowed: one or more report destinations" })
          .describe("Report destinations (RFC 8460 `rua=`)."),
      })
      .strict()
      .optional()
      .describe("SMTP TLS reporting (RFC 8460): `_smtp._tls` TXT."),
    bimi: z
      .object({
        logoUrl: httpsUrl(/\.svg$/i, "an SVG logo (…/logo.svg)").describe(
          "`l=`: HTTPS URL of the SVG Tiny PS logo.",
        ),
        authorityUrl: httpsUrl(/\.pem$/i, "a certificate (…/vmc.pem)")
          .optional()
          .describe("`a=`: HTTPS URL of the Verified Mark Certificate (PEM). @default none"),
        selector: z
          .string()
          .max(200, { message: "is not a valid BIMI selector; allowed: DNS labels" })
          .regex(SELECTOR, { message: "is not a valid BIMI selector; allowed: DNS labels" })
          .default("default")
          .describe("BIMI selector. @default default"),
      })
      .strict()
      .optional()
      .describe("BIMI record at `<selector>._bimi.<domain>`; needs DMARC quarantine or reject."),
    noMail: z
      .boolean()
      .default(false)
      .describe(
        "The domain sends and receives no mail: null MX `0 .` (RFC 7505), `v=spf1 -all`, DMARC reject.",
      ),
    clientDiscovery: z
      .boolean()
      .default(true)
      .describe(
        "Publish client-discovery SRV (RFC 6186/8314) and autodiscover/autoconfig records.",
      ),
    ttl: ttlSchema.default(3600).describe("TTL of every planned record in seconds. @default 3600"),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.bimi && (p.noMail || (p.dmarc?.policy ?? "none") === "none")) {
      ctx.addIssue({
        code: "custom",
        path: ["bimi"],
        input: p.noMail ? "noMail" : (p.dmarc?.policy ?? "none"),
        message:
          'needs an enforcing DMARC policy; allowed: set dmarc.policy to "quarantine" or "reject"',
      });
    }
    if (!p.noMail) return;
    const conflicts: string[] = [];
    if (p.spf.include?.length || p.spf.ip4?.length || p.spf.ip6?.length || p.spf.a || p.spf.mx) {
      conflicts.push("spf senders");
    }
    if (p.dmarc && p.dmarc.policy !== "reject") conflicts.push(`dmarc.policy "${p.dmarc.policy}"`);
    if (Object.keys(p.dkim).length > 0) conflicts.push("dkim");
    if (p.mtaSts) conflicts.push("mtaSts");
    if (p.tlsRpt) conflicts.push("tlsRpt");
    if (p.bimi) conflicts.push("bimi");
    if (conflicts.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["noMail"],
        input: true,
        message: `is true but the policy also declares ${conflicts.join(", ")}; allowed: noMail alone (dmarc.policy "reject" and report addresses are fine)`,
      });
    }
  })
  .describe("Mail authentication and DNS policy of the domain.");

/** The parsed `policy` of a MailDomain declaration, defaults applied. */
export type PolicySpec = z.output<typeof policySchema>;

/** The `policy` of a MailDomain declaration as the user writes it. */
export type PolicyInput = z.input<typeof policySchema>;

/** Parsed SPF options. */
export type SpfPolicy = z.output<typeof spfPolicySchema>;

/** Parsed DMARC options. */
export type DmarcPolicy = z.output<typeof dmarcPolicySchema>;
