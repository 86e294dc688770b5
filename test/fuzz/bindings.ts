/*
 * The long fuzz run of every binding's settings (issue 11 §3): prints, per binding, the inputs
 * tried, how many were refused (a MailplaneConfigError naming the field) or accepted (output
 * read back by dns-zonefile as exactly the intended records), and any crash with its input.
 *
 *   pnpm exec tsx --conditions=@mailplane/source test/fuzz/bindings.ts [runs per binding] [seed]
 *
 * Exits 1 when a crash was found.
 */
import { runAll } from "../../packages/pulumi/test/bindings-fuzz-cases";

const runs = Number(process.argv[2] ?? 20000);
const seed = process.argv[3] === undefined ? Date.now() % 2 ** 31 : Number(process.argv[3]);
const start = Date.now();
const figures = runAll(runs, seed);
let crashes = 0;
console.log(`seed ${seed}, ${runs} runs per binding`);
for (const f of figures) {
  crashes += f.crashes.length;
  console.log(
    `${f.name}\n  tried ${f.tried}, refused ${f.refused}, accepted ${f.accepted}, crashes ${f.crashes.length}`,
  );
  for (const c of f.crashes) console.log(`  CRASH ${c}`);
}
const tried = figures.reduce((n, f) => n + f.tried, 0);
console.log(
  `total: ${tried} inputs tried, ${crashes} crashes, ${((Date.now() - start) / 1000).toFixed(1)} s`,
);
process.exitCode = crashes > 0 ? 1 : 0;
