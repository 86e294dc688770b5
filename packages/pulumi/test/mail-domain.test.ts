import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import type { AccountPlan, DnsFacts } from "@mailplane/core";
import {
  MailDnsRecords,
  MailDomain,
  dns,
  providers,
  ses,
  type DnsBackend,
  type MailDomainArgs,
  type MailProviderBinding,
} from "@mailplane/pulumi";
import { allCapabilities } from "./accounts-fake";
import { CLOUDFLARE_ROUTING_DNS, DKIM_TXT } from "./dns-fixtures";
import { children, installMocks, registeredAll, valueOf, type Registered } from "./dns-mocks";

let registered: Registered[];
beforeAll(async () => {
  registered = await installMocks(
    {
      "cloudflare:index/getEmailRoutingDns:getEmailRoutingDns": () => CLOUDFLARE_ROUTING_DNS,
    },
    {
      "aws:sesv2/emailIdentity:EmailIdentity": () => ({
        dkimSigningAttributes: {
          tokens: ["aaaaaaaaaaaaaaaa1", "bbbbbbbbbbbbbbbb2", "cccccccccccccccc3"],
        },
      }),
    },
  );
});

/**
 * A binding with Google's DNS facts and capabilities broad enough for the full example (the
 * capability checks themselves are tested in core); it creates no accounts.
 */
const googleLike: MailProviderBinding = {
  kind: "google",
  capabilities: { ...allCapabilities, aliasesPerMailbox: 30, sharedMailboxes: false },
  dnsFacts: (): DnsFacts => ({
    provider: "google",
    mx: [{ priority: 1, host: "smtp.google.com" }],
    spfInclude: ["_spf.google.com"],
    dkim: [{ selector: "google", type: "TXT", value: DKIM_TXT }],
    verification: ["google-site-verification=abc123"],
    clientDiscovery: {
      imap: { host: "imap.gmail.com", port: 993 },
      submission: { host: "smtp.gmail.com", port: 587 },
    },
  }),
  createAccounts: (plan: AccountPlan) => {
    lastPlan = plan;
    return { mailboxes: {}, aliases: {}, groups: {} };
  },
};
let lastPlan: AccountPlan | undefined;

function acmeArgs(backend: DnsBackend, reversed = false): MailDomainArgs {
  const rev = <T>(o: Record<string, T>) =>
    Object.fromEntries(reversed ? Object.entries(o).reverse() : Object.entries(o));
  return {
    domain: "acme.com",
    domainAliases: ["acme.co"],
    dns: backend,
    provider: googleLike,
    policy: {
      spf: { include: ["_spf.salesforce.com"], all: "-all" },
      dmarc: { policy: "reject", rua: ["dmarc@acme.com"] },
      mtaSts: { mode: "testing" },
      tlsRpt: { rua: ["tls-reports@acme.com"] },
      clientDiscovery: true,
    } as MailDomainArgs["policy"],
    mailboxes: rev({
      zhangsan: { name: "Zhang San", aliases: ["san.zhang"] },
      ali: { name: "Ali Alavi", localPart: "ali.alavi", password: pulumi.secret("s3cret!") },
    }),
    aliases: rev({ hr: "ali", dmarc: "ali", "tls-reports": "ali" }),
    postmaster: "ali",
    abuse: "ali",
    now: new Date("2026-06-01T00:00:00Z"),
  };
}

async function build(name: string, args: MailDomainArgs) {
  const start = registered.length;
  const domain = new MailDomain(name, args);
  await registeredAll(Object.values(domain.recordResources));
  const records = await valueOf(domain.records);
  return { domain, records, children: children(registered.slice(start)) };
}

