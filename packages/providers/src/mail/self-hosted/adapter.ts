import { isNormalizedAddress, isNormalizedDomain, isNormalizedLocalPart } from "@mailplane/core";
import type {
  AliasState,
  GroupState,
  MailboxInput,
  MailboxPatch,
  MailboxState,
  MailProvider,
} from "../../adapter";
import { capabilities } from "../definition";
import { ConflictError, MailProviderError, NotFoundError, ProviderError } from "../../errors";
import { hashPassword } from "./password";
import { ensureSchema, maildirOf, sqlBool } from "./schema";
import { API_MESSAGE_MAX } from "../../http/errors";
import { connectionStringSecrets, cutText, Redactor } from "../../http/redact";
import {
  openStore,
  resolveConnectionString,
  type SelfHostedStoreConfig,
  type SqlRow,
  type SqlStore,
} from "./store";

/** What the self-hosted (Postfix + Dovecot + SQL) provider can do. */
export const SELF_HOSTED_CAPABILITIES = capabilities({
  mailboxes: true,
  aliasesPerMailbox: Infinity,
  standaloneAliases: true,
  groups: true,
  suspend: true,
  quota: true,
  passwords: true,
  externalForward: true,
  catchAll: true,
  domainAliases: true,
  renameInPlace: true,
});

const PROVIDER = "selfHosted";
const MIB = 1024 * 1024;
function fail(operation: string, field: string, value: unknown, allowed: string): never {
  throw new Error(
    `${PROVIDER} ${operation}: ${field} ${JSON.stringify(value)} is not valid; allowed: ${allowed}`,
  );
}

function checkDomain(op: string, field: string, value: string): string {
  if (!isNormalizedDomain(value)) {
    fail(op, field, value, "a lower-case punycode domain name such as acme.com");
  }
  return value;
}

function checkLocalPart(op: string, field: string, value: string): string {
  if (!isNormalizedLocalPart(value)) {
    fail(op, field, value, "a lower-case RFC 5321 dot-atom local part of at most 64 characters");
  }
  return value;
}

function checkAddress(op: string, field: string, value: string): string {
  // No `,`: the goto column separates addresses with it (the grammar has none anyway).
  if (!isNormalizedAddress(value) || value.length > 254) {
    fail(op, field, value, "a lower-case address local@domain");
  }
  return value;
}

function checkAddresses(op: string, field: string, values: string[]): string[] {
  if (!Array.isArray(values)) fail(op, field, values, "a list of addresses");
  values.forEach((v, i) => checkAddress(op, `${field}[${i}]`, v));
  return [...new Set(values)].sort();
}

/** Checks a domain and a local part of `op`; returns the address they make. */
function checkAccount(op: string, domain: string, localPart: string): string {
  checkDomain(op, "domain", domain);
  checkLocalPart(op, "localPart", localPart);
  return `${localPart}@${domain}`;
}

/** Checks an alias's destinations or a group's members: addresses, at least one. */
function checkTargets(op: string, field: string, values: string[]): string[] {
  const targets = checkAddresses(op, field, values);
  if (targets.length === 0) fail(op, field, [], "at least one address");
  return targets;
}

function checkQuota(op: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 1 || value > 1048576 * 1024) {
    fail(op, "quotaMb", value, "an integer number of MiB from 1 (omit for unlimited)");
  }
}

const parseGoto = (goto: unknown): string[] =>
  String(goto ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== "");

const isTrue = (v: unknown): boolean => v === true || v === 1 || v === "1" || v === "t";

const text = (v: unknown): string => (v === null || v === undefined ? "" : String(v));

/**
 * The self-hosted mail provider: writes mailboxes, aliases, groups, catch-alls and domain
 * aliases into a PostfixAdmin-compatible SQL store that Postfix and Dovecot read (see
 * `mailServerConfig` for the lookups).
 *
 * How Mailplane's objects map to rows:
 * - mailbox → `mailbox` row (`{ARGON2ID}` password hash, quota in bytes, `maildir`
 *   `domain/local/`) plus PostfixAdmin's self-alias row (`alias.address = goto = username`),
 *   which keeps a catch-all from swallowing the mailbox. `forwardTo` is added to that row's
 *   `goto` after the mailbox itself, so forwarded mail is still kept.
 * - suspended mailbox → `mailbox.active = 0`: Dovecot refuses the login; mail is still
 *   delivered and kept (offboarding keeps mail; senders get no bounce).
 * - mailbox alias, standalone alias, shared address, group → `alias` rows (several `goto`
 *   targets for shared addresses and groups), told apart by `mailplane_meta.kind`.
 * - catch-all → the alias row `@domain`; domain alias → an `alias_domain` row plus a `domain` row
 *   for the alias domain.
 * - delete removes rows only: the maildir on disk is left for the admin to archive.
 */
