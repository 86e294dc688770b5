import fc from "fast-check";
import { domainToUnicode } from "node:url";
import { describe, expect, it } from "vitest";
import {
  checkAddress,
  checkDomain,
  domainToDisplay,
  isValidLocalPart,
  localPartProblem,
  MailplaneConfigError,
  normalizeAddress,
  normalizeDomain,
  parseAddress,
  sameAddress,
  showString,
  splitPlus,
} from "../src/index";

describe("isValidLocalPart", () => {
  it.each([
    ["ali", true],
    ["ali.alavi", true],
    ["a+tag", true],
    ["!#$%&'*+-/=?^_`{|}~", true],
    ["UPPER.case", true],
    ["a".repeat(64), true],
    ["a".repeat(65), false],
    ["", false],
    ["zhang san", false],
    [".ali", false],
    ["ali.", false],
    ["a..b", false],
    ['"quoted"', false],
    ["a(b)", false],
    ["a@b", false],
    ["zhāng", false],
  ])("%j → %s", (input, valid) => {
    expect(isValidLocalPart(input)).toBe(valid);
  });
});

describe("localPartProblem", () => {
  it("accepts a declared dot-atom", () => {
    expect(localPartProblem("san.zhang")).toBeUndefined();
  });
  it("explains an invalid local part", () => {
    expect(localPartProblem("zhang san")).toBe(
      `"zhang san" is not a valid local part (got "zhang san"; allowed: RFC 5321 dot-atom: letters, digits and !#$%&'*+-/=?^_\`{|}~, dots not leading, trailing or doubled)`,
    );
  });
  it("explains a local part over 64 octets", () => {
    expect(localPartProblem("a".repeat(65))).toBe(
      `"${"a".repeat(60)}"…(65 chars) is too long for a local part (got 65 characters; allowed: at most 64)`,
    );
  });
  it("refuses + in a declared local part and explains plus-addressing", () => {
    expect(localPartProblem("ali+news")).toBe(
      `"ali+news" contains "+", which starts a plus-address tag (got "ali+news"; allowed: a local part without "+": plus-addressing is automatic, ali+anything@ is delivered to ali@)`,
    );
  });
  it("accepts + when not declared (a reference)", () => {
    expect(localPartProblem("ali+news", false)).toBeUndefined();
  });
});

describe("splitPlus", () => {
  it.each([
    ["a+tag", { base: "a", tag: "tag" }],
    ["a", { base: "a" }],
    ["a+b+c", { base: "a", tag: "b+c" }],
    ["a+", { base: "a", tag: "" }],
  ])("%j", (input, parts) => {
    expect(splitPlus(input)).toEqual(parts);
  });
});

describe("normalizeDomain", () => {
  it.each([
    ["acme.com", "acme.com"],
    ["Acme.COM", "acme.com"],
    ["acme.com.", "acme.com"],
    ["bücher.de", "xn--bcher-kva.de"],
    ["BÜCHER.de", "xn--bcher-kva.de"],
    ["xn--bcher-kva.de", "xn--bcher-kva.de"],
    ["ｅｘａｍｐｌｅ.com", "example.com"],
    ["a。b.com", "a.b.com"],
    ["straße.de", "xn--strae-oqa.de"],
    ["mail.sub-domain.example", "mail.sub-domain.example"],
    [`${"a".repeat(63)}.com`, `${"a".repeat(63)}.com`],
  ])("%j → %j", (input, output) => {
    expect(normalizeDomain(input)).toBe(output);
  });

  it.each([
    "",
    ".",
    "acme",
    "acme..com",
    "acme.com..",
    ".acme.com",
    "-acme.com",
    "acme-.com",
    "a_b.com",
    "a b.com",
    "foo@bar.com",
    "ex%41mple.com",
    "1.2.3",
    "192.168.0.1",
    "*.acme.com",
    "xn--zz.com",
    `${"a".repeat(64)}.com`,
    `${"abcdefghi.".repeat(26)}com`,
  ])("rejects %j", (input) => {
    expect(checkDomain(input).problem).toBe(
      `${showString(input)} is not a valid domain name (got ${showString(input)}; allowed: a domain name of at least two labels, each 1–63 letters, digits or hyphens, not starting or ending with a hyphen, at most 253 characters in all; Unicode (IDN) or punycode)`,
    );
  });

  it("throws MailplaneConfigError naming the path", () => {
    let error: unknown;
    try {
      normalizeDomain("acme..com", "domainAliases[1]");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MailplaneConfigError);
    expect((error as MailplaneConfigError).issues).toEqual([
      {
        path: "domainAliases[1]",
        message: expect.stringMatching(/^"acme\.\.com" is not a valid domain name/) as unknown,
      },
    ]);
    expect(() => normalizeDomain("x")).toThrow(/^domain: "x" is not a valid domain name/);
  });

  it("shows punycode domains in Unicode", () => {
    expect(domainToDisplay("xn--bcher-kva.de")).toBe("bücher.de");
  });
});

