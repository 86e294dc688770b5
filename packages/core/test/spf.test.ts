import { describe, expect, it } from "vitest";
import { policySchema } from "../src/policy";
import { analyzeSpf, buildSpf, countSpfLookups, parseSpf, type TxtResolver } from "../src/spf";

const spfPolicy = (spf: unknown) => policySchema.parse({ spf }).spf;

/** A resolver over a fixed table; names not in it have no TXT records (void). */
function resolver(table: Record<string, string[]>): TxtResolver & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (name: string) => {
    calls.push(name);
    if (name === "broken.example") throw new Error("SERVFAIL");
    return table[name] ?? [];
  };
  return Object.assign(fn, { calls });
}

describe("buildSpf", () => {
  it.each([
    [undefined, [], "v=spf1 ~all"],
    [{}, ["_spf.google.com"], "v=spf1 include:_spf.google.com ~all"],
    [
      { include: ["_spf.salesforce.com", "_SPF.google.com"], all: "-all" },
      ["_spf.google.com", "_spf.google.com."],
      "v=spf1 include:_spf.google.com include:_spf.salesforce.com -all",
    ],
    [
      {
        ip4: ["192.0.2.10", "198.51.100.0/24", "192.0.2.10"],
        ip6: ["2001:DB8::1"],
        a: true,
        mx: ["mx.example.net"],
        include: ["spf.example.net"],
        all: "?all",
      },
      ["spf.migadu.com"],
      "v=spf1 ip4:192.0.2.10 ip4:198.51.100.0/24 ip6:2001:db8::1 a mx:mx.example.net include:spf.migadu.com include:spf.example.net ?all",
    ],
    [{ a: ["web.example.com"], mx: true }, [], "v=spf1 a:web.example.com mx ~all"],
  ])("policy %j + provider %j → %s", (spf, includes, expected) => {
    expect(buildSpf(spf === undefined ? undefined : spfPolicy(spf), includes)).toBe(expected);
  });

  it("places the provider's other terms after the user's and before the includes, deduplicated", () => {
    expect(
      buildSpf(spfPolicy({ mx: true, all: "-all" }), ["spf.example.net"], ["mx", "ip4:192.0.2.7"]),
    ).toBe("v=spf1 mx ip4:192.0.2.7 include:spf.example.net -all");
  });
});

describe("parseSpf", () => {
  it("splits terms with qualifiers, values and modifiers", () => {
    expect(
      parseSpf("v=spf1  +include:a.example ?mx ip4:192.0.2.0/24 a/24 redirect=b.example -all"),
    ).toEqual([
      {
        kind: "mechanism",
        name: "include",
        qualifier: "+",
        value: "a.example",
        text: "+include:a.example",
      },
      { kind: "mechanism", name: "mx", qualifier: "?", value: undefined, text: "?mx" },
      {
        kind: "mechanism",
        name: "ip4",
        qualifier: "+",
        value: "192.0.2.0/24",
        text: "ip4:192.0.2.0/24",
      },
      { kind: "mechanism", name: "a", qualifier: "+", value: "/24", text: "a/24" },
      { kind: "modifier", name: "redirect", value: "b.example", text: "redirect=b.example" },
      { kind: "mechanism", name: "all", qualifier: "-", value: undefined, text: "-all" },
    ]);
  });

  it("rejects text that is not SPF", () => {
    expect(() => parseSpf("v=spf10 -all")).toThrow(
      'not an SPF record (got "v=spf10 -all"; allowed: "v=spf1 ...")',
    );
  });
});

describe("countSpfLookups (the record's own terms)", () => {
  it.each([
    ["v=spf1 -all", 0], // a bare all is not a lookup (checkdmarc#94)
    ["v=spf1 +all", 0],
    ["v=spf1 ip4:192.0.2.1 ip6:2001:db8::1 -all", 0],
    ["v=spf1 +include:a.example -all", 1], // +include: counts like include:
    ["v=spf1 ?mx ~a -ptr ?exists:%{i}.x.example -all", 4], // every qualifier counts
    ["v=spf1 redirect=_spf.example", 1], // redirect= counts
    ["v=spf1 redirect=_spf.example -all", 0], // ignored when all is present
    ["v=spf1 include:a.example exp=explain.example -all", 1], // exp= is not counted
    ["v=spf1 include=a.example -all", 0], // an unknown modifier, not an include
    ["V=SPF1 INCLUDE:A.EXAMPLE MX -ALL", 2], // case-insensitive
  ])("%s → %i", (record, n) => {
    expect(countSpfLookups(record)).toBe(n);
  });
});

