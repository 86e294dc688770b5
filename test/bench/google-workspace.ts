/**
 * Google Workspace benchmark (prints figures; not a timed test), against the Directory emulator
 * in this process, through the adapter with its default budget (36 requests/s, burst 10):
 *   - requests of one refresh of 5,000 users and 300 groups (a `getMailbox`/`getGroup` per
 *     resource, 64 in flight, as the runtime's reads do): goal ⌈5000/500⌉ user pages +
 *     ⌈300/200⌉ group pages + one member page per group;
 *   - wall time of creating 1,000 users (64 in flight) under Google's documented 2,400 queries
 *     per minute (the emulator answers 403 userRateLimitExceeded beyond it), against the floor
 *     1000 ÷ 40 s, and any 403 seen.
 * Run: pnpm exec tsx test/bench/google-workspace.ts [users] [groups] [creates]
 */
/* eslint-disable @typescript-eslint/no-require-imports -- sources are loaded after the re-exec
   below, so that workspace packages resolve to their TypeScript sources */
import crypto from "node:crypto";
import type * as Emulators from "../emulators/google-directory";
import type * as Google from "../../packages/providers/src/mail/google-workspace";
import { createMailboxes, pool, routes, runFromSources } from "./bench-kit";

async function main(): Promise<void> {
  runFromSources();
  const [users = 5_000, groups = 300, creates = 1_000] = process.argv.slice(2).map(Number);
  const { GoogleDirectoryEmulator } = require("../emulators/google-directory") as typeof Emulators;
  const gw = require("../../packages/providers/src/mail/google-workspace") as typeof Google;
  const { sharedReadCache } = require("../../packages/providers/src/http/read-cache") as {
    sharedReadCache: { invalidate(prefix: string): void };
  };
  const keys = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privatePem = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const publicPem = keys.publicKey.export({ type: "spki", format: "pem" }).toString();
  const sa = "bench@acme-project.iam.gserviceaccount.com";
  const domain = "acme.com";
  const emulator = async () => {
    const emu = new GoogleDirectoryEmulator({
      domains: [domain],
      serviceAccountEmail: sa,
      publicKey: publicPem,
      admins: ["admin@acme.com"],
      rateLimit: { limit: 2_400, windowMs: 60_000 },
    });
    await emu.start();
    return emu;
  };
  const adapter = (emu: InstanceType<typeof GoogleDirectoryEmulator>) => {
    sharedReadCache.invalidate("");
    return gw.createGoogleWorkspaceProvider({
      apiUrl: emu.url,
      tokenUrl: emu.tokenUrl,
      adminEmail: "admin@acme.com",
      customerId: "my_customer",
      serviceAccountKey: { client_email: sa, private_key: privatePem },
    });
  };

  // Refresh.
  {
    const emu = await emulator();
    for (let i = 0; i < users; i++) emu.putUser(`user${i}@${domain}`, "User", String(i));
    for (let i = 0; i < groups; i++) {
      emu.putGroup(`group${i}@${domain}`, `Group ${i}`, [`user${i}@${domain}`, "ext@example.org"]);
    }
    const goal = Math.ceil(users / 500) + Math.ceil(groups / 200) + groups;
    // What the runtime's listing calls once per provider process and domain.
    let p = adapter(emu);
    let started = performance.now();
    const listed = await p.listMailboxes(domain);
    const listedGroups = await p.listGroups(domain);
    let wall = (performance.now() - started) / 1000;
    if (listed.length !== users || listedGroups.length !== groups)
      throw new Error("refresh missed objects");
    const directory = () => emu.count() - emu.count("POST /token");
    console.log(
      `refresh (listMailboxes + listGroups) of ${users} users and ${groups} groups: ${directory()} ` +
        `Directory requests (goal ${goal}) in ${wall.toFixed(2)} s; ${routes(emu.countsByRoute())}`,
    );
    // One get per resource, 64 in flight, served by the adapter's 2 s read cache.
    emu.resetLog();
    p = adapter(emu);
    started = performance.now();
    const got = await pool(
      Array.from({ length: users }, (_, i) => i),
      64,
      (i) => p.getMailbox(domain, `user${i}`),
    );
    const gotGroups = await pool(
      Array.from({ length: groups }, (_, i) => i),
      64,
      (i) => p.getGroup(domain, `group${i}`),
    );
    wall = (performance.now() - started) / 1000;
    if (got.some((m) => m === undefined) || gotGroups.some((g) => g === undefined)) {
      throw new Error("refresh missed objects");
    }
    console.log(
      `refresh (one get per resource) of ${users} users and ${groups} groups: ${directory()} ` +
        `Directory requests (goal ${goal}) in ${wall.toFixed(2)} s; ${routes(emu.countsByRoute())}`,
    );
    await emu.stop();
  }

  // Creates under 2,400 queries/min.
  {
    const emu = await emulator();
    const p = adapter(emu);
    const started = performance.now();
    await createMailboxes(p, creates, 64, (i) => ({
      domain,
      localPart: `new${i}`,
      name: `New ${i}`,
      password: `initial-Password-${i}`,
    }));
    const wall = (performance.now() - started) / 1000;
    const floor = creates / 40;
    const limited = emu.log.filter((r) => r.status === 403).length;
    console.log(
      `create ${creates} users: ${wall.toFixed(2)} s; floor at 2,400/min ${floor.toFixed(2)} s; ` +
        `ratio ${(wall / floor).toFixed(3)}; requests ${emu.count()} (${routes(emu.countsByRoute())}); ` +
        `403 rate-limited ${limited}; peak requests in any 60 s ${emu.maxRequestsInWindow(60_000)}`,
    );
    await emu.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
