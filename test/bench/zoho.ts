/**
 * Zoho Mail benchmark (prints figures; not a timed test), against the Zoho Mail emulator with
 * Zoho's limits: about 30 requests a minute, then a lock-out (here 10 minutes), and 10 access
 * tokens per refresh token in 10 minutes. At the real limit 1,000 creates take more than half an
 * hour, so time is scaled: the emulator's clock runs SCALE times faster (its windows, lock and
 * token lifetime are in Zoho minutes) and the adapter's budget is its default × SCALE. Every
 * figure below is converted back to Zoho time.
 *   - wall time to create N mailboxes (16 in flight) through the adapter, against the limit's
 *     own floor (requests ÷ 30 a minute), the ratio, lock-outs and tokens minted;
 *   - requests of one refresh of the N mailboxes (N concurrent getMailbox, one process), and
 *     API requests per access token (per refresh-token mint).
 * Run: pnpm exec tsx test/bench/zoho.ts [creates] [scale]   (defaults 1000 and 60)
 */
/* eslint-disable @typescript-eslint/no-require-imports -- sources are loaded after the re-exec
   below, so that workspace packages resolve to their TypeScript sources */
import type * as Emulator from "../emulators/zoho-mail";
import type * as Zoho from "../../packages/providers/src/mail/zoho";
import { createMailboxes, runFromSources } from "./bench-kit";

async function main(): Promise<void> {
  runFromSources();
  const creates = Number(process.argv[2] ?? 1000);
  const scale = Number(process.argv[3] ?? 60);
  const { ZohoMailEmulator } = require("../emulators/zoho-mail") as typeof Emulator;
  const zoho = require("../../packages/providers/src/mail/zoho") as typeof Zoho;
  const limitPerMinute = 30;
  const creds = { clientId: "1000.BENCH", clientSecret: "bench-secret", refreshToken: "1000.rt" };
  const emu = new ZohoMailEmulator({
    domains: ["acme.com"],
    ...creds,
    clock: () => performance.now() * scale,
    rateLimit: { limit: limitPerMinute, windowMs: 60_000, lockMs: 600_000 },
  });
  const url = await emu.start();
  const budget = {
    ratePerSecond: zoho.zohoDefaultBudget.ratePerSecond * scale,
    burst: zoho.zohoDefaultBudget.burst,
  };
  const provider = zoho.createZohoProvider({
    organizationId: String(emu.organizationId),
    apiUrl: url,
    accountsUrl: url,
    ...creds,
    budget,
    tokenCacheDir: false,
  });
  console.log(
    `Zoho Mail: ${creates} creates; time scaled ${scale}× (emulator clock and adapter budget ` +
      `${zoho.zohoDefaultBudget.ratePerSecond}/s × ${scale}); figures in Zoho time`,
  );

  // 1. Creating mailboxes at the default budget.
  const t0 = performance.now();
  await createMailboxes(provider, creates, 16, (i) => ({
    domain: "acme.com",
    localPart: `c${String(i).padStart(4, "0")}`,
    name: `C ${i}`,
    password: `Pw-${i}-0123456789`,
  }));
  const seconds = ((performance.now() - t0) / 1000) * scale;
  const requests = emu.log.filter((l) => l.path.startsWith("/api")).length;
  const floor = (requests / limitPerMinute) * 60;
  console.log(
    `create ${creates} mailboxes: ${(seconds / 60).toFixed(1)} min for ${requests} requests; ` +
      `floor ${(floor / 60).toFixed(1)} min at ${limitPerMinute} requests/min; ratio ` +
      `${(seconds / floor).toFixed(2)}; lock-outs ${emu.lockouts}, refused ${emu.throttled}; ` +
      `max requests in any minute ${emu.maxRequestsInWindow(60_000 / scale)}`,
  );

  const budgetRatio = limitPerMinute / (budget.ratePerSecond / scale) / 0.97 / 60;
  console.log(
    `  of which the budget's own margin (30/min ÷ ${zoho.zohoDefaultBudget.ratePerSecond}/s × 0.97): ` +
      `ratio ${budgetRatio.toFixed(2)}; the rest is timer lateness, which a burst of 1 never makes ` +
      `up: a few ms per ${(1000 / budget.ratePerSecond / 0.97).toFixed(0)} ms interval here, per ` +
      `${(1000 / zoho.zohoDefaultBudget.ratePerSecond / 0.97).toFixed(0)} ms at Zoho's real pace`,
  );

  // 2. One refresh of every mailbox (the adapter's read cache: one paged list).
  const before = requests;
  const got = await Promise.all(
    Array.from({ length: creates }, (_, i) =>
      provider.getMailbox("acme.com", `c${String(i).padStart(4, "0")}`),
    ),
  );
  const all = emu.log.filter((l) => l.path.startsWith("/api")).length;
  console.log(
    `refresh of ${creates} mailboxes: ${all - before} requests, ` +
      `${got.filter((m) => m !== undefined).length} found`,
  );
  console.log(
    `access tokens minted ${emu.minted} (denied ${emu.mintsDenied}); requests per token refresh ` +
      `${(all / Math.max(1, emu.minted)).toFixed(0)}`,
  );
  await emu.stop();
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
