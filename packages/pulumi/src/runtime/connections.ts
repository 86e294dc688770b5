import { createHash } from "node:crypto";
import {
  accountKindProblem,
  type AccountKind,
  type MailProviderCapabilities,
} from "@mailplane/core";
import type {
  AliasState,
  GroupState,
  MailProvider,
  MailProviderDefinition,
  MailboxState,
} from "@mailplane/providers";
import { AuthError, claim, forgetClaims, isClaimed } from "@mailplane/providers";

/** Forgets every claim, as the next deployment starts (for tests). */
export { forgetClaims };
import { containsUnknown, isKind, type Failure } from "./support";

/**
 * How the runtime reaches one kind of mail provider (`migadu`, ...). Entries live in the
 * provider process; nothing here is serialized into Pulumi state.
 */
export interface MailAdapterEntry {
  /** What the provider can do; known without network access (diff uses it at preview). */
  capabilities: MailProviderCapabilities;
  /**
   * Reads the credentials at call time (environment, then Pulumi config received through
   * `configure`). Throws an `AuthError` naming the variables when they are missing; never puts a
   * value in a message.
   */
  credentials(): Record<string, string>;
  /**
   * The stack config keys (`mailplane:<key>`) its credentials may come from, read by `configure`.
   * @default none
   */
  configKeys?: readonly string[];
  /**
   * Problems of one mailbox that depend on the binding's settings (the resource's `apiUrl`),
   * reported at preview.
   * @default none
   */
  mailboxProblems?: MailProviderDefinition["mailboxProblems"];
  /** Builds an adapter for an API endpoint and credentials. */
  create(settings: { apiUrl?: string; credentials: Record<string, string> }): MailProvider;
}

/** A value-keyed cache of one listing (mailboxes, aliases or groups of one domain). */
export class Listing<T extends { localPart: string }> {
  private entry?: { at: number; items: Promise<Map<string, T>> };

  /**
   * @param fetchOne reads one item the list does not show, for a provider whose list is not
   *   complete (Tencent Exmail has no group list: `MailProvider.unlistedGroups`).
   */
  constructor(
    private readonly load: () => Promise<T[]>,
    private readonly ttlMs: number,
    private readonly fetchOne?: (localPart: string) => Promise<T | undefined>,
  ) {}

  /** Every item, from one (paged) list call shared by all callers within the TTL. */
  all(): Promise<Map<string, T>> {
    const now = Date.now();
    if (this.entry === undefined || now - this.entry.at > this.ttlMs) {
      const items = this.load().then((list) => new Map(list.map((i) => [i.localPart, i])));
      const entry = { at: now, items };
      this.entry = entry;
      // A failed list is not cached: the next caller retries. The caller still sees the error.
      items.catch(() => {
        if (this.entry === entry) this.entry = undefined;
      });
    }
    return this.entry.items;
  }

  /** One item, or undefined when the provider does not hold it. */
  async get(localPart: string): Promise<T | undefined> {
    const listed = (await this.all()).get(localPart);
    if (listed !== undefined || this.fetchOne === undefined) return listed;
    const one = await this.fetchOne(localPart);
    if (one !== undefined) this.put(one);
    return one;
  }

  /** Records the state a write returned, so later reads in this process see it. */
  put(item: T): void {
    if (this.entry === undefined) return;
    this.entry.items = this.entry.items.then((m) => m.set(item.localPart, item));
  }

  /**
   * Creates an item, or finds the one that already exists: from this listing first, then, when
   * `create` answers Conflict (someone else created it since the list was read), with `get`.
   * `created` says which; the caller decides whether an existing item may be adopted.
   */
  async createOrFind(
    localPart: string,
    create: () => Promise<T>,
    get: () => Promise<T | undefined>,
  ): Promise<{ live: T; created: boolean }> {
    let live = await this.get(localPart);
    if (live !== undefined) return { live, created: false };
    try {
      live = await create();
      this.put(live);
      return { live, created: true };
    } catch (err) {
      if (!isKind(err, "Conflict")) throw err;
      live = await get();
      if (live === undefined) throw err;
      this.put(live);
      return { live, created: false };
    }
  }

  /** Forgets an item a write removed. */
  remove(localPart: string): void {
    if (this.entry === undefined) return;
    this.entry.items = this.entry.items.then((m) => {
      m.delete(localPart);
      return m;
    });
  }
}

