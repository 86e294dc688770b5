/**
 * Tencent Exmail benchmark (prints figures; not a timed test), against the Exmail emulator in
 * this process, through the adapter:
 *   - wall time of creating 1,000 users (64 in flight, spread over 10 departments created on
 *     demand) under a rate limit the emulator enforces (errcode 45009 beyond it), against the
 *     limit's own floor (creates ÷ limit), and the ratio;
 *   - requests of one refresh of those users (what the runtime's listing reads once per process).
 *
 * The limit: Exmail publishes none (UNCONFIRMED). The nearest documented figure is WeCom's (the
 * sibling API of the same company): 10,000 calls per minute per corp and API, used here by
 * default with the adapter's budget set under it (160 requests/s, burst 10: at most
 * 10 + 60 × 160 × 0.97 = 9,322 in any minute). `--default-budget` runs instead at the adapter's
 * own default (20 requests/s, burst 20) under a limit of 1,200 a minute: ~50 s.
 * Run: pnpm exec tsx test/bench/tencent-exmail.ts [creates] [--default-budget]
 */
/* eslint-disable @typescript-eslint/no-require-imports -- sources are loaded after the re-exec,
   so that workspace packages resolve to their TypeScript sources */
import type * as Emulators from "../emulators/tencent-exmail";
import type * as Exmail from "../../packages/providers/src/mail/tencent-exmail";
import { createMailboxes, routes, runFromSources } from "./bench-kit";

async function main(): Promise<void> {
  runFromSources();
  const args = process.argv.slice(2);
  const defaultBudget = args.includes("--default-budget");
  const [creates = 1_000] = args.filter((a) => !a.startsWith("--")).map(Number);
  const { TencentExmailEmulator } = require("../emulators/tencent-exmail") as typeof Emulators;
  const ex = require("../../packages/providers/src/mail/tencent-exmail") as typeof Exmail;
  const perMinute = defaultBudget ? 1_200 : 10_000;
  const budget = defaultBudget ? ex.exmailDefaultBudget : { ratePerSecond: 160, burst: 10 };
  const domain = "acme.com";
  const emu = new TencentExmailEmulator({
    corpId: "wwbench0123456789",
    corpSecret: "bench-secret-0123456789",
    domains: [domain],
    rateLimit: { limit: perMinute, windowMs: 60_000 },
  });
  const url = await emu.start();
  const adapter = () =>
    ex.createTencentExmailProvider({
      corpId: "wwbench0123456789",
      corpSecret: "bench-secret-0123456789",
      apiUrl: url,
      budget,
    });

  const p = adapter();
  const started = performance.now();
  await createMailboxes(p, creates, 64, (i) => ({
    domain,
    localPart: `new${i}`,
    name: i % 3 === 0 ? `新员工 ${i}` : i % 3 === 1 ? `کارمند ${i}` : `Zoë ${i}`,
    department: `部门 ${i % 10}`,
    password: `Initial${i}Password`,
  }));
  const wall = (performance.now() - started) / 1000;
  const floor = creates / (perMinute / 60);
  console.log(
    `create ${creates} users in 10 departments: ${wall.toFixed(2)} s; limit ${perMinute}/min ` +
      `(${defaultBudget ? "the adapter's default budget 20/s" : "WeCom's documented 10,000/min, UNCONFIRMED for Exmail"}), ` +
      `floor ${floor.toFixed(2)} s; ratio ${(wall / floor).toFixed(3)}; requests ${emu.count()} ` +
      `(${routes(emu.countsByRoute())}); tokens ${emu.tokensIssued}; ` +
      `peak requests in any 60 s ${emu.maxRequestsInWindow(60_000)}; departments ${emu.allDepartments().length - 1}`,
  );
  if (emu.allUsers().length !== creates) throw new Error("not every user was created");

  // One refresh in a new process: the listing's reads.
  emu.resetLog();
  const refresh = adapter();
  const t = performance.now();
  const listed = await refresh.listMailboxes(domain);
  if (listed.length !== creates) throw new Error("refresh missed users");
  console.log(
    `refresh of ${creates} users: ${emu.count()} requests in ${((performance.now() - t) / 1000).toFixed(2)} s ` +
      `(${routes(emu.countsByRoute())}); Exmail lists have no paging: one answer holds every user`,
  );
  await emu.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
