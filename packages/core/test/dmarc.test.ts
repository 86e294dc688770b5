import { describe, expect, it } from "vitest";
import { buildDmarc, dmarcReportDomains } from "../src/dmarc";
import { policySchema, type DmarcPolicy } from "../src/policy";
import { errorOf } from "./fixtures";

const dmarc = (input: unknown): DmarcPolicy => policySchema.parse({ dmarc: input }).dmarc!;

describe("buildDmarc", () => {
  it.each([
    [{ policy: "none" }, "v=DMARC1; p=none"],
    [
      { policy: "reject", rua: ["dmarc@acme.com"] },
      "v=DMARC1; p=reject; rua=mailto:dmarc@acme.com",
    ],
    [
      {
        policy: "quarantine",
        subdomainPolicy: "reject",
        nonExistentPolicy: "reject",
        testing: true,
        rua: ["mailto:agg@acme.com", "reports@dmarc.example.net"],
        ruf: ["forensic@acme.com"],
        adkim: "s",
        aspf: "r",
        fo: ["1", "d"],
        psd: "n",
        legacy: { pct: 50 },
      },
      "v=DMARC1; p=quarantine; sp=reject; np=reject; t=y; rua=mailto:agg@acme.com,mailto:reports@dmarc.example.net; ruf=mailto:forensic@acme.com; adkim=s; aspf=r; fo=1:d; psd=n; pct=50",
    ],
    [{ policy: "reject", legacy: { pct: 0 } }, "v=DMARC1; p=reject; pct=0"],
    [
      { policy: "none", rua: ["odd!name@acme.com"] },
      "v=DMARC1; p=none; rua=mailto:odd%21name@acme.com",
    ],
  ])("%j → %s", (input, expected) => {
    expect(buildDmarc(dmarc(input))).toBe(expected);
  });

  it("validates every tag of a hand-built object, naming its path", () => {
    const bad = (p: object) =>
      errorOf(() =>
        buildDmarc({ policy: "none", rua: [], ruf: [], testing: false, ...p } as DmarcPolicy),
      );
    expect(bad({ policy: "block" })).toBe(
      'policy.dmarc.policy: must be "none", "quarantine" or "reject" (got "block")',
    );
    expect(bad({ subdomainPolicy: "" })).toBe(
      'policy.dmarc.subdomainPolicy: must be "none", "quarantine" or "reject" (got "")',
    );
    expect(bad({ adkim: "x" })).toBe(
      'policy.dmarc.adkim: must be "r" (relaxed) or "s" (strict) (got "x")',
    );
    expect(bad({ fo: ["2"] })).toBe('policy.dmarc.fo[0]: must be "0", "1", "d" or "s" (got "2")');
    expect(bad({ fo: ["1", "1"] })).toBe(
      'policy.dmarc.fo: has duplicates (got ["1","1"]; allowed: each of "0", "1", "d", "s" at most once)',
    );
    expect(bad({ psd: "yes" })).toBe('policy.dmarc.psd: must be "y", "n" or "u" (got "yes")');
    expect(bad({ legacy: { pct: 100.5 } })).toBe(
      "policy.dmarc.legacy.pct: must be an integer (got 100.5; allowed: 0–100)",
    );
    expect(bad({ rua: ["not an address"] })).toBe(
      'policy.dmarc.rua[0]: is not a valid report address (got "not an address"; allowed: an e-mail address (dmarc@example.com) or a mailto: URI)',
    );
    expect(bad({ rf: "afrf" })).toBe(
      'policy.dmarc.rf: is not a known field (got "rf"; allowed: "policy", "subdomainPolicy", "nonExistentPolicy", "testing", "rua", "ruf", "adkim", "aspf", "fo", "psd", "legacy")',
    );
  });
});

describe("dmarcReportDomains", () => {
  it("lists destination domains once, rua first", () => {
    expect(
      dmarcReportDomains(
        dmarc({
          policy: "none",
          rua: ["a@acme.com", "b@Reports.Example.net"],
          ruf: ["c@reports.example.net", "d@other.example"],
        }),
      ),
    ).toEqual(["acme.com", "reports.example.net", "other.example"]);
    expect(dmarcReportDomains({ rua: ["https://x.example/r"], ruf: [] })).toEqual([]);
  });
});
