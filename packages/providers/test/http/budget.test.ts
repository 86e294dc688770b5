import { describe, expect, it } from "vitest";
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
