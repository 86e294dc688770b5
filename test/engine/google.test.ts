/**
 * The real Pulumi engine on Google Workspace (issue 13): `pulumi preview`, `up` and `refresh` of
 * test/engine/fixtures/google — acme.com on the zone-file DNS backend with its users and groups
 * at the Google Directory API emulator (in this process, on 127.0.0.1), reached through the
 * binding's apiUrl/tokenUrl with a service account key pair generated here and passed as
 * GOOGLE_SERVICE_ACCOUNT_KEY. Each step is a `pulumi config set`, never a file rewrite.
 * Eventual consistency is on: a user or group just written answers 404 to its next two reads
 * (and to adding that user as a member), across `pulumi` commands, as Google does for a while.
 */
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GoogleDirectoryEmulator } from "../emulators/google-directory";
import {
  changes,
  nameOf,
  PulumiWorkspace,
  requirePulumi,
  updatedInputs,
  type PreviewJson,
} from "./pulumi-cli";

const PROJECT = path.join(__dirname, "fixtures", "google");
const SERVICE_ACCOUNT = "mailplane@acme-project.iam.gserviceaccount.com";
const ADMIN = "admin@acme.com";
const PASSWORDS = {
  ali: "Ali-initial-Pa55",
  zhangsan: "Zs-initial-Pa55",
  maria: "Mg-initial-Pa55",
  omar: "Om-initial-Pa55",
};
const LONG = 300_000;
const STACK = `google-${process.pid}`;

let emu: GoogleDirectoryEmulator;
let tmp: string;
let ws: PulumiWorkspace;
let privatePem: string;

const preview = (extra: string[] = []): Promise<PreviewJson> => ws.preview(extra);
const up = (): Promise<void> => ws.up();
/** The resources of `pulumi stack export`, by name. */
const exportState = async () => (await ws.exportState()).byName;

/** The users at the emulator as Google holds them, without ids and etags. */
const users = () =>
  emu.allUsers().map((u) => ({
    primaryEmail: u.primaryEmail,
    name: u.name,
    suspended: u.suspended,
    aliases: u.aliases ?? [],
    organizations: u.organizations ?? [],
    changePasswordAtNextLogin: u.changePasswordAtNextLogin,
  }));
/** Primary address → Google user id. */
const ids = () => Object.fromEntries(emu.allUsers().map((u) => [u.primaryEmail, u.id]));
/** Group address → member addresses. */
const groups = () =>
  Object.fromEntries(
    emu.allGroups().map((g) => [g.email, { name: g.name, members: g.memberEmails }]),
  );
/** Requests other than reads, by route. */
/**
 * Writes Google accepted (2xx), by route. With the consistency lag on, a write that answered 404
 * for an object not propagated yet and was sent again is counted once: {@link lagged} counts
 * those answers.
 */
const writes = () => {
  const out: Record<string, number> = {};
  for (const l of emu.log) {
    if (l.route.startsWith("GET") || l.route.includes("/token")) continue;
    if (typeof l.status === "number" && l.status < 300) out[l.route] = (out[l.route] ?? 0) + 1;
  }
  return out;
};
/** Answers 404 to writes (the lag), by route. */
const lagged = () => {
  const out: Record<string, number> = {};
  for (const l of emu.log) {
    if (!l.route.startsWith("GET") && l.status === 404) out[l.route] = (out[l.route] ?? 0) + 1;
  }
  return out;
};

/**
 * Checks a stored SHA-512 crypt hash with OpenSSL (`openssl passwd -6`), an implementation
 * independent of the adapter's unixcrypt.
 */
function opensslCrypt(hash: string, plain: string): string {
  const salt = /^\$6\$([^$]+)\$/.exec(hash)?.[1];
  if (salt === undefined) throw new Error(`not a SHA-512 crypt hash: ${hash.slice(0, 8)}…`);
  return execFileSync("openssl", ["passwd", "-6", "-salt", salt, "-stdin"], { input: plain })
    .toString()
    .trim();
}