export class SelfHostedProvider implements MailProvider {
  readonly name = PROVIDER;
  readonly capabilities = SELF_HOSTED_CAPABILITIES;
  private storePromise?: Promise<SqlStore>;

  constructor(private readonly config: SelfHostedStoreConfig) {}

  /** Closes the store's connection (the sqlite file handle or the PostgreSQL pool). */
  async close(): Promise<void> {
    if (this.storePromise === undefined) return;
    const store = await this.storePromise;
    this.storePromise = undefined;
    await store.close();
  }

  private store(): Promise<SqlStore> {
    this.storePromise ??= (async () => {
      const store = await openStore(this.config);
      await ensureSchema(store);
      return store;
    })();
    return this.storePromise;
  }

  /** Runs `fn` against the store, turning driver failures into typed provider errors. */
  private async with<T>(operation: string, fn: (store: SqlStore) => Promise<T>): Promise<T> {
    let store: SqlStore;
    try {
      store = await this.store();
    } catch (err) {
      this.storePromise = undefined;
      throw new ProviderError({
        provider: PROVIDER,
        operation,
        apiMessage: messageOf(err, storeSecrets(this.config)),
      });
    }
    try {
      return await fn(store);
    } catch (err) {
      if (err instanceof MailProviderError) throw err;
      if (err instanceof Error && err.message.startsWith(`${PROVIDER} ${operation}:`)) throw err;
      throw new ProviderError({
        provider: PROVIDER,
        operation,
        apiMessage: messageOf(err, storeSecrets(this.config)),
      });
    }
  }

  // ---- domains -------------------------------------------------------------------------

  /** Creates the `domain` row when missing (mail for it is then accepted by Postfix). */
  async ensureDomain(domain: string, description = ""): Promise<void> {
    checkDomain("ensureDomain", "domain", domain);
    await this.with("ensureDomain", (s) => insertDomain(s, domain, description));
  }

  /** Domains that deliver like `domain` (`alias_domain` rows targeting it), sorted. */
  async listDomainAliases(domain: string): Promise<string[]> {
    checkDomain("listDomainAliases", "domain", domain);
    return this.with("listDomainAliases", async (s) => {
      const rows = await s.query(
        "SELECT alias_domain FROM alias_domain WHERE target_domain = ? ORDER BY alias_domain",
        [domain],
      );
      return rows.map((r) => text(r.alias_domain));
    });
  }

  /**
   * Makes `aliasDomains` exactly the domain aliases of `domain`: adds `domain` and
   * `alias_domain` rows, removes `alias_domain` rows no longer declared (and their `domain`
   * row when nothing else lives in it).
   */
  async setDomainAliases(domain: string, aliasDomains: string[]): Promise<string[]> {
    const op = "setDomainAliases";
    checkDomain(op, "domain", domain);
    aliasDomains.forEach((d, i) => checkDomain(op, `aliasDomains[${i}]`, d));
    if (aliasDomains.includes(domain))
      fail(op, "aliasDomains", domain, "domains other than itself");
    const wanted = [...new Set(aliasDomains)].sort();
    return this.with(op, (s) =>
      s.transaction(async (tx) => {
        await insertDomain(tx, domain, "");
        for (const d of wanted) await linkAliasDomain(tx, op, domain, d);
        const current = await tx.query(
          "SELECT alias_domain FROM alias_domain WHERE target_domain = ?",
          [domain],
        );
        for (const row of current) {
          const d = text(row.alias_domain);
          if (!wanted.includes(d)) await unlinkAliasDomain(tx, domain, d);
        }
        return wanted;
      }),
    );
  }

  /**
   * Makes `aliasDomain` deliver like `domain` (an `alias_domain` row plus a `domain` row for
   * it). Already an alias of `domain`: nothing changes. A `ConflictError` when it is an alias
   * of another domain or holds mailboxes or aliases of its own.
   */
  async addDomainAlias(domain: string, aliasDomain: string): Promise<void> {
    const op = "addDomainAlias";
    checkDomain(op, "domain", domain);
    checkDomain(op, "aliasDomain", aliasDomain);
    if (aliasDomain === domain) fail(op, "aliasDomain", aliasDomain, "a domain other than domain");
    await this.with(op, (s) =>
      s.transaction(async (tx) => {
        await insertDomain(tx, domain, "");
        await linkAliasDomain(tx, op, domain, aliasDomain);
      }),
    );
  }

