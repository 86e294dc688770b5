import { describe, expect, it } from "vitest";
import { checkExtraRecords, spfLookupLimitProblem, type DnsRecord } from "../src";

const planned: DnsRecord[] = [
  { name: "acme.com", type: "MX", ttl: 3600, priority: 10, value: "mx1.example", role: "mx" },
  { name: "acme.com", type: "TXT", ttl: 3600, value: "v=spf1 mx -all", role: "spf" },
  {
    name: "autoconfig.acme.com",
    type: "CNAME",
    ttl: 3600,
    value: "ac.example",
    role: "autoconfig",
  },
];

describe("checkExtraRecords (records published next to the plan)", () => {
  it("accepts records that do not collide, and ones whose name or value is not known yet", () => {
    expect(() =>
      checkExtraRecords("acme.com", "migadu", planned, [
        { role: "www", type: "A", name: "www.acme.com", value: "192.0.2.1" },
        { role: "ses-mx", type: "MX", name: undefined, value: "feedback.example", priority: 10 },
      ]),
    ).not.toThrow();
  });

  it("names every conflict at once, each with what to do", () => {
    expect(() =>
      checkExtraRecords("acme.com", "migadu", planned, [
        { role: "mx", type: "A", name: "a.acme.com", value: "192.0.2.1" },
        { role: "dup", type: "TXT", name: "acme.com", value: "v=spf1 mx -all" },
        { role: "mx2", type: "MX", name: "acme.com", value: "other.example", priority: 5 },
        { role: "spf2", type: "TXT", name: "acme.com", value: "v=spf1 include:x.example -all" },
        { role: "ac", type: "TXT", name: "autoconfig.acme.com", value: "hello" },
      ]),
    ).toThrow(
      [
        "DNS records for acme.com conflict:",
        '- record role "mx" is planned already; give the extra record another role',
        '- acme.com TXT "v=spf1 mx -all" (role dup) is declared by hand but Mailplane plans it already; remove it',
        '- acme.com MX "other.example" (role mx2) adds a second MX set at acme.com, next to migadu\'s (10 mx1.example); a domain receives mail through one provider',
        '- acme.com TXT "v=spf1 include:x.example -all" (role spf2) is a second SPF record at acme.com (two are a permerror, RFC 7208 §4.5); put its mechanisms into policy.spf (include, ip4, ip6) instead',
        '- autoconfig.acme.com TXT "hello" (role ac) conflicts with the planned records at autoconfig.acme.com: a CNAME cannot share its name',
      ].join("\n"),
    );
  });
});

describe("spfLookupLimitProblem", () => {
  const eleven = `v=spf1 ${Array.from({ length: 11 }, (_, i) => `include:i${i}.example`).join(" ")} -all`;
  it("names the record, the count, the limit and the RFC", () => {
    expect(spfLookupLimitProblem("acme.com", eleven, " once its provider values are known")).toBe(
      `the SPF record of acme.com needs 11 DNS lookups once its provider values are known (got ${JSON.stringify(eleven)}; allowed: at most 10, RFC 7208 §4.6.4)`,
    );
  });
  it("has nothing to say about ten lookups or a record that is not SPF", () => {
    const ten = eleven.replace(" include:i10.example", "");
    expect(spfLookupLimitProblem("acme.com", ten)).toBeUndefined();
    expect(spfLookupLimitProblem("acme.com", "v=DMARC1; p=none")).toBeUndefined();
  });
});
