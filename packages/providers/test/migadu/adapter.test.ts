import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MigaduEmulator } from "../../../../test/emulators/migadu";
import {
  AuthError,
  ConflictError,
  createMigaduProvider,
  migaduCapabilities,
  migaduCredentialsFromEnv,
  MailProviderError,
  MigaduProvider,
  NotFoundError,
  ProviderError,
  RateLimitedError,
  requestBudget,
  type MailProvider,
  type MigaduProviderConfig,
} from "../../src";

const DOMAIN = "acme.com";
const USER = "admin@acme.com";
const KEY = "mk_live_S3cr3tKeyValue_0123456789";
const PASSWORD = "Initial-Passw0rd!";

let emu: MigaduEmulator;
let url: string;

function provider(overrides: Partial<MigaduProviderConfig> = {}): MigaduProvider {
  return createMigaduProvider({
    baseUrl: url,
    user: USER,
    apiKey: KEY,
    budget: { ratePerSecond: 1000, burst: 1000 },
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
    readCacheTtlMs: 500,
    ...overrides,
  });
}

const mailbox = (localPart: string, extra: Record<string, unknown> = {}) => ({
  domain: DOMAIN,
  localPart,
  name: `Person ${localPart}`,
  suspended: false,
  aliases: [] as string[],
  forwardTo: [] as string[],
  password: PASSWORD,
  ...extra,
});

beforeEach(async () => {
  emu = new MigaduEmulator({
    user: USER,
    apiKey: KEY,
    domains: [DOMAIN, "acme.co"],
    rateLimit: false,
  });
  url = await emu.start();
});
afterEach(async () => {
  await emu.stop();
});

