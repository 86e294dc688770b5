/**
 * The real Pulumi engine on Zoho Mail (issue 15): `pulumi preview` and `up` of
 * test/engine/fixtures/zoho — acme.com on the zone-file DNS backend with its users and groups at
 * the Zoho Mail emulator (in this process, on 127.0.0.1), reached through the binding's
 * apiUrl/accountsUrl, the OAuth client and refresh token only in the environment of `pulumi`.
 * The emulator enforces Zoho's limits: 10 access tokens per refresh token in 10 minutes, and
 * 30 requests a minute with a lock-out; the adapter runs with its default budget (0.45/s) and
 * keeps its access token between pulumi processes, sealed, in MAILPLANE_TOKEN_CACHE.
 * Each step is a `pulumi config set`, never a file rewrite.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZohoMailEmulator } from "../emulators/zoho-mail";
import {
  changes,
  nameOf,
  PulumiWorkspace,
  requirePulumi,
  updatedInputs,
  type PreviewJson,
} from "./pulumi-cli";

const PROJECT = path.join(__dirname, "fixtures", "zoho");
const CREDS = {
  clientId: "1000.ENGINECLIENT42",
  clientSecret: "engine-zoho-client-secret-5f1c",
  refreshToken: "1000.engine.refresh.9a7b3c2d1e0f",
};
const PASSWORDS = {
  ali: "Ali-initial-Pa55",
  zhangsan: "Zs-initial-Pa55",
  sara: "Sr-initial-Pa55",
  zoe: "Zo-initial-Pa55",
};
const NAMES = { ali: "Ali Alavi", zhangsan: "张三", sara: "سارا رضایی", zoe: "Zoë Ångström-Ñúñez" };
const LONG = 400_000;
const STACK = `zoho-${process.pid}`;

let emu: ZohoMailEmulator;
let tmp: string;
let ws: PulumiWorkspace;

const preview = (extra: string[] = []): Promise<PreviewJson> => ws.preview(extra);
const up = (): Promise<void> => ws.up();

/** The users at the emulator as Zoho holds them, without ids. */
const users = () =>
  emu.allUsers().map((u) => ({
    primaryEmailAddress: u.primaryEmailAddress,
    displayName: u.displayName,
    mailboxStatus: u.mailboxStatus,
    aliases: u.emailAddress.filter((e) => e.isAlias).map((e) => e.mailId),
  }));
const groups = () =>
  Object.fromEntries(
    emu.allGroups().map((g) => [g.emailId, g.mailGroupMemberList.map((m) => m.memberEmailId)]),
  );
/** API writes Zoho accepted, as `METHOD path-with-ids`. */
const writes = () =>
  emu.log
    .filter((l) => l.path.startsWith("/api") && l.method !== "GET")
    .filter((l) => typeof l.status === "number" && l.status < 300)
    .map((l) => `${l.method} ${l.path.replace(`/api/organization/${emu.organizationId}`, "")}`);

beforeAll(async () => {
  emu = new ZohoMailEmulator({
    domains: ["acme.com"],
    ...CREDS,
    rateLimit: { limit: 30, windowMs: 60_000, lockMs: 600_000 },
  });
  const url = await emu.start();
  tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-engine-zoho-"));
  ws = new PulumiWorkspace(PROJECT, tmp, {
    ZOHO_CLIENT_ID: CREDS.clientId,
    ZOHO_CLIENT_SECRET: CREDS.clientSecret,
    ZOHO_REFRESH_TOKEN: CREDS.refreshToken,
    // The access token is kept between pulumi processes (sealed), here in the test's folder.
    MAILPLANE_TOKEN_CACHE: path.join(tmp, "tokens"),
  });
  await requirePulumi(ws);
  await ws.ok(["stack", "init", STACK, "--non-interactive"]);
  await ws.ok(["config", "set", "zonePath", path.join(tmp, "acme.com.zone")]);
  await ws.ok(["config", "set", "apiUrl", url]);
  await ws.ok(["config", "set", "--secret", "passwords", JSON.stringify(PASSWORDS)]);
}, LONG);

