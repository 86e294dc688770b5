import { afterAll, beforeAll, beforeEach } from "vitest";
import { MigaduEmulator } from "../../../test/emulators/migadu";
import { migaduAdapterEntry, registerMailAdapter, resetConnections } from "../src/runtime/index";

const USER = "admin@acme.com";

/**
 * Runs a Migadu emulator (acme.com, no rate limit) for the test file, with its credentials in
 * the environment as the runtime reads them, and registers a fresh `migadu` adapter entry
 * (fast budget and retries) before each test. `started` receives the emulator and its URL.
 */
export function useMigaduEmulator(
  apiKey: string,
  started: (emu: MigaduEmulator, apiUrl: string) => void,
  adapter: { readCacheTtlMs?: number } = {},
): void {
  let emu: MigaduEmulator;
  const saved = { user: process.env.MIGADU_USER, key: process.env.MIGADU_API_KEY };
  beforeAll(async () => {
    emu = new MigaduEmulator({ user: USER, apiKey, domains: ["acme.com"], rateLimit: false });
    started(emu, await emu.start());
    process.env.MIGADU_USER = USER;
    process.env.MIGADU_API_KEY = apiKey;
  });
  afterAll(async () => {
    await emu.stop();
    for (const [name, value] of [
      ["MIGADU_USER", saved.user],
      ["MIGADU_API_KEY", saved.key],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  beforeEach(() => {
    resetConnections();
    registerMailAdapter(
      "migadu",
      migaduAdapterEntry({
        budget: { ratePerSecond: 1000, burst: 1000 },
        retry: { baseDelayMs: 5, maxDelayMs: 50 },
        ...adapter,
      }),
    );
    emu.resetLog();
  });
}
