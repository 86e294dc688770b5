/**
 * Upgrading a stack written by the dynamic resources (Mailplane bf4cda1) to the `mailplane`
 * provider plugin, through the real Pulumi engine. test/engine/fixtures/upgrade holds genuine
 * old state (make-old-state.sh ran the fixture's program at bf4cda1): 22 dynamic resources of
 * every type (Mailbox, Alias, MailGroup, CatchAll, DomainAlias, ZoneFile, DkimKey,
 * PowerDnsRecords) for acme.com at the Migadu emulator, globex.com (+ globex.net) in a
 * self-hosted sqlite store and initech.com (+ initech.net) on PowerDNS, with the emulator's
 * store, the zone files and the sqlite store as the old up left them. PowerDNS is a stand-in
 * here that records every request and answers none: the upgrade must not need it. The test
 * seeds all of it, imports the state (its folder, PowerDNS URL and stack name rewritten, nothing
 * else), and runs the same program with the current code, the plugin found through the
 * fixture's Pulumi.yaml (`plugins.providers`, the package's folder): each resource is matched by
 * its alias to the old type and diffed by the plugin. Nothing may be created, deleted or
 * replaced, no account written, and the state must end up on `mailplane:index:*` types.
 * Golden file: test/engine/golden/upgrade-preview.txt (`UPDATE_GOLDEN=1` rewrites it).
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MigaduEmulator, type MigaduSnapshot } from "../emulators/migadu";
import {
  changedInputs,
  golden,
  nameOf,
  PulumiWorkspace,
  requirePulumi,
  type PreviewJson,
} from "./pulumi-cli";

const PROJECT = path.join(__dirname, "fixtures", "upgrade");
const GOLDEN = path.join(__dirname, "golden");
const LONG = 300_000;
/** How the fixture was made: its folder, stack name, passphrase, credentials and passwords. */
const PROVENANCE = JSON.parse(readFileSync(path.join(PROJECT, "provenance.json"), "utf8")) as {
  commit: string;
  dir: string;
  powerDnsUrl: string;
  stack: string;
  passphrase: string;
  migadu: { user: string; apiKey: string };
  passwords: Record<string, string>;
};
const SNAPSHOT_TEXT = JSON.stringify(
  JSON.parse(readFileSync(path.join(PROJECT, "migadu-snapshot.json"), "utf8")),
);
const STACK = `upgrade-${process.pid}`;
const PROJECT_NAME = "mailplane-engine-upgrade";

/** Every custom resource of the old state, by name: its type, short. */
const TYPES: Record<string, string> = {
  "acme-alias-abuse": "Alias",
  "acme-alias-hr": "Alias",
  "acme-alias-postmaster": "Alias",
  "acme-group-sales": "MailGroup",
  "acme-mailbox-ali": "Mailbox",
  "acme-mailbox-omar": "Mailbox",
  "acme-mailbox-zhangsan": "Mailbox",
  "acme-zone-file": "ZoneFile",
  "globex-alias-abuse": "Alias",
  "globex-alias-billing": "Alias",
  "globex-alias-postmaster": "Alias",
  "globex-catch-all": "CatchAll",
  "globex-dkim-mail": "DkimKey",
  "globex-domain-alias-globex.net": "DomainAlias",
  "globex-group-team": "MailGroup",
  "globex-mailbox-bob": "Mailbox",
  "globex-mailbox-eve": "Mailbox",
  "globex-mailbox-maria": "Mailbox",
  "globex-zone-file": "ZoneFile",
  "globex-zone-file-globex.net": "ZoneFile",
  "initech-powerdns": "PowerDnsRecords",
  "initech-powerdns-initech.net": "PowerDnsRecords",
};
const NAMES = Object.keys(TYPES).sort();
/** The old state's type token of a short type. */
const dynamicType = (t: string): string =>
  t === "ZoneFile"
    ? "pulumi-nodejs:dynamic/ZoneFile:Resource"
    : `pulumi-nodejs:dynamic/mailplane:${t}`;
/** The components and the stack: the same before and after. */
const COMPONENTS = {
  acme: "mailplane:index:MailDomain",
  globex: "mailplane:index:MailDomain",
  initech: "mailplane:index:MailDnsRecords",
  [`${PROJECT_NAME}-${STACK}`]: "pulumi:pulumi:Stack",
};

interface ExportedResource {
  urn: string;
  type: string;
  id?: string;
  custom?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}
interface Exported {
  deployment: { resources: ExportedResource[] };
}
/** A step of `pulumi preview --json` with what an aliased update carries. */
type UpgradeStep = PreviewJson["steps"][number] & {
  oldState?: { type?: string; id?: string };
  newState?: { type?: string; aliases?: string[] };
  detailedDiff?: Record<string, { kind: string; inputDiff: boolean }>;
};

