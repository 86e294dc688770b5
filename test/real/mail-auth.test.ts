/**
 * Issue 18: self-hosted mail that other servers trust, judged by software we did not write.
 *
 * `pulumi up` of test/real/fixtures/mail-auth publishes acme.test's records to a private
 * PowerDNS (the only DNS anyone here asks), writes the accounts to the sqlite store, and outputs
 * OpenDKIM's configuration and the MTA-STS nginx site. From those outputs only: OpenDKIM signs as
 * the milter of our Postfix (+ Dovecot); a receiving Postfix on loopback judges every message
 * with rspamd (DKIM, SPF, DMARC, resolving through the same PowerDNS). Then a forged From is
 * rejected under p=reject, a key rotation through `pulumi up` keeps mail passing (and the
 * message signed before the switch still verifies), and nginx serves the MTA-STS policy.
 * Prints the figures: messages sent, verdicts by kind, time from `pulumi up` to a passing message.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PowerDnsClient } from "@mailplane/providers";
import { PulumiWorkspace, requirePulumi } from "../engine/pulumi-cli";
import { waitForInbox } from "./mail-client";
import {
  freePort,
  serverTempDir,
  startMailServers,
  startPowerDns,
  waitFor,
  type MailServers,
  type PowerDnsServer,
} from "./servers";
import {
  startNginx,
  startOpenDkim,
  startReceiver,
  startRspamd,
  type Receiver,
  type Rspamd,
  type Running,
} from "./servers/mail-auth";

const PROJECT = path.join(__dirname, "fixtures", "mail-auth");
const STACK = `mail-auth-${process.pid}`;
const LONG = 300_000;
const PASSWORD = "Ali-mail-auth-Pa55";

interface Outputs {
  records: Array<{ name: string; type: string; value: string; priority?: number }>;
  signingSelector: string;
  opendkimFiles: Record<string, string>;
  opendkimPostfix: Record<string, string>;
  opendkimKeys: Record<string, string>;
  mtaStsSite: { files: Record<string, string>; serverBlock: string };
}

let dir: string;
let pdns: PowerDnsServer;
let ws: PulumiWorkspace;
let rspamd: Rspamd;
let receiver: Receiver;
let signer: Running | undefined;
let ours: MailServers | undefined;
let nginx: Running | undefined;
let signerPort: number;
let sitePort: number;
let outputs: Outputs;
const figures = { sent: 0, verdicts: {} as Record<string, number>, upToPassMs: [] as number[] };
const previousKey = process.env.PDNS_API_KEY;

const count = (kind: string) => (figures.verdicts[kind] = (figures.verdicts[kind] ?? 0) + 1);

/**
 * One SMTP conversation; resolves with every reply line, never throws on a 4xx/5xx: the first
 * refusal is followed by QUIT (its reply is the last line).
 */
function smtpSession(
  port: number,
  commands: string[],
  localAddress = "127.0.0.1",
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const replies: string[] = [];
    let buffer = "";
    let step = -1; // -1: waiting for the greeting
    let quitting = false;
    const sock = net.connect({ host: "127.0.0.1", port, localAddress });
    sock.setTimeout(60_000, () => sock.destroy(new Error(`SMTP timeout: ${replies.join(" | ")}`)));
    sock.on("error", reject);
    sock.on("close", () => resolve(replies));
    sock.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      let nl: number;
      while ((nl = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (/^\d{3}-/.test(line)) continue; // continuation of a multi-line reply
        replies.push(line);
        step += 1;
        if (quitting || step >= commands.length) {
          sock.end();
        } else if (/^[45]/.test(line)) {
          // A refusal ends the conversation: never send the message text as commands.
          quitting = true;
          sock.write("QUIT\r\n");
        } else {
          sock.write(`${commands[step]}\r\n`);
        }
      }
    });
  });
}

/** Sends one message; `data` is the whole message (CRLF), dot-stuffed here. */
function sendMail(
  port: number,
  from: string,
  to: string,
  data: string,
  localAddress = "127.0.0.1",
): Promise<string[]> {
  figures.sent += 1;
  const body = data.replace(/\r?\n/g, "\r\n").replace(/^\./gm, "..");
  return smtpSession(
    port,
    [
      "EHLO client.acme.test",
      `MAIL FROM:<${from}>`,
      `RCPT TO:<${to}>`,
      "DATA",
      `${body}\r\n.`,
      "QUIT",
    ],
    localAddress,
  );
}

