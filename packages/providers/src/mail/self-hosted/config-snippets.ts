import { z } from "zod";
import {
  hostNameProblem,
  ipv4Problem,
  parseSettings,
  portProblem,
  serverPathProblem,
  setting,
  tokenProblem,
  type SettingCheck,
} from "@mailplane/core";
import { sqlBool } from "./schema";
import type { SqlDialect } from "./store";

/**
 * How Postfix and Dovecot reach the store. For PostgreSQL the password is never part of a
 * snippet: give it to the servers yourself (a `.pgpass`, or `password =` added by your
 * configuration management from a secret).
 */
export type MailServerStoreAccess =
  | { type: "sqlite"; path: string }
  | {
      type: "postgres";
      host: string;
      port?: number;
      dbname: string;
      user: string;
    };

/** Inputs of {@link mailServerConfig}. */
export interface MailServerConfigArgs {
  store: MailServerStoreAccess;
  /** Directory where Postfix writes the lookup table files (`/etc/postfix/sql`). */
  postfixMapDir: string;
  /** Root of the mailboxes; `mailbox.maildir` (`domain/local/`) is relative to it. */
  mailRoot: string;
}

/** A PostgreSQL host: a host name, an IPv4 address or a unix-socket directory. */
const pgHostProblem: SettingCheck = (v) =>
  hostNameProblem(v) === undefined ||
  ipv4Problem(v) === undefined ||
  serverPathProblem(v) === undefined ||
  v === "localhost"
    ? undefined
    : hostNameProblem(v)!.replace(
        "allowed: a host name such as mx.acme.com (ASCII/punycode labels)",
        "allowed: a host name, an IPv4 address or a socket directory such as db.internal",
      );

/**
 * The schema of {@link MailServerConfigArgs}: every value that is written into a Postfix map, a
 * `main.cf` line or Dovecot's SQL configuration is checked, so none can add a line, close a
 * quoted SQL string or bring in a `%` variable.
 */
export const mailServerConfigArgsSchema = z.strictObject({
  store: z.looseObject({ type: z.enum(["sqlite", "postgres"]) }).pipe(
    z.discriminatedUnion("type", [
      z.strictObject({ type: z.literal("sqlite"), path: setting(serverPathProblem) }),
      z.strictObject({
        type: z.literal("postgres"),
        host: setting(pgHostProblem),
        port: setting<number>(portProblem).optional(),
        dbname: setting(tokenProblem("a database name", "mail", 63)),
        user: setting(tokenProblem("a database user", "mailplane", 63)),
      }),
    ]),
  ),
  postfixMapDir: setting(serverPathProblem),
  mailRoot: setting(serverPathProblem),
});

/** Generated configuration: files by name, and the lines that reference them. */
export interface MailServerConfig {
  /** Postfix lookup table files, by file name (written into `postfixMapDir`). */
  postfixMaps: Record<string, string>;
  /** `main.cf` parameters that use the maps (virtual_mailbox_domains, …). */
  postfixMainCf: Record<string, string>;
  /** The content of Dovecot's `dovecot-sql.conf.ext`. */
  dovecotSqlConf: string;
  /**
   * The auth lines for `dovecot.conf`, given the path of the SQL conf file: `auth_username_chars =`
   * (every dot-atom local part is served) and the `passdb`/`userdb` blocks.
   */
  dovecotAuthConf(sqlConfPath: string): string;
}

function connectLines(store: MailServerStoreAccess): string {
  if (store.type === "sqlite") return `dbpath = ${store.path}\n`;
  return (
    `hosts = inet:${store.host}:${store.port ?? 5432}\n` +
    `user = ${store.user}\n` +
    `dbname = ${store.dbname}\n`
  );
}

function concat(dialect: SqlDialect, ...parts: string[]): string {
  return parts.join(" || ");
}

/**
 * The Postfix and Dovecot configuration for a self-hosted store, following PostfixAdmin's
 * documented lookups so existing installations behave the same:
 *
 * - `virtual_mailbox_domains`: active, non-backup-MX rows of `domain` (alias domains included).
 * - `virtual_alias_maps`: `alias` rows (every mailbox has a row pointing at itself, so a
 *   catch-all never swallows a real mailbox), then the same rows through `alias_domain`
 *   (`user@acme.co` → the row of `user@acme.com`), then the target domain's catch-all.
 * - `virtual_mailbox_maps`: every mailbox, active or not: a suspended mailbox keeps
 *   receiving mail (it is kept for offboarding) while Dovecot refuses its login.
 * - Dovecot `password_query` only returns active mailboxes with a password; `user_query`
 *   returns every mailbox, so LMTP delivery works for suspended ones.
 * @see https://www.postfix.org/pgsql_table.5.html
 * @see https://www.postfix.org/sqlite_table.5.html
 * @see https://doc.dovecot.org/2.3/configuration_manual/authentication/sql/
 */
