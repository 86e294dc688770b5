/**
 * Accounts benchmark (prints figures; not a timed test). Drives the Mailbox dynamic provider's
 * functions in-process (this process plays the provider process) against the Migadu emulator
 * with a budget of 200 requests/s, for 100, 1,000 and 10,000 mailboxes:
 *   - wall time of creating them all, against the budget's minimum N ÷ 200 s and against the
 *     client budget's refill floor (N − burst) ÷ (190 × safety margin) s;
 *   - API requests of one refresh of all of them (goal: one list per process, no GET per mailbox);
 *   - serialized provider bytes per resource;
 *   - peak RSS and peak V8 heap in use (the emulator runs in this process too).
 * Run: pnpm exec tsx test/bench/accounts.ts [sizes...]   (e.g. `... 100 1000`)
 */
/* eslint-disable @typescript-eslint/no-require-imports -- sources are loaded after the re-exec
   below, so that workspace packages resolve to their TypeScript sources */
import { createRequire } from "node:module";
import path from "node:path";
import type * as MailboxModule from "../../packages/pulumi/src/accounts/mailbox";
import type * as Runtime from "../../packages/pulumi/src/runtime/index";
import type * as Emulators from "../emulators/migadu";
import { pool, routes, runFromSources } from "./bench-kit";

async function main(): Promise<void> {
  runFromSources();
  const sizes = process.argv.slice(2).map(Number);
  const { MigaduEmulator } = require("../emulators/migadu") as typeof Emulators;
  const rt = require("../../packages/pulumi/src/runtime/index") as typeof Runtime;
  const { BUDGET_SAFETY_MARGIN } = require("../../packages/providers/src/http/budget") as {
    BUDGET_SAFETY_MARGIN: number;
  };
  const RATE = 200;
  const BUDGET_RATE = RATE - 10;
  const BUDGET_BURST = 10;

  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const sampler = setInterval(sample, 20);

  const shimBytes = await serializedProviderBytes();
  const user = "admin@acme.com";
  const apiKey = "bench-api-key-0123456789";
  process.env.MIGADU_USER = user;
  process.env.MIGADU_API_KEY = apiKey;
  const { sharedReadCache } = require("../../packages/providers/src/http/read-cache") as {
    sharedReadCache: { invalidate(prefix: string): void };
  };
  const register = () => {
    // A new provider process: no connections, no cached lists.
    rt.resetConnections();
    sharedReadCache.invalidate("");
    // The emulator allows 200 requests in any 1 s window; the budget keeps rate + burst at 200.
    rt.registerMailAdapter(
      "migadu",
      rt.migaduAdapterEntry({ budget: { ratePerSecond: BUDGET_RATE, burst: BUDGET_BURST } }),
    );
  };

  console.log(`serialized provider per Mailbox resource: ${shimBytes} bytes`);
  console.log(
    "mailboxes | create wall s | budget min s (N/200) | ratio | refill floor s | ratio to floor | create requests (by route) | refresh requests (by route) | peak RSS MiB | peak heap MiB",
  );
  for (const n of sizes.length > 0 ? sizes : [100, 1_000, 10_000]) {
    const emu = new MigaduEmulator({
      user,
      apiKey,
      domains: ["acme.com"],
      rateLimit: { limit: RATE, windowMs: 1_000 },
    });
    const apiUrl = await emu.start();
    register();
    const inputs = [];
    for (let i = 0; i < n; i++) {
      const { inputs: checked, failures } = await rt.mailbox.check(
        {},
        {
          mailProvider: "migadu",
          apiUrl,
          domain: "acme.com",
          localPart: `user${i}`,
          name: `User ${i}`,
          password: `initial-Password-${i}`,
        },
      );
      if (failures.length > 0) throw new Error(JSON.stringify(failures));
      inputs.push(checked);
    }
    // Pulumi runs resource operations concurrently; 64 in flight is generous.
    const started = performance.now();
    const outs = await pool(inputs, 64, (i) => rt.mailbox.create(i));
    const wall = (performance.now() - started) / 1000;
    const createRequests = emu.count();
    const rejected = emu.log.filter((r) => r.status === 403).length;
    const createRoutes = routes(emu.countsByRoute());

    // Refresh in a fresh "provider process": every resource's read.
    register();
    emu.resetLog();
    const reads = await pool(outs, 64, (o) => rt.mailbox.read(o.id, { ...o.outs }));
    const found = reads.filter((r) => r.id !== undefined).length;
    if (found !== n) throw new Error(`refresh found ${found} of ${n} mailboxes`);
    const byRoute = routes(emu.countsByRoute());
    await emu.stop();
    sample();
    const min = n / RATE;
    // The fastest the client's budget allows: the burst, then refills at rate × safety margin.
    const floor = Math.max(0, n - BUDGET_BURST) / (BUDGET_RATE * BUDGET_SAFETY_MARGIN);
    console.log(
      [
        n,
        wall.toFixed(2),
        min.toFixed(2),
        (wall / min).toFixed(3),
        floor.toFixed(2),
        (wall / floor).toFixed(3),
        `${createRequests}${rejected > 0 ? `, ${rejected} rate-limited` : ""} (${createRoutes})`,
        `${emu.count()} (${byRoute})`,
        (peakRss / 2 ** 20).toFixed(0),
        (peakHeap / 2 ** 20).toFixed(0),
      ].join(" | "),
    );
  }
  clearInterval(sampler);
}

/** The `__provider` text Pulumi stores with each Mailbox, measured with Pulumi's mocks. */
async function serializedProviderBytes(): Promise<number> {
  const pkgRequire = createRequire(path.resolve(__dirname, "../../packages/pulumi/package.json"));
  const pulumi = pkgRequire("@pulumi/pulumi") as {
    runtime: {
      setMocks(
        mocks: {
          newResource(args: { inputs: Record<string, unknown> }): { id: string; state: unknown };
          call(): Record<string, unknown>;
        },
        project: string,
        stack: string,
        preview: boolean,
      ): Promise<void>;
    };
  };
  let text = "";
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        text = String(args.inputs.__provider);
        return { id: "bench", state: args.inputs };
      },
      call: () => ({}),
    },
    "bench",
    "bench",
    false,
  );
  const { Mailbox } = require("../../packages/pulumi/src/accounts/mailbox") as typeof MailboxModule;
  const mb = new Mailbox("bench", {
    mailProvider: "migadu",
    domain: "acme.com",
    localPart: "bench",
    name: "Bench",
  });
  await new Promise((resolve) => mb.urn.apply(resolve));
  return Buffer.byteLength(text);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
