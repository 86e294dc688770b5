import fs from "node:fs";
import path from "node:path";
import {
  mailServerConfig,
  type MailServerConfig,
  type MailServerStoreAccess,
} from "@mailplane/providers";
import {
  alive,
  freePort,
  portOpen,
  run,
  spawnServer,
  stopPid,
  track,
  untrack,
  requireTool,
  userIds,
  waitFor,
} from "./util";

/** A private Postfix (SMTP in) + Dovecot (LMTP delivery, IMAP out) pair reading one store. */
export interface MailServers {
  smtpPort: number;
  imapPort: number;
  dir: string;
  /** The generated configuration the servers run with. */
  config: MailServerConfig;
  postfixLog: string;
  dovecotLog: string;
  stop(): Promise<void>;
}

/**
 * Starts Dovecot then Postfix in `dir`, both configured from `mailServerConfig` (the same
 * generator the provider documents), listening on 127.0.0.1 high ports.
 */
export async function startMailServers(
  dir: string,
  store: MailServerStoreAccess,
  /** Further `main.cf` parameters (a milter, a transport), applied last. */
  extraMainCf: Record<string, string> = {},
): Promise<MailServers> {
  requireTool("Dovecot", "/usr/sbin/dovecot", "dovecot-imapd");
  requireTool("Postfix", "/usr/sbin/postfix", "postfix");
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const config = mailServerConfig({
    store,
    postfixMapDir: path.join(dir, "postfix", "sql"),
    mailRoot: path.join(dir, "mail"),
  });
  const dovecot = await startDovecot(dir, config);
  try {
    const postfix = await startPostfix(dir, config, dovecot.lmtpSocket, extraMainCf);
    return {
      smtpPort: postfix.port,
      imapPort: dovecot.imapPort,
      dir,
      config,
      postfixLog: postfix.log,
      dovecotLog: dovecot.log,
      async stop() {
        await postfix.stop();
        await dovecot.stop();
      },
    };
  } catch (err) {
    await dovecot.stop();
    throw err;
  }
}

async function startDovecot(dir: string, config: MailServerConfig) {
  const base = path.join(dir, "dovecot");
  const run_ = path.join(base, "run");
  const mail = path.join(dir, "mail");
  fs.mkdirSync(run_, { recursive: true, mode: 0o755 });
  fs.mkdirSync(path.join(base, "state"), { recursive: true, mode: 0o755 });
  fs.mkdirSync(mail, { recursive: true, mode: 0o755 });
  const nobody = userIds("nobody");
  fs.chownSync(mail, nobody.uid, nobody.gid);
  const imapPort = await freePort();
  const log = path.join(base, "dovecot.log");
  const sqlConf = path.join(base, "dovecot-sql.conf.ext");
  fs.writeFileSync(sqlConf, config.dovecotSqlConf, { mode: 0o600 });
  const conf = path.join(base, "dovecot.conf");
  fs.writeFileSync(
    conf,
    `# mailplane real-server test instance
instance_name = mailplane-${path.basename(dir)}
base_dir = ${run_}
state_dir = ${path.join(base, "state")}
protocols = imap lmtp
listen = 127.0.0.1
log_path = ${log}
info_log_path = ${log}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
auth_failure_delay = 0
default_internal_user = dovecot
default_login_user = dovenull
mail_uid = ${nobody.uid}
mail_gid = ${nobody.gid}
first_valid_uid = 1
mail_location = maildir:~/Maildir
shutdown_clients = yes
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
${config.dovecotAuthConf(sqlConf)}`,
  );
  const child = spawnServer("/usr/sbin/dovecot", ["-F", "-c", conf], log);
  const pid = child.pid!;
  const lmtpSocket = path.join(run_, "lmtp");
  await waitFor(
    "dovecot",
    async () => {
      if (!alive(pid)) throw new Error("dovecot exited");
      return fs.existsSync(lmtpSocket) && (await portOpen(imapPort));
    },
    30_000,
    log,
  ).catch(async (err) => {
    await stopPid(pid);
    throw err;
  });
  return {
    imapPort,
    lmtpSocket,
    log,
    async stop() {
      await stopPid(pid);
    },
  };
}

const MASTER_CF = (
  port: number,
) => `# mailplane real-server test instance: no chroot, SMTP on 127.0.0.1:${port}
127.0.0.1:${port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;

async function startPostfix(
  dir: string,
  config: MailServerConfig,
  lmtpSocket: string,
  extraMainCf: Record<string, string> = {},
) {
  const base = path.join(dir, "postfix");
  const conf = path.join(base, "conf");
  const sqlDir = path.join(base, "sql");
  const queue = path.join(base, "queue");
  const data = path.join(base, "data");
  for (const d of [conf, sqlDir, queue, data]) fs.mkdirSync(d, { recursive: true, mode: 0o755 });
  const pf = userIds("postfix");
  fs.chownSync(data, pf.uid, pf.gid);
  for (const [file, content] of Object.entries(config.postfixMaps)) {
    fs.writeFileSync(path.join(sqlDir, file), content, { mode: 0o640 });
    fs.chownSync(path.join(sqlDir, file), 0, pf.gid);
  }
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
    maillog_file_prefixes: dir,
    myhostname: "mx.mailplane.test",
    mydomain: "mailplane.test",
    mydestination: "",
    inet_interfaces: "127.0.0.1",
    inet_protocols: "ipv4",
    mynetworks: "127.0.0.0/8",
    alias_maps: "",
    alias_database: "",
    local_transport: "error:local delivery is disabled",
    relayhost: "",
    default_transport: "error:outbound mail is disabled in tests",
    smtputf8_enable: "no",
    biff: "no",
    smtpd_recipient_restrictions:
      "reject_unlisted_recipient, permit_mynetworks, reject_unauth_destination",
    smtpd_reject_unlisted_recipient: "yes",
    virtual_transport: `lmtp:unix:${lmtpSocket}`,
    lmtp_destination_concurrency_limit: "20",
    default_destination_concurrency_limit: "20",
    smtpd_client_connection_rate_limit: "0",
    smtpd_client_message_rate_limit: "0",
    smtpd_client_recipient_rate_limit: "0",
    anvil_rate_time_unit: "60s",
    ...config.postfixMainCf,
    ...extraMainCf,
  };
  fs.writeFileSync(
    path.join(conf, "main.cf"),
    Object.entries(main)
      .map(([k, v]) => `${k} = ${v}`)
      .join("\n") + "\n",
  );
  fs.writeFileSync(path.join(conf, "master.cf"), MASTER_CF(port));
  run("/usr/sbin/postfix", ["-c", conf, "check"]);
  run("/usr/sbin/postfix", ["-c", conf, "start"]);
  const pidFile = path.join(queue, "pid", "master.pid");
  let pid = 0;
  await waitFor(
    "postfix",
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
