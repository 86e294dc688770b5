import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { judgeable, leaksOf, redactionCase } from "./redaction-property";

describe("redaction property", () => {
  it("no secret (1–64 code points, any Unicode) survives any body, form or place", () => {
    fc.assert(
      fc.property(redactionCase, (c) => {
        fc.pre(judgeable(c));
        expect(leaksOf(c)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
});
