/**
 * `mailplane summary`: reads one or more `pulumi preview --json` outputs and prints (or writes)
 * the Markdown comment. Registered on the program with {@link registerSummaryCommand}.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { renderSummary } from "./markdown";
import { parsePreview } from "./preview";
import { summarise } from "./summarise";

/**
 * The Markdown for preview files. Each argument is `path` or `stack=path` (the stack name shown;
 * by default the one in the preview's URNs); `-` reads standard input.
 */
export function summaryFromFiles(
  args: string[],
  readStdin = () => readFileSync(0, "utf8"),
): string {
  if (args.length === 0) {
    throw new Error(
      "mailplane summary: give at least one preview file (pulumi preview --json > pr.json)",
    );
  }
  const stacks = args.map((arg) => {
    const eq = arg.indexOf("=");
    const [stack, file] =
      eq > 0 && !arg.slice(0, eq).includes("/")
        ? [arg.slice(0, eq), arg.slice(eq + 1)]
        : [undefined, arg];
    let text: string;
    try {
      text = file === "-" ? readStdin() : readFileSync(file, "utf8");
    } catch (err) {
      throw new Error(
        `mailplane summary: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    return summarise(parsePreview(text, file === "-" ? "<stdin>" : file), stack);
  });
  return renderSummary(stacks);
}

/** Where the command writes, and how it reports its exit code. */
export interface SummaryIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * Adds `summary <previews...>` to a commander program: 0 when written, 2 when a preview cannot be
 * read (the message names the file and the field).
 */
export function registerSummaryCommand(
  program: Command,
  io: SummaryIo = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  },
  setExitCode: (code: number) => void = (c) => (process.exitCode = c),
): Command {
  return program
    .command("summary")
    .description("Markdown for a pull request from `pulumi preview --json` output, in mail words")
    .argument("<previews...>", "preview JSON files, each `path` or `stack=path`; `-` is stdin")
    .option("-o, --output <file>", "write the Markdown to a file instead of stdout")
    .action((previews: string[], opts: { output?: string }) => {
      try {
        const md = summaryFromFiles(previews);
        if (opts.output) writeFileSync(opts.output, md);
        else io.stdout(md);
      } catch (e) {
        io.stderr(
          `${(e as Error).message.replace(/^(mailplane summary: )?/, "mailplane summary: ")}\n`,
        );
        setExitCode(2);
      }
    });
}