describe("analyzeSpf", () => {
  it("follows includes and redirects and counts nested lookups", async () => {
    const r = resolver({
      "_spf.google.com": [
        "v=spf1 include:_netblocks.google.com include:_netblocks2.google.com include:_netblocks3.google.com ~all",
      ],
      "_netblocks.google.com": ["v=spf1 ip4:35.190.247.0/24 ~all"],
      "_netblocks2.google.com": ["v=spf1 ip6:2001:4860:4000::/36 ~all"],
      "_netblocks3.google.com": ["v=spf1 ip4:172.217.0.0/19 ~all"],
      "spf.acme.example": ["some-verification=1", "v=spf1 a mx redirect=_spf.google.com"],
    });
    const result = await analyzeSpf(
      ["google-site-verification=abc", "v=spf1 include:spf.acme.example -all"],
      r,
      "acme.com",
    );
    expect(result.errors).toEqual([]);
    expect(result.lookups).toBe(1 + 3 + 3); // include; a, mx, redirect=; three includes
    expect(result.voidLookups).toBe(0);
    expect(result.tree).toEqual({
      domain: "acme.com",
      record: "v=spf1 include:spf.acme.example -all",
      lookups: 1,
      children: [
        {
          domain: "spf.acme.example",
          via: "include",
          record: "v=spf1 a mx redirect=_spf.google.com",
          lookups: 3,
          children: [
            {
              domain: "_spf.google.com",
              via: "redirect",
              record:
                "v=spf1 include:_netblocks.google.com include:_netblocks2.google.com include:_netblocks3.google.com ~all",
              lookups: 3,
              children: [
                {
                  domain: "_netblocks.google.com",
                  via: "include",
                  record: "v=spf1 ip4:35.190.247.0/24 ~all",
                  lookups: 0,
                  children: [],
                },
                {
                  domain: "_netblocks2.google.com",
                  via: "include",
                  record: "v=spf1 ip6:2001:4860:4000::/36 ~all",
                  lookups: 0,
                  children: [],
                },
                {
                  domain: "_netblocks3.google.com",
                  via: "include",
                  record: "v=spf1 ip4:172.217.0.0/19 ~all",
                  lookups: 0,
                  children: [],
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it("fails above 10 lookups, counting nested ones", async () => {
    const r = resolver({ "big.example": [`v=spf1 ${"a:x.example ".repeat(9)}-all`] });
    const result = await analyzeSpf("v=spf1 include:big.example mx -all", r);
    expect(result.lookups).toBe(11);
    expect(result.errors).toEqual(["11 DNS-querying terms; allowed: at most 10 (RFC 7208 §4.6.4)"]);
  });

  it("counts void lookups and fails above 2 (checkdmarc#211)", async () => {
    const r = resolver({});
    const result = await analyzeSpf(
      "v=spf1 include:gone1.example include:gone2.example include:gone3.example -all",
      r,
    );
    expect(result.voidLookups).toBe(3);
    expect(result.errors).toEqual([
      "record: include gone1.example has no SPF record (permerror)",
      "record: include gone2.example has no SPF record (permerror)",
      "record: include gone3.example has no SPF record (permerror)",
      "3 void lookups; allowed: at most 2 (RFC 7208 §4.6.4)",
    ]);
  });

  it("reports two SPF records at one name, at the top and in an include", async () => {
    const r = resolver({ "dup.example": ["v=spf1 -all", "v=spf1 ~all"] });
    const top = await analyzeSpf(["v=spf1 -all", "v=spf1 include:x.example ~all"], r, "acme.com");
    expect(top.errors).toEqual(["acme.com: 2 SPF records; allowed: exactly one (permerror)"]);
    const nested = await analyzeSpf("v=spf1 include:dup.example -all", r);
    expect(nested.errors).toEqual([
      "record: include dup.example has 2 SPF records; allowed: exactly one (permerror)",
    ]);
    const none = await analyzeSpf(["google-site-verification=x"], r, "acme.com");
    expect(none.errors).toEqual(["acme.com: 0 SPF records; allowed: exactly one (permerror)"]);
  });

  it("detects loops", async () => {
    const r = resolver({
      "a.example": ["v=spf1 include:b.example -all"],
      "b.example": ["v=spf1 redirect=a.example"],
    });
    const result = await analyzeSpf("v=spf1 include:a.example -all", r, "acme.com");
    expect(result.errors).toEqual([
      "b.example: redirect a.example loops back (acme.com -> a.example -> b.example -> a.example)",
    ]);
    expect(result.lookups).toBe(3);
  });

  it("reports malformed terms, failed lookups and advice", async () => {
    const r = resolver({ "txt-only.example": ["hello"] });
    const result = await analyzeSpf(
      "v=spf1 include: include:%{d}.spf.example foo:bar ptr include:broken.example include:txt-only.example redirect=x.example redirect=y.example exp=a.example exp=b.example -all ip4:192.0.2.1",
      r,
    );
    expect(result.errors).toEqual([
      "record: 2 redirect= modifiers; allowed: at most one",
      "record: more than one exp= modifier; allowed: at most one",
      "record: include without a domain (permerror)",
      'record: unknown mechanism "foo:bar" (permerror)',
      "record: include broken.example: lookup failed (SERVFAIL)",
      "record: include txt-only.example has no SPF record (permerror)",
    ]);
    expect(result.warnings).toEqual([
      'record: mechanisms after "all" are never evaluated',
      'record: redirect= is ignored because the record has "all"',
      "record: include %{d}.spf.example uses macros; not followed",
      'record: "ptr" is deprecated (RFC 7208 §5.5); use ip4/ip6 instead',
    ]);
    expect(result.lookups).toBe(5);
    expect(result.voidLookups).toBe(0);
  });

  it("counts without following when no resolver is given, and flags long records", async () => {
    const long = `v=spf1 ${Array.from({ length: 30 }, (_, i) => `ip4:192.0.2.${i}`).join(" ")} include:a.example -all`;
    const result = await analyzeSpf(long);
    expect(result.lookups).toBe(1);
    expect(result.tree.children).toEqual([]);
    expect(result.warnings).toEqual([
      `record: ${Buffer.byteLength(long)} bytes; keep SPF under 450`,
    ]);
    expect((await analyzeSpf("hello")).errors).toEqual([
      'record: not an SPF record (got "hello"; allowed: "v=spf1 ...")',
    ]);
  });
});
