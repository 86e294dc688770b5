import { describe, expect, it } from "vitest";
import {
  mailProviders,
  zohoDefinition,
  zohoEndpoint,
  zohoFacts,
  zohoSettingsFromEndpoint,
  type ZohoArgs,
} from "../../src";

const args = (extra: Partial<ZohoArgs> = {}): ZohoArgs => ({
  organizationId: "60012345",
  ...extra,
});

describe("zoho definition", () => {
  it("is registered with exactly Zoho Mail's API capabilities and three call-time credentials", () => {
    expect(mailProviders.zoho).toBe(zohoDefinition);
    // What Zoho's API can do; every other capability (2FA, shared mailboxes, quota, forwarding,
    // standalone aliases, catch-all, domain aliases, rename) is "cannot".
    const can = Object.entries(zohoDefinition.capabilities).filter(
      ([, v]) => v !== false && v !== 0,
    );
    expect(Object.fromEntries(can)).toEqual({
      mailboxes: true,
      aliasesPerMailbox: 5,
      groups: true,
      suspend: true,
      passwords: true,
      forceChangeAtLogin: true,
    });
    expect(zohoDefinition.credentials.map((c) => [c.name, c.env, c.configKey])).toEqual([
      ["clientId", "ZOHO_CLIENT_ID", "zohoClientId"],
      ["clientSecret", "ZOHO_CLIENT_SECRET", "zohoClientSecret"],
      ["refreshToken", "ZOHO_REFRESH_TOKEN", "zohoRefreshToken"],
    ]);
  });

  it("writes the endpoint locator without credentials and reads it back", () => {
    const a = args({
      dataCenter: "com.au",
      apiUrl: "http://127.0.0.1:9/",
      moderators: { support: ["sara@acme.com"] },
    });
    const endpoint = zohoEndpoint(a);
    expect(endpoint).toBe(
      "zoho:?dc=com.au&org=60012345&api=http%3A%2F%2F127.0.0.1%3A9%2F&moderators=%7B%22support%22%3A%5B%22sara%40acme.com%22%5D%7D",
    );
    expect(zohoSettingsFromEndpoint(endpoint)).toEqual({
      organizationId: "60012345",
      dataCenter: "com.au",
      apiUrl: "http://127.0.0.1:9/",
      moderators: { support: ["sara@acme.com"] },
    });
    expect(() => zohoSettingsFromEndpoint("https://mail.zoho.com")).toThrow(
      'zoho: apiUrl must be the locator providers.zoho(...) writes (zoho:?dc=…&org=…), got "https://mail.zoho.com"',
    );
  });

  it("publishes each data centre's MX, SPF and client hosts", () => {
    const mx = (dc: ZohoArgs["dataCenter"]) => {
      const f = zohoFacts(args({ dataCenter: dc }), "acme.com");
      return [
        f.mx.map((m) => `${m.priority} ${m.host}`).join(", "),
        f.spfInclude.join(" "),
        f.clientDiscovery?.imap?.host,
      ];
    };
    expect(mx(undefined)).toEqual([
      "10 mx.zoho.com, 20 mx2.zoho.com, 50 mx3.zoho.com",
      "zohomail.com",
      "imap.zoho.com",
    ]);
    expect(mx("eu")).toEqual([
      "10 mx.zoho.eu, 20 mx2.zoho.eu, 50 mx3.zoho.eu",
      "zohomail.eu",
      "imap.zoho.eu",
    ]);
    expect(mx("com.cn")).toEqual([
      "10 mx.zoho.com.cn, 20 mx2.zoho.com.cn, 50 mx3.zoho.com.cn",
      "zohomail.com.cn",
      "imap.zoho.com.cn",
    ]);
    expect(mx("ca")).toEqual([
      "10 mx.zohocloud.ca, 20 mx2.zohocloud.ca, 50 mx3.zohocloud.ca",
      "zohocloud.ca",
      "imap.zohocloud.ca",
    ]);
    const withKeys = zohoFacts(
      args({
        verification: "zoho-verification=zb1.zmverify.zoho.com",
        dkim: { selector: "zmail", value: "v=DKIM1; k=rsa; p=AB" },
      }),
      "acme.com",
    );
    expect([withKeys.verification, withKeys.dkim]).toEqual([
      ["zoho-verification=zb1.zmverify.zoho.com"],
      [{ selector: "zmail", type: "TXT", value: "v=DKIM1; k=rsa; p=AB" }],
    ]);
  });
});
