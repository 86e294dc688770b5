/**
 * Real-server test of the self-hosted provider: PostgreSQL, Postfix and Dovecot from Debian
 * packages, started on 127.0.0.1 high ports in a temp dir (test/real/servers), configured from
 * the provider's own `mailServerConfig`. For each store (sqlite, postgres) a MailDomain is
 * parsed and planned by core and applied, then mail is sent with nodemailer and read with
 * imapflow.
 *
 * On sqlite the accounts go the Pulumi way: `providers.selfHosted(...).createAccounts` builds
 * the Mailbox/Alias/MailGroup/CatchAll/DomainAlias resources (under Pulumi mocks, which record
 * their inputs), and each resource's inputs go through the runtime's check → create (and later
 * diff → update, delete) exactly as the engine calls the dynamic provider. On postgres they go
 * through `applyAccountPlan`. Both must leave the same store (re-applying changes nothing).
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
import * as pulumi from "@pulumi/pulumi";
import { providers } from "@mailplane/pulumi";
import * as runtime from "../../packages/pulumi/src/runtime/index";
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

type Props = Record<string, unknown>;

/** A dynamic resource as the component registered it: the inputs the engine hands the provider. */
interface Registered {
  type: string;
  name: string;
  inputs: Props;
}

const registered: Registered[] = [];

class Stack extends pulumi.ComponentResource {
  constructor(name: string) {
    super("test:index:Stack", name);
  }
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/**
 * Inputs as the dynamic provider host hands them to the provider: secrets unwrapped (the mocks
 * keep them wrapped), like the engine's dynamic provider server does.
 */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v !== "object" || v === null) return v;
  if (SECRET_SIG in v) return plain((v as { value?: unknown }).value);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
}

/** The runtime's provider for a resource type, as the mailplane provider plugin dispatches it. */
const RUNTIME_BY_TYPE: Record<string, typeof runtime.alias> = {
  "mailplane:index:Mailbox": runtime.mailbox as unknown as typeof runtime.alias,
  "mailplane:index:Alias": runtime.alias,
  "mailplane:index:MailGroup": runtime.group as unknown as typeof runtime.alias,
  "mailplane:index:CatchAll": runtime.catchAll as unknown as typeof runtime.alias,
  "mailplane:index:DomainAlias": runtime.domainAlias as unknown as typeof runtime.alias,
};

/** State the "engine" keeps per resource name: id and outputs. */
const engineState = new Map<string, { type: string; id: string; inputs: Props; outs: Props }>();

/**
 * Builds a domain's account resources with `providers.selfHosted(...).createAccounts` (under the
 * mocks) and creates them through the runtime, all at once as the engine does: check, then
 * create. Returns the created resource names, sorted.
 */
async function createThroughRuntime(
  binding: ReturnType<typeof providers.selfHosted>,
  name: string,
  input: MailDomainInput,
  passwords: Record<string, string> = {},
): Promise<string[]> {
  const start = registered.length;
  const children = binding.createAccounts(plan(input), {
    name,
    parent: new Stack(name),
    passwords: Object.fromEntries(Object.entries(passwords).map(([k, v]) => [k, pulumi.secret(v)])),
  });
  const all = [
    ...Object.values(children.mailboxes),
    ...Object.values(children.aliases),
    ...Object.values(children.groups),
    ...("catchAll" in children && children.catchAll ? [children.catchAll as pulumi.Resource] : []),
    ...Object.values(
      ("domainAliases" in children ? children.domainAliases : {}) as Record<
        string,
        pulumi.Resource
      >,
    ),
  ];
  await Promise.all(all.map((r) => new Promise((res) => r.urn.apply(res))));
  const mine = registered.slice(start).filter((r) => r.type in RUNTIME_BY_TYPE);
  await Promise.all(
    mine.map(async (r) => {
      const provider = RUNTIME_BY_TYPE[r.type]!;
      const { inputs, failures } = await provider.check({}, plain(r.inputs) as Props);
      expect(failures, r.name).toEqual([]);
      const { id, outs } = await provider.create(inputs);
      engineState.set(r.name, { type: r.type, id, inputs, outs: { ...outs } });
    }),
  );
  return mine.map((r) => r.name).sort();
}

