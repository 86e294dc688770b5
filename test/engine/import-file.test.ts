/**
 * `mailplane import --import-file` → `pulumi import --file` through the real Pulumi engine
 * (issue 19): the Migadu emulator holds a domain's accounts (two mailboxes, one with its own
 * alias, a standalone alias and a group, which Migadu keeps as an alias with two destinations;
 * Migadu has no catch-all or domain aliases through its API); the command writes the import file;
 * `pulumi import --file` adopts every account into a stack whose program declares nothing, with
 * reads only; the state holds each with the exact type, id and inputs; the program then declares
 * them standalone (test/engine/fixtures/import-file, the `mailplane` plugin found through
 * Pulumi.yaml's `plugins.providers` entry) and previews no change. A MailGroup is adopted the
 * same way with a single `pulumi import`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../packages/cli/src";
import { MigaduEmulator } from "../emulators/migadu";
import { changes, PulumiWorkspace, requirePulumi, type StateResource } from "./pulumi-cli";

const ROOT = path.resolve(__dirname, "..", "..");
const PROJECT = path.join(__dirname, "fixtures", "import-file");
const D = "acme.com";
const USER = "admin@acme.com";
const API_KEY = "emulator-api-key-import-file-4c7e";
const LONG = 300_000;
const STACK = `import-file-${process.pid}`;

let emu: MigaduEmulator;
let apiUrl: string;
let tmp: string;
let ws: PulumiWorkspace;
let importFile: string;

/** The emulator's requests other than GET since its log was last reset, by route. */
const writes = () =>
  emu.log.filter((l) => l.method !== "GET").map((l) => `${l.method} ${l.route} ${l.status}`);

/** A resource of `pulumi stack export` with the fields the engine records for it. */
type Exported = StateResource & { type: string; id?: string };

/** The stack's mailplane resources: name → type, id and inputs. */
async function accountsInState(): Promise<
  Record<string, Pick<Exported, "type" | "id" | "inputs">>
> {
  const { byName } = await ws.exportState();
  return Object.fromEntries(
    [...byName]
      .map(([name, r]) => [name, r as Exported] as const)
      .filter(([, r]) => r.type.startsWith("mailplane:index:"))
      .map(([name, r]) => [name, { type: r.type, id: r.id, inputs: r.inputs }]),
  );
}

/** `pulumi import` flags for a stack whose language host cannot print program code. */
const IMPORT_FLAGS = [
  "--yes",
  "--protect=false",
  "--generate-code=false",
  "--non-interactive",
  "--color",
  "never",
];

const mailboxInputs = (localPart: string, name: string, aliases: string[] = []) => ({
  mailProvider: "migadu",
  domain: D,
  localPart,
  name,
  suspended: false,
  changePasswordAtNextLogin: false,
  require2fa: false,
  aliases,
  forwardTo: [],
  onDelete: "suspend",
  allowRecreate: false,
  shared: false,
});

beforeAll(async () => {
  const plugin = path.join(ROOT, "packages", "pulumi", "dist", "plugin", "main.js");
  if (!existsSync(plugin)) {
    throw new Error(`${path.relative(ROOT, plugin)} is missing: run pnpm run build`);
  }
  emu = new MigaduEmulator({ user: USER, apiKey: API_KEY, domains: [D], rateLimit: false });
  apiUrl = await emu.start();
  emu.putMailbox(D, { local_part: "ali", name: "Ali Alavi" });
  emu.putMailbox(D, { local_part: "zhangsan", name: "Zhang San" });
  emu.putAlias(D, "a.alavi", [`ali@${D}`]);
  emu.putAlias(D, "press", ["agency@example.com"]);
  emu.putAlias(D, "team", [`ali@${D}`, `zhangsan@${D}`]);
  tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-import-file-"));
  importFile = path.join(tmp, "import.json");
  ws = new PulumiWorkspace(PROJECT, tmp, {
    MIGADU_API_URL: apiUrl,
    MIGADU_USER: USER,
    MIGADU_API_KEY: API_KEY,
  });
  await requirePulumi(ws);
  await ws.ok(["stack", "init", STACK, "--non-interactive"]);
}, LONG);

