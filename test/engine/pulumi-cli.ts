/**
 * Runs the real Pulumi CLI for the engine tests: a local file backend in a temp folder, a fixed
 * passphrase, no update checks, no plugin downloads, no colours. Asynchronous on purpose: the
 * emulators run in the test process and must keep answering while `pulumi` runs.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** The Pulumi version scripts/install-pulumi builds and the tests expect. */
export const PULUMI_VERSION = "3.260.0";

/** The outcome of one `pulumi` run. */
export interface PulumiResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Where the CLI built by scripts/install-pulumi lives, put first on PATH when present. */
function pathWithPulumi(): string {
  const cache = process.env.MAILPLANE_CACHE ?? path.join(os.homedir(), ".cache", "mailplane");
  const bin = path.join(cache, "pulumi", `v${PULUMI_VERSION}`, "bin");
  const current = process.env.PATH ?? "";
  return existsSync(bin) ? `${bin}${path.delimiter}${current}` : current;
}

/** One stack's CLI environment: backend, passphrase and the variables the program's providers read. */
export class PulumiWorkspace {
  readonly env: NodeJS.ProcessEnv;

  /**
   * @param cwd the project folder (holds Pulumi.yaml)
   * @param home a temp folder: the file backend lives in `<home>/state`, PULUMI_HOME in `<home>/home`
   * @param extraEnv the emulator URL and credentials, budgets
   */
  constructor(
    readonly cwd: string,
    readonly home: string,
    extraEnv: Record<string, string> = {},
  ) {
    mkdirSync(path.join(home, "state"), { recursive: true });
    mkdirSync(path.join(home, "home"), { recursive: true });
    this.env = {
      ...process.env,
      PATH: pathWithPulumi(),
      PULUMI_BACKEND_URL: `file://${path.join(home, "state")}`,
      PULUMI_HOME: path.join(home, "home"),
      PULUMI_CONFIG_PASSPHRASE: "engine-test-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      NO_COLOR: "1",
      ...extraEnv,
    };
  }

