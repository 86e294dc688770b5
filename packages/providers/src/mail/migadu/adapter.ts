import { isNormalizedAddress } from "@mailplane/core";
import type {
  AliasState,
  GroupState,
  MailProvider,
  MailboxInput,
  MailboxPatch,
  MailboxState,
} from "../../adapter";
import { capabilities } from "../definition";
import {
  AddressCheck,
  adoptionConflict,
  DomainCache,
  ListCache,
  failFor,
  lower,
  sameList,
  sorted,
  type Fail,
} from "../shared/adapter-kit";
import { AuthError, ConflictError, MailProviderError, NotFoundError } from "../../errors";
import { MIGADU_API_URL, MigaduClient, type MigaduClientConfig } from "./client";
import type { MigaduAlias, MigaduMailbox, MigaduMailboxWrite } from "./schema";

/**
 * What Migadu can do, as this adapter realises it.
 * - No per-mailbox quota in the API (storage is per plan; `storage_usage` is read-only).
 * - No rename: `local_part` is create/read-only, so a new address means a new mailbox.
 * - No native groups: a group is a Migadu alias with several destinations. Migadu has nowhere to
 *   store its display name: `GroupState.name` reads back `undefined` (not stored).
 * - Suspension = `may_send`, `may_access_imap`, `may_access_pop3` and `may_access_managesieve`
 *   all false while `may_receive` stays true (mail is kept and still delivered).
 * - Initial passwords, or Migadu's invitation (`password_method: "invitation"`) sent to a
 *   recovery address. No forced change at login, no per-user 2FA in the API.
 * - Catch-all and domain aliases are not exposed by this adapter.
 */
export const migaduCapabilities = capabilities({
  mailboxes: true,
  aliasesPerMailbox: Infinity,
  standaloneAliases: true,
  groups: true,
  suspend: true,
  passwords: true,
  externalForward: true,
});

/** Settings of the Migadu adapter: the client's connection and the adapter's own. */
export interface MigaduProviderConfig extends MigaduClientConfig {
  /** When set, the adapter refuses every other domain. */
  domain?: string;
  /**
   * How long one list response serves `get*` reads in this process, in milliseconds.
   * @default 2000
   */
  readCacheTtlMs?: number;
}

/** Credentials and endpoint read from the environment at call time. */
export interface MigaduCredentials {
  user: string;
  apiKey: string;
  baseUrl?: string;
}

const PROVIDER = "migadu";
const SUSPEND_FLAGS = [
  "may_send",
  "may_access_imap",
  "may_access_pop3",
  "may_access_managesieve",
] as const;

function isSuspended(m: MigaduMailbox): boolean {
  return SUSPEND_FLAGS.every((f) => m[f] === false);
}

function suspensionBody(suspended: boolean): MigaduMailboxWrite {
  return {
    may_send: !suspended,
    may_receive: true,
    may_access_imap: !suspended,
    may_access_pop3: !suspended,
    may_access_managesieve: !suspended,
  };
}

const fail: Fail = failFor(PROVIDER);

function isTaken(e: unknown): boolean {
  return (
    e instanceof MailProviderError &&
    (e.status === 422 || e.status === 400 || e.status === 409) &&
    /taken|exists/i.test(e.apiMessage ?? "")
  );
}

/**
 * The Migadu adapter (https://migadu.com/api). Reads are batched: one list per domain serves
 * every `get*` of the process for `readCacheTtlMs`. Writes go through the cache: the item a
 * write returned replaces (or a delete removes) the cached one, so a run of creates needs no
 * new list; only a write whose outcome is unknown (it failed) drops the cached list.
 *
 * `createMailbox` checks existence in the cached list when it is fresh and otherwise sends the
 * create straight away (the Pulumi runtime has just checked existence in its own listing):
 * Migadu's "already taken" answer, or a dropped connection after the POST, is followed by a
 * read of that one mailbox, which is adopted when identical and a ConflictError otherwise.
 *
 * Mailbox aliases are Migadu aliases whose only destination is the mailbox. `forwardTo` uses
 * Migadu forwardings and is read back for suspended mailboxes only (offboarding), which keeps
 * a domain read at two list requests; declaring `forwardTo` on an active mailbox is refused.
 */
