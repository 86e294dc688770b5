/**
 * The real Pulumi engine on the self-hosted sqlite store (issues 6 and 7): `pulumi preview`,
 * `up`, `stack export` and `destroy` of test/engine/fixtures/selfhosted — globex.com on the
 * zone-file DNS backend with its accounts in the self-hosted (Postfix + Dovecot) sqlite store —
 * against a local file backend. The zone file, the sqlite store and the backend live in one temp
 * folder; each step is a `pulumi config set`, never a file rewrite. The store is checked row by
 * row (PostfixAdmin's `mailbox` and `alias` tables). Golden file of the quota/alias update:
 * test/engine/golden/selfhosted-3-update.txt (`UPDATE_GOLDEN=1` rewrites it).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { openStore } from "@mailplane/providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KINDS_BEFORE, KINDS_MOVED, movePreview } from "./fixtures/moves";
import {
  changes,
  golden,
  nameOf,
  PulumiWorkspace,
  requirePulumi,
  updatedInputs,
  type PreviewJson,
} from "./pulumi-cli";

const PROJECT = path.join(__dirname, "fixtures", "selfhosted");
const GOLDEN = path.join(__dirname, "golden");
const PASSWORDS = {
  ali: "Ali-selfhosted-Pa55",
  zhangsan: "Zs-selfhosted-Pa55",
  maria: "Mg-selfhosted-Pa55",
  omar: "Om-selfhosted-Pa55",
};
const MIB = 1024 * 1024;
const LONG = 300_000;
/** A stack name of this run: the stack's config file lands in the project folder. */
const STACK = `selfhosted-${process.pid}`;

let tmp: string;
let ws: PulumiWorkspace;
let zonePath: string;
let storePath: string;

const preview = (extra: string[] = []): Promise<PreviewJson> => ws.preview(extra);
const previewDiff = () => ws.run(["preview", "--diff", "--color", "never", "--non-interactive"]);
const up = (): Promise<void> => ws.up();

/** A command's output, normalised, compared with (or written to) a golden file. */
function expectGolden(name: string, r: { stdout: string; stderr: string }): void {
  const g = golden(path.join(GOLDEN, `${name}.txt`), r, tmp, STACK);
  expect(g.text).toBe(g.golden);
}

/** Rows of the sqlite store, read directly (a connection per read: the provider process writes). */
async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const store = await openStore({ type: "sqlite", path: storePath });
  try {
    return await store.query(sql);
  } finally {
    await store.close();
  }
}
const mailboxRows = () =>
  rows(
    "SELECT username, name, quota, maildir, local_part, active FROM mailbox ORDER BY username",
  ).then((rs) =>
    rs.map((r) => ({
      username: r.username,
      name: r.name,
      quotaMb: Number(r.quota) / MIB,
      maildir: r.maildir,
      active: Number(r.active),
    })),
  );
/** `alias.goto` by address, for the aliases that are not a mailbox's own address. */
const aliasRows = async () =>
  Object.fromEntries(
    (await rows("SELECT address, goto, active FROM alias ORDER BY address"))
      .filter((r) => r.goto !== r.address)
      .map((r) => [r.address, `${String(r.goto)}${Number(r.active) === 1 ? "" : " (inactive)"}`]),
  );
const passwordColumn = async (): Promise<Record<string, string>> =>
  Object.fromEntries(
    (await rows("SELECT local_part, password FROM mailbox")).map((r) => [
      String(r.local_part),
      String(r.password),
    ]),
  );

const exportState = () => ws.exportState();

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-engine-selfhosted-"));
  zonePath = path.join(tmp, "globex.com.zone");
  storePath = path.join(tmp, "mail.sqlite");
  ws = new PulumiWorkspace(PROJECT, tmp);
  await requirePulumi(ws);
  await ws.ok(["stack", "init", STACK, "--non-interactive"]);
  await ws.ok(["config", "set", "zonePath", zonePath]);
  await ws.ok(["config", "set", "storePath", storePath]);
  await ws.ok(["config", "set", "--secret", "passwords", JSON.stringify(PASSWORDS)]);
}, LONG);

