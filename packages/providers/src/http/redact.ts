/**
 * Secret redaction for every adapter's error mapping (HTTP clients and the self-hosted store).
 *
 * Policy, in the order it is applied to the API's answer (before any truncation):
 *
 * 1. **Forms.** Each secret in play is looked for in every form an API is known to echo it in:
 *    raw; JSON-escaped (standard, `\/`, `\uXXXX` ASCII-only in either hex case, and escaped
 *    twice for JSON inside a JSON string); URL-encoded (`encodeURIComponent`, lower-case
 *    percent-hex, `application/x-www-form-urlencoded`); base64 (standard, unpadded, base64url).
 *    `user:password` is a secret of its own, so the HTTP Basic token is one of its forms.
 * 2. **Long forms (4 or more code points)** are replaced by `[redacted]` wherever they occur: in
 *    the raw text and in every string (and object key) of the decoded JSON at any depth.
 * 3. **Short forms (1–3 code points)** are replaced only where they stand as a word: no letter,
 *    digit or combining mark right before or after (`Password "ab" is too short` loses `ab`,
 *    `about` keeps it). Replacing every `a` of a one-letter password would destroy the message
 *    while protecting nothing: a 1–3 character secret that sits inside a longer word cannot be
 *    told apart from the word. A scalar equal to the secret (a JSON string or number) is
 *    always replaced.
 * 4. **Credential fields by name**, whatever their value and whether or not we know it: in the
 *    decoded JSON, a string or number under a key naming a credential (`password`, `passwd`,
 *    `pass`, `secret`, `token`, `api_key`, `apiKey`, `X-API-Key`, `authorization`, `auth`,
 *    `credential(s)`, `access_key`, `private_key`, `client_secret`, `cookie`…) is replaced whole;
 *    keys that only describe a credential (`password_method`, `password_recovery_email`,
 *    `token_type`, `auth_url`…) are not. Arrays and objects under such a key are walked, not
 *    dropped: `{"errors":{"password":["is too short"]}}` keeps its message. In text, the same
 *    names are caught as `"password":"…"` (JSON inside text) and `password=…` (query strings,
 *    form bodies, log lines); prose such as `password: can't be blank` is left alone.
 * 5. **Authorization schemes**: `Basic …` and `Bearer …` followed by a token of 8 or more
 *    characters that has a digit, a symbol or an inner capital lose the token even when it is
 *    not one of ours (a proxy's, say); `Basic authentication required` stays readable.
 *
 * The passes repeat (at most three times) until nothing changes, so a secret that only appears
 * once a neighbour was replaced is caught too. A secret that is itself part of `[redacted]`
 * cannot be told apart from the marker.
 */

/** What replaces a secret. */
export const REDACTED = "[redacted]";

/** Secrets (or forms of them) of at most this many code points are redacted as words only. */
export const SHORT_SECRET_MAX = 3;

const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

const hexEscape = (json: string, upper: boolean): string =>
  json.replace(/[\u0080-\uffff]/g, (c) => {
    const hex = c.charCodeAt(0).toString(16).padStart(4, "0");
    return `\\u${upper ? hex.toUpperCase() : hex}`;
  });

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Every form in which an API might echo `secret` (see the module comment, rule 1). */
export function secretForms(secret: string): string[] {
  if (secret === "") return [];
  const json = JSON.stringify(secret).slice(1, -1);
  // A lone surrogate has no UTF-8 form: encodings see U+FFFD, as the wire would.
  const wellFormed = secret.replace(LONE_SURROGATE, "\ufffd");
  const uri = encodeURIComponent(wellFormed);
  const utf8 = Buffer.from(wellFormed, "utf8");
  const b64 = utf8.toString("base64");
  return [
    ...new Set([
      secret,
      json,
      json.replaceAll("/", "\\/"),
      hexEscape(json, false),
      hexEscape(json, true),
      hexEscape(json, false).replaceAll("/", "\\/"),
      JSON.stringify(json).slice(1, -1),
      uri,
      uri.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
      new URLSearchParams([["", wellFormed]]).toString().slice(1),
      b64,
      b64.replace(/=+$/, ""),
      utf8.toString("base64url"),
    ]),
  ].filter((f) => f !== "");
}