  /**
   * Removes the `alias_domain` row of `aliasDomain` (and the `domain` row Mailplane created for
   * it): mail to it is then rejected. A `NotFoundError` when it is not an alias of `domain`.
   */
  async removeDomainAlias(domain: string, aliasDomain: string): Promise<void> {
    const op = "removeDomainAlias";
    checkDomain(op, "domain", domain);
    checkDomain(op, "aliasDomain", aliasDomain);
    await this.with(op, (s) =>
      s.transaction(async (tx) => {
        const rows = await tx.query(
          "SELECT 1 AS x FROM alias_domain WHERE alias_domain = ? AND target_domain = ?",
          [aliasDomain, domain],
        );
        if (rows.length === 0) {
          throw new NotFoundError(
            { provider: PROVIDER, operation: op },
            `${PROVIDER} ${op}: ${aliasDomain} is not an alias of ${domain}`,
          );
        }
        await unlinkAliasDomain(tx, domain, aliasDomain);
      }),
    );
  }

  // ---- catch-all -------------------------------------------------------------------------

  /** Destinations of the domain's catch-all (`@domain` alias row), or undefined when none. */
  async getCatchAll(domain: string): Promise<string[] | undefined> {
    checkDomain("getCatchAll", "domain", domain);
    return this.with("getCatchAll", async (s) => {
      const rows = await s.query("SELECT goto FROM alias WHERE address = ?", [`@${domain}`]);
      return rows.length === 0 ? undefined : parseGoto(rows[0]!.goto).sort();
    });
  }

  /** Sets (or with `undefined`/`[]` removes) the catch-all for unknown local parts. */
  async setCatchAll(domain: string, destinations: string[] | undefined): Promise<void> {
    const op = "setCatchAll";
    checkDomain(op, "domain", domain);
    const dests = checkAddresses(op, "destinations", destinations ?? []);
    await this.with(op, (s) =>
      s.transaction(async (tx) => {
        await tx.run("DELETE FROM alias WHERE address = ?", [`@${domain}`]);
        if (dests.length === 0) return;
        await insertDomain(tx, domain, "");
        await insertAlias(tx, `@${domain}`, domain, dests);
      }),
    );
  }

  // ---- mailboxes -------------------------------------------------------------------------

  async listMailboxes(domain: string): Promise<MailboxState[]> {
    checkDomain("listMailboxes", "domain", domain);
    return this.with("listMailboxes", (s) => readMailboxes(s, domain));
  }

  async getMailbox(domain: string, localPart: string): Promise<MailboxState | undefined> {
    checkDomain("getMailbox", "domain", domain);
    checkLocalPart("getMailbox", "localPart", localPart);
    return this.with("getMailbox", async (s) => (await readMailboxes(s, domain, localPart))[0]);
  }

  async createMailbox(input: MailboxInput): Promise<MailboxState> {
    const op = "createMailbox";
    const { domain, localPart } = input;
    const address = checkAccount(op, domain, localPart);
    checkQuota(op, input.quotaMb);
    (input.aliases ?? []).forEach((a, i) => checkLocalPart(op, `aliases[${i}]`, a));
    const forwardTo = checkAddresses(op, "forwardTo", input.forwardTo ?? []);
    const hash = input.password === undefined ? "" : await hashPassword(input.password);
    return this.with(op, (s) =>
      s.transaction(async (tx) => {
        const existing = (await readMailboxes(tx, domain, localPart))[0];
        if (existing !== undefined) {
          // An identical mailbox is adopted (its password untouched); a different one conflicts.
          const diffs = mailboxDifferences(existing, input, forwardTo);
          if (diffs.length > 0) {
            throw new ConflictError(
              { provider: PROVIDER, operation: op },
              `${PROVIDER} ${op}: ${address} already exists with ${diffs.join(", ")}`,
            );
          }
          for (const a of [...new Set(input.aliases ?? [])]) {
            if (existing.aliases.includes(a)) continue;
            await takeAliasRow(
              tx,
              op,
              `${a}@${domain}`,
              domain,
              [address],
              "mailboxAlias",
              "",
              address,
            );
          }
          return (await readMailboxes(tx, domain, localPart))[0]!;
        }
        await assertFree(tx, op, address);
        await insertDomain(tx, domain, "");
        await tx.run(
          "INSERT INTO mailbox (username, password, name, maildir, quota, local_part, domain, active)" +
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          [
            address,
            hash,
            input.name ?? "",
            maildirOf(domain, localPart),
            (input.quotaMb ?? 0) * MIB,
            localPart,
            domain,
            boolParam(tx, !input.suspended),
          ],
        );
        await insertAlias(tx, address, domain, [address, ...forwardTo]);
        await upsertMeta(tx, address, "mailbox", "", input.department, input.title);
        for (const a of [...new Set(input.aliases ?? [])]) {
          await takeAliasRow(
            tx,
            op,
            `${a}@${domain}`,
            domain,
            [address],
            "mailboxAlias",
            "",
            address,
          );
        }
        return (await readMailboxes(tx, domain, localPart))[0]!;
      }),
    );
  }

