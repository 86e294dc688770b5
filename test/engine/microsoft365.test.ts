/**
 * The real Pulumi engine on Microsoft 365 (issue 14): `pulumi preview`, `up` and `refresh` of
 * test/engine/fixtures/microsoft365 — contoso.test on the zone-file DNS backend with its accounts
 * at the Microsoft Graph emulator (in this process, on 127.0.0.1; token endpoint included) —
 * against a local file backend in a temp folder. The client secret reaches the program and the
 * dynamic provider only as MICROSOFT365_CLIENT_SECRET in the environment of `pulumi`. Each step
 * is a `pulumi config set`, never a file rewrite.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphEmulator, SKU_E3, SKU_POWER_BI_PRO } from "../emulators/microsoft-graph";
import {
  changedInputs,
  changes,
  nameOf,
  PulumiWorkspace,
  requirePulumi,
  type PreviewJson,
} from "./pulumi-cli";

const PROJECT = path.join(__dirname, "fixtures", "microsoft365");
const DOMAIN = "contoso.test";
const CLIENT_SECRET = "engine~m365~secret~5f0c2a9d7e";
const PASSWORDS = {
  ali: "Ali-initial-Pa55",
  zhangsan: "Zs-initial-Pa55",
  maria: "Mg-initial-Pa55",
};
const LONG = 300_000;
/** Microsoft 365 E5: the licence of the `executive` profile. */
const SKU_E5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
const LICENCES = { default: SKU_E3, executive: SKU_E5 };
/** A stack name of this run: the stack's config file lands in the project folder. */
const STACK = `m365-${process.pid}`;

let emu: GraphEmulator;
let tmp: string;
let ws: PulumiWorkspace;
let zonePath: string;

const preview = (extra: string[] = []): Promise<PreviewJson> => ws.preview(extra);
const up = (): Promise<void> => ws.up();
/** The resources of `pulumi stack export`, by name. */
const exportState = async () => (await ws.exportState()).byName;

/** The requests the emulator served that were not reads (token requests aside). */
const writes = (): string[] =>
  Object.keys(emu.countsByRoute()).filter((r) => !r.startsWith("GET") && !r.includes("token"));

/** Each live user, as the emulator holds it. */
const userSummary = () =>
  emu.listUsers().map((u) => ({
    upn: u.userPrincipalName,
    displayName: u.displayName,
    department: u.department,
    jobTitle: u.jobTitle,
    accountEnabled: u.accountEnabled,
    usageLocation: u.usageLocation,
    mail: u.mail,
    licences: u.assignedLicenses.map((l) => l.skuId),
  }));

beforeAll(async () => {
  // Replication lag on: the first request naming a freshly created user or group misses it (404,
  // or 400 "do not exist" when adding members), as Graph answers right after a create.
  emu = new GraphEmulator({
    domains: [DOMAIN],
    clientSecret: CLIENT_SECRET,
    replicationLag: 1,
    exchangeMailboxLag: 1,
    skus: [
      { skuId: SKU_E3, skuPartNumber: "ENTERPRISEPACK", exchange: true },
      { skuId: SKU_E5, skuPartNumber: "SPE_E5", exchange: true },
      { skuId: SKU_POWER_BI_PRO, skuPartNumber: "POWER_BI_PRO", exchange: false },
    ],
  });
  const graphUrl = await emu.start();
  tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-engine-m365-"));
  zonePath = path.join(tmp, `${DOMAIN}.zone`);
  ws = new PulumiWorkspace(PROJECT, tmp, { MICROSOFT365_CLIENT_SECRET: CLIENT_SECRET });
  await requirePulumi(ws);
  await ws.ok(["stack", "init", STACK, "--non-interactive"]);
  await ws.ok(["config", "set", "zonePath", zonePath]);
  await ws.ok(["config", "set", "graphUrl", graphUrl]);
  await ws.ok(["config", "set", "tenantId", emu.tenantId]);
  await ws.ok(["config", "set", "clientId", emu.clientId]);
  await ws.ok(["config", "set", "--secret", "passwords", JSON.stringify(PASSWORDS)]);
}, LONG);

