/**
 * The servers of the DKIM/SPF/DMARC/MTA-STS proof (test/real/mail-auth.test.ts), all on
 * 127.0.0.1 high ports: OpenDKIM (the sending server's signer, run from Mailplane's output files
 * unchanged), rspamd (the receiving server's judge: DKIM, SPF and DMARC, resolving through the
 * private PowerDNS), a receiving Postfix with rspamd as its milter delivering to one maildir, and
 * nginx serving the MTA-STS site from Mailplane's server block.
 */
import fs from "node:fs";
import path from "node:path";
import {
  alive,
  freePort,
  portOpen,
  requireTool,
  run,
  spawnServer,
  stopPid,
  track,
  untrack,
  userIds,
  waitFor,
} from "./util";

/** A running server: its log and how to stop it. */
export interface Running {
  log: string;
  stop(): Promise<void>;
}

/** Writes files by absolute path (parents created 0755). */
function writeFiles(files: Record<string, string>, mode = 0o644): void {
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    fs.writeFileSync(file, content, { mode });
    fs.chmodSync(file, mode);
  }
}

/**
 * Starts OpenDKIM from Mailplane's output: the plain files as they are, the key files 0600
 * owned by OpenDKIM's user (RequireSafeKeys), then `opendkim -f -x <opendkim.conf>`.
 */
export async function startOpenDkim(
  files: Record<string, string>,
  keyFiles: Record<string, string>,
  port: number,
  logDir: string,
): Promise<Running> {
  const opendkim = requireTool("OpenDKIM", "/usr/sbin/opendkim", "opendkim");
  const conf = Object.keys(files).find((f) => f.endsWith("/opendkim.conf"));
  if (conf === undefined) throw new Error("no opendkim.conf among the signer's files");
  writeFiles(files);
  const user = userIds("opendkim");
  for (const [file, pem] of Object.entries(keyFiles)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.chownSync(path.dirname(file), user.uid, user.gid);
    fs.writeFileSync(file, pem, { mode: 0o600 });
    fs.chownSync(file, user.uid, user.gid);
  }
  // The pid file's folder (the config folder here) must be writable by opendkim's user.
  fs.chownSync(path.dirname(conf), user.uid, user.gid);
  const log = path.join(logDir, `opendkim-${port}.log`);
  const child = spawnServer(opendkim, ["-f", "-x", conf], log);
  const pid = child.pid!;
  await waitFor(
    "opendkim",
    async () => {
      if (!alive(pid)) throw new Error("opendkim exited");
      return portOpen(port);
    },
    30_000,
    log,
  ).catch(async (err) => {
    await stopPid(pid);
    throw err;
  });
  return { log, stop: () => stopPid(pid) };
}

/** rspamd listening as a milter, resolving every name through the given DNS server. */
export interface Rspamd extends Running {
  milterPort: number;
}

/**
 * Starts rspamd's proxy worker in milter mode scanning by itself (no Redis, no controller),
 * with Debian's stock modules and only these local settings: DNS from `dnsPort`, SPF, DKIM and
 * DMARC checked for loopback clients too, DMARC policies enforced (`reject` rejects,
 * `quarantine` adds a header), `Authentication-Results` added, spam scores out of the way.
 */
