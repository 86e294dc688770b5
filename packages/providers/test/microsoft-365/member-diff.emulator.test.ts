/**
 * Generated member changes (fast-check): whatever the current and desired members, updateGroup
 * leaves the emulator's group with exactly the desired members, sends exactly one request per
 * added or removed member, in batches of at most 20, and nothing when they are equal.
 */
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { graphSetup, type GraphSetup } from "./harness";

const POOL = Array.from({ length: 60 }, (_, i) => `p${String(i).padStart(2, "0")}@acme.test`);
let s: GraphSetup;

beforeAll(async () => {
  s = await graphSetup();
  for (const a of POOL) s.emu.putUser(a, a);
});
afterAll(() => s.emu.stop());

const members = fc.uniqueArray(fc.constantFrom(...POOL), { minLength: 1, maxLength: 60 });

it("applies any member change as an exact diff through $batch", async () => {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(members, members, async (from, to) => {
      const lp = `g${n++}`;
      await s.provider.createGroup({ domain: "acme.test", localPart: lp, members: from });
      const before = s.emu.batchSizes.length;
      const result = await s.provider.updateGroup("acme.test", lp, { members: to });
      const sent = s.emu.batchSizes.slice(before);
      const expected = [...new Set(to)].sort();
      const diff =
        from.filter((m) => !to.includes(m)).length + to.filter((m) => !from.includes(m)).length;
      expect(result.members).toEqual(expected);
      expect(s.emu.groupDeliveries()[`${lp}@acme.test`]).toEqual(expected);
      expect(sent.reduce((a, b) => a + b, 0)).toBe(diff);
      expect(sent.every((size) => size >= 1 && size <= 20)).toBe(true);
      expect(sent.length).toBe(Math.ceil(diff / 20));
    }),
    { numRuns: 40 },
  );
});