const SECRET_WORDS = new Set([
  "password",
  "passwd",
  "pass",
  "passphrase",
  "pwd",
  "secret",
  "token",
  "apikey",
  "authorization",
  "auth",
  "credential",
  "credentials",
  "cookie",
]);
/** A run-together name such as `sslpassword`, `accesstoken`, `clientsecret`. */
const SECRET_SUFFIX = /.(password|passwd|passphrase|secret|token|apikey)$/;
const KEY_QUALIFIERS = new Set(["api", "access", "private", "secret", "signing", "client"]);
const DESCRIPTIVE_LAST = new Set([
  "method",
  "methods",
  "email",
  "type",
  "hint",
  "policy",
  "length",
  "expiry",
  "expires",
  "expiration",
  "at",
  "changed",
  "required",
  "url",
  "uri",
  "endpoint",
  "name",
  "id",
  "count",
  "strength",
  "recovery",
  "scheme",
  "kind",
  "mode",
  "format",
]);

/**
 * True when a field name names a credential: `password`, `sslpassword`, `api_key`, `X-API-Key`,
 * `clientSecret`, `access_key`; false when it only describes one (`password_method`,
 * `password_recovery_email`, `token_type`, `auth_url`) or merely contains the letters (`bypass`).
 */
export function isCredentialKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "");
  if (words.length === 0 || DESCRIPTIVE_LAST.has(words.at(-1)!)) return false;
  return words.some(
    (w, i) =>
      SECRET_WORDS.has(w) ||
      SECRET_SUFFIX.test(w) ||
      (w === "key" && i > 0 && KEY_QUALIFIERS.has(words[i - 1]!)),
  );
}

/** The values of credential fields (see `isCredentialKey`) of a request body, at any depth. */
export function secretsInBody(body: unknown, found: string[] = []): string[] {
  if (Array.isArray(body)) {
    for (const v of body) secretsInBody(v, found);
  } else if (body && typeof body === "object") {
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if ((typeof value === "string" || typeof value === "number") && isCredentialKey(key)) {
        found.push(String(value));
      } else secretsInBody(value, found);
    }
  }
  return found;
}

/** HTTP Basic credentials as secrets: the password and `user:password` (whose base64 is the token). */
export function basicAuthSecrets(username: string, password: string): string[] {
  return [password, `${username}:${password}`];
}

/**
 * The password of a connection string (`postgresql://user:pass@host/db`, `?password=…`), raw
 * and percent-decoded, or nothing when it has none or does not parse.
 */
export function connectionStringSecrets(connectionString: string): string[] {
  const found: string[] = [];
  const add = (v: string | null | undefined): void => {
    if (!v) return;
    found.push(v);
    try {
      found.push(decodeURIComponent(v));
    } catch {
      // not percent-encoded
    }
  };
  try {
    const url = new URL(connectionString);
    add(url.password);
    for (const [k, v] of url.searchParams) if (isCredentialKey(k)) add(v);
  } catch {
    // Not a URL (a space in the password, say): everything between `user:` and the last `@`.
    add(/^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:(.*)@/is.exec(connectionString)?.[1]);
  }
  return [...new Set(found)];
}

const escapeRegExp = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
const WORD = "[\\p{L}\\p{N}\\p{M}]";
const CREDENTIAL_NAME =
  "(?:[A-Za-z0-9_-]{0,40}?(?:password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)|(?:[A-Za-z0-9]+[_-])*(?:pass|pwd))";
