import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import {
  quotaExceededBody,
  rateLimitBody,
  type GoogleDirectoryEmulator,
} from "../../../../test/emulators/google-directory";
import { AuthError, ConflictError, ProviderError, RateLimitedError } from "../../src/errors";
import {
  GOOGLE_TOKEN_URL,
  googleNameParts,
  type GoogleWorkspaceProvider,
} from "../../src/mail/google-workspace";
import { ADMIN, SERVICE_ACCOUNT, googleWorkspaceSetup } from "../contract/google-workspace-harness";
import { mailboxInput } from "../contract/harness-kit";

let emu: GoogleDirectoryEmulator;
let p: GoogleWorkspaceProvider;
const d = "acme.test";
afterEach(() => emu.stop());

async function setup(options: Parameters<typeof googleWorkspaceSetup>[0] = {}) {
  const s = await googleWorkspaceSetup({ lag: 0, ...options });
  emu = s.emu;
  p = s.provider;
  return s;
}

const person = (localPart: string, extra: Record<string, unknown> = {}) =>
  mailboxInput(d, localPart, { password: "Pw-0123456789", ...extra });

describe("googleWorkspace: token exchange", () => {
  it("signs a JWT as the service account for the admin and reuses one token for many calls", async () => {
    await setup();
    await p.createMailbox(person("ali"));
    await p.listMailboxes(d);
    await p.updateMailbox(d, "ali", { suspended: true });
    expect(emu.count("POST /token")).toBe(1);
    expect(emu.grants).toHaveLength(1);
    const claims = emu.grants[0]!;
    expect(claims.iss).toBe(SERVICE_ACCOUNT);
    expect(claims.sub).toBe(ADMIN);
    expect(claims.aud).toBe(GOOGLE_TOKEN_URL);
    expect(claims.scope).toBe(
      "https://www.googleapis.com/auth/admin.directory.user https://www.googleapis.com/auth/admin.directory.group",
    );
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
  });

  it("gets a fresh token once when Google answers 401 to the cached one", async () => {
    await setup();
    await p.listMailboxes(d);
    emu.revokeTokens();
    expect(await p.listMailboxes(d)).toEqual([]);
    // A refresh of mailboxes lists groups too: shared mailboxes are collaborative-inbox groups.
    expect(emu.log.map((l) => `${l.route} ${l.status}`)).toEqual([
      "POST /token 200",
      "GET /groups 200",
      "GET /users 200",
      "GET /groups 401",
      "POST /token 200",
      "GET /groups 200",
      "GET /users 200",
    ]);
  });

  it("answers an admin the service account may not act as with an AuthError that shows no key", async () => {
    const { privatePem } = await setup({ provider: { adminEmail: "intern@acme.test" } });
    const error = await p.listMailboxes(d).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toBe(
      "googleWorkspace token: the service account mailplane@acme-project.iam.gserviceaccount.com could not act as intern@acme.test (unauthorized_client: Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.); check domain-wide delegation of its client id for the scopes https://www.googleapis.com/auth/admin.directory.user https://www.googleapis.com/auth/admin.directory.group",
    );
    expect(JSON.stringify(error)).not.toContain(privatePem.split("\n")[2]!);
    expect(emu.count("GET /users")).toBe(0);
  });
});

describe("googleWorkspace: batched reads", () => {
  it.each([
    [1, 1],
    [500, 1],
    [501, 2],
    [1234, 3],
  ])("a refresh of %i users costs %i list request(s) (500 a page)", async (n, requests) => {
    await setup();
    for (let i = 0; i < n; i++) emu.putUser(`u${String(i).padStart(4, "0")}@${d}`, "A", "B");
    const listed = await p.listMailboxes(d);
    expect(listed).toHaveLength(n);
    expect(emu.count("GET /users")).toBe(requests);
    expect(p.client.listRequests.users).toBe(requests);
  });

  it("lists groups 200 a page and members 200 a page", async () => {
    await setup();
    for (let i = 0; i < 401; i++) emu.putGroup(`g${String(i).padStart(3, "0")}@${d}`, `G${i}`);
    const big = Array.from({ length: 450 }, (_, i) => `m${String(i).padStart(3, "0")}@x.org`);
    emu.putGroup(`all@${d}`, "All", big);
    const groups = await p.listGroups(d);
    expect(groups).toHaveLength(402);
    expect(groups.find((g) => g.localPart === "all")).toEqual({
      domain: d,
      localPart: "all",
      name: "All",
      members: big,
    });
    // ⌈402/200⌉ group pages; one member page per group, three for the one with 450.
    expect(emu.count("GET /groups")).toBe(3);
    expect(emu.count("GET /groups/:groupKey/members")).toBe(401 + 3);
  });

  it("serves gets from one list within the cache TTL", async () => {
    await setup({ provider: { readCacheTtlMs: 60_000 } });
    for (let i = 0; i < 20; i++) emu.putUser(`r${i}@${d}`, "A", "B");
    const got = await Promise.all(Array.from({ length: 20 }, (_, i) => p.getMailbox(d, `r${i}`)));
    expect(got.every((m) => m !== undefined)).toBe(true);
    expect(emu.count("GET /users")).toBe(1);
  });
});

