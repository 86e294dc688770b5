/**
 * The real Pulumi engine (issue 6): `pulumi preview`, `up`, `refresh`, `stack export` and
 * `destroy` of test/engine/fixtures/acme — acme.com on the zone-file DNS backend with its
 * accounts at the Migadu emulator (in this process, on 127.0.0.1) — against a local file
 * backend in a temp folder. Each step is a `pulumi config set`, never a file rewrite.
 * Golden files of what users see: test/engine/golden/*.txt (`UPDATE_GOLDEN=1` rewrites them).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MigaduEmulator } from "../emulators/migadu";
import { KINDS_BEFORE, KINDS_MOVED, movePreview } from "./fixtures/moves";
import {
  changedInputs,
  changes,
  golden,
  nameOf,
  PulumiWorkspace,
  requirePulumi,
  type PreviewJson,
} from "./pulumi-cli";

const PROJECT = path.join(__dirname, "fixtures", "acme");
const GOLDEN = path.join(__dirname, "golden");
const USER = "admin@acme.com";
const API_KEY = "emulator-api-key-7d1f3a9c2b";
const PASSWORDS = {
  ali: "Ali-initial-Pa55",
  zhangsan: "Zs-initial-Pa55",
  maria: "Mg-initial-Pa55",
  omar: "Om-initial-Pa55",
  temp: "Tp-initial-Pa55",
};
const LONG = 300_000;
/** A stack name of this run: the stack's config file lands in the project folder. */
const STACK = `engine-${process.pid}`;

let emu: MigaduEmulator;
let tmp: string;
let ws: PulumiWorkspace;
let zonePath: string;

const preview = (extra: string[] = []): Promise<PreviewJson> => ws.preview(extra);
const up = (): Promise<void> => ws.up();
/** The resources of `pulumi stack export`, by name. */
const exportState = async () => (await ws.exportState()).byName;

/** `pulumi preview --diff`, normalised, compared with (or written to) a golden file. */
async function expectGoldenPreview(name: string): Promise<void> {
  await expectGolden(
    name,
    await ws.run(["preview", "--diff", "--color", "never", "--non-interactive"]),
  );
}

/** A command's output, normalised, compared with (or written to) a golden file. */
async function expectGolden(name: string, r: { stdout: string; stderr: string }): Promise<void> {
  const g = golden(path.join(GOLDEN, `${name}.txt`), r, tmp, STACK);
  expect(g.text).toBe(g.golden);
}

const mailboxSummary = () =>
  emu.mailboxes("acme.com").map((m) => ({
    localPart: m.local_part,
    name: m.name,
    suspended: !m.may_send && !m.may_access_imap && !m.may_access_pop3,
  }));
const aliasSummary = () =>
  Object.fromEntries(emu.aliases("acme.com").map((a) => [a.local_part, a.destinations]));

/** The SOA serial of a zone file's text. */
function soaSerial(zone: string): string {
  const m = /\tSOA\t\S+ \S+ (\d+) /.exec(zone);
  if (m === null) throw new Error(`no SOA record in:\n${zone}`);
  return m[1]!;
}
/** The serial the zone-file provider writes on `date` (UTC): `YYYYMMDD01`. */
const utcSerial = (date: Date): string =>
  `${date.toISOString().slice(0, 10).split("-").join("")}01`;

const ZONE = `$ORIGIN acme.com.
$TTL 3600
@	3600	IN	SOA	ns1.acme.com. hostmaster.acme.com. 1 7200 3600 1209600 3600
@	3600	IN	NS	ns1.acme.com.
@	3600	IN	MX	10 aspmx1.migadu.com.
@	3600	IN	MX	20 aspmx2.migadu.com.
@	3600	IN	TXT	"hosted-email-verify=a1b2c3d4"
@	3600	IN	TXT	"v=spf1 include:spf.migadu.com ~all"
_dmarc	3600	IN	TXT	"v=DMARC1; p=reject; rua=mailto:dmarc@acme.com"
key1._domainkey	3600	IN	CNAME	key1.acme.com._domainkey.migadu.com.
key2._domainkey	3600	IN	CNAME	key2.acme.com._domainkey.migadu.com.
key3._domainkey	3600	IN	CNAME	key3.acme.com._domainkey.migadu.com.
_imap._tcp	3600	IN	SRV	0 0 0 .
_imaps._tcp	3600	IN	SRV	0 1 993 imap.migadu.com.
_pop3._tcp	3600	IN	SRV	0 0 0 .
_pop3s._tcp	3600	IN	SRV	0 1 995 pop.migadu.com.
_submission._tcp	3600	IN	SRV	0 0 0 .
_submissions._tcp	3600	IN	SRV	0 1 465 smtp.migadu.com.
autoconfig	3600	IN	CNAME	autoconfig.migadu.com.
autodiscover	3600	IN	CNAME	autodiscover.migadu.com.
ns1	3600	IN	A	127.0.0.1
`;

