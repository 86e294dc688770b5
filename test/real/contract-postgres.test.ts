/**
 * The mail provider contract on the self-hosted store backed by a real PostgreSQL server
 * (started on 127.0.0.1 by the test, stopped afterwards). Each test starts from empty tables.
 */
import fs from "node:fs";
import { afterAll, beforeAll } from "vitest";
import { openStore } from "@mailplane/providers";
import { selfHostedHarness } from "../../packages/providers/test/contract/harnesses";
import { mailProviderContract } from "../../packages/providers/test/contract/mail-provider";
import { startPostgres, type PostgresServer } from "./servers/postgres";
import { serverTempDir } from "./servers/util";

let pg: PostgresServer;
let root: string;

beforeAll(async () => {
  root = serverTempDir("contract-pg");
  pg = await startPostgres(root);
});

afterAll(async () => {
  await pg?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

mailProviderContract("selfHosted (PostgreSQL)", () => {
  const store = { type: "postgres" as const, connectionString: pg.connectionString };
  return selfHostedHarness(store, async () => {
    const s = await openStore(store);
    try {
      for (const t of ["mailplane_meta", "alias_domain", "alias", "mailbox", "domain"]) {
        await s.run(`DELETE FROM ${t}`);
      }
    } finally {
      await s.close();
    }
  });
});
