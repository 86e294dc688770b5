import { beforeAll, describe, expect, it } from "vitest";
import { dns, type DnsRecordInput } from "@mailplane/pulumi";
import { acmeRecords, DKIM_KEY } from "./dns-fixtures";
import { Holder, installMocks, publishRecords, type Registered } from "./dns-mocks";

let registered: Registered[];
beforeAll(async () => {
  registered = await installMocks();
});

function publish(
  backend: ReturnType<typeof dns.cloudflare> | ReturnType<typeof dns.route53>,
  name: string,
  records: DnsRecordInput[],
) {
  return publishRecords(registered, backend, records, {
    name,
    domain: "acme.com",
    domainAliases: ["acme.co"],
  });
}

/** The two 255-byte strings a 2048-bit DKIM TXT value splits into. */
const dkim1 = `v=DKIM1; k=rsa; p=${DKIM_KEY}`.slice(0, 255);
const dkim2 = `v=DKIM1; k=rsa; p=${DKIM_KEY}`.slice(255);

describe("dns.cloudflare", () => {
  it("creates one DnsRecord per record with role-derived names and exact inputs", async () => {
    const backend = dns.cloudflare({ zoneId: "zone-acme", aliasZoneIds: { "acme.co": "zone-co" } });
    const { out, registered: rs } = await publish(backend, "cf", acmeRecords);
    expect(Object.keys(out).sort()).toEqual(rs.map((r) => r.name));
    expect(rs.map((r) => r.type)).toEqual(Array(10).fill("cloudflare:index/dnsRecord:DnsRecord"));
    expect(Object.fromEntries(rs.map((r) => [r.name, r.inputs]))).toEqual({
      "cf-alias-acme.co-mx": {
        zoneId: "zone-co",
        name: "acme.co",
        type: "MX",
        ttl: 1,
        content: "smtp.google.com",
        priority: 1,
      },
      "cf-dkim-google": {
        zoneId: "zone-acme",
        name: "google._domainkey.acme.com",
        type: "TXT",
        ttl: 1,
        content: `"${dkim1}" "${dkim2}"`,
      },
      "cf-dmarc": {
        zoneId: "zone-acme",
        name: "_dmarc.acme.com",
        type: "TXT",
        ttl: 1,
        content: '"v=DMARC1; p=reject; rua=mailto:dmarc@acme.com"',
      },
      "cf-mta-sts": {
        zoneId: "zone-acme",
        name: "_mta-sts.acme.com",
        type: "TXT",
        ttl: 1,
        content: '"v=STSv1; id=20260101"',
      },
      "cf-mx": {
        zoneId: "zone-acme",
        name: "acme.com",
        type: "MX",
        ttl: 1,
        content: "smtp.google.com",
        priority: 1,
      },
      "cf-spf": {
        zoneId: "zone-acme",
        name: "acme.com",
        type: "TXT",
        ttl: 1,
        content: '"v=spf1 include:_spf.google.com include:_spf.salesforce.com -all"',
      },
      "cf-srv-imaps": {
        zoneId: "zone-acme",
        name: "_imaps._tcp.acme.com",
        type: "SRV",
        ttl: 1,
        priority: 0,
        data: { priority: 0, weight: 1, port: 993, target: "imap.gmail.com" },
      },
      "cf-srv-submission": {
        zoneId: "zone-acme",
        name: "_submission._tcp.acme.com",
        type: "SRV",
        ttl: 1,
        priority: 0,
        data: { priority: 0, weight: 1, port: 587, target: "smtp.gmail.com" },
      },
      "cf-tls-rpt": {
        zoneId: "zone-acme",
        name: "_smtp._tls.acme.com",
        type: "TXT",
        ttl: 1,
        content: '"v=TLSRPTv1; rua=mailto:tls-reports@acme.com"',
      },
      "cf-verification-1": {
        zoneId: "zone-acme",
        name: "acme.com",
        type: "TXT",
        ttl: 1,
        content: '"google-site-verification=abc123"',
      },
    });
  });

  it("keeps MX priority 0, names a shared role by content, and honours an explicit ttl", async () => {
    const backend = dns.cloudflare({ zoneId: "z", ttl: 300 });
    const mx: DnsRecordInput[] = [
      {
        name: "acme.com",
        type: "MX",
        ttl: 3600,
        priority: 0,
        value: "route1.mx.cloudflare.net",
        role: "mx",
      },
      {
        name: "acme.com",
        type: "MX",
        ttl: 3600,
        priority: 37,
        value: "route2.mx.cloudflare.net",
        role: "mx",
      },
    ];
    const a = await publish(backend, "cf0", mx);
    const b = await publish(backend, "cf0r", [...mx].reverse());
    expect(a.registered.map((r) => [r.name, r.inputs.priority, r.inputs.ttl])).toEqual([
      ["cf0-mx-route1.mx.cloudflare.net", 0, 300],
      ["cf0-mx-route2.mx.cloudflare.net", 37, 300],
    ]);
    expect(b.registered.map((r) => r.name.replace("cf0r", "cf0"))).toEqual(
      a.registered.map((r) => r.name),
    );
  });

  it("rejects a ttl Cloudflare does not accept, and an alias zone without an id", () => {
    expect(() => dns.cloudflare({ zoneId: "z", ttl: 5 })).toThrow(
      "dns.cloudflare.ttl: 5 is not a Cloudflare TTL (got 5; allowed: 1 (automatic) or a whole number of seconds from 30 to 86400)",
    );
    const parent = new Holder("cf-err");
    expect(() =>
      dns.cloudflare({ zoneId: "z" }).createRecords(acmeRecords, {
        name: "x",
        parent,
        domain: "acme.com",
        domainAliases: ["acme.co"],
      }),
    ).toThrow(
      'dns.cloudflare: domain alias acme.co needs its own zone; set aliasZoneIds: { "acme.co": <zone id> }',
    );
  });
});

