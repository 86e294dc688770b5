import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";

/** An SMTP client (nodemailer) for the private Postfix on 127.0.0.1. */
export function smtp(port: number, pool = false) {
  return nodemailer.createTransport({
    host: "127.0.0.1",
    port,
    secure: false,
    ignoreTLS: true,
    pool,
    maxConnections: pool ? 4 : undefined,
    maxMessages: pool ? Infinity : undefined,
    name: "client.mailplane.test",
  });
}

/** Sends one plain message; resolves with the server's final response. */
export async function send(
  transport: ReturnType<typeof smtp>,
  to: string,
  subject: string,
): Promise<string> {
  const info = await transport.sendMail({
    from: "sender@outside.test",
    to,
    subject,
    text: `${subject}\r\n`,
  });
  return info.response;
}

/** Logs in over IMAP (no TLS: loopback test instance) and returns the INBOX subjects, sorted. */
export async function inboxSubjects(port: number, user: string, pass: string): Promise<string[]> {
  const client = new ImapFlow({
    host: "127.0.0.1",
    port,
    secure: false,
    doSTARTTLS: false,
    auth: { user, pass },
    logger: false,
  });
  await client.connect();
  try {
    const lock = await client.getMailboxLock("INBOX");
    try {
      const subjects: string[] = [];
      const box = client.mailbox;
      if (box && box.exists > 0) {
        for await (const msg of client.fetch("1:*", { envelope: true })) {
          subjects.push(msg.envelope?.subject ?? "");
        }
      }
      return subjects.sort();
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

/** The IMAP login error text, or "ok" when the login succeeds. */
export async function loginResult(port: number, user: string, pass: string): Promise<string> {
  const client = new ImapFlow({
    host: "127.0.0.1",
    port,
    secure: false,
    doSTARTTLS: false,
    auth: { user, pass },
    logger: false,
  });
  try {
    await client.connect();
    await client.logout();
    return "ok";
  } catch (err) {
    const e = err as { authenticationFailed?: boolean; responseText?: string; message: string };
    return e.authenticationFailed ? `auth failed: ${e.responseText ?? e.message}` : e.message;
  }
}

/** Polls until `user`'s INBOX holds `count` messages (delivery is asynchronous). */
export async function waitForInbox(
  port: number,
  user: string,
  pass: string,
  count: number,
  timeoutMs = 30_000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let last: string[] = [];
  while (Date.now() < deadline) {
    last = await inboxSubjects(port, user, pass);
    if (last.length >= count) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  return last;
}
