/**
 * Bounded delivery load against the real servers: 1,000 messages to 100 mailboxes through a
 * private Postfix (SMTP, 4 pooled connections) into Dovecot (LMTP) on a sqlite store.
 * Prints the servers' set-up time and messages/second (a benchmark printout, not an assertion).
 * Run: `pnpm tsx --conditions=@mailplane/source test/bench/delivery.ts` (as root, after
 * scripts/install-servers). Sends only to 127.0.0.1 and stops after 1,000 messages or 120 s.
 */
import fs from "node:fs";
import path from "node:path";
import { SelfHostedProvider } from "@mailplane/providers";
import { smtp } from "../real/mail-client";
import { serverTempDir, startMailServers } from "../real/servers";

const MAILBOXES = 100;
const MESSAGES = 1000;
const TIMEOUT_MS = 120_000;

async function main(): Promise<void> {
  const dir = serverTempDir("bench");
  const dbPath = path.join(dir, "store", "mail.sqlite");
  const provider = new SelfHostedProvider({ type: "sqlite", path: dbPath });
  const t0 = Date.now();
  for (let i = 0; i < MAILBOXES; i++) {
    await provider.createMailbox({
      domain: "load.test",
      localPart: `user${i}`,
      name: `User ${i}`,
      suspended: false,
      aliases: [],
      forwardTo: [],
      password: `pw-${i}`,
    });
  }
  const provisionMs = Date.now() - t0;
  fs.chmodSync(path.dirname(dbPath), 0o755);
  const t1 = Date.now();
  const servers = await startMailServers(dir, { type: "sqlite", path: dbPath });
  const setupMs = Date.now() - t1;
  const transport = smtp(servers.smtpPort, true);
  const countDelivered = () => {
    let n = 0;
    for (let i = 0; i < MAILBOXES; i++) {
      const d = path.join(dir, "mail", "load.test", `user${i}`, "Maildir", "new");
      if (fs.existsSync(d)) n += fs.readdirSync(d).length;
    }
    return n;
  };
  try {
    const start = Date.now();
    const sends: Promise<unknown>[] = [];
    for (let m = 0; m < MESSAGES; m++) {
      sends.push(
        transport.sendMail({
          from: "load@outside.test",
          to: `user${m % MAILBOXES}@load.test`,
          subject: `load ${m}`,
          text: `message ${m}\r\n`,
        }),
      );
    }
    await Promise.all(sends);
    const acceptedMs = Date.now() - start;
    let delivered = countDelivered();
    while (delivered < MESSAGES && Date.now() - start < TIMEOUT_MS) {
      await new Promise((r) => setTimeout(r, 100));
      delivered = countDelivered();
    }
    const totalMs = Date.now() - start;
    console.log(
      `[bench] provisioned ${MAILBOXES} mailboxes in ${provisionMs} ms; postfix+dovecot set-up ${setupMs} ms`,
    );
    console.log(
      `[bench] ${MESSAGES} messages accepted over SMTP in ${acceptedMs} ms ` +
        `(${((MESSAGES * 1000) / acceptedMs).toFixed(1)} msg/s); ${delivered} delivered to maildirs ` +
        `in ${totalMs} ms (${((delivered * 1000) / totalMs).toFixed(1)} msg/s end to end)`,
    );
    if (delivered !== MESSAGES) process.exitCode = 1;
  } finally {
    transport.close();
    await servers.stop();
    await provider.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