beforeAll(async () => {
  const keys = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  privatePem = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  emu = new GoogleDirectoryEmulator({
    domains: ["acme.com"],
    serviceAccountEmail: SERVICE_ACCOUNT,
    publicKey: keys.publicKey.export({ type: "spki", format: "pem" }).toString(),
    admins: [ADMIN],
    // Eventual consistency on: a user or group just written answers 404 to its next two reads.
    consistencyLag: 2,
  });
  const apiUrl = await emu.start();
  tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-engine-google-"));
  ws = new PulumiWorkspace(PROJECT, tmp, {
    GOOGLE_SERVICE_ACCOUNT_KEY: JSON.stringify({
      type: "service_account",
      client_email: SERVICE_ACCOUNT,
      private_key: privatePem,
    }),
  });
  await requirePulumi(ws);
  await ws.ok(["stack", "init", STACK, "--non-interactive"]);
  await ws.ok(["config", "set", "zonePath", path.join(tmp, "acme.com.zone")]);
  await ws.ok(["config", "set", "apiUrl", apiUrl]);
  await ws.ok(["config", "set", "--plaintext", "tokenUrl", emu.tokenUrl]);
  await ws.ok(["config", "set", "--secret", "passwords", JSON.stringify(PASSWORDS)]);
}, LONG);

