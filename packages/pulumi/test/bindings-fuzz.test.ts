/*
 * Unit-tier fuzz of every binding's settings (issue 11 §3): generated hostile strings and
 * numbers are either refused with an error naming the field, or produce output the independent
 * `dns-zonefile` parser reads back as exactly the intended records. The longer run is
 * test/fuzz/bindings.ts.
 */
import { describe, expect, it } from "vitest";
import { runAll } from "./bindings-fuzz-cases";

describe("bindings fuzz", () => {
  it("refuses or renders exactly the intended records, for every binding", () => {
    const figures = runAll(150);
    for (const f of figures) {
      expect({ name: f.name, crashes: f.crashes }).toEqual({ name: f.name, crashes: [] });
      expect(f.tried).toBe(150);
      // Both branches are exercised: some inputs refused, some accepted.
      expect(f.refused).toBeGreaterThan(0);
      expect(f.accepted).toBeGreaterThan(0);
    }
  });
});
