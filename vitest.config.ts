import path from "node:path";
import { defineConfig } from "vitest/config";

const pkg = (name: string) => path.resolve(__dirname, "packages", name, "src", "index.ts");

/**
 * Test files that start an in-process emulator from test/emulators and talk to it over HTTP on
 * 127.0.0.1: any `*.emulator.test.ts` (a new provider's contract test is named so), and these
 * older ones. Every other file under packages/ is a unit test: pure code, Pulumi mocks, sqlite
 * in a temp file; no listening socket (test/unit-guard.ts refuses one), no server, no pulumi CLI.
 */
const EMULATOR_FILES = [
  "packages/*/test/**/*.emulator.test.ts",
  "packages/providers/test/http/client.test.ts",
  "packages/providers/test/http/redaction.test.ts",
  "packages/providers/test/migadu/adapter.test.ts",
  "packages/pulumi/test/accounts-migadu-emulator.test.ts",
  "packages/pulumi/test/runtime-group.test.ts",
];

const shared = {
  resolve: {
    alias: [{ find: /^@mailplane\/(core|providers|pulumi|cli)$/, replacement: pkg("$1") }],
  },
};
const timeouts = { testTimeout: 30_000, hookTimeout: 120_000 };

/**
 * Four tiers, by what a test needs (`pnpm test` runs all four, `pnpm test:<tier>` one):
 * - unit: nothing but `pnpm install` (the quick loop);
 * - emulator: the provider emulators of test/emulators, started in-process;
 * - engine: the pulumi CLI built by scripts/install-pulumi, the built packages, npm (test/pack);
 * - real: Postfix, Dovecot, PostgreSQL, PowerDNS, Knot and BIND's tools (scripts/install-servers).
 */
export default defineConfig({
  ...shared,
  test: {
    ...timeouts,
    projects: [
      {
        ...shared,
        test: {
          ...timeouts,
          name: "unit",
          include: ["packages/*/test/**/*.test.ts", "test/*.test.ts"],
          exclude: EMULATOR_FILES,
          setupFiles: ["test/unit-guard.ts"],
        },
      },
      {
        ...shared,
        test: {
          ...timeouts,
          name: "emulator",
          include: [...EMULATOR_FILES, "test/emulators/**/*.test.ts"],
        },
      },
      {
        ...shared,
        test: {
          ...timeouts,
          name: "engine",
          include: ["test/engine/**/*.test.ts", "test/pack/**/*.test.ts"],
        },
      },
      { ...shared, test: { ...timeouts, name: "real", include: ["test/real/**/*.test.ts"] } },
    ],
    coverage: {
      provider: "v8",
      include: ["packages/*/src/**/*.ts"],
      reporter: ["text-summary", "text"],
      thresholds: {
        "packages/core/src/**": { lines: 95 },
      },
    },
  },
});
