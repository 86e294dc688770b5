/*
 * Issue 11: the self-hosted store and its configuration snippets.
 * - §2: applyAccountPlan never deletes alias rows (nor suspends mailboxes) that Mailplane did not
 *   create: an existing PostfixAdmin installation's `legacy@` stays.
 * - §3: mailServerConfig refuses values that would add a line to a Postfix map or close the
 *   quoted string of Dovecot's user_query.
 * - §4: `a/b` and `a//b` get separate maildirs; the Dovecot snippet serves `o'brien`.
 * - PowerDNS content refuses values that are not the intended record.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { parseMailDomain, planAccounts } from "@mailplane/core";
import {
  applyAccountPlan,
  mailServerConfig,
  powerDnsContent,
  SELF_HOSTED_CAPABILITIES,
  SelfHostedProvider,
} from "../src/index";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailplane-sh-hardening-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const NOW = new Date("2026-05-01T00:00:00Z");
const plan = (aliases: Record<string, string>) =>
  planAccounts(
    parseMailDomain({
      domain: "acme.test",
      mailboxes: { ali: { name: "Ali" } },
      aliases,
      postmaster: "ali",
      abuse: "ali",
    }),
    { now: NOW, capabilities: SELF_HOSTED_CAPABILITIES },
  );

describe("applyAccountPlan touches only what Mailplane created (issue 11 §2)", () => {
  it("keeps a PostfixAdmin alias row and mailbox it never created", async () => {
    const file = path.join(dir, "legacy.sqlite");
    const provider = new SelfHostedProvider({ type: "sqlite", path: file });
    try {
      await provider.ensureDomain("acme.test");
      // Rows an existing PostfixAdmin installation wrote: no mailplane_meta.
      const db = new Database(file);
      db.prepare("INSERT INTO alias (address, goto, domain) VALUES (?, ?, ?)").run(
        "legacy@acme.test",
        "someone@example.org",
        "acme.test",
      );
      db.prepare(
        "INSERT INTO mailbox (username, maildir, local_part, domain) VALUES (?, ?, ?, ?)",
      ).run("old@acme.test", "acme.test/old/", "old", "acme.test");
      db.close();

      const first = await applyAccountPlan(provider, plan({ hr: "ali" }));
      expect(first.changes).toEqual([
        "create mailbox ali@acme.test",
        "create alias hr@acme.test",
        "create alias postmaster@acme.test",
        "create alias abuse@acme.test",
      ]);
      // hr was created by Mailplane: removing it from the plan deletes it; legacy stays.
      expect((await applyAccountPlan(provider, plan({}))).changes).toEqual([
        "delete alias hr@acme.test",
      ]);
      expect((await provider.listAliases("acme.test")).map((a) => a.localPart)).toEqual([
        "abuse",
        "legacy",
        "postmaster",
      ]);
      expect((await provider.getMailbox("acme.test", "old"))?.suspended).toBe(false);
      // Declaring it adopts it: then it is Mailplane's to update.
      expect((await applyAccountPlan(provider, plan({ legacy: "ali" }))).changes).toEqual([
        "update alias legacy@acme.test",
      ]);
    } finally {
      await provider.close();
    }
  });
});

describe("local parts a server could not serve (issue 11 §4)", () => {
  it("gives a/b, a//b and a/.b their own maildirs; plain local parts keep PostfixAdmin's", async () => {
    const file = path.join(dir, "maildir.sqlite");
    const provider = new SelfHostedProvider({ type: "sqlite", path: file });
    try {
      for (const localPart of ["a/b", "a//b", "a/.b", "a=2fb", "o'brien", "ali.alavi"]) {
        await provider.createMailbox({
          domain: "acme.test",
          localPart,
          name: localPart,
          suspended: false,
          aliases: [],
          forwardTo: [],
        });
      }
    } finally {
      await provider.close();
    }
    const db = new Database(file, { readonly: true });
    const rows = db.prepare("SELECT username, maildir FROM mailbox ORDER BY username").all();
    db.close();
    expect(rows).toEqual([
      { username: "a/.b@acme.test", maildir: "acme.test/a=2f.b/" },
      { username: "a//b@acme.test", maildir: "acme.test/a=2f=2fb/" },
      { username: "a/b@acme.test", maildir: "acme.test/a=2fb/" },
      { username: "a=2fb@acme.test", maildir: "acme.test/a=3d2fb/" },
      { username: "ali.alavi@acme.test", maildir: "acme.test/ali.alavi/" },
      { username: "o'brien@acme.test", maildir: "acme.test/o'brien/" },
    ]);
  });

  it("ships auth_username_chars = in the Dovecot auth snippet", () => {
    const c = mailServerConfig({
      store: { type: "sqlite", path: "/var/lib/mail.sqlite" },
      postfixMapDir: "/etc/postfix/sql",
      mailRoot: "/var/vmail",
    });
    expect(c.dovecotAuthConf("/etc/dovecot/dovecot-sql.conf.ext")).toBe(
      "auth_username_chars =\n" +
        "passdb {\n  driver = sql\n  args = /etc/dovecot/dovecot-sql.conf.ext\n}\n" +
        "userdb {\n  driver = sql\n  args = /etc/dovecot/dovecot-sql.conf.ext\n}\n",
    );
  });
});

describe("mailServerConfig refuses what it cannot write (issue 11 §3)", () => {
  it("refuses a newline in the sqlite path and a quote in mailRoot", () => {
    expect(() =>
      mailServerConfig({
        store: { type: "sqlite", path: "/var/lib/mail.sqlite\nquery = SELECT 1" },
        postfixMapDir: "/etc/postfix/sql",
        mailRoot: "/var/vmail' || password || '",
      }),
    ).toThrow(
      'mailServerConfig.store.path: "/var/lib/mail.sqlite\\nquery = SELECT 1" is not a safe absolute path (got "/var/lib/mail.sqlite\\nquery = SELECT 1"; allowed: an absolute path of letters, digits and . _ - / + @ = , : such as /var/lib/mailplane/mail.sqlite)\n' +
        `mailServerConfig.mailRoot: "/var/vmail' || password || '" is not a safe absolute path (got "/var/vmail' || password || '"; allowed: an absolute path of letters, digits and . _ - / + @ = , : such as /var/lib/mailplane/mail.sqlite)`,
    );
  });

  it("refuses PostgreSQL access values with spaces or a NaN port, and a % in mailRoot", () => {
    expect(() =>
      mailServerConfig({
        store: { type: "postgres", host: "db host", port: NaN, dbname: "mail x", user: "u\n" },
        postfixMapDir: "/etc/postfix/sql",
        mailRoot: "/var/vmail/%u",
      }),
    ).toThrow(
      [
        'mailServerConfig.store.host: "db host" is not a host name (got "db host"; allowed: a host name, an IPv4 address or a socket directory such as db.internal)',
        "mailServerConfig.store.port: NaN is not a port (got NaN; allowed: a whole number from 1 to 65535)",
        'mailServerConfig.store.dbname: "mail x" is not a database name (got "mail x"; allowed: letters, digits and . _ - (at most 63), such as mail)',
        'mailServerConfig.store.user: "u\\n" is not a database user (got "u\\n"; allowed: letters, digits and . _ - (at most 63), such as mailplane)',
        'mailServerConfig.mailRoot: "/var/vmail/%u" is not a safe absolute path (got "/var/vmail/%u"; allowed: an absolute path of letters, digits and . _ - / + @ = , : such as /var/lib/mailplane/mail.sqlite)',
      ].join("\n"),
    );
  });
});

describe("PowerDNS content refuses what is not the intended record (issue 11 §3)", () => {
  it("refuses an MX target with a newline and a SRV port of NaN", () => {
    expect(() =>
      powerDnsContent({
        name: "acme.com",
        type: "MX",
        ttl: 3600,
        priority: 10,
        value: "mx.acme.com\nevil",
        role: "mx",
      }),
    ).toThrow(
      'PowerDNS record: acme.com MX value: "mx.acme.com\\nevil" is not a host name (got "mx.acme.com\\nevil"; allowed: a host name such as mx.acme.com (ASCII/punycode labels))',
    );
    expect(() =>
      powerDnsContent({
        name: "_imaps._tcp.acme.com",
        type: "SRV",
        ttl: 3600,
        priority: 0,
        weight: 1,
        port: NaN,
        value: "imap.acme.com",
        role: "srv-imaps",
      }),
    ).toThrow(
      "PowerDNS record: _imaps._tcp.acme.com SRV port: NaN is not a port (got NaN; allowed: a whole number from 0 to 65535)",
    );
  });

  it("writes each type's content in zone-file presentation, host names absolute and lower-case", () => {
    const base = { name: "acme.com", ttl: 3600, role: "r" };
    expect(
      [
        { ...base, type: "MX" as const, priority: 10, value: "MX1.Acme.com" },
        { ...base, type: "MX" as const, priority: 0, value: "." },
        {
          ...base,
          name: "_imaps._tcp.acme.com",
          type: "SRV" as const,
          priority: 0,
          weight: 1,
          port: 993,
          value: "imap.acme.com.",
        },
        { ...base, name: "autoconfig.acme.com", type: "CNAME" as const, value: "Auto.Host.net" },
        { ...base, type: "TXT" as const, value: 'v=spf1 "mx" -all' },
        { ...base, type: "A" as const, value: "192.0.2.1" },
      ].map(powerDnsContent),
    ).toEqual([
      "10 mx1.acme.com.",
      "0 .",
      "0 1 993 imap.acme.com.",
      "auto.host.net.",
      '"v=spf1 \\"mx\\" -all"',
      "192.0.2.1",
    ]);
  });
});
