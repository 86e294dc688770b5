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
