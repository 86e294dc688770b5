import { describe, expect, it } from "vitest";
import {
  buildDmarc,
  buildTlsRpt,
  MailplaneConfigError,
  parseMailDomain,
  planDnsRecords,
  policySchema,
  resolveMailboxSettings,
  type DnsFacts,
} from "../src/index";
import { errorOf } from "./fixtures";

// Issue 11 §4 and the report-URI part of §6: hostile declarations fail with a path, or work.

const base = { domain: "acme.com", postmaster: "it@partner.example", abuse: "it@partner.example" };

const facts: DnsFacts = {
  provider: "test",
  mx: [{ priority: 10, host: "mx.provider.example" }],
  spfInclude: [],
  dkim: [],
  verification: [],
};

/** The TXT values a declaration plans, by role. */
function txt(input: object): Record<string, string> {
  const spec = parseMailDomain({ ...base, ...input });
  return Object.fromEntries(
    planDnsRecords(spec, facts)
      .filter((r) => r.type === "TXT")
      .map((r) => [r.role, r.value]),
  );
}

describe("graph checks are iterative", () => {
  const chain = (n: number, last: string) => {
    const aliases: Record<string, string> = {};
    for (let i = 0; i < n; i++) aliases[`a${i}`] = `a${i + 1}`;
    aliases[`a${n}`] = last;
    return aliases;
  };

  it("accepts a chain of 5000 aliases that ends outside", () => {
    const spec = parseMailDomain({ ...base, aliases: chain(5000, "x@partner.example") });
    expect(Object.keys(spec.aliases)).toHaveLength(5001);
  });

  it("reports a loop of 20000 aliases once, shortened", () => {
    expect(errorOf(() => parseMailDomain({ ...base, aliases: chain(20000, "a0") }))).toBe(
      "aliases.a0: is part of a forwarding loop (got aliases.a0 → aliases.a1 → aliases.a2 → aliases.a3 → aliases.a4 → aliases.a5 → …(20001 entries in all) → aliases.a20000 → aliases.a0; allowed: forwarding that ends at a mailbox or an external address)",
    );
  });
});

describe("keys that are Object.prototype names", () => {
  it("refuses a mailbox keyed __proto__ instead of losing it", () => {
    const input = JSON.parse(
      '{"domain":"acme.com","postmaster":"a@b.example","abuse":"a@b.example","mailboxes":{"__proto__":{"name":"Proto"}},"policy":{"dkim":{"__proto__":{"value":"v=DKIM1; p="}}}}',
    ) as unknown;
    expect(errorOf(() => parseMailDomain(input))).toBe(
      [
        'mailboxes.__proto__: is a reserved key (got "__proto__"; allowed: any other key; for the local part __proto__ use another key with localPart: "__proto__")',
        'policy.dkim.__proto__: is a reserved key (got "__proto__"; allowed: any other key; for the local part __proto__ use another key with localPart: "__proto__")',
      ].join("\n"),
    );
  });

  it("the local part __proto__ works under another key", () => {
    const spec = parseMailDomain({
      ...base,
      mailboxes: { proto: { name: "Proto", localPart: "__proto__" } },
    });
    expect(spec.mailboxes.proto?.localPart).toBe("__proto__");
  });

  it.each(["toString", "constructor", "hasOwnProperty"])(
    "refuses profile %j when profiles does not define it",
    (profile) => {
      expect(
        errorOf(() => parseMailDomain({ ...base, mailboxes: { ali: { name: "Ali", profile } } })),
      ).toBe(
        `mailboxes.ali.profile: "${profile}" is not a defined profile (got "${profile}"; allowed: none defined; add it under profiles)`,
      );
    },
  );

  it("a profile that is really named constructor applies", () => {
    const spec = parseMailDomain({
      ...base,
      profiles: { constructor: { quotaMb: 7 } },
      mailboxes: { ali: { name: "Ali", profile: "constructor" } },
    });
    expect(resolveMailboxSettings(spec, spec.mailboxes.ali!).quotaMb).toBe(7);
    const noProfiles = { ...spec, profiles: {} };
    expect(resolveMailboxSettings(noProfiles, { ...spec.mailboxes.ali! }).quotaMb).toBe(undefined);
  });
});

