/** The microsoft365 definition's pure parts: the endpoint locator, DNS facts, credentials. */
import { describe, expect, it } from "vitest";
import {
  microsoft365ArgsSchema,
  microsoft365Definition,
  microsoft365Endpoint,
  microsoft365Facts,
  microsoft365SettingsFromEndpoint,
} from "../../src/mail/microsoft-365";

const args = microsoft365ArgsSchema.parse({
  tenantId: "contoso.onmicrosoft.com",
  clientId: "11111111-1111-4111-8111-111111111111",
  domain: "acme.com",
  usageLocation: "DE",
  licences: { default: "6fd2c87f-b296-42f0-b197-1e91e994b900" },
  apiUrl: "http://127.0.0.1:9/v1.0",
  authorityUrl: "http://127.0.0.1:9",
});

describe("microsoft365 definition", () => {
  it("round-trips every setting through the endpoint locator, which holds no secret", () => {
    const locator = microsoft365Endpoint(args);
    expect(locator.startsWith("microsoft365:?tenant=contoso.onmicrosoft.com&client=")).toBe(true);
    expect(microsoft365SettingsFromEndpoint(locator)).toEqual({
      tenantId: "contoso.onmicrosoft.com",
      clientId: "11111111-1111-4111-8111-111111111111",
      domain: "acme.com",
      usageLocation: "DE",
      licences: { default: "6fd2c87f-b296-42f0-b197-1e91e994b900" },
      apiUrl: "http://127.0.0.1:9/v1.0",
      authorityUrl: "http://127.0.0.1:9",
    });
    expect(() => microsoft365SettingsFromEndpoint("microsoft365:?tenant=t")).toThrow(
      "microsoft365: the endpoint locator lacks client, domain, usageLocation",
    );
  });

  it("needs the tenant-assigned MX and DKIM targets for DNS, naming both when missing", () => {
    expect(() => microsoft365Facts(args, "acme.com")).toThrow(
      "providers.microsoft365: mx and dkim are required to publish the DNS records of acme.com;",
    );
    const facts = microsoft365Facts(
      {
        ...args,
        mx: "acme-com.mail.protection.outlook.com",
        dkim: { selector1: "s1.acme.onmicrosoft.com", selector2: "s2.acme.onmicrosoft.com" },
      },
      "acme.com",
    );
    expect(facts.mx).toEqual([{ priority: 0, host: "acme-com.mail.protection.outlook.com" }]);
    expect(facts.spfInclude).toEqual(["spf.protection.outlook.com"]);
  });

  it("reads the client secret from MICROSOFT365_CLIENT_SECRET or mailplane:microsoft365ClientSecret", () => {
    expect(microsoft365Definition.credentials.map((c) => [c.name, c.env, c.configKey])).toEqual([
      ["clientSecret", "MICROSOFT365_CLIENT_SECRET", "microsoft365ClientSecret"],
    ]);
  });

  it("refuses http authorities other than loopback before any request", async () => {
    const provider = microsoft365Definition.createAdapter!({
      apiUrl: microsoft365Endpoint({ ...args, authorityUrl: "http://login.example.com" }),
      credentials: { clientSecret: "s3cret-value" },
    });
    await expect(provider.listMailboxes("acme.com")).rejects.toThrow(
      'microsoft365 token: authorityUrl "http://login.example.com" is http; allowed: https, or http on 127.0.0.1/localhost (an emulator)',
    );
  });
});
