import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  mailServerConfig,
  SelfHostedProvider,
  storeFromUrl,
  storeToUrl,
  verifyPassword,
} from "../src/index";
import { schemaDdl } from "../src/mail/self-hosted/schema";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailplane-sh-unit-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("mailServerConfig", () => {
  it("generates the Postfix sqlite lookups and Dovecot SQL settings", () => {
    const c = mailServerConfig({
      store: { type: "sqlite", path: "/var/lib/mail.sqlite" },
      postfixMapDir: "/etc/postfix/sql",
      mailRoot: "/var/vmail/",
    });
    expect(c.postfixMainCf).toEqual({
      virtual_mailbox_domains: "sqlite:/etc/postfix/sql/virtual-domains.cf",
      virtual_alias_maps:
        "sqlite:/etc/postfix/sql/virtual-alias.cf, sqlite:/etc/postfix/sql/virtual-alias-domain.cf, " +
        "sqlite:/etc/postfix/sql/virtual-alias-domain-catchall.cf",
      virtual_mailbox_maps: "sqlite:/etc/postfix/sql/virtual-mailbox.cf",
    });
    expect(c.postfixMaps["virtual-alias.cf"]).toBe(
      "dbpath = /var/lib/mail.sqlite\nquery = SELECT goto FROM alias WHERE address = '%s' AND active = 1\n",
    );
    expect(c.dovecotSqlConf).toBe(
      "driver = sqlite\n" +
        "connect = /var/lib/mail.sqlite\n" +
        "default_pass_scheme = ARGON2ID\n" +
        "password_query = SELECT username AS user, password FROM mailbox WHERE username = '%u' AND active = 1 AND password <> ''\n" +
        "user_query = SELECT '/var/vmail/' || maildir AS home, '*:bytes=' || CAST(quota AS varchar(32)) AS quota_rule FROM mailbox WHERE username = '%u'\n" +
        "iterate_query = SELECT username AS user FROM mailbox\n",
    );
  });

  it("uses pgsql hosts and boolean literals for PostgreSQL, without a password", () => {
    const c = mailServerConfig({
      store: { type: "postgres", host: "db.internal", dbname: "mail", user: "postfix" },
      postfixMapDir: "/etc/postfix/sql",
      mailRoot: "/var/vmail",
    });
    expect(c.postfixMaps["virtual-domains.cf"]).toBe(
      "hosts = inet:db.internal:5432\nuser = postfix\ndbname = mail\n" +
        "query = SELECT domain FROM domain WHERE domain = '%s' AND active = true AND backupmx = false\n",
    );
    expect(c.dovecotSqlConf.split("\n")[1]).toBe(
      "connect = host=db.internal port=5432 dbname=mail user=postfix",
    );
  });
});

describe("schemaDdl", () => {
  it("ends every PostfixAdmin table with created, modified and active, in each dialect", () => {
    const alias = (dialect: "sqlite" | "postgres") =>
      schemaDdl(dialect).find((sql) => sql.startsWith("CREATE TABLE IF NOT EXISTS alias ("));
    expect(alias("sqlite")).toBe(
      "CREATE TABLE IF NOT EXISTS alias (\n" +
        "  address varchar(255) NOT NULL PRIMARY KEY,\n" +
        "  goto text NOT NULL,\n" +
        "  domain varchar(255) NOT NULL,\n" +
        "  created text NOT NULL DEFAULT CURRENT_TIMESTAMP,\n" +
        "  modified text NOT NULL DEFAULT CURRENT_TIMESTAMP,\n" +
        "  active integer NOT NULL DEFAULT 1\n" +
        ")",
    );
    expect(alias("postgres")).toBe(
      "CREATE TABLE IF NOT EXISTS alias (\n" +
        "  address varchar(255) NOT NULL PRIMARY KEY,\n" +
        "  goto text NOT NULL,\n" +
        "  domain varchar(255) NOT NULL,\n" +
        "  created timestamp with time zone NOT NULL DEFAULT now(),\n" +
        "  modified timestamp with time zone NOT NULL DEFAULT now(),\n" +
        "  active boolean NOT NULL DEFAULT true\n" +
        ")",
    );
    const tables = (dialect: "sqlite" | "postgres") =>
      schemaDdl(dialect).filter((sql) => sql.startsWith("CREATE TABLE"));
    expect(
      tables("postgres").map((sql) => sql.endsWith("active boolean NOT NULL DEFAULT true\n)")),
    ).toEqual([true, true, true, true, false]);
    expect(
      tables("sqlite").map((sql) => sql.endsWith("active integer NOT NULL DEFAULT 1\n)")),
    ).toEqual([true, true, true, true, false]);
  });
});

