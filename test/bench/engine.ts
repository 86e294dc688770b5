/**
 * Engine benchmark (prints figures; not a timed test): Mailplane's cost in the real engine beside
 * the engine floor measured in the same run.
 *
 * For each size N and each checkpoint setting (`PULUMI_SKIP_CHECKPOINTS` unset/false = "on",
 * true = "off"), three stacks, each on a local file backend in a temp folder:
 * - MailDomain: test/engine/fixtures/bulk, one MailDomain with N mailboxes (what users run: it
 *   also declares a shared mailbox `info`, the postmaster/abuse aliases, DKIM and the zone file);
 * - Mailbox: test/bench/mailboxes, N standalone Mailbox resources with the same inputs;
 * - floor: test/bench/floor, N `floor:index:Thing` resources with the same inputs, served by the
 *   cheapest Node provider (@pulumi/pulumi's stock host; create returns the inputs), so its
 *   figures are the engine's own cost plus the least a Node provider can add.
 * Mailplane stacks talk to the Migadu emulator in this process (no rate limit, request budget
 * 100000/s).
 *
 * Steps: `pulumi up` from an empty stack, then a no-change `pulumi preview` and a no-change
 * `pulumi up` on the state that up left. With checkpoints on, the file backend rewrites the whole
 * state after every step (N² bytes), so each run is capped (`--cap-minutes`, default 20): a capped
 * run is killed and reported as such, with how many resources it had created and the rate; no
 * figure is extrapolated. No-change runs of a capped stack are measured on the state of the
 * uncapped "off" stack of the same program and N, with checkpoints on.
 *
 * Also: `pulumi stack export` bytes per mailbox and the bytes of one Mailbox entry; the checkpoint
 * file's bytes; peak memory (VmHWM, /proc/<pid>/status, polled every 200 ms) of the provider
 * plugin process, the program's Node process and the pulumi CLI of each step.
 *
 * Run after `pnpm build`:
 *   pnpm bench:engine [--sizes 1000,10000] [--programs maildomain,mailbox,floor]
 *                     [--checkpoints off,on] [--cap-minutes 20] [--cap-on-minutes M]
 *                     [--no-change-after-cap yes|no] [--json results.json]
 *   pnpm bench:engine --tables-from a.json,b.json   (the tables of earlier runs, merged)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MigaduEmulator } from "../emulators/migadu";
import { PulumiWorkspace, requirePulumi } from "../engine/pulumi-cli";

type ProgramId = "maildomain" | "mailbox" | "floor";
type Checkpoints = "on" | "off";

/** One benchmarked program: its project folder and the resource type that counts as a mailbox. */
interface Program {
  id: ProgramId;
  label: string;
  folder: string;
  /** The type token of the N resources (`Mailbox`, or the floor's `Thing`). */
  type: string;
  /** Talks to the Migadu emulator. */
  migadu: boolean;
}

const HERE = __dirname;
const PROGRAMS: Record<ProgramId, Program> = {
  maildomain: {
    id: "maildomain",
    label: "MailDomain",
    folder: path.join(HERE, "..", "engine", "fixtures", "bulk"),
    type: "mailplane:index:Mailbox",
    migadu: true,
  },
  mailbox: {
    id: "mailbox",
    label: "Mailbox",
    folder: path.join(HERE, "mailboxes"),
    type: "mailplane:index:Mailbox",
    migadu: true,
  },
  floor: {
    id: "floor",
    label: "floor",
    folder: path.join(HERE, "floor"),
    type: "floor:index:Thing",
    migadu: false,
  },
};

