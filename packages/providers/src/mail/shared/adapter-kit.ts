import { isNormalizedDomain, isNormalizedLocalPart } from "@mailplane/core";
import { ConflictError, NotFoundError, ProviderError } from "../../errors";
import { sharedReadCache } from "../../http/read-cache";

/**
 * What the account adapters share: list helpers, the `<provider> <operation>: <message>` failure,
 * the domain and local-part checks that open every method, and lists cached by key in the
 * process-wide read cache. Error wording is part of the contract (tests assert it exactly).
 */

/** Distinct values, sorted. */
export const sorted = (list: Iterable<string>): string[] => [...new Set(list)].sort();

/** Trimmed, lower-cased, distinct and sorted (addresses, local parts). */
export const lower = (list: readonly string[]): string[] =>
  sorted(list.map((a) => a.trim().toLowerCase()));

/** The same values in the same order. */
export const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** Throws for configuration the user wrote wrong (declared with this type, it narrows). */
export type Fail = (operation: string, message: string) => never;

/** A {@link Fail} that throws `ProviderError` "`<provider> <operation>: <message>`". */
export function failFor(provider: string): Fail {
  return (operation, message) => {
    throw new ProviderError({ provider, operation }, `${provider} ${operation}: ${message}`);
  };
}

/** What ends every "it exists, but not as declared" conflict: how to resolve it. */
export const ADOPT_ADVICE =
  "declare it as it exists (Mailplane adopts identical accounts) or choose another address";

/**
 * The ConflictError of an address that exists other than declared (so it is not adopted):
 * "`<provider> <operation>: <what>; <ADOPT_ADVICE>`", with the vendor's `status`.
 */
export function adoptionConflict(
  provider: string,
  operation: string,
  status: number,
  what: string,
): ConflictError {
  return new ConflictError(
    { provider, operation, status },
    `${provider} ${operation}: ${what}; ${ADOPT_ADVICE}`,
  );
}

/** A checked address: lower-case domain and local part, and `local@domain`. */
export interface CheckedAddress {
  d: string;
  lp: string;
  address: string;
}

/**
 * The checks that open an adapter method: the domain is the configured one (when one is) and a
 * punycode domain name; the local part is a dot-atom. Both are trimmed and lower-cased.
 */
export class AddressCheck {
  private readonly fail: Fail;

  /**
   * @param provider the adapter's name, first word of every message
   * @param configured the only domain served, lower-case; undefined serves any
   * @param localPartRule what a local part must be, as the messages say it
   */
  constructor(
    provider: string,
    private readonly configured: string | undefined,
    private readonly localPartRule = "an RFC 5321 dot-atom",
  ) {
    this.fail = failFor(provider);
  }

  domain(domain: string, operation: string): string {
    const d = domain.trim().toLowerCase();
    if (this.configured !== undefined && d !== this.configured) {
      this.fail(operation, `domain "${domain}" is not the configured domain "${this.configured}"`);
    }
    if (!isNormalizedDomain(d)) {
      this.fail(operation, `domain "${domain}" is not a punycode domain name`);
    }
    return d;
  }

  localPart(localPart: string, operation: string): string {
    const lp = localPart.trim().toLowerCase();
    if (!isNormalizedLocalPart(lp)) {
      this.fail(operation, `local part "${localPart}" is not ${this.localPartRule}`);
    }
    return lp;
  }

  /** A display name: a string with something besides spaces. */
  name(operation: string, address: string, name: unknown): string {
    if (typeof name !== "string" || name.trim() === "") {
      this.fail(operation, `${address}: name must be a non-empty display name`);
    }
    return name;
  }

  /** The domain, then the local part, checked; with the address they make. */
  address(domain: string, localPart: string, operation: string): CheckedAddress {
    const d = this.domain(domain, operation);
    const lp = this.localPart(localPart, operation);
    return { d, lp, address: `${lp}@${d}` };
  }
}

/**
 * One kind of listed item (users, groups, mailboxes…) by lower-case key, per scope (a domain,
 * or one key for an organisation), in {@link sharedReadCache}: one list serves every read for
 * `ttlMs`; writes go through (`put`, `remove`), and a write whose outcome is unknown drops the
 * list (`invalidate`).
 */
export class ListCache<T> {
  constructor(
    private readonly keyFor: (scope: string) => string,
    private readonly ttlMs: number,
    private readonly keyOf: (item: T) => string,
  ) {}

  /** The cached list of `scope`, or `load` it (concurrent reads share one load). */
  get(scope: string, load: () => Promise<readonly T[]>): Promise<Map<string, T>> {
    return sharedReadCache.get(this.keyFor(scope), this.ttlMs, async () => {
      const list = await load();
      return new Map(list.map((item) => [this.keyOf(item), item]));
    });
  }

  /** The cached list when it is fresh (or loading); never loads. */
  peek(scope: string): Promise<Map<string, T>> | undefined {
    return sharedReadCache.peek<Map<string, T>>(this.keyFor(scope));
  }

  /** Write-through: `item` replaces the cached one (and the one under `previous`, a rename). */
  put(scope: string, item: T, previous?: string): void {
    sharedReadCache.update<Map<string, T>>(this.keyFor(scope), (map) => {
      if (previous !== undefined) map.delete(previous);
      map.set(this.keyOf(item), item);
    });
  }

  /** Write-through of a deletion. */
  remove(scope: string, key: string): void {
    sharedReadCache.update<Map<string, T>>(this.keyFor(scope), (map) => {
      map.delete(key);
    });
  }

  /** Drops the cached list of `scope`. */
  invalidate(scope: string): void {
    sharedReadCache.invalidate(this.keyFor(scope));
  }

  /**
   * Runs a delete of one item of `scope`: NotFound (already gone) counts as done; any other
   * failure drops the cached list (the outcome is unknown) and is thrown.
   */
  async deleting(scope: string, remove: () => Promise<unknown>): Promise<void> {
    try {
      await remove();
    } catch (e) {
      if (!(e instanceof NotFoundError)) {
        this.invalidate(scope);
        throw e;
      }
    }
  }
}

/**
 * An adapter's entries in {@link sharedReadCache}: keys `<prefix> <domain> <what>` (the prefix
 * names the account), each served for `ttlMs`. Lists of items come from {@link list}; single
 * values (a group's members, a mailbox's forwardings) from `value`/`set`/`invalidate`.
 */
export class DomainCache {
  constructor(
    private readonly prefix: string,
    readonly ttlMs: number,
  ) {}

  key(domain: string, what: string): string {
    return `${this.prefix} ${domain} ${what}`;
  }

  /** The `what` list of each domain, by `keyOf`. */
  list<T>(what: string, keyOf: (item: T) => string): ListCache<T> {
    return new ListCache((domain) => this.key(domain, what), this.ttlMs, keyOf);
  }

  /** The cached value, or `load` it. */
  value<T>(domain: string, what: string, load: () => Promise<T>): Promise<T> {
    return sharedReadCache.get(this.key(domain, what), this.ttlMs, load);
  }

  /** Write-through: `value` replaces the cached one (when one is cached). */
  set<T>(domain: string, what: string, value: T): void {
    sharedReadCache.update<T>(this.key(domain, what), () => value);
  }

  /** Drops the cached value (every key that starts with this one). */
  invalidate(domain: string, what: string): void {
    sharedReadCache.invalidate(this.key(domain, what));
  }
}
