import fs from "node:fs";
import path from "node:path";
import {
  freePort,
  isRoot,
  requireTool,
  run,
  stopPid,
  track,
  untrack,
  userIds,
  waitFor,
} from "./util";

/** A private PostgreSQL cluster on 127.0.0.1 (trust auth, throwaway data directory). */
export interface PostgresServer {
  port: number;
  /** Connection string of the `mail` database (user `mailplane`, no password: trust on loopback). */
  connectionString: string;
  dbname: string;
  user: string;
  stop(): Promise<void>;
}

function pgBin(): string {
  const base = "/usr/lib/postgresql";
  const versions = fs.existsSync(base)
    ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, "bin", "initdb")))
    : [];
  if (versions.length === 0) {
    // Throws, naming PostgreSQL and the set-up that installs it.
    return path.dirname(requireTool("PostgreSQL", `${base}/<version>/bin/initdb`, "postgresql"));
  }
  versions.sort((a, b) => Number(b) - Number(a));
  return path.join(base, versions[0]!, "bin");
}

/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user. */
function asPostgres(cmd: string, args: string[]): string {
  return isRoot() ? run("runuser", ["-u", "postgres", "--", cmd, ...args]) : run(cmd, args);
}

/** initdb + pg_ctl start in `<dir>/pg`, database `mail` owned by user `mailplane`. */
export async function startPostgres(dir: string): Promise<PostgresServer> {
  const bin = pgBin();
  const data = path.join(dir, "pg");
  const sock = path.join(dir, "pg-sock");
  fs.mkdirSync(data, { mode: 0o700 });
  fs.mkdirSync(sock, { mode: 0o755 });
  if (isRoot()) {
    const { uid, gid } = userIds("postgres");
    fs.chownSync(data, uid, gid);
    fs.chownSync(sock, uid, gid);
  }
  const log = path.join(dir, "postgres.log");
  fs.writeFileSync(log, "");
  if (isRoot()) fs.chownSync(log, userIds("postgres").uid, userIds("postgres").gid);
  asPostgres(path.join(bin, "initdb"), [
    "-D",
    data,
    "-A",
    "trust",
    "-U",
    "postgres",
    "--no-sync",
    "-E",
    "UTF8",
  ]);
  const port = await freePort();
  asPostgres(path.join(bin, "pg_ctl"), [
    "-D",
    data,
    "-l",
    log,
    "-w",
    "-t",
    "60",
    "-o",
    `-p ${port} -k ${sock} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
    "start",
  ]);
  const pid = Number(fs.readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0]);
  track(pid);
  const psql = (sql: string) =>
    asPostgres(path.join(bin, "psql"), [
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-U",
      "postgres",
      "-v",
      "ON_ERROR_STOP=1",
      "-qAt",
      "-c",
      sql,
    ]);
  await waitFor("postgres", () => psql("SELECT 1").trim() === "1", 30_000, log);
  psql("CREATE ROLE mailplane LOGIN");
  psql("CREATE DATABASE mail OWNER mailplane");
  return {
    port,
    dbname: "mail",
    user: "mailplane",
    connectionString: `postgresql://mailplane@127.0.0.1:${port}/mail`,
    async stop() {
      try {
        asPostgres(path.join(bin, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"]);
      } catch {
        // fall through to the pid
      }
      await stopPid(pid);
      untrack(pid);
    },
  };
}