/** `"password":"…"` / `'password': '…'` inside text. */
const QUOTED_FIELD = new RegExp(
  `((["'])${CREDENTIAL_NAME}\\2\\s*:\\s*)(?:"(?!\\[redacted\\]")(?:[^"\\\\]|\\\\.)*"|'(?!\\[redacted\\]')[^']*')`,
  "gi",
);
/** `password=…` in query strings, form bodies and log lines. */
const ASSIGNED_FIELD = new RegExp(
  `((?<![A-Za-z0-9_-])${CREDENTIAL_NAME}=)(?!\\[redacted\\])[^\\s&;,"'<>]+`,
  "gi",
);
const AUTH_SCHEME = /\b(basic|bearer)(\s+)([A-Za-z0-9+/=._~-]{8,})/gi;
/** A credential token, not a word: it has a digit or symbol, or a capital after its first letter. */
const looksLikeToken = (t: string): boolean => /[0-9+/=._~-]/.test(t) || /.[A-Z]/.test(t);

/** A prepared set of secrets; see the module comment for what is redacted and how. */
export class Redactor {
  private readonly exact = new Set<string>();
  private readonly long: RegExp | undefined;
  private readonly short: RegExp | undefined;

  constructor(secrets: Iterable<string>) {
    const long = new Set<string>();
    const short = new Set<string>();
    for (const secret of secrets) {
      if (typeof secret !== "string") continue;
      for (const form of secretForms(secret)) {
        this.exact.add(form);
        (codePoints(form) > SHORT_SECRET_MAX ? long : short).add(form);
      }
    }
    const alternation = (set: Set<string>): string =>
      [...set]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join("|");
    if (long.size > 0) this.long = new RegExp(alternation(long), "gu");
    if (short.size > 0) {
      this.short = new RegExp(`(?<!${WORD})(?:${alternation(short)})(?!${WORD})`, "gu");
    }
  }

  /** Redacts a text (a raw body, a message) by rules 1–3 and the text forms of 4 and 5. */
  text(input: string): string {
    let out = input;
    for (let pass = 0; pass < 3; pass++) {
      const before = out;
      if (this.long) out = out.replace(this.long, REDACTED);
      if (this.short) out = out.replace(this.short, REDACTED);
      out = out
        .replace(QUOTED_FIELD, (_m, head: string, q: string) => `${head}${q}${REDACTED}${q}`)
        .replace(ASSIGNED_FIELD, `$1${REDACTED}`)
        .replace(AUTH_SCHEME, (m, scheme: string, space: string, token: string) =>
          looksLikeToken(token) ? `${scheme}${space}${REDACTED}` : m,
        );
      if (out === before) break;
    }
    return out;
  }

  /** Redacts a decoded JSON value at any depth: keys, strings, numbers equal to a secret. */
  value(input: unknown): unknown {
    return this.walk(input, false, 0);
  }

  private walk(v: unknown, credential: boolean, depth: number): unknown {
    if (typeof v === "string") {
      if ((credential && v !== "") || this.exact.has(v)) return REDACTED;
      return this.text(v);
    }
    if (typeof v === "number" || typeof v === "bigint") {
      return credential || this.exact.has(String(v)) ? REDACTED : v;
    }
    if (v === null || typeof v !== "object") return v;
    if (depth > 64) return REDACTED;
    if (Array.isArray(v)) return v.map((x) => this.walk(x, false, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
      out[this.text(key)] = this.walk(value, isCredentialKey(key), depth + 1);
    }
    return out;
  }
}

/** Redacts `text` against `secrets` (a one-off `Redactor`). */
export function redact(text: string, secrets: Iterable<string>): string {
  return new Redactor(secrets).text(text);
}

/** Redacts a decoded JSON value against `secrets` (a one-off `Redactor`). */
export function redactValue(value: unknown, secrets: Iterable<string>): unknown {
  return new Redactor(secrets).value(value);
}

/**
 * Cuts `text` to at most `max` code points (never inside a surrogate pair), marking the cut
 * with `…`. Call it on redacted text only: a cut made first can leave half a secret showing.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = [...text];
  return points.length <= max ? text : `${points.slice(0, max).join("")}…`;
}
