/**
 * Real-server test of the self-hosted provider: PostgreSQL, Postfix and Dovecot from Debian
 * packages, started on 127.0.0.1 high ports in a temp dir (test/real/servers), configured from
 * the provider's own `mailServerConfig`. For each store (sqlite, postgres) a MailDomain is
 * parsed and planned by core and applied through the adapter, then mail is sent with nodemailer
 * and read with imapflow.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMailDomain, planAccounts, type MailDomainInput } from "@mailplane/core";
import {
  applyAccountPlan,
  SELF_HOSTED_CAPABILITIES,
  SelfHostedProvider,
  type MailServerStoreAccess,
  type SelfHostedStoreConfig,
} from "@mailplane/providers";
import { inboxSubjects, loginResult, send, smtp, waitForInbox } from "./mail-client";
import {
  serverTempDir,
  startMailServers,
  startPostgres,
  type MailServers,
  type PostgresServer,
} from "./servers";

const NOW = new Date("2026-06-01T00:00:00Z");
const PASSWORDS = { ali: "ali-pass-1", zhangsan: "zhangsan-pass-2", bob: "bob-pass-3" };

const acme = (overrides: Partial<MailDomainInput> = {}): MailDomainInput => ({
  domain: "acme.test",
  domainAliases: ["acme-alias.test"],
  mailboxes: {
    ali: { name: "Ali Alavi", quotaMb: 2048, department: "Board" },
    zhangsan: { name: "Zhang San", aliases: ["san.zhang"] },
    bob: { name: "Bob Builder" },
  },
  shared: { info: { members: ["ali", "zhangsan"] } },
  aliases: { hr: "ali" },
  groups: { "all-staff": { members: ["ali", "zhangsan", "bob"] } },
  postmaster: "ali",
  abuse: "ali",
  ...overrides,
});

const shop: MailDomainInput = {
  domain: "shop.test",
  catchAll: ["bob@acme.test"],
  postmaster: "bob@acme.test",
  abuse: "bob@acme.test",
};

const plan = (input: MailDomainInput) =>
  planAccounts(parseMailDomain(input), { now: NOW, capabilities: SELF_HOSTED_CAPABILITIES });

let root: string;
let pg: PostgresServer;
const setupTimes: Record<string, number> = {};

beforeAll(async () => {
  root = serverTempDir("selfhosted");
  const t0 = Date.now();
  pg = await startPostgres(root);
  setupTimes.postgres = Date.now() - t0;
});

afterAll(async () => {
  await pg?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
  console.log(`[real] server set-up times (ms): ${JSON.stringify(setupTimes)}`);
});

describe.each(["sqlite", "postgres"] as const)("self-hosted provider on %s", (kind) => {
  let provider: SelfHostedProvider;
  let servers: MailServers;
  let transport: ReturnType<typeof smtp>;

  beforeAll(async () => {
    const dir = path.join(root, kind);
    fs.mkdirSync(dir, { mode: 0o755 });
    let store: SelfHostedStoreConfig;
    let access: MailServerStoreAccess;
    if (kind === "sqlite") {
      const dbPath = path.join(dir, "store", "mail.sqlite");
      store = { type: "sqlite", path: dbPath };
      access = { type: "sqlite", path: dbPath };
    } else {
      store = { type: "postgres", connectionString: pg.connectionString };
      access = {
        type: "postgres",
        host: "127.0.0.1",
        port: pg.port,
        dbname: "mail",
        user: "mailplane",
      };
    }
    provider = new SelfHostedProvider(store);
    await provider.ensureDomain("acme.test"); // creates the sqlite file and the tables
    if (kind === "sqlite") fs.chmodSync(path.join(dir, "store"), 0o755);
    const t0 = Date.now();
    servers = await startMailServers(dir, access);
    setupTimes[`postfix+dovecot (${kind})`] = Date.now() - t0;
    transport = smtp(servers.smtpPort);
  });

  afterAll(async () => {
    transport?.close();
    await servers?.stop();
    await provider?.close();
  });

  it("applies a MailDomain: people, shared info@, an alias, a group, a catch-all on a second domain", async () => {
    const first = await applyAccountPlan(provider, plan(acme()), PASSWORDS);
    expect(first.changes).toEqual([
      "set domain aliases of acme.test: acme-alias.test",
      "create mailbox ali@acme.test",
      "create mailbox zhangsan@acme.test",
      "create mailbox bob@acme.test",
      "create alias info@acme.test",
      "create alias hr@acme.test",
      "create alias postmaster@acme.test",
      "create alias abuse@acme.test",
      "create group all-staff@acme.test",
    ]);
    expect((await applyAccountPlan(provider, plan(shop))).changes).toEqual([
      "set catch-all of shop.test: bob@acme.test",
      "create alias postmaster@shop.test",
      "create alias abuse@shop.test",
    ]);
    // Applying again changes nothing.
    expect((await applyAccountPlan(provider, plan(acme()), PASSWORDS)).changes).toEqual([]);
    expect(await provider.listMailboxes("acme.test")).toEqual([
      {
        domain: "acme.test",
        localPart: "ali",
        name: "Ali Alavi",
        quotaMb: 2048,
        department: "Board",
        suspended: false,
        aliases: [],
        forwardTo: [],
      },
      {
        domain: "acme.test",
        localPart: "bob",
        name: "Bob Builder",
        suspended: false,
        aliases: [],
        forwardTo: [],
      },
      {
        domain: "acme.test",
        localPart: "zhangsan",
        name: "Zhang San",
        suspended: false,
        aliases: ["san.zhang"],
        forwardTo: [],
      },
    ]);
    expect(await provider.listGroups("acme.test")).toEqual([
      {
        domain: "acme.test",
        localPart: "all-staff",
        name: "all-staff",
        members: ["ali@acme.test", "bob@acme.test", "zhangsan@acme.test"],
      },
    ]);
    expect(await provider.getCatchAll("shop.test")).toEqual(["bob@acme.test"]);
  });

  it("delivers each message to exactly the mailboxes it should, and refuses a wrong password", async () => {
    const targets = [
      "ali@acme.test",
      "zhangsan@acme.test",
      "bob@acme.test",
      "info@acme.test",
      "hr@acme.test",
      "all-staff@acme.test",
      "san.zhang@acme.test",
      "postmaster@acme.test",
      "zhangsan@acme-alias.test",
      "anything@shop.test",
    ];
    for (const to of targets) {
      expect(await send(transport, to, `to ${to}`)).toMatch(/^250 2\.0\.0 Ok: queued as /);
    }
    const expected = {
      ali: [
        "to ali@acme.test",
        "to all-staff@acme.test",
        "to hr@acme.test",
        "to info@acme.test",
        "to postmaster@acme.test",
      ],
      zhangsan: [
        "to all-staff@acme.test",
        "to info@acme.test",
        "to san.zhang@acme.test",
        "to zhangsan@acme-alias.test",
        "to zhangsan@acme.test",
      ],
      bob: ["to all-staff@acme.test", "to anything@shop.test", "to bob@acme.test"],
    };
    for (const [user, subjects] of Object.entries(expected)) {
      const address = `${user}@acme.test`;
      const pass = PASSWORDS[user as keyof typeof PASSWORDS];
      await waitForInbox(servers.imapPort, address, pass, subjects.length);
      // Give a duplicate the chance to show up before asserting the exact set.
      await new Promise((r) => setTimeout(r, 300));
      expect(await inboxSubjects(servers.imapPort, address, pass)).toEqual(subjects);
    }
    expect(await loginResult(servers.imapPort, "ali@acme.test", "not-the-password")).toBe(
      "auth failed: Authentication failed.",
    );
    await expect(send(transport, "nobody@acme.test", "unknown")).rejects.toMatchObject({
      code: "EENVELOPE",
      response: expect.stringMatching(
        /^550 5\.1\.1 <nobody@acme\.test>: Recipient address rejected: User unknown/,
      ),
    });
  });

  it("rejects mail to a removed alias at RCPT", async () => {
    expect(
      (await applyAccountPlan(provider, plan(acme({ aliases: {} })), PASSWORDS)).changes,
    ).toEqual(["delete alias hr@acme.test"]);
    await expect(send(transport, "hr@acme.test", "after removal")).rejects.toMatchObject({
      code: "EENVELOPE",
      response:
        "550 5.1.1 <hr@acme.test>: Recipient address rejected: User unknown in virtual mailbox table",
    });
  });

  it("suspends a mailbox: no login, mail still delivered and kept", async () => {
    const suspended = acme({
      aliases: {},
      mailboxes: {
        ali: { name: "Ali Alavi", quotaMb: 2048, department: "Board" },
        zhangsan: { name: "Zhang San", aliases: ["san.zhang"] },
        bob: { name: "Bob Builder", suspended: true },
      },
    });
    expect((await applyAccountPlan(provider, plan(suspended), PASSWORDS)).changes).toEqual([
      "update mailbox bob@acme.test",
    ]);
    expect(await loginResult(servers.imapPort, "bob@acme.test", PASSWORDS.bob)).toBe(
      "auth failed: Authentication failed.",
    );
    expect(await send(transport, "bob@acme.test", "while suspended")).toMatch(/^250 /);
    // Wait for the delivery to land in the maildir, then lift the suspension and read it.
    const maildir = path.join(servers.dir, "mail", "acme.test", "bob", "Maildir");
    const countFiles = () =>
      ["new", "cur"].reduce(
        (n, sub) =>
          n +
          (fs.existsSync(path.join(maildir, sub))
            ? fs.readdirSync(path.join(maildir, sub)).length
            : 0),
        0,
      );
    const deadline = Date.now() + 20_000;
    while (countFiles() < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(countFiles()).toBe(4);
    await provider.updateMailbox("acme.test", "bob", { suspended: false });
    expect(await inboxSubjects(servers.imapPort, "bob@acme.test", PASSWORDS.bob)).toEqual([
      "to all-staff@acme.test",
      "to anything@shop.test",
      "to bob@acme.test",
      "while suspended",
    ]);
  });
});