afterAll(async () => {
  await emu?.stop();
  rmSync(path.join(PROJECT, `Pulumi.${STACK}.yaml`), { force: true });
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

const ali = (name = { givenName: "Ali", familyName: "Alavi", displayName: "Ali Alavi" }) => ({
  primaryEmail: "ali@acme.com",
  name: { ...name, fullName: `${name.givenName} ${name.familyName}` },
  suspended: false,
  aliases: ["abuse@acme.com", "ali.alavi@acme.com", "postmaster@acme.com"],
  organizations: [{ department: "Management", title: "Director", primary: true }],
  changePasswordAtNextLogin: false,
});
const person = (
  email: string,
  givenName: string,
  familyName: string,
  department: string,
  suspended = false,
) => ({
  primaryEmail: email,
  name: {
    givenName,
    familyName,
    fullName: `${givenName} ${familyName}`,
    displayName: `${givenName} ${familyName}`,
  },
  suspended,
  aliases: [],
  organizations: [{ department, primary: true }],
  changePasswordAtNextLogin: false,
});
const USERS = [
  ali(),
  person("maria@acme.com", "Maria", "Garcia", "Support"),
  person("omar@acme.com", "Omar", "Haddad", "Sales"),
  person("zhangsan@acme.com", "Zhang", "San", "Sales"),
];
const GROUPS = {
  "info@acme.com": { name: "info", members: ["ali@acme.com", "zhangsan@acme.com"] },
  "support@acme.com": { name: "support", members: ["maria@acme.com"] },
};
let created: Record<string, string> = {};
/** The zone as planned (template serial 1): Google's MX, SPF and verification, DMARC. */
const ZONE = `$ORIGIN acme.com.
$TTL 3600
@	3600	IN	SOA	ns1.acme.com. hostmaster.acme.com. 1 7200 3600 1209600 3600
@	3600	IN	NS	ns1.acme.com.
@	3600	IN	MX	1 smtp.google.com.
@	3600	IN	TXT	"google-site-verification=emulator-token-4f2a9c"
@	3600	IN	TXT	"v=spf1 include:_spf.google.com ~all"
_dmarc	3600	IN	TXT	"v=DMARC1; p=reject; rua=mailto:dmarc@acme.com"
_imap._tcp	3600	IN	SRV	0 0 0 .
_imaps._tcp	3600	IN	SRV	0 1 993 imap.gmail.com.
_pop3._tcp	3600	IN	SRV	0 0 0 .
_pop3s._tcp	3600	IN	SRV	0 0 0 .
_submission._tcp	3600	IN	SRV	0 0 0 .
_submissions._tcp	3600	IN	SRV	0 1 465 smtp.gmail.com.
ns1	3600	IN	A	127.0.0.1
`;

describe.sequential("the real Pulumi engine on Google Workspace (Directory emulator)", () => {
  it(
    "1. preview on an empty stack lists every account and the zone file to create, without a request",
    async () => {
      const p = await preview();
      expect(changes(p.steps)).toEqual([
        "create MailGroup acme-group-info",
        "create MailGroup acme-group-support",
        "create Mailbox acme-mailbox-ali",
        "create Mailbox acme-mailbox-maria",
        "create Mailbox acme-mailbox-omar",
        "create Mailbox acme-mailbox-zhangsan",
        "create ZoneFile acme-zone-file",
        "create mailplane:index:MailDomain acme",
        `create pulumi:pulumi:Stack mailplane-engine-google-${STACK}`,
      ]);
      expect(p.changeSummary).toEqual({ create: 9 });
      const step = (name: string) => p.steps.find((s) => nameOf(s.urn) === name)!.newState?.inputs;
      const { __provider, apiUrl, ...aliInputs } = step("acme-mailbox-ali")!;
      expect(aliInputs).toEqual({
        aliases: ["abuse", "ali.alavi", "postmaster"],
        allowRecreate: false,
        changePasswordAtNextLogin: false,
        department: "Management",
        domain: "acme.com",
        forwardTo: [],
        localPart: "ali",
        mailProvider: "googleWorkspace",
        name: "Ali Alavi",
        onDelete: "suspend",
        password: "[secret]",
        require2fa: false,
        shared: false,
        suspended: false,
        title: "Director",
      });
      // The endpoint the resources carry: the emulator, the admin and customer, the token URL;
      // never the key.
      expect(apiUrl).toBe(
        `${emu.url}#admin=admin%40acme.com&customer=my_customer&token=` +
          encodeURIComponent(emu.tokenUrl),
      );
      expect(__provider).toBeUndefined(); // a plugin resource: no serialized provider
      expect(step("acme-group-info")).toMatchObject({
        localPart: "info",
        members: ["ali@acme.com", "zhangsan@acme.com"],
      });
      expect(step("acme-zone-file")?.content).toBe(ZONE);
      expect(emu.count()).toBe(0); // a preview of creates reads nothing
    },
    LONG,
  );

  it(
    "2. up creates the users and groups at the emulator, then a refreshing preview is clean",
    async () => {
      await up();
      expect(users()).toEqual(USERS);
      expect(groups()).toEqual(GROUPS);
      for (const [key, plain] of Object.entries(PASSWORDS)) {
        const stored = emu.passwordOf(`${key}@acme.com`)!;
        expect(stored.hashFunction).toBe("crypt");
        expect(opensslCrypt(stored.password, plain)).toBe(stored.password);
      }
      // The service account acted as the admin (JWT sub), with the Directory scopes.
      expect(new Set(emu.grants.map((g) => `${g.iss as string} as ${g.sub as string}`))).toEqual(
        new Set([`${SERVICE_ACCOUNT} as ${ADMIN}`]),
      );
      created = ids();
      const again = await preview(["--refresh"]);
      expect(changes(again.steps).filter((c) => !c.startsWith("refresh"))).toEqual([]);
      expect(again.changeSummary).toEqual({ same: 9 });
    },
    LONG,
  );

  it(
    "3. a display name change previews as exactly one update and is one PUT of the user",
    async () => {
      await ws.ok(["config", "set", "aliName", "Ali Alavi-Rostami"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual(["update Mailbox acme-mailbox-ali"]);
      expect(p.changeSummary).toEqual({ same: 8, update: 1 });
      expect(updatedInputs(p.steps)).toEqual({
        "acme-mailbox-ali": { name: ["Ali Alavi", "Ali Alavi-Rostami"] },
      });
      emu.resetLog();
      await up();
      expect(writes()).toEqual({ "PUT /users/:userKey": 1 });
      expect(users()).toEqual([
        ali({ givenName: "Ali", familyName: "Alavi-Rostami", displayName: "Ali Alavi-Rostami" }),
        ...USERS.slice(1),
      ]);
      expect(ids()).toEqual(created);
      expect((await preview()).changeSummary).toEqual({ same: 9 });
    },
    LONG,
  );

  it(
    "4. a local-part rename is an update in place: the same Google user, the old address kept as an alias",
    async () => {
      await ws.ok(["config", "set", "zhangsanLocalPart", "san.zhang"]);
      const p = await preview();
      // An update, not a replace: Google renames a user in place (renameInPlace).
      expect(changes(p.steps)).toEqual([
        "update MailGroup acme-group-info",
        "update Mailbox acme-mailbox-zhangsan",
      ]);
      expect(p.changeSummary).toEqual({ same: 7, update: 2 });
      expect(p.steps.flatMap((s) => s.replaceReasons ?? [])).toEqual([]);
      expect(updatedInputs(p.steps)).toEqual({
        "acme-group-info": {
          members: [
            ["ali@acme.com", "zhangsan@acme.com"],
            ["ali@acme.com", "san.zhang@acme.com"],
          ],
        },
        "acme-mailbox-zhangsan": { localPart: ["zhangsan", "san.zhang"] },
      });
      emu.resetLog();
      await up();
      // One PUT of primaryEmail; the old address stays as an alias, as Google keeps it (mail to
      // it still arrives). Google holds memberships by user id: the group already lists the new
      // address, so its update (a diff of members) writes nothing.
      expect(writes()).toEqual({ "PUT /users/:userKey": 1 });
      expect(lagged()).toEqual({});
      const renamed = {
        ...person("san.zhang@acme.com", "Zhang", "San", "Sales"),
        aliases: ["zhangsan@acme.com"],
      };
      expect(users()).toEqual([
        ali({ givenName: "Ali", familyName: "Alavi-Rostami", displayName: "Ali Alavi-Rostami" }),
        ...USERS.slice(1, 3),
        renamed,
      ]);
      // The same Google user (its id), so its mail and password stay.
      const { "zhangsan@acme.com": zhangsanId, ...others } = created;
      expect(ids()).toEqual({ ...others, "san.zhang@acme.com": zhangsanId });
      expect(emu.user("zhangsan@acme.com")?.primaryEmail).toBe("san.zhang@acme.com");
      expect(opensslCrypt(emu.passwordOf("san.zhang@acme.com")!.password, PASSWORDS.zhangsan)).toBe(
        emu.passwordOf("san.zhang@acme.com")!.password,
      );
      expect(groups()).toEqual({
        ...GROUPS,
        "info@acme.com": { name: "info", members: ["ali@acme.com", "san.zhang@acme.com"] },
      });
      const state = await exportState();
      expect(state.get("acme-mailbox-zhangsan")?.outputs).toMatchObject({
        localPart: "san.zhang",
        address: "san.zhang@acme.com",
        aliases: [],
      });
      expect((await preview()).changeSummary).toEqual({ same: 9 });
    },
    LONG,
  );

  it(
    "5. removing a mailbox suspends the user: still there, same id, nothing else written",
    async () => {
      const before = users();
      await ws.ok(["config", "set", "--path", "removed[0]", "omar"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual(["delete Mailbox acme-mailbox-omar"]);
      expect(p.changeSummary).toEqual({ delete: 1, same: 8 });
      emu.resetLog();
      await up();
      expect(writes()).toEqual({ "PUT /users/:userKey": 1 });
      expect(users()).toEqual(
        before.map((u) => (u.primaryEmail === "omar@acme.com" ? { ...u, suspended: true } : u)),
      );
      expect(emu.user("omar@acme.com")?.id).toBe(created["omar@acme.com"]);
      expect(emu.passwordOf("omar@acme.com")?.hashFunction).toBe("crypt");
      expect((await exportState()).has("acme-mailbox-omar")).toBe(false);
      expect((await preview()).changeSummary).toEqual({ same: 8 });
    },
    LONG,
  );

  it(
    "6. refresh picks up a change made directly in Google; up puts the declaration back",
    async () => {
      const before = users();
      emu.patchUser("maria@acme.com", {
        name: {
          givenName: "Maria",
          familyName: "G.",
          fullName: "Maria G.",
          displayName: "Maria G.",
        },
        suspended: true,
      });
      emu.resetLog();
      const r = await ws.json<PreviewJson>(["refresh", "--preview-only", "--non-interactive"]);
      expect(r.changeSummary).toEqual({ same: 7, update: 1 });
      // What users see: the changed fields, read from Google, against the state.
      const text = await ws.run([
        "refresh",
        "--preview-only",
        "--diff",
        "--color",
        "never",
        "--non-interactive",
      ]);
      expect(
        text.stdout
          .split("\n")
          .filter((l) => /^\s*~ /.test(l))
          .map((l) => l.trim().replace(/\s+:/, ":")),
      ).toEqual([
        "~ mailplane:index:Mailbox: (update)",
        '~ name: "Maria Garcia" => "Maria G."',
        "~ suspended: false => true",
        "~ 1 to update",
      ]);
      await ws.ok(["refresh", "--yes", "--skip-preview", "--non-interactive", "--color", "never"]);
      expect(writes()).toEqual({}); // a refresh only reads
      const state = await exportState();
      expect(state.get("acme-mailbox-maria")?.outputs).toMatchObject({
        name: "Maria G.",
        suspended: true,
      });
      expect(state.get("acme-mailbox-ali")?.outputs).toMatchObject({
        name: "Ali Alavi-Rostami",
        suspended: false,
      });
      const p = await preview();
      expect(changes(p.steps)).toEqual(["update Mailbox acme-mailbox-maria"]);
      expect(p.changeSummary).toEqual({ same: 7, update: 1 });
      emu.resetLog();
      await up();
      expect(writes()).toEqual({ "PUT /users/:userKey": 1 });
      expect(users()).toEqual(before);
      expect(emu.user("maria@acme.com")?.id).toBe(created["maria@acme.com"]);
      const again = await preview(["--refresh"]);
      expect(again.changeSummary).toEqual({ same: 8 });
    },
    LONG,
  );

  it(
    "6b. require2fa outside a mapped org unit fails at preview and changes nothing; profiles place users in org units, isEnforcedIn2Sv is an output; a shared mailbox is a collaborative inbox",
    async () => {
      emu.putOrgUnit("/Staff");
      emu.putOrgUnit("/Staff/Executives", { enforce2Sv: true });
      // zhangsan declares require2fa with no profile: refused at preview, nothing written.
      await ws.ok(["config", "set", "twoStep", JSON.stringify(["zhangsan"])]);
      emu.resetLog();
      const refused = await ws.run(["preview", "--non-interactive", "--color", "never"]);
      expect(refused.code).not.toBe(0);
      expect(refused.stdout + refused.stderr).toContain(
        'property require2fa value {true} has a problem: mailProvider "googleWorkspace" cannot enforce 2-step verification per user (the Directory API has no such setting) and the mailbox has no profile; give the mailbox a profile that providers.googleWorkspace({ orgUnits }) maps to an org unit',
      );
      expect(writes()).toEqual({});
      await ws.ok(["config", "rm", "twoStep"]);

      const units = { staff: "/Staff", executive: "/Staff/Executives" };
      await ws.ok(["config", "set", "orgUnits", JSON.stringify(units)]);
      await ws.ok([
        "config",
        "set",
        "profileOf",
        JSON.stringify({ ali: "executive", maria: "staff" }),
      ]);
      await ws.ok(["config", "set", "helpdesk", "true"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual([
        "create Mailbox acme-mailbox-helpdesk",
        "update MailGroup acme-group-info",
        "update MailGroup acme-group-support",
        "update Mailbox acme-mailbox-ali",
        "update Mailbox acme-mailbox-maria",
        "update Mailbox acme-mailbox-zhangsan",
      ]);
      const updated = updatedInputs(p.steps);
      expect(Object.keys(updated["acme-mailbox-ali"]!).sort()).toEqual([
        "apiUrl",
        "profile",
        "require2fa",
      ]);
      expect(updated["acme-mailbox-ali"]!.profile).toEqual([undefined, "executive"]);
      expect(Object.keys(updated["acme-mailbox-zhangsan"]!)).toEqual(["apiUrl"]);
      emu.resetLog();
      await up();
      // The org units travel in the endpoint: resources whose only change is apiUrl write nothing.
      expect(writes()).toEqual({
        "PUT /users/:userKey": 2,
        "POST /groups": 1,
        "POST /groups/:groupKey/members": 2,
        "PATCH /groups/v1/groups/:groupEmail": 1,
      });
      const unit = (a: string) => [emu.user(a)!.orgUnitPath, emu.user(a)!.isEnforcedIn2Sv];
      expect(unit("ali@acme.com")).toEqual(["/Staff/Executives", true]);
      expect(unit("maria@acme.com")).toEqual(["/Staff", false]);
      expect(unit("san.zhang@acme.com")).toEqual(["/", false]);
      expect(groups()["helpdesk@acme.com"]).toEqual({
        name: "Help Desk",
        members: ["ali@acme.com", "maria@acme.com"],
      });
      expect(emu.groupSettings("helpdesk@acme.com")).toMatchObject({
        enableCollaborativeInbox: "true",
        whoCanPostMessage: "ANYONE_CAN_POST",
      });
      const state = await exportState();
      expect(state.get("acme-mailbox-ali")?.outputs).toMatchObject({ twoFactorEnforced: true });
      expect(state.get("acme-mailbox-maria")?.outputs).toMatchObject({ twoFactorEnforced: false });
      expect((await preview()).changeSummary).toEqual({ same: 9 });

      // Removing the shared mailbox suspends it: the group and its archive stay, no new mail.
      await ws.ok(["config", "set", "helpdesk", "false"]);
      emu.resetLog();
      await up();
      expect(writes()).toEqual({ "PATCH /groups/v1/groups/:groupEmail": 1 });
      expect(emu.groupSettings("helpdesk@acme.com")).toMatchObject({
        archiveOnly: "true",
        whoCanPostMessage: "NONE_CAN_POST",
      });
      expect(groups()["helpdesk@acme.com"]?.members).toEqual(["ali@acme.com", "maria@acme.com"]);
    },
    LONG,
  );

  it(
    "7. the state and the stack config hold no password and no part of the service account key",
    async () => {
      const exported = await ws.ok(["stack", "export"]);
      const config = readFileSync(path.join(PROJECT, `Pulumi.${STACK}.yaml`), "utf8");
      const keyLines = privatePem.split("\n").filter((l) => l.length > 0 && !l.startsWith("-----"));
      for (const secret of [...Object.values(PASSWORDS), ...keyLines]) {
        expect(exported).not.toContain(secret);
        expect(config).not.toContain(secret);
      }
    },
    LONG,
  );
});
