interface Entry {
  promise: Promise<unknown>;
  /** Undefined while loading. */
  expiresAt?: number;
}

/**
 * Coalesces reads: concurrent `get`s of one key share one load, and a loaded value is served
 * for `ttlMs`. `invalidate` drops entries (after a write), including a load still in flight,
 * whose result is then not cached.
 */
export class ReadCache {
  private readonly entries = new Map<string, Entry>();

  /** Returns the cached or in-flight value for `key`, or starts `load`. */
  get<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const existing = this.entries.get(key);
    if (existing && (existing.expiresAt === undefined || existing.expiresAt > performance.now())) {
      return existing.promise as Promise<T>;
    }
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
