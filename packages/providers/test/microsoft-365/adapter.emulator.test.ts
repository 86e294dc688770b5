/**
 * What the Microsoft 365 adapter does that the contract suite does not see: token caching and
 * renewal, paging, `$batch` splitting and an inner 429, licence assignment order and licences
 * by profile, refusals of what only Exchange can do. Counts come from the Graph emulator's log.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SKU_E3, SKU_POWER_BI_PRO } from "../../../../test/emulators/microsoft-graph";
import { failure, graphSetup, person, type GraphSetup } from "./harness";

const TOKEN = "POST /:tenant/oauth2/v2.0/token";
const SKU_E5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";

let s: GraphSetup | undefined;
afterEach(async () => {
  await s?.emu.stop();
  s = undefined;
});

const routes = (setup: GraphSetup): string[] =>
  setup.emu.log.filter((r) => r.route !== TOKEN).map((r) => r.route);

describe("microsoft365 tokens", () => {
  it("requests one token for many calls, concurrent or not", async () => {
    s = await graphSetup();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => s!.provider.createMailbox(person(`p${i}`))),
    );
    for (let i = 0; i < 10; i++)
      await s.provider.updateMailbox("acme.test", `p${i}`, { name: "N" });
    expect(s.emu.count(TOKEN)).toBe(1);
    expect(s.emu.count("POST /v1.0/users")).toBe(20);
    expect(s.emu.count("PATCH /v1.0/users/:id")).toBe(10);
    expect(s.provider.client.tokens.tokenRequests).toBe(1);
  });

  it("renews the token before it expires: Graph never sees an expired one", async () => {
    // MSAL rounds the issue time to a second: the expiry it reports is 3.5–4.5 s away.
    s = await graphSetup({ refreshBeforeExpiryMs: 2_000 }, { tokenLifetimeSeconds: 4 });
    await s.provider.listMailboxes("acme.test");
    await s.provider.listMailboxes("acme.test"); // more than 2 s left: the cached token
    expect(s.emu.count(TOKEN)).toBe(1);
    await new Promise((r) => setTimeout(r, 2_600)); // less than 2 s left: renewed before use
    await s.provider.listMailboxes("acme.test");
    expect(s.emu.count(TOKEN)).toBe(2);
    expect(s.emu.expiredTokenUses).toBe(0);
  });

  it("gets a new token once when Graph rejects a revoked one", async () => {
    s = await graphSetup();
    await s.provider.listMailboxes("acme.test");
    s.emu.tokens.clear(); // revoked: Graph answers 401 InvalidAuthenticationToken
    expect(await s.provider.listMailboxes("acme.test")).toEqual([]);
    expect(s.emu.count(TOKEN)).toBe(2);
    expect(s.emu.log.filter((r) => r.route === "GET /v1.0/users").map((r) => r.status)).toEqual([
      200, 401, 200,
    ]);
  });

  it("reports a wrong client secret as Auth, naming the app and never the secret", async () => {
    s = await graphSetup({ clientSecret: "wrong~secret~value~42" });
    const e = await failure(s.provider.listMailboxes("acme.test"));
    expect((e as { kind?: string }).kind).toBe("Auth");
    expect(e.message).toContain(
      `microsoft365 token: the identity platform refused the client credentials of app ${s.emu.clientId} in tenant ${s.emu.tenantId}: invalid_client`,
    );
    expect(e.message).toContain("AADSTS7000215: Invalid client secret provided.");
    expect(JSON.stringify({ m: e.message, e })).not.toContain("wrong~secret~value~42");
    expect(s.emu.count("GET /v1.0/users")).toBe(0);
  });

  it("reads the client secret when the first request is sent, not when built", async () => {
    let secret = "";
    s = await graphSetup({ clientSecret: () => secret });
    secret = "contract~secret~0123456789abcdef";
    expect(await s.provider.listMailboxes("acme.test")).toEqual([]);
  });
});

describe("microsoft365 reads", () => {
  it("follows @odata.nextLink: 25 mailboxes in pages of 10 are three requests", async () => {
    s = await graphSetup();
    for (let i = 0; i < 25; i++)
      s.emu.putUser(`u${String(i).padStart(2, "0")}@acme.test`, `U ${i}`, SKU_E3);
    s.emu.putUser("unlicensed@acme.test", "No mailbox");
    s.emu.putUser("bi@acme.test", "No Exchange", SKU_POWER_BI_PRO);
    const list = await s.provider.listMailboxes("acme.test");
    expect(list.map((m) => m.localPart)).toEqual(
      Array.from({ length: 25 }, (_, i) => `u${String(i).padStart(2, "0")}`),
    );
    expect(s.emu.count("GET /v1.0/users")).toBe(3);
  });

  it("serves a refresh of 2,500 mailboxes from one paged list: 3 requests, not 2,500", async () => {
    s = await graphSetup({ readCacheTtlMs: 60_000 }, { maxPageSize: 999 });
    for (let i = 0; i < 2_500; i++) s.emu.putUser(`u${i}@acme.test`, `U ${i}`, SKU_E3);
    const got = await Promise.all(
      Array.from({ length: 2_500 }, (_, i) => s!.provider.getMailbox("acme.test", `u${i}`)),
    );
    expect(got.filter((m) => m?.localPart.startsWith("u")).length).toBe(2_500);
    expect(await s.provider.getMailbox("acme.test", "nobody")).toBeUndefined();
    expect(s.emu.count("GET /v1.0/users")).toBe(3);
    expect(s.emu.count("GET /v1.0/users/:id")).toBe(0);
  });

  it("writes through the cached list: a created, renamed or deleted mailbox reads back at once", async () => {
    s = await graphSetup({ readCacheTtlMs: 60_000 });
    expect(await s.provider.listMailboxes("acme.test")).toEqual([]);
    await s.provider.createMailbox(person("omar"));
    expect((await s.provider.getMailbox("acme.test", "omar"))?.name).toBe("Person omar");
    await s.provider.renameMailbox("acme.test", "omar", "omar.h");
    expect(await s.provider.getMailbox("acme.test", "omar")).toBeUndefined();
    expect((await s.provider.getMailbox("acme.test", "omar.h"))?.localPart).toBe("omar.h");
    await s.provider.deleteMailbox("acme.test", "omar.h");
    expect(await s.provider.listMailboxes("acme.test")).toEqual([]);
    expect(s.emu.count("GET /v1.0/users")).toBe(1);
  });

  it("waits out a 429's Retry-After and then succeeds", async () => {
    s = await graphSetup();
    s.emu.inject({
      kind: "status",
      status: 429,
      method: "GET",
      route: "/v1.0/users",
      headers: { "retry-after": "1" },
      body: { error: { code: "TooManyRequests", message: "Too many requests." } },
    });
    const t0 = performance.now();
    expect(await s.provider.listMailboxes("acme.test")).toEqual([]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(950);
    expect(s.emu.count("GET /v1.0/users")).toBe(2);
  });
});

describe("microsoft365 mailboxes", () => {
  it("creates the user with usageLocation, then assigns the licence: in that order", async () => {
    s = await graphSetup();
    const m = await s.provider.createMailbox(
      person("ali", { department: "Sales", title: "Lead", changePasswordAtNextLogin: true }),
    );
    expect(m).toEqual({
      domain: "acme.test",
      localPart: "ali",
      name: "Person ali",
      suspended: false,
      aliases: [],
      forwardTo: [],
      department: "Sales",
      title: "Lead",
    });
    expect(routes(s)).toEqual(["POST /v1.0/users", "POST /v1.0/users/:id/assignLicense"]);
    const u = s.emu.user("ali@acme.test")!;
    expect(u.usageLocation).toBe("DE");
    expect(u.assignedLicenses).toEqual([{ skuId: SKU_E3, disabledPlans: [] }]);
    expect(u.mail).toBe("ali@acme.test");
    expect(s.emu.passwordOf("ali@acme.test")).toEqual({
      password: "Pw-ali-0123456789",
      forceChange: true,
    });
  });

  it("licenses an identical unlicensed user it adopts: usageLocation first, then the licence", async () => {
    s = await graphSetup();
    s.emu.putUser("omar@acme.test", "Person omar");
    await s.provider.createMailbox(person("omar"));
    expect(routes(s)).toEqual([
      "POST /v1.0/users",
      "GET /v1.0/users/:id",
      "PATCH /v1.0/users/:id",
      "POST /v1.0/users/:id/assignLicense",
    ]);
    expect(s.emu.user("omar@acme.test")!.usageLocation).toBe("DE");
    expect(s.emu.passwordOf("omar@acme.test")!.password).toBe("set-by-admin");
  });

  it("waits out replication lag after a create, never creating twice", async () => {
    s = await graphSetup({}, { replicationLag: 2 });
    await s.provider.createMailbox(person("ali"));
    expect(s.emu.laggedAnswers).toBe(2);
    expect(s.emu.count("POST /v1.0/users")).toBe(1);
    expect(s.emu.count("POST /v1.0/users/:id/assignLicense")).toBe(3);
    expect(s.emu.user("ali@acme.test")!.mail).toBe("ali@acme.test");
    // An answer lost after the create, then lag on the read-back: adopted, still one user.
    s.emu.inject({ kind: "drop", when: "after", method: "POST", route: "/v1.0/users" });
    await s.provider.createMailbox(person("omar"));
    expect(s.emu.listUsers().map((u) => u.userPrincipalName)).toEqual([
      "ali@acme.test",
      "omar@acme.test",
    ]);
    expect(s.emu.count("POST /v1.0/users")).toBe(3);
  });

  it("gives up on a user that never appears after replicationWaitMs, with Graph's 404", async () => {
    s = await graphSetup({ replicationWaitMs: 600 }, { replicationLag: 50 });
    const e = await failure(s.provider.createMailbox(person("ali")));
    expect((e as { kind?: string }).kind).toBe("NotFound");
    expect(e.message).toMatch(
      /^microsoft365 createMailbox failed: NotFound \(HTTP 404\): Request_ResourceNotFound: Resource '[0-9a-f-]{36}' does not exist/,
    );
    // Tries at 0 and 250 ms; the next wait (500 ms) would pass the 600 ms budget.
    expect(s.emu.count("POST /v1.0/users/:id/assignLicense")).toBe(2);
    expect(s.emu.count("POST /v1.0/users")).toBe(1);
  });

  it("assigns the licence of the mailbox's profile, else the default one", async () => {
    s = await graphSetup(
      { licences: { default: SKU_E3, executive: SKU_E5 } },
      {
        skus: [
          { skuId: SKU_E3, skuPartNumber: "ENTERPRISEPACK", exchange: true },
          { skuId: SKU_E5, skuPartNumber: "ENTERPRISEPREMIUM", exchange: true },
        ],
      },
    );
    await s.provider.createMailbox(person("ceo", { profile: "executive" }));
    await s.provider.createMailbox(person("staff", { profile: "staff" }));
    expect(s.emu.user("ceo@acme.test")!.assignedLicenses.map((l) => l.skuId)).toEqual([SKU_E5]);
    expect(s.emu.user("staff@acme.test")!.assignedLicenses.map((l) => l.skuId)).toEqual([SKU_E3]);
  });

  it("moves a mailbox to its new profile's licence in one call, keeping unmanaged licences", async () => {
    s = await graphSetup(
      { licences: { default: SKU_E3, executive: SKU_E5 } },
      {
        skus: [
          { skuId: SKU_E3, skuPartNumber: "ENTERPRISEPACK", exchange: true },
          { skuId: SKU_E5, skuPartNumber: "ENTERPRISEPREMIUM", exchange: true },
          { skuId: SKU_POWER_BI_PRO, skuPartNumber: "POWER_BI_PRO", exchange: false },
        ],
      },
    );
    await s.provider.createMailbox(person("ali"));
    const id = s.emu.user("ali@acme.test")!.id;
    await s.provider.updateMailbox("acme.test", "ali", {}); // no profile: licences untouched
    s.emu.putLicence(id, SKU_POWER_BI_PRO);
    s.emu.resetLog();
    await s.provider.updateMailbox("acme.test", "ali", { profile: "executive" });
    expect(routes(s)).toEqual(["GET /v1.0/users/:id", "POST /v1.0/users/:id/assignLicense"]);
    expect(
      s.emu
        .user(id)!
        .assignedLicenses.map((l) => l.skuId)
        .sort(),
    ).toEqual([SKU_E5, SKU_POWER_BI_PRO].sort());
    expect(s.emu.user(id)!.mail).toBe("ali@acme.test");
    s.emu.resetLog();
    await s.provider.updateMailbox("acme.test", "ali", { profile: "executive" });
    expect(routes(s)).toEqual(["GET /v1.0/users/:id"]);
  });

  it("refuses a profile without a licence before any write", async () => {
    s = await graphSetup({ licences: { staff: SKU_E3 } });
    s.emu.putUser("ali@acme.test", "Ali", SKU_E3);
    const e = await failure(
      s.provider.updateMailbox("acme.test", "ali", { name: "Ali A.", profile: "ghost" }),
    );
    expect(e.message).toBe(
      'microsoft365 updateMailbox: ali@acme.test: no licence for profile "ghost"; allowed: a licences entry (SKU id with Exchange Online) for "ghost" or "default" — a user without one has no mailbox',
    );
    expect(routes(s)).toEqual([]);
    expect(s.emu.user("ali@acme.test")!.displayName).toBe("Ali");
  });

  it("refuses a mailbox without a licence, changing nothing", async () => {
    s = await graphSetup({ licences: {} });
    const e = await failure(s.provider.createMailbox(person("ali")));
    expect(e.message).toBe(
      'microsoft365 createMailbox: ali@acme.test: no licence for profile "default"; allowed: a licences entry (SKU id with Exchange Online) for "default" — a user without one has no mailbox',
    );
    expect(routes(s)).toEqual([]);
  });

  it("refuses aliases, forwarding and shared mailboxes without the Exchange opt-in, changing nothing", async () => {
    s = await graphSetup();
    const optIn =
      "live in Exchange Online, which Microsoft Graph cannot write; set exchange: { invokeCommand: true } on providers.microsoft365 to manage them through Exchange Online's admin route (undocumented by Microsoft: see the provider README), or remove them";
    const alias = await failure(s.provider.createMailbox(person("ali", { aliases: ["a.b"] })));
    expect(alias.message).toBe(
      `microsoft365 createMailbox: ali@acme.test: aliases ["a.b"]: secondary addresses (aliases) ${optIn}`,
    );
    const fwd = await failure(
      s.provider.createMailbox(person("ali", { suspended: true, forwardTo: ["x@y.test"] })),
    );
    expect(fwd.message).toBe(
      `microsoft365 createMailbox: ali@acme.test: forwardTo: forwarding (ForwardingSmtpAddress) ${optIn}`,
    );
    const shared = await failure(
      s.provider.createMailbox({ ...person("info"), shared: true, members: ["ali@acme.test"] }),
    );
    expect(shared.message).toBe(
      `microsoft365 createMailbox: info@acme.test: shared: shared mailboxes ${optIn}`,
    );
    expect(s.provider.capabilities.aliasesPerMailbox).toBe(0);
    expect(s.provider.capabilities.sharedMailboxes).toBe(false);
    expect(routes(s)).toEqual([]);
    expect(s.emu.listUsers()).toEqual([]);
  });

  it("suspends with accountEnabled false and renames the UPN in place", async () => {
    s = await graphSetup();
    await s.provider.createMailbox(person("omar"));
    const id = s.emu.user("omar@acme.test")!.id;
    expect(
      (await s.provider.updateMailbox("acme.test", "omar", { suspended: true })).suspended,
    ).toBe(true);
    expect(s.emu.user(id)!.accountEnabled).toBe(false);
    await s.provider.renameMailbox("acme.test", "omar", "omar.haddad");
    expect(s.emu.user(id)!.userPrincipalName).toBe("omar.haddad@acme.test");
    expect(s.emu.user(id)!.mail).toBe("omar.haddad@acme.test");
  });
});

describe("microsoft365 groups", () => {
  const members = (n: number, prefix = "m"): string[] =>
    Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, "0")}@acme.test`);

  it("sends 45 new members as batches of 20, 20 and 5, then a diff as one batch", async () => {
    s = await graphSetup();
    for (const a of members(50)) s.emu.putUser(a, a);
    const g = await s.provider.createGroup({
      domain: "acme.test",
      localPart: "all",
      name: "All",
      members: members(45),
    });
    expect(g.members).toEqual(members(45));
    expect(s.emu.batchSizes).toEqual([20, 20, 5]);
    expect(s.emu.groupDeliveries()).toEqual({ "all@acme.test": members(45) });
    const next = [...members(45).slice(3), ...members(50).slice(45, 47)];
    await s.provider.updateGroup("acme.test", "all", { members: next });
    expect(s.emu.batchSizes).toEqual([20, 20, 5, 5]);
    expect(s.emu.groupDeliveries()).toEqual({ "all@acme.test": [...next].sort() });
  });

  it("resends only the requests Graph throttled inside a batch, after their Retry-After", async () => {
    s = await graphSetup();
    for (const a of members(5)) s.emu.putUser(a, a);
    s.emu.throttleInBatch(2, 1);
    const t0 = performance.now();
    await s.provider.createGroup({ domain: "acme.test", localPart: "team", members: members(5) });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(950);
    expect(s.emu.batchSizes).toEqual([5, 2]);
    expect(s.emu.groupDeliveries()).toEqual({ "team@acme.test": members(5) });
  });

  it("refuses members that are not users, creating no group", async () => {
    s = await graphSetup();
    const e = await failure(
      s.provider.createGroup({
        domain: "acme.test",
        localPart: "team",
        members: ["ghost@acme.test"],
      }),
    );
    expect((e as { kind?: string }).kind).toBe("NotFound");
    expect(e.message).toBe(
      "microsoft365 createGroup: members ghost@acme.test are not users of the tenant; a Microsoft 365 group's members are users",
    );
    expect(s.emu.listGroups()).toEqual([]);
  });
});

describe("microsoft365 DNS records from Graph", () => {
  it("reads the MX host, SPF include, autodiscover and MS= value Microsoft assigned", async () => {
    s = await graphSetup();
    const records = await s.provider.dnsRecords("acme.test");
    expect(records).toEqual({
      mx: "acme-test.mail.protection.outlook.com",
      spfInclude: ["spf.protection.outlook.com"],
      autodiscover: "autodiscover.outlook.com",
      verification: [`MS=${s.emu.verificationCode("acme.test")}`],
    });
    expect(routes(s)).toEqual([
      "GET /v1.0/domains/:id/serviceConfigurationRecords",
      "GET /v1.0/domains/:id/verificationDnsRecords",
    ]);
  });

  it("refuses a domain the adapter is not configured for, without a request", async () => {
    s = await graphSetup();
    await expect(s.provider.dnsRecords("other.test")).rejects.toThrow(
      'microsoft365 dnsRecords: domain "other.test" is not the configured domain "acme.test"',
    );
    expect(routes(s)).toEqual([]);
  });
});