export function mailServerConfig(args: MailServerConfigArgs): MailServerConfig {
  // Refuses (MailplaneConfigError naming the field) anything that cannot be written safely.
  parseSettings(mailServerConfigArgsSchema, args, ["mailServerConfig"]);
  const dialect: SqlDialect = args.store.type;
  const t = sqlBool(dialect, true);
  const f = sqlBool(dialect, false);
  const conn = connectLines(args.store);
  const ext = dialect === "sqlite" ? "sqlite" : "pgsql";
  const map = (query: string) => `${conn}query = ${query}\n`;

  const postfixMaps: Record<string, string> = {
    [`virtual-domains.cf`]: map(
      `SELECT domain FROM domain WHERE domain = '%s' AND active = ${t} AND backupmx = ${f}`,
    ),
    [`virtual-alias.cf`]: map(`SELECT goto FROM alias WHERE address = '%s' AND active = ${t}`),
    [`virtual-alias-domain.cf`]: map(
      `SELECT alias.goto FROM alias, alias_domain WHERE alias_domain.alias_domain = '%d'` +
        ` AND alias.address = ${concat(dialect, "'%u'", "'@'", "alias_domain.target_domain")}` +
        ` AND alias.active = ${t} AND alias_domain.active = ${t}`,
    ),
    [`virtual-alias-domain-catchall.cf`]: map(
      `SELECT alias.goto FROM alias, alias_domain WHERE alias_domain.alias_domain = '%d'` +
        ` AND alias.address = ${concat(dialect, "'@'", "alias_domain.target_domain")}` +
        ` AND alias.active = ${t} AND alias_domain.active = ${t}`,
    ),
    [`virtual-mailbox.cf`]: map(`SELECT maildir FROM mailbox WHERE username = '%s'`),
  };
  const p = (file: string) => `${ext}:${args.postfixMapDir}/${file}`;
  const postfixMainCf: Record<string, string> = {
    virtual_mailbox_domains: p("virtual-domains.cf"),
    virtual_alias_maps: [
      p("virtual-alias.cf"),
      p("virtual-alias-domain.cf"),
      p("virtual-alias-domain-catchall.cf"),
    ].join(", "),
    virtual_mailbox_maps: p("virtual-mailbox.cf"),
  };

  const home = concat(dialect, `'${args.mailRoot.replace(/\/$/, "")}/'`, "maildir");
  const quotaRule = concat(dialect, "'*:bytes='", "CAST(quota AS varchar(32))");
  const connect =
    args.store.type === "sqlite"
      ? args.store.path
      : `host=${args.store.host} port=${args.store.port ?? 5432} dbname=${args.store.dbname} user=${args.store.user}`;
  const dovecotSqlConf =
    `driver = ${ext}\n` +
    `connect = ${connect}\n` +
    `default_pass_scheme = ARGON2ID\n` +
    `password_query = SELECT username AS user, password FROM mailbox` +
    ` WHERE username = '%u' AND active = ${t} AND password <> ''\n` +
    `user_query = SELECT ${home} AS home, ${quotaRule} AS quota_rule FROM mailbox` +
    ` WHERE username = '%u'\n` +
    `iterate_query = SELECT username AS user FROM mailbox\n`;

  return {
    postfixMaps,
    postfixMainCf,
    dovecotSqlConf,
    dovecotAuthConf: (sqlConfPath) => {
      parseSettings(setting(serverPathProblem), sqlConfPath, ["dovecotAuthConf", "sqlConfPath"]);
      return (
        // Every RFC 5321 dot-atom local part logs in and receives mail (o'brien, a/b): Dovecot's
        // default refuses `'`, `/`, `+` and more. The SQL driver escapes %u in the queries.
        `auth_username_chars =\n` +
        `passdb {\n  driver = sql\n  args = ${sqlConfPath}\n}\n` +
        `userdb {\n  driver = sql\n  args = ${sqlConfPath}\n}\n`
      );
    },
  };
}