describe("Migadu adapter: mailboxes", () => {
  it("creates, reads, updates and deletes a mailbox over HTTP", async () => {
    const p = provider();
    const created = await p.createMailbox(
      mailbox("zhangsan", { name: "Zhang San", aliases: ["san.zhang"] }),
    );
    expect(created).toEqual({
      domain: DOMAIN,
      localPart: "zhangsan",
      name: "Zhang San",
      suspended: false,
      aliases: ["san.zhang"],
      forwardTo: [],
    });
    const stored = emu.mailbox(DOMAIN, "zhangsan")!;
    expect(stored).toMatchObject({
      address: "zhangsan@acme.com",
      name: "Zhang San",
      password_method: "password",
      may_send: true,
      may_receive: true,
      may_access_imap: true,
    });
    expect(emu.passwordOf(DOMAIN, "zhangsan")).toBe(PASSWORD);
    expect(emu.aliases(DOMAIN).map((a) => [a.local_part, a.destinations])).toEqual([
      ["san.zhang", ["zhangsan@acme.com"]],
    ]);

    expect(await p.getMailbox(DOMAIN, "zhangsan")).toEqual(created);
    expect(await p.getMailbox(DOMAIN, "nobody")).toBeUndefined();

    const updated = await p.updateMailbox(DOMAIN, "zhangsan", {
      name: "San Zhang",
      aliases: ["zs"],
    });
    expect(updated).toEqual({ ...created, name: "San Zhang", aliases: ["zs"] });
    expect(emu.aliases(DOMAIN).map((a) => a.local_part)).toEqual(["zs"]);

    // Deleting a mailbox leaves aliases alone: the caller removes those it declared first.
    await p.updateMailbox(DOMAIN, "zhangsan", { aliases: [] });
    expect(emu.aliases(DOMAIN)).toEqual([]);
    await p.deleteMailbox(DOMAIN, "zhangsan");
    expect(emu.mailboxes(DOMAIN)).toEqual([]);
    await p.deleteMailbox(DOMAIN, "zhangsan"); // already gone: not an error
    expect(await p.getMailbox(DOMAIN, "zhangsan")).toBeUndefined();
  });

  it("suspends with may_send/may_access_* false and keeps may_receive; forwards when offboarded", async () => {
    const p = provider();
    await p.createMailbox(mailbox("leaver"));
    await p.createMailbox(mailbox("ali"));
    const off = await p.updateMailbox(DOMAIN, "leaver", {
      suspended: true,
      forwardTo: ["ali@acme.com"],
    });
    expect(off).toMatchObject({ suspended: true, forwardTo: ["ali@acme.com"] });
    expect(emu.mailbox(DOMAIN, "leaver")).toMatchObject({
      may_send: false,
      may_receive: true,
      may_access_imap: false,
      may_access_pop3: false,
      may_access_managesieve: false,
      is_internal: false,
    });
    expect(emu.forwardings(DOMAIN, "leaver").map((f) => [f.address, f.is_active])).toEqual([
      ["ali@acme.com", true],
    ]);
    const fresh = provider({ readCacheTtlMs: 0 });
    expect(await fresh.getMailbox(DOMAIN, "leaver")).toEqual({
      domain: DOMAIN,
      localPart: "leaver",
      name: "Person leaver",
      suspended: true,
      aliases: [],
      forwardTo: ["ali@acme.com"],
    });
    // A partly restricted mailbox is not suspended: it reads as active, so a plan re-suspends it.
    emu.patchMailbox(DOMAIN, "leaver", { may_access_imap: true });
    expect((await provider({ readCacheTtlMs: 0 }).getMailbox(DOMAIN, "leaver"))?.suspended).toBe(
      false,
    );
  });

  it("uses Migadu's invitation when no password is given, and explains what it needs", async () => {
    const p = provider();
    await p.createMailbox(
      mailbox("newbie", { password: undefined, recoveryEmail: "newbie@home.example" }),
    );
    expect(emu.mailbox(DOMAIN, "newbie")).toMatchObject({
      password_method: "invitation",
      password_recovery_email: "newbie@home.example",
    });
    await expect(p.createMailbox(mailbox("nopass", { password: undefined }))).rejects.toThrow(
      "migadu createMailbox: nopass@acme.com has no password; Migadu's invitation flow needs recoveryEmail (the address the invitation is sent to)",
    );
    await expect(p.createMailbox(mailbox("x", { forwardTo: ["ali@acme.com"] }))).rejects.toThrow(
      "migadu createMailbox: x@acme.com: forwardTo needs suspended: true (Migadu forwarding is managed for offboarded mailboxes only)",
    );
    await expect(p.createMailbox(mailbox("zhang san"))).rejects.toThrow(
      'migadu createMailbox: local part "zhang san" is not an RFC 5321 dot-atom',
    );
    expect(emu.count("POST /domains/:domain/mailboxes")).toBe(1);
  });

  it("adopts an identical existing mailbox and refuses a different one, saying how to adopt it", async () => {
    emu.putMailbox(DOMAIN, { local_part: "ali", name: "Ali Alavi" }, "their-own-password");
    const p = provider({ readCacheTtlMs: 60_000 });
    // No fresh list: the create is sent, Migadu answers "taken", the one mailbox is read back.
    const adopted = await p.createMailbox(mailbox("ali", { name: "Ali Alavi" }));
    expect(adopted).toMatchObject({ localPart: "ali", name: "Ali Alavi", suspended: false });
    expect(emu.passwordOf(DOMAIN, "ali")).toBe("their-own-password");
    expect(emu.log.map((r) => `${r.route} ${r.status}`)).toEqual([
      "POST /domains/:domain/mailboxes 422",
      "GET /domains/:domain/mailboxes/:local_part 200",
      "GET /domains/:domain/aliases 200",
    ]);
    // A fresh list: adopted from it, nothing sent.
    emu.resetLog();
    await p.listMailboxes(DOMAIN);
    expect(await p.createMailbox(mailbox("ali", { name: "Ali Alavi" }))).toEqual(adopted);
    expect(emu.countsByRoute()).toEqual({ "GET /domains/:domain/mailboxes": 1 });

    const err = await p
      .createMailbox(mailbox("ali", { name: "Someone Else" }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toBe(
      'migadu createMailbox: ali@acme.com already exists at Migadu with different settings (name: "Ali Alavi" ≠ "Someone Else"); declare it as it exists (Mailplane adopts identical accounts) or choose another address',
    );
  });

  it("maps a mailbox created behind the read cache (422 taken) to adoption or conflict", async () => {
    const p = provider({ readCacheTtlMs: 60_000 });
    expect(await p.getMailbox(DOMAIN, "race")).toBeUndefined(); // caches "absent"
    emu.putMailbox(DOMAIN, { local_part: "race", name: "Person race" });
    expect(await p.createMailbox(mailbox("race"))).toMatchObject({ localPart: "race" });
    emu.putAlias(DOMAIN, "sales", ["ali@acme.com"]);
    const err = await p.createMailbox(mailbox("sales")).catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      "migadu createMailbox: sales@acme.com already exists at Migadu as an alias (an alias uses this address); declare it as it exists (Mailplane adopts identical accounts) or choose another address",
    );
  });

  it("reports updates of a missing mailbox as NotFoundError with the API's message", async () => {
    const err = await provider()
      .updateMailbox(DOMAIN, "ghost", { name: "G" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toBe(
      "migadu updateMailbox failed: NotFound (HTTP 404): Mailbox not found",
    );
  });

  it("declares what Migadu can do", () => {
    expect(migaduCapabilities).toEqual({
      mailboxes: true,
      aliasesPerMailbox: Infinity,
      standaloneAliases: true,
      groups: true,
      sharedMailboxes: false,
      suspend: true,
      quota: false,
      passwords: true,
      forceChangeAtLogin: false,
      require2fa: false,
      externalForward: true,
      catchAll: false,
      domainAliases: false,
      renameInPlace: false,
      groupSenders: false,
    });
    const asInterface: MailProvider = provider();
    expect(asInterface.renameMailbox).toBeUndefined();
  });
});

describe("Migadu adapter: aliases and groups", () => {
  it("writes destinations comma-separated and reads them as a sorted array", async () => {
    const p = provider();
    const created = await p.createAlias({
      domain: DOMAIN,
      localPart: "info",
      destinations: ["Zhangsan@acme.com", "ali@acme.com", "partner@example.net"],
    });
    expect(created).toEqual({
      domain: DOMAIN,
      localPart: "info",
      destinations: ["ali@acme.com", "partner@example.net", "zhangsan@acme.com"],
    });
    expect(await p.getAlias(DOMAIN, "info")).toEqual(created);
    expect(await p.updateAlias(DOMAIN, "info", ["ali@acme.com"])).toEqual({
      ...created,
      destinations: ["ali@acme.com"],
    });
    // identical create adopts, different create conflicts
    expect(
      await p.createAlias({ domain: DOMAIN, localPart: "info", destinations: ["ali@acme.com"] }),
    ).toEqual({
      ...created,
      destinations: ["ali@acme.com"],
    });
    await expect(
      p.createAlias({ domain: DOMAIN, localPart: "info", destinations: ["x@acme.com"] }),
    ).rejects.toThrow(
      "migadu createAlias: info@acme.com already exists at Migadu with other destinations (ali@acme.com ≠ x@acme.com); declare it as it exists (Mailplane adopts identical accounts) or choose another address",
    );
    await expect(p.updateAlias(DOMAIN, "info", ["not an address"])).rejects.toThrow(
      'migadu updateAlias: destinations: "not an address" is not an email address',
    );
    await p.deleteAlias(DOMAIN, "info");
    await p.deleteAlias(DOMAIN, "info");
    expect(await p.listAliases(DOMAIN)).toEqual([]);
  });

  it("realises groups as aliases with several destinations", async () => {
    const p = provider();
    const g = await p.createGroup({
      domain: DOMAIN,
      localPart: "all-staff",
      name: "All staff",
      members: ["zhangsan@acme.com", "ali@acme.com"],
    });
    // Migadu has nowhere to store the name: it reads back as not stored.
    expect(g).toEqual({
      domain: DOMAIN,
      localPart: "all-staff",
      members: ["ali@acme.com", "zhangsan@acme.com"],
    });
    expect(await p.getGroup(DOMAIN, "all-staff")).toEqual(g);
    expect(await p.updateGroup(DOMAIN, "all-staff", { name: "Everyone" })).toEqual(g);
    expect(emu.aliases(DOMAIN)[0]!.destinations).toEqual(["ali@acme.com", "zhangsan@acme.com"]);
    await p.createAlias({ domain: DOMAIN, localPart: "hr", destinations: ["ali@acme.com"] });
    expect((await p.listGroups(DOMAIN)).map((x) => x.localPart)).toEqual(["all-staff"]);
    expect(await p.updateGroup(DOMAIN, "all-staff", { members: ["ali@acme.com"] })).toMatchObject({
      members: ["ali@acme.com"],
    });
    await p.deleteGroup(DOMAIN, "all-staff");
    expect(await p.getGroup(DOMAIN, "all-staff")).toBeUndefined();
  });
});

describe("Migadu adapter: batched reads", () => {
  it("serves 100 concurrent getMailbox calls from one list request per resource kind", async () => {
    for (let i = 0; i < 100; i++)
      emu.putMailbox(DOMAIN, { local_part: `user${i}`, name: `User ${i}` });
    emu.putAlias(DOMAIN, "u0", ["user0@acme.com"]);
    // Separate adapter instances, as the Pulumi runtime may build them: the cache is per process.
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => provider().getMailbox(DOMAIN, `user${i}`)),
    );
    expect(results.filter((r) => r !== undefined)).toHaveLength(100);
    expect(results[0]!.aliases).toEqual(["u0"]);
    expect(emu.countsByRoute()).toEqual({
      "GET /domains/:domain/mailboxes": 1,
      "GET /domains/:domain/aliases": 1,
    });
  });

  it("writes through the cached lists: created, updated and deleted items without a new list", async () => {
    const p = provider({ readCacheTtlMs: 60_000 });
    expect(await p.listMailboxes(DOMAIN)).toEqual([]);
    await p.createMailbox(mailbox("new", { aliases: ["nouveau"] }));
    await p.createMailbox(mailbox("old"));
    await p.updateMailbox(DOMAIN, "new", { name: "Renamed" });
    await p.createAlias({ domain: DOMAIN, localPart: "hr", destinations: ["old@acme.com"] });
    await p.deleteMailbox(DOMAIN, "old");
    expect(await p.listMailboxes(DOMAIN)).toEqual([
      {
        domain: DOMAIN,
        localPart: "new",
        name: "Renamed",
        suspended: false,
        aliases: ["nouveau"],
        forwardTo: [],
      },
    ]);
    // hr@ delivers to the deleted mailbox, but the delete never removes an alias.
    expect(await p.listAliases(DOMAIN)).toEqual([
      { domain: DOMAIN, localPart: "hr", destinations: ["old@acme.com"] },
      { domain: DOMAIN, localPart: "nouveau", destinations: ["new@acme.com"] },
    ]);
    expect(emu.countsByRoute()).toEqual({
      "GET /domains/:domain/mailboxes": 1,
      "GET /domains/:domain/aliases": 1,
      "POST /domains/:domain/mailboxes": 2,
      "POST /domains/:domain/aliases": 2,
      "PUT /domains/:domain/mailboxes/:local_part": 1,
      "DELETE /domains/:domain/mailboxes/:local_part": 1,
    });
  });

  it("creates N mailboxes with N creates and one list per resource kind", async () => {
    const p = provider({ readCacheTtlMs: 60_000 });
    await p.listMailboxes(DOMAIN); // what the Pulumi runtime reads first
    const created = await Promise.all(
      Array.from({ length: 200 }, (_, i) => p.createMailbox(mailbox(`user${i}`))),
    );
    expect(created.map((m) => m.localPart)).toEqual(
      Array.from({ length: 200 }, (_, i) => `user${i}`),
    );
    expect(emu.countsByRoute()).toEqual({
      "GET /domains/:domain/mailboxes": 1,
      "GET /domains/:domain/aliases": 1,
      "POST /domains/:domain/mailboxes": 200,
    });
    expect((await p.listMailboxes(DOMAIN)).length).toBe(200);
    expect(emu.count()).toBe(202);
  });

  it("creates without a list when the cache is stale, and drops the list when a write fails", async () => {
    const p = provider({ readCacheTtlMs: 60_000 });
    await p.createMailbox(mailbox("a"));
    expect(emu.countsByRoute()).toEqual({
      "POST /domains/:domain/mailboxes": 1,
      "GET /domains/:domain/aliases": 1,
    });
    await p.listMailboxes(DOMAIN);
    emu.inject({
      kind: "status",
      status: 400,
      method: "PUT",
      route: "/domains/:domain/mailboxes/:local_part",
      body: { error: "Invalid" },
    });
    await expect(p.updateMailbox(DOMAIN, "a", { name: "A" })).rejects.toThrow(
      "migadu updateMailbox failed",
    );
    emu.resetLog();
    expect((await p.listMailboxes(DOMAIN)).map((m) => m.localPart)).toEqual(["a"]);
    expect(emu.countsByRoute()).toEqual({ "GET /domains/:domain/mailboxes": 1 });
  });

  it("does not page: Migadu lists every mailbox of a domain in one response", async () => {
    for (let i = 0; i < 250; i++) emu.putMailbox(DOMAIN, { local_part: `m${i}`, name: `M ${i}` });
    expect(await provider().listMailboxes(DOMAIN)).toHaveLength(250);
    expect(emu.count("GET /domains/:domain/mailboxes")).toBe(1);
  });
});

describe("Migadu adapter: retries and faults", () => {
  it("honours Retry-After on 429 and measures the wait", async () => {
    emu.inject({
      kind: "status",
      status: 429,
      route: "/domains/:domain/mailboxes",
      method: "GET",
      headers: { "retry-after": "1" },
      body: { error: "Too many requests" },
    });
    const started = performance.now();
    expect(await provider().listMailboxes(DOMAIN)).toEqual([]);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(1000);
    expect(waited).toBeLessThan(2500);
    expect(emu.log.map((r) => r.status)).toEqual([429, 200, 200]);
  });

  it("retries Migadu's 403 rate-limit answer and fails as RateLimited when it persists", async () => {
    emu.configureRateLimit({ limit: 1, windowMs: 60_000 });
    const p = provider({
      readCacheTtlMs: 0,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    });
    expect(await p.listAliases(DOMAIN)).toEqual([]);
    const err = await p.listAliases(DOMAIN).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as Error).message).toBe(
      "migadu listAliases failed: RateLimited (HTTP 403): Rate limit exceeded. Too many requests, please slow down.",
    );
    expect(emu.log.map((r) => r.status)).toEqual([200, 403, 403, 403]);
  });

  it("retries a 500 and then succeeds", async () => {
    emu.inject({
      kind: "status",
      status: 500,
      method: "PUT",
      route: "/domains/:domain/aliases/:local_part",
    });
    emu.putAlias(DOMAIN, "hr", ["ali@acme.com"]);
    expect(await provider().updateAlias(DOMAIN, "hr", ["zhangsan@acme.com"])).toMatchObject({
      destinations: ["zhangsan@acme.com"],
    });
    expect(emu.log.map((r) => `${r.method} ${r.status}`)).toEqual(["PUT 500", "PUT 200"]);
  });

  it("creates exactly one mailbox when the connection drops after the create took effect", async () => {
    emu.inject({
      kind: "drop",
      when: "after",
      method: "POST",
      route: "/domains/:domain/mailboxes",
    });
    const state = await provider().createMailbox(mailbox("once"));
    expect(state.localPart).toBe("once");
    expect(emu.mailboxes(DOMAIN).map((m) => m.local_part)).toEqual(["once"]);
    expect(emu.log.map((r) => `${r.route} ${r.status}`)).toEqual([
      "POST /domains/:domain/mailboxes dropped",
      "GET /domains/:domain/mailboxes/:local_part 200",
      "GET /domains/:domain/aliases 200",
    ]);
  });

  it("sends the create again when the connection dropped before it took effect", async () => {
    emu.inject({
      kind: "drop",
      when: "before",
      method: "POST",
      route: "/domains/:domain/mailboxes",
    });
    await provider().createMailbox(mailbox("twice"));
    expect(emu.mailboxes(DOMAIN).map((m) => m.local_part)).toEqual(["twice"]);
    expect(emu.count("POST /domains/:domain/mailboxes")).toBe(2);
    expect(emu.count("GET /domains/:domain/mailboxes/:local_part")).toBe(1);
  });

  it("times out a slow response and retries it", async () => {
    emu.inject({ kind: "delay", ms: 400, method: "GET", route: "/domains/:domain/aliases" });
    const p = provider({ timeoutMs: 150 });
    expect(await p.listAliases(DOMAIN)).toEqual([]);
    expect(emu.count("GET /domains/:domain/aliases")).toBe(2);
  });

  it("rejects a response that does not match the documented shape", async () => {
    emu.inject({
      kind: "status",
      status: 200,
      method: "GET",
      route: "/domains/:domain/mailboxes",
      body: { mailboxes: [{ local_part: "x", address: "x@acme.com", name: 42 }] },
    });
    const err = await provider()
      .listMailboxes(DOMAIN)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as Error).message).toBe(
      "migadu listMailboxes failed: ProviderError (HTTP 200): unexpected response to GET /domains/acme.com/mailboxes: mailboxes.0.name: Invalid input: expected string, received number; mailboxes.0.is_internal: Invalid input: expected boolean, received undefined; mailboxes.0.may_send: Invalid input: expected boolean, received undefined; mailboxes.0.may_receive: Invalid input: expected boolean, received undefined; mailboxes.0.may_access_imap: Invalid input: expected boolean, received undefined",
    );
  });
});

