/**
 * `pnpm bench:accounts`: every provider's accounts benchmark, one after another, each in its own
 * process (prints figures; not a timed test). Each runs against its emulator in that process,
 * through the provider's adapter, under the vendor's documented limit:
 *   - migadu           test/bench/accounts.ts          (create 100/1,000/10,000; refresh; bytes; memory)
 *   - googleWorkspace  test/bench/google-workspace.ts  (refresh of 5,000 users; 1,000 under 2,400/min)
 *   - microsoft365     test/bench/microsoft-365.ts     (refresh of 5,000 users; 1,000 licensed users)
 *   - zoho             test/bench/zoho.ts              (1,000 under Zoho's request limit)
 *   - tencentExmail    test/bench/tencent-exmail.ts    (1,000 under the documented limit)
 * Run: pnpm bench:accounts [provider ids...]   (e.g. `pnpm bench:accounts googleWorkspace zoho`)
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

const BENCHES: ReadonlyArray<readonly [id: string, title: string, file: string]> = [
  ["migadu", "Migadu", "accounts.ts"],
  ["googleWorkspace", "Google Workspace", "google-workspace.ts"],
  ["microsoft365", "Microsoft 365", "microsoft-365.ts"],
  ["zoho", "Zoho Mail", "zoho.ts"],
  ["tencentExmail", "Tencent Exmail", "tencent-exmail.ts"],
];

function main(): void {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !BENCHES.some(([id]) => id === w));
  if (unknown.length > 0) {
    console.error(
      `bench:accounts: unknown provider ${unknown.join(", ")}; allowed: ${BENCHES.map(([id]) => id).join(", ")}`,
    );
    process.exit(2);
  }
  const failed: string[] = [];
  for (const [id, title, file] of BENCHES) {
    if (wanted.length > 0 && !wanted.includes(id)) continue;
    console.log(`\n=== ${title} (${id}) ===`);
    const started = Date.now();
    const run = spawnSync(process.execPath, [...process.execArgv, path.join(__dirname, file)], {
      stdio: "inherit",
    });
    console.log(`(${title}: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if (run.status !== 0) failed.push(id);
  }
  if (failed.length > 0) {
    console.error(`bench:accounts: failed: ${failed.join(", ")}`);
    process.exit(1);
  }
}

main();