export class MigaduProvider implements MailProvider {
  readonly name = PROVIDER;
  readonly capabilities = migaduCapabilities;
  readonly domain: string | undefined;
  readonly baseUrl: string;
  private readonly client: MigaduClient;
  private readonly cache: DomainCache;
  private readonly check: AddressCheck;
  private readonly mailboxes: ListCache<MigaduMailbox>;
  private readonly aliases: ListCache<MigaduAlias>;

  constructor(config: MigaduProviderConfig) {
    if (typeof config.user !== "string" || !/^[^\s@]+@[^\s@]+$/.test(config.user)) {
      throw new TypeError(
        `migadu: user must be the admin email address of the Migadu account, got ${JSON.stringify(config.user ?? null)}`,
      );
    }
    if (typeof config.apiKey !== "string" || config.apiKey.trim() === "") {
      throw new TypeError("migadu: apiKey must be a non-empty Migadu API key (value not shown)");
    }
    this.domain = config.domain?.toLowerCase();
    this.baseUrl = (config.baseUrl ?? MIGADU_API_URL).replace(/\/+$/, "");
    this.client = new MigaduClient({ ...config, baseUrl: this.baseUrl });
    this.cache = new DomainCache(
      `migadu ${this.baseUrl} ${config.user}`,
      config.readCacheTtlMs ?? 2_000,
    );
    this.check = new AddressCheck(PROVIDER, this.domain);
    const byLocalPart = (x: { local_part: string }): string => x.local_part.toLowerCase();
    this.mailboxes = this.cache.list<MigaduMailbox>("mailboxes", byLocalPart);
    this.aliases = this.cache.list<MigaduAlias>("aliases", byLocalPart);
  }

  // ---------------- batched reads ----------------

  private rawMailboxes(domain: string): Promise<Map<string, MigaduMailbox>> {
    return this.mailboxes.get(domain, () => this.client.listMailboxes(domain));
  }

  private rawAliases(domain: string): Promise<Map<string, MigaduAlias>> {
    return this.aliases.get(domain, () => this.client.listAliases(domain));
  }

  private forwardTo(domain: string, m: MigaduMailbox, operation: string): Promise<string[]> {
    if (!isSuspended(m)) return Promise.resolve([]);
    const lp = m.local_part.toLowerCase();
    return this.cache.value(domain, `forwardings ${lp}`, async () =>
      lower((await this.client.listForwardings(domain, lp, operation)).map((f) => f.address)),
    );
  }

  private invalidateForwardings(domain: string, lp: string): void {
    this.cache.invalidate(domain, `forwardings ${lp}`);
  }

  /** Write-through of a deleted mailbox: it leaves the cached list, with its forwardings. */
  private uncacheMailbox(domain: string, lp: string): void {
    this.mailboxes.remove(domain, lp);
    this.cacheForwardings(domain, lp, []);
  }

  private cacheForwardings(domain: string, lp: string, list: string[]): void {
    this.cache.set(domain, `forwardings ${lp}`, [...list]);
  }

  /** The cached mailbox list when it is fresh (or loading); never sends a request. */
  private async cachedMailboxes(domain: string): Promise<Map<string, MigaduMailbox> | undefined> {
    const cached = this.mailboxes.peek(domain);
    // A failing list is reported to the reader that started it; the create goes ahead.
    return cached?.catch(() => undefined);
  }

  private mailboxAliases(m: MigaduMailbox, aliases: Map<string, MigaduAlias>): string[] {
    const address = m.address.toLowerCase();
    return sorted(
      [...aliases.values()]
        .filter((a) => a.destinations.length === 1 && a.destinations[0]!.toLowerCase() === address)
        .map((a) => a.local_part.toLowerCase()),
    );
  }

  private toState(
    domain: string,
    m: MigaduMailbox,
    aliases: string[],
    forwardTo: string[],
  ): MailboxState {
    return {
      domain,
      localPart: m.local_part.toLowerCase(),
      name: m.name,
      suspended: isSuspended(m),
      aliases,
      forwardTo,
    };
  }

  // ---------------- mailboxes ----------------