describe("store locator", () => {
  it("round-trips sqlite and env-based postgres stores", () => {
    expect(storeToUrl({ type: "sqlite", path: "/var/lib/mail box.sqlite" })).toBe(
      "sqlite:///var/lib/mail%20box.sqlite",
    );
    expect(storeFromUrl("sqlite:///var/lib/mail%20box.sqlite")).toEqual({
      type: "sqlite",
      path: "/var/lib/mail box.sqlite",
    });
    expect(storeToUrl({ type: "postgres" })).toBe("postgresql+env://MAILPLANE_PG_URL");
    expect(storeFromUrl("postgresql+env://MAILPLANE_PG_URL")).toEqual({
      type: "postgres",
      connectionStringEnv: "MAILPLANE_PG_URL",
    });
  });

  it("refuses a connection string with a password and unknown schemes", () => {
    expect(() =>
      storeToUrl({ type: "postgres", connectionString: "postgresql://u:s3cret@db/mail" }),
    ).toThrow(
      "selfHosted store: the postgres connection string carries a password, which would be stored in plaintext in state; put it in an environment variable and give connectionStringEnv (default MAILPLANE_PG_URL) instead",
    );
    expect(() => storeFromUrl("mysql://db/mail")).toThrow(
      'selfHosted store: "mysql" is not a store URL scheme; allowed: sqlite:///abs/path, postgresql://user@host/db, postgresql+env://VAR',
    );
  });
});

