import fc from "fast-check";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { spfSyntaxErrors } from "@mailplane/core";

// Core checks SPF records against RFC 7208 §12 without DNS (spfSyntaxErrors). mailauth, which
// we did not write, only parses inside its evaluation: here it evaluates generated records
// through a stub resolver, and the two must agree on which records are malformed (permerror).
// Where they part, the RFC decides: mailauth lets macro letters c/r/t outside exp= (§7.2), a
// zero DIGIT transformer (§7.3), a repeated exp= (§6) and a malformed ptr argument pass (§4.6:
// a syntax error anywhere is a permerror), and refuses a target with a trailing dot, which the
// ABNF allows (domain-end = "." toplabel ["."]), and an IPv4-mapped ip6 network with a prefix
// length (::ffff:192.0.2.1/64, RFC 4291 §2.2). Only those records may get different verdicts
// (Mailplane writes none of them: it strips trailing dots and writes no macros or ptr).

const load = createRequire(__filename);
const { spf } = load("mailauth/lib/spf") as {
  spf: (opts: object) => Promise<{ status: { result: string; comment?: string } }>;
};

/** mailauth's verdict on a record published at judge.example, for a client no term matches. */
async function mailauthResult(record: string): Promise<string> {
  let first = true;
  const resolver = async (name: string, type: string) => {
    if (type === "TXT") {
      // The record once; an include of the domain itself (include:%{d}) then finds `?all`.
      const own = name === "judge.example" && first;
      if (own) first = false;
      return own ? [[record]] : [["v=spf1 ?all"]];
    }
    if (type === "MX") return [{ exchange: "mx.acme.com", priority: 10 }];
    if (type === "A") return ["192.0.2.99"];
    if (type === "AAAA") return ["2001:db8::99"];
    throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: "ENOTFOUND" });
  };
  const result = await spf({
    sender: "x@judge.example",
    ip: "198.51.100.7",
    helo: "client.example",
    mta: "judge.example",
    resolver,
  });
  return result.status.result;
}

/**
 * Where mailauth lets a malformed term pass (see above): macro letters c/r/t outside exp=, a zero
 * DIGIT, a repeated exp=, and any ptr argument (mailauth reads it only when a PTR name exists).
 */
const MAILAUTH_LENIENT = [/%\{[crt]/i, /%\{[a-z]0/i, /exp=.* exp=/, /ptr:/];
/** Where mailauth refuses what RFC 7208 allows: a trailing dot, an IPv4-mapped ip6 with a prefix. */
const MAILAUTH_STRICT = [/[:=][^ ]*\.( |$|\/)/, /ip6:[^ ]*\.[0-9]+\//];

const domains = [
  "acme.com",
  "mail.acme.com",
  "_spf.acme.com",
  "foo-bar",
  "foo.123",
  "a..b.com",
  "%{d}",
  "%{i}.x.example",
  "%{ir}.%{l1r+-}.x.example",
  "%{z}.x.example",
  "%{d.x.example",
  "100%.x.example",
  "",
];
// No /0: a term matching every client would end mailauth's evaluation before the next term.
const cidrs = ["", "/24", "/32", "/33", "/024", "//64", "//128", "//129", "/24//64"];
const ips4 = ["192.0.2.1", "192.0.2.0", "256.1.1.1", "1.2.3", "0.0.0.0"];
const ips6 = ["2001:db8::1", "::1", "::ffff:192.0.2.1", "1::2::3", "2001:db8:::1", "fe80::"];

const qualifier = fc.constantFrom("", "+", "-", "~", "?");
const term = fc.oneof(
  fc
    .tuple(
      qualifier,
      fc.constantFrom("a", "mx"),
      fc.constantFrom(...domains),
      fc.constantFrom(...cidrs),
    )
    .map(([q, m, d, c]) => (d === "" ? `${q}${m}${c}` : `${q}${m}:${d}${c}`)),
  fc
    .tuple(qualifier, fc.constantFrom("include", "ptr"), fc.constantFrom(...domains))
    .map(([q, m, d]) => (m === "ptr" && d === "" ? `${q}ptr` : `${q}${m}:${d}`)),
  fc
    .tuple(qualifier, fc.constantFrom(...ips4), fc.constantFrom("", "/24", "/32", "/33", "/08"))
    .map(([q, ip, c]) => `${q}ip4:${ip}${c}`),
  fc
    .tuple(qualifier, fc.constantFrom(...ips6), fc.constantFrom("", "/64", "/128", "/129"))
    .map(([q, ip, c]) => `${q}ip6:${ip}${c}`),
  // exists matches on any answer and would end mailauth's evaluation early: only malformed here.
  fc.constantFrom("all:x", "foo:bar", "ip4", "exists", "exists:", "exists:foo-bar", "include"),
);
const record = fc
  .tuple(
    fc.array(term, { minLength: 1, maxLength: 5 }),
    fc.constantFrom(
      "",
      " redirect=_spf.acme.com",
      " redirect=foo-bar",
      " x-custom=%{d}",
      " exp=%{d",
    ),
  )
  .map(([terms, modifier]) => `v=spf1 ${terms.join(" ")}${modifier} ?all`);

describe("core's RFC 7208 grammar agrees with mailauth's evaluation", () => {
  it.each([
    ["v=spf1 ip4:1.2.3.4/33 -all", "permerror"],
    ["v=spf1 a:foo-bar -all", "permerror"],
    ["v=spf1 exists: -all", "permerror"],
    ["v=spf1 exists:%{z}.acme.com -all", "permerror"],
    ["v=spf1 redirect=a.example redirect=b.example", "permerror"],
    ["v=spf1 include:_spf.acme.com ip6:2001:db8::/32 a/24//64 -all", "fail"],
  ])("%s: mailauth %s, core agrees", async (text, verdict) => {
    expect(await mailauthResult(text)).toBe(verdict);
    expect(spfSyntaxErrors(text).length > 0).toBe(verdict === "permerror");
  });

  it("300 generated records: malformed for core exactly when a permerror for mailauth", async () => {
    let compared = 0;
    let malformed = 0;
    await fc.assert(
      fc.asyncProperty(record, async (text) => {
        compared++;
        const ours = spfSyntaxErrors(text).length > 0;
        const theirs = (await mailauthResult(text)) === "permerror";
        if (ours) malformed++;
        if (ours && !theirs && MAILAUTH_LENIENT.some((re) => re.test(text))) return;
        if (!ours && theirs && MAILAUTH_STRICT.some((re) => re.test(text))) return;
        expect({ text, malformed: ours }).toEqual({ text, malformed: theirs });
      }),
      { numRuns: 300, seed: 7208 },
    );
    // Both kinds were compared, many times.
    expect(compared).toBe(300);
    expect(malformed).toBeGreaterThan(30);
    expect(compared - malformed).toBeGreaterThan(10);
  });
});