describe("MailDomain with a full example domain", () => {
  it("cloudflare: one DnsRecord per record, role-derived names, TXT quoted", async () => {
    const { children: rs, domain } = await build(
      "cf",
      acmeArgs(dns.cloudflare({ zoneId: "Z", aliasZoneIds: { "acme.co": "ZCO" } })),
    );
    expect(rs.map((r) => `${r.type} ${r.name}`)).toMatchInlineSnapshot(`
      [
        "cloudflare:index/dnsRecord:DnsRecord cf-acme.co-dmarc",
        "cloudflare:index/dnsRecord:DnsRecord cf-acme.co-dmarc-report-acme.com",
        "cloudflare:index/dnsRecord:DnsRecord cf-acme.co-mta-sts",
        "cloudflare:index/dnsRecord:DnsRecord cf-acme.co-mx",
        "cloudflare:index/dnsRecord:DnsRecord cf-acme.co-spf",
        "cloudflare:index/dnsRecord:DnsRecord cf-acme.co-tls-rpt",
        "cloudflare:index/dnsRecord:DnsRecord cf-dkim-google",
        "cloudflare:index/dnsRecord:DnsRecord cf-dmarc",
        "cloudflare:index/dnsRecord:DnsRecord cf-mta-sts",
        "cloudflare:index/dnsRecord:DnsRecord cf-mx",
        "cloudflare:index/dnsRecord:DnsRecord cf-spf",
        "cloudflare:index/dnsRecord:DnsRecord cf-srv-imap",
        "cloudflare:index/dnsRecord:DnsRecord cf-srv-imaps",
        "cloudflare:index/dnsRecord:DnsRecord cf-srv-pop3",
        "cloudflare:index/dnsRecord:DnsRecord cf-srv-pop3s",
        "cloudflare:index/dnsRecord:DnsRecord cf-srv-submission",
        "cloudflare:index/dnsRecord:DnsRecord cf-srv-submissions",
        "cloudflare:index/dnsRecord:DnsRecord cf-tls-rpt",
        "cloudflare:index/dnsRecord:DnsRecord cf-verification-b0d609f4",
      ]
    `);
    const byName = Object.fromEntries(rs.map((r) => [r.name, r.inputs]));
    expect(byName["cf-mx"]).toEqual({
      zoneId: "Z",
      name: "acme.com",
      type: "MX",
      ttl: 1,
      content: "smtp.google.com",
      priority: 1,
    });
    expect(byName["cf-spf"]).toEqual({
      zoneId: "Z",
      name: "acme.com",
      type: "TXT",
      ttl: 1,
      content: '"v=spf1 include:_spf.google.com include:_spf.salesforce.com -all"',
    });
    expect(byName["cf-dkim-google"]?.content).toBe(
      `"${DKIM_TXT.slice(0, 255)}" "${DKIM_TXT.slice(255)}"`,
    );
    expect(await valueOf(domain.mxHosts)).toEqual(["smtp.google.com"]);
    expect(await valueOf(domain.spf)).toBe(
      "v=spf1 include:_spf.google.com include:_spf.salesforce.com -all",
    );
    expect(await valueOf(domain.dmarc)).toMatchInlineSnapshot(
      `"v=DMARC1; p=reject; rua=mailto:dmarc@acme.com"`,
    );
    expect(await valueOf(domain.mtaStsPolicy)).toBe(
      "version: STSv1\r\nmode: testing\r\nmx: smtp.google.com\r\nmax_age: 604800\r\n",
    );
  });

  it("route53: one Record per name and type, DKIM as ONE value", async () => {
    const { children: rs } = await build(
      "r53",
      acmeArgs(dns.route53({ zoneId: "Z", aliasZoneIds: { "acme.co": "ZCO" } })),
    );
    expect(rs.map((r) => `${r.type} ${r.name}`)).toMatchInlineSnapshot(`
      [
        "aws:route53/record:Record r53-acme.co-dmarc",
        "aws:route53/record:Record r53-acme.co-dmarc-report-acme.com",
        "aws:route53/record:Record r53-acme.co-mta-sts",
        "aws:route53/record:Record r53-acme.co-mx",
        "aws:route53/record:Record r53-acme.co-spf",
        "aws:route53/record:Record r53-acme.co-tls-rpt",
        "aws:route53/record:Record r53-dkim-google",
        "aws:route53/record:Record r53-dmarc",
        "aws:route53/record:Record r53-mta-sts",
        "aws:route53/record:Record r53-mx",
        "aws:route53/record:Record r53-srv-imap",
        "aws:route53/record:Record r53-srv-imaps",
        "aws:route53/record:Record r53-srv-pop3",
        "aws:route53/record:Record r53-srv-pop3s",
        "aws:route53/record:Record r53-srv-submission",
        "aws:route53/record:Record r53-srv-submissions",
        "aws:route53/record:Record r53-tls-rpt",
        "aws:route53/record:Record r53-txt-apex",
      ]
    `);
    const dkim = rs.find((r) => r.name === "r53-dkim-google")!;
    expect(dkim.inputs.records).toEqual([`${DKIM_TXT.slice(0, 255)}""${DKIM_TXT.slice(255)}`]);
  });

  it("zone file: one ZoneFile child per zone", async () => {
    const { children: rs } = await build(
      "zf",
      acmeArgs(dns.zoneFile({ path: "/tmp/mailplane-test/acme.com.zone" })),
    );
    expect(rs.map((r) => `${r.type} ${r.name} ${String(r.inputs.path)}`)).toEqual([
      "mailplane:index:ZoneFile zf-zone-file /tmp/mailplane-test/acme.com.zone",
      "mailplane:index:ZoneFile zf-zone-file-acme.co /tmp/mailplane-test/acme.co.zone",
    ]);
    expect(String(rs[0].inputs.content)).toContain("google._domainkey");
  });

  it("reordering mailboxes and aliases gives the same child names and inputs", async () => {
    const a = await build(
      "ord",
      acmeArgs(dns.route53({ zoneId: "Z", aliasZoneIds: { "acme.co": "ZCO" } })),
    );
    const planA = lastPlan;
    const b = await build(
      "ord",
      acmeArgs(dns.route53({ zoneId: "Z", aliasZoneIds: { "acme.co": "ZCO" } }), true),
    );
    expect(b.children).toEqual(a.children);
    expect(b.records).toEqual(a.records);
    // Core keeps declaration order in the plan; what matters is the same accounts by key.
    const byKey = (p: AccountPlan | undefined) =>
      [...(p?.mailboxes ?? []), ...(p?.aliases ?? [])].map((x) => JSON.stringify(x)).sort();
    expect(byKey(lastPlan)).toEqual(byKey(planA));
  });

  it("passes no password into the plan", async () => {
    await build("pw", acmeArgs(dns.route53({ zoneId: "Z", aliasZoneIds: { "acme.co": "ZCO" } })));
    expect(JSON.stringify(lastPlan)).not.toContain("s3cret");
  });
});

