/**
 * Google Workspace's contract harness: the Directory API emulator (test/emulators) with eventual
 * consistency switched on, a service account key pair generated here, and deliveries read from
 * the emulator's own state (user aliases deliver to their user, groups to their members).
 */
import crypto from "node:crypto";
import { GoogleDirectoryEmulator } from "../../../../test/emulators/google-directory";
import {
  createGoogleWorkspaceProvider,
  type GoogleWorkspaceProviderConfig,
} from "../../src/mail/google-workspace";
import type { Harness } from "./mail-provider";
import { LEAKY_PASSWORD, createLeaky } from "./harness-kit";

export const SERVICE_ACCOUNT = "mailplane@acme-project.iam.gserviceaccount.com";
export const ADMIN = "admin@acme.test";

let keyPair: { privatePem: string; publicPem: string } | undefined;

/** One RSA key pair per test process (generating one takes ~100 ms). */
export function serviceAccountKeyPair(): { privatePem: string; publicPem: string } {
  if (!keyPair) {
    const k = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    keyPair = {
      privatePem: k.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      publicPem: k.publicKey.export({ type: "spki", format: "pem" }).toString(),
    };
  }
  return keyPair;
}

/** A started emulator and an adapter on it. */
export async function googleWorkspaceSetup(
  options: {
    lag?: number;
    provider?: Partial<GoogleWorkspaceProviderConfig>;
    delegatedScopes?: string[];
  } = {},
) {
  const domain = "acme.test";
  const { privatePem, publicPem } = serviceAccountKeyPair();
  const emu = new GoogleDirectoryEmulator({
    domains: [domain],
    serviceAccountEmail: SERVICE_ACCOUNT,
    publicKey: publicPem,
    admins: [ADMIN],
    consistencyLag: options.lag ?? 2,
    ...(options.delegatedScopes === undefined ? {} : { delegatedScopes: options.delegatedScopes }),
  });
  await emu.start();
  const provider = createGoogleWorkspaceProvider({
    apiUrl: emu.url,
    tokenUrl: emu.tokenUrl,
    adminEmail: ADMIN,
    customerId: "my_customer",
    serviceAccountKey: { client_email: SERVICE_ACCOUNT, private_key: privatePem },
    budget: { ratePerSecond: 100_000, burst: 100_000 },
    retry: { baseDelayMs: 2, maxDelayMs: 10 },
    readCacheTtlMs: 0,
    consistency: { baseDelayMs: 2, maxDelayMs: 10 },
    ...options.provider,
  });
  return { emu, provider, domain, privatePem };
}

/** The contract harness. */
export async function googleWorkspaceHarness(): Promise<Harness> {
  const { emu, provider, domain, privatePem } = await googleWorkspaceSetup();
  const at = (lp: string) => `${lp}@${domain}`;
  return {
    provider,
    domain,
    pageSize: 500,
    deliveries: async () => {
      const out: Record<string, string[]> = {};
      for (const u of emu.allUsers()) {
        for (const a of u.aliases ?? []) out[a] = [u.primaryEmail];
      }
      for (const g of emu.allGroups()) out[g.email] = g.memberEmails;
      return out;
    },
    mailboxCount: async (lp) => emu.allUsers().filter((u) => u.primaryEmail === at(lp)).length,
    handMade: async (lp, destinations) => emu.putGroup(at(lp), lp, destinations),
    dropAfterWrite: (operation) => {
      const route = operation === "createGroup" ? "/groups" : "/users";
      emu.inject({ kind: "drop", when: "after", method: "POST", route });
    },
    leakSecrets: async () => {
      const password = LEAKY_PASSWORD;
      const keyLine = privatePem.split("\n")[3]!;
      emu.inject({
        kind: "status",
        status: 400,
        method: "POST",
        route: "/users",
        body: {
          error: {
            code: 400,
            message: `Invalid Password ${password} (key ${keyLine})`,
            errors: [{ domain: "global", reason: "invalid", message: password }],
          },
          password,
        },
      });
      return createLeaky(provider, domain, password, [password, keyLine]);
    },
    close: () => emu.stop(),
  };
}
