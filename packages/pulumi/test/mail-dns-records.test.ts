/**
 * MailDnsRecords/publishMailDns with plain DNS facts whose values are Outputs (a DKIM key, a
 * CNAME target, a verification code and an SPF include that another resource outputs), under
 * Pulumi mocks in a deployment (not a preview): the children are created with role-derived
 * names and carry the real values; `records`, `spf`, `dmarc` and `mxHosts` resolve to them.
 * The preview half is in mail-dns-records-preview.test.ts (mocks need one mode per process).
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeTxt } from "@mailplane/core";
import { MailDnsRecords, dns } from "@mailplane/pulumi";
import { DKIM_KEY, DKIM_TXT } from "./dns-fixtures";
import { children, installMocks, registeredAll, valueOf, type Registered } from "./dns-mocks";

/** A resource whose outputs are known only after it is created (like a generated DKIM key). */
class KeySource extends pulumi.CustomResource {
  declare readonly publicKey: pulumi.Output<string>;
  declare readonly target: pulumi.Output<string>;
  declare readonly code: pulumi.Output<string>;
  declare readonly include: pulumi.Output<string>;
  constructor(name: string) {
    super(
      "test:index:KeySource",
      name,
      { publicKey: undefined, target: undefined, code: undefined, include: undefined },
      {},
    );
  }
}

let registered: Registered[];
beforeAll(async () => {
  registered = await installMocks(
    {},
    {
      "test:index:KeySource": () => ({
        publicKey: DKIM_KEY,
        target: "S2.DKIM.Provider.Example.",
        code: "provider-verify=Abc123",
        include: "_SPF.Relay.Example.",
      }),
    },
  );
});

