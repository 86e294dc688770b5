/**
 * The test doubles of the registered mail providers, as contract harnesses: Migadu's emulator
 * (over HTTP on 127.0.0.1) and the self-hosted store (a sqlite file, or a PostgreSQL database).
 * Each reads deliveries from the double itself, not through the adapter under test.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { MigaduEmulator } from "../../../../test/emulators/migadu";
import {
  createMigaduProvider,
  openStore,
  SelfHostedProvider,
  type SelfHostedStoreConfig,
} from "../../src";
import type { Harness } from "./mail-provider";
import { LEAKY_PASSWORD, createLeaky } from "./harness-kit";

/** Migadu: the emulator, with dropped answers injected for the fault test. */
export async function migaduHarness(): Promise<Harness> {
  const domain = "acme.test";
  const emu = new MigaduEmulator({
    user: "admin@acme.test",
    apiKey: "contract-key-0123",
    domains: [domain],
    rateLimit: false,
  });
  const url = await emu.start();
  const routes = {
    createMailbox: "/domains/:domain/mailboxes",
    createAlias: "/domains/:domain/aliases",
    createGroup: "/domains/:domain/aliases",
  } as const;
  const provider = createMigaduProvider({
    baseUrl: url,
    user: "admin@acme.test",
    apiKey: "contract-key-0123",
    budget: { ratePerSecond: 1000, burst: 1000 },
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
    readCacheTtlMs: 0,
  });
  return {
    provider,
    domain,
    deliveries: async () =>
      Object.fromEntries(
        emu.aliases(domain).map((a) => [`${a.local_part}@${domain}`, [...a.destinations].sort()]),
      ),
    mailboxCount: async (lp) => emu.mailboxes(domain).filter((m) => m.local_part === lp).length,
    handMade: async (lp, destinations) => emu.putAlias(domain, lp, destinations),
    dropAfterWrite: (operation) => {
      emu.inject({ kind: "drop", when: "after", method: "POST", route: routes[operation] });
    },
    leakSecrets: async () => {
      const password = LEAKY_PASSWORD;
      const apiKey = "contract-key-0123";
      const body = {
        error: { message: `password ${password} refused for ${apiKey}` },
        password,
        echoed: {
          key: encodeURIComponent(apiKey),
          basic: Buffer.from(`admin@acme.test:${apiKey}`).toString("base64"),
        },
      };
      emu.inject({
        kind: "status",
        status: 422,
        method: "POST",
        route: routes.createMailbox,
        body,
      });
      return createLeaky(provider, domain, password, [password, apiKey]);
    },
    close: () => emu.stop(),
  };
}

/** The self-hosted store, read with SQL. */
export async function selfHostedHarness(
  store: SelfHostedStoreConfig,
  cleanup: () => Promise<void> = async () => {},
): Promise<Harness> {
  const domain = "acme.test";
  const provider = new SelfHostedProvider(store);
  const sql = async (query: string, params: unknown[] = []) => {
    const s = await openStore(store);
    try {
      return await s.query(query, params);
    } finally {
      await s.close();
    }
  };
  return {
    provider,
    domain,
    deliveries: async () =>
      Object.fromEntries(
        (await sql("SELECT address, goto FROM alias WHERE address NOT LIKE '@%' ORDER BY address"))
          .filter((r) => r.address !== r.goto)
          .map((r) => [String(r.address), String(r.goto).split(",").sort()]),
      ),
    mailboxCount: async (lp) =>
      (await sql("SELECT username FROM mailbox WHERE username = ?", [`${lp}@${domain}`])).length,
    handMade: async (lp, destinations) => {
      const s = await openStore(store);
      try {
        await s.run("INSERT INTO alias (address, goto, domain, active) VALUES (?, ?, ?, ?)", [
          `${lp}@${domain}`,
          destinations.join(","),
          domain,
          s.dialect === "postgres" ? true : 1,
        ]);
      } finally {
        await s.close();
      }
    },
    close: async () => {
      await provider.close();
      await cleanup();
    },
  };
}

/** A self-hosted harness on a fresh sqlite file in a temp folder. */
export function sqliteHarness(): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailplane-contract-"));
  return selfHostedHarness({ type: "sqlite", path: path.join(dir, "mail.sqlite") }, async () =>
    fs.rmSync(dir, { recursive: true, force: true }),
  );
}