/**
 * Submits one message as a Mailplane mailbox: SMTP AUTH PLAIN (checked by Dovecot against the
 * store Mailplane wrote), then the envelope. Replies: 0 greeting, 1 EHLO, 2 AUTH, 3 MAIL,
 * 4 RCPT, 5 DATA, 6 end of data.
 */
function submit(user: string, password: string, to: string, data: string): Promise<string[]> {
  figures.sent += 1;
  const body = data.replace(/\r?\n/g, "\r\n").replace(/^\./gm, "..");
  const plain = Buffer.from(`\0${user}\0${password}`).toString("base64");
  return smtpSession(ours!.smtpPort, [
    "EHLO client.acme.test",
    `AUTH PLAIN ${plain}`,
    `MAIL FROM:<${user}>`,
    `RCPT TO:<${to}>`,
    "DATA",
    `${body}\r\n.`,
    "QUIT",
  ]);
}

function message(from: string, subject: string): string {
  return [
    `From: <${from}>`,
    "To: <bob@receiver.test>",
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${subject.replace(/\W/g, "")}.${Date.now()}@acme.test>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    `Hello from ${from}: ${subject}.`,
    "",
  ].join("\r\n");
}

/** Waits for the receiver's delivered message carrying `subject`; returns its text. */
async function delivered(subject: string, timeoutMs = 60_000): Promise<string> {
  let found = "";
  await waitFor(
    `delivery of "${subject}"`,
    () => {
      if (!fs.existsSync(receiver.inbox)) return false;
      for (const f of fs.readdirSync(receiver.inbox)) {
        const text = fs.readFileSync(path.join(receiver.inbox, f), "utf8");
        if (text.includes(`Subject: ${subject}\n`)) {
          found = text;
          return true;
        }
      }
      return false;
    },
    timeoutMs,
    receiver.log,
  );
  return found;
}

/** The Authentication-Results header (unfolded) of a delivered message. */
function authResults(text: string): string {
  const headers = text.slice(0, text.indexOf("\n\n"));
  const m = /^Authentication-Results: (.*(?:\n[ \t].*)*)/m.exec(headers);
  if (m === null) throw new Error(`no Authentication-Results in:\n${headers}`);
  return m[1]!.replace(/\n[ \t]+/g, " ");
}

/** `dkim=pass`, `spf=pass`, `dmarc=pass` and the selector, from Authentication-Results. */
function verdicts(ar: string): { dkim: string; spf: string; dmarc: string; selector: string } {
  const get = (re: RegExp) => re.exec(ar)?.[1] ?? "none";
  return {
    dkim: get(/\bdkim=(\w+)/),
    spf: get(/\bspf=(\w+)/),
    dmarc: get(/\bdmarc=(\w+)/),
    selector: get(/\bheader\.s=([\w-]+)/),
  };
}

function recordVerdicts(v: { dkim: string; spf: string; dmarc: string }): void {
  count(`dkim=${v.dkim}`);
  count(`spf=${v.spf}`);
  count(`dmarc=${v.dmarc}`);
}

/** `dig` against the private PowerDNS: one answer line per record. */
function dig(type: string, name: string): string[] {
  return execFileSync(
    "dig",
    ["@127.0.0.1", "-p", String(pdns.dnsPort), "+short", "+norecurse", "+time=2", type, name],
    { encoding: "utf8" },
  )
    .split("\n")
    .filter((l) => l !== "");
}

const txtValue = (line: string) =>
  [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, "$1")).join("");

async function stackOutputs(): Promise<Outputs> {
  return JSON.parse(await ws.ok(["stack", "output", "--json", "--show-secrets"])) as Outputs;
}

/** (Re)starts OpenDKIM from the current outputs. */
async function startSigner(): Promise<void> {
  await signer?.stop();
  signer = await startOpenDkim(
    outputs.opendkimFiles,
    outputs.opendkimKeys,
    signerPort,
    path.join(dir, "logs"),
  );
}

