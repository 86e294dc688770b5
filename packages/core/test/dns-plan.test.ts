import { describe, expect, it } from "vitest";
import type { DnsFacts } from "../src/dns-facts";
import type { DnsRecord } from "../src/dns-record";
import { planDnsRecords, planMtaStsPolicy, valueKey, type DnsPlanInput } from "../src/dns-plan";
import { MailplaneConfigError } from "../src/errors";
import { buildMtaStsPolicy } from "../src/mta-sts";
import { policySchema, type PolicyInput } from "../src/policy";
import {
  fastmailDnsFacts,
  googleDnsFacts,
  microsoft365DnsFacts,
  migaduDnsFacts,
} from "../src/presets";

const spec = (policy: PolicyInput, domainAliases: string[] = []): DnsPlanInput => ({
  domain: "acme.com",
  domainAliases,
  policy: policySchema.parse(policy),
});

type Extra = Partial<Pick<DnsRecord, "priority" | "weight" | "port" | "ttl">>;
const rec = (
  name: string,
  type: DnsRecord["type"],
  value: string,
  role: string,
  extra: Extra = {},
) => ({ name, type, ttl: 3600, value, role, ...extra }) as DnsRecord;

/** Runs a planner call that must fail and returns the error text. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MailplaneConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a MailplaneConfigError");
}

describe("planDnsRecords: a full Google Workspace domain", () => {
  const input = spec(
    {
      spf: { include: ["_spf.salesforce.com"], all: "-all" },
      dmarc: { policy: "reject", rua: ["dmarc@acme.com"], ruf: ["forensic@reports.example.net"] },
      mtaSts: { mode: "testing", policyHost: "mta-sts.hosting.example" },
      tlsRpt: { rua: ["tls-reports@acme.com"] },
      dkim: { google: { publicKey: "MIIBIjANBgkqh" } },
      bimi: { logoUrl: "https://acme.com/logo.svg" },
    },
    ["acme.co"],
  );
  const facts = googleDnsFacts({ verification: ["google-site-verification=abc123"] });
  const stsId = buildMtaStsPolicy(["smtp.google.com"], "testing", 604800).id;

  it("plans the exact records, sorted", () => {
    const records = planDnsRecords(input, facts, { managedDomains: ["reports.example.net"] });
    expect(records).toEqual([
      rec("acme.co", "MX", "smtp.google.com", "acme.co-mx", { priority: 1 }),
      rec(
        "acme.co",
        "TXT",
        "v=spf1 include:_spf.google.com include:_spf.salesforce.com -all",
        "acme.co-spf",
      ),
      rec("default._bimi.acme.co", "TXT", "v=BIMI1; l=https://acme.com/logo.svg", "acme.co-bimi"),
      rec(
        "_dmarc.acme.co",
        "TXT",
        "v=DMARC1; p=reject; rua=mailto:dmarc@acme.com; ruf=mailto:forensic@reports.example.net",
        "acme.co-dmarc",
      ),
      rec("_mta-sts.acme.co", "TXT", `v=STSv1; id=${stsId}`, "acme.co-mta-sts"),
      rec(
        "_smtp._tls.acme.co",
        "TXT",
        "v=TLSRPTv1; rua=mailto:tls-reports@acme.com",
        "acme.co-tls-rpt",
      ),
      rec("mta-sts.acme.co", "CNAME", "mta-sts.hosting.example", "acme.co-mta-sts-host"),
      rec("acme.com", "MX", "smtp.google.com", "mx", { priority: 1 }),
      rec(
        "acme.com",
        "TXT",
        "google-site-verification=abc123",
        `verification-${valueKey("google-site-verification=abc123")}`,
      ),
      rec(
        "acme.com",
        "TXT",
        "v=spf1 include:_spf.google.com include:_spf.salesforce.com -all",
        "spf",
      ),
      rec("default._bimi.acme.com", "TXT", "v=BIMI1; l=https://acme.com/logo.svg", "bimi"),
      rec(
        "_dmarc.acme.com",
        "TXT",
        "v=DMARC1; p=reject; rua=mailto:dmarc@acme.com; ruf=mailto:forensic@reports.example.net",
        "dmarc",
      ),
      rec("acme.co._report._dmarc.acme.com", "TXT", "v=DMARC1", "acme.co-dmarc-report-acme.com"),
      rec("google._domainkey.acme.com", "TXT", "v=DKIM1; k=rsa; p=MIIBIjANBgkqh", "dkim-google"),
      rec("_mta-sts.acme.com", "TXT", `v=STSv1; id=${stsId}`, "mta-sts"),
      rec("_imap._tcp.acme.com", "SRV", ".", "srv-imap", { priority: 0, weight: 0, port: 0 }),
      rec("_imaps._tcp.acme.com", "SRV", "imap.gmail.com", "srv-imaps", {
        priority: 0,
        weight: 1,
        port: 993,
      }),
      rec("_pop3._tcp.acme.com", "SRV", ".", "srv-pop3", { priority: 0, weight: 0, port: 0 }),
      rec("_pop3s._tcp.acme.com", "SRV", ".", "srv-pop3s", { priority: 0, weight: 0, port: 0 }),
      rec("_submission._tcp.acme.com", "SRV", ".", "srv-submission", {
        priority: 0,
        weight: 0,
        port: 0,
      }),
      rec("_submissions._tcp.acme.com", "SRV", "smtp.gmail.com", "srv-submissions", {
        priority: 0,
        weight: 1,
        port: 465,
      }),
      rec("_smtp._tls.acme.com", "TXT", "v=TLSRPTv1; rua=mailto:tls-reports@acme.com", "tls-rpt"),
      rec("mta-sts.acme.com", "CNAME", "mta-sts.hosting.example", "mta-sts-host"),
      rec(
        "acme.co._report._dmarc.reports.example.net",
        "TXT",
        "v=DMARC1",
        "acme.co-dmarc-report-reports.example.net",
      ),
      rec(
        "acme.com._report._dmarc.reports.example.net",
        "TXT",
        "v=DMARC1",
        "dmarc-report-reports.example.net",
      ),
    ]);
    expect(planMtaStsPolicy(input, facts)).toEqual({
      text: "version: STSv1\r\nmode: testing\r\nmx: smtp.google.com\r\nmax_age: 604800\r\n",
      id: stsId,
    });
  });

  it("does not depend on the order of input lists", () => {
    const a = planDnsRecords(
      spec({}, ["b.example", "a.example"]),
      googleDnsFacts({ legacy: true }),
    );
    const b = planDnsRecords(spec({}, ["a.example", "b.example"]), {
      ...googleDnsFacts({ legacy: true }),
      mx: [...googleDnsFacts({ legacy: true }).mx].reverse(),
    });
    expect(a).toEqual(b);
    expect(
      a
        .filter((r) => r.name === "acme.com" && r.type === "MX")
        .map((r) => `${r.priority} ${r.value}`),
    ).toEqual([
      "1 aspmx.l.google.com",
      "5 alt1.aspmx.l.google.com",
      "5 alt2.aspmx.l.google.com",
      "10 alt3.aspmx.l.google.com",
      "10 alt4.aspmx.l.google.com",
    ]);
  });
});

describe("planDnsRecords: other shapes", () => {
  it("plans a no-mail domain: null MX, -all, DMARC reject (report addresses kept)", () => {
    expect(
      planDnsRecords(
        spec({ noMail: true, dmarc: { policy: "reject", rua: ["d@acme.com"] } }),
        googleDnsFacts(),
      ),
    ).toEqual([
      rec("acme.com", "MX", ".", "mx", { priority: 0 }),
      rec("acme.com", "TXT", "v=spf1 -all", "spf"),
      rec("_dmarc.acme.com", "TXT", "v=DMARC1; p=reject; rua=mailto:d@acme.com", "dmarc"),
    ]);
    expect(
      planDnsRecords(spec({ noMail: true, ttl: 300 }), {
        ...googleDnsFacts(),
        clientDiscovery: undefined,
      }),
    ).toEqual([
      rec("acme.com", "MX", ".", "mx", { priority: 0, ttl: 300 }),
      rec("acme.com", "TXT", "v=spf1 -all", "spf", { ttl: 300 }),
      rec("_dmarc.acme.com", "TXT", "v=DMARC1; p=reject", "dmarc", { ttl: 300 }),
    ]);
  });

  it("keeps MX priority 0, uses tenant values for Microsoft 365 and the default DMARC p=none", () => {
    const facts = microsoft365DnsFacts({
      mxHost: "acme-com.mail.protection.outlook.com",
      dkim: {
        selector1: "selector1-acme-com._domainkey.acme.onmicrosoft.com",
        selector2: "selector2-acme-com._domainkey.acme.onmicrosoft.com",
      },
      verification: ["MS=ms12345678"],
    });
    expect(planDnsRecords(spec({}), facts)).toEqual([
      rec("acme.com", "MX", "acme-com.mail.protection.outlook.com", "mx", { priority: 0 }),
      rec("acme.com", "TXT", "MS=ms12345678", `verification-${valueKey("MS=ms12345678")}`),
      rec("acme.com", "TXT", "v=spf1 include:spf.protection.outlook.com ~all", "spf"),
      rec("_dmarc.acme.com", "TXT", "v=DMARC1; p=none", "dmarc"),
      rec(
        "selector1._domainkey.acme.com",
        "CNAME",
        "selector1-acme-com._domainkey.acme.onmicrosoft.com",
        "dkim-selector1",
      ),
      rec(
        "selector2._domainkey.acme.com",
        "CNAME",
        "selector2-acme-com._domainkey.acme.onmicrosoft.com",
        "dkim-selector2",
      ),
      rec("autodiscover.acme.com", "CNAME", "autodiscover.outlook.com", "autodiscover"),
    ]);
  });

  it("publishes STARTTLS endpoints on the cleartext names and honours clientDiscovery: false", () => {
    const facts: DnsFacts = {
      provider: "selfHosted",
      mx: [{ priority: 10, host: "mail.acme.com" }],
      spfInclude: [],
      dkim: [{ selector: "s1", type: "TXT", value: "v=DKIM1; k=ed25519; p=abc" }],
      verification: [],
      clientDiscovery: {
        imap: { host: "mail.acme.com", port: 143 },
        submission: { host: "mail.acme.com", port: 587 },
        pop3: { host: "mail.acme.com", port: 2995, tls: "implicit" },
        autoconfig: "mail.acme.com",
      },
      extraRecords: [rec("Mail.Acme.com", "A", "192.0.2.25", "host-a")],
    };
    const srv = planDnsRecords(spec({ spf: { mx: true } }), facts).filter(
      (r) => r.type === "SRV" || r.role === "autoconfig",
    );
    expect(srv.map((r) => `${r.name} ${r.priority} ${r.weight} ${r.port} ${r.value}`)).toEqual([
      "_imap._tcp.acme.com 0 1 143 mail.acme.com",
      "_imaps._tcp.acme.com 0 0 0 .",
      "_pop3._tcp.acme.com 0 0 0 .",
      "_pop3s._tcp.acme.com 0 1 2995 mail.acme.com",
      "_submission._tcp.acme.com 0 1 587 mail.acme.com",
      "_submissions._tcp.acme.com 0 0 0 .",
      "autoconfig.acme.com undefined undefined undefined mail.acme.com",
    ]);
    const off = planDnsRecords(spec({ spf: { mx: true }, clientDiscovery: false }), facts);
    expect(off.map((r) => r.role)).toEqual(["mx", "spf", "dmarc", "dkim-s1", "host-a"]);
    expect(off.find((r) => r.role === "host-a")).toEqual(
      rec("mail.acme.com", "A", "192.0.2.25", "host-a"),
    );
  });

  it("uses each alias's own facts for DKIM and verification", () => {
    const records = planDnsRecords(spec({}, ["acme.co"]), migaduDnsFacts({ domain: "acme.com" }), {
      aliasFacts: {
        "acme.co": migaduDnsFacts({ domain: "acme.co", verification: ["hosted-email-verify=x1"] }),
      },
    });
    expect(
      records
        .filter((r) => r.name.endsWith("acme.co"))
        .map((r) => `${r.role} ${r.name} ${r.value}`),
    ).toEqual([
      "acme.co-mx acme.co aspmx1.migadu.com",
      "acme.co-mx acme.co aspmx2.migadu.com",
      `acme.co-verification-${valueKey("hosted-email-verify=x1")} acme.co hosted-email-verify=x1`,
      "acme.co-spf acme.co v=spf1 include:spf.migadu.com ~all",
      "acme.co-dmarc _dmarc.acme.co v=DMARC1; p=none",
      "acme.co-dkim-key1 key1._domainkey.acme.co key1.acme.co._domainkey.migadu.com",
      "acme.co-dkim-key2 key2._domainkey.acme.co key2.acme.co._domainkey.migadu.com",
      "acme.co-dkim-key3 key3._domainkey.acme.co key3.acme.co._domainkey.migadu.com",
    ]);
    // Without alias facts the alias gets no DKIM (the main domain's keys are not its own).
    const plain = planDnsRecords(spec({}, ["acme.co"]), fastmailDnsFacts({ domain: "acme.com" }));
    expect(plain.filter((r) => r.name.endsWith("acme.co")).map((r) => r.role)).toEqual([
      "acme.co-mx",
      "acme.co-mx",
      "acme.co-spf",
      "acme.co-dmarc",
    ]);
    expect(plain.filter((r) => r.role.startsWith("dkim-")).map((r) => r.value)).toEqual([
      "fm1.acme.com.dkim.fmhosted.com",
      "fm2.acme.com.dkim.fmhosted.com",
      "fm3.acme.com.dkim.fmhosted.com",
    ]);
  });

  it("writes full DKIM values and BIMI authority as given", () => {
    const records = planDnsRecords(
      spec({
        dmarc: { policy: "quarantine" },
        dkim: { s2024: { value: "v=DKIM1; k=rsa; p=QUJD" } },
        bimi: {
          logoUrl: "https://acme.com/b.svg",
          authorityUrl: "https://acme.com/vmc.pem",
          selector: "brand",
        },
      }),
      { ...googleDnsFacts(), clientDiscovery: undefined },
    );
    expect(records.filter((r) => r.role === "dkim-s2024" || r.role === "bimi")).toEqual([
      rec(
        "brand._bimi.acme.com",
        "TXT",
        "v=BIMI1; l=https://acme.com/b.svg; a=https://acme.com/vmc.pem",
        "bimi",
      ),
      rec("s2024._domainkey.acme.com", "TXT", "v=DKIM1; k=rsa; p=QUJD", "dkim-s2024"),
    ]);
  });
});

describe("planDnsRecords: DMARC reports received for other domains", () => {
  const facts = googleDnsFacts();
  const reportRecords = (input: DnsPlanInput) =>
    planDnsRecords(input, facts).filter((r) => r.name.includes("._report._dmarc."));

  it("authorises each listed domain (and * for all) at <d>._report._dmarc.<domain>", () => {
    expect(
      reportRecords(
        spec({ dmarcReportsFor: ["Globex.COM", "*", "initech.example", "globex.com", "acme.com"] }),
      ),
    ).toEqual([
      rec("*._report._dmarc.acme.com", "TXT", "v=DMARC1", "dmarc-reports-for-any"),
      rec("globex.com._report._dmarc.acme.com", "TXT", "v=DMARC1", "dmarc-reports-for-globex.com"),
      rec(
        "initech.example._report._dmarc.acme.com",
        "TXT",
        "v=DMARC1",
        "dmarc-reports-for-initech.example",
      ),
    ]);
  });

  it("plans a domain alias reporting here once, with the alias's records", () => {
    const input = spec(
      { dmarc: { policy: "reject", rua: ["dmarc@acme.com"] }, dmarcReportsFor: ["acme.co"] },
      ["acme.co"],
    );
    expect(reportRecords(input)).toEqual([
      rec("acme.co._report._dmarc.acme.com", "TXT", "v=DMARC1", "acme.co-dmarc-report-acme.com"),
    ]);
    // An alias whose reports go elsewhere is authorised only when listed.
    const elsewhere = spec(
      { dmarc: { policy: "reject", rua: ["d@reports.example"] }, dmarcReportsFor: ["acme.co"] },
      ["acme.co"],
    );
    expect(reportRecords(elsewhere).map((r) => r.role)).toEqual(["dmarc-reports-for-acme.co"]);
  });

  it("names a bad entry, its value and what is allowed", () => {
    const r = policySchema.safeParse({ dmarcReportsFor: ["not a domain"] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      [
        "dmarcReportsFor.0",
        'is not a domain; allowed: a DNS domain name such as acme.com, or "*" for every domain',
      ],
    ]);
  });
});

describe("planDnsRecords: errors", () => {
  it("fails above 10 SPF lookups", () => {
    const include = Array.from({ length: 10 }, (_, i) => `spf${i}.example.net`);
    expect(errorOf(() => planDnsRecords(spec({ spf: { include } }), googleDnsFacts()))).toBe(
      `policy.spf: the SPF record of acme.com needs at least 11 DNS lookups (got "v=spf1 include:_spf.google.com ${include
        .map((d) => `include:${d}`)
        .join(
          " ",
        )} ~all"; allowed: at most 10 include/a/mx/ptr/exists terms, RFC 7208 §4.6.4 — drop includes or use ip4/ip6)`,
    );
  });

  it("refuses a DKIM selector the provider already publishes", () => {
    expect(
      errorOf(() =>
        planDnsRecords(
          spec({ dkim: { fm1: { publicKey: "QUJD" } } }),
          fastmailDnsFacts({ domain: "acme.com" }),
        ),
      ),
    ).toBe(
      'policy.dkim.fm1: selector "fm1" is already published by the fastmail provider (got "fm1"; allowed: a selector the provider does not manage)',
    );
  });

  it("refuses a second SPF record and a CNAME beside other records", () => {
    const facts: DnsFacts = {
      ...googleDnsFacts(),
      extraRecords: [
        rec("acme.com", "TXT", "v=spf1 include:other.example ~all", "extra-spf"),
        rec("autodiscover.acme.com", "CNAME", "x.example", "extra-cname"),
      ],
      clientDiscovery: { autodiscover: "autodiscover.outlook.com" },
    };
    expect(errorOf(() => planDnsRecords(spec({}), facts))).toBe(
      [
        "policy.spf: 2 SPF records would be published at acme.com (got roles spf, extra-spf; allowed: exactly one v=spf1 record per name, RFC 7208 §3.2 — put extra senders in policy.spf.include)",
        "policy: autodiscover.acme.com would hold a CNAME and 1 other record(s) (got roles autodiscover, extra-cname; allowed: a CNAME alone at its name, RFC 1034 §3.6.2)",
      ].join("\n"),
    );
  });

  it("needs MX hosts for an MTA-STS policy", () => {
    const facts: DnsFacts = { provider: "ses", mx: [], spfInclude: [], dkim: [], verification: [] };
    expect(errorOf(() => planDnsRecords(spec({ mtaSts: { mode: "enforce" } }), facts))).toBe(
      'policy.mtaSts.mx: mode "enforce" needs at least one MX host; allowed: mode "none" for a domain without MX',
    );
    // An explicit override is used as written.
    expect(
      planMtaStsPolicy(
        spec({ mtaSts: { mode: "enforce", mx: ["mx1.acme.com", "mx2.acme.com"] } }),
        facts,
      )?.text,
    ).toBe(
      "version: STSv1\r\nmode: enforce\r\nmx: mx1.acme.com\r\nmx: mx2.acme.com\r\nmax_age: 604800\r\n",
    );
    expect(planMtaStsPolicy(spec({ noMail: true }), facts)).toBeUndefined();
  });
});
