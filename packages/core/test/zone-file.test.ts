import { describe, expect, it } from "vitest";
import type { DnsRecord } from "../src/dns-record";
import { compareDnsNames, renderZoneFile, sortDnsRecords } from "../src/zone-file";

const r = (name: string, type: DnsRecord["type"], value: string, extra: Partial<DnsRecord> = {}) =>
  ({ name, type, ttl: 3600, value, role: "t", ...extra }) as DnsRecord;

describe("renderZoneFile", () => {
  it("renders the exact file: SOA, NS, glue, sorted records, priority 0 kept", () => {
    const text = renderZoneFile(
      [
        r("acme.com", "TXT", 'v=spf1 "quoted" \\ ~all'),
        r("_imaps._tcp.acme.com", "SRV", ".", { priority: 0, weight: 0, port: 0 }),
        r("ACME.com.", "MX", ".", { priority: 0 }),
        r("autoconfig.acme.com", "CNAME", "Autoconfig.Example.net."),
        r("mail.acme.com", "AAAA", "2001:db8::25", { ttl: 300 }),
      ],
      "acme.com.",
    );
    expect(text).toBe(
      [
        "$ORIGIN acme.com.",
        "$TTL 3600",
        "@\t3600\tIN\tSOA\tns1.acme.com. hostmaster.acme.com. 1 7200 3600 1209600 3600",
        "@\t3600\tIN\tNS\tns1.acme.com.",
        "@\t3600\tIN\tMX\t0 .",
        '@\t3600\tIN\tTXT\t"v=spf1 \\"quoted\\" \\\\ ~all"',
        "_imaps._tcp\t3600\tIN\tSRV\t0 0 0 .",
        "autoconfig\t3600\tIN\tCNAME\tautoconfig.example.net.",
        "mail\t300\tIN\tAAAA\t2001:db8::25",
        "ns1\t3600\tIN\tA\t127.0.0.1",
        "",
      ].join("\n"),
    );
  });

  it("takes name servers, hostmaster, serial and timers from options", () => {
    const text = renderZoneFile([r("ns1.acme.com", "A", "192.0.2.53")], "acme.com", {
      serial: 2026071501,
      ttl: 600,
      hostmaster: "dns.admin@acme.com",
      nameServers: [
        { host: "ns1.acme.com", ipv4: "192.0.2.99" },
        { host: "ns2.acme.com", ipv6: "2001:db8::53" },
        { host: "ns.dns-host.example" },
      ],
      soaTimers: { refresh: 1, retry: 2, expire: 3, minimum: 4 },
    });
    expect(text.split("\n").slice(0, 9)).toEqual([
      "$ORIGIN acme.com.",
      "$TTL 600",
      "@\t600\tIN\tSOA\tns1.acme.com. dns\\.admin.acme.com. 2026071501 1 2 3 4",
      "@\t600\tIN\tNS\tns1.acme.com.",
      "@\t600\tIN\tNS\tns2.acme.com.",
      "@\t600\tIN\tNS\tns.dns-host.example.",
      "ns1\t3600\tIN\tA\t192.0.2.53",
      "ns2\t600\tIN\tAAAA\t2001:db8::53",
      "",
    ]);
    expect(renderZoneFile([], "acme.com", { hostmaster: "hostmaster.acme.com" })).toContain(
      "SOA\tns1.acme.com. hostmaster.acme.com. 1",
    );
  });

  it("fails clearly on records outside the zone and bad options", () => {
    expect(() => renderZoneFile([r("x.other.example", "TXT", "a")], "acme.com")).toThrow(
      "zone acme.com: 1 record(s) outside the zone (x.other.example TXT); allowed: names equal to or under acme.com",
    );
    expect(() => renderZoneFile([], "acme.com", { nameServers: [] })).toThrow(
      "zone acme.com: nameServers is empty; allowed: at least one name server",
    );
    expect(() => renderZoneFile([], "acme.com", { serial: -1 })).toThrow(
      "zone acme.com: serial -1 is not allowed; allowed: an integer 0–4294967295",
    );
    expect(() =>
      renderZoneFile([], "acme.com", { nameServers: [{ host: "ns9.acme.com" }] }),
    ).toThrow(
      "zone acme.com: name server ns9.acme.com is inside the zone but has no address; allowed: give ipv4/ipv6 or an A/AAAA record",
    );
  });

  it("sorts in canonical DNS order", () => {
    expect(
      ["b.acme.com", "acme.com", "a.b.acme.com", "_x.acme.com", "acme.co"].sort(compareDnsNames),
    ).toEqual(["acme.co", "acme.com", "_x.acme.com", "b.acme.com", "a.b.acme.com"]);
    const sorted = sortDnsRecords([
      r("acme.com", "TXT", "b"),
      r("acme.com", "MX", "y", { priority: 10 }),
      r("acme.com", "TXT", "a"),
      r("acme.com", "MX", "x", { priority: 0 }),
      r("acme.com", "TXT", "a", { ttl: 1 }),
    ]);
    expect(sorted.map((x) => `${x.type} ${x.priority ?? ""} ${x.value}`)).toEqual([
      "MX 0 x",
      "MX 10 y",
      "TXT  a",
      "TXT  a",
      "TXT  b",
    ]);
  });
});