let emu: MigaduEmulator;
/** The PowerDNS stand-in: every request it got, as `METHOD path`; it answers 503 to all. */
let powerDns: http.Server;
let powerDnsUrl: string;
const powerDnsRequests: string[] = [];
let tmp: string;
let dir: string;
let ws: PulumiWorkspace;
/** The old state as imported (folder and stack name rewritten). */
let imported: Exported;

/** The fixture's text with its folder, PowerDNS URL and stack name made this run's. */
function rewriteState(text: string): string {
  return text
    .split(PROVENANCE.dir)
    .join(dir)
    .split(PROVENANCE.powerDnsUrl)
    .join(powerDnsUrl)
    .split(`urn:pulumi:${PROVENANCE.stack}::`)
    .join(`urn:pulumi:${STACK}::`)
    .split(`::${PROJECT_NAME}-${PROVENANCE.stack}"`)
    .join(`::${PROJECT_NAME}-${STACK}"`);
}

/** Every table of the sqlite store, row by row, read-only. */
function storeDump(): Record<string, unknown[]> {
  const db = new DatabaseSync(path.join(dir, "mail.sqlite"), { readOnly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => String(r.name));
    return Object.fromEntries(
      tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).all()]),
    );
  } finally {
    db.close();
  }
}

/** The bytes of every file of the folder (zone files, the sqlite store), by name. */
const filesOf = (): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(path.join(dir, f)).toString("base64")]),
  );

/** The emulator's write requests (anything but GET), as `METHOD path`. */
const writes = (): string[] =>
  emu.log.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);

/** Paths of every value marked secret in a state (`{ 4dabf…: "1b47…", ciphertext }`), sorted. */
function secretPaths(state: Exported): string[] {
  const out: string[] = [];
  const walk = (v: unknown, at: string): void => {
    if (v === null || typeof v !== "object") return;
    if ((v as Record<string, unknown>)["4dabf18193072939515e22adb298388d"] !== undefined) {
      out.push(at);
      return;
    }
    for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
  };
  for (const r of state.deployment.resources) {
    walk(r.inputs, `${nameOf(r.urn)}.inputs`);
    walk(r.outputs, `${nameOf(r.urn)}.outputs`);
  }
  return out.sort();
}

/** `op type name` of every step that is not `same`, with the full type token, sorted. */
const changes = (steps: PreviewJson["steps"]): string[] =>
  steps
    .filter((s) => s.op !== "same")
    .map((s) => `${s.op} ${s.urn.split("::")[2]!.split("$").pop()} ${nameOf(s.urn)}`)
    .sort();

/** Whether a key appears anywhere in a JSON value. */
function hasKey(v: unknown, key: string): boolean {
  if (v === null || typeof v !== "object") return false;
  return Object.entries(v).some(([k, x]) => k === key || hasKey(x, key));
}

/** `name → type` of the custom resources and components of a state (providers left out). */
const typesByName = (state: Exported): Record<string, string> =>
  Object.fromEntries(
    state.deployment.resources
      .filter((r) => !r.type.startsWith("pulumi:providers:"))
      .map((r) => [nameOf(r.urn), r.type])
      .sort(([a], [b]) => a!.localeCompare(b!)),
  );
const idsByName = (state: Exported): Record<string, string | undefined> =>
  Object.fromEntries(
    state.deployment.resources
      .filter((r) => r.custom === true && !r.type.startsWith("pulumi:providers:"))
      .map((r) => [nameOf(r.urn), r.id]),
  );

let seededStore: Record<string, unknown[]>;
let seededFiles: Record<string, string>;
/** The imported state, decrypted (`stack export --show-secrets`), before the up. */
let decryptedBefore: Exported;

/** Modification times of the folder's files, by name. */
const mtimesOf = (): Record<string, number> =>
  Object.fromEntries(readdirSync(dir).map((f) => [f, statSync(path.join(dir, f)).mtimeMs]));