describe("dns.route53", () => {
  it('creates one Record per name and type, TXT quoted with "" inside one value', async () => {
    const backend = dns.route53({ zoneId: "Z1", aliasZoneIds: { "acme.co": "Z2" } });
    const { out, registered: rs } = await publish(backend, "r53", acmeRecords);
    expect(Object.keys(out).sort()).toEqual(rs.map((r) => r.name));
    expect(rs.map((r) => r.type)).toEqual(Array(9).fill("aws:route53/record:Record"));
    expect(Object.fromEntries(rs.map((r) => [r.name, r.inputs]))).toEqual({
      "r53-alias-acme.co-mx": {
        zoneId: "Z2",
        name: "acme.co",
        type: "MX",
        ttl: 3600,
        records: ["1 smtp.google.com"],
      },
      "r53-dkim-google": {
        zoneId: "Z1",
        name: "google._domainkey.acme.com",
        type: "TXT",
        ttl: 3600,
        records: [`${dkim1}""${dkim2}`],
      },
      "r53-dmarc": {
        zoneId: "Z1",
        name: "_dmarc.acme.com",
        type: "TXT",
        ttl: 3600,
        records: ["v=DMARC1; p=reject; rua=mailto:dmarc@acme.com"],
      },
      "r53-mta-sts": {
        zoneId: "Z1",
        name: "_mta-sts.acme.com",
        type: "TXT",
        ttl: 3600,
        records: ["v=STSv1; id=20260101"],
      },
      "r53-mx": {
        zoneId: "Z1",
        name: "acme.com",
        type: "MX",
        ttl: 3600,
        records: ["1 smtp.google.com"],
      },
      "r53-srv-imaps": {
        zoneId: "Z1",
        name: "_imaps._tcp.acme.com",
        type: "SRV",
        ttl: 3600,
        records: ["0 1 993 imap.gmail.com"],
      },
      "r53-srv-submission": {
        zoneId: "Z1",
        name: "_submission._tcp.acme.com",
        type: "SRV",
        ttl: 3600,
        records: ["0 1 587 smtp.gmail.com"],
      },
      "r53-tls-rpt": {
        zoneId: "Z1",
        name: "_smtp._tls.acme.com",
        type: "TXT",
        ttl: 3600,
        records: ["v=TLSRPTv1; rua=mailto:tls-reports@acme.com"],
      },
      "r53-txt-apex": {
        zoneId: "Z1",
        name: "acme.com",
        type: "TXT",
        ttl: 3600,
        records: [
          "google-site-verification=abc123",
          "v=spf1 include:_spf.google.com include:_spf.salesforce.com -all",
        ],
      },
    });
  });

  it("puts every MX of a name in one record set, in the same order whatever the input order", async () => {
    const mx: DnsRecordInput[] = [
      {
        name: "acme.com",
        type: "MX",
        ttl: 300,
        priority: 10,
        value: "aspmx1.migadu.com",
        role: "mx",
      },
      {
        name: "acme.com",
        type: "MX",
        ttl: 300,
        priority: 20,
        value: "aspmx2.migadu.com",
        role: "mx",
      },
    ];
    const a = await publish(dns.route53({ zoneId: "Z" }), "m", mx);
    const b = await publish(dns.route53({ zoneId: "Z" }), "m2", [...mx].reverse());
    expect(a.registered).toEqual([
      {
        type: "aws:route53/record:Record",
        name: "m-mx",
        inputs: {
          zoneId: "Z",
          name: "acme.com",
          type: "MX",
          ttl: 300,
          records: ["10 aspmx1.migadu.com", "20 aspmx2.migadu.com"],
        },
      },
    ]);
    expect(b.registered[0].inputs).toEqual(a.registered[0].inputs);
  });

  it("refuses two TTLs in one record set", () => {
    const parent = new Holder("r53-err");
    expect(() =>
      dns.route53({ zoneId: "Z" }).createRecords(
        [
          { name: "acme.com", type: "TXT", ttl: 300, value: "a", role: "spf" },
          { name: "acme.com", type: "TXT", ttl: 600, value: "b", role: "verification-1" },
        ],
        { name: "x", parent, domain: "acme.com" },
      ),
    ).toThrow(
      "dns.route53: records at acme.com TXT have different TTLs (300, 600); Route 53 keeps one TTL per record set",
    );
  });
});