beforeAll(async () => {
  emu = new MigaduEmulator({
    user: USER,
    apiKey: API_KEY,
    domains: ["acme.com"],
    rateLimit: false,
  });
  const apiUrl = await emu.start();
  tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-engine-"));
  zonePath = path.join(tmp, "acme.com.zone");
  ws = new PulumiWorkspace(PROJECT, tmp, {
    MIGADU_API_URL: apiUrl,
    MIGADU_USER: USER,
    MIGADU_API_KEY: API_KEY,
    MIGADU_REQUEST_BUDGET: "500/100",
  });
  await requirePulumi(ws);
  await ws.ok(["stack", "init", STACK, "--non-interactive"]);
  await ws.ok(["config", "set", "zonePath", zonePath]);
  await ws.ok(["config", "set", "--secret", "passwords", JSON.stringify(PASSWORDS)]);
}, LONG);

afterAll(async () => {
  await emu?.stop();
  // The stack's file backend (and PULUMI_HOME) live in tmp; the project folder gets only
  // Pulumi.<stack>.yaml, removed here.
  rmSync(path.join(PROJECT, `Pulumi.${STACK}.yaml`), { force: true });
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe.sequential("the real Pulumi engine on the acme stack", () => {
  it(
    "1. preview on an empty stack lists every record and account to create",
    async () => {
      const p = await preview();
      expect(changes(p.steps)).toEqual([
        "create Alias acme-alias-abuse",
        "create Alias acme-alias-hr",
        "create Alias acme-alias-info",
        "create Alias acme-alias-postmaster",
        "create Alias acme-alias-support",
        "create Mailbox acme-mailbox-ali",
        "create Mailbox acme-mailbox-maria",
        "create Mailbox acme-mailbox-omar",
        "create Mailbox acme-mailbox-temp",
        "create Mailbox acme-mailbox-zhangsan",
        "create ZoneFile acme-zone-file",
        "create mailplane:index:MailDomain acme",
        `create pulumi:pulumi:Stack mailplane-engine-acme-${STACK}`,
      ]);
      expect(p.changeSummary).toEqual({ create: 13 });
      const zone = p.steps.find((s) => nameOf(s.urn) === "acme-zone-file")!;
      expect(zone.newState?.inputs).toMatchObject({ path: zonePath, content: ZONE });
      const ali = p.steps.find((s) => nameOf(s.urn) === "acme-mailbox-ali")!;
      expect(ali.newState?.inputs).toMatchObject({
        localPart: "ali",
        name: "Ali Alavi",
        aliases: ["ali.alavi"],
        onDelete: "suspend",
      });
      expect(emu.count()).toBe(0); // a preview never writes, nor even reads here
      await expectGoldenPreview("1-create");
    },
    LONG,
  );

  it(
    "2. up creates them, at the emulator and in the zone file",
    async () => {
      const before = new Date();
      await up();
      const after = new Date();
      // The provider dates the SOA serial when it writes the file (YYYYMMDD01, UTC); the rest of
      // the file is exactly the planned zone (whose template serial is 1).
      const written = readFileSync(zonePath, "utf8");
      const serial = soaSerial(written);
      expect(serial).toMatch(/^\d{8}01$/);
      // Written during this up: today's date, or tomorrow's when the up ran across midnight.
      expect([utcSerial(before), utcSerial(after)]).toContain(serial);
      expect(written).toBe(ZONE.replace(" 1 7200 ", ` ${serial} 7200 `));
      expect(mailboxSummary()).toEqual([
        { localPart: "ali", name: "Ali Alavi", suspended: false },
        { localPart: "maria", name: "Maria Garcia", suspended: false },
        { localPart: "omar", name: "Omar Haddad", suspended: false },
        { localPart: "temp", name: "Temp Contractor", suspended: false },
        { localPart: "zhangsan", name: "Zhang San", suspended: false },
      ]);
      for (const [key, pw] of Object.entries(PASSWORDS)) {
        expect(emu.passwordOf("acme.com", key)).toBe(pw);
      }
      expect(aliasSummary()).toEqual({
        abuse: ["ali@acme.com"],
        "ali.alavi": ["ali@acme.com"],
        hr: ["ali@acme.com"],
        info: ["ali@acme.com", "zhangsan@acme.com"],
        postmaster: ["ali@acme.com"],
        support: ["maria@acme.com"],
      });
      // Converged: a refreshing preview finds nothing to do.
      const again = await preview(["--refresh"]);
      expect(changes(again.steps).filter((c) => !c.startsWith("refresh"))).toEqual([]);
    },
    LONG,
  );

  it(
    "3. one mailbox field and one alias target preview as exactly two updates",
    async () => {
      // Migadu has no per-mailbox quota (capability quota: false, refused at construction), so the
      // mailbox change here is the display name; the quota variant needs the self-hosted store.
      await ws.ok(["config", "set", "aliName", "Ali Alavi-Rostami"]);
      await ws.ok(["config", "set", "hrTarget", "zhangsan"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual([
        "update Alias acme-alias-hr",
        "update Mailbox acme-mailbox-ali",
      ]);
      expect(p.changeSummary).toEqual({ same: 11, update: 2 });
      // The changed inputs, as the preview shows them (`~ name: "Ali Alavi" => "Ali …"`).
      const diffs = Object.fromEntries(
        p.steps.filter((s) => s.op === "update").map((s) => [nameOf(s.urn), changedInputs(s)]),
      );
      expect(diffs).toEqual({
        "acme-alias-hr": { destinations: [["ali@acme.com"], ["zhangsan@acme.com"]] },
        "acme-mailbox-ali": { name: ["Ali Alavi", "Ali Alavi-Rostami"] },
      });
      await expectGoldenPreview("3-update");
      await up();
      expect(emu.mailbox("acme.com", "ali")?.name).toBe("Ali Alavi-Rostami");
      expect(aliasSummary().hr).toEqual(["zhangsan@acme.com"]);
    },
    LONG,
  );

  it(
    "3b. a DNS policy change previews as one update of the zone file, shown line by line",
    async () => {
      const before = readFileSync(zonePath, "utf8");
      await ws.ok(["config", "set", "dmarcPolicy", "quarantine"]);
      try {
        const p = await preview();
        expect(changes(p.steps)).toEqual(["update ZoneFile acme-zone-file"]);
        expect(p.changeSummary).toEqual({ same: 12, update: 1 });
        // What users see: a line diff of the file, the one DMARC line replaced.
        await expectGoldenPreview("3b-dns-update");
      } finally {
        await ws.ok(["config", "rm", "dmarcPolicy"]);
      }
      expect(readFileSync(zonePath, "utf8")).toBe(before);
    },
    LONG,
  );

  it(
    "4. renaming a mailbox Migadu cannot rename fails at preview and changes nothing",
    async () => {
      await ws.ok(["config", "set", "zhangsanLocalPart", "san.zhang"]);
      emu.resetLog();
      const before = { mailboxes: mailboxSummary(), aliases: aliasSummary() };
      const r = await ws.run(["preview", "--diff", "--color", "never", "--non-interactive"]);
      expect(r.code).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).toContain(
        "mailbox zhangsan@acme.com at migadu: migadu cannot rename a mailbox in place " +
          "(zhangsan@acme.com at migadu → san.zhang@acme.com at migadu). Nothing was changed. To " +
          "create a new mailbox at the new address instead, set allowRecreate: true on this " +
          "mailbox; the old mailbox is then suspended (its mail stays there), or deleted if it " +
          'also sets onDelete: "delete".',
      );
      const u = await ws.run(["up", "--yes", "--non-interactive", "--color", "never"]);
      expect(u.code).not.toBe(0);
      expect(emu.countsByRoute()).toEqual({});
      expect({ mailboxes: mailboxSummary(), aliases: aliasSummary() }).toEqual(before);
      await ws.ok(["config", "rm", "zhangsanLocalPart"]);
    },
    LONG,
  );

  it(
    "4b. renaming a handle (a refactor) keeps the mailbox, even one with onDelete: delete",
    async () => {
      const before = mailboxSummary();
      await ws.ok(["config", "set", "tempHandle", "contractor"]);
      try {
        const p = await preview();
        // What Pulumi plans for a new child name: create the new, delete the old.
        expect(changes(p.steps)).toEqual([
          "create Mailbox acme-mailbox-contractor",
          "delete Mailbox acme-mailbox-temp",
        ]);
        emu.resetLog();
        await up();
        // The new resource adopted temp@ and the old one's delete left it alone: no write.
        expect(Object.keys(emu.countsByRoute()).filter((r) => !r.startsWith("GET"))).toEqual([]);
        expect(mailboxSummary()).toEqual(before);
      } finally {
        await ws.ok(["config", "rm", "tempHandle"]);
      }
      // And back: the same again in the other direction.
      await up();
      expect(mailboxSummary()).toEqual(before);
      expect((await preview()).changeSummary).toEqual({ same: 13 });
    },
    LONG,
  );

  it(
    "4c. renaming the MailDomain (a refactor) keeps every account and the zone file",
    async () => {
      const before = { mailboxes: mailboxSummary(), aliases: aliasSummary() };
      const zone = readFileSync(zonePath, "utf8");
      const renameTo = async (name: string) => {
        const p = await preview();
        // Every child of the component (and the component) gets a new name: Pulumi plans a
        // create of each and then a delete of the old one.
        expect(p.changeSummary, name).toEqual({ same: 1, create: 12, delete: 12 });
        emu.resetLog();
        await up();
        expect(Object.keys(emu.countsByRoute()).filter((r) => !r.startsWith("GET"))).toEqual([]);
        expect({ mailboxes: mailboxSummary(), aliases: aliasSummary() }).toEqual(before);
        expect(readFileSync(zonePath, "utf8")).toBe(zone);
      };
      await ws.ok(["config", "set", "componentName", "acme-mail"]);
      try {
        await renameTo("acme-mail");
      } finally {
        await ws.ok(["config", "rm", "componentName"]);
      }
      await renameTo("acme");
      expect((await preview()).changeSummary).toEqual({ same: 13 });
    },
    LONG,
  );

  it(
    "4d. an address moving between kinds (alias, group, mailbox alias) is kept, every direction at once",
    async () => {
      const before = { mailboxes: mailboxSummary(), aliases: aliasSummary() };
      // Six addresses, one per direction; team-* deliver to ali and maria, the others to ali.
      const first = KINDS_BEFORE;
      const moved = KINDS_MOVED;
      await ws.ok(["config", "set", "kinds", JSON.stringify(first)]);
      try {
        await up();
        const declared = aliasSummary();
        expect(declared).toEqual({
          ...before.aliases,
          "team-ag": ["ali@acme.com", "maria@acme.com"],
          "team-ga": ["ali@acme.com", "maria@acme.com"],
          "x-am": ["ali@acme.com"],
          "x-ma": ["ali@acme.com"],
          "x-gm": ["ali@acme.com"],
          "x-mg": ["ali@acme.com"],
        });
        await ws.ok(["config", "set", "kinds", JSON.stringify(moved)]);
        const p = await preview();
        expect(changes(p.steps)).toEqual(movePreview("acme"));
        emu.resetLog();
        await up();
        // Every move is a take-over at Migadu: not one write, so no address ever stopped
        // delivering, and nothing else changed.
        expect(Object.keys(emu.countsByRoute()).filter((r) => !r.startsWith("GET"))).toEqual([]);
        expect(aliasSummary()).toEqual(declared);
        expect(mailboxSummary()).toEqual(before.mailboxes);
        const state = await exportState();
        expect(state.get("acme-mailbox-ali")?.outputs?.aliases).toEqual([
          "ali.alavi",
          "x-am",
          "x-gm",
        ]);
        expect((await preview()).changeSummary).toEqual({ same: 17 });
        // And back, in one up: every address moves the other way.
        await ws.ok(["config", "set", "kinds", JSON.stringify(first)]);
        emu.resetLog();
        await up();
        expect(Object.keys(emu.countsByRoute()).filter((r) => !r.startsWith("GET"))).toEqual([]);
        expect(aliasSummary()).toEqual(declared);
      } finally {
        await ws.ok(["config", "rm", "kinds"]);
      }
      await up();
      expect({ mailboxes: mailboxSummary(), aliases: aliasSummary() }).toEqual(before);
      expect((await preview()).changeSummary).toEqual({ same: 13 });
    },
    LONG,
  );

  it(
    "5. refresh reports a change made directly at the provider",
    async () => {
      emu.patchMailbox("acme.com", "maria", { name: "Maria G." });
      emu.removeAlias("acme.com", "support");
      const r = await ws.json<PreviewJson>(["refresh", "--preview-only", "--non-interactive"]);
      expect(r.changeSummary).toEqual({ delete: 1, same: 11, update: 1 });
      // The plugin's refresh reports the drifted mailbox as an update of its state (the dynamic
      // provider's was a bare "refresh" step).
      expect(changes(r.steps).filter((c) => !c.startsWith("refresh"))).toEqual([
        "delete Alias acme-alias-support",
        "update Mailbox acme-mailbox-maria",
      ]);
      await expectGolden(
        "5-refresh",
        await ws.run([
          "refresh",
          "--preview-only",
          "--diff",
          "--color",
          "never",
          "--non-interactive",
        ]),
      );
      // Applied, the refresh records the provider's values in state.
      await ws.ok(["refresh", "--yes", "--skip-preview", "--non-interactive", "--color", "never"]);
      const state = await exportState();
      expect(state.get("acme-mailbox-maria")?.outputs?.name).toBe("Maria G.");
      expect(state.has("acme-alias-support")).toBe(false);
      // Applying the refresh and then the code puts both back.
      await ws.ok(["refresh", "--yes", "--skip-preview", "--non-interactive", "--color", "never"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual([
        "create Alias acme-alias-support",
        "update Mailbox acme-mailbox-maria",
      ]);
      // The drift, from the plugin's own comparison: the live name against the declared one.
      await expectGoldenPreview("5b-drift");
      await up();
      expect(emu.mailbox("acme.com", "maria")?.name).toBe("Maria Garcia");
      expect(aliasSummary().support).toEqual(["maria@acme.com"]);
    },
    LONG,
  );

  it(
    "6. the exported state holds no plaintext password or API token",
    async () => {
      const exported = await ws.ok(["stack", "export"]);
      const config = readFileSync(path.join(PROJECT, `Pulumi.${STACK}.yaml`), "utf8");
      for (const secret of [...Object.values(PASSWORDS), API_KEY]) {
        expect(exported).not.toContain(secret);
        expect(config).not.toContain(secret);
      }
      // The passwords are there, encrypted, as the inputs of the mailboxes.
      const state = JSON.parse(exported) as {
        deployment: { resources: { urn: string; inputs?: Record<string, unknown> }[] };
      };
      const ali = state.deployment.resources.find((r) => nameOf(r.urn) === "acme-mailbox-ali")!;
      expect(ali.inputs?.password).toMatchObject({
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        ciphertext: expect.any(String),
      });
    },
    LONG,
  );

  it(
    "8. an existing mailbox declared in code is adopted and then previews no changes",
    async () => {
      emu.putMailbox("acme.com", { local_part: "legacy", name: "Old Legacy" }, "Legacy-own-Pa55");
      // Declared as it exists (a child of MailDomain, which `pulumi import` would not place):
      // the Mailbox's create adopts the identical existing mailbox without writing to it.
      await ws.ok(["config", "set", "--path", "adopt[0]", "legacy"]);
      await ws.ok(["config", "set", "legacyName", "Old Legacy"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual(["create Mailbox acme-mailbox-legacy"]);
      emu.resetLog();
      await up();
      expect(Object.keys(emu.countsByRoute()).filter((r) => !r.startsWith("GET"))).toEqual([]);
      expect(emu.passwordOf("acme.com", "legacy")).toBe("Legacy-own-Pa55");
      const after = await preview(["--refresh"]);
      expect(changes(after.steps).filter((c) => !c.startsWith("refresh"))).toEqual([]);
      expect(after.changeSummary).toEqual({ same: 14 });
    },
    LONG,
  );

  it(
    "7. removal suspends; destroy suspends the rest and deletes only onDelete: delete",
    async () => {
      await ws.ok(["config", "set", "--path", "removed[0]", "omar"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual(["delete Mailbox acme-mailbox-omar"]);
      await expectGoldenPreview("7-remove");
      await up();
      expect(mailboxSummary().find((m) => m.localPart === "omar")).toEqual({
        localPart: "omar",
        name: "Omar Haddad",
        suspended: true,
      });
      await ws.ok(["destroy", "--yes", "--skip-preview", "--non-interactive", "--color", "never"]);
      expect(mailboxSummary()).toEqual([
        { localPart: "ali", name: "Ali Alavi-Rostami", suspended: true },
        { localPart: "legacy", name: "Old Legacy", suspended: true },
        { localPart: "maria", name: "Maria Garcia", suspended: true },
        { localPart: "omar", name: "Omar Haddad", suspended: true },
        { localPart: "zhangsan", name: "Zhang San", suspended: true },
      ]);
      // Mail kept and still delivered: may_receive stays true on every suspended mailbox.
      expect(emu.mailboxes("acme.com").every((m) => m.may_receive)).toBe(true);
      expect(emu.mailbox("acme.com", "temp")).toBeUndefined();
      // The zone file is kept on destroy (dns.zoneFile's onDelete defaults to "keep").
      expect(existsSync(zonePath)).toBe(true);
    },
    LONG,
  );
});
