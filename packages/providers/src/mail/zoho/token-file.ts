import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * An access token kept between processes, encrypted. Each `pulumi` command is a process of its
 * own and Zoho lets a refresh token mint only 10 access tokens in 10 minutes: without this file a
 * working session of previews and ups would be blocked. The token is sealed with AES-256-GCM
 * under a key derived (HKDF-SHA-256) from the client secret and the refresh token, so the file
 * is worth nothing to anyone who does not already hold what mints tokens; the file name is a
 * hash, the folder is private (0700) and the file 0600. A file that does not decrypt, has
 * expired or cannot be read is ignored, and one that cannot be written only costs a mint.
 */

/** The default folder: `$MAILPLANE_TOKEN_CACHE`, else `~/.cache/mailplane/tokens`. */
export function defaultTokenCacheDir(): string {
  return (
    process.env.MAILPLANE_TOKEN_CACHE ?? path.join(os.homedir(), ".cache", "mailplane", "tokens")
  );
}

interface Sealed {
  v: 1;
  expiresAt: number;
  iv: string;
  tag: string;
  data: string;
}

const fileOf = (dir: string, name: string): string => path.join(dir, `zoho-${name}.json`);

function keyOf(name: string, secrets: readonly string[]): Buffer {
  return Buffer.from(
    crypto.hkdfSync(
      "sha256",
      Buffer.from(secrets.join("\n"), "utf8"),
      name,
      "mailplane zoho token",
      32,
    ),
  );
}

/** The token stored under `name` when it decrypts with `secrets` and is still valid. */
export function readTokenFile(
  dir: string,
  name: string,
  secrets: readonly string[],
): { token: string; expiresAt: number } | undefined {
  try {
    const sealed = JSON.parse(fs.readFileSync(fileOf(dir, name), "utf8")) as Sealed;
    if (sealed.v !== 1 || !(sealed.expiresAt > Date.now())) return undefined;
    const decipher = crypto.createDecipheriv(
      "aes-256-gcm",
      keyOf(name, secrets),
      Buffer.from(sealed.iv, "base64"),
    );
    decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
    const token = Buffer.concat([
      decipher.update(Buffer.from(sealed.data, "base64")),
      decipher.final(),
    ]).toString("utf8");
    return { token, expiresAt: sealed.expiresAt };
  } catch {
    return undefined; // absent, unreadable, another key's or tampered with: mint instead
  }
}

/** Stores the token under `name`, sealed with `secrets`; best effort (a failure costs a mint). */
export function writeTokenFile(
  dir: string,
  name: string,
  secrets: readonly string[],
  value: { token: string; expiresAt: number },
): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv("aes-256-gcm", keyOf(name, secrets), iv);
    const data = Buffer.concat([cipher.update(value.token, "utf8"), cipher.final()]);
    const sealed: Sealed = {
      v: 1,
      expiresAt: value.expiresAt,
      iv: iv.toString("base64"),
      tag: cipher.getAuthTag().toString("base64"),
      data: data.toString("base64"),
    };
    const tmp = `${fileOf(dir, name)}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
    fs.writeFileSync(tmp, JSON.stringify(sealed), { mode: 0o600 });
    fs.renameSync(tmp, fileOf(dir, name));
  } catch {
    // A read-only home or a full disk: the next process mints its own token.
  }
}

/** Removes the token stored under `name` (Zoho refused it). */
export function removeTokenFile(dir: string, name: string): void {
  fs.rmSync(fileOf(dir, name), { force: true });
}