describe("MailDnsRecords with Output values inside plain facts (deployment)", () => {
  it("creates the children at construction with role names and the real values", async () => {
    const src = new KeySource("src");
    const recs = new MailDnsRecords("acme", {
      domain: "acme.com",
      dns: dns.cloudflare({ zoneId: "zone-1" }),
      facts: {
        provider: "custom",
        mx: [{ priority: 10, host: "mx.example.net" }],
        spfInclude: [src.include],
        spfTerms: ["mx"],
        dkim: [
          {
            selector: "s1",
            type: "TXT",
            value: src.publicKey.apply((k) => `v=DKIM1; k=rsa; p=${k}`),
          },
          { selector: "s2", type: "CNAME", value: src.target },
        ],
        verification: [src.code, "static-verify=1"],
      },
      policy: { dmarc: { policy: "reject" } },
    });
    // Registered synchronously at construction, not inside an apply.
    expect(Object.keys(recs.recordResources).sort()).toEqual([
      "acme-dkim-s1",
      "acme-dkim-s2",
      "acme-dmarc",
      "acme-mx",
      "acme-spf",
      "acme-verification-97f04ab9",
      "acme-verification-b65b2720",
    ]);
    await registeredAll(Object.values(recs.recordResources));
    const got = children(registered).filter(
      (r) => r.type === "cloudflare:index/dnsRecord:DnsRecord",
    );
    const base = { zoneId: "zone-1", ttl: 1 };
    expect(got.map((r) => [r.name, r.inputs])).toEqual([
      [
        "acme-dkim-s1",
        {
          ...base,
          name: "s1._domainkey.acme.com",
          type: "TXT",
          content: encodeTxt(DKIM_TXT, "cloudflare"),
        },
      ],
      // A CNAME target is normalised as the planner normalises plain ones.
      [
        "acme-dkim-s2",
        {
          ...base,
          name: "s2._domainkey.acme.com",
          type: "CNAME",
          content: "s2.dkim.provider.example",
          proxied: false,
        },
      ],
      [
        "acme-dmarc",
        { ...base, name: "_dmarc.acme.com", type: "TXT", content: '"v=DMARC1; p=reject"' },
      ],
      [
        "acme-mx",
        { ...base, name: "acme.com", type: "MX", content: "mx.example.net", priority: 10 },
      ],
      [
        "acme-spf",
        {
          ...base,
          name: "acme.com",
          type: "TXT",
          content: '"v=spf1 mx include:_spf.relay.example ~all"',
        },
      ],
      [
        "acme-verification-97f04ab9",
        { ...base, name: "acme.com", type: "TXT", content: '"static-verify=1"' },
      ],
      // The pending code's record is named by its place in the list (the placeholder's hash).
      [
        "acme-verification-b65b2720",
        { ...base, name: "acme.com", type: "TXT", content: '"provider-verify=Abc123"' },
      ],
    ]);
    expect(await valueOf(recs.spf)).toBe("v=spf1 mx include:_spf.relay.example ~all");
    expect(await valueOf(recs.dmarc)).toBe("v=DMARC1; p=reject");
    expect(await valueOf(recs.mxHosts)).toEqual(["mx.example.net"]);
    const rec = { ttl: 3600 };
    expect(await valueOf(recs.records)).toEqual([
      { ...rec, name: "_dmarc.acme.com", type: "TXT", value: "v=DMARC1; p=reject", role: "dmarc" },
      { ...rec, name: "acme.com", type: "MX", priority: 10, value: "mx.example.net", role: "mx" },
      {
        ...rec,
        name: "acme.com",
        type: "TXT",
        value: "provider-verify=Abc123",
        role: "verification-b65b2720",
      },
      {
        ...rec,
        name: "acme.com",
        type: "TXT",
        value: "static-verify=1",
        role: "verification-97f04ab9",
      },
      {
        ...rec,
        name: "acme.com",
        type: "TXT",
        value: "v=spf1 mx include:_spf.relay.example ~all",
        role: "spf",
      },
      { ...rec, name: "s1._domainkey.acme.com", type: "TXT", value: DKIM_TXT, role: "dkim-s1" },
      {
        ...rec,
        name: "s2._domainkey.acme.com",
        type: "CNAME",
        value: "s2.dkim.provider.example",
        role: "dkim-s2",
      },
    ]);
    // No placeholder reaches any output.
    expect(JSON.stringify(await valueOf(recs.records))).not.toContain("mailplane-pending");
  });

  it("publishes a domain alias's own DKIM and verification from aliasFacts, in the alias's zone", async () => {
    const src = new KeySource("alias-src");
    const facts = (verification: pulumi.Input<string>) => ({
      provider: "custom",
      mx: [{ priority: 10, host: "mx.example.net" }],
      spfInclude: [],
      spfTerms: ["mx"],
      dkim: [
        {
          selector: "s1",
          type: "TXT" as const,
          value: src.publicKey.apply((k) => `v=DKIM1; k=rsa; p=${k}`),
        },
      ],
      verification: [verification],
    });
    const recs = new MailDnsRecords("beta", {
      domain: "beta.com",
      domainAliases: ["beta.co"],
      dns: dns.cloudflare({ zoneId: "zone-b", aliasZoneIds: { "beta.co": "zone-bco" } }),
      facts: facts("main-verify=1"),
      aliasFacts: { "beta.co": facts(src.code) },
    });
    expect(Object.keys(recs.recordResources).sort()).toEqual([
      "beta-beta.co-dkim-s1",
      "beta-beta.co-dmarc",
      "beta-beta.co-mx",
      "beta-beta.co-spf",
      "beta-beta.co-verification-906c5f19",
      "beta-dkim-s1",
      "beta-dmarc",
      "beta-mx",
      "beta-spf",
      "beta-verification-60bdda30",
    ]);
    await registeredAll(Object.values(recs.recordResources));
    const byName = new Map(children(registered).map((r) => [r.name, r.inputs]));
    expect(byName.get("beta-beta.co-dkim-s1")).toEqual({
      zoneId: "zone-bco",
      ttl: 1,
      name: "s1._domainkey.beta.co",
      type: "TXT",
      content: encodeTxt(DKIM_TXT, "cloudflare"),
    });
    expect(byName.get("beta-beta.co-verification-906c5f19")).toEqual({
      zoneId: "zone-bco",
      ttl: 1,
      name: "beta.co",
      type: "TXT",
      content: '"provider-verify=Abc123"',
    });
    expect(byName.get("beta-verification-60bdda30")).toMatchObject({
      zoneId: "zone-b",
      name: "beta.com",
      content: '"main-verify=1"',
    });
  });
});
