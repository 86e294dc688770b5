/**
 * The Zoho Mail adapter on the emulator (test/emulators/zoho-mail.ts), as a contract harness.
 * Deliveries and counts are read from the emulator's own state: each user alias delivers to its
 * user, each group to its members.
 */
import {
  ZohoMailEmulator,
  type ZohoMailEmulatorOptions,
} from "../../../../test/emulators/zoho-mail";
import {
  clearZohoTokenCache,
  createZohoProvider,
  type ZohoProvider,
  type ZohoProviderConfig,
} from "../../src/mail/zoho";
import type { Harness } from "../contract/mail-provider";
import { LEAKY_PASSWORD, createLeaky } from "../contract/harness-kit";

export const CLIENT_ID = "1000.ZOHOCLIENT0123";
export const CLIENT_SECRET = "zoho~secret~0123456789abcdef";
export const REFRESH_TOKEN = "1000.refresh.0123456789abcdef0123";

/** What a setup was built with. */
export interface ZohoSetup {
  emu: ZohoMailEmulator;
  provider: ZohoProvider;
  domain: string;
}

/** A started emulator and an adapter on it; `config` overrides the adapter's settings. */
export async function zohoSetup(
  config: Partial<ZohoProviderConfig> = {},
  emulator: Partial<ZohoMailEmulatorOptions> = {},
): Promise<ZohoSetup> {
  clearZohoTokenCache();
  const domain = "acme.test";
  const emu = new ZohoMailEmulator({
    domains: [domain],
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    refreshToken: REFRESH_TOKEN,
    ...emulator,
  });
  const url = await emu.start();
  const provider = createZohoProvider({
    organizationId: String(emu.organizationId),
    dataCenter: "eu",
    apiUrl: url,
    accountsUrl: url,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    refreshToken: REFRESH_TOKEN,
    budget: { ratePerSecond: 1000, burst: 1000 },
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
    readCacheTtlMs: 0,
    pageSize: 10,
    tokenCacheDir: false,
    ...config,
  });
  return { emu, provider, domain };
}

/** The contract harness. */
export async function zohoHarness(): Promise<Harness> {
  const { emu, provider, domain } = await zohoSetup();
  const at = (lp: string) => `${lp}@${domain}`;
  return {
    provider,
    domain,
    pageSize: 10,
    deliveries: async () => emu.deliveries(),
    mailboxCount: async (lp) =>
      emu.allUsers().filter((u) => u.primaryEmailAddress === at(lp)).length,
    handMade: async (lp, destinations) => emu.putGroup(at(lp), lp, destinations),
    dropAfterWrite: (operation) => {
      const route =
        operation === "createGroup"
          ? "/api/organization/:zoid/groups"
          : "/api/organization/:zoid/accounts";
      emu.inject({ kind: "drop", when: "after", method: "POST", route });
    },
    leakSecrets: async () => {
      const password = LEAKY_PASSWORD;
      emu.inject({
        kind: "status",
        status: 400,
        method: "POST",
        route: "/api/organization/:zoid/accounts",
        body: {
          status: { code: 400, description: `Invalid Input ${CLIENT_SECRET}` },
          data: {
            errorCode: "PASSWORD_POLICY",
            moreInfo: `password ${password} refused; refresh ${REFRESH_TOKEN}`,
            password,
            echoed: encodeURIComponent(CLIENT_SECRET),
          },
        },
      });
      return createLeaky(provider, domain, password, [password, CLIENT_SECRET, REFRESH_TOKEN]);
    },
    close: () => emu.stop(),
  };
}
