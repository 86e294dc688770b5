/**
 * `providers.microsoft365(...)` under Pulumi mocks: derived from the registry line alone, its
 * arguments checked in the declaration's style, its accounts carrying the endpoint locator, its
 * DNS records from the tenant-assigned MX and DKIM targets. The runtime's dispatch to the
 * adapter is in microsoft-365-runtime.emulator.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { MailDomain, dns, providers } from "@mailplane/pulumi";
import { microsoft365Endpoint } from "@mailplane/providers";
import { SKU_E3 } from "../../../test/emulators/microsoft-graph";
import { children, installMocks, registeredAll, valueOf, type Registered } from "./dns-mocks";

const TENANT = "00000000-0000-4000-8000-00000000feed";
const CLIENT = "11111111-1111-4111-8111-111111111111";
const args = {
  tenantId: TENANT,
  clientId: CLIENT,
  domain: "acme.com",
  usageLocation: "DE",
  licences: { default: SKU_E3 },
  mx: "acme-com.mail.protection.outlook.com",
  dkim: {
    selector1: "selector1-acme-com._domainkey.acme.onmicrosoft.com",
    selector2: "selector2-acme-com._domainkey.acme.onmicrosoft.com",
  },
  verification: "MS=ms12345678",
};

describe("providers.microsoft365 under Pulumi mocks", () => {
  let registered: Registered[];
  beforeAll(async () => {
    registered = await installMocks();
  });

  it("creates Mailbox and MailGroup children carrying the locator, and Microsoft's records", async () => {
    const domain = new MailDomain("m365", {
      domain: "acme.com",
      dns: dns.zoneFile({ path: "/tmp/mailplane-test/m365/acme.com.zone" }),
      provider: providers.microsoft365(args),
      mailboxes: { ali: { name: "Ali Alavi" }, omar: { name: "Omar Haddad" } },
      groups: {
        team: { members: ["ali", "omar"] },
        postmaster: { members: ["ali"] },
        abuse: { members: ["ali"] },
      },
    });
    await registeredAll([
      ...Object.values(domain.accounts.mailboxes),
      ...Object.values(domain.accounts.groups),
    ]);
    const locator = microsoft365Endpoint(args);
    const accounts = children(registered)
      .filter((r) => r.type.startsWith("mailplane:index:") && r.type !== "mailplane:index:ZoneFile")
      .map((r) => [r.type, r.name, r.inputs.mailProvider, r.inputs.apiUrl, r.inputs.localPart]);
    const group = "mailplane:index:MailGroup";
    const mailbox = "mailplane:index:Mailbox";
    expect(accounts).toEqual([
      [group, "m365-group-abuse", "microsoft365", locator, "abuse"],
      [group, "m365-group-postmaster", "microsoft365", locator, "postmaster"],
      [group, "m365-group-team", "microsoft365", locator, "team"],
      [mailbox, "m365-mailbox-ali", "microsoft365", locator, "ali"],
      [mailbox, "m365-mailbox-omar", "microsoft365", locator, "omar"],
    ]);
    expect(locator).not.toContain("secret");
    const records = await valueOf(domain.records);
    expect(records.filter((r) => r.type === "MX")).toEqual([
      {
        name: "acme.com",
        type: "MX",
        ttl: 3600,
        priority: 0,
        value: "acme-com.mail.protection.outlook.com",
        role: "mx",
      },
    ]);
    expect(records.filter((r) => r.type === "CNAME").map((r) => [r.name, r.value])).toEqual([
      ["autodiscover.acme.com", "autodiscover.outlook.com"],
      ["selector1._domainkey.acme.com", "selector1-acme-com._domainkey.acme.onmicrosoft.com"],
      ["selector2._domainkey.acme.com", "selector2-acme-com._domainkey.acme.onmicrosoft.com"],
    ]);
    expect(
      records.filter((r) => r.type === "TXT" && r.value === "MS=ms12345678").map((r) => r.name),
    ).toEqual(["acme.com"]);
  });

  it("refuses at preview what only Exchange can do: an alias, a mailbox alias, forwarding", () => {
    const declare = (extra: Record<string, unknown>) => () =>
      new MailDomain(`m365-refused-${Object.keys(extra).join("-")}`, {
        domain: "acme.com",
        dns: dns.zoneFile({ path: "/tmp/mailplane-test/m365/refused.zone" }),
        provider: providers.microsoft365(args),
        mailboxes: { ali: { name: "Ali Alavi" } },
        groups: { postmaster: { members: ["ali"] }, abuse: { members: ["ali"] } },
        ...extra,
      });
    expect(declare({ aliases: { hr: "ali" } })).toThrow(
      'MailDomain m365-refused-aliases: aliases.hr: provider "microsoft365" has no standalone aliases; declare a group with the same members instead, e.g. groups: { "hr": { members: ["ali"] } }',
    );
    const message = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    const exchangeOnly = (feature: string) =>
      `${feature} live in Exchange Online, which Microsoft Graph cannot write; set exchange: ` +
      "{ invokeCommand: true } on providers.microsoft365 to manage them through Exchange " +
      "Online's admin route (undocumented by Microsoft: see the provider README), or remove them";
    expect(message(declare({ mailboxes: { ali: { name: "Ali", aliases: ["a.a"] } } }))).toBe(
      "MailDomain m365-refused-mailboxes: mailboxes.ali.aliases: " +
        exchangeOnly("secondary addresses (aliases)"),
    );
    // Forwarding inside the domain and shared mailboxes: Exchange features too.
    expect(
      message(
        declare({
          mailboxes: {
            ali: { name: "Ali" },
            bob: { name: "Bob", offboard: { forwardTo: ["ali"] } },
          },
        }),
      ),
    ).toBe(
      "MailDomain m365-refused-mailboxes: mailboxes.bob.offboard.forwardTo: " +
        exchangeOnly("forwarding (ForwardingSmtpAddress)"),
    );
    expect(
      message(declare({ shared: { info: { kind: "sharedMailbox", members: ["ali"] } } })),
    ).toBe("MailDomain m365-refused-shared: shared.info.kind: " + exchangeOnly("shared mailboxes"));
    expect(message(declare({ mailboxes: { ali: { name: "Ali", require2fa: true } } }))).toBe(
      "MailDomain m365-refused-mailboxes: mailboxes.ali.require2fa: multi-factor sign-in is " +
        "enforced by a Conditional Access policy in Microsoft 365, not a user field; set mfa: " +
        '{ groupId: "<id of the security group your policy targets>" } or mfa: { createPolicy: ' +
        "true } on providers.microsoft365, or remove require2fa",
    );
    // With mfa, require2fa is a Mailbox input like any other.
    const mfa = new MailDomain("m365-mfa", {
      domain: "acme.com",
      dns: dns.zoneFile({ path: "/tmp/mailplane-test/m365/mfa.zone" }),
      provider: providers.microsoft365({ ...args, mfa: { createPolicy: true } }),
      mailboxes: { ali: { name: "Ali", require2fa: true } },
      groups: { postmaster: { members: ["ali"] }, abuse: { members: ["ali"] } },
    });
    expect(Object.keys(mfa.accounts.mailboxes)).toEqual(["ali"]);
    expect(() => providers.microsoft365({ ...args, mfa: {} })).toThrow(
      "providers.microsoft365.mfa: give exactly one of groupId and createPolicy: true",
    );
    // Outside the domain: refused by core whatever the opt-in (groups are Microsoft 365 groups).
    expect(
      message(
        declare({
          mailboxes: {
            ali: { name: "Ali" },
            bob: { name: "Bob", offboard: { forwardTo: ["x@example.org"] } },
          },
        }),
      ),
    ).toBe(
      'MailDomain m365-refused-mailboxes: mailboxes.bob.offboard.forwardTo[0]: provider "microsoft365" cannot forward to addresses outside acme.com; remove "x@example.org" or use another provider',
    );
  });

  it("with exchange: { invokeCommand: true }, accepts aliases, forwarding and shared mailboxes", async () => {
    const exchange = { ...args, exchange: { invokeCommand: true } };
    const domain = new MailDomain("m365x", {
      domain: "acme.com",
      dns: dns.zoneFile({ path: "/tmp/mailplane-test/m365/x.zone" }),
      provider: providers.microsoft365(exchange),
      mailboxes: {
        ali: { name: "Ali Alavi", aliases: ["a.alavi", "ceo"] },
        bob: { name: "Bob", offboard: { forwardTo: ["ali"] } },
      },
      shared: { info: { kind: "sharedMailbox", members: ["ali"] } },
      groups: { postmaster: { members: ["ali"] }, abuse: { members: ["ali"] } },
    });
    await registeredAll(Object.values(domain.accounts.mailboxes));
    const locator = microsoft365Endpoint(exchange);
    expect(locator).toContain("&exchange=invokeCommand");
    const mailboxes = children(registered)
      .filter((r) => r.type === "mailplane:index:Mailbox" && r.name.startsWith("m365x-"))
      .map((r) => [
        r.name,
        r.inputs.apiUrl === locator,
        r.inputs.aliases,
        r.inputs.forwardTo,
        r.inputs.shared,
      ]);
    expect(mailboxes).toEqual([
      ["m365x-mailbox-ali", true, ["a.alavi", "ceo"], [], false],
      ["m365x-mailbox-bob", true, [], ["ali@acme.com"], false],
      ["m365x-mailbox-info", true, [], [], true],
    ]);
    // ForwardingSmtpAddress holds one address.
    expect(
      () =>
        new MailDomain("m365x-two", {
          domain: "acme.com",
          dns: dns.zoneFile({ path: "/tmp/mailplane-test/m365/x2.zone" }),
          provider: providers.microsoft365(exchange),
          mailboxes: {
            ali: { name: "Ali" },
            omar: { name: "Omar" },
            bob: { name: "Bob", offboard: { forwardTo: ["ali", "omar"] } },
          },
          groups: { postmaster: { members: ["ali"] }, abuse: { members: ["ali"] } },
        }),
    ).toThrow(
      "MailDomain m365x-two: mailboxes.bob.offboard.forwardTo: Exchange forwards a mailbox to one address (ForwardingSmtpAddress); allowed: at most 1, got 2 (ali@acme.com, omar@acme.com)",
    );
  });

  it("refuses bad arguments in the declaration's style", () => {
    expect(() => providers.microsoft365({ ...args, usageLocation: "Germany" })).toThrow(
      'providers.microsoft365.usageLocation: "Germany" is not a usage location',
    );
    expect(() => providers.microsoft365({ ...args, clientId: "my-app" })).toThrow(
      'providers.microsoft365.clientId: "my-app" is not an application (client) id',
    );
  });
});