  /** Every mailbox of the domain: two list requests plus one per suspended mailbox. */
  async listMailboxes(domain: string): Promise<MailboxState[]> {
    const d = this.check.domain(domain, "listMailboxes");
    const [mailboxes, aliases] = await Promise.all([this.rawMailboxes(d), this.rawAliases(d)]);
    const states = await Promise.all(
      [...mailboxes.values()].map(async (m) =>
        this.toState(
          d,
          m,
          this.mailboxAliases(m, aliases),
          await this.forwardTo(d, m, "listMailboxes"),
        ),
      ),
    );
    return states.sort((a, b) => a.localPart.localeCompare(b.localPart));
  }

  /** One mailbox, served from the batched list. */
  async getMailbox(domain: string, localPart: string): Promise<MailboxState | undefined> {
    const d = this.check.domain(domain, "getMailbox");
    const lp = this.check.localPart(localPart, "getMailbox");
    const [mailboxes, aliases] = await Promise.all([this.rawMailboxes(d), this.rawAliases(d)]);
    const m = mailboxes.get(lp);
    if (!m) return undefined;
    return this.toState(
      d,
      m,
      this.mailboxAliases(m, aliases),
      await this.forwardTo(d, m, "getMailbox"),
    );
  }

  private differences(m: MigaduMailbox, input: MailboxInput): string[] {
    const diffs: string[] = [];
    if (m.name !== input.name)
      diffs.push(`name: ${JSON.stringify(m.name)} ≠ ${JSON.stringify(input.name)}`);
    if (isSuspended(m) !== input.suspended)
      diffs.push(`suspended: ${isSuspended(m)} ≠ ${input.suspended}`);
    return diffs;
  }

  private conflict(
    operation: string,
    address: string,
    what: string,
    diffs: string[],
  ): ConflictError {
    return adoptionConflict(
      PROVIDER,
      operation,
      422,
      `${address} already exists at Migadu ${what} (${diffs.join("; ")})`,
    );
  }

  /**
   * Creates a mailbox. An existing identical mailbox (same name and suspension) is adopted without
   * touching its password; an existing different one is a ConflictError.
   */
  async createMailbox(input: MailboxInput): Promise<MailboxState> {
    const op = "createMailbox";
    const { d, lp, address } = this.check.address(input.domain, input.localPart, op);
    this.check.name(op, address, input.name);
    const forwardTo = lower(input.forwardTo ?? []);
    if (forwardTo.length > 0 && !input.suspended) {
      fail(
        op,
        `${address}: forwardTo needs suspended: true (Migadu forwarding is managed for offboarded mailboxes only)`,
      );
    }
    // Checked only when a mailbox is really created: adopting an existing one sends no password.
    const requirePassword = () => {
      if (input.password === undefined && !input.recoveryEmail) {
        fail(
          op,
          `${address} has no password; Migadu's invitation flow needs recoveryEmail (the address the invitation is sent to)`,
        );
      }
    };
    const aliases = lower(input.aliases ?? []).filter((a) => a !== lp);
    const adopt = (m: MigaduMailbox): MigaduMailbox => {
      const diffs = this.differences(m, input);
      if (diffs.length > 0) throw this.conflict(op, address, "with different settings", diffs);
      return m;
    };

    let created: MigaduMailbox;
    let existing = (await this.cachedMailboxes(d))?.get(lp);
    if (!existing && input.password === undefined && !input.recoveryEmail) {
      // Nothing to create it with: only an existing mailbox can be adopted (one list read).
      existing = (await this.rawMailboxes(d)).get(lp);
    }
    if (existing) {
      created = adopt(existing);
    } else {
      requirePassword();
      const body: MigaduMailboxWrite = {
        local_part: lp,
        name: input.name,
        is_internal: false,
        ...suspensionBody(input.suspended),
        ...(input.password !== undefined
          ? { password_method: "password", password: input.password }
          : { password_method: "invitation", password_recovery_email: input.recoveryEmail }),
      };
      const verify = async (): Promise<MigaduMailbox | undefined> => {
        try {
          return adopt(await this.client.getMailbox(d, lp, op));
        } catch (e) {
          if (e instanceof NotFoundError) return undefined;
          throw e;
        }
      };
      try {
        created = await this.client.createMailbox(d, body, verify);
      } catch (e) {
        if (!isTaken(e)) {
          this.mailboxes.invalidate(d);
          throw e;
        }
        // Taken already: by a mailbox (adopt or conflict) or by an alias (conflict).
        const found = await verify();
        if (!found) throw this.conflict(op, address, "as an alias", ["an alias uses this address"]);
        created = found;
      }
      this.mailboxes.put(d, created);
    }
    // A new mailbox owns no aliases yet: single-destination aliases already delivering to it
    // (standalone aliases such as hr@ → ali@) are kept, never removed by its creation.
    const finalAliases = await this.syncMailboxAliases(op, d, created, aliases, false);
    const finalForward = await this.syncForwardings(op, d, created, forwardTo);
    return this.toState(d, created, finalAliases, finalForward);
  }

