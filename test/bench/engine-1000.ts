/**
 * Engine benchmark (prints figures; not a timed test): wall time of `pulumi up` (real engine,
 * file backend) creating N mailboxes at the Migadu emulator (in this process, no rate limit,
 * MIGADU_REQUEST_BUDGET 1000/1000), then of a no-change `pulumi preview` and `pulumi up`.
 * Run after `pnpm build`: pnpm exec tsx test/bench/engine-1000.ts [N=1000]
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MigaduEmulator } from "../emulators/migadu";
import { PulumiWorkspace, requirePulumi } from "../engine/pulumi-cli";

async function timed(label: string, run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  const s = (performance.now() - start) / 1000;
  console.log(`${label}: ${s.toFixed(1)} s`);
  return s;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1000);
  const emu = new MigaduEmulator({ domains: ["acme.com"], rateLimit: false });
  const apiUrl = await emu.start();
  const tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-bench-"));
  const stack = `bench-${process.pid}`;
  const project = path.join(__dirname, "..", "engine", "fixtures", "bulk");
  const ws = new PulumiWorkspace(project, tmp, {
    MIGADU_API_URL: apiUrl,
    MIGADU_USER: emu.user,
    MIGADU_API_KEY: emu.apiKey,
    MIGADU_REQUEST_BUDGET: "1000/1000",
  });
  try {
    await requirePulumi(ws);
    await ws.ok(["stack", "init", stack, "--non-interactive"]);
    await ws.ok(["config", "set", "count", String(n)]);
    await ws.ok(["config", "set", "zonePath", path.join(tmp, "acme.com.zone")]);
    await ws.ok(["config", "set", "--secret", "seed", "bench-seed-5f2c"]);
    const up = ["up", "--yes", "--skip-preview", "--non-interactive", "--color", "never"];
    await timed(`pulumi up, ${n} mailboxes created`, () => ws.ok(up));
    const created = emu.mailboxes("acme.com").length;
    if (created !== n) throw new Error(`expected ${n} mailboxes at the emulator, found ${created}`);
    console.log(`API requests during the first up: ${emu.count()}`);
    await timed("pulumi preview, no changes", () => ws.ok(["preview", "--non-interactive"]));
    await timed("pulumi up, no changes", () => ws.ok(up));
  } finally {
    await emu.stop();
    rmSync(path.join(project, `Pulumi.${stack}.yaml`), { force: true });
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
