import { describe, expect, it } from "vitest";
import { budgetFromEnv } from "../../src";

describe("budgetFromEnv (MIGADU_REQUEST_BUDGET)", () => {
  it("parses <rate>/<burst> and leaves the default when unset", () => {
    expect(budgetFromEnv("5/10")).toEqual({ budget: { ratePerSecond: 5, burst: 10 } });
    expect(budgetFromEnv(" 0.5 / 2 ")).toEqual({ budget: { ratePerSecond: 0.5, burst: 2 } });
    expect(budgetFromEnv(undefined)).toEqual({});
    expect(budgetFromEnv("")).toEqual({});
  });

  it("rejects anything else, naming the variable, the value and the form", () => {
    for (const bad of ["5", "0/10", "5/0", "fast", "-1/3"]) {
      expect(() => budgetFromEnv(bad)).toThrow(
        `MIGADU_REQUEST_BUDGET must be <requests per second>/<burst> with a positive rate and a ` +
          `burst of at least 1, e.g. 5/10; got ${JSON.stringify(bad)}`,
      );
    }
  });
});
