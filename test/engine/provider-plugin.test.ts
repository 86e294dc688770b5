/**
 * The `mailplane` provider plugin through the real Pulumi engine (issue 19, first slice):
 * test/engine/fixtures/plugin declares two `mailplane:index:Mailbox` resources served by
 * packages/pulumi's plugin (found through Pulumi.yaml's `plugins.providers` entry), with their
 * accounts at the Migadu emulator in this process. Each step is a `pulumi config set`.
 * Golden files: test/engine/golden/plugin-*.txt (`UPDATE_GOLDEN=1` rewrites them).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MigaduEmulator } from "../emulators/migadu";
import {
  changes,
  golden,
  nameOf,
  PulumiWorkspace,
  requirePulumi,
  type PreviewJson,
  type StateResource,
} from "./pulumi-cli";

const ROOT = path.resolve(__dirname, "..", "..");
const PROJECT = path.join(__dirname, "fixtures", "plugin");
const GOLDEN = path.join(__dirname, "golden");
const USER = "admin@acme.com";
const API_KEY = "emulator-api-key-7d1f3a9c2b";
const PASSWORDS = { ali: "Ali-initial-Pa55", zhangsan: "Zs-initial-Pa55", omar: "Om-initial-Pa55" };
const LONG = 300_000;
const STACK = `plugin-${process.pid}`;
const STACK_TYPE = "pulumi:pulumi:Stack";

let emu: MigaduEmulator;
let tmp: string;
let ws: PulumiWorkspace;
let apiUrl: string;

const preview = (extra: string[] = []): Promise<PreviewJson> => ws.preview(extra);
const previewDiff = () => ws.run(["preview", "--diff", "--color", "never", "--non-interactive"]);

const mailboxSummary = () =>
  emu.mailboxes("acme.com").map((m) => ({
    localPart: m.local_part,
    name: m.name,
    suspended: !m.may_send && !m.may_access_imap && !m.may_access_pop3,
  }));

/** The plugin's Mailbox resources in `pulumi stack export`, by name. */
async function mailboxesInState(): Promise<Map<string, StateResource>> {
  const { byName } = await ws.exportState();
  return new Map([...byName].filter(([, r]) => r.urn.includes("::mailplane:index:Mailbox::")));
}

beforeAll(async () => {
  const plugin = path.join(ROOT, "packages", "pulumi", "dist", "plugin", "main.js");
  if (!existsSync(plugin)) {
    throw new Error(`${path.relative(ROOT, plugin)} is missing: run pnpm run build`);
  }
  emu = new MigaduEmulator({
    user: USER,
    apiKey: API_KEY,
    domains: ["acme.com"],
    rateLimit: false,
  });
  apiUrl = await emu.start();
  tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-plugin-"));
  ws = new PulumiWorkspace(PROJECT, tmp, {
    MIGADU_API_URL: apiUrl,
    MIGADU_USER: USER,
    MIGADU_API_KEY: API_KEY,
  });
  await requirePulumi(ws);
  await ws.ok(["stack", "init", STACK, "--non-interactive"]);
  await ws.ok(["config", "set", "--secret", "passwords", JSON.stringify(PASSWORDS)]);
}, LONG);

