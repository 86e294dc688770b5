import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeTxt, encodeTxt, splitTxt, type TxtTarget } from "../src/txt";

const targets: TxtTarget[] = ["cloudflare", "route53", "zonefile"];
const bytes = (s: string) => new TextEncoder().encode(s).length;

describe("splitTxt", () => {
  it.each([
    [0, [0]],
    [1, [1]],
    [254, [254]],
    [255, [255]],
    [256, [255, 1]],
    [509, [255, 254]],
    [510, [255, 255]],
    [511, [255, 255, 1]],
  ])("splits %i ASCII bytes into strings of %j bytes", (n, sizes) => {
    expect(splitTxt("a".repeat(n)).map(bytes)).toEqual(sizes);
  });

  it("never cuts a multi-byte character", () => {
    // 254 ASCII bytes then a 3-byte character: it cannot fit in the first string.
    const v = `${"a".repeat(254)}€b`;
    expect(splitTxt(v)).toEqual(["a".repeat(254), "€b"]);
    // A 4-byte character exactly at the boundary fits.
    const w = `${"a".repeat(251)}😀x`;
    expect(splitTxt(w)).toEqual([`${"a".repeat(251)}😀`, "x"]);
  });

  it("rejects lone surrogates", () => {
    expect(() => splitTxt("a\uD800b")).toThrow(
      "TXT value contains a lone UTF-16 surrogate; allowed: well-formed Unicode text",
    );
  });
});

describe("encodeTxt", () => {
  const dkim = `v=DKIM1; k=rsa; p=${"A".repeat(392)}`; // 410 bytes: a 2048-bit RSA key record

  it("writes one record for a long DKIM key, per backend", () => {
    const first = dkim.slice(0, 255);
    const rest = dkim.slice(255);
    expect(encodeTxt(dkim, "cloudflare")).toBe(`"${first}" "${rest}"`);
    expect(encodeTxt(dkim, "route53")).toBe(`${first}""${rest}`);
    expect(encodeTxt(dkim, "zonefile")).toBe(`"${first}" "${rest}"`);
  });

  it("escapes quotes, backslashes and non-printable bytes", () => {
    const v = 'say "hi" \\ tab\there é';
    expect(encodeTxt(v, "cloudflare")).toBe('"say \\"hi\\" \\\\ tab\\009here é"');
    expect(encodeTxt(v, "zonefile")).toBe('"say \\"hi\\" \\\\ tab\\009here \\195\\169"');
    expect(encodeTxt(v, "route53")).toBe('say \\"hi\\" \\\\ tab\\011here \\303\\251');
  });

  it("encodes the empty value as one empty string", () => {
    expect(encodeTxt("", "cloudflare")).toBe('""');
    expect(encodeTxt("", "zonefile")).toBe('""');
    expect(encodeTxt("", "route53")).toBe("");
  });

  it.each([254, 255, 256, 509, 510, 511])("round-trips %i bytes on every backend", (n) => {
    const v = "x".repeat(n);
    for (const t of targets) expect(decodeTxt(encodeTxt(v, t), t)).toBe(v);
    expect(encodeTxt(v, "cloudflare").split('" "').length).toBe(Math.max(1, Math.ceil(n / 255)));
  });
});

describe("decodeTxt", () => {
  it("reads the forms backends hand back", () => {
    expect(decodeTxt('part1" "part2', "route53")).toBe("part1part2");
    expect(decodeTxt('"part1" "part2"', "route53")).toBe("part1part2");
    expect(decodeTxt("v=spf1 -all", "route53")).toBe("v=spf1 -all");
    expect(decodeTxt("v=spf1 -all", "cloudflare")).toBe("v=spf1 -all");
    expect(decodeTxt('"v=spf1" " -all"', "cloudflare")).toBe("v=spf1 -all");
    expect(decodeTxt('plain  \\"word\\" "quoted"', "zonefile")).toBe('plain"word"quoted');
    expect(decodeTxt('"\\195\\169t"', "cloudflare")).toBe("ét");
  });

  it("fails clearly on malformed input", () => {
    expect(() => decodeTxt('"open', "zonefile")).toThrow(
      'cannot decode zonefile TXT value "\\"open": a quoted string is not closed',
    );
    expect(() => decodeTxt('"a\\', "cloudflare")).toThrow(
      'cannot decode cloudflare TXT value "\\"a\\\\": it ends with a lone backslash',
    );
    expect(() => decodeTxt('"\\999"', "zonefile")).toThrow(
      'cannot decode zonefile TXT value "\\"\\\\999\\"": escape \\999 is not a byte',
    );
    expect(() => decodeTxt('"\\255"', "zonefile")).toThrow(
      'cannot decode zonefile TXT value "\\"\\\\255\\"": its bytes are not valid UTF-8',
    );
    expect(() => decodeTxt("\\777", "route53")).toThrow(
      'cannot decode route53 TXT value "\\\\777": escape \\777 is not a byte',
    );
    expect(() => decodeTxt(`"${"x".repeat(100)}`, "zonefile")).toThrow(
      `cannot decode zonefile TXT value "\\"${"x".repeat(76)}...": a quoted string is not closed`,
    );
  });
});

describe("round trip property", () => {
  it.each(targets)("decodeTxt(encodeTxt(v, %s)) === v for unicode up to 4 KiB", (t) => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 1400 }),
          fc.string({ unit: "grapheme", maxLength: 1000 }),
          fc.string({ maxLength: 4096 }),
        ),
        (v) => {
          fc.pre(bytes(v) <= 4096);
          const encoded = encodeTxt(v, t);
          expect(decodeTxt(encoded, t)).toBe(v);
          for (const part of splitTxt(v)) expect(bytes(part)).toBeLessThanOrEqual(255);
        },
      ),
      { numRuns: 300 },
    );
  });
});
