/*
 * Unit-tier fuzz of the whole declaration (issue 11 §4): generated declarations with hostile
 * strings (newlines, quotes, NUL, lone surrogates, 70 KB and 1 MB values), __proto__ /
 * constructor / toString keys, wrong types and alias chains of up to 3000 entries either parse
 * and plan, or fail with a MailplaneConfigError naming a path for every problem. The longer run
 * is test/fuzz/declaration.ts.
 */
import { describe, expect, it } from "vitest";
import { judge, runDeclarations } from "./declaration-fuzz-cases";

describe("declaration fuzz", () => {
  it("2000 generated declarations: planned or refused with a path, never a crash", () => {
    const figures = runDeclarations(2000, 20261201);
    expect(figures.crashes).toEqual([]);
    expect(figures.tried).toBe(2000);
    // Both outcomes are exercised: the generator is not all noise, nor all valid.
    expect(figures.planned).toBeGreaterThan(20);
    expect(figures.refused).toBeGreaterThan(1000);
  });

  it("the judge calls an error without a path a crash", () => {
    expect(judge({ domain: "acme.com", aliases: { a: "a" }, postmaster: "x@y.example" })).toEqual({
      kind: "refused",
    });
    expect(judge(null)).toEqual({ kind: "refused" });
  });
});
