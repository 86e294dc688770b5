import { describe, expect, it } from "vitest";
import { backoffDelay, defaultRetryPolicy, parseRetryAfter } from "../../src/http/retry";

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-05-01T12:00:00Z");
  it.each([
    ["3", 3000],
    ["0", 0],
    [" 120 ", 120_000],
    ["1.5", 1500],
    ["Fri, 01 May 2026 12:00:07 GMT", 7000],
    ["Fri, 01 May 2026 11:59:00 GMT", 0],
  ])("parses %j as %i ms", (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
  it.each([[undefined], [""], ["soon"], ["-5"]])("ignores %j", (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe("backoffDelay", () => {
  it("doubles the cap per attempt up to maxDelayMs, with full jitter", () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, policy, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(400);
  });
  it("has documented defaults", () => {
    expect(defaultRetryPolicy).toEqual({
      maxAttempts: 5,
      baseDelayMs: 200,
      maxDelayMs: 20_000,
      maxRetryAfterMs: 120_000,
    });
  });
});
