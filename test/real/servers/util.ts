import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/** A free TCP port on 127.0.0.1 (probed by binding port 0; the servers cannot take port 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls until `check` returns true, or throws with `what` and the log tail after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
  logFile?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      // not ready yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const tail =
    logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").slice(-3000) : "";
  throw new Error(
    `${what} not ready after ${timeoutMs} ms${tail ? `\n--- ${logFile}\n${tail}` : ""}`,
  );
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

/** Runs a command to completion; throws with its output when it fails. */
export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: opts.env ?? process.env });
  if (r.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(" ")} exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`,
    );
  }
  return r.stdout;
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids started by the harness, killed on process exit as a last resort. */
const started = new Set<number>();
let exitHookInstalled = false;

/** Remembers a server pid so that it is killed even when a test run dies. */
export function track(pid: number): void {
  started.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const p of started) {
        try {
          process.kill(p, "SIGKILL");
        } catch {
          // gone
        }
      }
    });
  }
}

/** Forgets a pid once its server stopped. */
export function untrack(pid: number): void {
  started.delete(pid);
}

/** Starts a long-running foreground server, its output going to `logFile`. */
export function spawnServer(cmd: string, args: string[], logFile: string): ChildProcess {
  const out = fs.openSync(logFile, "a");
  const child = spawn(cmd, args, { stdio: ["ignore", out, out], detached: false });
  fs.closeSync(out);
  if (child.pid !== undefined) track(child.pid);
  return child;
}

/** Sends SIGTERM, waits up to `ms`, then SIGKILL; resolves once the process is gone. */
export async function stopPid(pid: number, ms = 10_000): Promise<void> {
  if (!alive(pid)) return untrack(pid);
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // gone
  }
  const deadline = Date.now() + ms;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
    while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
  }
  untrack(pid);
}

/** A temp directory readable by the servers' own users (mkdtemp makes 0700). */
export function serverTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mailplane-${prefix}-`));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** uid/gid of a system user, from `id`. */
export function userIds(name: string): { uid: number; gid: number } {
  return {
    uid: Number(run("id", ["-u", name]).trim()),
    gid: Number(run("id", ["-g", name]).trim()),
  };
}

/**
 * The absolute path of a server or tool the real-server tests run (`bin` absolute, or a name
 * looked up on PATH, /usr/sbin and /usr/bin). When it is missing, throws a message naming it and
 * the set-up that installs it, e.g. `PowerDNS (pdns_server) not found at /usr/sbin/pdns_server:
 * run scripts/setup (scripts/install-servers installs the Debian package pdns-server)`.
 */
export function requireTool(what: string, bin: string, debianPackage: string): string {
  const candidates = path.isAbsolute(bin)
    ? [bin]
    : [...(process.env.PATH ?? "").split(path.delimiter), "/usr/sbin", "/usr/bin"]
        .filter((dir) => dir !== "")
        .map((dir) => path.join(dir, bin));
  const found = candidates.find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
  if (found !== undefined) return found;
  const where = path.isAbsolute(bin) ? ` at ${bin}` : " on PATH, in /usr/sbin or in /usr/bin";
  throw new Error(
    `${what} (${path.basename(bin)}) not found${where}: run scripts/setup ` +
      `(scripts/install-servers installs the Debian package ${debianPackage})`,
  );
}

/** True when running as root (the mail servers need it to start). */
export const isRoot = (): boolean => process.getuid?.() === 0;
