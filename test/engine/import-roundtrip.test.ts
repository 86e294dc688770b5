/**
 * `mailplane import`'s round trip through the real Pulumi engine (issue 16): a populated domain
 * is imported into a program, and `pulumi up` of that program changes nothing at the provider
 * (every account adopted: nothing created, changed or suspended), a second `pulumi preview`
 * shows no change, and `mailplane audit` of the new stack is clean. Once on the Migadu emulator
 * (no write request reaches it during `up`), once on the self-hosted sqlite store (every table
 * equal before and after). The generated programs live in test/engine/fixtures/imported/<run>/
 * (git-ignored), where they resolve @mailplane/pulumi like the other fixtures.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, targetsFromState } from "../../packages/cli/src";
import {
  createMigaduProvider,
  openStore,
  SelfHostedProvider,
  type MailProvider,
} from "@mailplane/providers";
import { MigaduEmulator } from "../emulators/migadu";
import { changes, PulumiWorkspace, requirePulumi } from "./pulumi-cli";

const LONG = 300_000;
const FIXTURES = path.join(__dirname, "fixtures", "imported");

/** A domain's accounts as an organisation has them before it adopts Mailplane. */
async function populate(p: MailProvider, d: string): Promise<void> {
  const base = { domain: d, suspended: false, aliases: [] as string[], forwardTo: [] as string[] };
  await p.createMailbox({
    ...base,
    localPart: "ali",
    name: "Ali Alavi",
    aliases: ["a.alavi"],
    password: "Ali-Pa55-word",
  });
  await p.createMailbox({
    ...base,
    localPart: "zhangsan",
    name: "Zhang San",
    password: "Zs-Pa55-word",
  });
  await p.createMailbox({
    ...base,
    localPart: "maria",
    name: "Maria Garcia",
    password: "Mg-Pa55-word",
  });
  await p.createMailbox({
    ...base,
    localPart: "leaver",
    name: "Old Hand",
    suspended: true,
    forwardTo: [`ali@${d}`],
    password: "Oh-Pa55-word",
  });
  await p.createAlias({
    domain: d,
    localPart: "info",
    destinations: [`ali@${d}`, `zhangsan@${d}`],
  });
  await p.createAlias({ domain: d, localPart: "hr", destinations: [`ali@${d}`] });
  await p.createAlias({ domain: d, localPart: "postmaster", destinations: [`ali@${d}`] });
  await p.createAlias({ domain: d, localPart: "abuse", destinations: [`ali@${d}`] });
  await p.createAlias({
    domain: d,
    localPart: "launch",
    destinations: [`maria@${d}`, "agency@example.com"].sort(),
  });
}