  /** Applies the given fields; returns the state after the update. */
  async updateMailbox(
    domain: string,
    localPart: string,
    patch: MailboxPatch,
  ): Promise<MailboxState> {
    const op = "updateMailbox";
    const { d, lp, address } = this.check.address(domain, localPart, op);
    if (patch.name !== undefined) this.check.name(op, address, patch.name);
    const body: MigaduMailboxWrite = {};
    if (patch.name !== undefined) body.name = patch.name;
    if (patch.suspended !== undefined) Object.assign(body, suspensionBody(patch.suspended));
    if (patch.password !== undefined) {
      body.password_method = "password";
      body.password = patch.password;
    }
    let m: MigaduMailbox;
    if (Object.keys(body).length > 0) {
      try {
        m = await this.client.updateMailbox(d, lp, body);
      } catch (e) {
        this.mailboxes.invalidate(d);
        throw e;
      }
    } else {
      m = await this.client.getMailbox(d, lp, op);
    }
    this.mailboxes.put(d, m);
    const forwardTo = patch.forwardTo === undefined ? undefined : lower(patch.forwardTo);
    if (forwardTo && forwardTo.length > 0 && !isSuspended(m)) {
      fail(
        op,
        `${address}: forwardTo needs suspended: true (Migadu forwarding is managed for offboarded mailboxes only)`,
      );
    }
    const aliasMap = await this.rawAliases(d);
    const aliases =
      patch.aliases === undefined
        ? this.mailboxAliases(m, aliasMap)
        : await this.syncMailboxAliases(
            op,
            d,
            m,
            lower(patch.aliases).filter((a) => a !== lp),
            lower(patch.keepAliases ?? []),
          );
    const finalForward =
      forwardTo === undefined
        ? await this.forwardTo(d, m, op)
        : await this.syncForwardings(op, d, m, forwardTo);
    return this.toState(d, m, aliases, finalForward);
  }

  /**
   * Deletes the mailbox. Aliases delivering to it are left alone (the caller removes those it
   * declared first): a hand-made alias is not Mailplane's to delete. A missing mailbox is not an
   * error.
   */
  async deleteMailbox(domain: string, localPart: string): Promise<void> {
    const op = "deleteMailbox";
    const d = this.check.domain(domain, op);
    const lp = this.check.localPart(localPart, op);
    try {
      await this.client.deleteMailbox(d, lp);
    } catch (e) {
      if (!(e instanceof NotFoundError)) {
        this.mailboxes.invalidate(d);
        this.invalidateForwardings(d, lp);
        throw e;
      }
    }
    this.uncacheMailbox(d, lp);
  }

  private async syncMailboxAliases(
    op: string,
    d: string,
    m: MigaduMailbox,
    desired: string[],
    keep: string[] | false = [],
  ): Promise<string[]> {
    const address = m.address.toLowerCase();
    const aliases = await this.rawAliases(d);
    const current = this.mailboxAliases(m, aliases);
    for (const lp of desired.filter((a) => !current.includes(a) && !(keep || []).includes(a))) {
      const other = aliases.get(lp);
      if (other) {
        throw this.conflict(op, `${lp}@${d}`, "as an alias", [
          `delivers to ${lower(other.destinations).join(", ")}, not ${address}`,
        ]);
      }
      await this.addAlias(op, d, lp, [address]);
    }
    if (keep === false) return sorted([...current, ...desired]);
    const remove = current.filter((a) => !desired.includes(a) && !keep.includes(a));
    for (const lp of remove) await this.removeAlias(op, d, lp);
    return sorted([...desired, ...current.filter((a) => keep.includes(a))]);
  }

