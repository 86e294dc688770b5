/**
 * Long run of the redaction property (packages/providers/test/http/redaction-property.ts):
 * `pnpm exec tsx test/fuzz/redaction.ts [runs] [seed]`. Prints how many cases were judged,
 * skipped and leaked, by echo form and place, and the time per case; exits 1 on a leak.
 */
import fc from "fast-check";
import {
  isShort,
  judgeable,
  leaksOf,
  redactionCase,
  type RedactionCase,
} from "../../packages/providers/test/http/redaction-property";

const runs = Number(process.argv[2] ?? 20_000);
const seed = Number(process.argv[3] ?? Date.now() % 2_147_483_647);
const samples = fc.sample(redactionCase, { numRuns: runs, seed });

let skipped = 0;
let short = 0;
const leaks: Array<{ c: RedactionCase; found: string[] }> = [];
const byKey = new Map<string, number>();
const started = performance.now();
for (const c of samples) {
  if (!judgeable(c)) {
    skipped++;
    continue;
  }
  if (isShort(c)) short++;
  const key = `${c.form} in ${c.place}`;
  byKey.set(key, (byKey.get(key) ?? 0) + 1);
  const found = leaksOf(c);
  if (found.length > 0) leaks.push({ c, found });
}
const ms = performance.now() - started;
const judged = runs - skipped;
console.log(
  `seed ${seed}: ${runs} cases, ${judged} judged (${short} with a 1-3 code point secret), ${skipped} skipped`,
);
console.log(
  `${leaks.length} leaked; ${(ms / runs).toFixed(3)} ms per case, ${(ms / 1000).toFixed(1)} s in all`,
);
const counts = [...byKey.values()];
console.log(
  `${byKey.size} form×place combinations, ${Math.min(...counts)}–${Math.max(...counts)} cases each`,
);
for (const { c, found } of leaks.slice(0, 5)) console.log(JSON.stringify(c), found.slice(0, 3));
process.exit(leaks.length > 0 ? 1 : 0);