/** A local CA and a certificate for mta-sts.acme.test signed by it (openssl). */
function makeCertificates(): { ca: string; cert: string; key: string } {
  const tls = path.join(dir, "tls");
  fs.mkdirSync(tls, { recursive: true });
  const f = (n: string) => path.join(tls, n);
  const ossl = (args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  ossl(
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=Mailplane test CA",
    ].concat(["-keyout", f("ca.key"), "-out", f("ca.pem")]),
  );
  ossl(
    ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=mta-sts.acme.test"].concat([
      "-keyout",
      f("site.key"),
      "-out",
      f("site.csr"),
    ]),
  );
  fs.writeFileSync(f("ext.cnf"), "subjectAltName=DNS:mta-sts.acme.test\n");
  ossl(
    ["x509", "-req", "-in", f("site.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key")].concat([
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      f("ext.cnf"),
      "-out",
      f("site.pem"),
    ]),
  );
  return { ca: f("ca.pem"), cert: f("site.pem"), key: f("site.key") };
}

let certs: { ca: string; cert: string; key: string };
/**
 * OpenDKIM's folder: OpenDKIM refuses keys (RequireSafeKeys, Mailplane's default) under a folder
 * anyone may write to, such as /tmp, so it lives under /run (root's, 0755) as /etc/opendkim would.
 */
const signerDir = `/run/mailplane-mail-auth-${process.pid}/opendkim`;
let upStartedAt = 0;

beforeAll(async () => {
  dir = serverTempDir("mail-auth");
  fs.mkdirSync(path.join(dir, "logs"), { recursive: true });
  pdns = await startPowerDns(dir);
  process.env.PDNS_API_KEY = pdns.apiKey;
  await new PowerDnsClient({ apiUrl: pdns.apiUrl, zone: "acme.test" }).createZone([
    "ns1.acme.test",
  ]);
  signerPort = await freePort();
  sitePort = await freePort();
  certs = makeCertificates();
  ws = new PulumiWorkspace(PROJECT, path.join(dir, "pulumi"), { PDNS_API_KEY: pdns.apiKey });
  await requirePulumi(ws);
  await ws.ok(["stack", "init", STACK, "--non-interactive"]);
  const set = (k: string, v: string) => ws.ok(["config", "set", k, v]);
  await set("storePath", path.join(dir, "mail.sqlite"));
  await set("pdnsUrl", pdns.apiUrl);
  await set("signerDir", signerDir);
  await set("signerPort", String(signerPort));
  await set("siteDir", path.join(dir, "site"));
  await set("siteListen", `127.0.0.1:${sitePort}`);
  await set("certificatePath", certs.cert);
  await set("certificateKeyPath", certs.key);
  await ws.ok(["config", "set", "--secret", "password", PASSWORD]);
  rspamd = await startRspamd(dir, pdns.dnsPort);
  receiver = await startReceiver(dir, rspamd.milterPort);
}, LONG);

