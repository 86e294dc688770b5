import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { alive, freePort, requireTool, run, spawnServer, stopPid, waitFor } from "./util";

/** A private PowerDNS authoritative server (gsqlite3 backend) with its HTTP API on loopback. */
export interface PowerDnsServer {
  /** DNS port on 127.0.0.1 (UDP and TCP). */
  dnsPort: number;
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:8081`. */
  apiUrl: string;
  /** The random API key (pass it as `PDNS_API_KEY`). */
  apiKey: string;
  log: string;
  stop(): Promise<void>;
}

const SCHEMA = "/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql";

/** Creates the gsqlite3 database from the package's schema and starts pdns_server in `dir`. */
export async function startPowerDns(dir: string): Promise<PowerDnsServer> {
  const pdnsServer = requireTool("PowerDNS", "/usr/sbin/pdns_server", "pdns-server");
  const sqlite3 = requireTool("SQLite's shell", "sqlite3", "sqlite3");
  if (!fs.existsSync(SCHEMA)) {
    throw new Error(
      `PowerDNS's sqlite3 schema not found at ${SCHEMA}: run scripts/setup ` +
        "(scripts/install-servers installs the Debian package pdns-backend-sqlite3)",
    );
  }
  const base = path.join(dir, "pdns");
  fs.mkdirSync(base, { recursive: true, mode: 0o755 });
  const db = path.join(base, "pdns.sqlite3");
  run(sqlite3, [db, `.read ${SCHEMA}`]);
  const dnsPort = await freePort();
  const webPort = await freePort();
  const apiKey = randomBytes(18).toString("hex");
  const log = path.join(base, "pdns.log");
  fs.writeFileSync(
    path.join(base, "pdns.conf"),
    [
      "launch=gsqlite3",
      `gsqlite3-database=${db}`,
      "local-address=127.0.0.1",
      `local-port=${dnsPort}`,
      "api=yes",
      `api-key=${apiKey}`,
      "webserver=yes",
      "webserver-address=127.0.0.1",
      `webserver-port=${webPort}`,
      "webserver-allow-from=127.0.0.0/8",
      "daemon=no",
      "guardian=no",
      "disable-syslog=yes",
      "log-timestamp=yes",
      "loglevel=4",
      `socket-dir=${base}`,
      "default-soa-content=ns1.mailplane.test. hostmaster.@ 0 10800 3600 604800 3600",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  const child = spawnServer(pdnsServer, [`--config-dir=${base}`], log);
  const pid = child.pid!;
  const apiUrl = `http://127.0.0.1:${webPort}`;
  await waitFor(
    "pdns_server",
    async () => {
      if (!alive(pid)) throw new Error("pdns_server exited");
      const res = await fetch(`${apiUrl}/api/v1/servers/localhost`, {
        headers: { "X-API-Key": apiKey },
      });
      return res.ok;
    },
    30_000,
    log,
  ).catch(async (err) => {
    await stopPid(pid);
    throw err;
  });
  return {
    dnsPort,
    apiUrl,
    apiKey,
    log,
    async stop() {
      await stopPid(pid);
    },
  };
}