interface Options {
  sizes: number[];
  programs: ProgramId[];
  checkpoints: Checkpoints[];
  capMinutes: number;
  /** Cap of an up from empty with checkpoints on (the N² run). */
  capOnMinutes: number | undefined;
  /** Measure no-change runs of a capped "on" stack on the "off" stack's state. */
  noChangeAfterCap: boolean;
  /** Print the tables of earlier runs' --json files instead of measuring. */
  tablesFrom: string[] | undefined;
  json: string | undefined;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    sizes: [1000, 10000],
    programs: ["maildomain", "mailbox", "floor"],
    checkpoints: ["off", "on"],
    capMinutes: 20,
    capOnMinutes: undefined,
    noChangeAfterCap: true,
    tablesFrom: undefined,
    json: undefined,
  };
  const args = argv.filter((a) => a !== "--");
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split("=", 2) as [string, string | undefined];
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const list = (): string[] =>
      value()
        .split(",")
        .filter((s) => s !== "");
    if (flag === "--sizes") {
      opts.sizes = list().map((s) => {
        const n = Number(s.replace(/_/g, ""));
        if (!Number.isInteger(n) || n < 1) throw new Error(`--sizes: ${s} is not a count ≥ 1`);
        return n;
      });
    } else if (flag === "--programs") {
      opts.programs = list().map((p) => {
        if (!(p in PROGRAMS)) throw new Error(`--programs: ${p} is not maildomain, mailbox, floor`);
        return p as ProgramId;
      });
    } else if (flag === "--checkpoints") {
      opts.checkpoints = list().map((c) => {
        if (c !== "on" && c !== "off") throw new Error(`--checkpoints: ${c} is not on or off`);
        return c;
      });
    } else if (flag === "--cap-minutes") {
      opts.capMinutes = Number(value());
      if (!(opts.capMinutes > 0)) throw new Error(`--cap-minutes must be > 0`);
    } else if (flag === "--cap-on-minutes") {
      opts.capOnMinutes = Number(value());
      if (!(opts.capOnMinutes > 0)) throw new Error(`--cap-on-minutes must be > 0`);
    } else if (flag === "--no-change-after-cap") {
      const v = value();
      if (v !== "yes" && v !== "no")
        throw new Error(`--no-change-after-cap: ${v} is not yes or no`);
      opts.noChangeAfterCap = v === "yes";
    } else if (flag === "--tables-from") {
      opts.tablesFrom = list();
    } else if (flag === "--json") {
      opts.json = value();
    } else {
      throw new Error(`unknown argument ${args[i]}`);
    }
  }
  if (!opts.programs.includes("floor")) opts.programs.push("floor");
  return opts;
}

// ---- peak memory: VmHWM of the pulumi process tree ----

/** Peak resident memory (VmHWM, bytes) seen per process role during one pulumi run. */
interface PeakMemory {
  /** The provider plugin (`dist/plugin/main.js`, or the floor's provider.ts); max over processes. */
  plugin: number;
  /** The program's Node process (`@pulumi/pulumi/cmd/run`). */
  program: number;
  /** The pulumi CLI itself (the engine). */
  cli: number;
  /** How many plugin processes the run started. */
  pluginProcesses: number;
  /**
   * CPU seconds (user + system, /proc/<pid>/stat) by role, summed over processes, as last seen
   * by the poller (a process's last 200 ms may be missing). Less sensitive than wall time to
   * other work on the machine.
   */
  cpu: { plugin: number; program: number; cli: number };
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return undefined;
  }
}

function vmHwm(pid: number): number | undefined {
  const m = /VmHWM:\s+(\d+) kB/.exec(readProc(pid, "status") ?? "");
  return m === null ? undefined : Number(m[1]) * 1024;
}