describe("free text a provider stores", () => {
  it("refuses NUL, newlines and lone surrogates in name, department, title and keys", () => {
    expect(
      errorOf(() =>
        parseMailDomain({
          ...base,
          mailboxes: {
            ali: { name: "Ali\u0000", department: "Sa\nles", title: "\uD800x" },
            "b\u0000": { name: "B", localPart: "b" },
          },
        }),
      ),
    ).toBe(
      [
        'mailboxes.ali.name: holds U+0000 at position 3 (got "Ali\\u0000"; allowed: a name without control characters or unpaired surrogates)',
        'mailboxes.ali.department: holds U+000A at position 2 (got "Sa\\nles"; allowed: text without control characters or unpaired surrogates)',
        'mailboxes.ali.title: holds U+D800 at position 0 (got "\\ud800x"; allowed: text without control characters or unpaired surrogates)',
        'mailboxes["b\\u0000"]: holds U+0000 at position 1 (got "b\\u0000"; allowed: a key without control characters or unpaired surrogates)',
      ].join("\n"),
    );
  });

  it("shortens a 1 MB value in the message and fails fast", () => {
    const huge = "x".repeat(1_000_000);
    const start = performance.now();
    const message = errorOf(() =>
      parseMailDomain({
        ...base,
        mailboxes: { [huge]: { name: huge, department: huge } },
        policy: { dkim: { s1: { value: `v=DKIM1; p=${huge}` } }, tlsRpt: { rua: [huge] } },
      }),
    );
    expect(performance.now() - start).toBeLessThan(2000);
    const x60 = "x".repeat(60);
    expect(message).toBe(
      [
        "policy.dkim.s1.value: is too long for a DNS TXT record (got " +
          `"v=DKIM1; p=${"x".repeat(49)}"…(1000011 chars); allowed: a DKIM record of at most 4096 characters)`,
        `policy.tlsRpt.rua[0]: is not a TLS-RPT destination (got "${x60}"…(1000000 chars); allowed: an e-mail address, a mailto: URI or an https:// URL (printable ASCII, at most 1024 characters))`,
        `mailboxes["${x60}"…(1000000 chars)]: is too long (got 1000000 characters; allowed: at most 256)`,
      ].join("\n"),
    );
  });
});

