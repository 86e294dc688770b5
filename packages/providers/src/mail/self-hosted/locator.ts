import type { SelfHostedStoreConfig } from "./store";

/**
 * A store as one flat, non-secret URL, for Pulumi state and previews:
 * - `sqlite:///var/lib/mailplane/mail.sqlite` — a sqlite file (absolute path);
 * - `postgresql://mailplane@db.internal:5432/mail` — PostgreSQL without a password;
 * - `postgresql+env://MAILPLANE_PG_URL` — PostgreSQL through a connection string read from that
 *   environment variable at call time (the way to use a password).
 */
export function storeToUrl(store: SelfHostedStoreConfig): string {
  if (store.type === "sqlite") {
    if (!store.path.startsWith("/")) {
      throw new Error(
        `selfHosted store: sqlite path ${JSON.stringify(store.path)} must be absolute`,
      );
    }
    return `sqlite://${encodeURI(store.path)}`;
  }
  if (store.connectionString !== undefined && store.connectionString !== "") {
    const url = new URL(store.connectionString);
    if (url.password !== "") {
      throw new Error(
        "selfHosted store: the postgres connection string carries a password, which would be " +
          "stored in plaintext in state; put it in an environment variable and give " +
          "connectionStringEnv (default MAILPLANE_PG_URL) instead",
      );
    }
    return store.connectionString;
  }
  return `postgresql+env://${store.connectionStringEnv ?? "MAILPLANE_PG_URL"}`;
}

/** The inverse of {@link storeToUrl}; throws naming the URL's scheme when it is not a store. */
export function storeFromUrl(locator: string): SelfHostedStoreConfig {
  const url = new URL(locator);
  switch (url.protocol) {
    case "sqlite:":
      return { type: "sqlite", path: decodeURI(url.pathname) };
    case "postgres:":
    case "postgresql:":
      return { type: "postgres", connectionString: locator };
    case "postgresql+env:":
      return { type: "postgres", connectionStringEnv: url.hostname.toUpperCase() };
    default:
      throw new Error(
        `selfHosted store: ${JSON.stringify(url.protocol.replace(/:$/, ""))} is not a store URL ` +
          "scheme; allowed: sqlite:///abs/path, postgresql://user@host/db, postgresql+env://VAR",
      );
  }
}
