/**
 * `mailplane summary` on previews from the real Pulumi engine (issue 17): test/engine/fixtures/summary
 * (acme.com on the zone-file DNS backend, accounts at the Migadu emulator, the MTA-STS policy
 * published as a file) goes through a mixed change — a new mailbox, a rename (by recreate: Migadu
 * cannot rename in place), a name change, a removal that suspends, a removal with onDelete
 * "delete", DMARC reject → quarantine, MTA-STS enforce → testing, an SPF include added, alias and
 * group member changes. Its Markdown is the reviewed golden file test/engine/golden/summary-mixed.md;
 * the preview JSON is kept (normalised) as test/engine/golden/summary-mixed.preview.json for the
 * unit-tier golden test (`UPDATE_GOLDEN=1` rewrites both). After `up`, the
 * emulator shows that what the summary said is what happened.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderSummary, summarise, parsePreview } from "../../packages/cli/src/summary";
import { MigaduEmulator } from "../emulators/migadu";
import { PulumiWorkspace, requirePulumi, type PreviewJson } from "./pulumi-cli";

const PROJECT = path.join(__dirname, "fixtures", "summary");
const GOLDEN = path.join(__dirname, "golden");
const USER = "admin@acme.com";
const API_KEY = "emulator-api-key-5e6f7a8b9c";
const PASSWORDS = {
  ali: "Ali-initial-Pa55",
  "ali.after": "Ali-second-Pa55",
  zhangsan: "Zs-initial-Pa55",
  omar: "Om-initial-Pa55",
  temp: "Tp-initial-Pa55",
  maria: "Mg-initial-Pa55",
};
const LONG = 300_000;
const STACK = `summary-${process.pid}`;

let emu: MigaduEmulator;
let tmp: string;
let ws: PulumiWorkspace;

/**
 * The preview as kept in the golden folder: steps sorted by URN (the engine's order varies), temp
 * paths as `<tmp>`, the stack as `acme`, provider ids and dated serials fixed, no serialized
 * provider code, source positions or timestamps (they change with every build or run).
 */
function normalisePreviewJson(p: PreviewJson, tmpDir: string, stack: string): string {
  const drop = new Set(["__provider", "sourcePosition", "stackTrace", "created", "modified"]);
  const sorted = { ...p, steps: [...p.steps].sort((a, b) => a.urn.localeCompare(b.urn)) };
  const text = JSON.stringify(
    sorted,
    (k, v: unknown) => (drop.has(k) ? undefined : k === "duration" ? 0 : k === "serial" ? 1 : v),
    2,
  );
  return `${text
    .split(tmpDir)
    .join("<tmp>")
    .split(stack)
    .join("acme")
    .replace(
      /(pulumi:providers:(?:pulumi-nodejs|mailplane)::default::)[-0-9a-f]{36}/g,
      "$1<id>",
    )}\n`;
}

/** Compares `text` with a golden file, writing it when `UPDATE_GOLDEN=1` or missing. */
function expectGolden(file: string, text: string): void {
  const full = path.join(GOLDEN, file);
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(full)) writeFileSync(full, text);
  expect(text).toBe(readFileSync(full, "utf8"));
}

const mailboxState = () =>
  Object.fromEntries(
    emu
      .mailboxes("acme.com")
      .map((m) => [m.local_part, !m.may_send && !m.may_access_imap ? "suspended" : "active"]),
  );

beforeAll(async () => {
  emu = new MigaduEmulator({
    user: USER,
    apiKey: API_KEY,
    domains: ["acme.com"],
    rateLimit: false,
  });
  const apiUrl = await emu.start();
  tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-summary-"));
  ws = new PulumiWorkspace(PROJECT, tmp, {
    MIGADU_API_URL: apiUrl,
    MIGADU_USER: USER,
    MIGADU_API_KEY: API_KEY,
    MIGADU_REQUEST_BUDGET: "500/100",
  });
  await requirePulumi(ws);
  await ws.ok(["stack", "init", STACK, "--non-interactive"]);
  await ws.ok(["config", "set", "zonePath", path.join(tmp, "acme.com.zone")]);
  await ws.ok(["config", "set", "webRoot", path.join(tmp, "www")]);
  await ws.ok(["config", "set", "--secret", "passwords", JSON.stringify(PASSWORDS)]);
}, LONG);