  async updateMailbox(
    domain: string,
    localPart: string,
    patch: MailboxPatch,
  ): Promise<MailboxState> {
    const op = "updateMailbox";
    const address = checkAccount(op, domain, localPart);
    checkQuota(op, patch.quotaMb);
    (patch.aliases ?? []).forEach((a, i) => checkLocalPart(op, `aliases[${i}]`, a));
    const forwardTo =
      patch.forwardTo === undefined ? undefined : checkAddresses(op, "forwardTo", patch.forwardTo);
    const hash = patch.password === undefined ? undefined : await hashPassword(patch.password);
    return this.with(op, (s) =>
      s.transaction(async (tx) => {
        const current = (await readMailboxes(tx, domain, localPart))[0];
        if (!current) throw notFound(op, address);
        const sets: string[] = [];
        const params: unknown[] = [];
        const set = (col: string, value: unknown) => {
          sets.push(`${col} = ?`);
          params.push(value);
        };
        if (patch.name !== undefined) set("name", patch.name);
        if ("quotaMb" in patch) set("quota", (patch.quotaMb ?? 0) * MIB);
        if (patch.suspended !== undefined) set("active", boolParam(tx, !patch.suspended));
        if (hash !== undefined) set("password", hash);
        if (sets.length > 0) {
          set("modified", new Date().toISOString());
          await tx.run(`UPDATE mailbox SET ${sets.join(", ")} WHERE username = ?`, [
            ...params,
            address,
          ]);
        }
        if (forwardTo !== undefined) {
          await tx.run("UPDATE alias SET goto = ? WHERE address = ?", [
            [address, ...forwardTo.filter((f) => f !== address)].join(","),
            address,
          ]);
        }
        if (patch.department !== undefined || patch.title !== undefined) {
          await upsertMeta(
            tx,
            address,
            "mailbox",
            "",
            patch.department ?? current.department,
            patch.title ?? current.title,
          );
        }
        if (patch.aliases !== undefined) {
          const wanted = new Set(patch.aliases);
          const keep = new Set(patch.keepAliases ?? []);
          for (const a of current.aliases) {
            if (wanted.has(a) || keep.has(a)) continue;
            await deleteAliasRow(tx, `${a}@${domain}`);
          }
          for (const a of wanted) {
            if (current.aliases.includes(a) || keep.has(a)) continue;
            const aliasAddress = `${a}@${domain}`;
            await takeAliasRow(
              tx,
              op,
              aliasAddress,
              domain,
              [address],
              "mailboxAlias",
              "",
              address,
            );
          }
        }
        return (await readMailboxes(tx, domain, localPart))[0]!;
      }),
    );
  }

  /**
   * Changes a mailbox's address in place: the `maildir` column keeps pointing at the same
   * directory, so its mail stays; the self-alias row, the mailbox's aliases and every alias or
   * group that delivered to the old address follow.
   */
  async renameMailbox(domain: string, from: string, to: string): Promise<MailboxState> {
    const op = "renameMailbox";
    checkDomain(op, "domain", domain);
    checkLocalPart(op, "from", from);
    checkLocalPart(op, "to", to);
    const oldAddress = `${from}@${domain}`;
    const newAddress = `${to}@${domain}`;
    return this.with(op, (s) =>
      s.transaction(async (tx) => {
        if ((await readMailboxes(tx, domain, from)).length === 0) throw notFound(op, oldAddress);
        await assertFree(tx, op, newAddress);
        const now = new Date().toISOString();
        await tx.run(
          "UPDATE mailbox SET username = ?, local_part = ?, modified = ? WHERE username = ?",
          [newAddress, to, now, oldAddress],
        );
        await tx.run("UPDATE alias SET address = ? WHERE address = ?", [newAddress, oldAddress]);
        await tx.run("UPDATE mailplane_meta SET address = ? WHERE address = ?", [
          newAddress,
          oldAddress,
        ]);
        await tx.run("UPDATE mailplane_meta SET mailbox = ? WHERE mailbox = ?", [
          newAddress,
          oldAddress,
        ]);
        const rows = await tx.query("SELECT address, goto FROM alias");
        for (const r of rows) {
          const goto = parseGoto(r.goto);
          if (!goto.includes(oldAddress)) continue;
          const next = goto.map((g) => (g === oldAddress ? newAddress : g));
          await tx.run("UPDATE alias SET goto = ? WHERE address = ?", [next.join(","), r.address]);
        }
        return (await readMailboxes(tx, domain, to))[0]!;
      }),
    );
  }