describe("googleWorkspace: rate limits", () => {
  it("retries 403 userRateLimitExceeded and quotaExceeded (a rate limit, not an authorisation error)", async () => {
    await setup();
    emu.inject({
      kind: "status",
      status: 403,
      method: "GET",
      route: "/users",
      body: rateLimitBody,
    });
    emu.inject({
      kind: "status",
      status: 403,
      method: "GET",
      route: "/users",
      body: quotaExceededBody,
    });
    expect(await p.listMailboxes(d)).toEqual([]);
    expect(emu.count("GET /users")).toBe(3);
  });

  it("gives up as RateLimited after the retry budget", async () => {
    await setup();
    emu.inject({ kind: "status", status: 403, route: "/users", body: rateLimitBody, times: 10 });
    const error = await p.listMailboxes(d).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(emu.count("GET /users")).toBe(5);
  });

  it("keeps a plain 403 forbidden an AuthError, not retried", async () => {
    await setup();
    emu.inject({
      kind: "status",
      status: 403,
      route: "/users",
      body: {
        error: {
          code: 403,
          message: "Not Authorized to access this resource/api",
          errors: [{ domain: "global", reason: "forbidden", message: "Not Authorized" }],
        },
      },
    });
    expect(await p.listMailboxes(d).catch((e: unknown) => e)).toBeInstanceOf(AuthError);
    expect(emu.count("GET /users")).toBe(1);
  });
});