afterAll(async () => {
  await emu?.stop();
  rmSync(path.join(PROJECT, `Pulumi.${STACK}.yaml`), { force: true });
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

const USERS = [
  {
    primaryEmailAddress: "ali@acme.com",
    displayName: "Ali Alavi",
    mailboxStatus: "enabled",
    aliases: ["abuse@acme.com", "ali.alavi@acme.com", "postmaster@acme.com"],
  },
  ...(["sara", "zhangsan", "zoe"] as const).map((k) => ({
    primaryEmailAddress: `${k}@acme.com`,
    displayName: NAMES[k],
    mailboxStatus: "enabled",
    aliases: [],
  })),
];
const GROUPS = {
  "dmarc@acme.com": ["ali@acme.com"],
  "info@acme.com": ["ali@acme.com", "zhangsan@acme.com"],
};
const byAddress = <T extends { primaryEmailAddress: string }>(list: T[]) =>
  [...list].sort((a, b) => a.primaryEmailAddress.localeCompare(b.primaryEmailAddress));

describe.sequential("the real Pulumi engine on Zoho Mail (emulator with Zoho's limits)", () => {
  it(
    "1. preview on an empty stack lists every account and the zone file, without a request",
    async () => {
      const p = await preview();
      expect(changes(p.steps)).toEqual([
        "create MailGroup acme-group-dmarc",
        "create MailGroup acme-group-info",
        "create Mailbox acme-mailbox-ali",
        "create Mailbox acme-mailbox-sara",
        "create Mailbox acme-mailbox-zhangsan",
        "create Mailbox acme-mailbox-zoe",
        "create ZoneFile acme-zone-file",
        "create mailplane:index:MailDomain acme",
        `create pulumi:pulumi:Stack mailplane-engine-zoho-${STACK}`,
      ]);
      const step = (name: string) => p.steps.find((s) => nameOf(s.urn) === name)!.newState?.inputs;
      const { __provider, ...sara } = step("acme-mailbox-sara")!;
      expect(__provider).toBeUndefined(); // a plugin resource: no serialized provider
      expect(sara).toEqual({
        aliases: [],
        allowRecreate: false,
        apiUrl: `zoho:?dc=eu&org=60012345&api=${encodeURIComponent(emu.url)}&accounts=${encodeURIComponent(emu.url)}`,
        changePasswordAtNextLogin: true,
        domain: "acme.com",
        forwardTo: [],
        localPart: "sara",
        mailProvider: "zoho",
        name: "سارا رضایی",
        onDelete: "suspend",
        password: "[secret]",
        require2fa: false,
        shared: false,
        suspended: false,
      });
      // The names in the preview, byte for byte.
      for (const k of ["zhangsan", "sara", "zoe"] as const) {
        expect(
          Buffer.from(String(step(`acme-mailbox-${k}`)!.name)).equals(Buffer.from(NAMES[k])),
        ).toBe(true);
      }
      const zone = String(step("acme-zone-file")!.content);
      expect(zone).toContain("@\t3600\tIN\tMX\t10 mx.zoho.eu.\n");
      expect(zone).toContain('@\t3600\tIN\tTXT\t"v=spf1 include:zohomail.eu ~all"\n');
      expect(zone).toContain('@\t3600\tIN\tTXT\t"zoho-verification=zb12345678.zmverify.zoho.eu"\n');
      expect(emu.count()).toBe(0);
    },
    LONG,
  );

  it(
    "2. up creates the users and groups with one access token and no lock-out; a refreshing preview is clean",
    async () => {
      await up();
      expect(byAddress(users())).toEqual(USERS);
      expect(groups()).toEqual(GROUPS);
      for (const [key, plain] of Object.entries(PASSWORDS)) {
        expect(emu.passwordOf(`${key}@acme.com`)).toEqual({
          password: plain,
          oneTimePassword: key === "sara",
        });
      }
      expect([emu.minted, emu.mintsDenied, emu.lockouts, emu.throttled]).toEqual([1, 0, 0, 0]);
      expect(emu.maxRequestsInWindow(60_000)).toBeLessThanOrEqual(30);
      const again = await preview(["--refresh"]);
      expect(changes(again.steps).filter((c) => !c.startsWith("refresh"))).toEqual([]);
      expect(again.changeSummary).toEqual({ same: 9 });
      // The refreshing preview is a new process: it uses the token the up stored (sealed).
      expect(emu.minted).toBe(1);
    },
    LONG,
  );

  it(
    "3. a display name change previews as one update and is one updateDisplayName by accountId",
    async () => {
      await ws.ok(["config", "set", "aliName", "Ali Alavi-Rostami"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual(["update Mailbox acme-mailbox-ali"]);
      expect(updatedInputs(p.steps)).toEqual({
        "acme-mailbox-ali": { name: ["Ali Alavi", "Ali Alavi-Rostami"] },
      });
      emu.resetLog();
      await up();
      expect(writes()).toEqual([`PUT /accounts/${emu.user("ali@acme.com")!.accountId}`]);
      expect(emu.user("ali@acme.com")!.displayName).toBe("Ali Alavi-Rostami");
      expect((await preview()).changeSummary).toEqual({ same: 9 });
    },
    LONG,
  );

  it(
    "4. removing a mailbox suspends it: disabled by accountId, aliases and groups kept, not deleted",
    async () => {
      const zhangsan = emu.user("zhangsan@acme.com")!;
      await ws.ok(["config", "set", "--path", "removed[0]", "zoe"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual(["delete Mailbox acme-mailbox-zoe"]);
      const zoe = emu.user("zoe@acme.com")!;
      emu.resetLog();
      await up();
      expect(writes()).toEqual([`PUT /accounts/${zoe.accountId}`]);
      expect(emu.user("zoe@acme.com")).toMatchObject({
        zuid: zoe.zuid,
        accountId: zoe.accountId,
        mailboxStatus: "disabled",
        incomingBlocked: false,
      });
      expect(emu.user("zhangsan@acme.com")).toEqual(zhangsan);
      expect(groups()).toEqual(GROUPS);
      expect(emu.allUsers()).toHaveLength(4);
      expect((await preview()).changeSummary).toEqual({ same: 8 });
      // Seven pulumi commands so far, one access token: Zoho's 10 per 10 minutes is far away.
      expect([emu.minted, emu.mintsDenied, emu.lockouts, emu.throttled]).toEqual([1, 0, 0, 0]);
    },
    LONG,
  );

  it(
    "5. names in Chinese, Persian and with diacritics are byte-equal in the API, the state and the stack; no secret is stored",
    async () => {
      const state = await ws.exportState();
      for (const k of ["zhangsan", "sara"] as const) {
        const api = emu.user(`${k}@acme.com`)!.displayName;
        const stored = String(state.byName.get(`acme-mailbox-${k}`)?.outputs?.name);
        expect(Buffer.from(api).equals(Buffer.from(NAMES[k]))).toBe(true);
        expect(Buffer.from(stored).equals(Buffer.from(NAMES[k]))).toBe(true);
      }
      const config = readFileSync(path.join(PROJECT, `Pulumi.${STACK}.yaml`), "utf8");
      const sealed = readdirSync(path.join(tmp, "tokens")).map((f) =>
        readFileSync(path.join(tmp, "tokens", f), "utf8"),
      );
      expect(sealed).toHaveLength(1);
      for (const secret of [...Object.values(PASSWORDS), CREDS.clientSecret, CREDS.refreshToken]) {
        expect(state.text).not.toContain(secret);
        expect(config).not.toContain(secret);
        expect(sealed[0]).not.toContain(secret);
      }
      expect(sealed[0]).not.toContain("1000."); // the access token itself
    },
    LONG,
  );
});
