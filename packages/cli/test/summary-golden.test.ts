/**
 * The golden preview captured from the real engine (test/engine/summary.test.ts writes it) renders
 * to the reviewed golden Markdown, through the `mailplane summary` command itself.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/program";

const GOLDEN = path.resolve(__dirname, "..", "..", "..", "test", "engine", "golden");

async function run(args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: {},
    cwd: process.cwd(),
  });
  return { code, stdout, stderr };
}

describe("mailplane summary", () => {
  it("renders the engine's mixed-change preview to the golden Markdown", async () => {
    const r = await run(["summary", `acme=${path.join(GOLDEN, "summary-mixed.preview.json")}`]);
    expect(r).toEqual({
      code: 0,
      stdout: readFileSync(path.join(GOLDEN, "summary-mixed.md"), "utf8"),
      stderr: "",
    });
  });

  it("-o writes the Markdown to a file, nothing to stdout", async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), "summary-o-")), "pr.md");
    const file = path.join(GOLDEN, "summary-mixed.preview.json");
    expect(await run(["summary", `acme=${file}`, "-o", out])).toEqual({
      code: 0,
      stdout: "",
      stderr: "",
    });
    expect(readFileSync(out, "utf8")).toBe(
      readFileSync(path.join(GOLDEN, "summary-mixed.md"), "utf8"),
    );
  });

  it("a file that is not a preview: exit 2, the message names the file and the field", async () => {
    const file = path.join(GOLDEN, "summary-mixed.md");
    const r = await run(["summary", file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      new RegExp(
        `^mailplane summary: ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not the JSON of \`pulumi preview --json\` \\(`,
      ),
    );
  });
});
