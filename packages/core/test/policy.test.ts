import { describe, expect, it } from "vitest";
import { formatIssue } from "../src/errors";
import { policySchema } from "../src/policy";
import { formatZodIssues } from "../src/spec";

/** The error lines the user sees for a bad `policy`. */
function errors(input: unknown): string[] {
  const r = policySchema.safeParse(input, { reportInput: true });
  if (r.success) return [];
  return formatZodIssues(r.error.issues, ["policy"]).map(formatIssue);
}

describe("policySchema", () => {
  it("applies documented defaults", () => {
    expect(policySchema.parse({})).toEqual({
      spf: { all: "~all" },
      dkim: {},
      dmarcReportsFor: [],
      noMail: false,
      clientDiscovery: true,
      ttl: 3600,
    });
  });

  it("normalises addresses, hosts and keys", () => {
    const p = policySchema.parse({
      spf: {
        include: ["_SPF.Google.com."],
        ip6: ["2001:DB8::/32"],
        ip4: ["192.0.2.0/24"],
        a: ["Web.Acme.com"],
      },
      dmarc: {
        policy: "reject",
        rua: ["DMARC@ACME.COM", "mailto:x@Reports.Example"],
        fo: ["1", "s"],
      },
      dkim: {
        google: {
          publicKey: "-----BEGIN PUBLIC KEY-----\nMIIB\nIjAN==\n-----END PUBLIC KEY-----\n",
        },
      },
      mtaSts: {
        mode: "enforce",
        maxAge: 86400,
        mx: ["*.Mail.Acme.com"],
        policyHost: "Sts.Host.example",
      },
      tlsRpt: { rua: ["tls@acme.com", "mailto:t2@acme.com", "https://reports.example/tls"] },
      bimi: { logoUrl: "https://acme.com/logo.svg", authorityUrl: "https://acme.com/vmc.pem" },
    });
    expect(p.spf).toEqual({
      include: ["_spf.google.com"],
      ip4: ["192.0.2.0/24"],
      ip6: ["2001:db8::/32"],
      a: ["web.acme.com"],
      all: "~all",
    });
    expect(p.dmarc?.rua).toEqual(["mailto:DMARC@acme.com", "mailto:x@reports.example"]);
    expect(p.dkim).toEqual({ google: { publicKey: "MIIBIjAN==", keyType: "rsa" } });
    expect(p.mtaSts).toEqual({
      mode: "enforce",
      maxAge: 86400,
      mx: ["*.mail.acme.com"],
      policyHost: "sts.host.example",
    });
    expect(p.tlsRpt?.rua).toEqual([
      "mailto:tls@acme.com",
      "mailto:t2@acme.com",
      "https://reports.example/tls",
    ]);
    expect(p.bimi).toEqual({
      logoUrl: "https://acme.com/logo.svg",
      authorityUrl: "https://acme.com/vmc.pem",
      selector: "default",
    });
  });

  it("names path, value and what is allowed for every bad field", () => {
    expect(
      errors({
        spf: {
          include: ["not a host"],
          ip4: ["300.1.1.1"],
          ip6: ["2001:db8::g", "1::2::3", "::1/129", "1:2:3"],
          all: "+all",
          mx: [],
        },
        dmarc: { policy: "block", rua: ["nobody"], legacy: { pct: 101 } },
        dkim: { "bad selector": { publicKey: "!!" }, ok: { value: "k=rsa" } },
        mtaSts: { mode: "enforce", maxAge: 31557601, mx: ["bad host"] },
        tlsRpt: { rua: ["ftp://x"] },
        bimi: { logoUrl: "http://acme.com/logo.png", authorityUrl: "not a url" },
        ttl: 30,
      }),
    ).toEqual([
      'policy.spf.include[0]: is not a valid SPF include domain (got "not a host"; allowed: a DNS host name such as _spf.example.com (letters, digits, "-", "_", dots))',
      'policy.spf.ip4[0]: is not an IPv4 address or CIDR (got "300.1.1.1"; allowed: e.g. 192.0.2.10 or 192.0.2.0/24)',
      'policy.spf.ip6[0]: is not an IPv6 address or CIDR (got "2001:db8::g"; allowed: e.g. 2001:db8::1 or 2001:db8::/32)',
      'policy.spf.ip6[1]: is not an IPv6 address or CIDR (got "1::2::3"; allowed: e.g. 2001:db8::1 or 2001:db8::/32)',
      'policy.spf.ip6[2]: is not an IPv6 address or CIDR (got "::1/129"; allowed: e.g. 2001:db8::1 or 2001:db8::/32)',
      'policy.spf.ip6[3]: is not an IPv6 address or CIDR (got "1:2:3"; allowed: e.g. 2001:db8::1 or 2001:db8::/32)',
      "policy.spf.mx: must not be empty (got []; allowed: true (the domain itself) or a list of host names)",
      'policy.spf.all: must be "-all", "~all" or "?all" (got "+all")',
      'policy.dmarc.policy: must be "none", "quarantine" or "reject" (got "block")',
      'policy.dmarc.rua[0]: is not a valid report address (got "nobody"; allowed: an e-mail address (dmarc@example.com) or a mailto: URI)',
      "policy.dmarc.legacy.pct: must be 0–100 (got 101)",
      'policy.dkim["bad selector"].publicKey: is not a base64 public key (got "!!"; allowed: the base64 of the key (PEM armour is removed), at most 4096 characters)',
      'policy.dkim.ok.value: must start with "v=DKIM1;" (got "k=rsa"; allowed: a full DKIM record such as v=DKIM1; k=rsa; p=MIIB...)',
      'policy.dkim["bad selector"]: is not a valid DKIM selector (got "bad selector"; allowed: DNS labels (letters, digits, -, _) separated by dots, at most 200 characters)',
      "policy.mtaSts.maxAge: must be 1–31557600 seconds (RFC 8461 maximum) (got 31557601)",
      'policy.mtaSts.mx[0]: is not an MX pattern (got "bad host"; allowed: a host name, optionally starting with *.)',
      'policy.tlsRpt.rua[0]: is not a TLS-RPT destination (got "ftp://x"; allowed: an e-mail address, a mailto: URI or an https:// URL (printable ASCII, at most 1024 characters))',
      'policy.bimi.logoUrl: is not allowed (got "http://acme.com/logo.png"; allowed: an https:// URL of an SVG logo (…/logo.svg))',
      'policy.bimi.authorityUrl: is not allowed (got "not a url"; allowed: an https:// URL of a certificate (…/vmc.pem))',
      "policy.ttl: must be 60–604800 seconds (got 30)",
    ]);
  });

  it("checks the invalid DKIM key and unknown fields", () => {
    expect(errors({ dkim: { s1: { publicKey: "!!" } } })).toEqual([
      'policy.dkim.s1.publicKey: is not a base64 public key (got "!!"; allowed: the base64 of the key (PEM armour is removed), at most 4096 characters)',
    ]);
    expect(errors({ dmarc: { policy: "none", pct: 5 } })).toEqual([
      'policy.dmarc.pct: is not a known field (got "pct"; allowed: Unrecognized key: "pct")',
    ]);
  });

  it("ties BIMI to an enforcing DMARC policy and keeps noMail alone", () => {
    expect(errors({ bimi: { logoUrl: "https://acme.com/l.svg" } })).toEqual([
      'policy.bimi: needs an enforcing DMARC policy (got "none"; allowed: set dmarc.policy to "quarantine" or "reject")',
    ]);
    expect(
      errors({
        noMail: true,
        spf: { include: ["_spf.google.com"] },
        dmarc: { policy: "none" },
        dkim: { s: { publicKey: "QUJD" } },
        mtaSts: { mode: "none" },
        tlsRpt: { rua: ["a@acme.com"] },
      }),
    ).toEqual([
      'policy.noMail: is true but the policy also declares spf senders, dmarc.policy "none", dkim, mtaSts, tlsRpt (got true; allowed: noMail alone (dmarc.policy "reject" and report addresses are fine))',
    ]);
    expect(errors({ noMail: true, dmarc: { policy: "reject", rua: ["d@acme.com"] } })).toEqual([]);
  });
});