  private async syncForwardings(
    op: string,
    d: string,
    m: MigaduMailbox,
    desired: string[],
  ): Promise<string[]> {
    const lp = m.local_part.toLowerCase();
    if (desired.length === 0 && !isSuspended(m)) return [];
    const current = lower((await this.client.listForwardings(d, lp, op)).map((f) => f.address));
    try {
      for (const a of desired.filter((x) => !current.includes(x))) {
        await this.client.createForwarding(d, lp, a, op);
      }
      for (const a of current.filter((x) => !desired.includes(x))) {
        try {
          await this.client.deleteForwarding(d, lp, a, op);
        } catch (e) {
          if (!(e instanceof NotFoundError)) throw e;
        }
      }
    } catch (e) {
      this.invalidateForwardings(d, lp);
      throw e;
    }
    this.cacheForwardings(d, lp, desired);
    return desired;
  }

  // ---------------- aliases ----------------

  private toAlias(d: string, a: MigaduAlias): AliasState {
    return {
      domain: d,
      localPart: a.local_part.toLowerCase(),
      destinations: lower(a.destinations),
    };
  }

  private async addAlias(
    op: string,
    d: string,
    lp: string,
    destinations: string[],
  ): Promise<MigaduAlias> {
    const same = (a: MigaduAlias): boolean => sameList(lower(a.destinations), destinations);
    const verify = async (): Promise<MigaduAlias | undefined> => {
      try {
        const a = await this.client.getAlias(d, lp, op);
        if (same(a)) return a;
        throw this.conflict(op, `${lp}@${d}`, "with other destinations", [
          `${lower(a.destinations).join(", ")} ≠ ${destinations.join(", ")}`,
        ]);
      } catch (e) {
        if (e instanceof NotFoundError) return undefined;
        throw e;
      }
    };
    let created: MigaduAlias;
    try {
      created = await this.client.createAlias(d, lp, destinations, verify, op);
    } catch (e) {
      if (!isTaken(e)) {
        this.aliases.invalidate(d);
        throw e;
      }
      const found = await verify();
      if (!found)
        throw this.conflict(op, `${lp}@${d}`, "as a mailbox", ["a mailbox uses this address"]);
      created = found;
    }
    this.aliases.put(d, created);
    return created;
  }

  private async removeAlias(op: string, d: string, lp: string): Promise<void> {
    await this.aliases.deleting(d, () => this.client.deleteAlias(d, lp, op));
    this.aliases.remove(d, lp.toLowerCase());
  }

  private checkDestinations(op: string, destinations: readonly string[], field: string): string[] {
    const list = lower(destinations);
    if (list.length === 0) fail(op, `${field} must list at least one address`);
    const bad = list.find((a) => !isNormalizedAddress(a));
    if (bad !== undefined) fail(op, `${field}: "${bad}" is not an email address`);
    return list;
  }

  /** Every alias of the domain (including mailbox aliases), from one list request. */
  async listAliases(domain: string): Promise<AliasState[]> {
    const d = this.check.domain(domain, "listAliases");
    return [...(await this.rawAliases(d)).values()]
      .map((a) => this.toAlias(d, a))
      .sort((a, b) => a.localPart.localeCompare(b.localPart));
  }

  /** One alias, served from the batched list. */
  async getAlias(domain: string, localPart: string): Promise<AliasState | undefined> {
    const d = this.check.domain(domain, "getAlias");
    const a = (await this.rawAliases(d)).get(this.check.localPart(localPart, "getAlias"));
    return a && this.toAlias(d, a);
  }

  /** Creates an alias; an identical existing one is adopted, a different one is a ConflictError. */
  async createAlias(input: AliasState): Promise<AliasState> {
    const op = "createAlias";
    const d = this.check.domain(input.domain, op);
    const lp = this.check.localPart(input.localPart, op);
    const destinations = this.checkDestinations(op, input.destinations, "destinations");
    const existing = (await this.rawAliases(d)).get(lp);
    if (existing) {
      if (!sameList(lower(existing.destinations), destinations)) {
        throw this.conflict(op, `${lp}@${d}`, "with other destinations", [
          `${lower(existing.destinations).join(", ")} ≠ ${destinations.join(", ")}`,
        ]);
      }
      return this.toAlias(d, existing);
    }
    return this.toAlias(d, await this.addAlias(op, d, lp, destinations));
  }