describe("MailDomain errors at preview", () => {
  it("names the path of a bad field", () => {
    const args = acmeArgs(dns.route53({ zoneId: "Z" }));
    args.mailboxes = { bad: { name: "Bad", localPart: "zhang san" } };
    expect(() => new MailDomain("bad", args)).toThrow(/^MailDomain bad: mailboxes\.bad\.localPart/);
  });

  it("refuses two MailDomains writing one zone file (each would overwrite the other)", () => {
    const first = acmeArgs(dns.zoneFile({ path: "/tmp/mailplane-test/shared/acme.zone" }));
    new MailDomain("first", first);
    const second = acmeArgs(dns.zoneFile({ path: "/tmp/mailplane-test/shared/acme.zone" }));
    expect(() => new MailDomain("second", second)).toThrow(
      "MailDomain second: dns.zoneFile: /tmp/mailplane-test/shared/acme.zone is already written by first-zone-file; each zone needs its own file (set path to another file)",
    );
  });

  it("rejects a second SPF record declared by hand", () => {
    const args = acmeArgs(dns.route53({ zoneId: "Z", aliasZoneIds: { "acme.co": "ZCO" } }));
    args.records = [
      { name: "acme.com", type: "TXT", ttl: 3600, value: "v=spf1 mx -all", role: "my-spf" },
    ];
    expect(() => new MailDomain("spf2", args)).toThrow(
      'MailDomain spf2: DNS records for acme.com conflict:\n- acme.com TXT "v=spf1 mx -all" (role my-spf) is a second SPF record at acme.com (two are a permerror, RFC 7208 §4.5); put its mechanisms into policy.spf (include, ip4, ip6) instead',
    );
  });

  it("rejects another MX set and a record the plan already has", () => {
    const args = acmeArgs(dns.route53({ zoneId: "Z", aliasZoneIds: { "acme.co": "ZCO" } }));
    args.records = [
      {
        name: "acme.com",
        type: "MX",
        ttl: 3600,
        priority: 10,
        value: "mx.other.net",
        role: "other-mx",
      },
      {
        name: "_dmarc.acme.com",
        type: "TXT",
        ttl: 3600,
        value: "v=DMARC1; p=reject; rua=mailto:dmarc@acme.com",
        role: "my-dmarc",
      },
    ];
    expect(() => new MailDomain("mx2", args)).toThrow(
      /second MX set at acme\.com, next to google's \(1 smtp\.google\.com\)/,
    );
  });
});