describe("TXT-bound fields", () => {
  it("refuses lone surrogates in TLS-RPT rua, BIMI URLs and DKIM values, by path", () => {
    expect(
      errorOf(() =>
        parseMailDomain({
          ...base,
          policy: {
            dmarc: { policy: "reject" },
            tlsRpt: { rua: ["https://r.example/\uD800"] },
            bimi: { logoUrl: "https://acme.com/\uDC00.svg" },
            dkim: { s1: { value: "v=DKIM1; p=\uD800" } },
          },
        }),
      ),
    ).toBe(
      [
        'policy.dkim.s1.value: holds U+D800 at position 11 (got "v=DKIM1; p=\\ud800"; allowed: a DKIM record in printable ASCII)',
        'policy.tlsRpt.rua[0]: is not a TLS-RPT destination (got "https://r.example/\\ud800"; allowed: an e-mail address, a mailto: URI or an https:// URL (printable ASCII, at most 1024 characters))',
        'policy.bimi.logoUrl: is not allowed (got "https://acme.com/\\udc00.svg"; allowed: an https:// URL of an SVG logo (…/logo.svg))',
      ].join("\n"),
    );
  });

  it("refuses a 70 KB DKIM value and accepts a 4096-character one", () => {
    const key = (n: number) => ({ s1: { value: `v=DKIM1; k=rsa; p=${"A".repeat(n - 18)}` } });
    expect(errorOf(() => parseMailDomain({ ...base, policy: { dkim: key(70_000) } }))).toBe(
      `policy.dkim.s1.value: is too long for a DNS TXT record (got "v=DKIM1; k=rsa; p=${"A".repeat(42)}"…(70000 chars); allowed: a DKIM record of at most 4096 characters)`,
    );
    expect(errorOf(() => parseMailDomain({ ...base, policy: { dkim: key(4097) } }))).toMatch(
      /^policy\.dkim\.s1\.value: is too long for a DNS TXT record \(got .*…\(4097 chars\)/,
    );
    expect(txt({ policy: { dkim: key(4096) } })["dkim-s1"]).toHaveLength(4096);
  });
});

describe("report URIs are escaped as RFC 7489 §6.3 and RFC 8460 §3 require", () => {
  it.each([
    ["a?b@x.example", "mailto:a%3Fb@x.example"],
    ["mailto:a%3Fb@x.example", "mailto:a%3Fb@x.example"],
    ["h#x@x.example", "mailto:h%23x@x.example"],
    ["100%@x.example", "mailto:100%25@x.example"],
    ["{ops}@x.example", "mailto:%7Bops%7D@x.example"],
    ["mailto:%7Bops%7D@X.Example", "mailto:%7Bops%7D@x.example"],
    ["o'neil+dmarc@x.example", "mailto:o'neil+dmarc@x.example"],
  ])("DMARC rua %j → %s", (input, uri) => {
    expect(txt({ policy: { dmarc: { policy: "none", rua: [input], ruf: [input] } } }).dmarc).toBe(
      `v=DMARC1; p=none; rua=${uri}; ruf=${uri}`,
    );
  });

  it.each([
    "mailto:a?subject=x@x.example",
    "mailto:100%@x.example",
    "mailto:a,b@x.example",
    "mailto:a%2Cb@x.example",
    "a,b@x.example",
    "mailto:%C3@x.example",
  ])("refuses DMARC rua %j", (input) => {
    expect(errorOf(() => txt({ policy: { dmarc: { policy: "none", rua: [input] } } }))).toBe(
      `policy.dmarc.rua[0]: is not a valid report address (got ${JSON.stringify(input)}; allowed: an e-mail address (dmarc@example.com) or a mailto: URI)`,
    );
  });

  it("buildDmarc escapes a hand-built object the same way", () => {
    expect(buildDmarc({ policy: "none", rua: ["a?b@x.example"], ruf: [], testing: false })).toBe(
      "v=DMARC1; p=none; rua=mailto:a%3Fb@x.example",
    );
    // In a URI a raw "?" starts headers: refused, with its path.
    expect(
      errorOf(() =>
        buildDmarc({ policy: "none", rua: ["mailto:a?b@x.example"], ruf: [], testing: false }),
      ),
    ).toBe(
      'policy.dmarc.rua[0]: is not a valid report address (got "mailto:a?b@x.example"; allowed: an e-mail address (dmarc@example.com) or a mailto: URI)',
    );
  });

  it("TLS-RPT: commas, semicolons and odd local parts are encoded, one URI each", () => {
    expect(
      txt({
        policy: {
          tlsRpt: {
            rua: ["https://r.example/r?x=1,2;y=3!", "tls?rpt@acme.com", "mailto:T@Acme.COM"],
          },
        },
      })["tls-rpt"],
    ).toBe(
      "v=TLSRPTv1; rua=https://r.example/r?x=1%2C2%3By=3%21,mailto:tls%3Frpt@acme.com,mailto:T@acme.com",
    );
  });

  it.each([
    "https://r.example/a b",
    "https://r.example/\n",
    "https://user@r.example/",
    "https://localhost/",
    "https://r.example/%zz",
    "http://r.example/",
    'https://r.example/"',
    "https://[r.example/",
  ])("refuses TLS-RPT rua %j", (input) => {
    const parsed = policySchema.safeParse({ tlsRpt: { rua: [input] } });
    expect(parsed.success).toBe(false);
    expect(errorOf(() => parseMailDomain({ ...base, policy: { tlsRpt: { rua: [input] } } }))).toBe(
      `policy.tlsRpt.rua[0]: is not a TLS-RPT destination (got ${JSON.stringify(input)}; allowed: an e-mail address, a mailto: URI or an https:// URL (printable ASCII, at most 1024 characters))`,
    );
  });

  it("buildTlsRpt checks a hand-built list too", () => {
    expect(buildTlsRpt(["mailto:a%3fb@acme.com"])).toBe("v=TLSRPTv1; rua=mailto:a%3Fb@acme.com");
    expect(errorOf(() => buildTlsRpt(["tls@acme.com", "ftp://x"]))).toBe(
      'policy.tlsRpt.rua[1]: is not a TLS-RPT destination (got "ftp://x"; allowed: an e-mail address, a mailto: URI or an https:// URL (printable ASCII, at most 1024 characters))',
    );
    expect(errorOf(() => buildTlsRpt([]))).toBe(
      "policy.tlsRpt.rua: must not be empty (got []; allowed: one or more report destinations)",
    );
  });

  it("a MailplaneConfigError, never a plain Error", () => {
    expect(() => parseMailDomain({ ...base, policy: { tlsRpt: { rua: ["x"] } } })).toThrow(
      MailplaneConfigError,
    );
  });
});

describe("the planned SPF record follows RFC 7208 §12", () => {
  it("refuses an include whose last label is all digits, by path", () => {
    expect(errorOf(() => txt({ policy: { spf: { include: ["spf.example.123"] } } }))).toBe(
      'policy.spf.include[0]: is not a valid SPF include domain (got "spf.example.123"; allowed: a DNS host name such as _spf.example.com (letters, digits, "-", "_", dots))',
    );
  });

  it("refuses a provider term that breaks the grammar, naming policy.spf", () => {
    const spec = parseMailDomain(base);
    expect(errorOf(() => planDnsRecords(spec, { ...facts, spfTerms: ["ip4:192.0.2.1/33"] }))).toBe(
      'policy.spf: the SPF record of acme.com breaks RFC 7208: "ip4:192.0.2.1/33": IPv4 CIDR length "/33" is out of range; allowed: /0 to /32, no leading zeros (permerror) (got "v=spf1 ip4:192.0.2.1/33 ~all"; allowed: terms as RFC 7208 §12 writes them)',
    );
  });
});

describe("unknown fields", () => {
  it("shows a 65000-character unknown key shortened, in path and value", () => {
    const k = "\u0000".repeat(65_000);
    const shown = `"${"\\u0000".repeat(60)}"…(65000 chars)`;
    expect(errorOf(() => parseMailDomain({ ...base, [k]: 1 }))).toBe(
      `[${shown}]: is not a known field (got ${shown}; allowed: "domain", "domainAliases", "policy", "profiles", "mailboxes", "shared", "aliases", "groups", "postmaster", "abuse", "catchAll")`,
    );
  });
});

describe("TXT records a DNS server accepts", () => {
  it("refuses an SPF record of 400 ip4 terms, naming policy.spf", () => {
    const ip4 = Array.from({ length: 400 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    const record = `v=spf1 ${ip4.map((ip) => `ip4:${ip}`).join(" ")} ~all`;
    expect(record.length).toBe(5791);
    expect(errorOf(() => txt({ policy: { spf: { ip4 } } }))).toBe(
      `policy.spf: the TXT record acme.com would be 5791 bytes (got "v=spf1 ip4:10.0.0.0 ip4:10.0.0.1 ip4:10.0.0.2 ip4:10.0.0.3 i"…(5791 chars); allowed: at most 4500 bytes per TXT record: fewer terms or addresses)`,
    );
  });

  it("names the report field, on the domain and its alias", () => {
    const rua = Array.from({ length: 150 }, (_, i) => `reports-${i}@partner.example`);
    const record = `v=DMARC1; p=none; rua=${rua.map((a) => `mailto:${a}`).join(",")}`;
    const lines = errorOf(() =>
      txt({ domainAliases: ["acme.co"], policy: { dmarc: { policy: "none", rua } } }),
    ).split("\n");
    expect(lines.map((l) => l.slice(0, l.indexOf(" (got")))).toEqual([
      `policy.dmarc: the TXT record _dmarc.acme.com would be ${record.length} bytes`,
      `policy.dmarc: the TXT record _dmarc.acme.co would be ${record.length} bytes`,
    ]);
  });

  it("accepts a DKIM record of 4096 characters", () => {
    const value = `v=DKIM1; k=rsa; p=${"A".repeat(4096 - 18)}`;
    expect(txt({ policy: { dkim: { big: { value } } } })["dkim-big"]).toBe(value);
  });
});
