import type BetterSqlite3 from "better-sqlite3";
import type * as Pg from "pg";

/**
 * Where the self-hosted mail server's accounts live: the SQL database that Postfix and
 * Dovecot read through their `sqlite:`/`pgsql:` lookups and `passdb`/`userdb sql`.
 *
 * - `sqlite`: a file (created with its tables when missing). Postfix and Dovecot need read
 *   access to the file and its directory.
 * - `postgres`: a connection string. When it carries a password, keep it out of code and
 *   state: give `connectionStringEnv` (the name of an environment variable) instead.
 */
export type SelfHostedStoreConfig =
  | { type: "sqlite"; path: string }
  | { type: "postgres"; connectionString?: string; connectionStringEnv?: string };

/** SQL dialect of a store: decides placeholders, booleans and DDL. */
export type SqlDialect = "sqlite" | "postgres";

/** A row as the drivers return it. */
export type SqlRow = Record<string, unknown>;

/**
 * The small SQL surface the self-hosted adapter needs. Statements use `?` placeholders in
 * both dialects (rewritten to `$n` for PostgreSQL).
 */
export interface SqlStore {
  readonly dialect: SqlDialect;
  query(sql: string, params?: unknown[]): Promise<SqlRow[]>;
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Runs `fn` in one transaction; rolls back when it throws. */
  transaction<T>(fn: (tx: SqlStore) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Rewrites `?` placeholders to PostgreSQL's `$1, $2…` (no `?` appears inside our literals). */
export function toPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** The connection string of a postgres store config, read at call time. */
export function resolveConnectionString(
  config: Extract<SelfHostedStoreConfig, { type: "postgres" }>,
): string {
  if (config.connectionString !== undefined && config.connectionString !== "") {
    return config.connectionString;
  }
  const env = config.connectionStringEnv ?? "MAILPLANE_PG_URL";
  const value = process.env[env];
  if (value === undefined || value === "") {
    throw new Error(
      `selfHosted store: postgres needs a connection string; set the environment variable ${env} ` +
        `(e.g. postgresql://mailplane@127.0.0.1:5432/mail) or give store.connectionString`,
    );
  }
  return value;
}

class SqliteStore implements SqlStore {
  readonly dialect = "sqlite" as const;
  constructor(private readonly db: BetterSqlite3.Database) {}

  async query(sql: string, params: unknown[] = []): Promise<SqlRow[]> {
    return this.db.prepare(sql).all(...params) as SqlRow[];
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return this.db.prepare(sql).run(...params).changes;
  }

  /** The last queued transaction: transactions on the one connection run one after another. */
  private tail: Promise<unknown> = Promise.resolve();

  async transaction<T>(fn: (tx: SqlStore) => Promise<T>): Promise<T> {
    // better-sqlite3 is single-connection: a second BEGIN while a transaction's callback awaits
    // would fail ("cannot start a transaction within a transaction"), and the Pulumi engine runs
    // resource operations concurrently. So transactions are queued; the callbacks only await
    // this store's own promises, so BEGIN/COMMIT brackets exactly their statements.
    const run = this.tail.then(() => this.runTransaction(fn));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async runTransaction<T>(fn: (tx: SqlStore) => Promise<T>): Promise<T> {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const result = await fn(this);
      this.db.exec("COMMIT");
      return result;
    } catch (err) {
      this.db.exec("ROLLBACK");
      throw err;
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** What `PgQueries` needs of a pool or of one of its clients. */
interface PgQueryable {
  query(text: string, values: unknown[]): Promise<Pg.QueryResult>;
}

/** `query` and `run` on PostgreSQL: the same on the pool and on a client in a transaction. */
abstract class PgQueries {
  readonly dialect = "postgres" as const;
  constructor(private readonly db: PgQueryable) {}

  async query(sql: string, params: unknown[] = []): Promise<SqlRow[]> {
    return (await this.db.query(toPgPlaceholders(sql), params)).rows as SqlRow[];
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.db.query(toPgPlaceholders(sql), params)).rowCount ?? 0;
  }
}

/** One pooled client inside a transaction: nested transactions join it. */
class PgClientStore extends PgQueries implements SqlStore {
  async transaction<T>(fn: (tx: SqlStore) => Promise<T>): Promise<T> {
    return fn(this);
  }

  async close(): Promise<void> {
    // The pool owns the client.
  }
}

class PgStore extends PgQueries implements SqlStore {
  constructor(private readonly pool: Pg.Pool) {
    super(pool);
  }

  async transaction<T>(fn: (tx: SqlStore) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await fn(new PgClientStore(client));
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK");
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * Opens a store. The sqlite file and its directory are created when missing; the file is
 * left readable by the mail servers (mode 0644). Drivers are loaded at call time.
 */
export async function openStore(config: SelfHostedStoreConfig): Promise<SqlStore> {
  if (config.type === "sqlite") {
    if (typeof config.path !== "string" || config.path === "") {
      throw new Error(`selfHosted store: sqlite needs a path, got ${JSON.stringify(config.path)}`);
    }
    const fs = await import("node:fs");
    const path = await import("node:path");
    fs.mkdirSync(path.dirname(path.resolve(config.path)), { recursive: true });
    const existed = fs.existsSync(config.path);
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(config.path);
    if (!existed) fs.chmodSync(config.path, 0o644);
    // Readers (Postfix, Dovecot) wait instead of failing while we write.
    db.pragma("busy_timeout = 5000");
    return new SqliteStore(db);
  }
  if (config.type === "postgres") {
    const { Pool } = (await import("pg")).default;
    const pool = new Pool({
      connectionString: resolveConnectionString(config),
      max: 4,
      allowExitOnIdle: true,
    });
    return new PgStore(pool);
  }
  throw new Error(
    `selfHosted store: type ${JSON.stringify((config as { type: unknown }).type)} is not ` +
      `supported; allowed: "sqlite", "postgres"`,
  );
}