export async function startRspamd(dir: string, dnsPort: number): Promise<Rspamd> {
  const rspamd = requireTool("rspamd", "/usr/bin/rspamd", "rspamd");
  const base = path.join(dir, "rspamd");
  const local = path.join(base, "local");
  const rundir = path.join(base, "run");
  const dbdir = path.join(base, "db");
  for (const d of [path.join(local, "local.d"), rundir, dbdir]) {
    fs.mkdirSync(d, { recursive: true, mode: 0o755 });
  }
  const user = userIds("_rspamd");
  for (const d of [base, rundir, dbdir]) fs.chownSync(d, user.uid, user.gid);
  const milterPort = await freePort();
  const log = path.join(base, "rspamd.log");
  fs.writeFileSync(log, "");
  fs.chownSync(log, user.uid, user.gid);
  const conf = path.join(base, "rspamd.conf");
  fs.writeFileSync(
    conf,
    `.include "$CONFDIR/common.conf"
options {
  pidfile = "$RUNDIR/rspamd.pid";
  .include "$CONFDIR/options.inc"
  .include(try=true; priority=1,duplicate=merge) "$LOCAL_CONFDIR/local.d/options.inc"
}
logging {
  type = "file";
  filename = "${log}";
  level = "info";
}
worker "rspamd_proxy" {
  bind_socket = "127.0.0.1:${milterPort}";
  milter = yes;
  timeout = 60s;
  count = 1;
  upstream "local" {
    default = yes;
    self_scan = yes;
  }
}
`,
  );
  const localD = path.join(local, "local.d");
  const files: Record<string, string> = {
    "options.inc": `dns {\n  nameserver = ["127.0.0.1:${dnsPort}"];\n  timeout = 2s;\n  retransmits = 2;\n}\nlocal_addrs = [];\n`,
    "spf.conf": "check_local = true;\ncheck_authed = true;\n",
    "dkim.conf": "check_local = true;\ncheck_authed = true;\n",
    "dmarc.conf":
      'check_local = true;\ncheck_authed = true;\nactions {\n  quarantine = "add_header";\n  reject = "reject";\n}\n',
    "milter_headers.conf":
      'use = ["authentication-results", "x-spamd-result"];\nskip_local = false;\nskip_authenticated = false;\n',
    "actions.conf":
      "reject = 1000;\nadd_header = 500;\nrewrite_subject = null;\ngreylist = null;\n",
    "rbl.conf": "enabled = false;\n",
  };
  for (const [name, text] of Object.entries(files)) {
    fs.writeFileSync(path.join(localD, name), text);
  }
  const child = spawnServer(
    rspamd,
    [
      "-f",
      "-u",
      "_rspamd",
      "-g",
      "_rspamd",
      "-c",
      conf,
      "--var",
      `LOCAL_CONFDIR=${local}`,
      "--var",
      `RUNDIR=${rundir}`,
      "--var",
      `DBDIR=${dbdir}`,
      "--var",
      `LOGDIR=${base}`,
    ],
    path.join(base, "rspamd.out"),
  );
  const pid = child.pid!;
  await waitFor(
    "rspamd",
    async () => {
      if (!alive(pid)) throw new Error("rspamd exited");
      return portOpen(milterPort);
    },
    60_000,
    path.join(base, "rspamd.out"),
  ).catch(async (err) => {
    await stopPid(pid);
    throw err;
  });
  return { milterPort, log, stop: () => stopPid(pid) };
}

/** The receiving Postfix: mail for `receiver.test` judged by a milter, kept in one maildir. */
export interface Receiver extends Running {
  port: number;
  /** The maildir's `new/` folder: one file per accepted message. */
  inbox: string;
}