/** Every descendant of `root` (pids), from the parent pids in /proc/<pid>/stat. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(Number(entry), "stat");
    if (stat === undefined) continue;
    // pid (comm) state ppid …: comm may hold spaces and parentheses; ppid follows the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone already
  }
}

const TICKS_PER_SECOND = 100;

/** CPU seconds (utime + stime) of a process so far, or undefined when it is gone. */
function cpuSeconds(pid: number): number | undefined {
  const stat = readProc(pid, "stat");
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Polls the tree under `pid` every 200 ms; `stop()` returns the peaks. */
function watchMemory(pid: number): { stop: () => PeakMemory } {
  const peak: PeakMemory = {
    plugin: 0,
    program: 0,
    cli: 0,
    pluginProcesses: 0,
    cpu: { plugin: 0, program: 0, cli: 0 },
  };
  const plugins = new Set<number>();
  const cpuOf = new Map<number, { role: keyof PeakMemory["cpu"]; seconds: number }>();
  const poll = (): void => {
    peak.cli = Math.max(peak.cli, vmHwm(pid) ?? 0);
    const own = cpuSeconds(pid);
    if (own !== undefined) cpuOf.set(pid, { role: "cli", seconds: own });
    for (const p of descendants(pid)) {
      const cmd = (readProc(p, "cmdline") ?? "").split("\0").join(" ");
      const hwm = vmHwm(p) ?? 0;
      const cpu = cpuSeconds(p);
      if (/dist\/plugin\/main\.js|floor\/provider\.ts/.test(cmd)) {
        plugins.add(p);
        peak.plugin = Math.max(peak.plugin, hwm);
        if (cpu !== undefined) cpuOf.set(p, { role: "plugin", seconds: cpu });
      } else if (cmd.includes("@pulumi/pulumi/cmd/run")) {
        peak.program = Math.max(peak.program, hwm);
        if (cpu !== undefined) cpuOf.set(p, { role: "program", seconds: cpu });
      }
    }
    peak.pluginProcesses = plugins.size;
    peak.cpu = { plugin: 0, program: 0, cli: 0 };
    for (const { role, seconds } of cpuOf.values()) peak.cpu[role] += seconds;
  };
  const timer = setInterval(poll, 200);
  poll();
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

// ---- one pulumi run ----

/** The outcome of one timed pulumi run. */
interface Run {
  seconds: number;
  /** Killed at the cap. */
  capped: boolean;
  /** Resources of the program's type reported created while it ran (up only). */
  created: number;
  /** Created count per elapsed second over the last 5 minutes (capped runs). */
  recentRate: number;
  /** The machine's 1-minute load average at the end (2 CPUs, shared with other work). */
  load: number;
  memory: PeakMemory;
}

/**
 * Runs `pulumi <args>` in its own process group, watching its memory and counting `created`
 * lines of `type`; kills the group (SIGKILL) at `capMs` and reports the run as capped.
 */
function timedRun(
  ws: PulumiWorkspace,
  args: string[],
  env: Record<string, string>,
  type: string,
  capMs: number,
  log: string,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn("pulumi", args, {
      cwd: ws.cwd,
      env: { ...ws.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const memory = watchMemory(child.pid!);
    const createdAt: number[] = [];
    const line = new RegExp(
      `^\\s*\\+\\s+${type.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s+\\S+\\s+created`,
    );
    let out = "";
    let pending = "";
    child.stdout.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      out += text;
      if (out.length > 4_000_000) out = out.slice(-2_000_000);
      const lines = (pending + text).split("\n");
      pending = lines.pop()!;
      for (const l of lines) if (line.test(l)) createdAt.push(performance.now());
    });
    let err = "";
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString("utf8");
      if (err.length > 1_000_000) err = err.slice(-500_000);
    });
    let capped = false;
    const timer = setTimeout(() => {
      capped = true;
      // The engine starts plugins and the language host in process groups of their own: kill
      // every descendant, then pulumi.
      for (const p of descendants(child.pid!)) killQuietly(p);
      killQuietly(child.pid!);
    }, capMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const end = performance.now();
      const mem = memory.stop();
      writeFileSync(log, `$ pulumi ${args.join(" ")}\n${out}\n--- stderr ---\n${err}`);
      if (!capped && code !== 0) {
        reject(
          new Error(
            `pulumi ${args.join(" ")} exited ${code} (log: ${log}):\n${out.slice(-3000)}\n${err.slice(-3000)}`,
          ),
        );
        return;
      }
      const windowStart = end - 300_000;
      const recent = createdAt.filter((t) => t >= windowStart).length;
      resolve({
        seconds: (end - start) / 1000,
        capped,
        created: createdAt.length,
        recentRate: recent / (Math.min(300_000, end - start) / 1000),
        load: os.loadavg()[0]!,
        memory: mem,
      });
    });
  });
}