describe("googleWorkspace: names, organizations, passwords", () => {
  it.each([
    ["Ali Alavi", {}, "Ali", "Alavi"],
    ["Mary Ann van Berg", {}, "Mary Ann van", "Berg"],
    ["张三", {}, "三", "张"],
    ["欧阳娜娜", {}, "娜娜", "欧阳"],
    ["김민준", {}, "민준", "김"],
    ["Ali", {}, "Ali", "Ali"],
    ["Zhang San", { givenName: "San", familyName: "Zhang" }, "San", "Zhang"],
  ])("%s %j → given %s, family %s", (name, explicit, given, family) => {
    expect(googleNameParts(name, explicit)).toEqual({ givenName: given, familyName: family });
  });

  it("stores given/family names and the display name, and reads the display name back", async () => {
    await setup();
    const m = await p.createMailbox({
      ...person("zhangsan", { name: "Zhang San" }),
      givenName: "San",
      familyName: "Zhang",
    });
    expect(m.name).toBe("Zhang San");
    expect(emu.user(`zhangsan@${d}`)!.name).toEqual({
      givenName: "San",
      familyName: "Zhang",
      fullName: "San Zhang",
      displayName: "Zhang San",
    });
    emu.putUser(`lei@${d}`, "三", "张");
    emu.putUser(`jo@${d}`, "Jo", "Bloggs");
    const names = Object.fromEntries((await p.listMailboxes(d)).map((x) => [x.localPart, x.name]));
    expect(names).toEqual({ zhangsan: "Zhang San", lei: "张三", jo: "Jo Bloggs" });
  });

  it("writes department and title into organizations and reads them back", async () => {
    await setup();
    const m = await p.createMailbox(person("ops", { department: "IT", title: "Admin" }));
    expect(m).toMatchObject({ department: "IT", title: "Admin" });
    expect(emu.user(`ops@${d}`)!.organizations).toEqual([
      { department: "IT", title: "Admin", primary: true },
    ]);
    const u = await p.updateMailbox(d, "ops", { title: "Lead" });
    expect(u).toMatchObject({ department: "IT", title: "Lead" });
  });

  it("without a password sets a random one (sent hashed) with change at next login", async () => {
    await setup();
    await p.createMailbox(person("new", { password: undefined }));
    const stored = emu.passwordOf(`new@${d}`)!;
    expect(stored.hashFunction).toBe("crypt");
    expect(stored.password).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    expect(emu.user(`new@${d}`)!.changePasswordAtNextLogin).toBe(true);
  });

  it("sends a password only as SHA-512 crypt, which OpenSSL reproduces from the plain one", async () => {
    await setup();
    const plain = "Pw-0123456789-ü";
    await p.createMailbox(person("hashed", { password: plain }));
    const first = emu.passwordOf(`hashed@${d}`)!;
    await p.updateMailbox(d, "hashed", { password: "Another-Pw-42" });
    const second = emu.passwordOf(`hashed@${d}`)!;
    for (const [stored, pw] of [
      [first, plain],
      [second, "Another-Pw-42"],
    ] as const) {
      expect(stored.hashFunction).toBe("crypt");
      const salt = stored.password.split("$")[2]!;
      const openssl = execFileSync("openssl", ["passwd", "-6", "-salt", salt, "-stdin"], {
        input: pw,
      })
        .toString()
        .trim();
      expect(stored.password).toBe(openssl);
    }
    expect(first.password.split("$")[2]).not.toBe(second.password.split("$")[2]);
  });

  it("refuses a 31st alias before any request", async () => {
    await setup();
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}`);
    const error = await p.createMailbox(person("many", { aliases })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toBe(
      "googleWorkspace createMailbox: many@acme.test: Google allows at most 30 aliases per user, got 31",
    );
    expect(emu.count()).toBe(0);
  });
});

describe("googleWorkspace: writes", () => {
  it("refuses to delete a user that still has an alias the caller did not remove", async () => {
    await setup();
    await p.createMailbox(person("maria"));
    await p.updateMailbox(d, "maria", { aliases: ["legacy"] });
    const error = await p.deleteMailbox(d, "maria").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe(
      "googleWorkspace deleteMailbox: maria@acme.test still has the aliases legacy@acme.test, which Google would delete with the user; remove them first or move them to another mailbox",
    );
    expect(emu.user(`maria@${d}`)?.aliases).toEqual(["legacy@acme.test"]);
  });

  it("renames in place: same user id, the old address kept as an alias as Google does", async () => {
    await setup();
    const id = (await p.createMailbox(person("omar")), emu.user(`omar@${d}`)!.id);
    emu.resetLog();
    const m = await p.renameMailbox(d, "omar", "omar.h");
    expect(m.localPart).toBe("omar.h");
    expect(m.aliases).toEqual(["omar"]);
    expect(emu.log.map((l) => l.route).filter((r) => !r.startsWith("GET "))).toEqual([
      "PUT /users/:userKey",
    ]);
    expect(emu.user(`omar.h@${d}`)!.id).toBe(id);
    expect(emu.user(`omar.h@${d}`)!.aliases).toEqual([`omar@${d}`]);
  });

  it("adds a just-created user to a group, retrying the 404s of eventual consistency", async () => {
    await setup({ lag: 3 });
    await p.createMailbox(person("fresh"));
    const g = await p.createGroup({
      domain: d,
      localPart: "team",
      name: "Team",
      members: [`fresh@${d}`],
    });
    expect(g.members).toEqual([`fresh@${d}`]);
    expect(emu.count("POST /groups/:groupKey/members")).toBe(4);
    expect(emu.allGroups()[0]!.memberEmails).toEqual([`fresh@${d}`]);
  });

  it("a create whose answer was lost, with reads still 404, is adopted, never created twice", async () => {
    await setup({ lag: 3 });
    emu.inject({ kind: "drop", when: "after", method: "POST", route: "/users" });
    // An address no earlier test wrote (recent writes are remembered process-wide).
    const m = await p.createMailbox(person("lost"));
    expect(m.localPart).toBe("lost");
    // dropped POST, GETs 404 (not visible yet; the address counts as written from the moment
    // the insert was sent) until visible: adopted without a second POST.
    expect(emu.log.map((l) => `${l.route} ${l.status}`)).toEqual([
      "POST /token 200",
      "POST /users dropped",
      "GET /users/:userKey 404",
      "GET /users/:userKey 404",
      "GET /users/:userKey 404",
      "GET /users/:userKey 200",
    ]);
    expect(emu.allUsers().map((u) => u.primaryEmail)).toEqual([`lost@${d}`]);
  });

  it("changes group membership by a diff, not a rewrite", async () => {
    await setup();
    await p.createGroup({ domain: d, localPart: "g", name: "G", members: ["a@x.org", "b@x.org"] });
    emu.resetLog();
    await p.updateGroup(d, "g", { members: ["b@x.org", "c@x.org"] });
    expect(emu.countsByRoute()).toMatchObject({
      "POST /groups/:groupKey/members": 1,
      "DELETE /groups/:groupKey/members/:memberKey": 1,
    });
    expect(emu.allGroups()[0]!.memberEmails).toEqual(["b@x.org", "c@x.org"]);
  });
});

describe("googleWorkspace: org units by profile, 2-step verification", () => {
  const orgUnits = { staff: "/Staff", executive: "/Staff/Executives" };

  it("places a mailbox in its profile's org unit, moves it when the profile changes, and reports isEnforcedIn2Sv", async () => {
    await setup({ provider: { orgUnits } });
    emu.putOrgUnit("/Staff");
    emu.putOrgUnit("/Staff/Executives", { enforce2Sv: true });
    const created = await p.createMailbox(person("wang", { profile: "staff", require2fa: false }));
    expect(emu.user(`wang@${d}`)!.orgUnitPath).toBe("/Staff");
    expect(created.twoFactorEnforced).toBe(false);
    emu.resetLog();
    const moved = await p.updateMailbox(d, "wang", { profile: "executive", require2fa: true });
    expect(emu.log.map((l) => l.route)).toEqual([
      "GET /groups",
      "GET /users/:userKey",
      "PUT /users/:userKey",
    ]);
    expect(emu.user(`wang@${d}`)!.orgUnitPath).toBe("/Staff/Executives");
    expect(moved.twoFactorEnforced).toBe(true);
    // The console's policy changes behind Mailplane's back: a refresh reports it.
    emu.putOrgUnit("/Staff/Executives", { enforce2Sv: false });
    expect((await p.getMailbox(d, "wang"))!.twoFactorEnforced).toBe(false);
    // A profile that maps no org unit (or none at all) puts the user back at the root.
    await p.updateMailbox(d, "wang", { profile: undefined });
    expect(emu.user(`wang@${d}`)!.orgUnitPath).toBe("/");
  });

  it("an unchanged org unit is not written again", async () => {
    await setup({ provider: { orgUnits } });
    emu.putOrgUnit("/Staff");
    await p.createMailbox(person("li", { profile: "staff" }));
    emu.resetLog();
    await p.updateMailbox(d, "li", { profile: "staff" });
    expect(emu.log.map((l) => l.route)).toEqual(["GET /groups", "GET /users/:userKey"]);
  });

  it("refuses require2fa for a mailbox whose profile maps no org unit, before any request", async () => {
    await setup({ provider: { orgUnits } });
    emu.resetLog();
    const error = await p
      .createMailbox(person("guest", { profile: "contractor", require2fa: true }))
      .then(() => new Error("created"))
      .catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toBe(
      'googleWorkspace createMailbox: guest@acme.test: cannot enforce 2-step verification per user (the Directory API has no such setting) and its profile "contractor" is not in orgUnits; give the mailbox a profile that providers.googleWorkspace({ orgUnits }) maps to an org unit, and enforce 2-step verification on that org unit in the Admin console (Security > Authentication > 2-Step Verification)',
    );
    expect(emu.log.map((l) => l.route)).toEqual([]);
    expect(emu.user(`guest@${d}`)).toBeUndefined();
  });

  it("an org unit the tenant does not have is Google's 400 INVALID_OU_ID, and no user is left behind", async () => {
    await setup({ provider: { orgUnits: { staff: "/Nowhere" } } });
    const error = await p
      .createMailbox(person("lost", { profile: "staff" }))
      .then(() => new Error("created"))
      .catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toContain("Invalid Input: INVALID_OU_ID");
    expect(emu.user(`lost@${d}`)).toBeUndefined();
  });

  it("a renamed user stays a member of its groups under the new address", async () => {
    await setup();
    await p.createMailbox(person("omar"));
    await p.createGroup({ domain: d, localPart: "team", name: "Team", members: [`omar@${d}`] });
    await p.renameMailbox(d, "omar", "omar.h");
    expect(emu.allGroups()[0]!.memberEmails).toEqual([`omar.h@${d}`]);
    expect((await p.getGroup(d, "team"))!.members).toEqual([`omar.h@${d}`]);
  });
});

describe("googleWorkspace: shared mailboxes are collaborative inboxes", () => {
  const inbox = (extra: Record<string, unknown> = {}) => ({
    ...person("support", { name: "Support", password: undefined }),
    shared: true,
    members: [`ali@${d}`, `bo@${d}`],
    ...extra,
  });
  const INBOX = {
    enableCollaborativeInbox: "true",
    isArchived: "true",
    archiveOnly: "false",
    whoCanPostMessage: "ANYONE_CAN_POST",
  };

  it("creates a group with the readers as members, made a collaborative inbox; it lists as a mailbox, not a group", async () => {
    await setup();
    await p.createMailbox(person("ali"));
    await p.createMailbox(person("bo"));
    emu.resetLog();
    const state = await p.createMailbox(inbox());
    expect(state).toEqual({
      domain: d,
      localPart: "support",
      name: "Support",
      suspended: false,
      aliases: [],
      forwardTo: [],
    });
    expect(emu.log.map((l) => l.route).filter((r) => !r.startsWith("GET "))).toEqual([
      "POST /groups",
      "POST /groups/:groupKey/members",
      "POST /groups/:groupKey/members",
      "POST /token",
      "PATCH /groups/v1/groups/:groupEmail",
    ]);
    // The settings token asks for the Groups Settings scope alone.
    expect(emu.grants.at(-1)!.scope).toBe("https://www.googleapis.com/auth/apps.groups.settings");
    expect(emu.groupSettings(`support@${d}`)).toMatchObject(INBOX);
    const g = emu.allGroups().find((x) => x.email === `support@${d}`)!;
    expect([g.name, g.description, g.memberEmails]).toEqual([
      "Support",
      "Shared mailbox (collaborative inbox), managed by Mailplane",
      [`ali@${d}`, `bo@${d}`],
    ]);
    expect((await p.listMailboxes(d)).map((m) => m.localPart)).toEqual(["ali", "bo", "support"]);
    expect(await p.getMailbox(d, "support")).toEqual(state);
    expect(await p.listGroups(d)).toEqual([]);
    expect(await p.getGroup(d, "support")).toBeUndefined();
  });

  it("changes readers by a diff, suspends by archiving (no new mail, archive kept), and deletes the group", async () => {
    await setup();
    await p.createMailbox(inbox());
    emu.resetLog();
    await p.updateMailbox(d, "support", { members: [`bo@${d}`, `cy@${d}`], name: "Help" });
    expect(emu.log.map((l) => l.route).filter((r) => !r.startsWith("GET "))).toEqual([
      "PUT /groups/:groupKey",
      "POST /groups/:groupKey/members",
      "DELETE /groups/:groupKey/members/:memberKey",
    ]);
    expect(emu.allGroups()[0]!.memberEmails).toEqual([`bo@${d}`, `cy@${d}`]);
    await p.updateMailbox(d, "support", { suspended: true });
    expect(emu.groupSettings(`support@${d}`)).toMatchObject({
      ...INBOX,
      archiveOnly: "true",
      whoCanPostMessage: "NONE_CAN_POST",
    });
    await p.deleteMailbox(d, "support");
    expect(emu.allGroups()).toEqual([]);
  });

  it("takes over a plain group with the same members (a move between kinds) without recreating it", async () => {
    await setup();
    emu.putGroup(`support@${d}`, "Support", [`ali@${d}`, `bo@${d}`]);
    const id = emu.allGroups()[0]!.id;
    emu.resetLog();
    await p.createMailbox(inbox());
    expect(emu.log.map((l) => l.route).filter((r) => !r.startsWith("GET "))).toEqual([
      "POST /token",
      "PUT /groups/:groupKey",
      "POST /token",
      "PATCH /groups/v1/groups/:groupEmail",
    ]);
    expect(emu.allGroups()[0]!.id).toBe(id);
    // One with other members is a Conflict, and nothing is written.
    emu.putGroup(`sales@${d}`, "Sales", [`ali@${d}`]);
    emu.resetLog();
    const error = await p
      .createMailbox(inbox({ localPart: "sales", name: "Sales" }))
      .then(() => new Error("created"))
      .catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe(
      `googleWorkspace createMailbox: sales@${d} already exists in Google Workspace as a group with other members (ali@${d} ≠ ali@${d}, bo@${d}); declare it as it exists (Mailplane adopts identical accounts) or choose another address`,
    );
    expect(emu.log.map((l) => l.route).filter((r) => !r.startsWith("GET "))).toEqual([]);
  });

  it("without the Groups Settings scope delegated, says which scope to delegate; users and groups still work", async () => {
    await setup({
      delegatedScopes: [
        "https://www.googleapis.com/auth/admin.directory.user",
        "https://www.googleapis.com/auth/admin.directory.group",
      ],
    });
    await p.createMailbox(person("ali"));
    const error = await p
      .createMailbox(inbox({ members: [`ali@${d}`] }))
      .then(() => new Error("created"))
      .catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toMatch(
      /^googleWorkspace createMailbox: support@acme\.test: a shared mailbox is a collaborative inbox, set through the Groups Settings API; delegate the scope https:\/\/www\.googleapis\.com\/auth\/apps\.groups\.settings to the service account's client id \(googleWorkspace token: .*unauthorized_client/,
    );
    expect(await p.getMailbox(d, "ali")).toMatchObject({ localPart: "ali" });
  });
});
