import path from "node:path";
import { defineConfig } from "vitest/config";

const pkg = (name: string) => path.resolve(__dirname, "packages", name, "src", "index.ts");

export default defineConfig({
  resolve: {
    alias: [{ find: /^@mailplane\/(core|providers|pulumi|cli)$/, replacement: pkg("$1") }],
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
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
