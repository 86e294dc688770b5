/*
 * The long fuzz run of the whole MailDomain declaration (issue 11 §4): generated hostile
 * declarations through parseMailDomain, planDnsRecords (every TXT value encoded for each
 * backend) and planAccounts. Prints the inputs tried, how many planned, how many were refused
 * with a MailplaneConfigError naming a path, and every crash with its input.
 *
 *   pnpm exec tsx test/fuzz/declaration.ts [runs] [seed] [longest alias chain, default 20000]
 *
 * Exits 1 when a crash was found.
 */
import { runDeclarations } from "../../packages/core/test/declaration-fuzz-cases";

const runs = Number(process.argv[2] ?? 20000);
const seed = process.argv[3] === undefined ? Date.now() % 2 ** 31 : Number(process.argv[3]);
const maxChain = Number(process.argv[4] ?? 20000);
const figures = runDeclarations(runs, seed, maxChain);
console.log(`seed ${seed}, ${runs} runs, alias chains up to ${maxChain}`);
for (const c of figures.crashes) console.log(`CRASH ${c.why}\n  input: ${c.input}`);
console.log(
  `${figures.tried} inputs tried: ${figures.planned} planned, ${figures.refused} refused with a path, ` +
    `${figures.crashes.length} crashes, ${figures.seconds.toFixed(1)} s`,
);
process.exitCode = figures.crashes.length > 0 ? 1 : 0;