afterAll(async () => {
  await emu?.stop();
  rmSync(path.join(PROJECT, `Pulumi.${STACK}.yaml`), { force: true });
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe.sequential("mailplane summary on real previews", () => {
  it(
    "a new stack: every mailbox, alias, group and record is added, nothing to review",
    async () => {
      const s = summarise(await ws.preview(), "acme");
      expect(s.mailboxes.map((m) => `${m.kind} ${m.address}`)).toEqual([
        "added ali@acme.com",
        "added omar@acme.com",
        "added temp@acme.com",
        "added zhangsan@acme.com",
      ]);
      expect(s.routing.map((r) => `${r.kind} ${r.what} ${r.address} ${r.details[0]}`)).toEqual([
        "added alias abuse@acme.com → ali@acme.com",
        "added alias hr@acme.com → ali@acme.com",
        "added alias info@acme.com → ali@acme.com, zhangsan@acme.com",
        "added alias postmaster@acme.com → ali@acme.com",
        "added group all-staff@acme.com → ali@acme.com, omar@acme.com, zhangsan@acme.com",
      ]);
      expect(s.dns.map((d) => `${d.name} ${d.type} ${d.old.length}→${d.new.length}`)).toEqual([
        "_dmarc.acme.com TXT 0→1",
        "_imap._tcp.acme.com SRV 0→1",
        "_imaps._tcp.acme.com SRV 0→1",
        "_mta-sts.acme.com TXT 0→1",
        "_pop3._tcp.acme.com SRV 0→1",
        "_pop3s._tcp.acme.com SRV 0→1",
        "_submission._tcp.acme.com SRV 0→1",
        "_submissions._tcp.acme.com SRV 0→1",
        "acme.com MX 0→2",
        "acme.com NS 0→1",
        "acme.com TXT 0→2",
        "autoconfig.acme.com CNAME 0→1",
        "autodiscover.acme.com CNAME 0→1",
        "key1._domainkey.acme.com CNAME 0→1",
        "key2._domainkey.acme.com CNAME 0→1",
        "key3._domainkey.acme.com CNAME 0→1",
        "ns1.acme.com A 0→1",
      ]);
      expect(s.warnings).toEqual([
        "MX of acme.com changes: (none) → 10 aspmx1.migadu.com, 20 aspmx2.migadu.com",
        "SPF of acme.com changes: 1 DNS lookups (RFC 7208 allows 10; includes counted once, not followed)",
        "MTA-STS mode changes: (none) → enforce (policy in mta-sts-policy)",
      ]);
      await ws.up();
      expect(mailboxState()).toEqual({
        ali: "active",
        omar: "active",
        temp: "active",
        zhangsan: "active",
      });
    },
    LONG,
  );

  it(
    "the mixed change renders to the reviewed golden Markdown, secrets never shown",
    async () => {
      await ws.ok(["config", "set", "stage", "after"]);
      const p = await ws.preview();
      // The preview is kept (captured, not compared: provider ids and timings vary) for the
      // unit-tier golden test; written when missing or with UPDATE_GOLDEN=1.
      const json = normalisePreviewJson(p, tmp, STACK);
      const kept = path.join(GOLDEN, "summary-mixed.preview.json");
      if (process.env.UPDATE_GOLDEN === "1" || !existsSync(kept)) writeFileSync(kept, json);
      // The live preview renders to the reviewed golden Markdown, and so does the kept one.
      const md = renderSummary([summarise(p, "acme")]);
      expectGolden("summary-mixed.md", md);
      expect(renderSummary([summarise(parsePreview(json, "golden"), "acme")])).toBe(md);
      for (const pw of Object.values(PASSWORDS)) expect(md).not.toContain(pw);
      expect(JSON.stringify(p)).not.toContain("Pa55");
    },
    LONG,
  );

  it(
    "up does what the summary said: suspended, DELETED, renamed by recreate, added",
    async () => {
      await ws.up();
      expect(mailboxState()).toEqual({
        ali: "active",
        maria: "active",
        omar: "suspended",
        "san.zhang": "active",
        zhangsan: "suspended",
      });
      expect(readFileSync(path.join(tmp, "www", ".well-known", "mta-sts.txt"), "utf8")).toContain(
        "mode: testing",
      );
      // Nothing left to do: the summary of the next preview is empty.
      expect(renderSummary([summarise(await ws.preview(), "acme")])).toBe(
        "## Mail changes: stack `acme`\n\nNo mail changes.\n",
      );
    },
    LONG,
  );
});

/**
 * The same on the self-hosted provider (test/engine/fixtures/selfhosted: globex.com, sqlite store,
 * no emulator), which renames in place: omar's local part, maria's quota, hr@'s target and a new
 * group render to the golden file test/engine/golden/summary-selfhosted.md.
 */
describe.sequential("mailplane summary on a self-hosted preview (rename in place)", () => {
  const project = path.join(__dirname, "fixtures", "selfhosted");
  const stack = `summary-sh-${process.pid}`;
  let dir: string;
  let sh: PulumiWorkspace;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "mailplane-summary-sh-"));
    sh = new PulumiWorkspace(project, dir);
    await sh.ok(["stack", "init", stack, "--non-interactive"]);
    await sh.ok(["config", "set", "zonePath", path.join(dir, "globex.com.zone")]);
    await sh.ok(["config", "set", "storePath", path.join(dir, "mail.sqlite")]);
    const pw = {
      ali: "Ali-sh-Pa55",
      zhangsan: "Zs-sh-Pa55",
      maria: "Mg-sh-Pa55",
      omar: "Om-sh-Pa55",
    };
    await sh.ok(["config", "set", "--secret", "passwords", JSON.stringify(pw)]);
    await sh.up();
  }, LONG);

  afterAll(() => {
    rmSync(path.join(project, `Pulumi.${stack}.yaml`), { force: true });
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it(
    "a rename in place, a quota, an alias target and a new group",
    async () => {
      await sh.ok(["config", "set", "omarLocalPart", "omar.haddad"]);
      await sh.ok(["config", "set", "mariaQuotaMb", "20480"]);
      await sh.ok(["config", "set", "hrTarget", "maria"]);
      await sh.ok(["config", "set", "kinds", JSON.stringify({ "team-new": "group" })]);
      const s = summarise(await sh.preview(), "globex");
      expect(s.mailboxes).toEqual([
        {
          kind: "renamed",
          address: "omar@globex.com",
          newAddress: "omar.haddad@globex.com",
          details: ["renamed in place (same mailbox)"],
        },
        { kind: "changed", address: "maria@globex.com", details: ["quotaMb: 10240 → 20480"] },
      ]);
      expect(s.warnings).toEqual([]);
      expectGolden("summary-selfhosted.md", renderSummary([s]));
    },
    LONG,
  );
});
