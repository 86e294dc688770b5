/**
 * Helpers the account benchmarks share: re-running under the workspace's source condition,
 * a bounded-concurrency pool and a one-line summary of an emulator's request counts.
 */
import { spawnSync } from "node:child_process";

const SOURCE_CONDITION = "--conditions=@mailplane/source";

/**
 * Re-runs this script with `--conditions=@mailplane/source` (workspace packages resolve to their
 * TypeScript sources) and exits with its status; returns when already running so.
 */
export function runFromSources(): void {
  if (process.execArgv.includes(SOURCE_CONDITION)) return;
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, SOURCE_CONDITION, ...process.argv.slice(1)],
    { stdio: "inherit" },
  );
  process.exit(child.status ?? 1);
}

/** `METHOD /route ×n, …` from an emulator's `countsByRoute()`. */
export function routes(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([route, count]) => `${route} ×${count}`)
    .join(", ");
}

/** Runs `fn` over `items` with at most `limit` in flight; results in order. */
export async function pool<T, R>(
  items: T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Creates mailboxes 0…count−1 through `provider`, at most `limit` in flight: `input(i)` gives
 * each one's fields; every mailbox is active, without aliases or forwarding.
 */
export async function createMailboxes<I>(
  provider: { createMailbox(input: I): Promise<unknown> },
  count: number,
  limit: number,
  input: (i: number) => Omit<I, "suspended" | "aliases" | "forwardTo">,
): Promise<void> {
  await pool(
    Array.from({ length: count }, (_, i) => i),
    limit,
    (i) =>
      provider.createMailbox({ suspended: false, aliases: [], forwardTo: [], ...input(i) } as I),
  );
}
