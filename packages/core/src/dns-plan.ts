import { createHash } from "node:crypto";
import type { DnsFacts, ServiceEndpoint } from "./dns-facts";
import { normalizeHostname, type DnsRecord } from "./dns-record";
import { buildDmarc, dmarcReportDomains } from "./dmarc";
import { MailplaneConfigError, formatPath, showString, type ConfigIssue } from "./errors";
import { buildMtaStsPolicy, buildTlsRpt, mtaStsTxt, type MtaStsPolicy } from "./mta-sts";
import type { DmarcPolicy, PolicySpec } from "./policy";
import { buildSpf, countSpfLookups, isSpfRecord, SPF_MAX_LOOKUPS, spfSyntaxErrors } from "./spf";
import { sortDnsRecords } from "./zone-file";

/**
 * What DNS planning needs from a parsed MailDomain declaration. The full `MailDomainSpec`
 * satisfies it; planning depends on nothing else of the spec.
 */
export interface DnsPlanInput {
  /** The domain, lower-case punycode without trailing dot. */
  domain: string;
  /** Domains that deliver like `domain` (acme.co → acme.com). */
  domainAliases: string[];
  /** The parsed `policy`. */
  policy: PolicySpec;
}

/** Options of {@link planDnsRecords}. */
export interface DnsPlanOptions {
  /**
   * The provider's facts for each domain alias (its own DKIM keys, verification codes). An
   * alias without an entry gets the main facts' MX, SPF include and client discovery, but no
   * DKIM and no verification, which are per domain.
   * @default {}
   */
  aliasFacts?: Record<string, DnsFacts>;
  /**
   * Further domains Mailplane manages (other MailDomains). A DMARC report destination in one of
   * them, or in this domain's aliases, gets its `<domain>._report._dmarc.<dest>` authorisation
   * record (RFC 9989 §3.5); destinations elsewhere must publish it themselves.
   * @default []
   */
  managedDomains?: string[];
}

/** The DMARC policy used when the declaration has none: monitor only. */
export const DEFAULT_DMARC: DmarcPolicy = { policy: "none", testing: false, rua: [], ruf: [] };

const STARTTLS_PORTS = new Set([143, 110, 587]);

/** A short stable key of a value: the first 8 hex characters of its SHA-256. */
export function valueKey(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 8);
}

function fail(path: string, message: string): never {
  throw new MailplaneConfigError([{ path, message }]);
}

function tlsOf(e: ServiceEndpoint): "implicit" | "starttls" {
  return e.tls ?? (STARTTLS_PORTS.has(e.port) ? "starttls" : "implicit");
}

/**
 * The MTA-STS policy file of the domain (what `https://mta-sts.<domain>/.well-known/mta-sts.txt`
 * must serve), or undefined when `policy.mtaSts` is not set or the domain takes no mail. Its id
 * is the one {@link planDnsRecords} publishes in `_mta-sts`.
 */
export function planMtaStsPolicy(spec: DnsPlanInput, facts: DnsFacts): MtaStsPolicy | undefined {
  const p = spec.policy;
  if (!p.mtaSts || p.noMail) return undefined;
  try {
    return buildMtaStsPolicy(
      p.mtaSts.mx ?? facts.mx.map((m) => m.host),
      p.mtaSts.mode,
      p.mtaSts.maxAge,
      { wildcards: p.mtaSts.mx === undefined },
    );
  } catch (e) {
    return fail("policy.mtaSts.mx", (e as Error).message.replace(/^mtaSts\.mx: /, ""));
  }
}

/**
 * Plans every DNS record of a mail domain and its aliases from the parsed declaration and the
 * provider's facts: MX, SPF (one `v=spf1` per name), DKIM, DMARC, MTA-STS and TLS-RPT TXT,
 * BIMI, verification TXT, client-discovery SRV (RFC 6186/8314) and autodiscover/autoconfig
 * CNAMEs, the null MX set for `noMail`, and `_report._dmarc` authorisations for report
 * destinations in other managed domains. Names are lower-case FQDNs without trailing dot; TTL
 * is `policy.ttl`; the result is sorted (canonical DNS order) and does not depend on the order
 * of any input list.
 *
 * Roles (stable child keys): `mx`, `spf`, `dmarc`, `dkim-<selector>`, `mta-sts`,
 * `mta-sts-host`, `tls-rpt`, `bimi`, `verification-<hash>`, `srv-imaps`, `srv-submissions`,
 * `srv-pop3s`, `srv-imap`, `srv-submission`, `srv-pop3`, `autodiscover`, `autoconfig`,
 * `dmarc-report-<dest>`; records of a domain alias carry the same roles prefixed with
 * `<alias>-` (e.g. `acme.co-mx`).
 *
 * @throws MailplaneConfigError when the SPF record needs more than 10 lookups, two records would
 *   share a name they cannot share (two SPF, CNAME with others), or a DKIM selector is declared twice.
 */
