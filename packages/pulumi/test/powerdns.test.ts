/**
 * `dns.powerDns` under Pulumi mocks: one `PowerDnsRecords` child per zone with exact
 * inputs (RRsets in PowerDNS's wire form: FQDNs with a trailing dot, TXT quoted per RFC 1035,
 * records sharing a name and type in one RRset), and no API key anywhere in the inputs.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { DnsRecord } from "@mailplane/core";
import { dns } from "../src/index";
import { DKIM_KEY, DKIM_TXT } from "./dns-fixtures";
import { installMocks, publishRecords, type Registered } from "./dns-mocks";

let registered: Registered[];
beforeAll(async () => {
  registered = await installMocks();
});

const records: DnsRecord[] = [
  { name: "acme.test", type: "MX", ttl: 3600, priority: 20, value: "mx2.acme.test", role: "mx-2" },
  { name: "acme.test", type: "MX", ttl: 3600, priority: 10, value: "mx1.acme.test", role: "mx-1" },
  { name: "acme.test", type: "TXT", ttl: 3600, value: "v=spf1 mx -all", role: "spf" },
  { name: "acme.test", type: "TXT", ttl: 3600, value: "verify=abc123", role: "verification-1" },
  { name: "mail._domainkey.acme.test", type: "TXT", ttl: 3600, value: DKIM_TXT, role: "dkim-mail" },
  {
    name: "_imaps._tcp.acme.test",
    type: "SRV",
    ttl: 3600,
    priority: 0,
    weight: 1,
    port: 993,
    value: "imap.acme.test",
    role: "srv-imaps",
  },
];

function publish(
  backend: ReturnType<typeof dns.powerDns>,
  name: string,
  rs: DnsRecord[] = records,
  domainAliases: string[] = [],
) {
  return publishRecords(registered, backend, rs, { name, domain: "acme.test", domainAliases });
}

describe("dns.powerDns", () => {
  it("creates one PowerDnsRecords child with exact RRsets, defaults serverId and zone", async () => {
    process.env.PDNS_API_KEY = "pdns-key-never-in-state";
    try {
      const { out, registered: rs } = await publish(
        dns.powerDns({ apiUrl: "http://127.0.0.1:8081" }),
        "acme",
      );
      expect(Object.keys(out)).toEqual(["acme-powerdns"]);
      expect(rs.map((r) => [r.type, r.name])).toEqual([
        ["mailplane:index:PowerDnsRecords", "acme-powerdns"],
      ]);
      const dkim = `"${DKIM_TXT.slice(0, 255)}" "${DKIM_TXT.slice(255)}"`;
      expect(DKIM_TXT).toContain(DKIM_KEY);
      expect(rs[0]!.inputs).toEqual({
        apiUrl: "http://127.0.0.1:8081",
        serverId: "localhost",
        zone: "acme.test",
        rrsets: RRSETS(dkim),
      });
      expect(JSON.stringify(registered)).not.toContain("pdns-key-never-in-state");
    } finally {
      delete process.env.PDNS_API_KEY;
    }
  });

  it("takes serverId and zone from its arguments", async () => {
    const { registered: rs } = await publish(
      dns.powerDns({ apiUrl: "https://ns1.internal:8081", serverId: "ns1", zone: "test" }),
      "z",
    );
    expect(rs.map((r) => r.name)).toEqual(["z-powerdns"]);
    expect([rs[0]!.inputs.apiUrl, rs[0]!.inputs.serverId, rs[0]!.inputs.zone]).toEqual([
      "https://ns1.internal:8081",
      "ns1",
      "test",
    ]);
  });
});

describe("dns.powerDns with a domain alias", () => {
  it("puts each alias domain's records in its own zone's child", async () => {
    const aliasMx: DnsRecord = {
      name: "acme.example",
      type: "MX",
      ttl: 3600,
      priority: 10,
      value: "mx1.acme.test",
      role: "acme.example-mx-1",
    };
    const { out, registered: rs } = await publish(
      dns.powerDns({ apiUrl: "http://127.0.0.1:8081", aliasZones: { "acme.example": "example" } }),
      "al",
      [records[0]!, aliasMx],
      ["acme.example"],
    );
    expect(Object.keys(out)).toEqual(["al-powerdns", "al-powerdns-acme.example"]);
    expect(rs.map((r) => [r.name, r.inputs.zone, r.inputs.rrsets])).toEqual([
      [
        "al-powerdns",
        "acme.test",
        [{ name: "acme.test.", type: "MX", ttl: 3600, records: ["20 mx2.acme.test."] }],
      ],
      [
        "al-powerdns-acme.example",
        "example",
        [{ name: "acme.example.", type: "MX", ttl: 3600, records: ["10 mx1.acme.test."] }],
      ],
    ]);
  });
});

/** The expected RRsets, sorted by name then type; `dkim` is the quoted two-string DKIM value. */
const RRSETS = (dkim: string) => [
  { name: "_imaps._tcp.acme.test.", type: "SRV", ttl: 3600, records: ["0 1 993 imap.acme.test."] },
  {
    name: "acme.test.",
    type: "MX",
    ttl: 3600,
    records: ["10 mx1.acme.test.", "20 mx2.acme.test."],
  },
  {
    name: "acme.test.",
    type: "TXT",
    ttl: 3600,
    records: ['"v=spf1 mx -all"', '"verify=abc123"'],
  },
  { name: "mail._domainkey.acme.test.", type: "TXT", ttl: 3600, records: [dkim] },
];