const RECEIVER_MASTER_CF = (port: number) => `# mailplane receiving test instance
127.0.0.1:${port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;

/** Starts the receiving Postfix in `dir` with `milterPort` (rspamd) judging every message. */
export async function startReceiver(dir: string, milterPort: number): Promise<Receiver> {
  requireTool("Postfix", "/usr/sbin/postfix", "postfix");
  const base = path.join(dir, "receiver");
  const conf = path.join(base, "conf");
  const queue = path.join(base, "queue");
  const data = path.join(base, "data");
  const mail = path.join(base, "mail");
  for (const d of [conf, queue, data, mail]) fs.mkdirSync(d, { recursive: true, mode: 0o755 });
  const pf = userIds("postfix");
  const nobody = userIds("nobody");
  fs.chownSync(data, pf.uid, pf.gid);
  fs.chownSync(mail, nobody.uid, nobody.gid);
  const port = await freePort();
  const log = path.join(base, "postfix.log");
  const main: Record<string, string> = {
    compatibility_level: "3.6",
    queue_directory: queue,
    data_directory: data,
    meta_directory: "/etc/postfix",
    command_directory: "/usr/sbin",
    daemon_directory: "/usr/lib/postfix/sbin",
    shlib_directory: "/usr/lib/postfix",
    mail_owner: "postfix",
    setgid_group: "postdrop",
    maillog_file: log,
    maillog_file_prefixes: base,
    myhostname: "mx.receiver.test",
    mydomain: "receiver.test",
    mydestination: "",
    inet_interfaces: "127.0.0.1",
    inet_protocols: "ipv4",
    mynetworks: "",
    alias_maps: "",
    alias_database: "",
    local_transport: "error:local delivery is disabled",
    default_transport: "error:outbound mail is disabled in tests",
    smtputf8_enable: "no",
    biff: "no",
    smtpd_recipient_restrictions: "reject_unauth_destination",
    virtual_mailbox_domains: "receiver.test",
    virtual_mailbox_base: mail,
    virtual_mailbox_maps: "static:inbox/",
    virtual_uid_maps: `static:${nobody.uid}`,
    virtual_gid_maps: `static:${nobody.gid}`,
    virtual_transport: "virtual",
    smtpd_milters: `inet:127.0.0.1:${milterPort}`,
    milter_protocol: "6",
    milter_default_action: "tempfail",
    milter_mail_macros: "i {mail_addr} {client_addr} {client_name} {auth_authen}",
    smtpd_client_connection_rate_limit: "0",
  };
  fs.writeFileSync(
    path.join(conf, "main.cf"),
    Object.entries(main)
      .map(([k, v]) => `${k} = ${v}`)
      .join("\n") + "\n",
  );
  fs.writeFileSync(path.join(conf, "master.cf"), RECEIVER_MASTER_CF(port));
  run("/usr/sbin/postfix", ["-c", conf, "check"]);
  run("/usr/sbin/postfix", ["-c", conf, "start"]);
  const pidFile = path.join(queue, "pid", "master.pid");
  let pid = 0;
  await waitFor(
    "receiving postfix",
    async () => {
      if (!fs.existsSync(pidFile)) return false;
      pid = Number(fs.readFileSync(pidFile, "utf8").trim());
      if (pid > 0) track(pid);
      return pid > 0 && (await portOpen(port));
    },
    30_000,
    log,
  );
  return {
    port,
    log,
    inbox: path.join(mail, "inbox", "new"),
    async stop() {
      try {
        run("/usr/sbin/postfix", ["-c", conf, "stop"]);
      } catch {
        // fall through to the pid
      }
      if (pid > 0) await stopPid(pid);
      untrack(pid);
    },
  };
}

/** nginx serving Mailplane's MTA-STS server block (and nothing else) in the foreground. */
export async function startNginx(
  dir: string,
  serverBlock: string,
  files: Record<string, string>,
  port: number,
): Promise<Running> {
  const nginx = requireTool("nginx", "/usr/sbin/nginx", "nginx-light");
  const base = path.join(dir, "nginx");
  fs.mkdirSync(path.join(base, "tmp"), { recursive: true, mode: 0o755 });
  writeFiles(files);
  const log = path.join(base, "error.log");
  const conf = path.join(base, "nginx.conf");
  fs.writeFileSync(
    conf,
    `daemon off;
master_process off;
worker_processes 1;
pid ${base}/nginx.pid;
error_log ${log} info;
events { worker_connections 64; }
http {
  access_log ${base}/access.log;
  client_body_temp_path ${base}/tmp/body;
  proxy_temp_path ${base}/tmp/proxy;
  fastcgi_temp_path ${base}/tmp/fastcgi;
  uwsgi_temp_path ${base}/tmp/uwsgi;
  scgi_temp_path ${base}/tmp/scgi;
  include /etc/nginx/mime.types;
${serverBlock}
}
`,
  );
  run(nginx, ["-t", "-c", conf, "-p", base]);
  const child = spawnServer(nginx, ["-c", conf, "-p", base], path.join(base, "nginx.out"));
  const pid = child.pid!;
  await waitFor(
    "nginx",
    async () => {
      if (!alive(pid)) throw new Error("nginx exited");
      return portOpen(port);
    },
    30_000,
    log,
  ).catch(async (err) => {
    await stopPid(pid);
    throw err;
  });
  return { log, stop: () => stopPid(pid) };
}