// ---- one stack ----

/** The measurements of one program at one size and checkpoint setting. */
interface Series {
  program: ProgramId;
  n: number;
  checkpoints: Checkpoints;
  create?: Run;
  preview?: Run;
  noChangeUp?: Run;
  /** The no-change runs were made on the "off" stack's state (this stack's create was capped). */
  onOffState?: boolean;
  /** Mailboxes at the emulator after the create (Mailplane programs). */
  atEmulator?: number;
  /** POST requests to the emulator's mailbox route during the create. */
  posts?: number;
  state?: {
    exportBytes: number;
    entries: number;
    entryBytes: number;
    /** Of entryBytes: the `stackTrace` the engine records for every resource. */
    traceBytes: number;
    checkpointBytes: number;
  };
}

const UP = ["up", "--yes", "--skip-preview", "--non-interactive", "--color", "never"];
const PREVIEW = ["preview", "--non-interactive", "--color", "never"];

/** A stack of `program` with N resources in a fresh temp home, with its emulator. */
class Stack {
  readonly ws: PulumiWorkspace;
  readonly name = `bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private constructor(
    readonly program: Program,
    readonly n: number,
    readonly tmp: string,
    readonly emu: MigaduEmulator | undefined,
    env: Record<string, string>,
  ) {
    this.ws = new PulumiWorkspace(program.folder, tmp, env);
  }

  static async open(program: Program, n: number): Promise<Stack> {
    const tmp = mkdtempSync(path.join(os.tmpdir(), `mailplane-bench-${program.id}-`));
    let emu: MigaduEmulator | undefined;
    let env: Record<string, string> = {};
    if (program.migadu) {
      emu = new MigaduEmulator({ domains: ["acme.com"], rateLimit: false });
      const apiUrl = await emu.start();
      env = {
        MIGADU_API_URL: apiUrl,
        MIGADU_USER: emu.user,
        MIGADU_API_KEY: emu.apiKey,
        MIGADU_REQUEST_BUDGET: "100000/100000",
      };
    }
    const s = new Stack(program, n, tmp, emu, env);
    await s.ws.ok(["stack", "init", s.name, "--non-interactive"]);
    await s.ws.ok(["config", "set", "count", String(n)]);
    await s.ws.ok(["config", "set", "--secret", "seed", "bench-seed-5f2c"]);
    if (program.id === "maildomain") {
      await s.ws.ok(["config", "set", "zonePath", path.join(tmp, "acme.com.zone")]);
    }
    return s;
  }

  run(args: string[], checkpoints: Checkpoints, capMs: number, step: string): Promise<Run> {
    const log = path.join(LOGS, `${this.program.id}-${this.n}-${checkpoints}-${step}.log`);
    const env = { PULUMI_SKIP_CHECKPOINTS: checkpoints === "off" ? "true" : "false" };
    return timedRun(this.ws, args, env, this.program.type, capMs, log);
  }

  /** Sizes of the state: export, one entry of the program's type, the checkpoint file. */
  async stateSizes(): Promise<NonNullable<Series["state"]>> {
    const text = await this.ws.ok(["stack", "export"]);
    const resources = (JSON.parse(text) as { deployment: { resources: { type: string }[] } })
      .deployment.resources;
    const mine = resources.filter((r) => r.type === this.program.type) as {
      type: string;
      stackTrace?: unknown;
    }[];
    const one = mine.find((r) => JSON.stringify(r).includes('"u0001"')) ?? mine[0];
    const stacks = path.join(this.tmp, "state", ".pulumi", "stacks");
    const checkpointBytes = findFiles(stacks)
      .filter((f) => f.endsWith(`${this.name}.json`))
      .reduce((sum, f) => sum + statSync(f).size, 0);
    return {
      exportBytes: Buffer.byteLength(text),
      entries: mine.length,
      entryBytes: one === undefined ? 0 : Buffer.byteLength(JSON.stringify(one, null, 4)),
      traceBytes:
        one?.stackTrace === undefined
          ? 0
          : Buffer.byteLength(JSON.stringify({ stackTrace: one.stackTrace }, null, 4)),
      checkpointBytes,
    };
  }

  async close(): Promise<void> {
    await this.emu?.stop();
    rmSync(path.join(this.program.folder, `Pulumi.${this.name}.yaml`), { force: true });
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

function findFiles(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  for (const e of entries) {
    const p = path.join(dir, e);
    out = statSync(p).isDirectory() ? out.concat(findFiles(p)) : out.concat([p]);
  }
  return out;
}

const LOGS = mkdtempSync(path.join(os.tmpdir(), "mailplane-bench-logs-"));

const fmtS = (r: Run | undefined): string =>
  r === undefined ? "–" : r.capped ? `>${r.seconds.toFixed(0)} CAPPED` : r.seconds.toFixed(1);
const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);
const int = (n: number): string => n.toLocaleString("en-US");

function describe(s: Series): string {
  const p = PROGRAMS[s.program];
  const parts = [`${p.label} N=${int(s.n)} checkpoints ${s.checkpoints}:`];
  if (s.create) {
    parts.push(`up from empty ${fmtS(s.create)} s`);
    if (s.create.capped) {
      parts.push(
        `(CAPPED: ${int(s.create.created)} of ${int(s.n)} created before the kill` +
          (s.atEmulator === undefined ? "" : `, ${int(s.atEmulator)} at the emulator`) +
          `; ${(s.create.created / s.create.seconds).toFixed(1)}/s overall, ` +
          `${s.create.recentRate.toFixed(1)}/s in the last 5 min)`,
      );
    }
  }
  if (s.preview) parts.push(`preview ${fmtS(s.preview)} s`);
  if (s.noChangeUp) parts.push(`no-change up ${fmtS(s.noChangeUp)} s`);
  if (s.onOffState) parts.push("(no-change runs on the 'off' stack's state)");
  const runs = [s.create, s.preview, s.noChangeUp].filter((r): r is Run => r !== undefined);
  parts.push(`[load ${runs.map((r) => r.load.toFixed(1)).join("/")}]`);
  return parts.join(" ");
}

async function measure(
  program: Program,
  n: number,
  checkpoints: Checkpoints,
  capMs: number,
  createCapMs: number,
  offStack: Stack | undefined,
): Promise<{ series: Series; stack: Stack }> {
  const stack = await Stack.open(program, n);
  const series: Series = { program: program.id, n, checkpoints };
  series.create = await stack.run(UP, checkpoints, createCapMs, "create");
  if (stack.emu) {
    series.atEmulator = stack.emu.mailboxes("acme.com").length;
    series.posts = stack.emu.count("POST /domains/:domain/mailboxes");
  }
  let target = stack;
  if (series.create.capped) {
    if (offStack === undefined) return { series, stack };
    target = offStack;
    series.onOffState = true;
  } else {
    series.state = await stack.stateSizes();
    if (series.state.entries !== n) {
      throw new Error(
        `${program.label}: ${series.state.entries} ${program.type} in state, expected ${n}`,
      );
    }
  }
  series.preview = await target.run(PREVIEW, checkpoints, capMs, "preview");
  series.noChangeUp = await target.run(UP, checkpoints, capMs, "noop-up");
  return { series, stack };
}

// ---- output ----

function table(all: Series[], opts: Options): string {
  const out: string[] = [];
  const mailplane = opts.programs.filter((p) => p !== "floor");
  for (const n of opts.sizes) {
    const of = (p: ProgramId, c: Checkpoints): Series | undefined =>
      all.find((s) => s.program === p && s.n === n && s.checkpoints === c);
    out.push("", `N = ${int(n)} mailboxes (seconds; ratio = Mailplane / floor)`);
    const head = [
      "step",
      "ckpt",
      ...mailplane.flatMap((p) => [PROGRAMS[p].label, "ratio"]),
      "floor",
    ];
    const rows: string[][] = [head];
    const steps: [string, keyof Series][] = [
      ["up from empty", "create"],
      ["preview, no change", "preview"],
      ["up, no change", "noChangeUp"],
    ];
    for (const [label, key] of steps) {
      for (const c of opts.checkpoints) {
        const f = of("floor", c)?.[key] as Run | undefined;
        const row = [label, c];
        for (const p of mailplane) {
          const r = of(p, c)?.[key] as Run | undefined;
          row.push(fmtS(r));
          row.push(
            r && f && !r.capped && !f.capped ? `${(r.seconds / f.seconds).toFixed(2)}×` : "–",
          );
        }
        row.push(fmtS(f));
        rows.push(row);
      }
    }
    // A capped run's totals are partial: left out (its progress is printed below the table).
    const done = (r: Run | undefined): Run | undefined => (r?.capped === true ? undefined : r);
    const cpu = (r: Run | undefined): number | undefined =>
      r === undefined || r.capped
        ? undefined
        : r.memory.cpu.plugin + r.memory.cpu.program + r.memory.cpu.cli;
    const numeric: [string, (s: Series) => number | undefined, (v: number) => string][] = [
      ["CPU s all (up from empty)", (s) => cpu(s.create), (v) => v.toFixed(1)],
      ["CPU s all (preview)", (s) => cpu(s.preview), (v) => v.toFixed(1)],
      ["CPU s all (no-change up)", (s) => cpu(s.noChangeUp), (v) => v.toFixed(1)],
      [
        "CPU s plugin (up from empty)",
        (s) => done(s.create)?.memory.cpu.plugin,
        (v) => v.toFixed(1),
      ],
      [
        "CPU s pulumi CLI (up from empty)",
        (s) => done(s.create)?.memory.cpu.cli,
        (v) => v.toFixed(1),
      ],
      ["peak MB plugin (up from empty)", (s) => s.create?.memory.plugin, mb],
      ["peak MB program (up from empty)", (s) => s.create?.memory.program, mb],
      ["peak MB pulumi CLI (up from empty)", (s) => s.create?.memory.cli, mb],
      ["peak MB plugin (no-change up)", (s) => s.noChangeUp?.memory.plugin, mb],
    ];
    for (const [label, pick, fmt] of numeric) {
      for (const c of opts.checkpoints) {
        const f = of("floor", c);
        const fv = f === undefined ? undefined : pick(f);
        const row = [label, c];
        for (const p of mailplane) {
          const s = of(p, c);
          const v = s === undefined ? undefined : pick(s);
          row.push(v === undefined ? "–" : fmt(v));
          row.push(v !== undefined && fv ? `${(v / fv).toFixed(2)}×` : "–");
        }
        row.push(fv === undefined ? "–" : fmt(fv));
        rows.push(row);
      }
    }
    const stateOf = (p: ProgramId): Series["state"] =>
      (of(p, "off") ?? of(p, "on"))?.state ?? of(p, "on")?.state;
    for (const [label, pick] of [
      ["state B/mailbox (export / N)", (st: NonNullable<Series["state"]>) => st.exportBytes / n],
      ["one entry B (export format)", (st: NonNullable<Series["state"]>) => st.entryBytes],
      ["  of it: stackTrace B", (st: NonNullable<Series["state"]>) => st.traceBytes],
      ["checkpoint file B/mailbox", (st: NonNullable<Series["state"]>) => st.checkpointBytes / n],
    ] as const) {
      const row = [label, ""];
      const f = stateOf("floor");
      for (const p of mailplane) {
        const st = stateOf(p);
        row.push(st === undefined ? "–" : pick(st).toFixed(0));
        row.push(st && f ? `${(pick(st) / pick(f)).toFixed(2)}×` : "–");
      }
      row.push(f === undefined ? "–" : pick(f).toFixed(0));
      rows.push(row);
    }
    const widths = head.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
    for (const r of rows) {
      out.push(
        r
          .map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
          .join("  "),
      );
    }
    for (const s of all.filter((x) => x.n === n)) {
      if (s.create?.capped) out.push(`  ${describe(s)}`);
      else if (s.onOffState) out.push(`  ${describe(s)}`);
    }
    for (const s of all.filter((x) => x.n === n && x.atEmulator !== undefined)) {
      out.push(
        `  ${PROGRAMS[s.program].label} ckpt ${s.checkpoints}: ${int(s.atEmulator!)} mailboxes at the emulator, ` +
          `${int(s.posts!)} POSTs, ${s.create?.memory.pluginProcesses ?? 0} plugin process(es)`,
      );
    }
  }
  return out.join("\n");
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.tablesFrom !== undefined) {
    const all = opts.tablesFrom.flatMap((f) => JSON.parse(readFileSync(f, "utf8")) as Series[]);
    const sizes = [...new Set(all.map((s) => s.n))].sort((a, b) => a - b);
    const programs = (["maildomain", "mailbox", "floor"] as const).filter((p) =>
      all.some((s) => s.program === p),
    );
    console.log(table(all, { ...opts, sizes, programs: [...programs] }));
    return;
  }
  const capMs = opts.capMinutes * 60_000;
  const capOnMs = (opts.capOnMinutes ?? opts.capMinutes) * 60_000;
  const probe = new PulumiWorkspace(
    PROGRAMS.floor.folder,
    mkdtempSync(path.join(os.tmpdir(), "mailplane-bench-probe-")),
  );
  await requirePulumi(probe);
  rmSync(probe.home, { recursive: true, force: true });
  console.log(
    `pnpm bench:engine: sizes ${opts.sizes.join(", ")}; programs ${opts.programs.join(", ")}; ` +
      `checkpoints ${opts.checkpoints.join(", ")}; cap ${opts.capMinutes} min per run` +
      (opts.capOnMinutes === undefined
        ? ""
        : `, ${opts.capOnMinutes} min for up from empty with checkpoints on`) +
      "; " +
      `${os.cpus().length} CPUs; pulumi logs in ${LOGS}`,
  );
  const all: Series[] = [];
  const order = (["off", "on"] as const).filter((c) => opts.checkpoints.includes(c));
  for (const n of opts.sizes) {
    // Every "off" series first, then every "on" one: an "off" stack serves the no-change runs of
    // a capped "on" create of the same program.
    const offStacks = new Map<ProgramId, Stack>();
    try {
      for (const c of order) {
        for (const id of opts.programs) {
          const program = PROGRAMS[id];
          const reuse = opts.noChangeAfterCap ? offStacks.get(id) : undefined;
          const createCap = c === "on" ? capOnMs : capMs;
          const { series, stack } = await measure(program, n, c, capMs, createCap, reuse);
          all.push(series);
          console.log(`[${new Date().toISOString().slice(11, 19)}] ${describe(series)}`);
          if (
            c === "off" &&
            !series.create?.capped &&
            opts.noChangeAfterCap &&
            order.includes("on")
          ) {
            offStacks.set(id, stack);
          } else {
            await stack.close();
          }
          if (opts.json) writeFileSync(opts.json, JSON.stringify(all, null, 2));
        }
      }
    } finally {
      for (const st of offStacks.values()) await st.close();
    }
  }
  console.log(table(all, opts));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