afterAll(async () => {
  await emu?.stop();
  rmSync(path.join(PROJECT, `Pulumi.${STACK}.yaml`), { force: true });
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

/** A change an admin makes directly in the tenant (the portal, through Graph), not by Mailplane. */
async function adminPatchUser(upn: string, body: Record<string, unknown>): Promise<void> {
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: emu.clientId,
    client_secret: CLIENT_SECRET,
    scope: "https://graph.microsoft.com/.default",
  });
  const t = await fetch(`${emu.url}/${emu.tenantId}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form,
  });
  const { access_token: token } = (await t.json()) as { access_token: string };
  const r = await fetch(`${emu.url}/v1.0/users/${encodeURIComponent(upn)}`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(r.status).toBe(204);
}

/** The SOA serial of a zone file's text. */
function soaSerial(zone: string): string {
  const m = /\tSOA\t\S+ \S+ (\d+) /.exec(zone);
  if (m === null) throw new Error(`no SOA record in:\n${zone}`);
  return m[1]!;
}

/** The planned zone: Microsoft's MX host and MS= value as Graph lists them, DKIM as given. */
const zoneText = (): string => `$ORIGIN contoso.test.
$TTL 3600
@	3600	IN	SOA	ns1.contoso.test. hostmaster.contoso.test. 1 7200 3600 1209600 3600
@	3600	IN	NS	ns1.contoso.test.
@	3600	IN	MX	0 contoso-test.mail.protection.outlook.com.
@	3600	IN	TXT	"MS=${emu.verificationCode(DOMAIN)}"
@	3600	IN	TXT	"v=spf1 include:spf.protection.outlook.com -all"
_dmarc	3600	IN	TXT	"v=DMARC1; p=reject; rua=mailto:dmarc@contoso.test"
selector1._domainkey	3600	IN	CNAME	selector1-contoso-test._domainkey.contoso.onmicrosoft.com.
selector2._domainkey	3600	IN	CNAME	selector2-contoso-test._domainkey.contoso.onmicrosoft.com.
autodiscover	3600	IN	CNAME	autodiscover.outlook.com.
ns1	3600	IN	A	127.0.0.1
`;

/** What Graph answers to read the domain's DNS facts, as the program runs (preview included). */
const DNS_READS = {
  "POST /:tenant/oauth2/v2.0/token": 1,
  "GET /v1.0/domains/:id/serviceConfigurationRecords": 1,
  "GET /v1.0/domains/:id/verificationDnsRecords": 1,
};

const ALI = {
  upn: "ali@contoso.test",
  displayName: "Ali Alavi",
  department: "Management",
  jobTitle: "Director",
  accountEnabled: true,
  usageLocation: "DE",
  mail: "ali@contoso.test",
  licences: [SKU_E3],
};
const MARIA = {
  upn: "maria@contoso.test",
  displayName: "Maria Garcia",
  department: "Support",
  jobTitle: null,
  accountEnabled: true,
  usageLocation: "DE",
  mail: "maria@contoso.test",
  licences: [SKU_E3],
};
const ZHANGSAN = {
  upn: "zhangsan@contoso.test",
  displayName: "Zhang San",
  department: "Sales",
  jobTitle: null,
  accountEnabled: true,
  usageLocation: "DE",
  mail: "zhangsan@contoso.test",
  licences: [SKU_E3],
};
const DELIVERIES = {
  "abuse@contoso.test": ["ali@contoso.test"],
  "dmarc@contoso.test": ["ali@contoso.test"],
  "postmaster@contoso.test": ["ali@contoso.test"],
  "team@contoso.test": ["ali@contoso.test", "zhangsan@contoso.test"],
};
const deliveries = () =>
  Object.fromEntries(Object.entries(emu.groupDeliveries()).sort(([a], [b]) => a.localeCompare(b)));

describe.sequential("the real Pulumi engine on Microsoft 365 (Graph emulator)", () => {
  it(
    "1. preview on an empty stack lists every account and the zone file, reading only Graph's DNS facts",
    async () => {
      const p = await preview();
      expect(changes(p.steps)).toEqual([
        "create MailGroup contoso-group-abuse",
        "create MailGroup contoso-group-dmarc",
        "create MailGroup contoso-group-postmaster",
        "create MailGroup contoso-group-team",
        "create Mailbox contoso-mailbox-ali",
        "create Mailbox contoso-mailbox-maria",
        "create Mailbox contoso-mailbox-zhangsan",
        "create ZoneFile contoso-zone-file",
        "create mailplane:index:MailDomain contoso",
        `create pulumi:pulumi:Stack mailplane-engine-microsoft365-${STACK}`,
      ]);
      expect(p.changeSummary).toEqual({ create: 10 });
      // The MX host and the MS= value come from Graph (the binding was given no mx).
      const zone = p.steps.find((s) => nameOf(s.urn) === "contoso-zone-file")!;
      expect(zone.newState?.inputs).toMatchObject({ path: zonePath, content: zoneText() });
      const ali = p.steps.find((s) => nameOf(s.urn) === "contoso-mailbox-ali")!;
      expect(ali.newState?.inputs).toMatchObject({
        mailProvider: "microsoft365",
        domain: DOMAIN,
        localPart: "ali",
        name: "Ali Alavi",
        department: "Management",
        title: "Director",
        aliases: [],
        onDelete: "suspend",
        password: "[secret]",
      });
      // The endpoint locator names the emulator, never the secret.
      const locator = String(ali.newState?.inputs?.apiUrl);
      expect(locator).toBe(
        `microsoft365:?tenant=${emu.tenantId}&client=${emu.clientId}&domain=contoso.test` +
          `&usageLocation=DE&licences=${encodeURIComponent(JSON.stringify(LICENCES))}` +
          `&api=${encodeURIComponent(`${emu.url}/v1.0`)}&authority=${encodeURIComponent(emu.url)}`,
      );
      expect(JSON.stringify(p)).not.toContain(CLIENT_SECRET);
      // A preview reads the domain's records and writes nothing.
      expect(emu.countsByRoute()).toEqual(DNS_READS);
      expect(emu.listUsers()).toEqual([]);
    },
    LONG,
  );

  it(
    "2. up creates licensed users and Microsoft 365 groups at the emulator, and the zone file",
    async () => {
      emu.resetLog();
      await up();
      const written = readFileSync(zonePath, "utf8");
      const serial = soaSerial(written);
      expect(serial).toMatch(/^\d{8}01$/);
      expect(written).toBe(zoneText().replace(" 1 7200 ", ` ${serial} 7200 `));
      expect(userSummary()).toEqual([ALI, MARIA, ZHANGSAN]);
      expect(emu.passwordOf("ali@contoso.test")).toEqual({
        password: PASSWORDS.ali,
        forceChange: false,
      });
      expect(emu.passwordOf("zhangsan@contoso.test")).toEqual({
        password: PASSWORDS.zhangsan,
        forceChange: true,
      });
      expect(emu.passwordOf("maria@contoso.test")).toEqual({
        password: PASSWORDS.maria,
        forceChange: false,
      });
      expect(deliveries()).toEqual(DELIVERIES);
      expect(
        emu
          .listGroups()
          .map((g) => [g.mailNickname, g.groupTypes, g.mailEnabled, g.securityEnabled])
          .sort(),
      ).toEqual([
        ["abuse", ["Unified"], true, false],
        ["dmarc", ["Unified"], true, false],
        ["postmaster", ["Unified"], true, false],
        ["team", ["Unified"], true, false],
      ]);
      // Each user created once, then licensed; each group created once, then its members added
      // in one $batch. The replication lag misses each fresh object once (3 users at their
      // licence, 4 groups at their members): those requests are sent again, never the creates.
      const counts = emu.countsByRoute();
      expect(writes().map((r) => [r, counts[r]])).toEqual([
        ["POST /v1.0/users", 3],
        ["POST /v1.0/users/:id/assignLicense", 6],
        ["POST /v1.0/groups", 4],
        ["POST /v1.0/$batch", 8],
      ]);
      expect(emu.laggedAnswers).toBe(7);
      // team's batch of 2 misses only its first member add: the retry sends that one alone.
      expect([...emu.batchSizes].sort()).toEqual([1, 1, 1, 1, 1, 1, 1, 2]);
      // Converged: a refreshing preview finds nothing to do.
      const again = await preview(["--refresh"]);
      expect(changes(again.steps).filter((c) => !c.startsWith("refresh"))).toEqual([]);
      expect(again.changeSummary).toEqual({ same: 10 });
    },
    LONG,
  );

  it(
    "3. a declared alias is refused at preview with a clear message, and nothing is written",
    async () => {
      await ws.ok(["config", "set", "aliAliases", JSON.stringify(["ali.alavi"])]);
      try {
        emu.resetLog();
        const stateBefore = await ws.ok(["stack", "export"]);
        const message =
          "MailDomain contoso: mailboxes.ali.aliases: secondary addresses (aliases) live in " +
          "Exchange Online, which Microsoft Graph cannot write; set exchange: { invokeCommand: " +
          "true } on providers.microsoft365 to manage them through Exchange Online's admin " +
          "route (undocumented by Microsoft: see the provider README), or remove them";
        const r = await ws.run(["preview", "--diff", "--color", "never", "--non-interactive"]);
        expect(r.code).toBe(1);
        expect(`${r.stdout}${r.stderr}`).toContain(message);
        const u = await ws.run(["up", "--yes", "--non-interactive", "--color", "never"]);
        expect(u.code).toBe(1);
        expect(`${u.stdout}${u.stderr}`).toContain(message);
        // Refused while the program runs: not one request reached Graph, not even a read.
        expect(emu.countsByRoute()).toEqual({});
        expect(userSummary()).toEqual([ALI, MARIA, ZHANGSAN]);
        expect(deliveries()).toEqual(DELIVERIES);
        expect(await ws.ok(["stack", "export"])).toBe(stateBefore);
      } finally {
        await ws.ok(["config", "rm", "aliAliases"]);
      }
    },
    LONG,
  );

  it(
    "4. a field change previews as one update and is applied with one PATCH",
    async () => {
      await ws.ok(["config", "set", "aliDepartment", "Finance"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual(["update Mailbox contoso-mailbox-ali"]);
      expect(p.changeSummary).toEqual({ same: 9, update: 1 });
      const ali = p.steps.find((s) => s.op === "update")!;
      expect(changedInputs(ali)).toEqual({ department: ["Management", "Finance"] });
      emu.resetLog();
      await up();
      expect(writes()).toEqual(["PATCH /v1.0/users/:id"]);
      expect(emu.count("PATCH /v1.0/users/:id")).toBe(1);
      expect(userSummary()).toEqual([{ ...ALI, department: "Finance" }, MARIA, ZHANGSAN]);
      expect((await preview()).changeSummary).toEqual({ same: 10 });
    },
    LONG,
  );

  it(
    "5. removing a mailbox disables the account: accountEnabled false, still there, licensed",
    async () => {
      await ws.ok(["config", "set", "--path", "removed[0]", "maria"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual(["delete Mailbox contoso-mailbox-maria"]);
      expect(p.changeSummary).toEqual({ delete: 1, same: 9 });
      emu.resetLog();
      await up();
      expect(writes()).toEqual(["PATCH /v1.0/users/:id"]);
      expect(userSummary()).toEqual([
        { ...ALI, department: "Finance" },
        { ...MARIA, accountEnabled: false },
        ZHANGSAN,
      ]);
      expect(emu.deletedUsers()).toEqual([]);
      expect((await exportState()).has("contoso-mailbox-maria")).toBe(false);
      expect((await preview()).changeSummary).toEqual({ same: 9 });
    },
    LONG,
  );

  it(
    "6. refresh picks up a change made directly in the tenant; the next up puts the code back",
    async () => {
      await adminPatchUser("ali@contoso.test", { displayName: "Ali A. (portal)" });
      const r = await ws.json<PreviewJson>(["refresh", "--preview-only", "--non-interactive"]);
      expect(r.changeSummary).toEqual({ same: 8, update: 1 });
      const d = await ws.run([
        "refresh",
        "--preview-only",
        "--diff",
        "--color",
        "never",
        "--non-interactive",
      ]);
      expect(d.code).toBe(0);
      // What users see: ali's block, the one changed field marked.
      const marked = d.stdout
        .split("\n")
        .filter((l) => /^\s*[-+~] /.test(l))
        .map((l) => l.trim().replace(/\s+/g, " "));
      expect(marked).toEqual([
        "~ mailplane:index:Mailbox: (update)",
        '~ name: "Ali Alavi" => "Ali A. (portal)"',
        "~ 1 to update",
      ]);
      expect(d.stdout).toContain("[id=microsoft365/contoso.test/ali]");
      await ws.ok(["refresh", "--yes", "--skip-preview", "--non-interactive", "--color", "never"]);
      expect((await exportState()).get("contoso-mailbox-ali")?.outputs?.name).toBe(
        "Ali A. (portal)",
      );
      const p = await preview();
      expect(changes(p.steps)).toEqual(["update Mailbox contoso-mailbox-ali"]);
      expect(p.changeSummary).toEqual({ same: 8, update: 1 });
      emu.resetLog();
      await up();
      expect(writes()).toEqual(["PATCH /v1.0/users/:id"]);
      expect(userSummary()).toEqual([
        { ...ALI, department: "Finance" },
        { ...MARIA, accountEnabled: false },
        ZHANGSAN,
      ]);
      expect((await preview(["--refresh"])).changeSummary).toEqual({ same: 9 });
    },
    LONG,
  );

  it(
    "7. a licence change by profile previews as one update and is one assignLicense",
    async () => {
      await ws.ok(["config", "set", "aliProfile", "executive"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual(["update Mailbox contoso-mailbox-ali"]);
      expect(p.changeSummary).toEqual({ same: 8, update: 1 });
      expect(changedInputs(p.steps.find((s) => s.op === "update")!)).toEqual({
        profile: [undefined, "executive"],
      });
      emu.resetLog();
      await up();
      // E5 added and E3 (managed: a licence of another profile) removed in one call.
      expect(writes()).toEqual(["POST /v1.0/users/:id/assignLicense"]);
      expect(emu.count("POST /v1.0/users/:id/assignLicense")).toBe(1);
      expect(emu.user("ali@contoso.test")!.assignedLicenses.map((l) => l.skuId)).toEqual([SKU_E5]);
      expect((await preview(["--refresh"])).changeSummary).toEqual({ same: 9 });
    },
    LONG,
  );

  it(
    "8. with exchange: { invokeCommand: true } the refused alias is applied through Exchange",
    async () => {
      await ws.ok(["config", "set", "exchange", "true"]);
      await ws.ok(["config", "set", "aliAliases", JSON.stringify(["ali.alavi"])]);
      const p = await preview();
      // Every account now carries the opt-in in its locator; ali also gains the alias.
      expect(changes(p.steps)).toEqual([
        "update MailGroup contoso-group-abuse",
        "update MailGroup contoso-group-dmarc",
        "update MailGroup contoso-group-postmaster",
        "update MailGroup contoso-group-team",
        "update Mailbox contoso-mailbox-ali",
        "update Mailbox contoso-mailbox-zhangsan",
      ]);
      const ali = p.steps.find((s) => nameOf(s.urn) === "contoso-mailbox-ali")!;
      expect(changedInputs(ali).aliases).toEqual([[], ["ali.alavi"]]);
      expect(String(ali.newState?.inputs?.apiUrl)).toContain(
        "&exchange=invokeCommand&exchangeApi=",
      );
      expect(emu.exchange.invoked).toEqual([]);
      emu.resetLog();
      await up();
      expect(emu.user("ali@contoso.test")!.proxyAddresses).toEqual([
        "SMTP:ali@contoso.test",
        "smtp:ali.alavi@contoso.test",
      ]);
      // ali's mailbox was never named by a cmdlet since Exchange provisioned it: the emulator's
      // provisioning lag (1) misses the first Set-Mailbox, which is sent once more.
      const set = {
        cmdlet: "Set-Mailbox",
        parameters: {
          Identity: "ali@contoso.test",
          EmailAddresses: {
            "@odata.type": "#Exchange.GenericHashTable",
            Add: ["smtp:ali.alavi@contoso.test"],
          },
        },
      };
      expect(emu.exchange.invoked.filter((c) => c.cmdlet === "Set-Mailbox")).toEqual([set, set]);
      expect(emu.exchange.laggedAnswers).toBe(1);
      // Graph was written nothing: the alias is Exchange's.
      expect(writes().filter((r) => r.startsWith("PATCH") || r.includes("/users"))).toEqual([]);
      expect(userSummary()).toEqual([
        { ...ALI, department: "Finance", licences: [SKU_E5] },
        { ...MARIA, accountEnabled: false },
        ZHANGSAN,
      ]);
      // Refresh reads the alias back (Graph's proxyAddresses): nothing to do.
      expect((await preview(["--refresh"])).changeSummary).toEqual({ same: 9 });
    },
    LONG,
  );

  it(
    "9. a shared mailbox with its readers, and require2fa through a Conditional Access policy",
    async () => {
      await ws.ok(["config", "set", "sharedInfo", "true"]);
      await ws.ok(["config", "set", "mfa", "true"]);
      const p = await preview();
      expect(changes(p.steps)).toEqual([
        "create Mailbox contoso-mailbox-info",
        "update MailGroup contoso-group-abuse",
        "update MailGroup contoso-group-dmarc",
        "update MailGroup contoso-group-postmaster",
        "update MailGroup contoso-group-team",
        "update Mailbox contoso-mailbox-ali",
        "update Mailbox contoso-mailbox-zhangsan",
      ]);
      const zs = p.steps.find((s) => nameOf(s.urn) === "contoso-mailbox-zhangsan")!;
      expect(changedInputs(zs).require2fa).toEqual([false, true]);
      const info = p.steps.find((s) => nameOf(s.urn) === "contoso-mailbox-info")!;
      expect(info.newState?.inputs).toMatchObject({
        localPart: "info",
        shared: true,
        members: ["ali@contoso.test", "zhangsan@contoso.test"],
      });
      emu.resetLog();
      await up();
      expect(emu.exchange.mailbox("info@contoso.test")).toMatchObject({
        RecipientTypeDetails: "SharedMailbox",
      });
      expect(emu.exchange.readers("info@contoso.test")).toEqual([
        "ali@contoso.test",
        "zhangsan@contoso.test",
      ]);
      const mfaGroup = emu.listGroups().filter((g) => g.securityEnabled && !g.mailEnabled);
      expect(mfaGroup.map((g) => g.mailNickname)).toEqual(["mailplane-require-mfa"]);
      expect(emu.memberUpns(mfaGroup[0]!.id)).toEqual(["zhangsan@contoso.test"]);
      expect(emu.listPolicies().map((x) => [x.displayName, x.state])).toEqual([
        ["Mailplane: require multi-factor authentication", "enabled"],
      ]);
      // The shared mailbox is a user without licence whose sign-in stays blocked.
      expect(emu.user("info@contoso.test")).toMatchObject({
        accountEnabled: false,
        assignedLicenses: [],
      });
      const state = await exportState();
      expect(state.get("contoso-mailbox-zhangsan")?.outputs?.twoFactorEnforced).toBe(true);
      expect((await preview(["--refresh"])).changeSummary).toEqual({ same: 10 });
    },
    LONG,
  );

  it(
    "10. the exported state and the stack config hold no password and no client secret",
    async () => {
      const exported = await ws.ok(["stack", "export"]);
      const config = readFileSync(path.join(PROJECT, `Pulumi.${STACK}.yaml`), "utf8");
      for (const secret of [...Object.values(PASSWORDS), CLIENT_SECRET]) {
        expect(exported).not.toContain(secret);
        expect(config).not.toContain(secret);
      }
    },
    LONG,
  );
});
