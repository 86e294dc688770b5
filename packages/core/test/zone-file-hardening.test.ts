/*
 * Issue 11 §3, defence in depth: renderZoneFile refuses any value it cannot write as the
 * intended records, even when the caller skipped the bindings' schemas. Before the fix each of
 * these rendered a file with extra lines (a `$INCLUDE`, another record) or an unloadable one.
 */
import { describe, expect, it } from "vitest";
import { renderZoneFile, type DnsRecord } from "@mailplane/core";

const mx = (value: string, priority = 10): DnsRecord => ({
  name: "acme.com",
  type: "MX",
  ttl: 3600,
  priority,
  value,
  role: "mx",
});

describe("renderZoneFile refuses what it cannot write safely", () => {
  it("refuses an MX target with a newline, a space or a NaN priority", () => {
    expect(() => renderZoneFile([mx("mx.acme.com\nevil 60 IN A 1.2.3.4")], "acme.com")).toThrow(
      'zone acme.com: records[0]: acme.com MX value: "mx.acme.com\\nevil 60 IN A 1.2.3.4" is not a host name (got "mx.acme.com\\nevil 60 IN A 1.2.3.4"; allowed: a host name such as mx.acme.com (ASCII/punycode labels))',
    );
    expect(() => renderZoneFile([mx("mx.acme.com", NaN)], "acme.com")).toThrow(
      "zone acme.com: records[0]: acme.com MX priority: NaN is not a priority (got NaN; allowed: a whole number from 0 to 65535)",
    );
  });

  it("refuses name-server addresses, hostmaster and timers that would add lines", () => {
    expect(() =>
      renderZoneFile([], "acme.com", {
        nameServers: [{ host: "ns1.acme.com", ipv4: "192.0.2.1\n$INCLUDE /etc/passwd" }],
      }),
    ).toThrow(
      'zone acme.com: nameServers[0].ipv4: "192.0.2.1\\n$INCLUDE /etc/passwd" is not an IPv4 address (got "192.0.2.1\\n$INCLUDE /etc/passwd"; allowed: an IPv4 address such as 192.0.2.10)',
    );
    expect(() => renderZoneFile([], "acme.com", { hostmaster: "ops;x@acme.com" })).toThrow(
      'zone acme.com: hostmaster: "ops;x@acme.com" is not a hostmaster (got "ops;x@acme.com"; allowed: an address such as hostmaster@acme.com (letters, digits, . _ + - before @) or a host name)',
    );
    expect(() =>
      renderZoneFile([], "acme.com", {
        soaTimers: { refresh: 7200, retry: NaN, expire: 1, minimum: 1 },
      }),
    ).toThrow(
      "zone acme.com: soaTimers.retry: NaN is not a TTL (got NaN; allowed: a whole number from 0 to 2147483647)",
    );
    expect(() => renderZoneFile([], "acme.com\n$INCLUDE x")).toThrow(
      'zone origin: "acme.com\\n$INCLUDE x" is not a host name',
    );
  });

  it("refuses A/AAAA values that are not addresses and record names with spaces", () => {
    expect(() =>
      renderZoneFile(
        [{ name: "ns1.acme.com", type: "A", ttl: 60, value: "1.2.3.4 ; x", role: "a" }],
        "acme.com",
      ),
    ).toThrow(
      'zone acme.com: records[0]: ns1.acme.com A value: "1.2.3.4 ; x" is not an IPv4 address',
    );
    expect(() =>
      renderZoneFile(
        [{ name: "a b.acme.com", type: "TXT", ttl: 60, value: "x", role: "t" }],
        "acme.com",
      ),
    ).toThrow('zone acme.com: records[0]: name: "a b.acme.com" is not a host name');
  });

  it("still writes TXT values with quotes, backslashes and newlines as one escaped record", () => {
    const text = renderZoneFile(
      [{ name: "acme.com", type: "TXT", ttl: 60, value: 'a"b\\c\n$INCLUDE x', role: "t" }],
      "acme.com",
    );
    expect(text.split("\n")[4]).toBe('@\t60\tIN\tTXT\t"a\\"b\\\\c\\010$INCLUDE x"');
  });
});
