import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/**
 * The first ```ts block of a README (path from the repository root), written to a temp file as
 * a program with its `@mailplane/pulumi` import pointed at this package's source. `prelude`
 * declares what a snippet leaves to the reader (`const zoneId = …`). Returns the file and a
 * clean-up function.
 */
export function readmeProgram(readme: string, prelude = ""): { file: string; cleanup: () => void } {
  const text = readFileSync(path.join(ROOT, readme), "utf8");
  const block = /```ts\n([\s\S]*?)```/.exec(text);
  if (block === null) throw new Error(`${readme} has no \`\`\`ts example`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-readme-"));
  const file = path.join(tmp, "example.ts");
  const source = path.join(ROOT, "packages", "pulumi", "src", "index.ts");
  const program = block[1]!.replace('from "@mailplane/pulumi";', `from ${JSON.stringify(source)};`);
  if (program === block[1])
    throw new Error(`${readme}: the example does not import @mailplane/pulumi`);
  // The prelude goes after the imports (the first blank line).
  const cut = program.indexOf("\n\n");
  writeFileSync(file, `${program.slice(0, cut)}\n${prelude}${program.slice(cut)}`);
  return { file, cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}
