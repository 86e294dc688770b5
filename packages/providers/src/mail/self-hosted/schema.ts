import type { SqlDialect, SqlStore } from "./store";

/**
 * The PostfixAdmin-compatible tables (`domain`, `mailbox`, `alias`, `alias_domain`) with
 * PostfixAdmin's column names and meanings, so an existing PostfixAdmin database can be adopted
 * as it is: `mailbox.quota` in bytes (0 = unlimited), `alias.goto` a comma-separated list,
 * `maildir` relative to the mail root (`domain/local/`), `active` 1/0 (boolean on PostgreSQL,
 * as PostfixAdmin creates it there).
 *
 * Mailplane keeps what PostfixAdmin has no column for (a group's name, a mailbox's department
 * and title, which alias rows are a mailbox's extra addresses) in its own table
 * `mailplane_meta`, keyed by address. Rows without meta read as plain aliases.
 * @see https://github.com/postfixadmin/postfixadmin/blob/master/upgrade.php
 */
export function schemaDdl(dialect: SqlDialect): string[] {
  const bool = dialect === "postgres" ? "boolean" : "integer";
  const t = dialect === "postgres" ? "true" : "1";
  const f = dialect === "postgres" ? "false" : "0";
  const ts =
    dialect === "postgres"
      ? "timestamp with time zone NOT NULL DEFAULT now()"
      : "text NOT NULL DEFAULT CURRENT_TIMESTAMP";
  // The last columns of every PostfixAdmin table.
  const stamps = `created ${ts},\n  modified ${ts},\n  active ${bool} NOT NULL DEFAULT ${t}`;
  return [
    `CREATE TABLE IF NOT EXISTS domain (
  domain varchar(255) NOT NULL PRIMARY KEY,
  description varchar(255) NOT NULL DEFAULT '',
  aliases integer NOT NULL DEFAULT 0,
  mailboxes integer NOT NULL DEFAULT 0,
  maxquota bigint NOT NULL DEFAULT 0,
  quota bigint NOT NULL DEFAULT 0,
  transport varchar(255) DEFAULT NULL,
  backupmx ${bool} NOT NULL DEFAULT ${f},
  ${stamps}
)`,
    `CREATE TABLE IF NOT EXISTS mailbox (
  username varchar(255) NOT NULL PRIMARY KEY,
  password varchar(255) NOT NULL DEFAULT '',
  name varchar(255) NOT NULL DEFAULT '',
  maildir varchar(255) NOT NULL DEFAULT '',
  quota bigint NOT NULL DEFAULT 0,
  local_part varchar(255) NOT NULL,
  domain varchar(255) NOT NULL,
  ${stamps}
)`,
    `CREATE INDEX IF NOT EXISTS mailbox_domain_idx ON mailbox (domain)`,
    `CREATE TABLE IF NOT EXISTS alias (
  address varchar(255) NOT NULL PRIMARY KEY,
  goto text NOT NULL,
  domain varchar(255) NOT NULL,
  ${stamps}
)`,
    `CREATE INDEX IF NOT EXISTS alias_domain_idx ON alias (domain)`,
    `CREATE TABLE IF NOT EXISTS alias_domain (
  alias_domain varchar(255) NOT NULL PRIMARY KEY,
  target_domain varchar(255) NOT NULL,
  ${stamps}
)`,
    `CREATE TABLE IF NOT EXISTS mailplane_meta (
  address varchar(255) NOT NULL PRIMARY KEY,
  kind varchar(32) NOT NULL,
  name varchar(255) NOT NULL DEFAULT '',
  department varchar(255) NOT NULL DEFAULT '',
  title varchar(255) NOT NULL DEFAULT '',
  mailbox varchar(255) NOT NULL DEFAULT ''
)`,
  ];
}

/** The SQL literal for true/false in a dialect (`1`/`0` on sqlite, `true`/`false` on PostgreSQL). */
export function sqlBool(dialect: SqlDialect, value: boolean): string {
  if (dialect === "postgres") return value ? "true" : "false";
  return value ? "1" : "0";
}

/** Creates the tables that are missing; leaves existing ones (and their rows) as they are. */
export async function ensureSchema(store: SqlStore): Promise<void> {
  for (const ddl of schemaDdl(store.dialect)) await store.run(ddl);
}

/**
 * The `mailbox.maildir` of a new mailbox, relative to the mail root: `domain/local/` as
 * PostfixAdmin writes it, with the local part's `/` and `=` written as `=2f` and `=3d`, so every
 * local part has its own directory (`a/b` and `a//b` are two mailboxes, not `a/b/` twice, and
 * `a/.b` is not a hidden folder of `a`). Local parts without those characters keep
 * PostfixAdmin's path.
 */
export function maildirOf(domain: string, localPart: string): string {
  const dir = localPart.replace(/[=/]/g, (c) => `=${c.charCodeAt(0).toString(16)}`);
  return `${domain}/${dir}/`;
}

/**
 * What Mailplane created in a domain, by address: the `mailplane_meta` kind of each row it wrote
 * (`mailbox`, `mailboxAlias`, `alias`, `group`). Rows without meta were there before Mailplane
 * (an adopted PostfixAdmin database) and are never deleted or suspended by `applyAccountPlan`.
 */
export async function mailplaneKinds(
  store: SqlStore,
  domain: string,
): Promise<Map<string, string>> {
  const rows = await store.query("SELECT address, kind FROM mailplane_meta WHERE address LIKE ?", [
    `%@${domain}`,
  ]);
  return new Map(rows.map((r) => [String(r.address), String(r.kind)]));
}
