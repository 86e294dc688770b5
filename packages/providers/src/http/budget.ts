/** Rate and burst of a request budget. */
export interface BudgetConfig {
  /** Sustained requests per second. */
  ratePerSecond: number;
  /** Requests that may be sent at once after a quiet period (bucket size). */
  burst: number;
}

/**
 * Fraction of the configured rate the bucket actually refills at. Requests released on time can
 * still reach the server bunched by network jitter; the margin keeps the server's measured
 * rate within `ratePerSecond + burst` per second.
 */
export const BUDGET_SAFETY_MARGIN = 0.97;

/**
 * A token bucket: at most `burst` requests at once, refilled at `ratePerSecond` (times
 * {@link BUDGET_SAFETY_MARGIN}). Waiters are served first-in first-out. `pause` blocks every
 * caller, e.g. after the provider sent `Retry-After`.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private blockedUntil = 0;
  private readonly waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private config: BudgetConfig;

  constructor(config: BudgetConfig) {
    this.config = validateBudget(config);
    this.tokens = this.config.burst;
    this.last = performance.now();
  }

  private get rate(): number {
    return this.config.ratePerSecond * BUDGET_SAFETY_MARGIN;
  }

  /** The current rate and burst. */
  get settings(): BudgetConfig {
    return { ...this.config };
  }

  /** Changes rate and burst; queued callers are re-scheduled. */
  configure(config: BudgetConfig): void {
    this.refill();
    this.config = validateBudget(config);
    this.tokens = Math.min(this.tokens, this.config.burst);
    this.reschedule();
  }

  /** Resolves when the caller may send one request. */
  acquire(): Promise<void> {
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1 && performance.now() >= this.blockedUntil) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  /** Blocks every caller for `ms` milliseconds (no tokens accrue meanwhile). */
  pause(ms: number): void {
    if (!(ms > 0)) return;
    this.refill();
    this.blockedUntil = Math.max(this.blockedUntil, performance.now() + ms);
    this.tokens = Math.min(this.tokens, 1);
    this.reschedule();
  }

  /** Callers waiting for a token. */
  get queued(): number {
    return this.waiters.length;
  }

  private refill(): void {
    const now = performance.now();
    const from = Math.max(this.last, Math.min(now, this.blockedUntil));
    if (now > from) {
      this.tokens = Math.min(this.config.burst, this.tokens + ((now - from) * this.rate) / 1000);
    }
    this.last = now;
  }

  private reschedule(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.waiters.length > 0) this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    this.refill();
    const now = performance.now();
    const blocked = Math.max(0, this.blockedUntil - now);
    const tokenWait = this.tokens >= 1 ? 0 : ((1 - this.tokens) * 1000) / this.rate;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.drain();
      },
      Math.ceil(Math.max(blocked, tokenWait)),
    );
  }

  private drain(): void {
    this.refill();
    while (this.waiters.length > 0 && this.tokens >= 1 && performance.now() >= this.blockedUntil) {
      this.tokens -= 1;
      this.waiters.shift()!();
    }
    if (this.waiters.length > 0) this.schedule();
  }
}

function validateBudget(config: BudgetConfig): BudgetConfig {
  if (!(Number.isFinite(config.ratePerSecond) && config.ratePerSecond > 0)) {
    throw new RangeError(
      `budget.ratePerSecond must be a positive number, got ${String(config.ratePerSecond)}`,
    );
  }
  if (!(Number.isInteger(config.burst) && config.burst >= 1)) {
    throw new RangeError(`budget.burst must be an integer ≥ 1, got ${String(config.burst)}`);
  }
  return { ratePerSecond: config.ratePerSecond, burst: config.burst };
}

const registry = new Map<string, TokenBucket>();

/**
 * The process-wide budget for `key` (provider + endpoint), shared by every client of that
 * provider in this process. The first caller's config creates it; a later caller passing a
 * different config reconfigures it (last writer wins).
 */
export function requestBudget(key: string, config: BudgetConfig): TokenBucket {
  const existing = registry.get(key);
  if (existing) {
    const s = existing.settings;
    if (s.ratePerSecond !== config.ratePerSecond || s.burst !== config.burst) {
      existing.configure(config);
    }
    return existing;
  }
  const bucket = new TokenBucket(config);
  registry.set(key, bucket);
  return bucket;
}
