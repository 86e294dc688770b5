import { describe, expect, it } from "vitest";
import { policySchema } from "../src/policy";
import {
  analyzeSpf,
  buildSpf,
  countSpfLookups,
  parseSpf,
  spfSyntaxErrors,
  type HostResolver,
  type TxtResolver,
} from "../src/spf";

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
      'record: "include:": needs a domain-spec; allowed: a domain such as _spf.example.com (permerror)',
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

describe("RFC 7208 §12 grammar", () => {
  it.each([
    "v=spf1 -all",
    "V=SPF1 +all",
    "v=spf1",
    "v=spf1 ",
    "v=spf1 a mx a/24 mx//64 a:mail.acme.com/24//64 mx:acme.com. ptr ptr:acme.com ?all",
    "v=spf1 ip4:192.0.2.0/24 ip4:0.0.0.0/0 ip4:255.255.255.255/32 ip6:2001:db8::/32 ip6:::1 ip6:::ffff:192.0.2.1/128 ip6:1:2:3:4:5:6:7:8 -all",
    "v=spf1 include:_spf.google.com include:spf.protection.outlook.com. ~all",
    "v=spf1 exists:%{i}._spf.%{d} exists:%{ir}.%{l1r+-}._spf.%{d2} include:%{d} -all",
    "v=spf1 a:foo-bar.x-y redirect=_spf.acme.com",
    "v=spf1 -all exp=explain._spf.%{d} custom=anything%%%_%-",
    "v=spf1 a:%{d}",
  ])("accepts %j", (record) => {
    expect(spfSyntaxErrors(record)).toEqual([]);
  });

  it.each([
    [
      "v=spf1 ip4:1.2.3.4/33 -all",
      '"ip4:1.2.3.4/33": IPv4 CIDR length "/33" is out of range; allowed: /0 to /32, no leading zeros (permerror)',
    ],
    [
      "v=spf1 ip4:1.2.3.4/024",
      '"ip4:1.2.3.4/024": IPv4 CIDR length "/024" is out of range; allowed: /0 to /32, no leading zeros (permerror)',
    ],
    [
      "v=spf1 ip6:2001:db8::/129",
      '"ip6:2001:db8::/129": IPv6 CIDR length "/129" is out of range; allowed: /0 to /128, no leading zeros (permerror)',
    ],
    [
      "v=spf1 a/33",
      '"a/33": IPv4 CIDR length "/33" is out of range; allowed: /0 to /32, no leading zeros (permerror)',
    ],
    [
      "v=spf1 mx:acme.com//200",
      '"mx:acme.com//200": IPv6 CIDR length "/200" is out of range; allowed: /0 to /128, no leading zeros (permerror)',
    ],
    ["v=spf1 ip4:1.2.3", '"ip4:1.2.3": "1.2.3" is not an IPv4 address (permerror)'],
    ["v=spf1 ip4:256.1.1.1", '"ip4:256.1.1.1": "256.1.1.1" is not an IPv4 address (permerror)'],
    ["v=spf1 ip6:1::2::3", '"ip6:1::2::3": "1::2::3" is not an IPv6 address (permerror)'],
    ["v=spf1 ip4", '"ip4": ip4 needs ":" and an address (permerror)'],
    [
      "v=spf1 a:foo-bar -all",
      '"a:foo-bar": "foo-bar" has a single label; allowed: a domain with a dot and a top label (mail.example.com), or one ending in a macro (permerror)',
    ],
    [
      "v=spf1 include:foo.123",
      '"include:foo.123": "foo.123" ends in "123", not a top label; allowed: a last label with a letter (mail.example.com), or a macro (permerror)',
    ],
    [
      "v=spf1 exists:",
      '"exists:": needs a domain-spec; allowed: a domain such as _spf.example.com (permerror)',
    ],
    ["v=spf1 exists", '"exists": exists needs ":" and a domain-spec (permerror)'],
    [
      "v=spf1 include:a..b.com",
      '"include:a..b.com": "a..b.com" is not a DNS name; allowed: labels of 1–63 characters, at most 253 in all (permerror)',
    ],
    [
      "v=spf1 exists:%{z}.acme.com",
      '"exists:%{z}.acme.com": unknown macro letter "z" in "%{z}"; allowed: s l o d i p h v (and c r t in exp=) (permerror)',
    ],
    [
      "v=spf1 exists:%{d.acme.com",
      '"exists:%{d.acme.com": malformed macro at "%{d.acme.com"; allowed: %{letter digits r delimiters}, %%, %_ or %- (permerror)',
    ],
    [
      "v=spf1 exists:100%.acme.com",
      '"exists:100%.acme.com": malformed macro at "%.acme.com"; allowed: %{letter digits r delimiters}, %%, %_ or %- (permerror)',
    ],
    [
      "v=spf1 exists:%{c}.acme.com",
      '"exists:%{c}.acme.com": macro "%{c}" is allowed only in exp= (RFC 7208 §7.2) (permerror)',
    ],
    [
      "v=spf1 exists:%{d0}.acme.com",
      '"exists:%{d0}.acme.com": macro "%{d0}" keeps zero labels; allowed: a DIGIT transformer of 1 or more (RFC 7208 §7.3) (permerror)',
    ],
    [
      "v=spf1 redirect=a.example redirect=b.example",
      "2 redirect= modifiers; allowed: at most one (permerror)",
    ],
    [
      "v=spf1 exp=a.example exp=b.example -all",
      "2 exp= modifiers; allowed: at most one (permerror)",
    ],
    ["v=spf1 all:x", '"all:x": "all" takes no argument (permerror)'],
    ["v=spf1 ptr/24", '"ptr/24": ptr takes no CIDR length (permerror)'],
    [
      "v=spf1 include:a.example/24",
      '"include:a.example/24": "a.example/24" ends in "example/24", not a top label; allowed: a last label with a letter (mail.example.com), or a macro (permerror)',
    ],
    [
      "v=spf1 foo:bar",
      '"foo:bar": unknown mechanism; allowed: see RFC 7208 §12: mechanisms all, include, a, mx, ptr, ip4, ip6, exists; modifiers name=value (permerror)',
    ],
    [
      "v=spf1 -all\tmx",
      'holds "\\t" at position 11; allowed: printable ASCII terms separated by spaces (permerror)',
    ],
  ])("refuses %j", (record, error) => {
    expect(spfSyntaxErrors(record)).toEqual([error]);
  });

  it("analyzeSpf reports grammar errors with where they are", async () => {
    const r = resolver({ "inc.example": ["v=spf1 ip4:10.0.0.0/40 -all"] });
    const result = await analyzeSpf("v=spf1 a:foo-bar include:inc.example -all", r, "acme.com");
    expect(result.errors).toEqual([
      'acme.com: "a:foo-bar": "foo-bar" has a single label; allowed: a domain with a dot and a top label (mail.example.com), or one ending in a macro (permerror)',
      'inc.example: "ip4:10.0.0.0/40": IPv4 CIDR length "/40" is out of range; allowed: /0 to /32, no leading zeros (permerror)',
    ]);
  });
});