describe("Migadu adapter: request budget", () => {
  it("keeps 200 concurrent operations within rate + burst per second", async () => {
    const budget = { ratePerSecond: 60, burst: 10 };
    const p = provider({ budget, baseUrl: url });
    // Every request goes through the one process-wide budget of Migadu at this endpoint.
    const bucket = requestBudget(`migadu ${url.replace(/\/+$/, "")}`, budget);
    let granted = 0;
    const acquire = bucket.acquire.bind(bucket);
    bucket.acquire = () => acquire().then(() => void (granted += 1));
    // distinct adapters share the same process-wide budget
    const ops = Array.from({ length: 200 }, (_, i) =>
      (i % 2 === 0 ? p : provider({ budget }))
        .updateAlias(DOMAIN, `a${i % 20}`, [`d${i}@acme.com`])
        .catch((e: unknown) => e),
    );
    for (let i = 0; i < 20; i++) emu.putAlias(DOMAIN, `a${i}`, ["x@acme.com"]);
    const started = performance.now();
    const results = await Promise.all(ops);
    const seconds = (performance.now() - started) / 1000;
    expect(results.filter((r) => r instanceof Error)).toEqual([]);
    expect(emu.count()).toBe(200);
    expect(granted).toBe(200);
    // Never faster than the rate after the burst. (That no 1 s window holds more than rate +
    // burst is checked with a fake clock in http/budget.test.ts: measured here, arrival times
    // bunch up when this machine is busy, and the test was flaky.)
    expect(seconds).toBeGreaterThan((200 - budget.burst) / budget.ratePerSecond - 0.2);
  }, 20_000);
});