export function planDnsRecords(
  spec: DnsPlanInput,
  facts: DnsFacts,
  opts: DnsPlanOptions = {},
): DnsRecord[] {
  const domain = normalizeHostname(spec.domain);
  const aliases = [...new Set(spec.domainAliases.map(normalizeHostname))].sort();
  const managed = new Set([
    domain,
    ...aliases,
    ...(opts.managedDomains ?? []).map(normalizeHostname),
  ]);
  const records: DnsRecord[] = [];
  const mtaSts = planMtaStsPolicy(spec, facts);
  records.push(...planDomain(spec, domain, facts, "", managed, mtaSts, true));
  for (const alias of aliases) {
    const given = opts.aliasFacts?.[alias];
    const aliasFacts: DnsFacts = given ?? {
      ...facts,
      dkim: [],
      verification: [],
      extraRecords: [],
    };
    const aliasMtaSts = given ? planMtaStsPolicy(spec, given) : mtaSts;
    records.push(...planDomain(spec, alias, aliasFacts, `${alias}-`, managed, aliasMtaSts, false));
  }
  checkConflicts(records);
  checkTxtSizes(records, aliases);
  return sortDnsRecords(records);
}

function planDomain(
  spec: DnsPlanInput,
  domain: string,
  facts: DnsFacts,
  rolePrefix: string,
  managed: Set<string>,
  mtaSts: MtaStsPolicy | undefined,
  main: boolean,
): DnsRecord[] {
  const p = spec.policy;
  const ttl = p.ttl;
  const out: DnsRecord[] = [];
  const add = (r: Omit<DnsRecord, "ttl" | "role"> & { role: string; ttl?: number }) =>
    out.push({
      ...r,
      name: normalizeHostname(r.name),
      ttl: r.ttl ?? ttl,
      role: rolePrefix + r.role,
    });

  for (const v of [...new Set(facts.verification)].sort()) {
    add({ name: domain, type: "TXT", value: v, role: `verification-${valueKey(v)}` });
  }

  const dmarc: DmarcPolicy = p.noMail
    ? { ...(p.dmarc ?? DEFAULT_DMARC), policy: "reject" }
    : (p.dmarc ?? DEFAULT_DMARC);
  add({ name: `_dmarc.${domain}`, type: "TXT", value: buildDmarc(dmarc), role: "dmarc" });
  for (const dest of dmarcReportDomains(dmarc)) {
    if (dest === domain || !managed.has(dest)) continue;
    add({
      name: `${domain}._report._dmarc.${dest}`,
      type: "TXT",
      value: "v=DMARC1",
      role: `dmarc-report-${dest}`,
    });
  }

  if (main) {
    // Reports other domains send here: authorise each. A domain alias reporting to this domain
    // has its authorisation planned with the alias's records, so it is not repeated here.
    const aliasesReportingHere = dmarcReportDomains(dmarc).includes(domain)
      ? new Set(spec.domainAliases.map(normalizeHostname))
      : new Set<string>();
    for (const source of [...new Set(p.dmarcReportsFor)].sort()) {
      if (source === domain || aliasesReportingHere.has(source)) continue;
      const name = `${source}._report._dmarc.${domain}`;
      add({
        name,
        type: "TXT",
        value: "v=DMARC1",
        role: `dmarc-reports-for-${source === "*" ? "any" : source}`,
      });
    }
  }

  if (p.noMail) {
    add({ name: domain, type: "MX", priority: 0, value: ".", role: "mx" });
    add({ name: domain, type: "TXT", value: "v=spf1 -all", role: "spf" });
    return out;
  }

  const mx = [...facts.mx].sort((a, b) => a.priority - b.priority || (a.host < b.host ? -1 : 1));
  for (const m of mx) {
    add({
      name: domain,
      type: "MX",
      priority: m.priority,
      value: normalizeHostname(m.host),
      role: "mx",
    });
  }

  const spf = buildSpf(p.spf, facts.spfInclude, facts.spfTerms);
  const lookups = countSpfLookups(spf);
  if (lookups > SPF_MAX_LOOKUPS) {
    fail(
      "policy.spf",
      `the SPF record of ${domain} needs at least ${lookups} DNS lookups (got "${spf}"; allowed: at most ${SPF_MAX_LOOKUPS} include/a/mx/ptr/exists terms, RFC 7208 §4.6.4 — drop includes or use ip4/ip6)`,
    );
  }
  const malformed = spfSyntaxErrors(spf);
  if (malformed.length > 0) {
    fail(
      "policy.spf",
      `the SPF record of ${domain} breaks RFC 7208: ${malformed.join("; ")} (got ${showString(spf)}; allowed: terms as RFC 7208 §12 writes them)`,
    );
  }
  add({ name: domain, type: "TXT", value: spf, role: "spf" });

  const selectors = new Set<string>();
  for (const k of facts.dkim) {
    const selector = k.selector.toLowerCase();
    selectors.add(selector);
    add({
      name: `${selector}._domainkey.${domain}`,
      type: k.type,
      value: k.type === "CNAME" ? normalizeHostname(k.value) : k.value,
      role: `dkim-${selector}`,
    });
  }
  if (main) {
    for (const [sel, key] of Object.entries(p.dkim).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const selector = sel.toLowerCase();
      if (selectors.has(selector)) {
        fail(
          `policy.dkim.${sel}`,
          `selector "${selector}" is already published by the ${facts.provider} provider (got "${sel}"; allowed: a selector the provider does not manage)`,
        );
      }
      selectors.add(selector);
      const value = "value" in key ? key.value : `v=DKIM1; k=${key.keyType}; p=${key.publicKey}`;
      add({
        name: `${selector}._domainkey.${domain}`,
        type: "TXT",
        value,
        role: `dkim-${selector}`,
      });
    }
  }

  if (mtaSts && p.mtaSts) {
    add({ name: `_mta-sts.${domain}`, type: "TXT", value: mtaStsTxt(mtaSts.id), role: "mta-sts" });
    if (p.mtaSts.policyHost) {
      add({
        name: `mta-sts.${domain}`,
        type: "CNAME",
        value: p.mtaSts.policyHost,
        role: "mta-sts-host",
      });
    }
  }
  if (p.tlsRpt) {
    add({
      name: `_smtp._tls.${domain}`,
      type: "TXT",
      value: buildTlsRpt(p.tlsRpt.rua),
      role: "tls-rpt",
    });
  }
  if (p.bimi) {
    const value = `v=BIMI1; l=${p.bimi.logoUrl}${p.bimi.authorityUrl ? `; a=${p.bimi.authorityUrl}` : ""}`;
    add({
      name: `${p.bimi.selector.toLowerCase()}._bimi.${domain}`,
      type: "TXT",
      value,
      role: "bimi",
    });
  }

  const cd = facts.clientDiscovery;
  if (main && p.clientDiscovery && cd) {
    // SRV only when the provider names at least one endpoint: then the others say "not offered".
    const services =
      cd.imap || cd.pop3 || cd.submission ? (["imap", "submission", "pop3"] as const) : [];
    for (const service of services) {
      const endpoint = cd[service];
      const tls = endpoint ? tlsOf(endpoint) : undefined;
      for (const variant of ["implicit", "starttls"] as const) {
        const label = variant === "implicit" ? `${service}s` : service;
        const offered = endpoint && tls === variant;
        add({
          name: `_${label}._tcp.${domain}`,
          type: "SRV",
          priority: 0,
          weight: offered ? 1 : 0,
          port: offered ? endpoint.port : 0,
          value: offered ? normalizeHostname(endpoint.host) : ".",
          role: `srv-${label}`,
        });
      }
    }
    if (cd.autodiscover) {
      add({
        name: `autodiscover.${domain}`,
        type: "CNAME",
        value: normalizeHostname(cd.autodiscover),
        role: "autodiscover",
      });
    }
    if (cd.autoconfig) {
      add({
        name: `autoconfig.${domain}`,
        type: "CNAME",
        value: normalizeHostname(cd.autoconfig),
        role: "autoconfig",
      });
    }
  }

  for (const r of facts.extraRecords ?? []) {
    out.push({ ...r, name: normalizeHostname(r.name), role: rolePrefix + r.role });
  }
  return out;
}

