import type { Algorithm } from "@node-rs/argon2";

/** `Algorithm.Argon2id` of @node-rs/argon2 (an ambient const enum, not usable with isolatedModules). */
const ARGON2ID = 2 as Algorithm;

/**
 * Argon2id parameters of stored hashes: OWASP's minimum (19 MiB, 2 passes, 1 lane). One lane
 * because Dovecot verifies with libsodium, which only accepts `p=1`.
 */
export const ARGON2ID_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * Hashes a password for Dovecot: `{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`.
 * Dovecot 2.3 (built with libsodium, as Debian's is) verifies it; the plaintext is never stored.
 * @see https://doc.dovecot.org/2.3/configuration_manual/authentication/password_schemes/
 */
export async function hashPassword(password: string): Promise<string> {
  if (typeof password !== "string" || password.length === 0) {
    throw new Error("selfHosted password: must be a non-empty string");
  }
  const { hash } = await import("@node-rs/argon2");
  return `{ARGON2ID}${await hash(password, { algorithm: ARGON2ID, ...ARGON2ID_PARAMS })}`;
}

/** Checks a password against a `{ARGON2ID}` hash made by {@link hashPassword}. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  const prefix = "{ARGON2ID}";
  if (!stored.startsWith(prefix)) return false;
  const { verify } = await import("@node-rs/argon2");
  return verify(stored.slice(prefix.length), password);
}