describe("SelfHostedProvider on a sqlite file", () => {
  const provider = new SelfHostedProvider({
    type: "sqlite",
    path: path.join(dir, "s", "m.sqlite"),
  });
  afterAll(() => provider.close());

  it("stores only an ARGON2ID hash of the password", async () => {
    await provider.createMailbox({
      domain: "acme.test",
      localPart: "ali",
      name: "Ali",
      suspended: false,
      aliases: ["a.alavi"],
      forwardTo: [],
      password: "plain-secret",
    });
    const raw = fs.readFileSync(path.join(dir, "s", "m.sqlite"));
    expect(raw.includes("plain-secret")).toBe(false);
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(path.join(dir, "s", "m.sqlite"), { readonly: true });
    const row = db
      .prepare("SELECT password FROM mailbox WHERE username = ?")
      .get("ali@acme.test") as {
      password: string;
    };
    db.close();
    expect(row.password.startsWith("{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$")).toBe(true);
    expect(await verifyPassword(row.password, "plain-secret")).toBe(true);
    expect(await verifyPassword(row.password, "wrong")).toBe(false);
  });

  it("reports conflicts, missing objects and bad input with exact messages", async () => {
    await expect(
      provider.createAlias({
        domain: "acme.test",
        localPart: "a.alavi",
        destinations: ["someone@acme.test"],
      }),
    ).rejects.toThrow(
      "selfHosted createAlias: a.alavi@acme.test already exists delivering to ali@acme.test",
    );
    await expect(
      provider.createGroup({
        domain: "acme.test",
        localPart: "ali",
        name: "Ali",
        members: ["ali@acme.test"],
      }),
    ).rejects.toThrow("selfHosted createGroup: ali@acme.test already exists as a mailbox");
    await expect(provider.deleteAlias("acme.test", "nobody")).rejects.toThrow(
      "selfHosted deleteAlias: nobody@acme.test does not exist",
    );
    await expect(
      provider.createAlias({ domain: "acme.test", localPart: "Bad Name", destinations: [] }),
    ).rejects.toThrow(
      'selfHosted createAlias: localPart "Bad Name" is not valid; allowed: a lower-case RFC 5321 dot-atom local part of at most 64 characters',
    );
  });

  it("renames a mailbox in place, carrying its aliases and the groups that reach it", async () => {
    await provider.createGroup({
      domain: "acme.test",
      localPart: "board",
      name: "Board",
      members: ["ali@acme.test"],
    });
    const renamed = await provider.renameMailbox("acme.test", "ali", "ali.alavi");
    expect(renamed).toEqual({
      domain: "acme.test",
      localPart: "ali.alavi",
      name: "Ali",
      suspended: false,
      aliases: ["a.alavi"],
      forwardTo: [],
    });
    expect(await provider.getGroup("acme.test", "board")).toEqual({
      domain: "acme.test",
      localPart: "board",
      name: "Board",
      members: ["ali.alavi@acme.test"],
    });
  });

  it("keeps aliases and groups apart and checks both alike, naming each operation", async () => {
    const d = "kinds.test";
    const messageOf = (p: Promise<unknown>) =>
      p.then(
        () => "resolved",
        (e: unknown) => `${(e as Error).name}: ${(e as Error).message}`,
      );
    expect(
      await provider.createAlias({
        domain: d,
        localPart: "sales",
        destinations: ["b@x.test", "a@x.test", "b@x.test"],
      }),
    ).toEqual({ domain: d, localPart: "sales", destinations: ["a@x.test", "b@x.test"] });
    expect(
      await provider.createGroup({ domain: d, localPart: "team", members: ["a@x.test"] }),
    ).toEqual({ domain: d, localPart: "team", name: "", members: ["a@x.test"] });
    expect(await provider.updateGroup(d, "team", { name: "Team" })).toEqual({
      domain: d,
      localPart: "team",
      name: "Team",
      members: ["a@x.test"],
    });
    expect(await provider.updateGroup(d, "team", { members: ["c@x.test", "a@x.test"] })).toEqual({
      domain: d,
      localPart: "team",
      name: "Team",
      members: ["a@x.test", "c@x.test"],
    });
    expect(await provider.updateAlias(d, "sales", ["c@x.test"])).toEqual({
      domain: d,
      localPart: "sales",
      destinations: ["c@x.test"],
    });
    expect(await provider.listAliases(d)).toEqual([
      { domain: d, localPart: "sales", destinations: ["c@x.test"] },
    ]);
    expect(await provider.listGroups(d)).toEqual([
      { domain: d, localPart: "team", name: "Team", members: ["a@x.test", "c@x.test"] },
    ]);
    expect(
      await Promise.all([
        messageOf(provider.updateAlias(d, "team", ["a@x.test"])),
        messageOf(provider.deleteAlias(d, "team")),
        messageOf(provider.updateGroup(d, "sales", { name: "S" })),
        messageOf(provider.deleteGroup(d, "sales")),
        messageOf(provider.updateAlias(d, "sales", [])),
        messageOf(provider.updateGroup(d, "team", { members: [] })),
        messageOf(provider.createAlias({ domain: d, localPart: "x", destinations: [] })),
        messageOf(provider.createGroup({ domain: d, localPart: "x", members: [] })),
        messageOf(provider.deleteGroup("Kinds.test", "team")),
        messageOf(provider.listGroups("kinds")),
        messageOf(provider.updateGroup(d, "team", { members: ["A@x.test"] })),
      ]),
    ).toEqual([
      "NotFoundError: selfHosted updateAlias: team@kinds.test does not exist",
      "NotFoundError: selfHosted deleteAlias: team@kinds.test does not exist",
      "NotFoundError: selfHosted updateGroup: sales@kinds.test does not exist",
      "NotFoundError: selfHosted deleteGroup: sales@kinds.test does not exist",
      "Error: selfHosted updateAlias: destinations [] is not valid; allowed: at least one address",
      "Error: selfHosted updateGroup: members [] is not valid; allowed: at least one address",
      "Error: selfHosted createAlias: destinations [] is not valid; allowed: at least one address",
      "Error: selfHosted createGroup: members [] is not valid; allowed: at least one address",
      'Error: selfHosted deleteGroup: domain "Kinds.test" is not valid; allowed: a lower-case punycode domain name such as acme.com',
      'Error: selfHosted listGroups: domain "kinds" is not valid; allowed: a lower-case punycode domain name such as acme.com',
      'Error: selfHosted updateGroup: members[0] "A@x.test" is not valid; allowed: a lower-case address local@domain',
    ]);
    await provider.deleteAlias(d, "sales");
    await provider.deleteGroup(d, "team");
    expect([await provider.listAliases(d), await provider.listGroups(d)]).toEqual([[], []]);
  });
});

