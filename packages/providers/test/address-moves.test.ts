/**
 * An address moving between kinds (standalone alias, group, a mailbox's alias) at the adapter
 * level, for every provider that has them: the new kind's create (or the mailbox's update) takes
 * the address over, the address never stops delivering, and the old kind's removal leaves it
 * alone. Deleting a mailbox never deletes an alias Mailplane did not remove itself.
 *
 * What delivers where is read from the backend itself (the emulator's state, the store's SQL
 * rows), not through the adapter under test.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MigaduEmulator } from "../../../test/emulators/migadu";
import { createMigaduProvider, openStore, SelfHostedProvider, type MailProvider } from "../src";

const DOMAIN = "acme.test";
const ALI = `ali@${DOMAIN}`;
const MARIA = `maria@${DOMAIN}`;

interface Backend {
  provider: MailProvider;
  /** Every address that delivers somewhere, with its sorted destinations (mailboxes excluded). */
  deliveries(): Promise<Record<string, string[]>>;
  /** An alias made by hand, outside Mailplane. */
  handMade(localPart: string, destinations: string[]): Promise<void>;
  close(): Promise<void>;
}

const backends: Record<string, () => Promise<Backend>> = {
  async migadu() {
    const emu = new MigaduEmulator({
      user: "admin@acme.test",
      apiKey: "k-moves",
      domains: [DOMAIN],
      rateLimit: false,
    });
    const url = await emu.start();
    const provider = createMigaduProvider({
      baseUrl: url,
      user: "admin@acme.test",
      apiKey: "k-moves",
      budget: { ratePerSecond: 1000, burst: 1000 },
      retry: { baseDelayMs: 5, maxDelayMs: 50 },
      readCacheTtlMs: 0,
    });
    return {
      provider,
      deliveries: async () =>
        Object.fromEntries(
          emu.aliases(DOMAIN).map((a) => [`${a.local_part}@${DOMAIN}`, [...a.destinations].sort()]),
        ),
      handMade: async (lp, destinations) => emu.putAlias(DOMAIN, lp, destinations),
      close: () => emu.stop(),
    };
  },
  async selfHosted() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailplane-moves-"));
    const file = path.join(dir, "mail.sqlite");
    const provider = new SelfHostedProvider({ type: "sqlite", path: file });
    const sql = async (query: string, params: unknown[] = [], write = false) => {
      const store = await openStore({ type: "sqlite", path: file });
      try {
        if (!write) return await store.query(query, params);
        await store.run(query, params);
        return [];
      } finally {
        await store.close();
      }
    };
    return {
      provider,
      deliveries: async () =>
        Object.fromEntries(
          (await sql("SELECT address, goto FROM alias ORDER BY address"))
            .filter((r) => r.address !== r.goto)
            .map((r) => [String(r.address), String(r.goto).split(",").sort()]),
        ),
      handMade: async (lp, destinations) => {
        await sql(
          "INSERT INTO alias (address, goto, domain, active) VALUES (?, ?, ?, 1)",
          [`${lp}@${DOMAIN}`, destinations.join(","), DOMAIN],
          true,
        );
      },
      close: async () => {
        await provider.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const person = (localPart: string, aliases: string[] = []) => ({
  domain: DOMAIN,
  localPart,
  name: `Person ${localPart}`,
  suspended: false,
  aliases,
  forwardTo: [],
  password: `Pw-${localPart}-0123`,
});

describe.each(Object.keys(backends))("%s: an address moving between kinds", (name) => {
  let b: Backend;
  let p: MailProvider;
  beforeEach(async () => {
    b = await backends[name]!();
    p = b.provider;
    await p.createMailbox(person("ali"));
    await p.createMailbox(person("maria"));
  });
  afterEach(() => b.close());

  it("alias → group → alias: the create adopts the same destinations; delivery never changes", async () => {
    await p.createAlias({ domain: DOMAIN, localPart: "team", destinations: [ALI, MARIA] });
    const before = await b.deliveries();
    expect(before).toEqual({ [`team@${DOMAIN}`]: [ALI, MARIA] });
    const group = await p.createGroup({
      domain: DOMAIN,
      localPart: "team",
      name: "Team",
      members: [MARIA, ALI],
    });
    expect(group.members).toEqual([ALI, MARIA]);
    expect((await p.getGroup(DOMAIN, "team"))?.members).toEqual([ALI, MARIA]);
    expect(await b.deliveries()).toEqual(before);
    const alias = await p.createAlias({
      domain: DOMAIN,
      localPart: "team",
      destinations: [ALI, MARIA],
    });
    expect(alias).toEqual({ domain: DOMAIN, localPart: "team", destinations: [ALI, MARIA] });
    expect(await p.getAlias(DOMAIN, "team")).toEqual(alias);
    expect(await b.deliveries()).toEqual(before);
  });

  it("alias → mailbox alias → alias and → group: taken over, kept by keepAliases", async () => {
    await p.createAlias({ domain: DOMAIN, localPart: "billing", destinations: [ALI] });
    const before = await b.deliveries();
    // Into ali's aliases: the mailbox update takes the alias over.
    const ali = await p.updateMailbox(DOMAIN, "ali", { aliases: ["billing"] });
    expect(ali.aliases).toEqual(["billing"]);
    expect(await b.deliveries()).toEqual(before);
    // Back out: the alias's create adopts it, then ali's update keeps it.
    await p.createAlias({ domain: DOMAIN, localPart: "billing", destinations: [ALI] });
    await p.updateMailbox(DOMAIN, "ali", { aliases: [], keepAliases: ["billing"] });
    expect(await p.getAlias(DOMAIN, "billing")).toEqual({
      domain: DOMAIN,
      localPart: "billing",
      destinations: [ALI],
    });
    expect(await b.deliveries()).toEqual(before);
    // Into ali's aliases again, then out to a one-member group.
    await p.updateMailbox(DOMAIN, "ali", { aliases: ["billing"] });
    await p.createGroup({ domain: DOMAIN, localPart: "billing", name: "B", members: [ALI] });
    await p.updateMailbox(DOMAIN, "ali", { aliases: [], keepAliases: ["billing"] });
    expect((await p.getGroup(DOMAIN, "billing"))?.members).toEqual([ALI]);
    expect(await b.deliveries()).toEqual(before);
  });

  it("refuses to take over an address that delivers elsewhere, and changes nothing", async () => {
    await p.createAlias({ domain: DOMAIN, localPart: "billing", destinations: [ALI] });
    const before = await b.deliveries();
    await expect(
      p.createGroup({ domain: DOMAIN, localPart: "billing", name: "B", members: [ALI, MARIA] }),
    ).rejects.toMatchObject({ kind: "Conflict" });
    await expect(p.updateMailbox(DOMAIN, "maria", { aliases: ["billing"] })).rejects.toMatchObject({
      kind: "Conflict",
    });
    await expect(
      p.createAlias({ domain: DOMAIN, localPart: "maria", destinations: [ALI] }),
    ).rejects.toMatchObject({ kind: "Conflict" });
    expect(await b.deliveries()).toEqual(before);
    expect((await p.getMailbox(DOMAIN, "maria"))?.aliases).toEqual([]);
  });

  it("deleting a mailbox leaves an alias made by hand that delivers only to it", async () => {
    await b.handMade("legacy", [MARIA]);
    // The runtime keeps the aliases the mailbox never declared (at Migadu, any alias delivering
    // only to the mailbox reads as one of its aliases).
    await p.updateMailbox(DOMAIN, "maria", { aliases: ["m.garcia"], keepAliases: ["legacy"] });
    // What the runtime does for onDelete: "delete": remove the aliases it declared, then delete.
    await p.updateMailbox(DOMAIN, "maria", { aliases: [], keepAliases: ["legacy"] });
    await p.deleteMailbox(DOMAIN, "maria");
    expect(await b.deliveries()).toEqual({ [`legacy@${DOMAIN}`]: [MARIA] });
    expect(await p.getMailbox(DOMAIN, "maria")).toBeUndefined();
  });
});