  /** Replaces an alias's destinations. */
  async updateAlias(
    domain: string,
    localPart: string,
    destinations: string[],
  ): Promise<AliasState> {
    const op = "updateAlias";
    const d = this.check.domain(domain, op);
    const lp = this.check.localPart(localPart, op);
    const list = this.checkDestinations(op, destinations, "destinations");
    let a: MigaduAlias;
    try {
      a = await this.client.updateAlias(d, lp, list, op);
    } catch (e) {
      this.aliases.invalidate(d);
      throw e;
    }
    this.aliases.put(d, a);
    return this.toAlias(d, a);
  }

  /** Deletes an alias; a missing one is not an error. */
  async deleteAlias(domain: string, localPart: string): Promise<void> {
    const op = "deleteAlias";
    await this.removeAlias(op, this.check.domain(domain, op), this.check.localPart(localPart, op));
  }

  // ---------------- groups (Migadu aliases with several destinations) ----------------

  /** A group as Migadu holds it: no `name` (not stored). */
  private toGroup(a: AliasState): GroupState {
    return { domain: a.domain, localPart: a.localPart, members: a.destinations };
  }

  /** Aliases with two or more destinations, read as groups (Migadu stores no group name). */
  async listGroups(domain: string): Promise<GroupState[]> {
    return (await this.listAliases(domain))
      .filter((a) => a.destinations.length > 1)
      .map((a) => this.toGroup(a));
  }

  /** A group is the alias of that local part; it has no name (Migadu stores none). */
  async getGroup(domain: string, localPart: string): Promise<GroupState | undefined> {
    const a = await this.getAlias(domain, localPart);
    return a && this.toGroup(a);
  }

  /** Creates the group as a Migadu alias delivering to every member; `name` is not stored. */
  async createGroup(input: GroupState): Promise<GroupState> {
    this.checkDestinations("createGroup", input.members, "members");
    const a = await this.createAlias({
      domain: input.domain,
      localPart: input.localPart,
      destinations: input.members,
    });
    return this.toGroup(a);
  }

  /** Replaces the members; a name change is accepted but Migadu has nowhere to store it. */
  async updateGroup(
    domain: string,
    localPart: string,
    patch: Partial<Pick<GroupState, "name" | "members">>,
  ): Promise<GroupState> {
    if (patch.members === undefined) {
      const g = await this.getGroup(domain, localPart);
      if (!g) {
        throw new NotFoundError(
          { provider: PROVIDER, operation: "updateGroup", status: 404 },
          `${PROVIDER} updateGroup: ${localPart}@${domain} does not exist`,
        );
      }
      return g;
    }
    return this.toGroup(await this.updateAlias(domain, localPart, patch.members));
  }

  /** Deletes the group's alias. */
  deleteGroup(domain: string, localPart: string): Promise<void> {
    return this.deleteAlias(domain, localPart);
  }
}

/** Builds the Migadu adapter. */
export function createMigaduProvider(config: MigaduProviderConfig): MigaduProvider {
  return new MigaduProvider(config);
}

/**
 * Reads Migadu credentials from the environment at call time: `MIGADU_USER` (admin email),
 * `MIGADU_API_KEY`, optional `MIGADU_API_URL`. Throws naming the missing variables, never a value.
 */
export function migaduCredentialsFromEnv(env: NodeJS.ProcessEnv = process.env): MigaduCredentials {
  const missing = ["MIGADU_USER", "MIGADU_API_KEY"].filter((k) => !env[k]);
  if (missing.length > 0) {
    throw new AuthError(
      { provider: PROVIDER, operation: "credentials" },
      `migadu credentials missing: set ${missing.join(" and ")} (admin email and API key from My Account > API Keys)`,
    );
  }
  const creds: MigaduCredentials = { user: env.MIGADU_USER!, apiKey: env.MIGADU_API_KEY! };
  if (env.MIGADU_API_URL) creds.baseUrl = env.MIGADU_API_URL;
  return creds;
}