/** One adapter per provider kind, API URL and credentials, shared by every resource. */
export interface Connection {
  kind: string;
  adapter: MailProvider;
  capabilities: MailProviderCapabilities;
  mailboxes(domain: string): Listing<MailboxState>;
  aliases(domain: string): Listing<AliasState>;
  groups(domain: string): Listing<GroupState>;
}

const entries = new Map<string, MailAdapterEntry>();
const connections = new Map<string, Connection>();
const stackConfig = new Map<string, string>();
let listingTtlMs = 60_000;

/** Registers (or replaces) how the runtime reaches a provider kind. */
export function registerMailAdapter(kind: string, entry: MailAdapterEntry): void {
  entries.set(kind, entry);
  for (const [key, conn] of connections) if (conn.kind === kind) connections.delete(key);
}

/** The registered entry of a provider kind; throws naming the known kinds. */
export function adapterEntry(kind: string): MailAdapterEntry {
  const entry = entries.get(kind);
  if (entry === undefined) {
    const known = [...entries.keys()].sort().join(", ");
    throw new Error(`mailProvider: "${kind}" is not a known mail provider; known: ${known}`);
  }
  return entry;
}

/**
 * Check-time failures that depend on what a provider kind can do: `explain` receives the kind's
 * capabilities and its quoted name. An unregistered kind is one failure on `mailProvider`; a
 * kind not known yet (preview of a computed value) has none.
 */
export function capabilityFailures(
  kind: unknown,
  explain: (caps: MailProviderCapabilities, quotedKind: string) => Failure[],
): Failure[] {
  if (typeof kind !== "string" || containsUnknown(kind)) return [];
  let caps: MailProviderCapabilities;
  try {
    caps = adapterEntry(kind).capabilities;
  } catch (err) {
    return [{ property: "mailProvider", reason: (err as Error).message }];
  }
  return explain(caps, JSON.stringify(kind));
}

/**
 * The check-time failure when a known provider kind cannot realise this kind of account, in
 * core's one wording (`accountKindProblem`): `mailProvider "x" has no catch-all; ...`.
 */
export function accountKindFailures(account: AccountKind, kind: unknown): Failure[] {
  return capabilityFailures(kind, (caps, who) => {
    const problem = accountKindProblem(account, caps);
    return problem === undefined
      ? []
      : [{ property: "mailProvider", reason: `mailProvider ${who} ${problem.message}` }];
  });
}

/**
 * Stores the stack configuration the dynamic provider receives (`configure`), so credentials can
 * come from `pulumi config set --secret mailplane:<key>` when the environment has none.
 */
export async function configure(req: {
  config: { get(key: string): string | undefined };
}): Promise<void> {
  for (const key of [...entries.values()].flatMap((e) => e.configKeys ?? [])) {
    const value = req.config.get(`mailplane:${key}`);
    if (value !== undefined) stackConfig.set(key, value);
  }
}

/**
 * Reads one credential at call time: the environment variable first, then the Pulumi config key
 * `mailplane:<configKey>`. Throws an `AuthError` naming both when neither is set.
 */
export function readCredential(provider: string, envName: string, configKey: string): string {
  const value = process.env[envName] ?? stackConfig.get(configKey);
  if (value === undefined || value === "") {
    throw new AuthError(
      { provider, operation: "credentials" },
      `${provider} credentials missing: set ${envName} in the environment of \`pulumi\`, ` +
        `or run \`pulumi config set --secret mailplane:${configKey} <value>\``,
    );
  }
  return value;
}

/**
 * The shared connection for a provider kind and API URL with the current credentials. One adapter
 * per provider+credentials per process, so the HTTP kit's request budget and the batched list
 * reads serve every resource.
 */
export function connect(kind: string, apiUrl?: string): Connection {
  const entry = adapterEntry(kind);
  const credentials = entry.credentials();
  const fingerprint = createHash("sha256").update(JSON.stringify(credentials)).digest("hex");
  const key = `${kind}\n${apiUrl ?? ""}\n${fingerprint}`;
  let conn = connections.get(key);
  if (conn === undefined) {
    const adapter = entry.create({ apiUrl, credentials });
    const mailboxes = new Map<string, Listing<MailboxState>>();
    const aliases = new Map<string, Listing<AliasState>>();
    const groups = new Map<string, Listing<GroupState>>();
    const memo = <T extends { localPart: string }>(
      cache: Map<string, Listing<T>>,
      domain: string,
      load: () => Promise<T[]>,
      fetchOne?: (localPart: string) => Promise<T | undefined>,
    ): Listing<T> => {
      let listing = cache.get(domain);
      if (listing === undefined) {
        listing = new Listing(load, listingTtlMs, fetchOne);
        cache.set(domain, listing);
      }
      return listing;
    };
    conn = {
      kind,
      adapter,
      capabilities: entry.capabilities,
      mailboxes: (d) => memo(mailboxes, d, () => adapter.listMailboxes(d)),
      aliases: (d) => memo(aliases, d, () => adapter.listAliases(d)),
      groups: (d) =>
        memo(
          groups,
          d,
          () => adapter.listGroups(d),
          adapter.unlistedGroups ? (lp) => adapter.getGroup(d, lp) : undefined,
        ),
    };
    connections.set(key, conn);
  }
  return conn;
}