afterAll(async () => {
  await emu?.stop();
  rmSync(path.join(PROJECT, `Pulumi.${STACK}.yaml`), { force: true });
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

/** A preview step with the provider's field-level diff, as `pulumi preview --json` prints it. */
type DetailedStep = PreviewJson["steps"][number] & {
  detailedDiff?: Record<string, { kind: string; inputDiff: boolean }>;
};

/** The size of one resource of `pulumi stack export` as compact JSON, in bytes. */
const bytesOf = (r: StateResource): number => Buffer.byteLength(JSON.stringify(r));

/** The runtime's refusal of a rename Migadu cannot make in place (packages/pulumi runtime). */
const RENAME_REFUSED =
  "mailbox zhangsan@acme.com at migadu: migadu cannot rename a mailbox in place " +
  "(zhangsan@acme.com at migadu → san.zhang@acme.com at migadu). Nothing was changed. To " +
  "create a new mailbox at the new address instead, set allowRecreate: true on this " +
  "mailbox; the old mailbox is then suspended (its mail stays there), or deleted if it " +
  'also sets onDelete: "delete".';

describe.sequential("the mailplane provider plugin through the real engine", () => {
  it(
    "1. preview on an empty stack plans both Mailboxes of the plugin and writes nothing",
    async () => {
      const p = await preview();
      expect(changes(p.steps)).toEqual([
        "create Mailbox ali",
        "create Mailbox zhangsan",
        `create ${STACK_TYPE} mailplane-engine-plugin-${STACK}`,
      ]);
      const ali = p.steps.find((s) => nameOf(s.urn) === "ali")!;
      // The plugin's check normalised the inputs; the password is a secret, never in the plan.
      expect(ali.newState?.inputs).toMatchObject({
        mailProvider: "migadu",
        domain: "acme.com",
        localPart: "ali",
        name: "Ali Alavi",
        aliases: ["ali.alavi"],
        onDelete: "suspend",
        allowRecreate: false,
        password: "[secret]",
      });
      expect(emu.count()).toBe(0);
    },
    LONG,
  );

  it(
    "2. up creates both at the emulator; state holds no provider code and no plaintext password",
    async () => {
      await ws.up();
      expect(mailboxSummary()).toEqual([
        { localPart: "ali", name: "Ali Alavi", suspended: false },
        { localPart: "zhangsan", name: "Zhang San", suspended: false },
      ]);
      expect(emu.passwordOf("acme.com", "ali")).toBe(PASSWORDS.ali);
      expect(emu.passwordOf("acme.com", "zhangsan")).toBe(PASSWORDS.zhangsan);
      const { text } = await ws.exportState();
      expect(text).not.toContain(PASSWORDS.ali);
      expect(text).not.toContain("__provider");
      const state = await mailboxesInState();
      expect(state.get("ali")?.outputs).toMatchObject({
        address: "ali@acme.com",
        name: "Ali Alavi",
        department: "Management",
        aliases: ["ali.alavi"],
        suspended: false,
        onDelete: "suspend",
      });
      // Both the password input and its fingerprint output are stored encrypted.
      expect(Object.keys(state.get("ali")!.inputs!.password as object)).toEqual([
        "4dabf18193072939515e22adb298388d",
        "ciphertext",
      ]);
      expect(Object.keys(state.get("ali")!.outputs!.passwordHash as object)).toEqual([
        "4dabf18193072939515e22adb298388d",
        "ciphertext",
      ]);
      // Converged: nothing to do, even after reading the live accounts.
      expect((await preview()).changeSummary).toEqual({ same: 3 });
      expect((await preview(["--refresh"])).changeSummary).toEqual({ same: 3 });
    },
    LONG,
  );

  it(
    "3. a field change previews as the provider's field-level diff (detailedDiff)",
    async () => {
      await ws.ok(["config", "set", "aliName", "Ali Alavi-Rostami"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual(["update Mailbox ali"]);
      const ali = p.steps.find((s) => nameOf(s.urn) === "ali") as DetailedStep;
      expect(ali.diffReasons).toEqual(["name"]);
      expect(ali.detailedDiff).toEqual({ name: { kind: "update", inputDiff: true } });
      const r = await previewDiff();
      expect(r.code).toBe(0);
      const g = golden(path.join(GOLDEN, "plugin-3-field-diff.txt"), r, tmp, STACK);
      expect(g.text).toBe(g.golden);
      await ws.up();
      expect(emu.mailbox("acme.com", "ali")?.name).toBe("Ali Alavi-Rostami");
      expect((await preview()).changeSummary).toEqual({ same: 3 });
    },
    LONG,
  );

  it(
    "4. a new local part Migadu cannot rename in place is refused with the runtime's message; with allowRecreate, replaces names localPart",
    async () => {
      await ws.ok(["config", "set", "zhangsanLocalPart", "san.zhang"]);
      const before = mailboxSummary();
      emu.resetLog();
      const r = await previewDiff();
      expect(r.code).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).toContain(RENAME_REFUSED);
      const u = await ws.run(["up", "--yes", "--non-interactive", "--color", "never"]);
      expect(u.code).not.toBe(0);
      expect(`${u.stdout}${u.stderr}`).toContain(RENAME_REFUSED);
      expect(emu.countsByRoute()).toEqual({});
      expect(mailboxSummary()).toEqual(before);
      // Opting in: the provider's diff names the field that forces the replacement.
      await ws.ok(["config", "set", "zhangsanAllowRecreate", "true"]);
      const p = await preview();
      const replace = p.steps.find((s) => s.op === "replace") as DetailedStep;
      expect(nameOf(replace.urn)).toBe("zhangsan");
      expect(replace.replaceReasons).toEqual(["localPart"]);
      expect(replace.detailedDiff).toEqual({
        localPart: { kind: "update-replace", inputDiff: true },
        allowRecreate: { kind: "update", inputDiff: true },
      });
      // What users see: the replacement and the field that forces it.
      const g = golden(path.join(GOLDEN, "plugin-4-replace.txt"), await previewDiff(), tmp, STACK);
      expect(g.text).toBe(g.golden);
      await ws.ok(["config", "rm", "zhangsanAllowRecreate"]);
      await ws.ok(["config", "rm", "zhangsanLocalPart"]);
      expect((await preview()).changeSummary).toEqual({ same: 3 });
    },
    LONG,
  );

  it(
    "5. removing a Mailbox from code suspends it at the provider, never deletes it",
    async () => {
      await ws.ok(["config", "set", "removed", JSON.stringify(["zhangsan"])]);
      const p = await preview();
      expect(changes(p.steps)).toEqual(["delete Mailbox zhangsan"]);
      await ws.up();
      expect(mailboxSummary()).toEqual([
        { localPart: "ali", name: "Ali Alavi-Rostami", suspended: false },
        { localPart: "zhangsan", name: "Zhang San", suspended: true },
      ]);
      expect([...(await mailboxesInState()).keys()]).toEqual(["ali"]);
    },
    LONG,
  );

  it(
    "6. pulumi import adopts a live mailbox by id; the next preview shows no change",
    async () => {
      emu.putMailbox("acme.com", { local_part: "bob", name: "Bob Builder" });
      emu.resetLog();
      const r = await ws.run([
        "import",
        "mailplane:index:Mailbox",
        "bob",
        "migadu/acme.com/bob",
        "--yes",
        "--protect=false",
        // Printing the program code needs the language host's GenerateProgram, which the
        // project's minimal pulumi-language-nodejs does not implement.
        "--generate-code=false",
        "--non-interactive",
        "--color",
        "never",
      ]);
      expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
      // An import only reads.
      expect(Object.keys(emu.countsByRoute()).filter((k) => !k.startsWith("GET"))).toEqual([]);
      const bob = (await mailboxesInState()).get("bob")!;
      expect(bob.inputs).toEqual({
        mailProvider: "migadu",
        domain: "acme.com",
        localPart: "bob",
        name: "Bob Builder",
        suspended: false,
        changePasswordAtNextLogin: false,
        require2fa: false,
        aliases: [],
        forwardTo: [],
        onDelete: "suspend",
        allowRecreate: false,
        shared: false,
      });
      // The program now declares it as it is live.
      await ws.ok(["config", "set", "imported", JSON.stringify(["bob"])]);
      await ws.ok(["config", "set", "bobName", "Bob Builder"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual([]);
      expect(p.changeSummary).toEqual({ same: 3 });
      expect(emu.mailbox("acme.com", "bob")?.name).toBe("Bob Builder");
    },
    LONG,
  );

  it(
    "7. credentials can come from mailplane:* stack config (Configure reaches the provider)",
    async () => {
      // The same stack with no Migadu credentials in the environment of pulumi.
      const bare = new PulumiWorkspace(PROJECT, tmp, { MIGADU_API_URL: apiUrl });
      delete bare.env.MIGADU_USER;
      delete bare.env.MIGADU_API_KEY;
      await bare.ok(["stack", "select", STACK]);
      const missing = await bare.run(["preview", "--refresh", "--non-interactive"]);
      expect(missing.code).not.toBe(0);
      expect(`${missing.stdout}${missing.stderr}`).toContain(
        "migadu credentials missing: set MIGADU_USER in the environment of `pulumi`, or run " +
          "`pulumi config set --secret mailplane:migaduUser <value>`",
      );
      await bare.ok(["config", "set", "mailplane:migaduUser", USER]);
      await bare.ok(["config", "set", "--secret", "mailplane:migaduApiKey", API_KEY]);
      // A refresh uses the provider configuration in state: an up stores the new one (it
      // changes no account: the default provider is updated, every Mailbox stays the same).
      emu.resetLog();
      await bare.up();
      expect(emu.countsByRoute()).toEqual({});
      const p = await bare.preview(["--refresh"]);
      expect(changes(p.steps).filter((c) => !c.startsWith("refresh"))).toEqual([]);
      // The refresh read the accounts at the emulator, with the configured credentials (one
      // mailbox list for both, and what Migadu's adapter reads besides).
      expect(emu.countsByRoute()).toEqual({
        "GET /domains/:domain/aliases": 1,
        "GET /domains/:domain/mailboxes": 1,
        "GET /domains/:domain/mailboxes/:local_part/forwardings": 1,
      });
      await ws.ok(["config", "rm", "mailplane:migaduUser"]);
      await ws.ok(["config", "rm", "mailplane:migaduApiKey"]);
      await ws.up();
    },
    LONG,
  );

  it(
    "8. state bytes per mailbox: the plugin's Mailbox is under the 3 KB goal (printed)",
    async () => {
      const { byName } = await ws.exportState();
      const plugin = bytesOf(byName.get("ali")!);
      const providers = [...byName.values()].filter((r) => r.urn.includes("::pulumi:providers:"));
      console.log(
        [
          "state bytes per mailbox (compact JSON of its `pulumi stack export` entry):",
          `  mailplane:index:Mailbox ali: ${plugin} (the dynamic Mailbox of earlier releases: 7,254)`,
          `  shared per stack: ${providers.map((r) => `${nameOf(r.urn)} ${bytesOf(r)}`).join(", ")}`,
        ].join("\n"),
      );
      expect(JSON.stringify(byName.get("ali"))).not.toContain("__provider");
      expect(plugin).toBeLessThan(3000);
    },
    LONG,
  );
});
