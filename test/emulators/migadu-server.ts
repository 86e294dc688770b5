/**
 * Runs the Migadu emulator as a process for engine tests:
 *   tsx test/emulators/migadu-server.ts --port 0 --domain acme.com --rate-limit 600/1000
 * Prints `MIGADU_API_URL=http://127.0.0.1:<port>/v1` (and the user and key) on stdout.
 * Options (or env): --port (MIGADU_EMULATOR_PORT), --user (MIGADU_USER), --api-key
 * (MIGADU_API_KEY), --domain (repeatable; MIGADU_EMULATOR_DOMAINS, comma-separated),
 * --rate-limit <limit>/<windowMs> or "off" (MIGADU_EMULATOR_RATE_LIMIT).
 */
import { parseArgs } from "node:util";
import { MigaduEmulator } from "./migadu";

function parseRateLimit(
  value: string | undefined,
): { limit: number; windowMs: number } | false | undefined {
  if (value === undefined) return undefined;
  if (value === "off") return false;
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m)
    throw new Error(
      `--rate-limit must be <limit>/<windowMs> or "off", got ${JSON.stringify(value)}`,
    );
  return { limit: Number(m[1]), windowMs: Number(m[2]) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      user: { type: "string" },
      "api-key": { type: "string" },
      domain: { type: "string", multiple: true },
      "rate-limit": { type: "string" },
    },
  });
  const env = process.env;
  const domains = values.domain ?? env.MIGADU_EMULATOR_DOMAINS?.split(",").filter(Boolean);
  const emulator = new MigaduEmulator({
    user: values.user ?? env.MIGADU_USER,
    apiKey: values["api-key"] ?? env.MIGADU_API_KEY,
    domains,
    rateLimit: parseRateLimit(values["rate-limit"] ?? env.MIGADU_EMULATOR_RATE_LIMIT),
  });
  const url = await emulator.start(Number(values.port ?? env.MIGADU_EMULATOR_PORT ?? 0));
  console.log(`MIGADU_API_URL=${url}`);
  console.log(`MIGADU_USER=${emulator.user}`);
  console.log(`MIGADU_API_KEY=${emulator.apiKey}`);
  const stop = (): void => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
