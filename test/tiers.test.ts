/**
 * The test tiers of vitest.config.ts: every test file belongs to exactly one tier, so `pnpm test`
 * (all tiers) runs each file once and none is forgotten; the unit tier refuses a listening socket.
 */
import { globSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import config from "../vitest.config";

const ROOT = path.resolve(__dirname, "..");

interface Project {
  test: { name: string; include: string[]; exclude?: string[] };
}

const projects = (config.test?.projects ?? []) as Project[];

/** The files a tier's include and exclude globs select, relative to the repository. */
function filesOf(p: Project): string[] {
  const excluded = new Set(globSync(p.test.exclude ?? [], { cwd: ROOT }));
  return globSync(p.test.include, { cwd: ROOT })
    .filter((f) => !f.includes("node_modules") && !excluded.has(f))
    .sort();
}

describe("test tiers", () => {
  it("are unit, emulator, engine and real", () => {
    expect(projects.map((p) => p.test.name)).toEqual(["unit", "emulator", "engine", "real"]);
  });

  it("put every test file in exactly one tier", () => {
    const all = globSync(["packages/*/test/**/*.test.ts", "test/**/*.test.ts"], { cwd: ROOT })
      .filter((f) => !f.includes("node_modules"))
      .sort();
    const tiersOf = new Map(all.map((f) => [f, [] as string[]]));
    for (const p of projects) for (const f of filesOf(p)) tiersOf.get(f)?.push(p.test.name);
    const wrong = [...tiersOf].filter(([, t]) => t.length !== 1).map(([f, t]) => `${f}: ${t}`);
    expect(wrong).toEqual([]);
    expect(all.length).toBeGreaterThan(40);
  });

  it("classify by what a file needs", () => {
    const tierOf = (f: string) => projects.find((p) => filesOf(p).includes(f))?.test.name;
    expect(tierOf("packages/core/test/spec.test.ts")).toBe("unit");
    expect(tierOf("packages/pulumi/test/mail-domain.test.ts")).toBe("unit");
    expect(tierOf("packages/pulumi/test/accounts-migadu-emulator.test.ts")).toBe("emulator");
    expect(tierOf("test/emulators/migadu.test.ts")).toBe("emulator");
    expect(tierOf("packages/providers/test/contract/migadu.emulator.test.ts")).toBe("emulator");
    expect(tierOf("packages/providers/test/contract/self-hosted.test.ts")).toBe("unit");
    expect(tierOf("test/engine/engine.test.ts")).toBe("engine");
    expect(tierOf("test/real/powerdns.test.ts")).toBe("real");
  });

  it("each run by pnpm test:<tier>, all four by pnpm test (with coverage), listed in the README", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.test).toBe("vitest run --coverage");
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    for (const { test } of projects) {
      expect(pkg.scripts[`test:${test.name}`]).toBe(`vitest run --project ${test.name}`);
      expect(readme).toContain(`| \`pnpm test:${test.name}\``);
    }
  });

  it("unit: a listening socket fails with where the test belongs", () => {
    expect(() => net.createServer().listen(0, "127.0.0.1")).toThrow(
      "a unit test opened a listening socket: a test that starts an emulator belongs to the " +
        "emulator tier (add the file to EMULATOR_FILES in vitest.config.ts), one that starts a " +
        "real server to test/real",
    );
  });
});