describe("void lookups of a, mx and exists (RFC 7208 §4.6.4)", () => {
  /** Hosts with addresses or MX records; everything else is NXDOMAIN (void). */
  const hosts = (table: Record<string, Partial<Record<"A" | "AAAA" | "MX", string[]>>>) => {
    const calls: string[] = [];
    const fn: HostResolver = async (name, type) => {
      calls.push(`${type} ${name}`);
      if (name === "broken.example") throw new Error("SERVFAIL");
      return table[name]?.[type] ?? [];
    };
    return Object.assign(fn, { calls });
  };

  it("three a: names that return nothing are a permerror", async () => {
    const h = hosts({});
    const result = await analyzeSpf(
      "v=spf1 a:one.example a:two.example a:three.example -all",
      resolver({}),
      "acme.com",
      { resolveHost: h },
    );
    expect(result.voidLookups).toBe(3);
    expect(result.errors).toEqual(["3 void lookups; allowed: at most 2 (RFC 7208 §4.6.4)"]);
    expect(h.calls).toEqual([
      "A one.example",
      "AAAA one.example",
      "A two.example",
      "AAAA two.example",
      "A three.example",
      "AAAA three.example",
    ]);
  });

  it("counts a, mx, exists and include alike, and a bare a or mx on the domain", async () => {
    const h = hosts({
      "v6only.example": { AAAA: ["2001:db8::1"] },
      "acme.com": { MX: ["10 mx.acme.com"] },
      "many.example": { MX: Array.from({ length: 11 }, (_, i) => `${i} mx${i}.example`) },
    });
    const result = await analyzeSpf(
      "v=spf1 a a:v6only.example mx mx:gone.example exists:gone.example include:gone.example mx:many.example exists:%{i}.x.example a:broken.example -all",
      resolver({}),
      "acme.com",
      { resolveHost: h },
    );
    expect(result.voidLookups).toBe(4);
    expect(result.errors).toEqual([
      "acme.com: include gone.example has no SPF record (permerror)",
      "acme.com: mx many.example has 11 MX records; allowed: at most 10 (RFC 7208 §4.6.4, permerror)",
      "acme.com: a broken.example: lookup failed (SERVFAIL)",
      "4 void lookups; allowed: at most 2 (RFC 7208 §4.6.4)",
    ]);
    expect(result.warnings).toEqual([
      "acme.com: a acme.com returns nothing (a void lookup)",
      "acme.com: mx gone.example returns nothing (a void lookup)",
      "acme.com: exists gone.example returns nothing (a void lookup)",
      "acme.com: exists %{i}.x.example uses macros; not looked up",
    ]);
  });

  it("without resolveHost nothing but includes is looked up", async () => {
    const result = await analyzeSpf("v=spf1 a:one.example a:two.example a:three.example -all");
    expect(result.voidLookups).toBe(0);
    expect(result.errors).toEqual([]);
  });
});
