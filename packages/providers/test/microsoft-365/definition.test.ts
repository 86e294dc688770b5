/** The microsoft365 definition's pure parts: the endpoint locator, DNS facts, credentials. */
import { describe, expect, it } from "vitest";
import {
  microsoft365ArgsSchema,
  microsoft365Definition,
  microsoft365Endpoint,
  microsoft365Facts,
  microsoft365MailboxProblems,
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

  it("carries the Exchange opt-in in the locator, and the definition can do what it allows", () => {
    const exchange = microsoft365ArgsSchema.parse({
      ...args,
      exchange: { invokeCommand: true, apiUrl: "http://127.0.0.1:9/adminapi/beta" },
    });
    const locator = microsoft365Endpoint(exchange);
    expect(
      locator.endsWith(
        "&exchange=invokeCommand&exchangeApi=http%3A%2F%2F127.0.0.1%3A9%2Fadminapi%2Fbeta",
      ),
    ).toBe(true);
    expect(microsoft365SettingsFromEndpoint(locator).exchange).toEqual({
      apiUrl: "http://127.0.0.1:9/adminapi/beta",
    });
    // invokeCommand: false is no opt-in.
    const off = microsoft365ArgsSchema.parse({ ...args, exchange: { invokeCommand: false } });
    expect(microsoft365Endpoint(off)).toBe(microsoft365Endpoint(args));
    expect(microsoft365SettingsFromEndpoint(microsoft365Endpoint(args)).exchange).toBeUndefined();
    expect(microsoft365Definition.capabilities).toMatchObject({
      aliasesPerMailbox: 399,
      sharedMailboxes: true,
      externalForward: false,
      require2fa: true,
    });
  });

  it("carries mfa in the locator and refuses require2fa at preview without it", () => {
    const byGroup = microsoft365ArgsSchema.parse({
      ...args,
      mfa: { groupId: "22222222-2222-4222-8222-222222222222" },
    });
    const byPolicy = microsoft365ArgsSchema.parse({ ...args, mfa: { createPolicy: true } });
    expect(microsoft365SettingsFromEndpoint(microsoft365Endpoint(byGroup)).mfa).toEqual({
      groupId: "22222222-2222-4222-8222-222222222222",
    });
    expect(microsoft365SettingsFromEndpoint(microsoft365Endpoint(byPolicy)).mfa).toEqual({
      createPolicy: true,
    });
    const mailbox = { shared: false, require2fa: true };
    expect(microsoft365MailboxProblems(microsoft365Endpoint(byPolicy), mailbox)).toEqual([]);
    expect(microsoft365MailboxProblems(microsoft365Endpoint(args), mailbox)).toEqual([
      {
        field: "require2fa",
        message:
          'multi-factor sign-in is enforced by a Conditional Access policy in Microsoft 365, not a user field; set mfa: { groupId: "<id of the security group your policy targets>" } or mfa: { createPolicy: true } on providers.microsoft365, or remove require2fa',
      },
    ]);
    expect(() =>
      microsoft365ArgsSchema.parse({
        ...args,
        mfa: { groupId: "22222222-2222-4222-8222-222222222222", createPolicy: true },
      }),
    ).toThrow("give exactly one of groupId and createPolicy: true");
  });

  it("refuses at preview a shared mailbox without the opt-in, and a profile without a licence", () => {
    const plain = microsoft365Endpoint(args);
    const withExchange = microsoft365Endpoint(
      microsoft365ArgsSchema.parse({ ...args, exchange: { invokeCommand: true } }),
    );
    expect(microsoft365MailboxProblems(plain, { shared: true, require2fa: false })).toEqual([
      {
        field: "shared",
        message:
          "shared mailboxes live in Exchange Online, which Microsoft Graph cannot write; set exchange: { invokeCommand: true } on providers.microsoft365 to manage them through Exchange Online's admin route (undocumented by Microsoft: see the provider README), or remove them",
      },
    ]);
    expect(microsoft365MailboxProblems(withExchange, { shared: true, require2fa: false })).toEqual(
      [],
    );
    // A profile falls back to licences.default; without one it is refused.
    expect(
      microsoft365MailboxProblems(plain, { profile: "staff", shared: false, require2fa: false }),
    ).toEqual([]);
    const staffOnly = microsoft365Endpoint(
      microsoft365ArgsSchema.parse({
        ...args,
        licences: { staff: "6fd2c87f-b296-42f0-b197-1e91e994b900" },
      }),
    );
    expect(
      microsoft365MailboxProblems(staffOnly, { profile: "exec", shared: false, require2fa: false }),
    ).toEqual([
      {
        field: "profile",
        message:
          'has no licence for profile "exec"; allowed: licences.exec or licences.default on providers.microsoft365 (a SKU id that includes Exchange Online: a user without one has no mailbox)',
      },
    ]);
    expect(
      microsoft365MailboxProblems(staffOnly, {
        profile: "staff",
        shared: false,
        require2fa: false,
      }),
    ).toEqual([]);
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

  it("reads a client secret or a certificate key, each optional (the adapter names both when neither)", () => {
    expect(
      microsoft365Definition.credentials.map((c) => [c.name, c.env, c.configKey, c.optional]),
    ).toEqual([
      ["clientSecret", "MICROSOFT365_CLIENT_SECRET", "microsoft365ClientSecret", true],
      [
        "clientCertificateKey",
        "MICROSOFT365_CLIENT_CERTIFICATE_KEY",
        "microsoft365ClientCertificateKey",
        true,
      ],
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