describe("Migadu adapter: credentials", () => {
  it("never puts the API key or a password in an error", async () => {
    const errors: unknown[] = [];
    const bad = provider({ apiKey: `${KEY}-wrong` });
    errors.push(await bad.listMailboxes(DOMAIN).catch((e: unknown) => e));
    emu.inject({
      kind: "status",
      status: 422,
      method: "POST",
      route: "/domains/:domain/mailboxes",
      body: { error: `password ${PASSWORD} rejected for key ${KEY}` },
    });
    errors.push(
      await provider()
        .createMailbox(mailbox("leak"))
        .catch((e: unknown) => e),
    );
    await emu.stop();
    errors.push(
      await provider()
        .listAliases(DOMAIN)
        .catch((e: unknown) => e),
    );

    expect(errors[0]).toBeInstanceOf(AuthError);
    expect((errors[0] as Error).message).toBe(
      "migadu listMailboxes failed: Auth (HTTP 401): Unauthorized",
    );
    expect((errors[1] as Error).message).toBe(
      "migadu createMailbox failed: ProviderError (HTTP 422): password [redacted] rejected for key [redacted]",
    );
    expect(errors[2]).toBeInstanceOf(ProviderError);
    expect((errors[2] as Error).message).toMatch(
      /^migadu listAliases failed: ProviderError: ECONNREFUSED.*\(GET \/domains\/acme\.com\/aliases\)$/,
    );
    const basic = Buffer.from(`${USER}:${KEY}`).toString("base64");
    for (const e of errors) {
      expect(e).toBeInstanceOf(MailProviderError);
      for (const text of [
        (e as Error).message,
        JSON.stringify(e),
        inspect(e, { depth: 10 }),
        String((e as Error).stack),
      ]) {
        expect(text).not.toContain(KEY);
        expect(text).not.toContain(PASSWORD);
        expect(text).not.toContain(basic);
        expect(text).not.toMatch(/authorization/i);
      }
    }
  });

  it("reads credentials from the environment at call time and names what is missing", () => {
    expect(
      migaduCredentialsFromEnv({
        MIGADU_USER: USER,
        MIGADU_API_KEY: KEY,
        MIGADU_API_URL: "http://127.0.0.1:1/v1",
      }),
    ).toEqual({ user: USER, apiKey: KEY, baseUrl: "http://127.0.0.1:1/v1" });
    expect(() => migaduCredentialsFromEnv({ MIGADU_USER: USER })).toThrow(
      "migadu credentials missing: set MIGADU_API_KEY (admin email and API key from My Account > API Keys)",
    );
    expect(() => createMigaduProvider({ user: "admin", apiKey: KEY })).toThrow(
      'migadu: user must be the admin email address of the Migadu account, got "admin"',
    );
    expect(() => createMigaduProvider({ user: USER, apiKey: " " })).toThrow(
      "migadu: apiKey must be a non-empty Migadu API key (value not shown)",
    );
  });
});
