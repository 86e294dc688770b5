interface Entry {
  promise: Promise<unknown>;
  /** Undefined while loading. */
  expiresAt?: number;
}

/**
 * Coalesces reads: concurrent `get`s of one key share one load, and a loaded value is served
 * for `ttlMs`. After a write, `update` applies the written item to the cached value (write
 * through), so the next read needs no new list; `invalidate` drops entries when the outcome of
 * a write is unknown, including a load still in flight, whose result is then not cached.
 */
export class ReadCache {
  private readonly entries = new Map<string, Entry>();

  private fresh(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt === undefined || entry.expiresAt > performance.now()) return entry;
    this.entries.delete(key);
    return undefined;
  }

  /** Returns the cached or in-flight value for `key`, or starts `load`. */
  get<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const existing = this.fresh(key);
    if (existing) return existing.promise as Promise<T>;
    const entry: Entry = { promise: Promise.resolve() };
    entry.promise = load().then(
      (value) => {
        if (this.entries.get(key) === entry) entry.expiresAt = performance.now() + ttlMs;
        return value;
      },
      (error: unknown) => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
        throw error;
      },
    );
    this.entries.set(key, entry);
    return entry.promise as Promise<T>;
  }

  /**
   * The cached or in-flight value for `key` when it is still fresh, without loading; undefined
   * when there is none (the caller then decides whether a read is worth a request).
   */
  peek<T>(key: string): Promise<T> | undefined {
    return this.fresh(key)?.promise as Promise<T> | undefined;
  }

  /**
   * Applies a completed write to the cached value of `key` (insert, replace or remove the
   * written item, usually by mutating the cached collection). A load still in flight gets the
   * change applied when it arrives; the change must therefore be idempotent (an upsert or a
   * removal), which also makes it correct whether or not the list already saw the write.
   * Without a fresh entry nothing is cached and nothing happens. The entry keeps its expiry.
   */
  update<T>(key: string, apply: (value: T) => T | void): void {
    const entry = this.fresh(key);
    if (entry === undefined) return;
    const next = entry.promise.then((value) => {
      const changed = apply(value as T);
      return changed === undefined ? value : changed;
    });
    // A failing load is reported to its own callers; this derived promise must not become an
    // unhandled rejection when nobody reads the key again.
    next.catch(() => undefined);
    entry.promise = next;
  }

  /** Drops every entry whose key starts with `prefix`. */
  invalidate(prefix: string): void {
    for (const key of [...this.entries.keys()]) {
      if (key.startsWith(prefix)) this.entries.delete(key);
    }
  }

  /** Number of cached or loading keys. */
  get size(): number {
    return this.entries.size;
  }
}

/** The process-wide read cache shared by every adapter instance (batched reads). */
export const sharedReadCache = new ReadCache();
