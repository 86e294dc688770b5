/**
 * The `@mailplane/policy` CrossGuard pack on the real engine (issue 17): `pulumi preview` and `up`
 * with `--policy-pack packages/policy` (run by the project's language host, RunPlugin) on
 * test/engine/fixtures/policy (corp.test on the zone-file DNS backend, accounts at the Migadu
 * emulator). The compliant stack passes and is applied; each violation fails preview with the
 * rule's exact message, and `up` too, changing nothing (no request at the emulator, the zone file
 * untouched); `--policy-pack-config` changes a rule's threshold.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MigaduEmulator } from "../emulators/migadu";
import { PulumiWorkspace, requirePulumi, type PulumiResult } from "./pulumi-cli";

const ROOT = path.resolve(__dirname, "..", "..");
const PACK = path.join(ROOT, "packages", "policy");
const PROJECT = path.join(__dirname, "fixtures", "policy");
const USER = "admin@corp.test";
const API_KEY = "emulator-api-key-policy-9a8b";
const LONG = 600_000;
const STACK = `policy-${process.pid}`;
const PASSWORDS = { ali: "Ali-initial-Pa55", zhangsan: "Zs-initial-Pa55", boss: "Bs-initial-Pa55" };

let emu: MigaduEmulator;
let tmp: string;
let ws: PulumiWorkspace;
let zonePath: string;

/** `--policy-pack` and, when given, `--policy-pack-config` with a file holding `packConfig`. */
function packArgs(packConfig?: object): string[] {
  const args = ["--policy-pack", PACK];
  if (packConfig !== undefined) {
    const file = path.join(tmp, `pack-config-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify(packConfig));
    args.push("--policy-pack-config", file);
  }
  return args;
}

/** `pulumi preview` with the pack (and a pack config when given). */
const preview = (packConfig?: object): Promise<PulumiResult> =>
  ws.run(["preview", "--non-interactive", "--color", "never", ...packArgs(packConfig)]);

/** The violation lines of a run's output: `[mandatory]  <policy>` and the message under it. */
function violations(r: PulumiResult): string[] {
  const lines = `${r.stdout}\n${r.stderr}`.split("\n");
  const out: string[] = [];
  lines.forEach((l, i) => {
    const m = /^\s*- \[mandatory\]\s+(\S+)\s/.exec(l);
    if (m) out.push(`${m[1]}: ${lines[i + 2]!.trim()}`);
  });
  return out;
}

const setConfig = (k: string, v: string) => ws.ok(["config", "set", k, v]);
const rmConfig = (k: string) => ws.ok(["config", "rm", k]);

beforeAll(async () => {
  emu = new MigaduEmulator({
    user: USER,
    apiKey: API_KEY,
    domains: ["corp.test"],
    rateLimit: false,
  });
  const apiUrl = await emu.start();
  tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-policy-"));
  zonePath = path.join(tmp, "corp.test.zone");
  ws = new PulumiWorkspace(PROJECT, tmp, {
    MIGADU_API_URL: apiUrl,
    MIGADU_USER: USER,
    MIGADU_API_KEY: API_KEY,
    MIGADU_REQUEST_BUDGET: "500/100",
  });
  await requirePulumi(ws);
  if (!existsSync(path.join(PACK, "dist", "pack.js"))) {
    throw new Error(
      "packages/policy/dist/pack.js is missing: the engine runs the built pack: pnpm build",
    );
  }
  await ws.ok(["stack", "init", STACK, "--non-interactive"]);
  await setConfig("zonePath", zonePath);
  await ws.ok(["config", "set", "--secret", "passwords", JSON.stringify(PASSWORDS)]);
}, LONG);

afterAll(async () => {
  await emu?.stop();
  rmSync(path.join(PROJECT, `Pulumi.${STACK}.yaml`), { force: true });
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe.sequential("@mailplane/policy on the real engine", () => {
  it(
    "the compliant stack passes preview and up with the pack",
    async () => {
      const p = await preview();
      expect(violations(p)).toEqual([]);
      expect(p.code).toBe(0);
      await ws.ok(["up", "--yes", "--skip-preview", "--non-interactive", "--policy-pack", PACK]);
      expect(emu.mailboxes("corp.test").map((m) => m.local_part)).toEqual([
        "ali",
        "boss",
        "zhangsan",
      ]);
    },
    LONG,
  );

  it(
    "every rule: a violating stack (or config) fails preview with the rule's message; up fails and changes nothing",
    async () => {
      await setConfig("dmarcPolicy", "none");
      await setConfig("mtaStsMode", "none");
      await setConfig("deleteHandle", "zhangsan");
      await setConfig("leaverForwardTo", "boss@gmail.example");
      await setConfig("noDepartment", "ali");
      await setConfig("launchExpires", "2099-12-31");
      // postmaster@ and abuse@ are always routed (core refuses a declaration without them): the
      // rule's list gains security@, which corp.test does not route.
      const packConfig = {
        "temporary-alias-expiry": { today: "2026-12-01" },
        "role-addresses-routed": { addresses: ["postmaster", "abuse", "security"] },
      };
      const p = await preview(packConfig);
      expect(p.code).not.toBe(0);
      expect(violations(p).sort()).toEqual([
        'dmarc-minimum-policy: corp.test: policy.dmarc.policy is "none"; allowed: "quarantine" or stricter',
        'mailbox-delete-allowlist: corp.test: mailboxes.zhangsan.onDelete is "delete"; allowed: "suspend", or list "zhangsan" in allowDelete of the policy config',
        "mailbox-department: corp.test: mailboxes.ali.department is not set; allowed: a department name",
        'mta-sts-minimum-mode: corp.test: policy.mtaSts.mode is "none"; allowed: "testing" or stricter',
        'no-external-forwarding: corp.test: mailboxes.boss (profile "executive") forwards to boss@gmail.example, outside the organisation; allowed: corp.test',
        'role-addresses-routed: corp.test: security@corp.test is not routed; allowed: declare it (`security: "<handle>"`, or an alias, group or shared address named security)',
        "temporary-alias-expiry: corp.test: aliases.launch.expires is 2099-12-31; allowed: at most 90 days from 2026-12-01 (2027-03-01 or earlier)",
      ]);
      const zone = readFileSync(zonePath, "utf8");
      const requests = emu.count();
      const up = await ws.run([
        "up",
        "--yes",
        "--non-interactive",
        "--color",
        "never",
        ...packArgs(packConfig),
      ]);
      expect(up.code).not.toBe(0);
      expect(violations(up)).toHaveLength(7);
      expect(readFileSync(zonePath, "utf8")).toBe(zone);
      expect(emu.count()).toBe(requests);
      for (const k of [
        "dmarcPolicy",
        "mtaStsMode",

        "deleteHandle",
        "leaverForwardTo",
        "noDepartment",
        "launchExpires",
      ]) {
        await rmConfig(k);
      }
    },
    LONG,
  );

  it(
    "the pack's config changes thresholds and lists",
    async () => {
      // DMARC quarantine passes the default minimum, fails "reject".
      await setConfig("dmarcPolicy", "quarantine");
      expect(violations(await preview())).toEqual([]);
      expect(violations(await preview({ "dmarc-minimum-policy": { minimum: "reject" } }))).toEqual([
        'dmarc-minimum-policy: corp.test: policy.dmarc.policy is "quarantine"; allowed: "reject"',
      ]);
      await rmConfig("dmarcPolicy");
      // The alias expiring 2027-01-31 is 61 days from 2026-12-01: fails maxDays 30, passes 90.
      const today = "2026-12-01";
      expect(
        violations(await preview({ "temporary-alias-expiry": { today, maxDays: 30 } })),
      ).toEqual([
        "temporary-alias-expiry: corp.test: aliases.launch.expires is 2027-01-31; allowed: at most 30 days from 2026-12-01 (2026-12-31 or earlier)",
      ]);
      expect(
        violations(await preview({ "temporary-alias-expiry": { today, maxDays: 90 } })),
      ).toEqual([]);
      // A deletion listed in allowDelete passes.
      await setConfig("deleteHandle", "zhangsan");
      const allowed = await preview({ "mailbox-delete-allowlist": { allowDelete: ["zhangsan"] } });
      expect(violations(allowed)).toEqual([]);
      expect(allowed.code).toBe(0);
      await rmConfig("deleteHandle");
    },
    LONG,
  );
});