  async deleteMailbox(domain: string, localPart: string): Promise<void> {
    const op = "deleteMailbox";
    const address = checkAccount(op, domain, localPart);
    await this.with(op, (s) =>
      s.transaction(async (tx) => {
        const current = (await readMailboxes(tx, domain, localPart))[0];
        if (!current) throw notFound(op, address);
        // Aliases the caller did not remove stay, as plain aliases (never hidden rows).
        await tx.run("DELETE FROM mailplane_meta WHERE kind = 'mailboxAlias' AND mailbox = ?", [
          address,
        ]);
        await deleteAliasRow(tx, address);
        await tx.run("DELETE FROM mailbox WHERE username = ?", [address]);
      }),
    );
  }

  // ---- aliases ---------------------------------------------------------------------------

  async listAliases(domain: string): Promise<AliasState[]> {
    return this.listOfKind("listAliases", domain, "alias", (r) => ({
      domain,
      localPart: r.localPart,
      destinations: r.goto,
    }));
  }

  async getAlias(domain: string, localPart: string): Promise<AliasState | undefined> {
    return (await this.listAliases(domain)).find((a) => a.localPart === localPart);
  }

  async createAlias(input: AliasState): Promise<AliasState> {
    const op = "createAlias";
    const address = checkAccount(op, input.domain, input.localPart);
    const destinations = checkTargets(op, "destinations", input.destinations);
    await this.createOfKind(op, input.domain, address, destinations, "alias", "");
    return { domain: input.domain, localPart: input.localPart, destinations };
  }

  async updateAlias(
    domain: string,
    localPart: string,
    destinations: string[],
  ): Promise<AliasState> {
    const op = "updateAlias";
    const address = checkAccount(op, domain, localPart);
    const dests = checkTargets(op, "destinations", destinations);
    return this.with(op, (s) =>
      s.transaction(async (tx) => {
        await aliasRowOf(tx, op, domain, localPart, "alias");
        await setGoto(tx, address, dests);
        return { domain, localPart, destinations: dests };
      }),
    );
  }

  async deleteAlias(domain: string, localPart: string): Promise<void> {
    await this.deleteOfKind("deleteAlias", domain, localPart, "alias");
  }

  // ---- groups ----------------------------------------------------------------------------

  async listGroups(domain: string): Promise<GroupState[]> {
    return this.listOfKind("listGroups", domain, "group", (r) => ({
      domain,
      localPart: r.localPart,
      name: r.name,
      members: r.goto,
    }));
  }

  async getGroup(domain: string, localPart: string): Promise<GroupState | undefined> {
    return (await this.listGroups(domain)).find((g) => g.localPart === localPart);
  }

  async createGroup(input: GroupState): Promise<GroupState> {
    const op = "createGroup";
    const address = checkAccount(op, input.domain, input.localPart);
    const members = checkTargets(op, "members", input.members);
    const name = input.name ?? "";
    await this.createOfKind(op, input.domain, address, members, "group", name);
    return { domain: input.domain, localPart: input.localPart, name, members };
  }

  async updateGroup(
    domain: string,
    localPart: string,
    patch: Partial<Pick<GroupState, "name" | "members">>,
  ): Promise<GroupState> {
    const op = "updateGroup";
    const address = checkAccount(op, domain, localPart);
    const members =
      patch.members === undefined ? undefined : checkTargets(op, "members", patch.members);
    return this.with(op, (s) =>
      s.transaction(async (tx) => {
        const current = await aliasRowOf(tx, op, domain, localPart, "group");
        if (members !== undefined) await setGoto(tx, address, members);
        const name = patch.name ?? current.name;
        if (patch.name !== undefined) await upsertMeta(tx, address, "group", name);
        return { domain, localPart, name, members: members ?? current.goto };
      }),
    );
  }