describe("addresses", () => {
  it("parses and normalises", () => {
    expect(parseAddress("Ali+News@Bücher.DE.")).toEqual({
      localPart: "ali+news",
      domain: "xn--bcher-kva.de",
      base: "ali",
      tag: "news",
      address: "ali+news@xn--bcher-kva.de",
    });
    expect(parseAddress("a@b.example")).toEqual({
      localPart: "a",
      domain: "b.example",
      base: "a",
      address: "a@b.example",
    });
    expect(normalizeAddress("ZHANG@ACME.COM")).toBe("zhang@acme.com");
  });

  it.each([
    [
      "no-at-sign",
      `"no-at-sign" is not an e-mail address (got "no-at-sign"; allowed: local-part@domain)`,
    ],
    [
      "zhang san@acme.com",
      `"zhang san@acme.com" has an invalid local part: "zhang san" is not a valid local part (got "zhang san"; allowed: RFC 5321 dot-atom: letters, digits and !#$%&'*+-/=?^_\`{|}~, dots not leading, trailing or doubled)`,
    ],
    [
      "ali@acme",
      `"ali@acme" has an invalid domain: "acme" is not a valid domain name (got "acme"; allowed: a domain name of at least two labels, each 1–63 letters, digits or hyphens, not starting or ending with a hyphen, at most 253 characters in all; Unicode (IDN) or punycode)`,
    ],
  ])("rejects %j", (input, problem) => {
    expect(checkAddress(input).problem).toBe(problem);
    expect(() => parseAddress(input, "aliases.hr.to[0]")).toThrow(`aliases.hr.to[0]: ${problem}`);
  });

  it("uses the last @ (a quoted local part is not supported)", () => {
    expect(checkAddress('"a@b"@acme.com').problem).toMatch(/has an invalid local part/);
    expect(() => normalizeAddress("x")).toThrow(/^address: "x" is not an e-mail address/);
  });

  it("compares case-insensitively and across IDN forms", () => {
    expect(sameAddress("Ali@Bücher.de", "ali@xn--bcher-kva.DE")).toBe(true);
    expect(sameAddress("ali@acme.com", "ali.alavi@acme.com")).toBe(false);
    expect(sameAddress("not an address", "not an address")).toBe(false);
  });
});

// Properties.
const label = fc
  .stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?$/)
  .filter((l) => !/^..--/.test(l));
const unicodeLabel = fc
  .array(fc.constantFrom(..."abcdefxyz0123456789äöüéñßçøåł中文日本語한국"), {
    minLength: 1,
    maxLength: 12,
  })
  .map((cs) => cs.join(""));
const tld = fc.stringMatching(/^[a-z]{2,10}$/);
const asciiDomain = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 4 }), tld)
  .map(([ls, t]) => [...ls, t].join("."));
const idnDomain = fc
  .tuple(fc.array(unicodeLabel, { minLength: 1, maxLength: 3 }), tld)
  .map(([ls, t]) => [...ls, t].join("."))
  .filter((d) => checkDomain(d).domain !== undefined);
/** Upper-cases some characters; only those with a one-to-one case mapping (not ß → SS). */
const mixedCase = (s: string, flips: boolean[]) =>
  [...s]
    .map((c, i) =>
      flips[i % flips.length] && c.toUpperCase().toLowerCase() === c ? c.toUpperCase() : c,
    )
    .join("");

describe("address properties", () => {
  it("normalizeDomain is idempotent", () => {
    fc.assert(
      fc.property(fc.oneof(asciiDomain, idnDomain), (d) => {
        const once = normalizeDomain(d);
        expect(normalizeDomain(once)).toBe(once);
      }),
    );
  });

  it("normalizeDomain ignores case and a trailing dot", () => {
    fc.assert(
      fc.property(
        asciiDomain,
        fc.array(fc.boolean(), { minLength: 1 }),
        fc.boolean(),
        (d, flips, dot) => {
          expect(normalizeDomain(mixedCase(d, flips) + (dot ? "." : ""))).toBe(normalizeDomain(d));
        },
      ),
    );
  });

  it("punycode round-trips: Unicode and ASCII forms normalise alike", () => {
    fc.assert(
      fc.property(idnDomain, (d) => {
        const ascii = normalizeDomain(d);
        expect(ascii).toMatch(/^[a-z0-9.-]+$/);
        expect(normalizeDomain(domainToUnicode(ascii))).toBe(ascii);
        expect(domainToDisplay(ascii)).toBe(domainToUnicode(ascii));
      }),
    );
  });

  it("addresses compare case-insensitively", () => {
    const local = fc.stringMatching(/^[a-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}$/);
    fc.assert(
      fc.property(
        local,
        fc.oneof(asciiDomain, idnDomain),
        fc.array(fc.boolean(), { minLength: 1 }),
        (l, d, flips) => {
          const a = `${l}@${d}`;
          const b = mixedCase(a, flips);
          expect(normalizeAddress(b)).toBe(normalizeAddress(a));
          expect(sameAddress(a, b)).toBe(true);
          expect(normalizeAddress(normalizeAddress(a))).toBe(normalizeAddress(a));
        },
      ),
    );
  });
});
