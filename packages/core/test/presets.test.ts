import { describe, expect, it } from "vitest";
import {
  cloudflareEmailRoutingDnsFacts,
  fastmailDnsFacts,
  googleDnsFacts,
  microsoft365DnsFacts,
  migaduDnsFacts,
  sesDnsFacts,
  zohoDnsFacts,
} from "../src/presets";

describe("provider DNS presets", () => {
  it("google: new single MX by default, legacy five on request", () => {
    expect(googleDnsFacts()).toEqual({
      provider: "google",
      mx: [{ priority: 1, host: "smtp.google.com" }],
      spfInclude: ["_spf.google.com"],
      dkim: [],
      verification: [],
      clientDiscovery: {
        imap: { host: "imap.gmail.com", port: 993 },
        submission: { host: "smtp.gmail.com", port: 465 },
      },
    });
    expect(
      googleDnsFacts({ legacy: true, verification: ["google-site-verification=x"] }),
    ).toMatchObject({
      mx: [
        { priority: 1, host: "aspmx.l.google.com" },
        { priority: 5, host: "alt1.aspmx.l.google.com" },
        { priority: 5, host: "alt2.aspmx.l.google.com" },
        { priority: 10, host: "alt3.aspmx.l.google.com" },
        { priority: 10, host: "alt4.aspmx.l.google.com" },
      ],
      verification: ["google-site-verification=x"],
    });
  });

  it("zoho: hosts per data centre", () => {
    expect(zohoDnsFacts({ dataCenter: "eu", dkim: { zmail: "v=DKIM1; k=rsa; p=QUJD" } })).toEqual({
      provider: "zoho",
      mx: [
        { priority: 10, host: "mx.zoho.eu" },
        { priority: 20, host: "mx2.zoho.eu" },
        { priority: 50, host: "mx3.zoho.eu" },
      ],
      spfInclude: ["zohomail.eu"],
      dkim: [{ selector: "zmail", type: "TXT", value: "v=DKIM1; k=rsa; p=QUJD" }],
      verification: [],
      clientDiscovery: {
        imap: { host: "imap.zoho.eu", port: 993 },
        submission: { host: "smtp.zoho.eu", port: 465 },
      },
    });
    expect(zohoDnsFacts().mx[0]).toEqual({ priority: 10, host: "mx.zoho.com" });
    expect(() => zohoDnsFacts({ dataCenter: "de" as never })).toThrow(
      'zoho: dataCenter "de" is not allowed; allowed: "com", "eu", "in", "com.au", "jp", "ca", "sa"',
    );
  });

  it("migadu and fastmail: DKIM CNAMEs derived from the documented pattern", () => {
    expect(
      migaduDnsFacts({ domain: "Acme.com.", verification: ["other=1"], verificationCode: "abc" }),
    ).toEqual({
      provider: "migadu",
      mx: [
        { priority: 10, host: "aspmx1.migadu.com" },
        { priority: 20, host: "aspmx2.migadu.com" },
      ],
      spfInclude: ["spf.migadu.com"],
      dkim: [
        { selector: "key1", type: "CNAME", value: "key1.acme.com._domainkey.migadu.com" },
        { selector: "key2", type: "CNAME", value: "key2.acme.com._domainkey.migadu.com" },
        { selector: "key3", type: "CNAME", value: "key3.acme.com._domainkey.migadu.com" },
      ],
      verification: ["other=1", "hosted-email-verify=abc"],
      clientDiscovery: {
        imap: { host: "imap.migadu.com", port: 993 },
        pop3: { host: "pop.migadu.com", port: 995 },
        submission: { host: "smtp.migadu.com", port: 465 },
        autoconfig: "autoconfig.migadu.com",
        autodiscover: "autodiscover.migadu.com",
      },
    });
    expect(fastmailDnsFacts({ domain: "acme.com" })).toMatchObject({
      mx: [
        { priority: 10, host: "in1-smtp.messagingengine.com" },
        { priority: 20, host: "in2-smtp.messagingengine.com" },
      ],
      spfInclude: ["spf.messagingengine.com"],
      dkim: [
        { selector: "fm1", type: "CNAME", value: "fm1.acme.com.dkim.fmhosted.com" },
        { selector: "fm2", type: "CNAME", value: "fm2.acme.com.dkim.fmhosted.com" },
        { selector: "fm3", type: "CNAME", value: "fm3.acme.com.dkim.fmhosted.com" },
      ],
    });
    expect(() => migaduDnsFacts({ domain: "not a domain" })).toThrow(
      'migadu: domain "not a domain" is not a host name; allowed: a DNS host name such as mx.example.com',
    );
  });

  it("microsoft365: tenant values are arguments", () => {
    expect(
      microsoft365DnsFacts({
        mxHost: "acme-com.o-v1.mx.microsoft",
        dkim: { selector1: "s1.acme.onmicrosoft.com", selector2: "s2.acme.onmicrosoft.com" },
      }),
    ).toEqual({
      provider: "microsoft365",
      mx: [{ priority: 0, host: "acme-com.o-v1.mx.microsoft" }],
      spfInclude: ["spf.protection.outlook.com"],
      dkim: [
        { selector: "selector1", type: "CNAME", value: "s1.acme.onmicrosoft.com" },
        { selector: "selector2", type: "CNAME", value: "s2.acme.onmicrosoft.com" },
      ],
      verification: [],
      clientDiscovery: { autodiscover: "autodiscover.outlook.com" },
    });
    expect(() =>
      microsoft365DnsFacts({ mxHost: "x.mx.microsoft", dkim: { selector1: "a.b", selector2: "" } }),
    ).toThrow(
      'microsoft365: dkim.selector2 "" is not a host name; allowed: a DNS host name such as mx.example.com',
    );
  });

  it("ses: DKIM from tokens, SPF and feedback MX on the MAIL FROM subdomain only", () => {
    const tokens = ["abcdefghijklmnop1", "abcdefghijklmnop2", "abcdefghijklmnop3"];
    expect(
      sesDnsFacts({
        domain: "acme.com",
        region: "eu-west-1",
        dkimTokens: tokens,
        mailFromDomain: "bounce.acme.com",
        receiving: true,
      }),
    ).toEqual({
      provider: "ses",
      mx: [{ priority: 10, host: "inbound-smtp.eu-west-1.amazonaws.com" }],
      spfInclude: [],
      dkim: tokens.map((t) => ({ selector: t, type: "CNAME", value: `${t}.dkim.amazonses.com` })),
      verification: [],
      extraRecords: [
        {
          name: "bounce.acme.com",
          type: "MX",
          ttl: 3600,
          priority: 10,
          value: "feedback-smtp.eu-west-1.amazonses.com",
          role: "ses-mail-from-mx",
        },
        {
          name: "bounce.acme.com",
          type: "TXT",
          ttl: 3600,
          value: "v=spf1 include:amazonses.com ~all",
          role: "ses-mail-from-spf",
        },
      ],
    });
    expect(sesDnsFacts({ domain: "acme.com", region: "us-east-1", dkimTokens: tokens }).mx).toEqual(
      [],
    );
    expect(() => sesDnsFacts({ domain: "acme.com", region: "mars", dkimTokens: tokens })).toThrow(
      'ses: region "mars" is not an AWS region; allowed: e.g. "eu-west-1"',
    );
    expect(() => sesDnsFacts({ domain: "acme.com", region: "us-east-1", dkimTokens: [] })).toThrow(
      "ses: dkimTokens [] are not SES DKIM tokens; allowed: the EmailIdentity's dkimSigningAttributes tokens (lower-case alphanumerics)",
    );
    expect(() =>
      sesDnsFacts({
        domain: "acme.com",
        region: "us-east-1",
        dkimTokens: tokens,
        mailFromDomain: "bounce.other.com",
      }),
    ).toThrow(
      'ses: mailFromDomain "bounce.other.com" is not a subdomain of acme.com; allowed: e.g. bounce.acme.com',
    );
  });

  it("cloudflare email routing: the zone's MX set is an argument", () => {
    const mx = [
      { priority: 13, host: "route1.mx.cloudflare.net" },
      { priority: 86, host: "route2.mx.cloudflare.net" },
      { priority: 24, host: "route3.mx.cloudflare.net" },
    ];
    expect(
      cloudflareEmailRoutingDnsFacts({ mx, dkim: { cf2024: "v=DKIM1; k=rsa; p=QUJD" } }),
    ).toEqual({
      provider: "cloudflareEmailRouting",
      mx,
      spfInclude: ["_spf.mx.cloudflare.net"],
      dkim: [{ selector: "cf2024", type: "TXT", value: "v=DKIM1; k=rsa; p=QUJD" }],
      verification: [],
    });
    expect(() => cloudflareEmailRoutingDnsFacts({ mx: [] })).toThrow(
      "cloudflareEmailRouting: mx is empty; allowed: the zone's route1/2/3.mx.cloudflare.net records",
    );
  });
});