  async deleteGroup(domain: string, localPart: string): Promise<void> {
    await this.deleteOfKind("deleteGroup", domain, localPart, "group");
  }

  // ---- alias rows of one kind (aliases and groups) ------------------------------------------

  /** The alias rows of `kind` in `domain`, as `toState` makes them. */
  private listOfKind<T>(
    op: string,
    domain: string,
    kind: AliasKind,
    toState: (row: AliasRow) => T,
  ): Promise<T[]> {
    checkDomain(op, "domain", domain);
    return this.with(op, async (s) => (await readAliasRows(s, domain, kind)).map(toState));
  }

  /** Writes a new alias row of `kind` (and the domain row), or adopts an identical one. */
  private async createOfKind(
    op: string,
    domain: string,
    address: string,
    targets: string[],
    kind: AliasKind,
    name: string,
  ): Promise<void> {
    await this.with(op, (s) =>
      s.transaction(async (tx) => {
        await insertDomain(tx, domain, "");
        await takeAliasRow(tx, op, address, domain, targets, kind, name);
      }),
    );
  }

  /** Removes the alias row of `kind` at `localPart@domain`; NotFoundError when there is none. */
  private async deleteOfKind(
    op: string,
    domain: string,
    localPart: string,
    kind: AliasKind,
  ): Promise<void> {
    const address = checkAccount(op, domain, localPart);
    await this.with(op, (s) =>
      s.transaction(async (tx) => {
        await aliasRowOf(tx, op, domain, localPart, kind);
        await deleteAliasRow(tx, address);
      }),
    );
  }
}

// ---- row helpers ---------------------------------------------------------------------------

/**
 * A store error's message for a `ProviderError`: the store's secrets (the PostgreSQL connection
 * string's password, in every form the HTTP kit's Redactor knows) removed before it is cut to
 * `API_MESSAGE_MAX`, and any other `postgres://user:password@` masked.
 */