/**
 * The largest TXT value planned, in UTF-8 bytes: room for a DKIM record of 4096 characters. A
 * DNS answer holds at most 65535 bytes with every record at the name, and answers over a few KB
 * fall back to TCP or are dropped; SPF receivers expect far less (RFC 7208 §3.4).
 */
export const MAX_TXT_RECORD_BYTES = 4500;

/** The declaration field a planned record comes from, by its role. */
function rolePath(role: string, aliases: readonly string[]): string {
  const alias = aliases.find((a) => role.startsWith(`${a}-`));
  const base = alias === undefined ? role : role.slice(alias.length + 1);
  if (base.startsWith("dkim-")) return formatPath(["policy", "dkim", base.slice(5)]);
  const paths: Record<string, string> = {
    spf: "policy.spf",
    dmarc: "policy.dmarc",
    "tls-rpt": "policy.tlsRpt",
    bimi: "policy.bimi",
    "mta-sts": "policy.mtaSts",
  };
  return paths[base] ?? "policy";
}

/** Rejects TXT values too large for DNS (see {@link MAX_TXT_RECORD_BYTES}). */
function checkTxtSizes(records: DnsRecord[], aliases: readonly string[]): void {
  const issues: ConfigIssue[] = [];
  for (const r of records) {
    if (r.type !== "TXT") continue;
    const bytes = Buffer.byteLength(r.value, "utf8");
    if (bytes <= MAX_TXT_RECORD_BYTES) continue;
    issues.push({
      path: rolePath(r.role, aliases),
      message: `the TXT record ${r.name} would be ${bytes} bytes (got ${showString(r.value)}; allowed: at most ${MAX_TXT_RECORD_BYTES} bytes per TXT record: fewer terms or addresses)`,
    });
  }
  if (issues.length > 0) throw new MailplaneConfigError(issues);
}

