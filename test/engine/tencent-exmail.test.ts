/**
 * The real Pulumi engine on Tencent Exmail (issue 15): `pulumi preview` and `up` of
 * test/engine/fixtures/exmail — acme.com on the zone-file DNS backend with its users and mail
 * groups at the Exmail emulator (in this process, on 127.0.0.1), reached through the binding's
 * apiUrl, with the corp secret passed only as TENCENT_EXMAIL_CORP_SECRET. Each step is a
 * `pulumi config set`, never a file rewrite. Every `pulumi` command is a new provider process:
 * departments are found again by name and the access token is minted again in each.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TencentExmailEmulator } from "../emulators/tencent-exmail";
import {
  changes,
  nameOf,
  PulumiWorkspace,
  requirePulumi,
  updatedInputs,
  type PreviewJson,
} from "./pulumi-cli";

const PROJECT = path.join(__dirname, "fixtures", "exmail");
const CORP_ID = "wwacme0123456789";
const CORP_SECRET = "Exmail-engine-SECRET-0123456789abcdef";
const PASSWORDS = {
  ali: "AliInitialPa55",
  zhangsan: "ZsInitialPa55",
  zoe: "ZoeInitialPa55",
  omar: "OmInitialPa55",
};
const NAMES = { ali: "علی علوی", zhangsan: "张三", zoe: "Zoë Åström-Núñez", omar: "Omar Haddad" };
const LONG = 300_000;
const STACK = `exmail-${process.pid}`;

let emu: TencentExmailEmulator;
let tmp: string;
let ws: PulumiWorkspace;

const preview = (extra: string[] = []): Promise<PreviewJson> => ws.preview(extra);
const up = (): Promise<void> => ws.up();
const bytes = (s: unknown): string => Buffer.from(String(s), "utf8").toString("hex");

/** Department id → name, at the emulator. */
const departmentNames = () =>
  Object.fromEntries(emu.allDepartments().map((d) => [d.id, d.name] as const));
/** The users as Exmail holds them, departments by name. */
const users = () => {
  const names = departmentNames();
  return emu.allUsers().map((u) => ({
    userid: u.userid,
    name: u.name,
    department: u.department.map((d) => names[d]),
    position: u.position,
    slaves: u.slaves,
    enable: u.enable,
  }));
};
const groups = () =>
  Object.fromEntries(
    emu
      .allGroups()
      .map((g) => [g.groupid, { name: g.groupname, members: g.userlist, allowType: g.allow_type }]),
  );
/** Requests other than reads and the token, by route. */
const writes = () => {
  const out: Record<string, number> = {};
  for (const l of emu.log) {
    if (l.route.startsWith("GET") || l.route === "POST /user/batchcheck") continue;
    out[l.route] = (out[l.route] ?? 0) + 1;
  }
  return out;
};

beforeAll(async () => {
  emu = new TencentExmailEmulator({
    corpId: CORP_ID,
    corpSecret: CORP_SECRET,
    domains: ["acme.com"],
  });
  const apiUrl = await emu.start();
  tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-engine-exmail-"));
  ws = new PulumiWorkspace(PROJECT, tmp, { TENCENT_EXMAIL_CORP_SECRET: CORP_SECRET });
  await requirePulumi(ws);
  await ws.ok(["stack", "init", STACK, "--non-interactive"]);
  await ws.ok(["config", "set", "zonePath", path.join(tmp, "acme.com.zone")]);
  await ws.ok(["config", "set", "apiUrl", apiUrl]);
  await ws.ok(["config", "set", "--secret", "passwords", JSON.stringify(PASSWORDS)]);
}, LONG);