afterAll(async () => {
  await emu?.stop();
  rmSync(path.join(PROJECT, `Pulumi.${STACK}.yaml`), { force: true });
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe.sequential("mailplane import --import-file, then pulumi import --file", () => {
  it(
    "1. mailplane import writes the import file of every live account, reading only",
    async () => {
      emu.resetLog();
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(
        [
          "import",
          "--provider",
          "migadu",
          "--domain",
          D,
          "--api-url",
          apiUrl,
          "--import-file",
          importFile,
        ],
        {
          stdout: (t) => out.push(t),
          stderr: (t) => err.push(t),
          env: { MIGADU_USER: USER, MIGADU_API_KEY: API_KEY },
          cwd: tmp,
        },
      );
      expect(err.join("")).toBe(
        `reading ${D} at migadu…\n` +
          `wrote ${importFile}: 4 resources (2 Mailbox, 2 Alias); adopt them with pulumi import --file ${importFile}\n`,
      );
      expect(code).toBe(0);
      expect(JSON.parse(readFileSync(importFile, "utf8"))).toEqual({
        resources: [
          {
            type: "mailplane:index:Mailbox",
            name: "acme-com-mailbox-ali",
            id: "migadu/acme.com/ali",
          },
          {
            type: "mailplane:index:Mailbox",
            name: "acme-com-mailbox-zhangsan",
            id: "migadu/acme.com/zhangsan",
          },
          {
            type: "mailplane:index:Alias",
            name: "acme-com-alias-press",
            id: "migadu/acme.com/press",
          },
          {
            type: "mailplane:index:Alias",
            name: "acme-com-alias-team",
            id: "migadu/acme.com/team",
          },
        ],
      });
      expect(writes()).toEqual([]);
    },
    LONG,
  );

  it(
    "2. pulumi import --file adopts them all into a stack that declares nothing, with reads only",
    async () => {
      emu.resetLog();
      const r = await ws.run(["import", "--file", importFile, ...IMPORT_FLAGS]);
      expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
      expect(writes()).toEqual([]);
      expect(await accountsInState()).toEqual({
        "acme-com-mailbox-ali": {
          type: "mailplane:index:Mailbox",
          id: "migadu/acme.com/ali",
          inputs: mailboxInputs("ali", "Ali Alavi", ["a.alavi"]),
        },
        "acme-com-mailbox-zhangsan": {
          type: "mailplane:index:Mailbox",
          id: "migadu/acme.com/zhangsan",
          inputs: mailboxInputs("zhangsan", "Zhang San"),
        },
        "acme-com-alias-press": {
          type: "mailplane:index:Alias",
          id: "migadu/acme.com/press",
          inputs: {
            mailProvider: "migadu",
            domain: D,
            localPart: "press",
            destinations: ["agency@example.com"],
          },
        },
        "acme-com-alias-team": {
          type: "mailplane:index:Alias",
          id: "migadu/acme.com/team",
          inputs: {
            mailProvider: "migadu",
            domain: D,
            localPart: "team",
            destinations: [`ali@${D}`, `zhangsan@${D}`],
          },
        },
      });
    },
    LONG,
  );

  it(
    "3. the program declaring the same resources standalone previews no change (refreshed too); up writes nothing",
    async () => {
      await ws.ok(["config", "set", "declare", "true"]);
      emu.resetLog();
      const p = await ws.preview();
      expect(changes(p.steps)).toEqual([]);
      expect(p.changeSummary).toEqual({ same: 5 });
      const refreshed = await ws.preview(["--refresh"]);
      expect(changes(refreshed.steps).filter((c) => !c.startsWith("refresh"))).toEqual([]);
      // And an up of that program leaves the accounts as they are.
      await ws.up();
      expect(writes()).toEqual([]);
    },
    LONG,
  );

  it(
    "4. a MailGroup is adopted the same way by id; declared as imported, no change",
    async () => {
      emu.putAlias(D, "all-staff", [`ali@${D}`, "maria@acme.com", `zhangsan@${D}`]);
      emu.resetLog();
      const r = await ws.run([
        "import",
        "mailplane:index:MailGroup",
        "acme-com-group-all-staff",
        "migadu/acme.com/all-staff",
        ...IMPORT_FLAGS,
      ]);
      expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
      expect(writes()).toEqual([]);
      expect((await accountsInState())["acme-com-group-all-staff"]).toEqual({
        type: "mailplane:index:MailGroup",
        id: "migadu/acme.com/all-staff",
        inputs: {
          mailProvider: "migadu",
          domain: D,
          localPart: "all-staff",
          name: "all-staff",
          members: [`ali@${D}`, "maria@acme.com", `zhangsan@${D}`],
        },
      });
      await ws.ok(["config", "set", "group", "true"]);
      const p = await ws.preview();
      expect(changes(p.steps)).toEqual([]);
      expect(p.changeSummary).toEqual({ same: 6 });
      expect(writes()).toEqual([]);
    },
    LONG,
  );
});