/** Properties without a dynamic resource's serialized provider. */
function withoutCode(props: Record<string, unknown> | undefined): Record<string, unknown> {
  const { __provider: _code, ...rest } = props ?? {};
  return rest;
}
const timings: Record<string, number> = {};
const timed = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
  const t = performance.now();
  try {
    return await fn();
  } finally {
    timings[label] = Math.round(performance.now() - t);
  }
};

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-upgrade-"));
  dir = path.join(tmp, "data");
  mkdirSync(dir);
  for (const f of readdirSync(path.join(PROJECT, "files"))) {
    copyFileSync(path.join(PROJECT, "files", f), path.join(dir, f));
  }
  emu = new MigaduEmulator({
    user: PROVENANCE.migadu.user,
    apiKey: PROVENANCE.migadu.apiKey,
    rateLimit: false,
  });
  emu.seed(JSON.parse(SNAPSHOT_TEXT) as MigaduSnapshot);
  const apiUrl = await emu.start();
  powerDns = http.createServer((req, res) => {
    powerDnsRequests.push(`${req.method} ${req.url}`);
    res.writeHead(503, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "the upgrade test's PowerDNS stand-in answers nothing" }));
  });
  await new Promise<void>((resolve) => powerDns.listen(0, "127.0.0.1", resolve));
  powerDnsUrl = `http://127.0.0.1:${(powerDns.address() as AddressInfo).port}`;
  ws = new PulumiWorkspace(PROJECT, tmp, {
    MIGADU_API_URL: apiUrl,
    MIGADU_USER: PROVENANCE.migadu.user,
    MIGADU_API_KEY: PROVENANCE.migadu.apiKey,
    PDNS_API_KEY: "upgrade-test-powerdns-key",
    PULUMI_CONFIG_PASSPHRASE: PROVENANCE.passphrase,
  });
  await requirePulumi(ws);
  await ws.ok(["stack", "init", STACK, "--non-interactive"]);
  // The old stack's config: its encryptionsalt and secure passwords, this run's folder and URL.
  writeFileSync(
    path.join(PROJECT, `Pulumi.${STACK}.yaml`),
    rewriteState(readFileSync(path.join(PROJECT, "stack-config.yaml"), "utf8")),
  );
  const stateFile = path.join(tmp, "old-state.json");
  writeFileSync(
    stateFile,
    rewriteState(readFileSync(path.join(PROJECT, "old-state.json"), "utf8")),
  );
  imported = JSON.parse(readFileSync(stateFile, "utf8")) as Exported;
  await ws.ok(["stack", "import", "--file", stateFile]);
  seededStore = storeDump();
  seededFiles = filesOf();
  decryptedBefore = JSON.parse(await ws.ok(["stack", "export", "--show-secrets"])) as Exported;
}, LONG);

afterAll(async () => {
  await emu?.stop();
  await new Promise((resolve) => powerDns?.close(resolve));
  rmSync(path.join(PROJECT, `Pulumi.${STACK}.yaml`), { force: true });
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  console.log(`upgrade timings (ms): ${JSON.stringify(timings)}`);
});