let root: string;
let pg: PostgresServer;
const setupTimes: Record<string, number> = {};

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: () => ({}),
    },
    "mailplane",
    "real",
    false,
  );
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
  let store: SelfHostedStoreConfig;
  let servers: MailServers;
  let transport: ReturnType<typeof smtp>;

  beforeAll(async () => {
    const dir = path.join(root, kind);
    fs.mkdirSync(dir, { mode: 0o755 });
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
    if (kind === "sqlite") {
      // The Pulumi path: the binding's resources, created through the dynamic provider runtime.
      const binding = providers.selfHosted({
        store: { type: "sqlite", path: (store as { path: string }).path },
        mx: "mx.acme.test",
      });
      expect(await createThroughRuntime(binding, "acme", acme(), PASSWORDS)).toEqual([
        "acme-alias-abuse",
        "acme-alias-hr",
        "acme-alias-info",
        "acme-alias-postmaster",
        "acme-domain-alias-acme-alias.test",
        "acme-group-all-staff",
        "acme-mailbox-ali",
        "acme-mailbox-bob",
        "acme-mailbox-zhangsan",
      ]);
      expect(await createThroughRuntime(binding, "shop", shop)).toEqual([
        "shop-alias-abuse",
        "shop-alias-postmaster",
        "shop-catch-all",
      ]);
      expect(engineState.get("acme-mailbox-ali")!.id).toBe("selfHosted/acme.test/ali");
      // Outputs keep a fingerprint, never the password (inputs hold it as a secret).
      expect(JSON.stringify([...engineState.values()].map((e) => e.outs))).not.toContain(
        PASSWORDS.ali,
      );
      // The same store applyAccountPlan would have made: applying the plans changes nothing.
      expect((await applyAccountPlan(provider, plan(shop))).changes).toEqual([]);
    } else {
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
    }
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
    if (kind === "sqlite") {
      // Removed from code: the engine deletes the resource with its last state.
      const hr = engineState.get("acme-alias-hr")!;
      runtime.forgetClaims(); // removed from code in a later deployment
      await runtime.alias.delete(hr.id, hr.outs);
      engineState.delete("acme-alias-hr");
      expect(
        (await applyAccountPlan(provider, plan(acme({ aliases: {} })), PASSWORDS)).changes,
      ).toEqual([]);
    } else {
      expect(
        (await applyAccountPlan(provider, plan(acme({ aliases: {} })), PASSWORDS)).changes,
      ).toEqual(["delete alias hr@acme.test"]);
    }
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
    if (kind === "sqlite") {
      // An update as the engine runs it: check the new inputs, diff against state, update.
      const bob = engineState.get("acme-mailbox-bob")!;
      const { inputs, failures } = await runtime.mailbox.check(bob.inputs, {
        ...bob.inputs,
        suspended: true,
      });
      expect(failures).toEqual([]);
      const diff = await runtime.mailbox.diff(bob.id, bob.outs, inputs);
      expect([diff.changes, diff.replaces, Object.keys(diff.detailedDiff)]).toEqual([
        true,
        [],
        ["suspended"],
      ]);
      const { outs } = await runtime.mailbox.update(bob.id, bob.outs, inputs);
      expect(outs.suspended).toBe(true);
      expect((await applyAccountPlan(provider, plan(suspended), PASSWORDS)).changes).toEqual([]);
    } else {
      expect((await applyAccountPlan(provider, plan(suspended), PASSWORDS)).changes).toEqual([
        "update mailbox bob@acme.test",
      ]);
    }
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

  it("serves local parts Dovecot's default refuses and that share a path: o'brien, a/b, a//b (issue 11 §4)", async () => {
    // Another domain, so the acme.test plans above are not affected.
    const odd = { "o'brien": "obrien-pass-1", "a/b": "ab-pass-2", "a//b": "aab-pass-3" };
    for (const [localPart, password] of Object.entries(odd)) {
      await provider.createMailbox({
        domain: "odd.test",
        localPart,
        name: localPart,
        suspended: false,
        aliases: [],
        forwardTo: [],
        password,
      });
    }
    for (const localPart of Object.keys(odd)) {
      const to = `${localPart}@odd.test`;
      expect(await send(transport, to, `to ${to}`)).toMatch(/^250 2\.0\.0 Ok: queued as /);
    }
    for (const [localPart, password] of Object.entries(odd)) {
      const address = `${localPart}@odd.test`;
      await waitForInbox(servers.imapPort, address, password, 1);
      await new Promise((r) => setTimeout(r, 300));
      // Each mailbox holds its own message only: a/b and a//b are not one maildir.
      expect(await inboxSubjects(servers.imapPort, address, password)).toEqual([`to ${address}`]);
    }
  });
});