/** A Pulumi project folder for a generated program, next to the other fixtures. */
function project(name: string, program: string): string {
  const dir = path.join(FIXTURES, `${name}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    `name: mailplane-imported-${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n` +
      `plugins:\n  providers:\n    - name: mailplane\n      path: ../../../../node_modules/@mailplane/pulumi\n`,
  );
  writeFileSync(
    path.join(dir, "package.json"),
    `{ "name": "mailplane-imported-${name}", "private": true, "main": "index.ts" }\n`,
  );
  writeFileSync(path.join(dir, "index.ts"), program);
  return dir;
}

/** Runs the `mailplane` command in-process; its exit code and output. */
async function mailplane(args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env,
    cwd,
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe.sequential("import → pulumi up → no change, on Migadu's emulator", () => {
  const D = "acme.com";
  const USER = "admin@acme.com";
  const API_KEY = "emulator-api-key-import";
  let emu: MigaduEmulator;
  let tmp: string;
  let dir: string;
  let ws: PulumiWorkspace;
  let env: NodeJS.ProcessEnv;
  let snapshot: () => unknown;
  let apiUrl: string;

  beforeAll(async () => {
    emu = new MigaduEmulator({ user: USER, apiKey: API_KEY, domains: [D], rateLimit: false });
    apiUrl = await emu.start();
    env = {
      ...process.env,
      MIGADU_USER: USER,
      MIGADU_API_KEY: API_KEY,
      MIGADU_REQUEST_BUDGET: "500/100",
    };
    await populate(
      createMigaduProvider({
        baseUrl: apiUrl,
        user: USER,
        apiKey: API_KEY,
        budget: { ratePerSecond: 500, burst: 100 },
      }),
      D,
    );
    snapshot = () => ({
      mailboxes: emu.mailboxes(D).map((m) => ({ ...m })),
      aliases: emu.aliases(D).map((a) => ({ ...a })),
      forwardings: emu.mailboxes(D).map((m) => emu.forwardings(D, m.local_part)),
      identities: emu.mailboxes(D).map((m) => emu.identities(D, m.local_part)),
    });
    tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-import-"));
    emu.resetLog();
    const r = await mailplane(
      ["import", "--provider", "migadu", "--domain", D, "--api-url", apiUrl, "--name", "acme"],
      env,
      tmp,
    );
    expect(r.stderr).toBe(`reading ${D} at migadu…\n`);
    expect(r.code).toBe(0);
    // The import only reads.
    expect(emu.log.filter((l) => l.method !== "GET")).toEqual([]);
    dir = project(
      "migadu",
      r.stdout.replace(
        'path: "acme.com.zone"',
        `path: ${JSON.stringify(path.join(tmp, "acme.com.zone"))}`,
      ),
    );
    ws = new PulumiWorkspace(dir, tmp, {
      MIGADU_USER: USER,
      MIGADU_API_KEY: API_KEY,
      MIGADU_REQUEST_BUDGET: "500/100",
    });
    await requirePulumi(ws);
    await ws.ok(["stack", "init", "imported", "--non-interactive"]);
  }, LONG);

  afterAll(async () => {
    await emu?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  it("the program declares the domain as it is", () => {
    const code = readFileSync(path.join(dir, "index.ts"), "utf8");
    expect(code).toContain(
      'mailboxes: {\n    ali: {\n      name: "Ali Alavi",\n      aliases: ["a.alavi"],\n    },',
    );
    expect(code).toContain(
      'shared: {\n    hr: {\n      members: ["ali"],\n    },\n    info: {\n      members: ["ali", "zhangsan"],\n    },\n  },',
    );
    expect(code).toContain('aliases: {\n    launch: ["agency@example.com", "maria"],\n  },');
    expect(code).toContain(
      'leaver: {\n      // suspended at the provider when imported\n      name: "Old Hand",\n      offboard: {\n        forwardTo: ["ali"],\n      },\n    },',
    );
  });

  it(
    "pulumi up adopts every account: no write request, the provider's state unchanged",
    async () => {
      const before = snapshot();
      const p = await ws.preview();
      expect(changes(p.steps).filter((c) => !c.startsWith("create "))).toEqual([]);
      expect(changes(p.steps).filter((c) => / (Mailbox|Alias|MailGroup) /.test(c))).toEqual([
        "create Alias acme-alias-abuse",
        "create Alias acme-alias-hr",
        "create Alias acme-alias-info",
        "create Alias acme-alias-launch",
        "create Alias acme-alias-postmaster",
        "create Mailbox acme-mailbox-ali",
        "create Mailbox acme-mailbox-leaver",
        "create Mailbox acme-mailbox-maria",
        "create Mailbox acme-mailbox-zhangsan",
      ]);
      emu.resetLog();
      await ws.up();
      expect(emu.log.filter((l) => l.method !== "GET").map((l) => `${l.method} ${l.path}`)).toEqual(
        [],
      );
      expect(snapshot()).toEqual(before);
    },
    LONG,
  );

  it(
    "a second preview shows no change, and the audit of the stack is clean",
    async () => {
      const p = await ws.preview();
      expect(changes(p.steps)).toEqual([]);
      emu.resetLog();
      const r = await mailplane(
        ["audit", "--stack", "imported", "--cwd", dir, "--no-dns"],
        { ...ws.env, ...env },
        dir,
      );
      // Read-only, and batched: the two list requests plus one forwarding read per suspended
      // mailbox serve all of listMailboxes, listAliases and listGroups.
      expect(emu.countsByRoute()).toEqual({
        "GET /domains/:domain/mailboxes": 1,
        "GET /domains/:domain/aliases": 1,
        "GET /domains/:domain/mailboxes/:local_part/forwardings": 1,
      });
      expect(r.stdout).toBe(
        [
          `mailplane audit (read-only: nothing was changed) — stack imported: 1 domain (${D}); accounts checked`,
          "",
          "INFO (1)",
          "  KIND       SUBJECT          DETAIL",
          `  suspended  leaver@${D}  suspended (offboarded)`,
          "",
          "0 error, 0 warning, 1 info; 0 not checked",
          "",
          "Checked:",
          `  ${D} accounts at migadu: 4 mailboxes, 6 aliases, 2 groups`,
          "",
        ].join("\n"),
      );
      expect(r.code).toBe(0);
      console.log(r.stdout);
    },
    LONG,
  );

  it(
    "migration: the same declaration with the self-hosted binding creates the same addresses there",
    async () => {
      const program = readFileSync(path.join(dir, "index.ts"), "utf8");
      const newStore = path.join(tmp, "new-provider.sqlite");
      const swapped = program
        .replace(
          /provider: providers\.migadu\(\{ apiUrl: "[^"]+" \}\),/,
          `provider: providers.selfHosted({ store: providers.sqlite({ path: ${JSON.stringify(newStore)} }), mx: "mx.acme.com" }),`,
        )
        .replace(
          /path: "[^"]+acme\.com\.zone"/,
          `path: ${JSON.stringify(path.join(tmp, "new.zone"))}`,
        );
      expect(swapped).not.toBe(program);
      const migrated = project("migrated", swapped);
      try {
        const ws2 = new PulumiWorkspace(migrated, path.join(tmp, "migrated"));
        await ws2.ok(["stack", "init", "migrated", "--non-interactive"]);
        emu.resetLog();
        await ws2.up();
        // The new stack sends nothing to the old provider: it talks to the new store only.
        expect(emu.log).toEqual([]);
        const old = createMigaduProvider({ baseUrl: apiUrl, user: USER, apiKey: API_KEY });
        const fresh = new SelfHostedProvider({ type: "sqlite", path: newStore });
        const before = await deliveryMap(old, D);
        expect(Object.keys(before)).toEqual([
          `a.alavi@${D}`,
          `abuse@${D}`,
          `ali@${D}`,
          `hr@${D}`,
          `info@${D}`,
          `launch@${D}`,
          `leaver@${D}`,
          `maria@${D}`,
          `postmaster@${D}`,
          `zhangsan@${D}`,
        ]);
        expect(await deliveryMap(fresh, D)).toEqual(before);
        expect(changes((await ws2.preview()).steps)).toEqual([]);
      } finally {
        rmSync(migrated, { recursive: true, force: true });
      }
    },
    LONG,
  );
});

/**
 * Where every address of a domain delivers, whatever kind the provider keeps it as: mailboxes
 * (name, suspension, forwards) and every other address with its sorted destinations.
 */
async function deliveryMap(p: MailProvider, d: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const m of await p.listMailboxes(d)) {
    out[`${m.localPart}@${d}`] = {
      mailbox: m.name,
      suspended: m.suspended,
      forwardTo: [...m.forwardTo].sort(),
    };
    for (const a of m.aliases) out[`${a}@${d}`] = [`${m.localPart}@${d}`];
  }
  for (const a of await p.listAliases(d)) out[`${a.localPart}@${d}`] = [...a.destinations].sort();
  for (const g of await p.listGroups(d)) out[`${g.localPart}@${d}`] = [...g.members].sort();
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

describe.sequential("import → pulumi up → no change, on the self-hosted sqlite store", () => {
  const D = "globex.com";
  let tmp: string;
  let dir: string;
  let ws: PulumiWorkspace;
  let storePath: string;

  const tables = async () => {
    const store = await openStore({ type: "sqlite", path: storePath });
    try {
      const out: Record<string, unknown[]> = {};
      for (const t of ["domain", "mailbox", "alias", "alias_domain"]) {
        out[t] = await store.query(`SELECT * FROM ${t} ORDER BY 1, 2`);
      }
      return out;
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-import-sqlite-"));
    storePath = path.join(tmp, "mail.sqlite");
    await populate(new SelfHostedProvider({ type: "sqlite", path: storePath }), D);
    const r = await mailplane(
      [
        "import",
        "--provider",
        "selfHosted",
        "--domain",
        D,
        "--api-url",
        `sqlite://${storePath}`,
        "--name",
        "globex",
      ],
      process.env,
      tmp,
    );
    expect(r.code).toBe(0);
    dir = project(
      "selfhosted",
      r.stdout.replace(`path: "${D}.zone"`, `path: ${JSON.stringify(path.join(tmp, `${D}.zone`))}`),
    );
    ws = new PulumiWorkspace(dir, tmp);
    await requirePulumi(ws);
    await ws.ok(["stack", "init", "imported", "--non-interactive"]);
  }, LONG);

  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  it(
    "pulumi up adopts every account: every table of the store unchanged; a second preview shows no change",
    async () => {
      const before = await tables();
      expect((before.mailbox as unknown[]).length).toBe(4);
      const code = readFileSync(path.join(dir, "index.ts"), "utf8");
      expect(code).toContain("store: providers.sqlite({ path: ");
      expect(code).toContain(`// NOTE: selfHosted mx: "mx.${D}" is a guess; set your MX host`);
      const p = await ws.preview();
      expect(changes(p.steps).filter((c) => !c.startsWith("create "))).toEqual([]);
      await ws.up();
      expect(await tables()).toEqual(before);
      expect(changes((await ws.preview()).steps)).toEqual([]);
      // What the audit reads from the state: the declaration, the records (the DKIM key the
      // stack generated included, not secret) and the store locator.
      const [target] = targetsFromState(JSON.parse((await ws.exportState()).text));
      expect(target!.name).toBe("globex");
      expect(target!.provider).toBe("selfHosted");
      expect(target!.apiUrl).toBe(`sqlite://${storePath}`);
      expect(target!.spec.mailboxes.ali).toMatchObject({ name: "Ali Alavi", aliases: ["a.alavi"] });
      const roles = (target!.records ?? []).map((x) => x.role);
      expect(roles).toEqual(expect.arrayContaining(["mx", "spf", "dmarc", "dkim-mail"]));
      expect(target!.records!.find((x) => x.role === "dkim-mail")!.value).toMatch(
        /^v=DKIM1; k=rsa; p=[A-Za-z0-9+/]{300,}={0,2}$/,
      );
      const r = await mailplane(
        ["audit", "--stack", "imported", "--cwd", dir, "--no-dns"],
        ws.env,
        dir,
      );
      expect({ code: r.code, stderr: r.stderr }).toEqual({
        code: 0,
        stderr: `[1/1] ${D}: reading accounts at selfHosted…\n`,
      });
      expect(r.stdout).toContain("0 error, 0 warning, 1 info; 0 not checked");
    },
    LONG,
  );
});