afterAll(() => {
  // The file backend, PULUMI_HOME, the zone file and the store live in tmp; the project folder
  // gets only Pulumi.<stack>.yaml, removed here.
  rmSync(path.join(PROJECT, `Pulumi.${STACK}.yaml`), { force: true });
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

let upMs = 0;
/** `alias.goto` after step 2. */
const ALIASES = {
  "abuse@globex.com": "ali@globex.com",
  "ali.alavi@globex.com": "ali@globex.com",
  "hr@globex.com": "ali@globex.com",
  "info@globex.com": "ali@globex.com,zhangsan@globex.com",
  "postmaster@globex.com": "ali@globex.com",
  "support@globex.com": "maria@globex.com",
};

describe.sequential("the real Pulumi engine on the self-hosted sqlite store", () => {
  it(
    "1. preview on an empty stack lists every account, the DKIM key and the zone file to create",
    async () => {
      const p = await preview();
      // The zone file is in the first preview although its DKIM record holds the public key of
      // a DkimKey not created yet: the records are planned with the key pending, so the file is
      // registered now and only its content waits for the key (unknown in the preview).
      expect(changes(p.steps)).toEqual([
        "create Alias globex-alias-abuse",
        "create Alias globex-alias-hr",
        "create Alias globex-alias-info",
        "create Alias globex-alias-postmaster",
        "create Alias globex-alias-support",
        "create DkimKey globex-dkim-mail",
        "create Mailbox globex-mailbox-ali",
        "create Mailbox globex-mailbox-maria",
        "create Mailbox globex-mailbox-omar",
        "create Mailbox globex-mailbox-zhangsan",
        "create ZoneFile globex-zone-file",
        "create mailplane:index:MailDomain globex",
        `create pulumi:pulumi:Stack mailplane-engine-selfhosted-${STACK}`,
      ]);
      expect(p.changeSummary).toEqual({ create: 13 });
      const zoneFile = p.steps.find((s) => nameOf(s.urn) === "globex-zone-file")!;
      expect(zoneFile.newState?.inputs?.path).toBe(zonePath);
      // The engine's JSON shows an unknown value as its sentinel string.
      expect(zoneFile.newState?.inputs?.content).toBe("04da6b54-80e4-46f7-96ec-b56ff0331ba9");
      const inputs = (name: string) =>
        p.steps.find((s) => nameOf(s.urn) === name)?.newState?.inputs;
      expect(inputs("globex-mailbox-maria")).toMatchObject({
        mailProvider: "selfHosted",
        apiUrl: `sqlite://${storePath}`,
        domain: "globex.com",
        localPart: "maria",
        name: "Maria Garcia",
        quotaMb: 10240,
        onDelete: "suspend",
      });
      expect(inputs("globex-mailbox-ali")).toMatchObject({
        quotaMb: 51200,
        aliases: ["ali.alavi"],
      });
      expect(inputs("globex-alias-hr")).toMatchObject({ destinations: ["ali@globex.com"] });
      expect(inputs("globex-dkim-mail")).toMatchObject({ selector: "mail" });
      // A preview writes nothing: neither the store nor the zone file exists.
      expect(existsSync(storePath)).toBe(false);
      expect(existsSync(zonePath)).toBe(false);
    },
    LONG,
  );

  it(
    "2. up creates them: rows in the sqlite store, records in the zone file",
    async () => {
      const start = performance.now();
      await up();
      upMs = performance.now() - start;
      console.info(`self-hosted stack: pulumi up (step 2) took ${Math.round(upMs)} ms`);
      expect(await mailboxRows()).toEqual([
        {
          username: "ali@globex.com",
          name: "Ali Alavi",
          quotaMb: 51200,
          maildir: "globex.com/ali/",
          active: 1,
        },
        {
          username: "maria@globex.com",
          name: "Maria Garcia",
          quotaMb: 10240,
          maildir: "globex.com/maria/",
          active: 1,
        },
        {
          username: "omar@globex.com",
          name: "Omar Haddad",
          quotaMb: 10240,
          maildir: "globex.com/omar/",
          active: 1,
        },
        {
          username: "zhangsan@globex.com",
          name: "Zhang San",
          quotaMb: 10240,
          maildir: "globex.com/zhangsan/",
          active: 1,
        },
      ]);
      expect(await aliasRows()).toEqual(ALIASES);
      const hashes = await passwordColumn();
      expect(Object.keys(hashes).sort()).toEqual(["ali", "maria", "omar", "zhangsan"]);
      for (const [key, pw] of Object.entries(PASSWORDS)) {
        expect(hashes[key]).toMatch(/^\{ARGON2ID\}\$argon2id\$/);
        expect(hashes[key]).not.toContain(pw);
      }
      const zone = readFileSync(zonePath, "utf8");
      expect(zone).toContain("@\t3600\tIN\tMX\t10 mx.globex.com.\n");
      expect(zone).toContain('@\t3600\tIN\tTXT\t"v=spf1 mx ~all"\n');
      expect(zone).toMatch(/\nmail\._domainkey\t3600\tIN\tTXT\t"v=DKIM1; k=rsa; p=/);
      // Converged: a refreshing preview finds nothing to do.
      const again = await preview(["--refresh"]);
      expect(changes(again.steps).filter((c) => !c.startsWith("refresh"))).toEqual([]);
    },
    LONG,
  );

  it(
    "3. one mailbox's quota and one alias target preview as exactly two updates",
    async () => {
      await ws.ok(["config", "set", "mariaQuotaMb", "20480"]);
      await ws.ok(["config", "set", "hrTarget", "zhangsan"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual([
        "update Alias globex-alias-hr",
        "update Mailbox globex-mailbox-maria",
      ]);
      expect(p.changeSummary).toEqual({ same: 11, update: 2 });
      expect(p.steps.flatMap((s) => s.replaceReasons ?? [])).toEqual([]);
      expect(updatedInputs(p.steps)).toEqual({
        "globex-alias-hr": { destinations: [["ali@globex.com"], ["zhangsan@globex.com"]] },
        "globex-mailbox-maria": { quotaMb: [10240, 20480] },
      });
      const text = await previewDiff();
      // The plugin's field-level diff: only the changed field is printed.
      expect(text.stdout).toContain("~ quotaMb: 10240 => 20480");
      expectGolden("selfhosted-3-update", text);
      await up();
      const maria = (await mailboxRows()).find((r) => r.username === "maria@globex.com");
      expect(maria).toEqual({
        username: "maria@globex.com",
        name: "Maria Garcia",
        quotaMb: 20480,
        maildir: "globex.com/maria/",
        active: 1,
      });
      expect(await aliasRows()).toEqual({ ...ALIASES, "hr@globex.com": "zhangsan@globex.com" });
    },
    LONG,
  );

  it(
    "4. renaming a mailbox previews as one in-place update and keeps its maildir",
    async () => {
      const before = await passwordColumn();
      await ws.ok(["config", "set", "omarLocalPart", "omar.haddad"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual(["update Mailbox globex-mailbox-omar"]);
      expect(p.changeSummary).toEqual({ same: 12, update: 1 });
      expect(p.steps.flatMap((s) => s.replaceReasons ?? [])).toEqual([]);
      expect(updatedInputs(p.steps)).toEqual({
        "globex-mailbox-omar": { localPart: ["omar", "omar.haddad"] },
      });
      await up();
      const omar = (await mailboxRows()).filter((r) => r.name === "Omar Haddad");
      expect(omar).toEqual([
        {
          username: "omar.haddad@globex.com",
          name: "Omar Haddad",
          quotaMb: 10240,
          maildir: "globex.com/omar/",
          active: 1,
        },
      ]);
      // Same row: the password hash was not reset by the rename.
      expect((await passwordColumn())["omar.haddad"]).toBe(before.omar);
      const again = await preview(["--refresh"]);
      expect(changes(again.steps).filter((c) => !c.startsWith("refresh"))).toEqual([]);
    },
    LONG,
  );

  it(
    "4b. an address moving between kinds (alias, group, mailbox alias) keeps its row, every direction at once",
    async () => {
      // The alias rows with sqlite's rowid: a row deleted and written again gets a new one.
      const aliasTable = async () =>
        Object.fromEntries(
          (await rows("SELECT rowid, address, goto, active FROM alias ORDER BY address")).map(
            (r) => [String(r.address), `${String(r.rowid)} ${String(r.goto)} ${String(r.active)}`],
          ),
        );
      const kindsOf = async () =>
        Object.fromEntries(
          (await rows("SELECT address, kind, mailbox FROM mailplane_meta ORDER BY address"))
            .filter((r) => /^(team-|x-)/.test(String(r.address)))
            .map((r) => [String(r.address), `${String(r.kind)} ${String(r.mailbox)}`.trim()]),
        );
      const before = await aliasTable();
      const first = KINDS_BEFORE;
      const moved = KINDS_MOVED;
      await ws.ok(["config", "set", "kinds", JSON.stringify(first)]);
      try {
        await up();
        const declared = await aliasTable();
        expect(Object.keys(declared).filter((a) => !(a in before))).toEqual([
          "team-ag@globex.com",
          "team-ga@globex.com",
          "x-am@globex.com",
          "x-gm@globex.com",
          "x-ma@globex.com",
          "x-mg@globex.com",
        ]);
        expect(await kindsOf()).toEqual({
          "team-ag@globex.com": "alias",
          "team-ga@globex.com": "group",
          "x-am@globex.com": "alias",
          "x-gm@globex.com": "group",
          "x-ma@globex.com": "mailboxAlias ali@globex.com",
          "x-mg@globex.com": "mailboxAlias ali@globex.com",
        });
        await ws.ok(["config", "set", "kinds", JSON.stringify(moved)]);
        expect(changes((await preview()).steps)).toEqual(movePreview("globex"));
        await up();
        // The same rows (rowid, destinations, active): no address stopped delivering; only the
        // recorded kind changed.
        expect(await aliasTable()).toEqual(declared);
        expect(await kindsOf()).toEqual({
          "team-ag@globex.com": "group",
          "team-ga@globex.com": "alias",
          "x-am@globex.com": "mailboxAlias ali@globex.com",
          "x-gm@globex.com": "mailboxAlias ali@globex.com",
          "x-ma@globex.com": "alias",
          "x-mg@globex.com": "group",
        });
        expect(
          changes((await preview(["--refresh"])).steps).filter((c) => !c.startsWith("refresh")),
        ).toEqual([]);
        // And back, in one up.
        await ws.ok(["config", "set", "kinds", JSON.stringify(first)]);
        await up();
        expect(await aliasTable()).toEqual(declared);
      } finally {
        await ws.ok(["config", "rm", "kinds"]);
      }
      await up();
      expect(await aliasTable()).toEqual(before);
      expect((await preview()).changeSummary).toEqual({ same: 13 });
    },
    LONG,
  );

  it(
    "5. the exported state holds no plaintext password and no plaintext DKIM private key",
    async () => {
      const { text, byName } = await exportState();
      const config = readFileSync(path.join(PROJECT, `Pulumi.${STACK}.yaml`), "utf8");
      for (const secret of Object.values(PASSWORDS)) {
        expect(text).not.toContain(secret);
        expect(config).not.toContain(secret);
      }
      expect(text).not.toContain("PRIVATE KEY");
      const dkim = byName.get("globex-dkim-mail")!;
      expect(dkim.outputs?.privateKeyPem).toMatchObject({
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        ciphertext: expect.any(String),
      });
      expect(dkim.outputs?.publicKey).toMatch(/^MIIBIjAN/);
      // The public key is in the zone file (split into 255-byte strings of one TXT record).
      expect(readFileSync(zonePath, "utf8").split('" "').join("")).toContain(
        `"v=DKIM1; k=rsa; p=${String(dkim.outputs?.publicKey)}"`,
      );
      // A plugin resource: no serialized provider code in state.
      expect(dkim.type).toBe("mailplane:index:DkimKey");
      expect(JSON.stringify(dkim)).not.toContain("__provider");
      expect(byName.get("globex-mailbox-ali")?.inputs?.password).toMatchObject({
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        ciphertext: expect.any(String),
      });
    },
    LONG,
  );

  it(
    "6. removal and destroy leave the mailboxes' rows inactive, never deleted",
    async () => {
      await ws.ok(["config", "set", "--path", "removed[0]", "omar"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual(["delete Mailbox globex-mailbox-omar"]);
      await up();
      expect((await mailboxRows()).find((r) => r.name === "Omar Haddad")).toEqual({
        username: "omar.haddad@globex.com",
        name: "Omar Haddad",
        quotaMb: 10240,
        maildir: "globex.com/omar/",
        active: 0,
      });
      await ws.ok(["destroy", "--yes", "--skip-preview", "--non-interactive", "--color", "never"]);
      expect(await mailboxRows()).toEqual([
        {
          username: "ali@globex.com",
          name: "Ali Alavi",
          quotaMb: 51200,
          maildir: "globex.com/ali/",
          active: 0,
        },
        {
          username: "maria@globex.com",
          name: "Maria Garcia",
          quotaMb: 20480,
          maildir: "globex.com/maria/",
          active: 0,
        },
        {
          username: "omar.haddad@globex.com",
          name: "Omar Haddad",
          quotaMb: 10240,
          maildir: "globex.com/omar/",
          active: 0,
        },
        {
          username: "zhangsan@globex.com",
          name: "Zhang San",
          quotaMb: 10240,
          maildir: "globex.com/zhangsan/",
          active: 0,
        },
      ]);
      // The role addresses are gone (they hold no mail); a suspended mailbox keeps its own
      // extra address, so mail to it is still delivered and kept.
      expect(await aliasRows()).toEqual({ "ali.alavi@globex.com": "ali@globex.com" });
      // The zone file is kept on destroy (dns.zoneFile's onDelete defaults to "keep").
      expect(existsSync(zonePath)).toBe(true);
    },
    LONG,
  );
});