afterAll(async () => {
  for (const s of [nginx, ours, signer, receiver, rspamd, pdns]) await s?.stop().catch(() => {});
  rmStack();
  fs.rmSync(path.dirname(signerDir), { recursive: true, force: true });
  if (previousKey === undefined) delete process.env.PDNS_API_KEY;
  else process.env.PDNS_API_KEY = previousKey;
  console.log(
    `[real] mail-auth figures: messages sent ${figures.sent}; verdicts ${JSON.stringify(figures.verdicts)}; ` +
      `pulumi up start -> first passing message: ${figures.upToPassMs.map((ms) => `${ms} ms`).join(", ")}`,
  );
  if (dir && process.env.KEEP_MAIL_AUTH_DIR === undefined) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, LONG);

function rmStack(): void {
  fs.rmSync(path.join(PROJECT, `Pulumi.${STACK}.yaml`), { force: true });
}

describe("self-hosted mail judged by rspamd, DNS from PowerDNS (issue 18)", () => {
  let signedBeforeRotation = "";

  it(
    "pulumi up: PowerDNS serves exactly the planned records",
    async () => {
      upStartedAt = Date.now();
      const up = await ws.run([
        "up",
        "--yes",
        "--skip-preview",
        "--non-interactive",
        "--color",
        "never",
      ]);
      expect(up.code).toBe(0);
      outputs = await stackOutputs();
      // The up's own output shows the keys' outputs as secrets only.
      expect(`${up.stdout}${up.stderr}`).not.toContain("PRIVATE KEY");
      expect(up.stdout).toMatch(/^\s+opendkimKeys\s*: "?\[secret\]"?$/m);
      expect(outputs.signingSelector).toBe("mail");
      const byType = (t: string) => outputs.records.filter((r) => r.type === t);
      expect(outputs.records.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
        "A mta-sts.acme.test",
        "A mx.acme.test",
        "MX acme.test",
        "TXT _dmarc.acme.test",
        "TXT _mta-sts.acme.test",
        "TXT _smtp._tls.acme.test",
        "TXT acme.test",
        "TXT mail._domainkey.acme.test",
      ]);
      for (const r of byType("TXT")) expect(dig("TXT", r.name).map(txtValue)).toEqual([r.value]);
      for (const r of byType("A")) expect(dig("A", r.name)).toEqual([r.value]);
      expect(dig("MX", "acme.test")).toEqual(["10 mx.acme.test."]);
      expect(outputs.records.find((r) => r.name === "acme.test" && r.type === "TXT")?.value).toBe(
        "v=spf1 mx -all",
      );
      expect(outputs.records.find((r) => r.name === "_dmarc.acme.test")?.value).toBe(
        "v=DMARC1; p=reject; rua=mailto:dmarc@acme.test",
      );
    },
    LONG,
  );

  it(
    "a message from ali@acme.test through our Postfix + OpenDKIM gets dkim=pass spf=pass dmarc=pass",
    async () => {
      await startSigner();
      const oursDir = path.join(dir, "ours");
      ours = await startMailServers(
        oursDir,
        { type: "sqlite", path: path.join(dir, "mail.sqlite") },
        {
          ...outputs.opendkimPostfix,
          myhostname: "mx.acme.test",
          default_transport: `smtp:[127.0.0.1]:${receiver.port}`,
          smtp_bind_address: "127.0.0.1",
          // Submission: only mailboxes that log in (Dovecot SASL, the store's passwords) relay.
          mynetworks: "",
          smtpd_sasl_auth_enable: "yes",
          smtpd_sasl_type: "dovecot",
          smtpd_sasl_path: path.join(oursDir, "dovecot", "run", "auth-client"),
          smtpd_recipient_restrictions:
            "reject_unlisted_recipient, permit_sasl_authenticated, reject_unauth_destination",
        },
      );
      // Postfix's smtpd (user postfix) asks Dovecot's auth-client socket (root's, 0600).
      fs.chmodSync(path.join(oursDir, "dovecot", "run", "auth-client"), 0o666);
      const refused = await sendMail(
        ours.smtpPort,
        "ali@acme.test",
        "bob@receiver.test",
        message("ali@acme.test", "unauthenticated"),
      );
      // Postfix's default smtpd_relay_restrictions end in defer_unauth_destination (454).
      expect(refused[3]).toBe("454 4.7.1 <bob@receiver.test>: Relay access denied");
      count("relay-without-auth:454");
      const replies = await submit(
        "ali@acme.test",
        PASSWORD,
        "bob@receiver.test",
        message("ali@acme.test", "signed-1"),
      );
      expect(replies[2]).toBe("235 2.7.0 Authentication successful");
      expect(replies[6]).toMatch(/^250 2\.0\.0 Ok: queued as /);
      const text = await delivered("signed-1");
      figures.upToPassMs.push(Date.now() - upStartedAt);
      const ar = authResults(text);
      const v = verdicts(ar);
      recordVerdicts(v);
      expect(v).toEqual({ dkim: "pass", spf: "pass", dmarc: "pass", selector: "mail" });
      expect(ar).toMatch(/\bdkim=pass header\.d=acme\.test header\.s=mail header\.b=/);
      expect(ar).toMatch(/\bspf=pass .*smtp\.mailfrom=ali@acme\.test/);
      expect(ar).toMatch(/\bdmarc=pass \(policy=reject\) header\.from=acme\.test/);
      // As signed by OpenDKIM: the receiver's own headers (above the signature) removed.
      signedBeforeRotation = text.slice(text.indexOf("DKIM-Signature:"));
      expect(signedBeforeRotation).toMatch(
        /^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/simple; d=acme\.test;\s+s=mail;/,
      );
    },
    LONG,
  );

  it(
    "a forged From (acme.test, unsigned, from 127.0.0.2 outside SPF) is rejected under p=reject",
    async () => {
      const replies = await sendMail(
        receiver.port,
        "ceo@acme.test",
        "bob@receiver.test",
        message("ceo@acme.test", "forged-1"),
        "127.0.0.2",
      );
      count(`forged:${(replies[5] ?? "").slice(0, 3)}`);
      expect(replies.slice(0, 5).map((r) => r.slice(0, 3))).toEqual([
        "220",
        "250",
        "250",
        "250",
        "354",
      ]);
      expect(replies[5]).toBe("554 5.7.1 Spam message rejected");
      await new Promise((r) => setTimeout(r, 500));
      const inbox = fs.existsSync(receiver.inbox) ? fs.readdirSync(receiver.inbox) : [];
      const texts = inbox.map((f) => fs.readFileSync(path.join(receiver.inbox, f), "utf8"));
      expect(texts.filter((t) => t.includes("Subject: forged-1\n"))).toEqual([]);
      const log = fs.readFileSync(rspamd.log, "utf8");
      expect(log).toMatch(/DMARC_POLICY_REJECT/);
    },
    LONG,
  );

  it(
    "under p=quarantine (after pulumi up) the forged From is accepted and marked",
    async () => {
      await ws.ok(["config", "set", "dmarcPolicy", "quarantine"]);
      try {
        await ws.up();
        expect(dig("TXT", "_dmarc.acme.test").map(txtValue)).toEqual([
          "v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.test",
        ]);
        const replies = await sendMail(
          receiver.port,
          "ceo@acme.test",
          "bob@receiver.test",
          message("ceo@acme.test", "forged-2"),
          "127.0.0.2",
        );
        count(`forged-quarantine:${(replies[5] ?? "").slice(0, 3)}`);
        expect(replies[5]).toMatch(/^250 2\.0\.0 Ok: queued as /);
        const text = await delivered("forged-2");
        const ar = authResults(text);
        const v = verdicts(ar);
        recordVerdicts(v);
        expect(v).toEqual({ dkim: "none", spf: "fail", dmarc: "fail", selector: "none" });
        expect(ar).toMatch(
          /\bdmarc=fail reason="No valid SPF, No valid DKIM" header\.from=acme\.test \(policy=quarantine\)(?:;|$)/,
        );
        const headers = text.slice(0, text.indexOf("\n\n"));
        expect(headers).toMatch(/^X-Spam: Yes$/m);
        expect(headers).toMatch(/^X-Rspamd-Pre-Result: action=add header;\n\tmodule=dmarc;/m);
      } finally {
        await ws.ok(["config", "set", "dmarcPolicy", "reject"]);
        await ws.up();
      }
      expect(dig("TXT", "_dmarc.acme.test").map(txtValue)).toEqual([
        "v=DMARC1; p=reject; rua=mailto:dmarc@acme.test",
      ]);
    },
    LONG,
  );

  it(
    "the DMARC and TLS-RPT report addresses deliver to ali's mailbox (IMAP)",
    async () => {
      for (const to of ["tls-reports@acme.test", "dmarc@acme.test"]) {
        const subject = `report-${to.split("@")[0]}`;
        const r = await sendMail(
          ours!.smtpPort,
          "reporter@receiver.test",
          to,
          message("reporter@receiver.test", subject),
        );
        expect(r[5]).toMatch(/^250 2\.0\.0 Ok: queued as /);
      }
      expect(await waitForInbox(ours!.imapPort, "ali@acme.test", PASSWORD, 2)).toEqual([
        "report-dmarc",
        "report-tls-reports",
      ]);
    },
    LONG,
  );

  it(
    "state holds the private keys only as secrets",
    async () => {
      const { text } = await ws.exportState();
      expect(text).not.toContain("PRIVATE KEY");
      for (const pem of Object.values(outputs.opendkimKeys)) {
        const body = pem.split("\n")[1]!;
        expect(text).not.toContain(body);
      }
      const plain = JSON.parse(await ws.ok(["stack", "output", "--json"])) as Record<
        string,
        unknown
      >;
      expect(plain.opendkimKeys).toBe("[secret]");
    },
    LONG,
  );

  it(
    "rotation through pulumi up: mail2 published first, signs from its date on; old signatures still verify",
    async () => {
      await ws.ok([
        "config",
        "set",
        "dkimNext",
        JSON.stringify({ selector: "mail2", signFrom: "2099-01-01" }),
      ]);
      await ws.up();
      outputs = await stackOutputs();
      expect(outputs.signingSelector).toBe("mail");
      expect(dig("TXT", "mail2._domainkey.acme.test").map(txtValue)).toEqual([
        outputs.records.find((r) => r.name === "mail2._domainkey.acme.test")!.value,
      ]);
      // The switch date passes: the next up switches the signer.
      await ws.ok([
        "config",
        "set",
        "dkimNext",
        JSON.stringify({
          selector: "mail2",
          signFrom: new Date(Date.now() - 60_000).toISOString(),
        }),
      ]);
      upStartedAt = Date.now();
      await ws.up();
      outputs = await stackOutputs();
      expect(outputs.signingSelector).toBe("mail2");
      expect(outputs.opendkimFiles[`${signerDir}/SigningTable`]).toBe(
        "*@acme.test mail2._domainkey.acme.test\n",
      );
      await startSigner();
      await submit(
        "ali@acme.test",
        PASSWORD,
        "bob@receiver.test",
        message("ali@acme.test", "signed-2"),
      );
      const v2 = verdicts(authResults(await delivered("signed-2")));
      figures.upToPassMs.push(Date.now() - upStartedAt);
      recordVerdicts(v2);
      expect(v2).toEqual({ dkim: "pass", spf: "pass", dmarc: "pass", selector: "mail2" });
      // The message signed with the old selector before the switch, delivered again as it was.
      const again = signedBeforeRotation.replace(/Subject: signed-1\n/, "Subject: signed-1\n");
      const replies = await sendMail(receiver.port, "ali@acme.test", "bob@receiver.test", again);
      expect(replies[5]).toMatch(/^250 /);
      await waitFor("the old message twice", () => {
        const all = fs
          .readdirSync(receiver.inbox)
          .map((f) => fs.readFileSync(path.join(receiver.inbox, f), "utf8"));
        return all.filter((t) => t.includes("Subject: signed-1\n")).length === 2;
      });
      const olds = fs
        .readdirSync(receiver.inbox)
        .map((f) => fs.readFileSync(path.join(receiver.inbox, f), "utf8"))
        .filter((t) => t.includes("Subject: signed-1\n"))
        .map((t) => verdicts(authResults(t)));
      recordVerdicts(olds[1]!);
      expect(olds).toEqual([
        { dkim: "pass", spf: "pass", dmarc: "pass", selector: "mail" },
        { dkim: "pass", spf: "pass", dmarc: "pass", selector: "mail" },
      ]);
    },
    LONG,
  );

  it(
    "after the rotation: mail2 promoted (same key), then the old selector removed from DNS",
    async () => {
      const mail2 = dig("TXT", "mail2._domainkey.acme.test").map(txtValue);
      await ws.ok(["config", "rm", "dkimNext"]);
      await ws.ok(["config", "set", "dkimSelector", "mail2"]);
      await ws.ok(["config", "set", "dkimKeep", JSON.stringify(["mail"])]);
      await ws.up();
      outputs = await stackOutputs();
      expect(outputs.signingSelector).toBe("mail2");
      expect(dig("TXT", "mail2._domainkey.acme.test").map(txtValue)).toEqual(mail2);
      expect(dig("TXT", "mail._domainkey.acme.test").length).toBe(1);
      await ws.ok(["config", "set", "dkimKeep", "[]"]);
      await ws.up();
      outputs = await stackOutputs();
      expect(dig("TXT", "mail._domainkey.acme.test")).toEqual([]);
      expect(dig("TXT", "mail2._domainkey.acme.test").map(txtValue)).toEqual(mail2);
      expect(Object.keys(outputs.opendkimKeys)).toEqual([`${signerDir}/keys/mail2.private`]);
      expect(outputs.opendkimFiles[`${signerDir}/KeyTable`]).toBe(
        `mail2._domainkey.acme.test acme.test:mail2:${signerDir}/keys/mail2.private\n`,
      );
      await startSigner();
      await submit(
        "ali@acme.test",
        PASSWORD,
        "bob@receiver.test",
        message("ali@acme.test", "signed-3"),
      );
      const v = verdicts(authResults(await delivered("signed-3")));
      recordVerdicts(v);
      expect(v).toEqual({ dkim: "pass", spf: "pass", dmarc: "pass", selector: "mail2" });
    },
    LONG,
  );

  it(
    "nginx serves the MTA-STS policy from Mailplane's server block",
    async () => {
      nginx = await startNginx(
        dir,
        outputs.mtaStsSite.serverBlock,
        outputs.mtaStsSite.files,
        sitePort,
      );
      const out = execFileSync(
        "curl",
        [
          "-sS",
          "--cacert",
          certs.ca,
          "--resolve",
          `mta-sts.acme.test:${sitePort}:127.0.0.1`,
          "-D",
          "-",
          `https://mta-sts.acme.test:${sitePort}/.well-known/mta-sts.txt`,
        ],
        { encoding: "utf8" },
      );
      expect(out).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(out).toMatch(/\r\nContent-Type: text\/plain\r\n/);
      expect(out.slice(out.indexOf("\r\n\r\n") + 4)).toBe(
        "version: STSv1\r\nmode: enforce\r\nmx: mx.acme.test\r\nmax_age: 604800\r\n",
      );
    },
    LONG,
  );
  it(
    "postfix-mta-sts-resolver accepts the served policy and the _mta-sts id, and refuses tampered policies",
    () => {
      const python = path.join(
        process.env.MAILPLANE_CACHE ?? path.join(os.homedir(), ".cache", "mailplane"),
        "mta-sts-resolver-venv",
        "bin",
        "python",
      );
      if (!fs.existsSync(python)) {
        throw new Error(
          `postfix-mta-sts-resolver's venv not found at ${python}: run scripts/setup ` +
            "(scripts/setup-mta-sts-resolver makes it from PyPI)",
        );
      }
      const check = (): { result: string; id?: string; policy?: Record<string, unknown> } =>
        JSON.parse(
          execFileSync(
            python,
            [
              path.join(__dirname, "mta-sts-check.py"),
              "acme.test",
              String(pdns.dnsPort),
              String(sitePort),
            ],
            { encoding: "utf8", env: { ...process.env, SSL_CERT_FILE: certs.ca } },
          ),
        ) as { result: string; id?: string; policy?: Record<string, unknown> };
      const txt = outputs.records.find((r) => r.name === "_mta-sts.acme.test")!.value;
      const id = /^v=STSv1; id=([A-Za-z0-9]{1,32})$/.exec(txt)?.[1];
      const verdict = check();
      count(`mta-sts:${verdict.result}`);
      expect(verdict).toEqual({
        result: "VALID",
        id,
        policy: { version: "STSv1", mode: "enforce", mx: ["mx.acme.test"], max_age: 604800 },
      });
      const [file, policy] = Object.entries(outputs.mtaStsSite.files)[0]!;
      const tampered = [
        policy.replace("max_age: 604800", "max_age: 31557601"),
        policy.replace("version: STSv1", "version: STSv2"),
        policy.replace("mode: enforce", "mode: enforcing"),
      ];
      try {
        for (const text of tampered) {
          fs.writeFileSync(file, text);
          const v = check();
          count(`mta-sts-tampered:${v.result}`);
          expect(v).toEqual({ result: "FETCH_ERROR" });
        }
      } finally {
        fs.writeFileSync(file, policy);
      }
      expect(check().result).toBe("VALID");
    },
    LONG,
  );
});
