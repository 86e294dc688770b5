import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { MailboxInput } from "../../src";
import { clearZohoTokenCache, createZohoProvider } from "../../src/mail/zoho";
import { failure as failureOf, mailboxInput } from "../contract/harness-kit";
import { CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, zohoSetup, type ZohoSetup } from "./harness";

let setup: ZohoSetup | undefined;
afterEach(async () => {
  await setup?.emu.stop();
  setup = undefined;
});

const person = (localPart: string, extra: Partial<MailboxInput> = {}): MailboxInput =>
  mailboxInput("acme.test", localPart, extra);
const failure = (p: Promise<unknown>) => failureOf<Error & { kind?: string }>(p);
/** Requests of the log as `METHOD path` (the API only; the token endpoint separately). */
const writes = (s: ZohoSetup) =>
  s.emu.log
    .filter((l) => l.method !== "GET" && !l.path.startsWith("/oauth"))
    .map((l) => `${l.method} ${l.path.replace(`/api/organization/${s.emu.organizationId}`, "")}`);

describe("zoho adapter: OAuth tokens", () => {
  it("mints one access token for many operations, shared by every adapter of the refresh token", async () => {
    setup = await zohoSetup();
    const { emu, provider, domain } = setup;
    for (const lp of ["a", "b", "c", "d", "e"]) await provider.createMailbox(person(lp));
    await provider.updateMailbox(domain, "a", { name: "A. Person", suspended: true });
    await provider.listMailboxes(domain);
    const second = createZohoProvider({
      organizationId: String(emu.organizationId),
      apiUrl: emu.url,
      accountsUrl: emu.url,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      refreshToken: REFRESH_TOKEN,
      budget: { ratePerSecond: 1000, burst: 1000 },
      readCacheTtlMs: 0,
      tokenCacheDir: false,
    });
    expect((await second.getMailbox(domain, "a"))?.name).toBe("A. Person");
    expect(emu.minted).toBe(1);
    expect(emu.count("POST /oauth/v2/token")).toBe(1);
  });

  it("mints again once after Zoho answers INVALID_OAUTHTOKEN, and the request is sent once more", async () => {
    setup = await zohoSetup();
    const { emu, provider, domain } = setup;
    await provider.createMailbox(person("a"));
    emu.expireTokens();
    emu.resetLog();
    expect((await provider.getMailbox(domain, "a"))?.localPart).toBe("a");
    expect(emu.minted).toBe(2);
    expect(emu.log.map((l) => `${l.route} ${String(l.status)}`)).toEqual([
      "GET /api/organization/:zoid/accounts 400",
      "POST /oauth/v2/token 200",
      "GET /api/organization/:zoid/accounts 200",
      "GET /api/organization/:zoid/accounts 200",
    ]);
  });

  it("keeps the token for the next process in a sealed file: one mint across processes, none readable", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailplane-zoho-tokens-"));
    try {
      setup = await zohoSetup({ tokenCacheDir: dir });
      const { emu, provider, domain } = setup;
      await provider.createMailbox(person("a"));
      const files = fs.readdirSync(dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^zoho-[0-9a-f]{64}\.json$/);
      expect((fs.statSync(path.join(dir, files[0]!)).mode & 0o777).toString(8)).toBe("600");
      const text = fs.readFileSync(path.join(dir, files[0]!), "utf8");
      for (const plain of ["1000.", CLIENT_SECRET, REFRESH_TOKEN, CLIENT_ID]) {
        expect(text).not.toContain(plain);
      }
      clearZohoTokenCache(); // a new process: nothing in memory
      expect((await provider.getMailbox(domain, "a"))?.localPart).toBe("a");
      expect(emu.minted).toBe(1);
      // Zoho no longer accepts the stored token: it is dropped, a new one is minted and stored.
      emu.expireTokens();
      clearZohoTokenCache();
      expect((await provider.getMailbox(domain, "a"))?.localPart).toBe("a");
      expect(emu.minted).toBe(2);
      // A file that does not decrypt (tampered with, or sealed by other secrets) is not used.
      const sealed = JSON.parse(fs.readFileSync(path.join(dir, files[0]!), "utf8")) as {
        data: string;
      };
      sealed.data = Buffer.from("1000.forged").toString("base64");
      fs.writeFileSync(path.join(dir, files[0]!), JSON.stringify(sealed));
      clearZohoTokenCache();
      expect((await provider.getMailbox(domain, "a"))?.localPart).toBe("a");
      expect(emu.minted).toBe(3);
      expect(emu.log.filter((l) => l.status === 400)).toHaveLength(1); // only the expired one
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("maps Access Denied (10 mints in 10 minutes) to RateLimited and a wrong client to Auth, without a credential in the message", async () => {
    setup = await zohoSetup({}, { tokenLimit: { limit: 0, windowMs: 600_000 } });
    const denied = await failure(setup.provider.listMailboxes("acme.test"));
    expect(denied.kind).toBe("RateLimited");
    expect(denied.message).toBe(
      "zoho token: Zoho Accounts refused a new access token (Access Denied): a refresh token " +
        "may mint at most 10 access tokens in 10 minutes and is then blocked; wait 10 minutes " +
        "(Mailplane caches each token for its hour)",
    );
    await setup.emu.stop();
    setup = await zohoSetup({ clientSecret: "not-the-secret-987" });
    const refused = await failure(setup.provider.listMailboxes("acme.test"));
    expect(refused.kind).toBe("Auth");
    expect(refused.message).toBe(
      "zoho token: Zoho Accounts refused the refresh token (invalid_client); check " +
        "ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN and the data centre (values not shown)",
    );
    const empty = await failure(
      createZohoProvider({
        organizationId: "1",
        clientId: "x",
        clientSecret: () => "",
        refreshToken: " ",
      }).listMailboxes("acme.test"),
    );
    expect(empty.message).toBe(
      "zoho token: ZOHO_CLIENT_SECRET (mailplane:zohoClientSecret), ZOHO_REFRESH_TOKEN " +
        "(mailplane:zohoRefreshToken) are empty; set them to the OAuth client of the Zoho API " +
        "console and a refresh token with the ZohoMail.organization.accounts and .groups scopes " +
        "(values not shown)",
    );
  });
});

describe("zoho adapter: envelope errors and ids", () => {
  it("maps the envelope's errorCode to typed errors with Zoho's own message", async () => {
    setup = await zohoSetup();
    const { emu, provider, domain } = setup;
    emu.putGroup("team@acme.test", "team", ["a@acme.test"]);
    const taken = await failure(provider.createMailbox(person("team")));
    expect([taken.kind, taken.message]).toEqual([
      "Conflict",
      "zoho createMailbox: team@acme.test is taken by another user's alias or a group of the organisation",
    ]);
    const missing = await failure(provider.updateMailbox(domain, "nobody", { name: "X" }));
    expect([missing.kind, missing.message]).toEqual([
      "NotFound",
      "zoho updateMailbox: mailbox nobody@acme.test does not exist",
    ]);
    await setup.emu.stop();
    setup = await zohoSetup({ organizationId: "999" });
    const org = await failure(setup.provider.listMailboxes("acme.test"));
    expect([org.kind, org.message]).toEqual([
      "Auth",
      "zoho listMailboxes failed: Auth (HTTP 404): INVALID_ZOID: No organization 999",
    ]);
  });

  it("refuses to turn a group into a mailbox alias (it would be deleted on the way), saying how", async () => {
    setup = await zohoSetup();
    const { emu, provider, domain } = setup;
    await provider.createMailbox(person("ali", { aliases: ["a.alavi"] }));
    emu.putGroup("billing@acme.test", "billing", ["ali@acme.test"]);
    const before = emu.deliveries();
    const e = await failure(
      provider.updateMailbox(domain, "ali", { aliases: ["a.alavi", "billing"] }),
    );
    expect([e.kind, e.message]).toEqual([
      "Conflict",
      "zoho updateMailbox: billing@acme.test is taken by another user or a group of the " +
        "organisation; billing@acme.test is a group: Zoho Mail cannot turn a group into an alias " +
        "without deleting it, so remove the group from the declaration and apply, then declare " +
        "the alias; ali@acme.test keeps its other aliases",
    ]);
    expect(emu.deliveries()).toEqual(before);
  });

  it("sends each id where its endpoint wants it and suspends without losing aliases or groups", async () => {
    setup = await zohoSetup();
    const { emu, provider, domain } = setup;
    await provider.createMailbox(person("ali", { aliases: ["a.alavi", "ali.a"] }));
    await provider.createGroup({
      domain,
      localPart: "team",
      name: "Team",
      members: ["ali@acme.test"],
    });
    const u = emu.user("ali@acme.test")!;
    emu.resetLog();
    const state = await provider.updateMailbox(domain, "ali", {
      suspended: true,
      aliases: ["a.alavi"],
      name: "Ali Alavi",
      password: "New-Pa55-word",
    });
    expect(state).toEqual({
      domain,
      localPart: "ali",
      name: "Ali Alavi",
      suspended: true,
      aliases: ["a.alavi"],
      forwardTo: [],
    });
    expect(writes(setup)).toEqual([
      `PUT /accounts/${u.accountId}`, // updateDisplayName
      `PUT /accounts/${u.zuid}`, // resetPassword
      `PUT /accounts/${u.zuid}`, // deleteEmailAlias
      `PUT /accounts/${u.accountId}`, // disableUser
    ]);
    expect(emu.user("ali@acme.test")).toMatchObject({
      mailboxStatus: "disabled",
      displayName: "Ali Alavi",
    });
    expect(emu.passwordOf("ali@acme.test")?.password).toBe("New-Pa55-word");
    expect(emu.deliveries()).toEqual({
      "a.alavi@acme.test": ["ali@acme.test"],
      "team@acme.test": ["ali@acme.test"],
    });
    emu.resetLog();
    await provider.deleteMailbox(domain, "ali");
    expect(writes(setup)).toEqual(["DELETE /accounts"]);
    expect(emu.user("ali@acme.test")).toBeUndefined();
  });

  it("creates with a one-time password when asked, and refuses what has no API before any request", async () => {
    setup = await zohoSetup();
    const { emu, provider, domain } = setup;
    await provider.createMailbox(person("new", { changePasswordAtNextLogin: true }));
    expect(emu.passwordOf("new@acme.test")).toEqual({
      password: "Pw-new-0123456789",
      oneTimePassword: true,
    });
    emu.resetLog();
    const sixAliases = ["a1", "a2", "a3", "a4", "a5", "a6"];
    expect(
      (await failure(provider.createMailbox(person("x", { aliases: sixAliases })))).message,
    ).toBe("zoho createMailbox: x@acme.test: aliases has 6 entries; allowed: at most 5 per user");
    expect((await failure(provider.createMailbox(person("y", { require2fa: true })))).message).toBe(
      "zoho createMailbox: y@acme.test: require2fa: per-user 2FA enforcement: Zoho Mail's API has " +
        "no route for it; enforce it with a TFA policy in the Zoho Mail admin console",
    );
    expect(
      (
        await failure(
          provider.createAlias({ domain, localPart: "hr", destinations: ["new@acme.test"] }),
        )
      ).message,
    ).toBe(
      "zoho createAlias: hr@acme.test: a standalone alias: Zoho Mail's API has no route for it; " +
        "declare a group with the same members, or an alias of a mailbox",
    );
    expect(emu.log).toEqual([]);
  });

  it("keeps names in Chinese, Persian and with diacritics byte for byte", async () => {
    setup = await zohoSetup();
    const { emu, provider, domain } = setup;
    const names = { zs: "张三", ali: "علی علوی", zoe: "Zoë Ångström-Ñúñez", mix: "Ali ‏علی‎ 张" };
    for (const [lp, name] of Object.entries(names)) {
      expect((await provider.createMailbox(person(lp, { name }))).name).toBe(name);
    }
    for (const [lp, name] of Object.entries(names)) {
      const stored = emu.user(`${lp}@acme.test`)!.displayName;
      expect(Buffer.from(stored, "utf8").equals(Buffer.from(name, "utf8"))).toBe(true);
      expect((await provider.getMailbox(domain, lp))?.name).toBe(name);
    }
    expect(await provider.updateMailbox(domain, "zs", { name: "张三丰" })).toMatchObject({
      name: "张三丰",
    });
    expect(emu.user("zs@acme.test")!.displayName).toBe("张三丰");
  });

  it("round-trips any display name byte for byte (generated names, update and read back)", async () => {
    setup = await zohoSetup();
    const { emu, provider, domain } = setup;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }).filter((x) => x.trim() !== ""),
        async (name) => {
          const lp = `p${n++}`;
          await provider.createMailbox(person(lp, { name }));
          const stored = emu.user(`${lp}@acme.test`)!.displayName;
          expect(Buffer.from(stored, "utf8").equals(Buffer.from(name, "utf8"))).toBe(true);
          expect((await provider.getMailbox(domain, lp))?.name).toBe(name);
          const renamed = `${name} ✓`;
          expect((await provider.updateMailbox(domain, lp, { name: renamed })).name).toBe(renamed);
          expect(emu.user(`${lp}@acme.test`)!.displayName).toBe(renamed);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("gives moderators their role and keeps it through member changes", async () => {
    setup = await zohoSetup({ moderators: { support: ["b@acme.test"] } });
    const { emu, provider, domain } = setup;
    await provider.createGroup({
      domain,
      localPart: "support",
      name: "Support",
      members: ["a@acme.test", "b@acme.test"],
    });
    await provider.updateGroup(domain, "support", { members: ["b@acme.test", "c@acme.test"] });
    expect(emu.allGroups()[0]!.mailGroupMemberList).toEqual([
      { memberEmailId: "b@acme.test", role: "moderator" },
      { memberEmailId: "c@acme.test", role: "member" },
    ]);
    emu.putGroup("sales@acme.test", "Sales", ["a@acme.test", "b@acme.test"]);
    const renamed = await failure(provider.updateGroup(domain, "sales", { name: "Sales team" }));
    expect(renamed.message).toBe(
      'zoho updateGroup: sales@acme.test: name "Sales" => "Sales team": renaming a group: Zoho ' +
        "Mail's API has no route for it; rename it in the Zoho Mail admin console, then declare the new name",
    );
  });
});

describe("zoho adapter: request budget under Zoho's limit (time scaled 100×)", () => {
  // Zoho: about 30 requests a minute, then a lock-out. Scaled: 30 per 600 ms, a 5 s lock.
  const limit = { limit: 30, windowMs: 600, lockMs: 5_000 };

  it("the default budget's rate (0.45/s, burst 1, scaled) creates 60 mailboxes without a lock-out", async () => {
    setup = await zohoSetup({ budget: { ratePerSecond: 45, burst: 1 } }, { rateLimit: limit });
    const { emu, provider } = setup;
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        provider.createMailbox(person(`u${String(i).padStart(2, "0")}`)),
      ),
    );
    expect(emu.allUsers()).toHaveLength(60);
    expect([emu.lockouts, emu.throttled]).toEqual([0, 0]);
    const api = emu.log.filter((l) => l.path.startsWith("/api")).map((l) => l.at);
    let max = 0;
    for (let i = 0, j = 0; i < api.length; i++) {
      while (api[i]! - api[j]! >= limit.windowMs) j++;
      max = Math.max(max, i - j + 1);
    }
    expect(max).toBeLessThanOrEqual(30);
  }, 20_000);

  it("a budget above Zoho's limit trips the lock-out (what the default avoids)", async () => {
    setup = await zohoSetup(
      {
        budget: { ratePerSecond: 200, burst: 10 },
        retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
      },
      { rateLimit: limit },
    );
    const { emu, provider } = setup;
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) =>
        provider.createMailbox(person(`v${String(i).padStart(2, "0")}`)),
      ),
    );
    expect(emu.lockouts).toBe(1);
    const failed = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(failed.length).toBeGreaterThan(0);
    expect((failed[0]!.reason as { kind: string }).kind).toBe("RateLimited");
    expect((failed[0]!.reason as Error).message).toBe(
      "zoho createMailbox failed: RateLimited (HTTP 429): TOO_MANY_REQUESTS: API request limit reached; try again later",
    );
  }, 20_000);
});