  /** Runs `pulumi <args>`; resolves with the exit code and output, never rejects on a failure. */
  run(args: string[], timeoutMs = 300_000): Promise<PulumiResult> {
    return new Promise((resolve, reject) => {
      execFile(
        "pulumi",
        args,
        { cwd: this.cwd, env: this.env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error !== null && (error as NodeJS.ErrnoException).code === "ENOENT") {
            reject(
              new Error(
                "the pulumi CLI is not on PATH: run scripts/setup (it builds Pulumi " +
                  `v${PULUMI_VERSION} with scripts/install-pulumi) and source scripts/lib-env.sh`,
              ),
            );
            return;
          }
          const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  /** Runs `pulumi <args>` and throws with the whole output when it fails. */
  async ok(args: string[]): Promise<string> {
    const r = await this.run(args);
    if (r.code !== 0) {
      throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    }
    return r.stdout;
  }

  /** Runs a command with `--json` and parses its output. */
  async json<T>(args: string[]): Promise<T> {
    return JSON.parse(await this.ok([...args, "--json"])) as T;
  }

  /** `pulumi preview --json` (non-interactive), with extra arguments. */
  preview(extra: string[] = []): Promise<PreviewJson> {
    return this.json<PreviewJson>(["preview", "--non-interactive", ...extra]);
  }

  /** `pulumi up` without its preview; throws with the output when it fails. */
  async up(): Promise<void> {
    await this.ok(["up", "--yes", "--skip-preview", "--non-interactive", "--color", "never"]);
  }

  /** `pulumi stack export`: its text, and its resources by name. */
  async exportState(): Promise<{ text: string; byName: Map<string, StateResource> }> {
    const text = await this.ok(["stack", "export"]);
    const state = JSON.parse(text) as { deployment: { resources: StateResource[] } };
    return { text, byName: new Map(state.deployment.resources.map((r) => [nameOf(r.urn), r])) };
  }
}

/** One resource of `pulumi stack export`. */
export interface StateResource {
  urn: string;
  type?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/** The repository root. */
const ROOT = path.resolve(__dirname, "..", "..");

/**
 * Checks that the packages the engine tests' programs load are built (their programs require
 * `packages/<name>/dist`); throws a message naming the missing file and the set-up otherwise.
 */
export function requireBuiltPackages(root = ROOT): void {
  for (const name of ["core", "providers", "pulumi"]) {
    const file = path.join("packages", name, "dist", "index.js");
    if (!existsSync(path.join(root, file))) {
      throw new Error(
        `${file} is missing: the engine tests run the built packages: run scripts/setup ` +
          "(it builds them) or pnpm build",
      );
    }
  }
}

/**
 * Checks the packages are built and the CLI exists and is the expected version; throws a clear
 * message naming the set-up otherwise.
 */
export async function requirePulumi(ws: PulumiWorkspace): Promise<void> {
  requireBuiltPackages();
  const v = (await ws.ok(["version"])).trim();
  if (v !== `v${PULUMI_VERSION}`) {
    throw new Error(
      `pulumi ${v} is on PATH; the engine tests need v${PULUMI_VERSION}: run scripts/setup`,
    );
  }
}

/**
 * Normalises `pulumi preview --diff` text for golden files: no colours, URNs reduced to the
 * resource name, no durations, times, temp paths or ports, and the resource blocks of one level
 * sorted by name (the engine prints them in registration order, which is not deterministic).
 */
export function normalisePreview(text: string, tmp: string): string {
  const lines = text
    // eslint-disable-next-line no-control-regex -- strip ANSI colour codes
    .replace(/\u001b\[[0-9;]*m/g, "")
    .split(tmp)
    .join("<tmp>")
    .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:<port>")
    .replace(/\[urn=urn:pulumi:[^\]]*::([^:\]]+)\]/g, "[urn=…::$1]")
    .replace(/Duration: .*/g, "Duration: <d>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>")
    .split("\n")
    .filter((l) => !/^(Created stack|Logging in|View Live)/.test(l))
    .map((l) => l.replace(/\s+$/, ""));
  return sortBlocks(lines).join("\n").trim() + "\n";
}

/** A resource header line, `    + pulumi-nodejs:dynamic/mailplane:Alias: (create)`. */
const HEADER = /^(\s*)([-+~=<>]+\s+)?([\w-]+:[\w/.-]*:[\w.-]+): \([\w-]+\)$/;

/** The column where a header's type starts (its nesting level), or undefined. */
function headerColumn(line: string): number | undefined {
  const m = HEADER.exec(line);
  return m === null ? undefined : m[1]!.length + (m[2]?.length ?? 0);
}

const firstColumn = (line: string): number => line.length - line.trimStart().length;

/** Sorts each run of sibling resource blocks by resource name, recursively. */
function sortBlocks(lines: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const col = headerColumn(lines[i]!);
    if (col === undefined) {
      out.push(lines[i]!);
      i++;
      continue;
    }
    const blocks: string[][] = [];
    while (i < lines.length && headerColumn(lines[i]!) === col) {
      const header = lines[i]!;
      const body: string[] = [];
      i++;
      while (i < lines.length) {
        const l = lines[i]!;
        const c = headerColumn(l);
        if (c !== undefined && c <= col) break;
        if (l.trim() !== "" && firstColumn(l) < col) break;
        body.push(l);
        i++;
      }
      blocks.push([header, ...sortBlocks(body)]);
    }
    const key = (b: string[]): string =>
      /\[urn=…::([^\]]+)\]/.exec(b.slice(1, 3).join("\n"))?.[1] ?? "";
    blocks.sort((a, b) => key(a).localeCompare(key(b)) || a[0]!.localeCompare(b[0]!));
    for (const b of blocks) out.push(...b);
  }
  return out;
}

/** One step of `pulumi preview --json` (or `refresh --preview-only --json`). */
export interface PreviewStep {
  op: string;
  urn: string;
  oldState?: { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
  newState?: { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
  diffReasons?: string[];
  replaceReasons?: string[];
}

/** The output of `pulumi preview --json`. */
export interface PreviewJson {
  steps: PreviewStep[];
  changeSummary: Record<string, number>;
}

/** The resource name at the end of a URN. */
export const nameOf = (urn: string): string => urn.slice(urn.lastIndexOf("::") + 2);

/**
 * The short type of a URN: `Mailbox` for the plugin's `mailplane:index:Mailbox` (and the dynamic
 * `pulumi-nodejs:dynamic/mailplane:Mailbox` of earlier releases), `ZoneFile` for
 * `mailplane:index:ZoneFile`, the full token otherwise.
 */
export const typeOf = (urn: string): string => {
  const t = urn.split("::")[2]!;
  return t
    .slice(t.lastIndexOf("$") + 1)
    .replace(/^pulumi-nodejs:dynamic\/(mailplane:)?/, "")
    .replace(
      /^mailplane:index:(Mailbox|Alias|MailGroup|CatchAll|DomainAlias|ZoneFile|DkimKey|PowerDnsRecords)$/,
      "$1",
    )
    .replace(/:Resource$/, "");
};

/** `op type name` for every step that is not `same`, sorted. */
export const changes = (steps: PreviewStep[]): string[] =>
  steps
    .filter((s) => s.op !== "same")
    .map((s) => `${s.op} ${typeOf(s.urn)} ${nameOf(s.urn)}`)
    .sort();

/** The inputs a step changes, as `{ field: [old, new] }` (the serialized provider left out). */
export function changedInputs(s: PreviewStep): Record<string, [unknown, unknown]> {
  const o = s.oldState?.inputs ?? {};
  const n = s.newState?.inputs ?? {};
  const out: Record<string, [unknown, unknown]> = {};
  for (const k of new Set([...Object.keys(o), ...Object.keys(n)])) {
    if (k !== "__provider" && JSON.stringify(o[k]) !== JSON.stringify(n[k])) out[k] = [o[k], n[k]];
  }
  return out;
}

/** The changed inputs of each updated resource, `{ name: { field: [old, new] } }`. */
export const updatedInputs = (
  steps: PreviewStep[],
): Record<string, Record<string, [unknown, unknown]>> =>
  Object.fromEntries(
    steps.filter((s) => s.op === "update").map((s) => [nameOf(s.urn), changedInputs(s)]),
  );

/**
 * A command's output normalised for a golden file ({@link normalisePreview}, the stack name as
 * `<stack>`), written to `file` when `UPDATE_GOLDEN=1` or when it does not exist yet.
 * Returns the normalised text and the file's text, for `expect(text).toBe(golden)`.
 */
export function golden(
  file: string,
  r: { stdout: string; stderr: string },
  tmp: string,
  stack: string,
): { text: string; golden: string } {
  const text = normalisePreview(`${r.stdout}${r.stderr}`, tmp).split(stack).join("<stack>");
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(file)) writeFileSync(file, text);
  return { text, golden: readFileSync(file, "utf8") };
}
