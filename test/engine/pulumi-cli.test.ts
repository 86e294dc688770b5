/**
 * Engine tests on a machine that is not set up fail with a message naming the set-up: no
 * pulumi CLI on PATH, or packages not built (not an import error deep inside a Pulumi program).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PulumiWorkspace, requireBuiltPackages, requirePulumi } from "./pulumi-cli";

const tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-pulumi-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("engine test set-up checks", () => {
  it("no pulumi CLI on PATH: names scripts/setup and scripts/install-pulumi", async () => {
    const ws = new PulumiWorkspace(tmp, tmp, { PATH: path.join(tmp, "empty-bin") });
    await expect(requirePulumi(ws)).rejects.toThrow(
      "the pulumi CLI is not on PATH: run scripts/setup (it builds Pulumi v3.260.0 with " +
        "scripts/install-pulumi) and source scripts/lib-env.sh",
    );
  });

  it("a package not built: names the missing file and scripts/setup", () => {
    const root = path.join(tmp, "repo");
    for (const name of ["core", "providers"]) {
      mkdirSync(path.join(root, "packages", name, "dist"), { recursive: true });
      writeFileSync(path.join(root, "packages", name, "dist", "index.js"), "");
    }
    expect(() => requireBuiltPackages(root)).toThrow(
      "packages/pulumi/dist/index.js is missing: the engine tests run the built packages: run " +
        "scripts/setup (it builds them) or pnpm build",
    );
  });

  it("the workspace's packages are built (scripts/setup ran)", () => {
    expect(() => requireBuiltPackages()).not.toThrow();
  });
});
