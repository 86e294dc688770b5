import { checkCapabilities, parseMailDomain } from "@mailplane/core";
import { describe, expect, it } from "vitest";
import {
  mailProviders,
  tencentExmailDefinition,
  tencentExmailEndpoint,
  tencentExmailSettingsFromEndpoint,
} from "../../src";

const lines = (input: Parameters<typeof parseMailDomain>[0]) =>
  checkCapabilities(parseMailDomain(input), tencentExmailDefinition.capabilities, {
    provider: "tencentExmail",
  }).map((p) => `${p.path}: ${p.message}`);

describe("tencentExmail definition", () => {
  it("is registered with its secret read at call time, never an argument", () => {
    expect(mailProviders.tencentExmail).toBe(tencentExmailDefinition);
    expect(tencentExmailDefinition.credentials).toEqual([
      {
        name: "corpSecret",
        env: "TENCENT_EXMAIL_CORP_SECRET",
        configKey: "tencentExmailCorpSecret",
        description:
          "the corp secret of the contacts app (通讯录管理), Exmail console > 工具箱 > 应用中心",
      },
    ]);
    expect(tencentExmailDefinition.args.safeParse({ corpId: "ww1", corpSecret: "x" }).success).toBe(
      false,
    );
  });

  it("refuses at preview what the API cannot do: 2FA, shared mailboxes, a sixth alias, quotas", () => {
    expect(
      lines({
        domain: "acme.com",
        profiles: { executive: { require2fa: true, quotaMb: 51200 } },
        mailboxes: {
          ali: {
            name: "Ali",
            profile: "executive",
            aliases: ["postmaster", "abuse", "a1", "a2", "a3", "a4"],
          },
        },
        shared: { support: { members: ["ali"], kind: "sharedMailbox" } },
        aliases: { hr: "ali" },
      }),
    ).toEqual([
      'mailboxes.ali.aliases: provider "tencentExmail" allows at most 5 aliases per mailbox (got 6); remove the rest',
      `profiles.executive.quotaMb: provider "tencentExmail" does not set mailbox quotas; remove quotaMb and manage quotas in the provider's admin console`,
      `profiles.executive.require2fa: provider "tencentExmail" cannot enforce two-factor authentication per user; remove require2fa and enforce it in the provider's admin console`,
      'shared.support.kind: provider "tencentExmail" has no shared mailboxes; use kind: "group"',
      'aliases.hr: provider "tencentExmail" has no standalone aliases; declare a group with the same members instead, e.g. groups: { "hr": { members: ["ali"] } }',
    ]);
  });

  it("carries corpId, apiUrl and budget in the endpoint locator, and reads them back", () => {
    const args = tencentExmailDefinition.args.parse({
      corpId: "wwacme0123456789",
      apiUrl: "http://127.0.0.1:8080/cgi-bin",
      budget: { ratePerSecond: 5, burst: 10 },
    });
    const endpoint = tencentExmailEndpoint(args);
    expect(endpoint).toBe(
      "tencentExmail:?corp=wwacme0123456789&api=http%3A%2F%2F127.0.0.1%3A8080%2Fcgi-bin&rate=5&burst=10",
    );
    expect(tencentExmailSettingsFromEndpoint(endpoint)).toEqual({
      corpId: "wwacme0123456789",
      apiUrl: "http://127.0.0.1:8080/cgi-bin",
      budget: { ratePerSecond: 5, burst: 10 },
    });
    expect(() => tencentExmailSettingsFromEndpoint("https://api.exmail.qq.com")).toThrow(
      'tencentExmail: apiUrl must be the locator providers.tencentExmail(...) writes (tencentExmail:?corp=…), got "https://api.exmail.qq.com"',
    );
  });

  it("names the field, value and what is allowed for a bad corpId", () => {
    const r = tencentExmailDefinition.args.safeParse({ corpId: "corp id!" });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      [
        "corpId",
        '"corp id!" is not a CorpID (got "corp id!"; allowed: letters, digits and . _ - (at most 64), such as wm0123456789abcdef)',
      ],
    ]);
  });
});
