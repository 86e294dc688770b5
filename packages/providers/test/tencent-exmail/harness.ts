/**
 * Tencent Exmail's contract harness: the Exmail emulator (test/emulators) and an adapter on it,
 * deliveries read from the emulator's own state (a user's slaves deliver to the user, a mail
 * group to its members).
 */
import { TencentExmailEmulator } from "../../../../test/emulators/tencent-exmail";
import {
  createTencentExmailProvider,
  type TencentExmailProvider,
  type TencentExmailProviderConfig,
} from "../../src/mail/tencent-exmail";
import type { Harness } from "../contract/mail-provider";
import { createLeaky } from "../contract/harness-kit";

export const CORP_ID = "wwacme0123456789";
export const CORP_SECRET = "Exmail-corp-SECRET-0123456789abcdef";

/** A started emulator and an adapter on it. */
export async function tencentExmailSetup(
  options: { provider?: Partial<TencentExmailProviderConfig> } = {},
): Promise<{ emu: TencentExmailEmulator; provider: TencentExmailProvider; domain: string }> {
  const domain = "acme.test";
  const emu = new TencentExmailEmulator({
    corpId: CORP_ID,
    corpSecret: CORP_SECRET,
    domains: [domain],
  });
  const url = await emu.start();
  const provider = createTencentExmailProvider({
    corpId: CORP_ID,
    corpSecret: CORP_SECRET,
    apiUrl: url,
    budget: { ratePerSecond: 100_000, burst: 100_000 },
    retry: { baseDelayMs: 2, maxDelayMs: 10 },
    ...options.provider,
  });
  return { emu, provider, domain };
}

/** The contract harness. */
export async function tencentExmailHarness(): Promise<Harness> {
  const { emu, provider, domain } = await tencentExmailSetup();
  const at = (lp: string) => `${lp}@${domain}`;
  return {
    provider,
    domain,
    deliveries: async () => {
      const out: Record<string, string[]> = {};
      for (const u of emu.allUsers()) for (const s of u.slaves) out[s] = [u.userid];
      for (const g of emu.allGroups()) out[g.groupid] = [...g.userlist, ...g.grouplist].sort();
      return out;
    },
    mailboxCount: async (lp) => emu.allUsers().filter((u) => u.userid === at(lp)).length,
    handMade: async (lp, destinations) => emu.putGroup(at(lp), lp, destinations),
    dropAfterWrite: (operation) => {
      const route = operation === "createGroup" ? "/group/create" : "/user/create";
      emu.inject({ kind: "drop", when: "after", method: "POST", route });
    },
    leakSecrets: async () => {
      const password = "Pw9with8digits7";
      const token = await provider.client.token();
      emu.inject({
        kind: "status",
        status: 200,
        method: "POST",
        route: "/user/create",
        body: {
          errcode: 40058,
          errmsg: `invalid parameter: password ${password} for access_token=${token} (corpsecret ${CORP_SECRET})`,
          password,
          echoed: { token: encodeURIComponent(token), secret: CORP_SECRET },
        },
      });
      return createLeaky(provider, domain, password, [password, token, CORP_SECRET]);
    },
    close: () => emu.stop(),
  };
}