describe("SelfHostedProvider domain aliases and catch-all", () => {
  const file = path.join(dir, "d", "m.sqlite");
  const provider = new SelfHostedProvider({ type: "sqlite", path: file });
  afterAll(() => provider.close());

  const rows = async (sql: string) => {
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare(sql).all();
    } finally {
      db.close();
    }
  };

  it("adds and removes single domain aliases, idempotently, with their domain rows", async () => {
    await provider.addDomainAlias("acme.test", "acme.co");
    await provider.addDomainAlias("acme.test", "acme.co");
    await provider.addDomainAlias("acme.test", "acme.io");
    expect(await provider.listDomainAliases("acme.test")).toEqual(["acme.co", "acme.io"]);
    expect(await rows("SELECT domain, description FROM domain ORDER BY domain")).toEqual([
      { domain: "acme.co", description: "alias of acme.test" },
      { domain: "acme.io", description: "alias of acme.test" },
      { domain: "acme.test", description: "" },
    ]);
    await provider.removeDomainAlias("acme.test", "acme.co");
    expect(await provider.listDomainAliases("acme.test")).toEqual(["acme.io"]);
    expect(await rows("SELECT alias_domain, target_domain FROM alias_domain")).toEqual([
      { alias_domain: "acme.io", target_domain: "acme.test" },
    ]);
    expect(await rows("SELECT domain FROM domain ORDER BY domain")).toEqual([
      { domain: "acme.io" },
      { domain: "acme.test" },
    ]);
    // setDomainAliases makes the list exact.
    expect(await provider.setDomainAliases("acme.test", ["acme.net", "acme.net"])).toEqual([
      "acme.net",
    ]);
    expect(await provider.listDomainAliases("acme.test")).toEqual(["acme.net"]);
    expect(await rows("SELECT domain FROM domain ORDER BY domain")).toEqual([
      { domain: "acme.net" },
      { domain: "acme.test" },
    ]);
  });

  it("refuses a domain alias of another domain, of itself, or one with accounts", async () => {
    await expect(provider.addDomainAlias("other.test", "acme.net")).rejects.toMatchObject({
      kind: "Conflict",
      message: "selfHosted addDomainAlias: acme.net is already an alias of acme.test",
    });
    await provider.createAlias({
      domain: "shop.test",
      localPart: "info",
      destinations: ["ali@acme.test"],
    });
    await expect(provider.addDomainAlias("acme.test", "shop.test")).rejects.toMatchObject({
      kind: "Conflict",
      message:
        "selfHosted addDomainAlias: shop.test has mailboxes or aliases of its own and cannot become an alias of acme.test",
    });
    await expect(provider.addDomainAlias("acme.test", "acme.test")).rejects.toThrow(
      'selfHosted addDomainAlias: aliasDomain "acme.test" is not valid; allowed: a domain other than domain',
    );
    await expect(provider.addDomainAlias("acme.test", "Acme.CO")).rejects.toThrow(
      'selfHosted addDomainAlias: aliasDomain "Acme.CO" is not valid; allowed: a lower-case punycode domain name such as acme.com',
    );
    await expect(provider.removeDomainAlias("other.test", "acme.net")).rejects.toMatchObject({
      kind: "NotFound",
      message: "selfHosted removeDomainAlias: acme.net is not an alias of other.test",
    });
    expect(await provider.listDomainAliases("acme.test")).toEqual(["acme.net"]);
  });

  it("sets, replaces and removes the catch-all (the @domain alias row)", async () => {
    expect(await provider.getCatchAll("shop.test")).toBeUndefined();
    await provider.setCatchAll("shop.test", ["ali@acme.test", "bob@acme.test", "ali@acme.test"]);
    expect(await provider.getCatchAll("shop.test")).toEqual(["ali@acme.test", "bob@acme.test"]);
    await provider.setCatchAll("shop.test", ["bob@acme.test"]);
    expect(await rows("SELECT address, goto FROM alias WHERE address LIKE '@%'")).toEqual([
      { address: "@shop.test", goto: "bob@acme.test" },
    ]);
    // The catch-all is neither an alias nor a group of the domain.
    expect(await provider.listAliases("shop.test")).toEqual([
      { domain: "shop.test", localPart: "info", destinations: ["ali@acme.test"] },
    ]);
    await provider.setCatchAll("shop.test", undefined);
    await provider.setCatchAll("shop.test", []);
    expect(await provider.getCatchAll("shop.test")).toBeUndefined();
    await expect(provider.setCatchAll("shop.test", ["not an address"])).rejects.toThrow(
      'selfHosted setCatchAll: destinations[0] "not an address" is not valid; allowed: a lower-case address local@domain',
    );
  });
});
