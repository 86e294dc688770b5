import { describe, expect, it, vi } from "vitest";
import { BUDGET_SAFETY_MARGIN, requestBudget, TokenBucket } from "../../src/http/budget";

describe("TokenBucket", () => {
  it("lets a burst through at once, then paces at the rate", async () => {
    const bucket = new TokenBucket({ ratePerSecond: 50, burst: 5 });
    const started = performance.now();
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 15 }, () =>
        bucket.acquire().then(() => times.push(performance.now() - started)),
      ),
    );
    expect(times.slice(0, 5).every((t) => t < 15)).toBe(true);
    // 10 more tokens at 50/s × margin: about 206 ms
    const expected = (10 / (50 * BUDGET_SAFETY_MARGIN)) * 1000;
    expect(times[14]!).toBeGreaterThanOrEqual(expected - 5);
    expect(times[14]!).toBeLessThan(expected + 150);
  });

  it("never lets more than rate × margin + burst through in any 1 s window (fake clock, late timers)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    try {
      const budget = { ratePerSecond: 60, burst: 10 };
      const bucket = new TokenBucket(budget);
      const granted: number[] = [];
      const all = Promise.all(
        Array.from({ length: 200 }, () =>
          bucket.acquire().then(() => void granted.push(performance.now())),
        ),
      );
      // The clock advances in uneven steps, as timers fire late on a busy machine.
      for (let i = 0; granted.length < 200 && i < 10_000; i++) {
        await vi.advanceTimersByTimeAsync([1, 7, 40, 250, 3][i % 5]!);
      }
      await all;
      const inWindow = granted.map((t) => granted.filter((u) => u >= t && u < t + 1000).length);
      const bound = Math.floor(budget.ratePerSecond * BUDGET_SAFETY_MARGIN + budget.burst);
      expect(Math.max(...inWindow)).toBeLessThanOrEqual(bound);
      expect(bound).toBe(68);
      expect(granted.at(-1)!).toBeGreaterThanOrEqual(
        ((200 - 10) / (60 * BUDGET_SAFETY_MARGIN)) * 1000 - 1,
      );
    } finally {
      vi.useRealTimers();
    }
  });

  it("pauses every caller after Retry-After", async () => {
    const bucket = new TokenBucket({ ratePerSecond: 1000, burst: 10 });
    bucket.pause(200);
    const started = performance.now();
    await bucket.acquire();
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
  });

  it("rejects a bad configuration with the field, value and what is allowed", () => {
    expect(() => new TokenBucket({ ratePerSecond: 0, burst: 1 })).toThrow(
      "budget.ratePerSecond must be a positive number, got 0",
    );
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: 0.5 })).toThrow(
      "budget.burst must be an integer ≥ 1, got 0.5",
    );
  });

  it("shares one bucket per key across the process and reconfigures it", () => {
    const a = requestBudget("test http://x", { ratePerSecond: 1, burst: 1 });
    const b = requestBudget("test http://x", { ratePerSecond: 200, burst: 20 });
    expect(b).toBe(a);
    expect(a.settings).toEqual({ ratePerSecond: 200, burst: 20 });
    expect(requestBudget("test http://y", { ratePerSecond: 1, burst: 1 })).not.toBe(a);
  });
});