/** The domain-level settings a resource manages, for {@link claimAccount}. */
export type ClaimedSetting = "catchAll" | "domainAlias";

/**
 * Records that a resource of this deployment now manages a domain-level setting: it created,
 * adopted or updated it. A delete that later finds it claimed belongs to a renamed resource (a
 * new component name) and leaves it alone (see `claim` in @mailplane/providers). `name` is `*`
 * (catch-all) or the alias domain.
 */
export function claimAccount(
  kind: ClaimedSetting,
  provider: string,
  apiUrl: string | undefined,
  domain: string,
  name: string,
): void {
  claim("account", kind, provider, apiUrl ?? "", domain, name);
}

/** Whether a resource of this deployment manages the setting (see {@link claimAccount}). */
export function isAccountClaimed(
  kind: ClaimedSetting,
  provider: string,
  apiUrl: string | undefined,
  domain: string,
  name: string,
): boolean {
  return isClaimed("account", kind, provider, apiUrl ?? "", domain, name);
}

/** Where an address lives: the provider, its endpoint and the domain. */
export interface AddressScope {
  mailProvider: string;
  apiUrl?: string;
  domain: string;
}

/**
 * Records that a resource of this deployment now manages these addresses (local parts of
 * `scope.domain`): a mailbox its own address and its aliases, an alias or group its address.
 * Claims are by address, whatever the kind of resource: when a refactor renames a resource (a
 * new handle, a renamed component) or moves an address to another kind (an alias becomes a
 * group or a mailbox alias, and back), the resource that now declares the address creates or
 * updates first and claims it, and the old resource's delete (or the mailbox update that drops
 * the alias) finds it claimed and leaves it alone. See `claim` in @mailplane/providers.
 */
export function claimAddresses(scope: AddressScope, localParts: readonly string[]): void {
  for (const lp of localParts) {
    claim("address", scope.mailProvider, scope.apiUrl ?? "", scope.domain, lp);
  }
}

/** Whether a resource of this deployment manages the address (see {@link claimAddresses}). */
export function isAddressClaimed(scope: AddressScope, localPart: string): boolean {
  return isClaimed("address", scope.mailProvider, scope.apiUrl ?? "", scope.domain, localPart);
}

/** The address scope of a resource's state (old outputs). */
export function scopeOf(props: Record<string, unknown>): AddressScope {
  return {
    mailProvider: String(props.mailProvider),
    ...(typeof props.apiUrl === "string" ? { apiUrl: props.apiUrl } : {}),
    domain: String(props.domain),
  };
}

/**
 * Deletes the alias or group of a resource removed from the program, unless a resource of this
 * deployment claimed its address (a rename or a move to another kind, see
 * {@link claimAddresses}). One already gone is not an error.
 */
export async function deleteUnclaimed(
  kind: "alias" | "group",
  props: Record<string, unknown>,
): Promise<void> {
  const scope = scopeOf(props);
  const localPart = String(props.localPart);
  if (isAddressClaimed(scope, localPart)) return;
  const conn = connect(scope.mailProvider, scope.apiUrl);
  try {
    if (kind === "alias") await conn.adapter.deleteAlias(scope.domain, localPart);
    else await conn.adapter.deleteGroup(scope.domain, localPart);
  } catch (err) {
    if (!isKind(err, "NotFound")) throw err;
  }
  (kind === "alias" ? conn.aliases(scope.domain) : conn.groups(scope.domain)).remove(localPart);
}

/**
 * Forgets every connection, cached listing and claim, and sets how long a listing serves reads
 * (default 60 s). For tests and benchmarks; the provider process never needs it.
 */
export function resetConnections(options: { listingTtlMs?: number } = {}): void {
  connections.clear();
  stackConfig.clear();
  forgetClaims();
  listingTtlMs = options.listingTtlMs ?? 60_000;
}
