/**
 * Team state in PostgreSQL (issue 17): Pulumi's DIY backend on a real PostgreSQL server (started on
 * 127.0.0.1 by the test), prepared by scripts/state-postgres, with the stack of
 * test/engine/fixtures/summary (one domain per stack, accounts at the Migadu emulator).
 *
 * - up and preview work, and the state and its lock live in PostgreSQL's table, not on disk;
 * - two concurrent `up`s of one stack: the second fails with Pulumi's lock message while the first
 *   holds the lock, started together at most one succeeds; nothing is corrupted either way;
 * - ten stacks previewed by examples/gitops/preview-stacks.sh in parallel and one after another:
 *   every summary correct, the wall times printed.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MigaduEmulator } from "../emulators/migadu";
import { PulumiWorkspace, requirePulumi, type PulumiResult } from "../engine/pulumi-cli";
import { startPostgres, type PostgresServer } from "./servers/postgres";
import { serverTempDir } from "./servers/util";

const ROOT = path.resolve(__dirname, "..", "..");
const PROJECT = path.join(ROOT, "test", "engine", "fixtures", "summary");
const USER = "admin@teams.test";
const API_KEY = "emulator-api-key-pg-3c4d";
const LONG = 900_000;
const TEN = Array.from({ length: 10 }, (_, i) => i);
const PREFIX = `pg-${process.pid}`;
const stackName = (i: number) => `${PREFIX}-${i}`;
const domainOf = (i: number) => `team${i}.test`;
const LOCK_MESSAGE =
  "the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or " +
  "delete the lock file with `pulumi cancel`.";

let pg: PostgresServer;
let root: string;
let emu: MigaduEmulator;
let backendUrl: string;
const workspaces: PulumiWorkspace[] = [];

/** psql as the state role: one value a line. */
const sql = (query: string): string[] =>
  execFileSync(
    "psql",
    [backendUrl.replace(/\?.*$/, ""), "-qAt", "-v", "ON_ERROR_STOP=1", "-c", query],
    {
      encoding: "utf8",
    },
  )
    .split("\n")
    .filter((l) => l !== "");

/** The workspace of stack i: the Pulumi CLI against the PostgreSQL backend. */
function workspace(i: number): PulumiWorkspace {
  const ws = new PulumiWorkspace(PROJECT, path.join(root, `ws-${i}`), {
    PULUMI_BACKEND_URL: backendUrl,
    MIGADU_API_URL: emuUrl,
    MIGADU_USER: USER,
    MIGADU_API_KEY: API_KEY,
    MIGADU_REQUEST_BUDGET: "500/100",
  });
  workspaces.push(ws);
  return ws;
}
let emuUrl: string;

async function initStack(ws: PulumiWorkspace, i: number): Promise<void> {
  const dir = path.join(root, `ws-${i}`);
  await ws.ok(["stack", "init", stackName(i), "--non-interactive"]);
  const set = (k: string, v: string, secret = false) =>
    ws.ok(["config", "set", "--stack", stackName(i), ...(secret ? ["--secret"] : []), k, v]);
  await set("domain", domainOf(i));
  await set("zonePath", path.join(dir, `${domainOf(i)}.zone`));
  await set("webRoot", path.join(dir, "www"));
  await set(
    "passwords",
    JSON.stringify({
      ali: "Ali-initial-Pa55",
      zhangsan: "Zs-initial-Pa55",
      omar: "Om-initial-Pa55",
      temp: "Tp-initial-Pa55",
      maria: "Mg-initial-Pa55",
    }),
    true,
  );
}

const upArgs = (i: number) => [
  "up",
  "--yes",
  "--skip-preview",
  "--non-interactive",
  "--stack",
  stackName(i),
];

beforeAll(async () => {
  root = serverTempDir("state-pg");
  pg = await startPostgres(root);
  // The state database and role, made by the script as a team would (admin: the postgres superuser).
  const admin = `postgres://postgres@127.0.0.1:${pg.port}/postgres`;
  const init = () =>
    execFileSync(
      path.join(ROOT, "scripts", "state-postgres"),
      ["init", admin, "pulumi_state", "pulumi"],
      {
        encoding: "utf8",
        env: { ...process.env, STATE_PG_SSLMODE: "disable" },
      },
    ).trim();
  backendUrl = init();
  expect(backendUrl).toBe(`postgres://pulumi@127.0.0.1:${pg.port}/pulumi_state?sslmode=disable`);
  expect(init()).toBe(backendUrl); // idempotent
  emu = new MigaduEmulator({
    user: USER,
    apiKey: API_KEY,
    domains: TEN.map(domainOf),
    rateLimit: false,
  });
  emuUrl = await emu.start();
}, LONG);

