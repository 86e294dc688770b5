import { Command, InvalidArgumentError, Option } from "commander";
import { runAudit, type AuditOptions } from "./audit";
import { exitCode, renderReport, sortFindings } from "./findings";
import path from "node:path";
import { runImport, type ImportOptions } from "./import";
import { importFileProblem, importFileSummary, renderImportFile } from "./import-file";
import { registerSummaryCommand } from "./summary/command";

/** Where the command writes; tests pass their own. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
};

function isoDate(flag: string) {
  return (value: string): Date => {
    if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/.test(value) || Number.isNaN(Date.parse(value))) {
      throw new InvalidArgumentError(
        `${flag} ${JSON.stringify(value)} is not a date (allowed: YYYY-MM-DD or an ISO time in UTC, e.g. 2026-12-01)`,
      );
    }
    return new Date(value);
  };
}

/**
 * The `mailplane` command. Returns the exit code: audit 0 clean, 1 findings, 2 could not check;
 * import 0 written, 2 failed.
 */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const program = new Command("mailplane")
    .description("Email as code: audit live mail and DNS against the declaration; import a domain")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError(false);

  program
    .command("audit")
    .description(
      "Periodic review (read-only): live accounts and DNS compared with what the stack's MailDomains declare",
    )
    .option("-s, --stack <name>", "the stack to read (pulumi stack export)")
    .option("-C, --cwd <dir>", "the Pulumi project directory", io.cwd)
    .option("--declaration <file>", "a declaration file (JSON) instead of a stack")
    .option("--resolver <host:port>", "the DNS server to ask (default: the system's)")
    .option("--ca <file>", "extra trusted CA certificates (PEM) for the MTA-STS policy server")
    .option("--no-accounts", "skip the accounts")
    .option("--no-dns", "skip DNS")
    .addOption(
      new Option(
        "--date <date>",
        "the day to judge expiry and retention on (default: today)",
      ).argParser(isoDate("--date")),
    )
    .option("--json", "machine-readable output")
    .action(
      async (
        o: Omit<AuditOptions, "now" | "progress" | "env"> & { date?: Date; json?: boolean },
      ) => {
        try {
          const result = await runAudit({
            ...(o.stack === undefined ? {} : { stack: o.stack }),
            cwd: o.cwd,
            ...(o.declaration === undefined ? {} : { declaration: o.declaration }),
            ...(o.resolver === undefined ? {} : { resolver: o.resolver }),
            ...(o.ca === undefined ? {} : { ca: o.ca }),
            accounts: o.accounts,
            dns: o.dns,
            now: o.date ?? new Date(),
            progress: (line) => io.stderr(`${line}\n`),
            env: io.env,
          });
          code = exitCode(result.findings, result.failures);
          if (o.json) {
            io.stdout(
              JSON.stringify(
                {
                  readOnly: true,
                  checked: result.checked,
                  exitCode: code,
                  findings: sortFindings(result.findings),
                  failures: result.failures,
                  notes: result.notes,
                },
                null,
                2,
              ) + "\n",
            );
          } else {
            io.stdout(renderReport(result.findings, result.failures, result.checked));
            if (result.notes.length > 0) {
              io.stdout(`\nChecked:\n${result.notes.map((n) => `  ${n}\n`).join("")}`);
            }
          }
        } catch (e) {
          io.stderr(`mailplane audit: ${(e as Error).message}\n`);
          code = 2;
        }
      },
    );

  program
    .command("import")
    .description(
      "Read a live domain at a provider (and optionally its zone) and write a TypeScript program declaring it",
    )
    .requiredOption("-p, --provider <id>", "the mail provider, e.g. migadu or selfHosted")
    .requiredOption("-d, --domain <domain>", "the domain to import")
    .option(
      "--api-url <url>",
      "the provider's endpoint (an API URL, or a store locator for selfHosted)",
    )
    .option(
      "--zone-file <file>",
      "an RFC 1035 zone file of the domain, to recognise its DNS policy",
    )
    .option("--resolver <host:port>", "read the domain's DNS policy from this DNS server")
    .option("--ca <file>", "extra trusted CA certificates (PEM) for the MTA-STS policy server")
    .option("-o, --out <file>", "where to write the program (default: stdout)")
    .option("--name <name>", "the MailDomain's resource name (default: the domain's first label)")
    .option(
      "--import-file <file>",
      "also write the file `pulumi import --file` takes: every live account as a resource of the mailplane plugin",
    )
    .action(async (o: Omit<ImportOptions, "progress"> & { out?: string; importFile?: string }) => {
      try {
        const problem = o.importFile === undefined ? undefined : importFileProblem(o.provider);
        if (problem !== undefined) throw new Error(problem);
        const written = await runImport(
          {
            provider: o.provider,
            domain: o.domain,
            ...(o.apiUrl === undefined ? {} : { apiUrl: o.apiUrl }),
            ...(o.zoneFile === undefined ? {} : { zoneFile: o.zoneFile }),
            ...(o.resolver === undefined ? {} : { resolver: o.resolver }),
            ...(o.ca === undefined ? {} : { ca: o.ca }),
            ...(o.name === undefined ? {} : { name: o.name }),
            progress: (line) => io.stderr(`${line}\n`),
          },
          io.env,
        );
        const { writeFile } = await import("node:fs/promises");
        if (o.out === undefined) io.stdout(written.code);
        else {
          await writeFile(o.out, written.code);
          io.stderr(`wrote ${o.out}: ${written.summary}\n`);
        }
        if (o.importFile !== undefined) {
          const file = path.resolve(io.cwd, o.importFile);
          try {
            await writeFile(file, renderImportFile(written.importFile));
          } catch (e) {
            throw new Error(
              `--import-file ${o.importFile}: ${(e as Error).message} (allowed: a writable file path)`,
            );
          }
          io.stderr(
            `wrote ${o.importFile}: ${importFileSummary(written.importFile)}; adopt them with ` +
              `pulumi import --file ${o.importFile}\n`,
          );
        }
      } catch (e) {
        io.stderr(`mailplane import: ${(e as Error).message}\n`);
        code = 2;
      }
    });

  registerSummaryCommand(program, io, (c) => (code = c));

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    const c = (e as { exitCode?: number; code?: string }).exitCode;
    if (
      (e as { code?: string }).code === "commander.helpDisplayed" ||
      (e as { code?: string }).code === "commander.version"
    )
      return 0;
    return c === undefined || c === 0 ? 2 : 2;
  }
  return code;
}