/** Rejects record sets DNS or mail cannot hold: two SPF at a name, CNAME beside anything. */
function checkConflicts(records: DnsRecord[]): void {
  const issues: ConfigIssue[] = [];
  const spfByName = new Map<string, DnsRecord[]>();
  for (const r of records) {
    if (r.type === "TXT" && isSpfRecord(r.value)) {
      spfByName.set(r.name, [...(spfByName.get(r.name) ?? []), r]);
    }
  }
  for (const [name, list] of spfByName) {
    if (list.length > 1) {
      issues.push({
        path: "policy.spf",
        message: `${list.length} SPF records would be published at ${name} (got roles ${list.map((r) => r.role).join(", ")}; allowed: exactly one v=spf1 record per name, RFC 7208 §3.2 — put extra senders in policy.spf.include)`,
      });
    }
  }
  const cnameNames = [...new Set(records.filter((r) => r.type === "CNAME").map((r) => r.name))];
  for (const name of cnameNames) {
    const all = records
      .filter((r) => r.name === name)
      .sort((a, b) => Number(b.type === "CNAME") - Number(a.type === "CNAME"));
    if (all.length > 1) {
      issues.push({
        path: "policy",
        message: `${name} would hold a CNAME and ${all.length - 1} other record(s) (got roles ${all.map((r) => r.role).join(", ")}; allowed: a CNAME alone at its name, RFC 1034 §3.6.2)`,
      });
    }
  }
  if (issues.length > 0) throw new MailplaneConfigError(issues);
}

/**
 * A record published next to the plan (the user's own, a sending service's), as far as it is
 * known at planning time: its name and value may be unknown until deployment.
 */
export interface ExtraRecord {
  role: string;
  type: string;
  name?: string;
  value?: string;
  priority?: number;
}

/**
 * Catches, before anything is created: a second MX set at a name that has the provider's, a
 * second SPF record at a name with a planned one, a CNAME next to other data, and a record
 * declared by hand that the plan already has. Records whose name or value is unknown until
 * deployment are checked by their role only.
 */
export function checkExtraRecords(
  domain: string,
  provider: string,
  planned: DnsRecord[],
  extra: ExtraRecord[],
): void {
  const problems: string[] = [];
  const known = extra.filter(
    (r): r is ExtraRecord & { name: string; value: string } =>
      r.name !== undefined && r.value !== undefined,
  );
  const plannedRoles = new Set(planned.map((r) => r.role));
  for (const r of extra) {
    if (plannedRoles.has(r.role)) {
      problems.push(
        `record role "${r.role}" is planned already; give the extra record another role`,
      );
    }
  }
  for (const r of known) {
    const at = planned.filter((p) => p.name === r.name);
    const what = `${r.name} ${r.type} ${JSON.stringify(r.value)} (role ${r.role})`;
    if (
      at.some(
        (p) => p.type === r.type && p.value === r.value && (p.priority ?? 0) === (r.priority ?? 0),
      )
    ) {
      problems.push(`${what} is declared by hand but Mailplane plans it already; remove it`);
    } else if (r.type === "MX" && at.some((p) => p.type === "MX")) {
      const mx = at.filter((p) => p.type === "MX").map((p) => `${p.priority ?? 0} ${p.value}`);
      problems.push(
        `${what} adds a second MX set at ${r.name}, next to ${provider}'s (${mx.join(", ")}); ` +
          `a domain receives mail through one provider`,
      );
    } else if (
      r.type === "TXT" &&
      /^v=spf1(\s|$)/i.test(r.value) &&
      at.some((p) => p.type === "TXT" && /^v=spf1(\s|$)/i.test(p.value))
    ) {
      problems.push(
        `${what} is a second SPF record at ${r.name} (two are a permerror, RFC 7208 §4.5); ` +
          `put its mechanisms into policy.spf (include, ip4, ip6) instead`,
      );
    } else if (at.length > 0 && (r.type === "CNAME" || at.some((p) => p.type === "CNAME"))) {
      problems.push(
        `${what} conflicts with the planned records at ${r.name}: a CNAME cannot share its name`,
      );
    }
  }
  if (problems.length > 0) {
    throw new Error(`DNS records for ${domain} conflict:\n- ${problems.join("\n- ")}`);
  }
}