describe("Cloudflare Email Routing provider", () => {
  it("forwards aliases with rules, reads Cloudflare's MX set, one SPF", async () => {
    const start = registered.length;
    const d = new MailDomain("ex", {
      domain: "example.org",
      dns: dns.cloudflare({ zoneId: "ZEX" }),
      provider: providers.cloudflareEmailRouting({ accountId: "ACC", zoneId: "ZEX" }),
      policy: { spf: { all: "-all" } },
      aliases: {
        hello: "owner@gmail.com",
        postmaster: "owner@gmail.com",
        abuse: "owner@gmail.com",
      },
      shared: { info: { externalMembers: ["team@fastmail.com"] } },
      now: new Date("2026-06-01T00:00:00Z"),
    });
    const records = await valueOf(d.records);
    await registeredAll(Object.values(d.recordResources));
    await new Promise((r) => setTimeout(r, 50));
    const rs = children(registered.slice(start));
    expect(rs.map((r) => `${r.type} ${r.name}`)).toMatchInlineSnapshot(`
      [
        "cloudflare:index/emailRoutingRule:EmailRoutingRule ex-alias-abuse",
        "cloudflare:index/emailRoutingRule:EmailRoutingRule ex-alias-hello",
        "cloudflare:index/emailRoutingRule:EmailRoutingRule ex-alias-postmaster",
        "cloudflare:index/emailRoutingAddress:EmailRoutingAddress ex-destination-owner-gmail.com",
        "cloudflare:index/emailRoutingAddress:EmailRoutingAddress ex-destination-team-fastmail.com",
        "cloudflare:index/dnsRecord:DnsRecord ex-dmarc",
        "cloudflare:index/emailRoutingSettings:EmailRoutingSettings ex-email-routing",
        "cloudflare:index/dnsRecord:DnsRecord ex-mx-route1.mx.cloudflare.net",
        "cloudflare:index/dnsRecord:DnsRecord ex-mx-route2.mx.cloudflare.net",
        "cloudflare:index/dnsRecord:DnsRecord ex-mx-route3.mx.cloudflare.net",
        "cloudflare:index/emailRoutingRule:EmailRoutingRule ex-shared-info",
        "cloudflare:index/dnsRecord:DnsRecord ex-spf",
      ]
    `);
    expect(records.filter((r) => r.type === "MX").map((r) => `${r.priority} ${r.value}`)).toEqual([
      "0 route1.mx.cloudflare.net",
      "37 route2.mx.cloudflare.net",
      "86 route3.mx.cloudflare.net",
    ]);
    expect(await valueOf(d.spf)).toBe("v=spf1 include:_spf.mx.cloudflare.net -all");
    const rule = rs.find((r) => r.name === "ex-alias-hello")!;
    expect(rule.inputs).toEqual({
      zoneId: "ZEX",
      name: "mailplane: hello@example.org",
      enabled: true,
      matchers: [{ type: "literal", field: "to", value: "hello@example.org" }],
      actions: [{ type: "forward", values: ["owner@gmail.com"] }],
    });
  });

  it("refuses mailboxes: it forwards only", () => {
    expect(
      () =>
        new MailDomain("exm", {
          domain: "example.org",
          dns: dns.cloudflare({ zoneId: "ZEX" }),
          provider: providers.cloudflareEmailRouting({ accountId: "ACC", zoneId: "ZEX" }),
          mailboxes: { me: { name: "Me" } },
          postmaster: "me",
          abuse: "me",
        }),
    ).toThrow(
      'MailDomain exm: mailboxes.me: provider "cloudflareEmailRouting" forwards only and has no mailboxes; declare the address as an alias to a mailbox elsewhere instead, e.g. aliases: { me: "me@elsewhere.example" }',
    );
  });
});

describe("SES sending and MailDnsRecords", () => {
  it("creates the identity, MAIL FROM, three DKIM CNAMEs from the tokens", async () => {
    const start = registered.length;
    const r = new MailDnsRecords("tx", {
      domain: "acme.com",
      dns: dns.route53({ zoneId: "Z" }),
      facts: {
        provider: "none",
        mx: [{ priority: 0, host: "mx.acme.com" }],
        spfInclude: [],
        dkim: [],
        verification: [],
      },
      sending: ses({ region: "eu-west-1" }),
    });
    await registeredAll([
      ...Object.values(r.recordResources),
      ...Object.values(r.sendingResources),
    ]);
    const rs = children(registered.slice(start));
    expect(rs.map((x) => `${x.type} ${x.name}`)).toMatchInlineSnapshot(`
      [
        "aws:route53/record:Record tx-dkim-ses-1",
        "aws:route53/record:Record tx-dkim-ses-2",
        "aws:route53/record:Record tx-dkim-ses-3",
        "aws:route53/record:Record tx-dmarc",
        "aws:route53/record:Record tx-mx",
        "aws:sesv2/emailIdentity:EmailIdentity tx-ses-identity",
        "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes tx-ses-mail-from",
        "aws:route53/record:Record tx-ses-mail-from-mx",
        "aws:route53/record:Record tx-ses-mail-from-spf",
        "aws:route53/record:Record tx-spf",
      ]
    `);
    const byName = Object.fromEntries(rs.map((x) => [x.name, x.inputs]));
    expect(byName["tx-dkim-ses-1"]).toEqual({
      zoneId: "Z",
      name: "aaaaaaaaaaaaaaaa1._domainkey.acme.com",
      type: "CNAME",
      ttl: 3600,
      records: ["aaaaaaaaaaaaaaaa1.dkim.amazonses.com"],
    });
    expect(byName["tx-ses-mail-from-mx"]?.records).toEqual([
      "10 feedback-smtp.eu-west-1.amazonses.com",
    ]);
    expect(byName["tx-mx"]?.records).toEqual(["0 mx.acme.com"]);
    expect(byName["tx-ses-identity"]).toEqual({
      emailIdentity: "acme.com",
      region: "eu-west-1",
      dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" },
    });
  });
});
