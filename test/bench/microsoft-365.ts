/**
 * Microsoft 365 benchmark (prints figures; not a timed test), against the Graph emulator with
 * Graph's documented write limit (3,000 requests per 150 s per app and tenant, 429 + Retry-After
 * beyond it; the emulator counts every request, so the limit is stricter than Graph's):
 *   - requests of one refresh of 5,000 mailboxes (5,000 concurrent getMailbox in one process);
 *   - wall time to create N mailboxes with licences (POST /users + assignLicense = 2 writes each)
 *     at the adapter's default budget, against the floor 2N ÷ 20 writes/s, and the 429s seen.
 * Run: pnpm exec tsx test/bench/microsoft-365.ts [creates]   (default 1000)
 */
/* eslint-disable @typescript-eslint/no-require-imports -- sources are loaded after the re-exec
   below, so that workspace packages resolve to their TypeScript sources */
import type * as Graph from "../emulators/microsoft-graph";
import type * as M365 from "../../packages/providers/src/mail/microsoft-365";
import { createMailboxes, runFromSources } from "./bench-kit";

async function main(): Promise<void> {
  runFromSources();
  const creates = Number(process.argv[2] ?? 1000);
  const { GraphEmulator, SKU_E3 } = require("../emulators/microsoft-graph") as typeof Graph;
  const { createMicrosoft365Provider } =
    require("../../packages/providers/src/mail/microsoft-365") as typeof M365;
  const domain = "acme.com";
  const emu = new GraphEmulator({ domains: [domain] });
  emu.setRateLimit({
    limit: 3000,
    windowMs: 150_000,
    status: 429,
    retryAfterSeconds: 5,
    body: { error: { code: "TooManyRequests", message: "Too many requests." } },
  });
  const url = await emu.start();
  const provider = () =>
    createMicrosoft365Provider({
      tenantId: emu.tenantId,
      clientId: emu.clientId,
      clientSecret: emu.clientSecret,
      domain,
      usageLocation: "DE",
      licences: { default: SKU_E3 },
      apiUrl: `${url}/v1.0`,
      authorityUrl: url,
    });

  // 1. Refresh of 5,000 mailboxes.
  for (let i = 0; i < 5000; i++) emu.putUser(`r${i}@${domain}`, `R ${i}`, SKU_E3);
  emu.resetLog();
  const reader = provider();
  let t0 = performance.now();
  const got = await Promise.all(
    Array.from({ length: 5000 }, (_, i) => reader.getMailbox(domain, `r${i}`)),
  );
  const refreshMs = performance.now() - t0;
  const found = got.filter((m) => m !== undefined).length;
  console.log(
    `refresh of 5000 mailboxes: ${emu.count()} requests (${JSON.stringify(emu.countsByRoute())}), ` +
      `${found} found, ${refreshMs.toFixed(0)} ms`,
  );

  // 2. Creating mailboxes with licences at the default budget.
  emu.resetLog();
  const writer = provider();
  t0 = performance.now();
  await createMailboxes(writer, creates, 16, (i) => ({
    domain,
    localPart: `c${i}`,
    name: `C ${i}`,
    password: `Pw-${i}-0123456789`,
  }));
  const seconds = (performance.now() - t0) / 1000;
  const writes = emu.count("POST /v1.0/users") + emu.count("POST /v1.0/users/:id/assignLicense");
  const floor = writes / 20;
  const throttled = emu.log.filter((r) => r.status === 429).length;
  console.log(
    `create ${creates} mailboxes with licences: ${seconds.toFixed(1)} s for ${writes} writes ` +
      `(${emu.count()} requests, ${throttled} answered 429); floor ${floor.toFixed(1)} s at ` +
      `3000 writes/150 s; ratio ${(seconds / floor).toFixed(2)}; max requests in any 150 s: ` +
      `${emu.maxRequestsInWindow(150_000)}`,
  );
  await emu.stop();
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