afterAll(async () => {
  await emu?.stop();
  await pg?.stop();
  for (const f of existsSync(PROJECT) ? readdirSync(PROJECT) : []) {
    if (f.startsWith(`Pulumi.${PREFIX}-`)) rmSync(path.join(PROJECT, f), { force: true });
  }
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.sequential("Pulumi state in PostgreSQL", () => {
  it(
    "scripts/state-postgres check logs in; up and preview work; the state is in the table",
    async () => {
      const check = execFileSync(
        path.join(ROOT, "scripts", "state-postgres"),
        ["check", backendUrl],
        {
          encoding: "utf8",
          env: workspace(99).env,
        },
      );
      expect(JSON.parse(check)).toEqual([]);
      expect(sql("SELECT count(*) FROM pulumi_state WHERE key LIKE '%/stacks/%'")).toEqual(["0"]);

      const ws = workspace(0);
      await requirePulumi(ws);
      await initStack(ws, 0);
      const p = await ws.preview(["--stack", stackName(0)]);
      expect(p.changeSummary).toEqual({ create: 13 });
      await ws.ok(upArgs(0));
      expect(emu.mailboxes(domainOf(0)).map((m) => m.local_part)).toEqual([
        "ali",
        "omar",
        "temp",
        "zhangsan",
      ]);
      const again = await ws.preview(["--stack", stackName(0)]);
      expect(again.changeSummary).toEqual({ same: 13 });
      // The checkpoint is a row of the backend's table; nothing under the workspace's file backend.
      const keys = sql("SELECT key FROM pulumi_state WHERE key LIKE '%/stacks/%' ORDER BY key");
      expect(keys).toContain(
        `pulumi_state/.pulumi/stacks/mailplane-engine-summary/${stackName(0)}.json`,
      );
      expect(readdirSync(path.join(root, "ws-0", "state"))).toEqual([]);
      const exported = JSON.parse(await ws.ok(["stack", "export", "--stack", stackName(0)])) as {
        deployment: { resources: unknown[] };
      };
      // 13 + the mailplane plugin's default provider + the pulumi-nodejs one of the fixture's own
      // dynamic WebFile.
      expect(exported.deployment.resources).toHaveLength(15);
    },
    LONG,
  );

  it(
    "a second up while the first holds the lock fails with the lock message; nothing is corrupted",
    async () => {
      const a = workspaces.find((w) => w.home.endsWith("ws-0"))!;
      await a.ok(["config", "set", "--stack", stackName(0), "stage", "after"]);
      const first = a.run(upArgs(0));
      let second: PulumiResult;
      let locks: string[] = [];
      try {
        // Wait until the first up's lock is a row in PostgreSQL, then start the second.
        const t0 = Date.now();
        while (locks.length === 0 && Date.now() - t0 < 60_000) {
          locks = sql("SELECT key FROM pulumi_state WHERE key LIKE '%/locks/%'");
          if (locks.length === 0) await new Promise((r) => setTimeout(r, 100));
        }
        second = await a.run(upArgs(0));
      } finally {
        await first; // never leave an up running into the next test
      }
      const done = await first;
      // Keys are `<database>/.pulumi/…` in the backend's table.
      expect(locks).toHaveLength(1);
      expect(locks[0]).toMatch(
        new RegExp(
          `^pulumi_state/\\.pulumi/locks/organization/mailplane-engine-summary/${stackName(0)}/[-0-9a-f]+\\.json$`,
        ),
      );
      expect(done.code).toBe(0);
      expect(second.code).not.toBe(0);
      expect(second.stderr + second.stdout).toContain(LOCK_MESSAGE);
      // The redacted lock URL names PostgreSQL, never a password.
      expect(second.stderr + second.stdout).toMatch(
        /postgres:\/\/\*\*\*\*:\*\*\*\*@127\.0\.0\.1:\d+\/pulumi_state/,
      );
      expect(sql("SELECT count(*) FROM pulumi_state WHERE key LIKE '%/locks/%'")).toEqual(["0"]);
      await expectConsistent(a, 0, ["ali", "maria", "omar", "san.zhang", "zhangsan"]);
    },
    LONG,
  );

  it(
    "two ups started together: at most one succeeds, each failure is the lock message, the state stays whole",
    async () => {
      const a = workspaces.find((w) => w.home.endsWith("ws-0"))!;
      await a.ok(["config", "set", "--stack", stackName(0), "aliName", "Ali Together"]);
      const results: PulumiResult[] = await Promise.all([a.run(upArgs(0)), a.run(upArgs(0))]);
      const ok = results.filter((r) => r.code === 0);
      const failed = results.filter((r) => r.code !== 0);
      expect(ok.length).toBeLessThanOrEqual(1);
      for (const f of failed)
        expect(f.stderr + f.stdout).toContain("the stack is currently locked by");
      console.log(
        `two ups started together: ${ok.length} succeeded, ${failed.length} failed with the lock message`,
      );
      if (ok.length === 0) await a.ok(upArgs(0)); // both saw the other's lock: run again
      expect(sql("SELECT count(*) FROM pulumi_state WHERE key LIKE '%/locks/%'")).toEqual(["0"]);
      await expectConsistent(a, 0, ["ali", "maria", "omar", "san.zhang", "zhangsan"]);
      expect(emu.mailboxes(domainOf(0)).find((m) => m.local_part === "ali")?.name).toBe(
        "Ali Together",
      );
    },
    LONG,
  );

  it(
    "ten stacks previewed in parallel and one after another: every summary correct",
    async () => {
      const ws = TEN.map((i) =>
        i === 0 ? workspaces.find((w) => w.home.endsWith("ws-0"))! : workspace(i),
      );
      for (const i of TEN.slice(1)) await initStack(ws[i]!, i);
      const stacks = TEN.map(stackName);
      const run = (parallel: number) => {
        const out = path.join(root, `previews-${parallel}`);
        mkdirSync(out, { recursive: true });
        return new Promise<{ ms: number; summary: string; stderr: string }>((resolve, reject) => {
          const t = Date.now();
          execFile(
            path.join(ROOT, "examples", "gitops", "preview-stacks.sh"),
            [out, ...stacks],
            {
              env: {
                ...ws[0]!.env,
                PROJECT_DIR: PROJECT,
                PARALLEL: String(parallel),
                MAILPLANE: `${path.join(ROOT, "node_modules", ".bin", "tsx")} --conditions=@mailplane/source ${path.join(ROOT, "packages", "cli", "src", "bin.ts")}`,
              },
              timeout: LONG,
            },
            (err, _stdout, stderr) => {
              if (err) reject(new Error(`preview-stacks.sh failed: ${err.message}\n${stderr}`));
              else
                resolve({
                  ms: Date.now() - t,
                  summary: readFileSync(path.join(out, "summary.md"), "utf8"),
                  stderr,
                });
            },
          );
        });
      };
      const sequential = await run(1);
      const parallel = await run(10);
      console.log(
        `ten stacks: one after another ${(sequential.ms / 1000).toFixed(1)} s, in parallel ` +
          `${(parallel.ms / 1000).toFixed(1)} s (${sequential.stderr.trim()} | ${parallel.stderr.trim()})`,
      );
      expect(parallel.summary).toBe(sequential.summary);
      const sections = parallel.summary.split(/^### Stack /m).slice(1);
      expect(sections.map((s) => s.split("\n")[0])).toEqual(stacks.map((s) => `\`${s}\``));
      // Stack 0 was applied (nothing to do); the nine others add the same mailboxes at their domain.
      expect(sections[0]!.split("\n")[2]).toBe("No mail changes.");
      for (const i of TEN.slice(1)) {
        const d = domainOf(i);
        expect(sections[i]).toContain(
          `| \`ali@${d}\` | added | name "Ali Alavi"; department "Management"; aliases ali.alavi; initial password set (secret, not shown) |`,
        );
        expect(sections[i]!.split("\n")[2]).toBe(
          "mailboxes: 4 added · aliases and groups: 5 · DNS: 17 record sets · other: 1.",
        );
        expect(sections[i]).toContain(
          `| \`${d}\` | MX | (none) | \`10 aspmx1.migadu.com\`<br>\`20 aspmx2.migadu.com\` |`,
        );
      }
      expect(parallel.summary).not.toContain("Pa55");
    },
    LONG,
  );
});

/** The stack's state reads back, matches the emulator, and a preview has nothing to do. */
async function expectConsistent(
  ws: PulumiWorkspace,
  i: number,
  mailboxes: string[],
): Promise<void> {
  const exported = JSON.parse(await ws.ok(["stack", "export", "--stack", stackName(i)])) as {
    deployment: { resources: { urn: string }[]; pending_operations?: unknown[] };
  };
  expect(exported.deployment.pending_operations ?? []).toEqual([]);
  expect(
    emu
      .mailboxes(domainOf(i))
      .map((m) => m.local_part)
      .sort(),
  ).toEqual(mailboxes);
  const p = await ws.preview(["--stack", stackName(i)]);
  expect(Object.keys(p.changeSummary)).toEqual(["same"]);
}