afterAll(async () => {
  await emu?.stop();
  rmSync(path.join(PROJECT, `Pulumi.${STACK}.yaml`), { force: true });
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

const USERS = [
  {
    userid: "ali@acme.com",
    name: NAMES.ali,
    department: ["Engineering"],
    position: "Director",
    slaves: ["abuse@acme.com", "ali.alavi@acme.com", "postmaster@acme.com"],
    enable: 1,
  },
  {
    userid: "omar@acme.com",
    name: NAMES.omar,
    department: ["销售部"],
    position: "",
    slaves: [],
    enable: 1,
  },
  {
    userid: "zhangsan@acme.com",
    name: NAMES.zhangsan,
    department: ["销售部"],
    position: "",
    slaves: ["san.zhang@acme.com"],
    enable: 1,
  },
  {
    userid: "zoe@acme.com",
    name: NAMES.zoe,
    department: ["Engineering"],
    position: "",
    slaves: [],
    enable: 1,
  },
];
const GROUPS = {
  "sales@acme.com": { name: "sales", members: ["zhangsan@acme.com"], allowType: 1 },
  "team@acme.com": { name: "团队", members: ["ali@acme.com", "zoe@acme.com"], allowType: 2 },
};
/** The zone as planned (template serial 1): Exmail's MX and SPF, DMARC, client discovery. */
const ZONE = `$ORIGIN acme.com.
$TTL 3600
@	3600	IN	SOA	ns1.acme.com. hostmaster.acme.com. 1 7200 3600 1209600 3600
@	3600	IN	NS	ns1.acme.com.
@	3600	IN	MX	5 mxbiz1.qq.com.
@	3600	IN	MX	10 mxbiz2.qq.com.
@	3600	IN	TXT	"v=spf1 include:spf.mail.qq.com ~all"
_dmarc	3600	IN	TXT	"v=DMARC1; p=reject; rua=mailto:postmaster@acme.com"
_imap._tcp	3600	IN	SRV	0 0 0 .
_imaps._tcp	3600	IN	SRV	0 1 993 imap.exmail.qq.com.
_pop3._tcp	3600	IN	SRV	0 0 0 .
_pop3s._tcp	3600	IN	SRV	0 1 995 pop.exmail.qq.com.
_submission._tcp	3600	IN	SRV	0 0 0 .
_submissions._tcp	3600	IN	SRV	0 1 465 smtp.exmail.qq.com.
ns1	3600	IN	A	127.0.0.1
`;

describe.sequential("the real Pulumi engine on Tencent Exmail (Exmail emulator)", () => {
  it(
    "1. preview on an empty stack lists every account and the zone file to create, without a request",
    async () => {
      const p = await preview();
      expect(changes(p.steps)).toEqual([
        "create MailGroup acme-group-sales",
        "create MailGroup acme-group-team",
        "create Mailbox acme-mailbox-ali",
        "create Mailbox acme-mailbox-omar",
        "create Mailbox acme-mailbox-zhangsan",
        "create Mailbox acme-mailbox-zoe",
        "create ZoneFile acme-zone-file",
        "create mailplane:index:MailDomain acme",
        `create pulumi:pulumi:Stack mailplane-engine-exmail-${STACK}`,
      ]);
      expect(p.changeSummary).toEqual({ create: 9 });
      const step = (name: string) => p.steps.find((s) => nameOf(s.urn) === name)!.newState?.inputs;
      const { __provider, ...aliInputs } = step("acme-mailbox-ali")!;
      expect(aliInputs).toEqual({
        aliases: ["abuse", "ali.alavi", "postmaster"],
        allowRecreate: false,
        apiUrl: `tencentExmail:?corp=${CORP_ID}&api=${encodeURIComponent(emu.url)}`,
        changePasswordAtNextLogin: false,
        department: "Engineering",
        domain: "acme.com",
        forwardTo: [],
        localPart: "ali",
        mailProvider: "tencentExmail",
        name: NAMES.ali,
        onDelete: "suspend",
        password: "[secret]",
        require2fa: false,
        shared: false,
        suspended: false,
        title: "Director",
      });
      expect(__provider).toBeUndefined(); // a plugin resource: no serialized provider
      // Names byte for byte in the preview.
      for (const key of ["ali", "zhangsan", "zoe"] as const) {
        expect(bytes(step(`acme-mailbox-${key}`)!.name)).toBe(bytes(NAMES[key]));
      }
      expect(step("acme-group-team")).toMatchObject({
        localPart: "team",
        name: "团队",
        members: ["ali@acme.com", "zoe@acme.com"],
        allowSenders: "members",
      });
      expect(Object.keys(step("acme-group-sales")!)).not.toContain("allowSenders");
      expect(step("acme-zone-file")?.content).toBe(ZONE);
      expect(emu.count()).toBe(0); // a preview of creates reads nothing
    },
    LONG,
  );

  it(
    "2. up creates the users in their departments and the mail groups; a refreshing preview is clean",
    async () => {
      await up();
      expect(users()).toEqual(USERS);
      expect(groups()).toEqual(GROUPS);
      // One department per name under the root, created on demand (in whichever order the
      // engine ran the creates).
      expect(
        emu
          .allDepartments()
          .map((d) => [d.name, d.parentid])
          .sort(),
      ).toEqual([
        ["Acme", 0],
        ["Engineering", 1],
        ["销售部", 1],
      ]);
      expect(emu.count("POST /department/create")).toBe(2);
      for (const [key, plain] of Object.entries(PASSWORDS)) {
        expect(emu.passwordOf(`${key}@acme.com`)).toBe(plain);
      }
      // Names byte for byte at the API and in the state.
      const state = (await ws.exportState()).byName;
      for (const key of ["ali", "zhangsan", "zoe"] as const) {
        expect(bytes(emu.user(`${key}@acme.com`)!.name)).toBe(bytes(NAMES[key]));
        expect(bytes(state.get(`acme-mailbox-${key}`)?.outputs?.name)).toBe(bytes(NAMES[key]));
      }
      expect(state.get("acme-group-team")?.outputs).toMatchObject({
        name: "团队",
        allowSenders: "members",
      });
      emu.resetLog();
      const again = await preview(["--refresh"]);
      expect(changes(again.steps).filter((c) => !c.startsWith("refresh"))).toEqual([]);
      expect(again.changeSummary).toEqual({ same: 9 });
      // A refresh in a new process: one token, reads only.
      expect(emu.count("GET /gettoken")).toBe(1);
      expect(writes()).toEqual({});
    },
    LONG,
  );

  it(
    "3. a title change previews as exactly one update and is one user/update",
    async () => {
      await ws.ok(["config", "set", "aliTitle", "首席技术官"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual(["update Mailbox acme-mailbox-ali"]);
      expect(p.changeSummary).toEqual({ same: 8, update: 1 });
      expect(updatedInputs(p.steps)).toEqual({
        "acme-mailbox-ali": { title: ["Director", "首席技术官"] },
      });
      emu.resetLog();
      await up();
      expect(writes()).toEqual({ "POST /user/update": 1 });
      expect(users()).toEqual([{ ...USERS[0]!, position: "首席技术官" }, ...USERS.slice(1)]);
      expect((await preview()).changeSummary).toEqual({ same: 9 });
    },
    LONG,
  );

  it(
    "4. who may send to a group previews as one update and is one group/update of allow_type",
    async () => {
      await ws.ok(["config", "set", "teamSenders", "organisation"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual(["update MailGroup acme-group-team"]);
      expect(updatedInputs(p.steps)).toEqual({
        "acme-group-team": { allowSenders: ["members", "organisation"] },
      });
      emu.resetLog();
      await up();
      expect(writes()).toEqual({ "POST /group/update": 1 });
      expect(groups()["team@acme.com"]?.allowType).toBe(0);
      expect((await preview(["--refresh"])).changeSummary).toEqual({ same: 9 });
    },
    LONG,
  );

  it(
    "5. removing a mailbox suspends the user (enable 0): still there, nothing else written",
    async () => {
      const before = users();
      await ws.ok(["config", "set", "--path", "removed[0]", "omar"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual(["delete Mailbox acme-mailbox-omar"]);
      expect(p.changeSummary).toEqual({ delete: 1, same: 8 });
      emu.resetLog();
      await up();
      expect(writes()).toEqual({ "POST /user/update": 1 });
      expect(users()).toEqual(
        before.map((u) => (u.userid === "omar@acme.com" ? { ...u, enable: 0 } : u)),
      );
      expect(emu.passwordOf("omar@acme.com")).toBe(PASSWORDS.omar);
    },
    LONG,
  );

  it(
    "6. the state and the stack config hold no password and not the corp secret",
    async () => {
      const exported = await ws.ok(["stack", "export"]);
      const config = readFileSync(path.join(PROJECT, `Pulumi.${STACK}.yaml`), "utf8");
      for (const secret of [...Object.values(PASSWORDS), CORP_SECRET]) {
        expect(exported).not.toContain(secret);
        expect(config).not.toContain(secret);
      }
    },
    LONG,
  );
});
