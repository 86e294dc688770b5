import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildMtaStsPolicy, mtaStsMxPatterns, mtaStsTxt } from "../src/mta-sts";

describe("mtaStsMxPatterns", () => {
  it.each([
    [["mx1.mail.acme.com", "mx2.mail.acme.com"], ["*.mail.acme.com"]],
    [["a.b.acme.com"], ["a.b.acme.com"]],
    [
      ["a.b.acme.com", "c.acme.com"],
      ["a.b.acme.com", "c.acme.com"],
    ],
    [["smtp.google.com"], ["smtp.google.com"]],
    [
      [
        "aspmx.l.google.com",
        "alt1.aspmx.l.google.com",
        "alt2.aspmx.l.google.com",
        "alt3.aspmx.l.google.com",
        "alt4.aspmx.l.google.com",
      ],
      ["*.aspmx.l.google.com", "aspmx.l.google.com"],
    ],
    [["MX.Zoho.com.", "mx2.zoho.com", "mx3.zoho.com"], ["*.zoho.com"]],
    [
      ["mx1.example", "mx2.example"],
      ["mx1.example", "mx2.example"],
    ], // never *.<tld>
    [
      ["*.mail.acme.com", "mx9.mail.acme.com", "other.net.example"],
      ["*.mail.acme.com", "other.net.example"],
    ],
    [["."], []],
  ])("%j → %j", (hosts, patterns) => {
    expect(mtaStsMxPatterns(hosts)).toEqual(patterns);
  });
});

describe("buildMtaStsPolicy", () => {
  it("writes the RFC 8461 policy with CRLF line endings and a hash id", () => {
    const p = buildMtaStsPolicy(["mx2.mail.acme.com", "mx1.mail.acme.com"], "enforce", 604800);
    const text = "version: STSv1\r\nmode: enforce\r\nmx: *.mail.acme.com\r\nmax_age: 604800\r\n";
    expect(p.text).toBe(text);
    expect(p.id).toBe(createHash("sha256").update(text).digest("hex").slice(0, 32));
    expect(p.id).toMatch(/^[0-9a-f]{32}$/);
    expect(mtaStsTxt(p.id)).toBe(`v=STSv1; id=${p.id}`);
  });

  it("keeps hosts literal without wildcards and changes the id with the policy", () => {
    const a = buildMtaStsPolicy(
      ["mx2.acme.com", "mx1.acme.com", "MX1.acme.com."],
      "testing",
      86400,
      {
        wildcards: false,
      },
    );
    expect(a.text).toBe(
      "version: STSv1\r\nmode: testing\r\nmx: mx1.acme.com\r\nmx: mx2.acme.com\r\nmax_age: 86400\r\n",
    );
    const b = buildMtaStsPolicy(["mx1.acme.com", "mx2.acme.com"], "enforce", 86400, {
      wildcards: false,
    });
    expect(b.id).not.toBe(a.id);
    expect(buildMtaStsPolicy([], "none", 0).text).toBe(
      "version: STSv1\r\nmode: none\r\nmax_age: 0\r\n",
    );
  });

  it("rejects bad input with what is allowed", () => {
    expect(() => buildMtaStsPolicy(["mx.acme.com"], "strict" as never, 1)).toThrow(
      'mtaSts.mode: must be "enforce", "testing" or "none" (got "strict")',
    );
    expect(() => buildMtaStsPolicy(["mx.acme.com"], "enforce", 31557601)).toThrow(
      "mtaSts.maxAge: must be an integer 0–31557600 seconds (got 31557601)",
    );
    expect(() => buildMtaStsPolicy(["mx .acme.com"], "enforce", 1)).toThrow(
      'mtaSts.mx: "mx .acme.com" is not an MX pattern; allowed: a host name, optionally starting with *.',
    );
    expect(() => buildMtaStsPolicy(["."], "enforce", 1)).toThrow(
      'mtaSts.mx: mode "enforce" needs at least one MX host; allowed: mode "none" for a domain without MX',
    );
  });
});