describe.sequential("upgrading a stack of the dynamic resources to the provider plugin", () => {
  it("0. the imported state is the old release's: 22 dynamic resources, nothing else rewritten", async () => {
    expect(PROVENANCE.commit).toBe("bf4cda1ee19015ff1e2f4fb98ea0d8e8e7662743");
    expect(typesByName(imported)).toEqual({
      ...Object.fromEntries(NAMES.map((n) => [n, dynamicType(TYPES[n]!)])),
      ...COMPONENTS,
    });
    // The rewrite touched only the folder, the PowerDNS URL and the stack name.
    const original = readFileSync(path.join(PROJECT, "old-state.json"), "utf8");
    expect(
      rewriteState(original)
        .split(dir)
        .join(PROVENANCE.dir)
        .split(powerDnsUrl)
        .join(PROVENANCE.powerDnsUrl)
        .split(STACK)
        .join(PROVENANCE.stack),
    ).toBe(original);
    const { text } = await ws.exportState();
    expect(typesByName(JSON.parse(text) as Exported)).toEqual(typesByName(imported));
    expect(writes()).toEqual([]);
    expect(powerDnsRequests).toEqual([]);
  });

  it(
    "1. preview: every old resource matched by its alias, an update of its state only (the serialized provider dropped); nothing created, deleted or replaced",
    async () => {
      const p = await timed("preview", () => ws.preview());
      expect(changes(p.steps)).toEqual(
        NAMES.map((n) => `update mailplane:index:${TYPES[n]} ${n}`).sort(),
      );
      expect(p.changeSummary).toEqual({
        same: Object.keys(COMPONENTS).length,
        update: NAMES.length,
      });
      // Each update is the old resource (old type, same id) under its new type, found by its
      // alias, and changes nothing but the dynamic provider's code in state.
      const oldByName = new Map(imported.deployment.resources.map((r) => [nameOf(r.urn), r]));
      const updates = p.steps.filter((s) => s.op === "update") as UpgradeStep[];
      expect(
        Object.fromEntries(
          updates
            .map((s) => [
              nameOf(s.urn),
              {
                old: [s.oldState?.type, s.oldState?.id],
                new: s.newState?.type,
                alias: s.newState?.aliases,
                diffReasons: s.diffReasons,
                replaceReasons: s.replaceReasons ?? [],
                detailedDiff: s.detailedDiff,
              },
            ])
            .sort(([a], [b]) => String(a).localeCompare(String(b))),
        ),
      ).toEqual(
        Object.fromEntries(
          NAMES.map((n) => [
            n,
            {
              old: [dynamicType(TYPES[n]!), oldByName.get(n)!.id],
              new: `mailplane:index:${TYPES[n]}`,
              alias: [oldByName.get(n)!.urn],
              diffReasons: ["__provider"],
              replaceReasons: [],
              detailedDiff: { __provider: { kind: "delete", inputDiff: false } },
            },
          ]),
        ),
      );
      // The new inputs are the old ones without the code: nothing unknown, nothing changed.
      const inputChanges = Object.fromEntries(
        updates
          .map((s) => [nameOf(s.urn), changedInputs(s)] as const)
          .filter(([, c]) => Object.keys(c).length > 0),
      );
      expect(inputChanges).toEqual({});
      const r = await timed("preview --diff", () =>
        ws.run(["preview", "--diff", "--color", "never", "--non-interactive"]),
      );
      expect(r.code).toBe(0);
      const g = golden(path.join(GOLDEN, "upgrade-preview.txt"), r, tmp, STACK);
      expect(g.text).toBe(g.golden);
      expect(writes()).toEqual([]);
      expect(powerDnsRequests).toEqual([]);
    },
    LONG,
  );

  it(
    "2. up: no write at the emulator, the emulator's store, the sqlite store and the zone files unchanged",
    async () => {
      emu.resetLog();
      const mtimes = mtimesOf();
      await timed("up", () => ws.up());
      expect(writes()).toEqual([]);
      expect(powerDnsRequests).toEqual([]);
      timings.upRequests = emu.log.length;
      expect(JSON.stringify(emu.snapshot())).toBe(SNAPSHOT_TEXT);
      expect(storeDump()).toEqual(seededStore);
      expect(filesOf()).toEqual(seededFiles);
      // Not even rewritten with the same bytes.
      expect(mtimesOf()).toEqual(mtimes);
    },
    LONG,
  );

  it(
    "3. the state after up: mailplane:index:* types, the same ids, no __provider, secrets still encrypted",
    async () => {
      const { text } = await ws.exportState();
      const state = JSON.parse(text) as Exported;
      expect(typesByName(state)).toEqual({
        ...Object.fromEntries(NAMES.map((n) => [n, `mailplane:index:${TYPES[n]}`])),
        ...COMPONENTS,
      });
      expect(idsByName(state)).toEqual(idsByName(imported));
      expect(hasKey(state, "__provider")).toBe(false);
      // The dynamic resources' provider is gone with them.
      expect(
        state.deployment.resources
          .filter((r) => r.type.startsWith("pulumi:providers:"))
          .map((r) => r.type),
      ).toEqual(["pulumi:providers:mailplane"]);
      // Whatever was secret still is (passwords, their fingerprints, the DKIM private key).
      const before = secretPaths(imported).filter((p) => !p.startsWith("default."));
      expect(before).toEqual([
        "acme-mailbox-zhangsan.inputs.password",
        "acme-mailbox-zhangsan.outputs.passwordHash",
        "globex-dkim-mail.outputs.privateKeyPem",
        "globex-mailbox-bob.inputs.password",
        "globex-mailbox-bob.outputs.passwordHash",
        "globex-mailbox-eve.inputs.password",
        "globex-mailbox-eve.outputs.passwordHash",
        "globex-mailbox-maria.inputs.password",
        "globex-mailbox-maria.outputs.passwordHash",
      ]);
      expect(secretPaths(state).filter((p) => before.includes(p))).toEqual(before);
      for (const pw of Object.values(PROVENANCE.passwords)) expect(text).not.toContain(pw);
      expect(text).not.toContain("PRIVATE KEY");
    },
    LONG,
  );

  it(
    "3b. decrypted, every resource's inputs and outputs are the old ones without __provider",
    async () => {
      const after = JSON.parse(await ws.ok(["stack", "export", "--show-secrets"])) as Exported;
      const props = (state: Exported) =>
        Object.fromEntries(
          state.deployment.resources
            .filter((r) => nameOf(r.urn) in TYPES)
            .map((r) => [
              nameOf(r.urn),
              { inputs: withoutCode(r.inputs), outputs: withoutCode(r.outputs) },
            ])
            .sort(([a], [b]) => String(a).localeCompare(String(b))),
        );
      expect(Object.keys(props(decryptedBefore))).toEqual(NAMES);
      expect(props(after)).toEqual(props(decryptedBefore));
    },
    LONG,
  );

  it(
    "4. a second preview shows no change",
    async () => {
      emu.resetLog();
      const p = await timed("preview again", () => ws.preview());
      expect(changes(p.steps)).toEqual([]);
      expect(p.changeSummary).toEqual({ same: NAMES.length + Object.keys(COMPONENTS).length });
      expect(writes()).toEqual([]);
      expect(powerDnsRequests).toEqual([]);
    },
    LONG,
  );
});
