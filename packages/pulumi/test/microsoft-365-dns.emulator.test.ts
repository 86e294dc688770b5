/**
 * `providers.microsoft365(...)` without `mx`: the MX host and the MS= value Microsoft assigned
 * the domain are read from Graph (the emulator) when the program runs, under Pulumi mocks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MailDomain, dns, providers } from "@mailplane/pulumi";
import { GraphEmulator, SKU_E3 } from "../../../test/emulators/microsoft-graph";
import { installMocks, valueOf } from "./dns-mocks";

const dkim = {
  selector1: "selector1-acme-com._domainkey.acme.onmicrosoft.com",
  selector2: "selector2-acme-com._domainkey.acme.onmicrosoft.com",
};

describe("providers.microsoft365 DNS facts from Graph", () => {
  let emu: GraphEmulator;
  let url: string;
  beforeAll(async () => {
    await installMocks();
    emu = new GraphEmulator({ domains: ["acme.com"], clientSecret: "dns~secret~0123456789" });
    url = await emu.start();
  });
  afterAll(async () => {
    delete process.env.MICROSOFT365_CLIENT_SECRET;
    await emu.stop();
  });

  const binding = (extra: Record<string, unknown> = {}) =>
    providers.microsoft365({
      tenantId: emu.tenantId,
      clientId: emu.clientId,
      domain: "acme.com",
      usageLocation: "DE",
      licences: { default: SKU_E3 },
      apiUrl: `${url}/v1.0`,
      authorityUrl: url,
      ...extra,
    });

  it("publishes the MX host and MS= value Graph lists, with the DKIM targets given", async () => {
    process.env.MICROSOFT365_CLIENT_SECRET = "dns~secret~0123456789";
    const domain = new MailDomain("m365dns", {
      domain: "acme.com",
      dns: dns.zoneFile({ path: "/tmp/mailplane-test/m365dns/acme.com.zone" }),
      provider: binding({ dkim }),
      mailboxes: { ali: { name: "Ali Alavi" } },
      groups: { postmaster: { members: ["ali"] }, abuse: { members: ["ali"] } },
    });
    const records = await valueOf(domain.records);
    expect(records.filter((r) => r.type === "MX").map((r) => [r.priority, r.value])).toEqual([
      [0, "acme-com.mail.protection.outlook.com"],
    ]);
    expect(
      records.filter((r) => r.type === "TXT" && r.value.startsWith("MS=")).map((r) => r.value),
    ).toEqual([`MS=${emu.verificationCode("acme.com")}`]);
    expect(emu.count("GET /v1.0/domains/:id/serviceConfigurationRecords")).toBe(1);
    expect(emu.count("GET /v1.0/domains/:id/verificationDnsRecords")).toBe(1);
  });

  it("with the Exchange opt-in and no dkim, reads the DKIM targets from Get-DkimSigningConfig", async () => {
    process.env.MICROSOFT365_CLIENT_SECRET = "dns~secret~0123456789";
    emu.resetLog();
    const exchange = { invokeCommand: true, apiUrl: `${url}/adminapi/beta` };
    const domain = new MailDomain("m365dkim", {
      domain: "acme.com",
      dns: dns.zoneFile({ path: "/tmp/mailplane-test/m365dns/dkim.zone" }),
      provider: binding({ exchange, mx: "given.mail.protection.outlook.com" }),
      mailboxes: { ali: { name: "Ali Alavi" } },
      groups: { postmaster: { members: ["ali"] }, abuse: { members: ["ali"] } },
    });
    const records = await valueOf(domain.records);
    expect(records.filter((r) => r.type === "CNAME").map((r) => [r.name, r.value])).toEqual([
      ["autodiscover.acme.com", "autodiscover.outlook.com"],
      ["selector1._domainkey.acme.com", "selector1-acme-com._domainkey.acme.onmicrosoft.com"],
      ["selector2._domainkey.acme.com", "selector2-acme-com._domainkey.acme.onmicrosoft.com"],
    ]);
    expect(records.filter((r) => r.type === "MX").map((r) => r.value)).toEqual([
      "given.mail.protection.outlook.com",
    ]);
    // mx given: Graph's records are not read; one cmdlet, with its own Exchange token.
    expect(emu.exchange.invoked).toEqual([
      { cmdlet: "Get-DkimSigningConfig", parameters: { Identity: "acme.com" } },
    ]);
    expect(emu.count("GET /v1.0/domains/:id/serviceConfigurationRecords")).toBe(0);
    // Without the opt-in, dkim stays required, and the error says how else to get it.
    expect(
      () =>
        new MailDomain("m365nodkim", {
          domain: "acme.com",
          dns: dns.zoneFile({ path: "/tmp/mailplane-test/m365dns/nodkim.zone" }),
          provider: binding({ mx: "given.mail.protection.outlook.com" }),
          mailboxes: { ali: { name: "Ali Alavi" } },
          groups: { postmaster: { members: ["ali"] }, abuse: { members: ["ali"] } },
        }),
    ).toThrow("dkim is required to publish the DNS records of acme.com");
  });

  it("reads nothing from Graph when mx is given", async () => {
    emu.resetLog();
    const facts = binding({ dkim, mx: "given.mail.protection.outlook.com" }).dnsFacts("acme.com", {
      name: "x",
    } as never);
    expect((facts as { mx: unknown }).mx).toEqual([
      { priority: 0, host: "given.mail.protection.outlook.com" },
    ]);
    expect(emu.count()).toBe(0);
  });
});