function messageOf(err: unknown, secrets: readonly string[]): string {
  const msg = err instanceof Error ? err.message : String(err);
  const masked = msg.replace(/(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/g, "$1***@");
  return cutText(new Redactor(secrets).text(masked), API_MESSAGE_MAX);
}

/** The secrets a store's configuration holds (a PostgreSQL connection string's password). */
function storeSecrets(config: SelfHostedStoreConfig): string[] {
  if (config.type !== "postgres") return [];
  try {
    return connectionStringSecrets(resolveConnectionString(config));
  } catch {
    return [];
  }
}

function notFound(operation: string, address: string): NotFoundError {
  return new NotFoundError(
    { provider: PROVIDER, operation },
    `${PROVIDER} ${operation}: ${address} does not exist`,
  );
}

function boolParam(store: SqlStore, value: boolean): boolean | number {
  return store.dialect === "postgres" ? value : value ? 1 : 0;
}

async function insertDomain(store: SqlStore, domain: string, description: string): Promise<void> {
  await store.run(
    "INSERT INTO domain (domain, description) VALUES (?, ?) ON CONFLICT (domain) DO NOTHING",
    [domain, description],
  );
}

/**
 * Adds the `alias_domain` row making `aliasDomain` deliver like `domain`, with a `domain` row for
 * it; nothing when it already is. Refuses an alias of another domain and a domain with accounts.
 */
async function linkAliasDomain(
  tx: SqlStore,
  op: string,
  domain: string,
  aliasDomain: string,
): Promise<void> {
  const rows = await tx.query("SELECT target_domain FROM alias_domain WHERE alias_domain = ?", [
    aliasDomain,
  ]);
  const target = rows.length === 0 ? undefined : text(rows[0]!.target_domain);
  if (target === domain) return;
  if (target !== undefined) {
    throw new ConflictError(
      { provider: PROVIDER, operation: op },
      `${PROVIDER} ${op}: ${aliasDomain} is already an alias of ${target}`,
    );
  }
  const used = await tx.query(
    "SELECT 1 AS x FROM mailbox WHERE domain = ? UNION ALL " +
      "SELECT 1 AS x FROM alias WHERE domain = ?",
    [aliasDomain, aliasDomain],
  );
  if (used.length > 0) {
    throw new ConflictError(
      { provider: PROVIDER, operation: op },
      `${PROVIDER} ${op}: ${aliasDomain} has mailboxes or aliases of its own and cannot become ` +
        `an alias of ${domain}`,
    );
  }
  await insertDomain(tx, aliasDomain, `alias of ${domain}`);
  await tx.run(
    "INSERT INTO alias_domain (alias_domain, target_domain, active) VALUES (?, ?, " +
      `${sqlBool(tx.dialect, true)})`,
    [aliasDomain, domain],
  );
}

/** Removes an `alias_domain` row and the `domain` row Mailplane made for the alias domain. */
async function unlinkAliasDomain(tx: SqlStore, domain: string, aliasDomain: string): Promise<void> {
  await tx.run("DELETE FROM alias_domain WHERE alias_domain = ? AND target_domain = ?", [
    aliasDomain,
    domain,
  ]);
  await tx.run("DELETE FROM domain WHERE domain = ? AND description = ?", [
    aliasDomain,
    `alias of ${domain}`,
  ]);
}

async function insertAlias(
  store: SqlStore,
  address: string,
  domain: string,
  goto: string[],
): Promise<void> {
  await store.run("INSERT INTO alias (address, goto, domain, active) VALUES (?, ?, ?, ?)", [
    address,
    goto.join(","),
    domain,
    boolParam(store, true),
  ]);
}

async function deleteAliasRow(store: SqlStore, address: string): Promise<void> {
  await store.run("DELETE FROM alias WHERE address = ?", [address]);
  await store.run("DELETE FROM mailplane_meta WHERE address = ?", [address]);
}

async function upsertMeta(
  store: SqlStore,
  address: string,
  kind: "mailbox" | "mailboxAlias" | "alias" | "group",
  name: string,
  department?: string,
  title?: string,
  mailbox?: string,
): Promise<void> {
  await store.run(
    "INSERT INTO mailplane_meta (address, kind, name, department, title, mailbox) VALUES (?, ?, ?, ?, ?, ?)" +
      " ON CONFLICT (address) DO UPDATE SET kind = excluded.kind, name = excluded.name," +
      " department = excluded.department, title = excluded.title, mailbox = excluded.mailbox",
    [address, kind, name, department ?? "", title ?? "", mailbox ?? ""],
  );
}

async function assertFree(store: SqlStore, operation: string, address: string): Promise<void> {
  const rows = await store.query(
    "SELECT address FROM alias WHERE address = ? UNION SELECT username FROM mailbox WHERE username = ?",
    [address, address],
  );
  if (rows.length > 0) {
    throw new ConflictError(
      { provider: PROVIDER, operation },
      `${PROVIDER} ${operation}: ${address} already exists`,
    );
  }
}

/** What differs between an existing mailbox and a create's input, as `field "live" ≠ "wanted"`. */
function mailboxDifferences(
  live: MailboxState,
  input: MailboxInput,
  forwardTo: string[],
): string[] {
  const fields: Array<[string, unknown, unknown]> = [
    ["name", live.name, input.name ?? ""],
    ["quotaMb", live.quotaMb, input.quotaMb],
    ["suspended", live.suspended, input.suspended ?? false],
    ["department", live.department, input.department || undefined],
    ["title", live.title, input.title || undefined],
    ["forwardTo", live.forwardTo.join(","), forwardTo.join(",")],
  ];
  return fields
    .filter(([, a, b]) => a !== b)
    .map(([f, a, b]) => `${f} ${JSON.stringify(a ?? null)} ≠ ${JSON.stringify(b ?? null)}`);
}

/**
 * Makes `address` an alias row of `kind` delivering to `goto`: inserts it when the address is
 * free. An alias row that already delivers to exactly `goto` (a mailbox's alias, a standalone
 * alias, a group, or a row Mailplane never wrote) is taken over: only its kind changes, so the
 * address never stops delivering while it moves between kinds. A mailbox, the catch-all or an
 * alias row with other destinations is a `ConflictError`.
 */
async function takeAliasRow(
  tx: SqlStore,
  operation: string,
  address: string,
  domain: string,
  goto: string[],
  kind: "mailboxAlias" | "alias" | "group",
  name: string,
  mailbox?: string,
): Promise<void> {
  const mailboxes = await tx.query("SELECT username FROM mailbox WHERE username = ?", [address]);
  const rows = await tx.query("SELECT goto FROM alias WHERE address = ?", [address]);
  if (mailboxes.length === 0 && rows.length === 0) {
    await insertAlias(tx, address, domain, goto);
  } else {
    const existing = rows.length === 0 ? [] : parseGoto(rows[0]!.goto).sort();
    const wanted = [...new Set(goto)].sort();
    if (mailboxes.length > 0 || existing.join(",") !== wanted.join(",")) {
      const what =
        mailboxes.length > 0 ? "as a mailbox" : `delivering to ${existing.join(", ") || "nothing"}`;
      throw new ConflictError(
        { provider: PROVIDER, operation },
        `${PROVIDER} ${operation}: ${address} already exists ${what}`,
      );
    }
  }
  await upsertMeta(tx, address, kind, name, undefined, undefined, mailbox);
}

async function readMailboxes(
  store: SqlStore,
  domain: string,
  localPart?: string,
): Promise<MailboxState[]> {
  const where = localPart === undefined ? "m.domain = ?" : "m.username = ?";
  const rows = await store.query(
    "SELECT m.username, m.name, m.quota, m.local_part, m.active, a.goto AS self_goto," +
      " meta.department, meta.title FROM mailbox m" +
      " LEFT JOIN alias a ON a.address = m.username" +
      " LEFT JOIN mailplane_meta meta ON meta.address = m.username" +
      ` WHERE ${where} ORDER BY m.username`,
    [localPart === undefined ? domain : `${localPart}@${domain}`],
  );
  if (rows.length === 0) return [];
  const aliasRows = await store.query(
    "SELECT meta.address, meta.mailbox FROM mailplane_meta meta" +
      " JOIN alias a ON a.address = meta.address" +
      " WHERE meta.kind = 'mailboxAlias' AND a.domain = ? ORDER BY meta.address",
    [domain],
  );
  return rows.map((r: SqlRow) => {
    const username = text(r.username);
    const quota = Number(r.quota ?? 0);
    const state: MailboxState = {
      domain,
      localPart: text(r.local_part),
      name: text(r.name),
      suspended: !isTrue(r.active),
      aliases: aliasRows
        .filter((a) => a.mailbox === username)
        .map((a) => text(a.address).slice(0, -(domain.length + 1))),
      forwardTo: parseGoto(r.self_goto)
        .filter((g) => g !== username)
        .sort(),
    };
    if (quota > 0) state.quotaMb = Math.round(quota / MIB);
    if (text(r.department) !== "") state.department = text(r.department);
    if (text(r.title) !== "") state.title = text(r.title);
    return state;
  });
}

interface AliasRow {
  localPart: string;
  goto: string[];
  name: string;
}

/** The two kinds of alias row `readAliasRows` tells apart by `mailplane_meta.kind`. */
type AliasKind = "alias" | "group";

/**
 * Alias rows of a domain of one kind. `alias` also covers rows without Mailplane meta (an
 * adopted PostfixAdmin database), except mailboxes' self rows and the catch-all.
 */
async function readAliasRows(
  store: SqlStore,
  domain: string,
  kind: AliasKind,
): Promise<AliasRow[]> {
  const rows = await store.query(
    "SELECT a.address, a.goto, meta.kind, meta.name FROM alias a" +
      " LEFT JOIN mailplane_meta meta ON meta.address = a.address" +
      " LEFT JOIN mailbox m ON m.username = a.address" +
      " WHERE a.domain = ? AND m.username IS NULL ORDER BY a.address",
    [domain],
  );
  return rows
    .filter((r) => {
      const address = text(r.address);
      if (address.startsWith("@")) return false;
      const k = r.kind === null || r.kind === undefined ? "alias" : text(r.kind);
      return k === kind;
    })
    .map((r) => ({
      localPart: text(r.address).slice(0, -(domain.length + 1)),
      goto: parseGoto(r.goto).sort(),
      name: text(r.name),
    }));
}

/** The alias row of `kind` at `localPart@domain`; NotFoundError when there is none. */
async function aliasRowOf(
  store: SqlStore,
  op: string,
  domain: string,
  localPart: string,
  kind: AliasKind,
): Promise<AliasRow> {
  const row = (await readAliasRows(store, domain, kind)).find((r) => r.localPart === localPart);
  if (!row) throw notFound(op, `${localPart}@${domain}`);
  return row;
}

/** Points the alias row at `address` to `targets`, stamping its modification time. */
async function setGoto(store: SqlStore, address: string, targets: string[]): Promise<void> {
  await store.run("UPDATE alias SET goto = ?, modified = ? WHERE address = ?", [
    targets.join(","),
    new Date().toISOString(),
    address,
  ]);
}
