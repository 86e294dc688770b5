/**
 * Redaction contract for every provider adapter: a data-driven check that no secret survives
 * into what our errors expose, a table of hostile response bodies, and a tiny HTTP server on
 * 127.0.0.1 that answers with them. The provider contract suite imports this file; each adapter
 * runs the cases whose `role` it can put on the wire.
 *
 * The encodings here are computed independently of the implementation (Node's Buffer, URL and
 * JSON built-ins), so the check does not trust the redactor's own list of variants.
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";

/** Secrets of 1–3 code points are checked as whole words only (see `expectNoSecrets`). */
export const SHORT_SECRET_MAX = 3;

/** Every form in which an API might echo `secret`: raw, JSON-escaped, URL- and base64-encoded. */
export function echoForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const asciiJson = json.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  const form = new URLSearchParams({ k: secret }).toString().slice(2);
  const uri = encodeURIComponent(secret);
  const b64 = Buffer.from(secret, "utf8").toString("base64");
  return [
    ...new Set([
      secret,
      json,
      json.replaceAll("/", "\\/"),
      asciiJson,
      asciiJson.replace(/\\u[0-9a-f]{4}/g, (u) => `\\u${u.slice(2).toUpperCase()}`),
      JSON.stringify(json).slice(1, -1),
      uri,
      uri.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
      form,
      b64,
      b64.replace(/=+$/, ""),
      Buffer.from(secret, "utf8").toString("base64url"),
    ]),
  ];
}

const cp = (s: string): number => [...s].length;
const wordChar = /[\p{L}\p{N}\p{M}]/u;

/** True when `needle` occurs in `hay` with no letter, digit or mark right before or after it. */
export function occursAsWord(hay: string, needle: string): boolean {
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) {
    const before = hay.slice(0, i);
    const after = hay.slice(i + needle.length);
    const prev = [...before].at(-1);
    const next = [...after][0];
    if (
      (prev === undefined || !wordChar.test(prev)) &&
      (next === undefined || !wordChar.test(next))
    )
      return true;
  }
  return false;
}

/** Options of `expectNoSecrets`. */
export interface NoSecretsOptions {
  /**
   * Also fail when this many consecutive characters of a secret show (a secret cut in half by a
   * truncation). Off when absent.
   */
  partial?: number;
}

/** Every text an error exposes: message, stack, String(), JSON, util.inspect, each own property, and the same for each `cause`. */
export function exposedTexts(err: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const seen = new Set<unknown>();
  const visit = (value: unknown, where: string, depth: number): void => {
    if (depth > 8 || seen.has(value)) return;
    if (typeof value === "string") {
      out.set(where, value);
      return;
    }
    if (value === null || typeof value !== "object") {
      if (value !== undefined) out.set(where, String(value));
      return;
    }
    seen.add(value);
    if (value instanceof Error) {
      out.set(`${where}.message`, value.message);
      out.set(`${where}.stack`, value.stack ?? "");
      out.set(`String(${where})`, String(value));
    }
    try {
      out.set(`JSON.stringify(${where})`, JSON.stringify(value) ?? "");
    } catch {
      // circular: the property walk below still sees everything
    }
    out.set(
      `inspect(${where})`,
      inspect(value, { depth: Infinity, showHidden: true, getters: true }),
    );
    for (const key of Reflect.ownKeys(value)) {
      const name = typeof key === "symbol" ? key.toString() : key;
      const desc = Object.getOwnPropertyDescriptor(value, key);
      visit(desc && "value" in desc ? desc.value : undefined, `${where}.${name}`, depth + 1);
    }
  };
  visit(err, "err", 0);
  return out;
}

/** Names of the exposed texts of `err` that still show one of `secrets` (empty when clean). */
export function findSecrets(
  err: unknown,
  secrets: readonly string[],
  options: NoSecretsOptions = {},
): string[] {
  const found: string[] = [];
  const texts = exposedTexts(err);
  for (const secret of secrets) {
    for (const form of echoForms(secret)) {
      for (const [where, text] of texts) {
        const long = cp(form) > SHORT_SECRET_MAX;
        // JSON.stringify and inspect add quotes and backslashes of their own: a one-character
        // `"` or `\` would "show" in every one. Short forms are judged on the strings themselves
        // (message, stack, every property), which those views only re-encode.
        if (!long && /^(JSON\.stringify|inspect)\(/.test(where)) continue;
        const hit = long ? text.includes(form) : occursAsWord(text, form);
        if (hit) found.push(`${where} shows ${JSON.stringify(form)}`);
      }
    }
    const n = options.partial;
    if (n !== undefined && secret.length > n) {
      for (let i = 0; i + n <= secret.length; i++) {
        const piece = secret.slice(i, i + n);
        for (const [where, text] of texts) {
          if (text.includes(piece)) found.push(`${where} shows part ${JSON.stringify(piece)}`);
        }
      }
    }
  }
  return [...new Set(found)];
}

/**
 * Asserts that no secret shows in the error's message, stack, String(), JSON.stringify,
 * util.inspect (hidden properties too), any own property, or the same of any `cause`, in any
 * of the forms of `echoForms`. A secret (or encoded form) of 1–3 code points is checked as a
 * whole word (no letter, digit or mark next to it): a one-letter password is in every sentence;
 * and only in the strings themselves, not in their JSON.stringify/inspect renderings, whose own
 * quotes and escapes would otherwise count as a `"` or `\` password.
 */
export function expectNoSecrets(
  err: unknown,
  secrets: readonly string[],
  options: NoSecretsOptions = {},
): void {
  assert.deepEqual(findSecrets(err, secrets, options), [], "a secret shows in the error");
}

/** What the hostile server received. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What the hostile server answers; `drop` destroys the socket without answering. */
export type HostileReply =
  { status: number; body: string; headers?: Record<string, string> } | { drop: true };

/** A 127.0.0.1 server answering every request with `reply(request)`. */
export class HostileServer {
  reply: (req: SeenRequest) => HostileReply = () => ({ status: 500, body: "" });
  readonly seen: SeenRequest[] = [];
  private server: http.Server | undefined;
  url = "";

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const seen: SeenRequest = {
          method: req.method ?? "GET",
          url: req.url ?? "/",
          headers: req.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        };
        this.seen.push(seen);
        const r = this.reply(seen);
        if ("drop" in r) {
          req.socket.destroy();
          return;
        }
        res.writeHead(r.status, {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(r.body),
          ...r.headers,
        });
        res.end(r.body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * Which secret a case plants: `password` is a request-body password field (a mailbox's
 * password), `apiKey` the credential the client authenticates with (HTTP Basic password,
 * X-API-Key, bearer token).
 */
export type SecretRole = "password" | "apiKey";

/** One hostile response: the body may embed the planted secret and echo the request. */
export interface HostileCase {
  name: string;
  role: SecretRole;
  /** The planted secret. */
  secret: string;
  status: number;
  headers?: Record<string, string>;
  /** The raw response body, built from the secret and what the server received. */
  body: (secret: string, req: SeenRequest) => string;
  /** The API message the error must carry, exactly (after `: ` in the error message). */
  apiMessage: string | ((req: SeenRequest) => string);
  /** Check for partial leaks of this many characters too. */
  partial?: number;
}

const j = (s: string): string => JSON.stringify(s).slice(1, -1);
const asciiJson = (s: string): string =>
  j(s)
    .replaceAll("/", "\\/")
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
const filler = (n: number): string =>
  "The request could not be processed because the upstream validator rejected it. "
    .repeat(Math.ceil(n / 80))
    .slice(0, n);

/** The credential the hostile server saw: the Authorization header or X-API-Key. */
const credentialHeader = (req: SeenRequest): string =>
  req.headers.authorization !== undefined
    ? `Authorization: ${req.headers.authorization}`
    : `X-API-Key: ${String(req.headers["x-api-key"])}`;
const redactedHeader = (req: SeenRequest): string =>
  req.headers.authorization !== undefined
    ? "Authorization: Basic [redacted]"
    : "X-API-Key: [redacted]";

/** A long API key with characters that encode differently in every scheme (`~ / + = "`). */
export const HOSTILE_API_KEY = 'mK7~q/Zp+3=xR9vT2wLs8"bN4\\cD6fH1jQ';

/** The hostile bodies of issue 11 §5, one per shape; adapters run those of their roles. */
export const hostileCases: readonly HostileCase[] = [
  {
    name: "JSON-escaped (ensure_ascii, \\/) password inside a 422 errors map",
    role: "password",
    secret: 'S3cr"t\\pa/ss wörd😀',
    status: 422,
    body: (s) =>
      `{"errors":{"password":["\\"${asciiJson(s)}\\" is too common"],"name":["can't be blank"]}}`,
    apiMessage: '{"password":["\\"[redacted]\\" is too common"],"name":["can\'t be blank"]}',
  },
  {
    name: "JSON-escaped API key inside a 422 body",
    role: "apiKey",
    secret: HOSTILE_API_KEY,
    status: 422,
    body: (s) => `{"errors":[{"field":"credential","detail":"${j(s)} is not a valid key"}]}`,
    apiMessage: '[{"field":"credential","detail":"[redacted] is not a valid key"}]',
  },
  {
    name: "`error` is an object with a message, echoing the request",
    role: "password",
    secret: "Tr0ub4dor&3/x",
    status: 422,
    body: (s) =>
      `{"error":{"code":422,"message":"Validation failed","request":{"local_part":"zhangsan","password":"${asciiJson(s)}"}}}`,
    apiMessage: "Validation failed",
  },
  {
    name: "`error` is an object without a message",
    role: "apiKey",
    secret: HOSTILE_API_KEY,
    status: 400,
    body: (s) => `{"error":{"reason":"bad_key","given":["${j(s)}"],"api_key":"${j(s)}"}}`,
    apiMessage: '{"reason":"bad_key","given":["[redacted]"],"api_key":"[redacted]"}',
  },
  {
    name: "plain-text body longer than the cut-off with the key near the end",
    role: "apiKey",
    secret: "mgd_7Rk2Vx9LpQ4sW8nT3yH6jB1cF5dG0zA",
    status: 500,
    body: (s) => `${filler(262)} (credential ${s} rejected)${filler(200)}`,
    apiMessage: `${filler(262)} (credential [redacted] rejected)The r…`,
    partial: 6,
  },
  {
    name: "JSON `error` longer than the cut-off with the password near the end",
    role: "password",
    secret: "correct-horse-battery-staple-42",
    status: 422,
    body: (s) => JSON.stringify({ error: `${filler(290)}: password ${s} is in a breach list` }),
    apiMessage: `${filler(290)}: password…`,
    partial: 6,
  },
  ...(["7", "ab", "p@s"] as const).map((secret): HostileCase => ({
    name: `${cp(secret)}-character password echoed in the message and the body`,
    role: "password",
    secret,
    status: 422,
    body: (s) =>
      JSON.stringify({
        error: `Password "${s}" is too short (minimum is 8 characters)`,
        password: s,
      }),
    apiMessage: 'Password "[redacted]" is too short (minimum is 8 characters)',
  })),
  {
    name: "1-character password echoed in a plain-text body",
    role: "password",
    secret: "Q",
    status: 400,
    body: (s) =>
      `rejected mailbox {"local_part":"zhangsan","password":"${s}"}: password ${s} too short`,
    apiMessage:
      'rejected mailbox {"local_part":"zhangsan","password":"[redacted]"}: password [redacted] too short',
  },
  {
    name: "API key echoed URL-encoded (form and lower-case percent-encoding)",
    role: "apiKey",
    secret: HOSTILE_API_KEY,
    status: 404,
    body: (s) =>
      JSON.stringify({
        error: `no route /v1/keys/${new URLSearchParams({ k: s }).toString().slice(2)} or /v1/keys/${encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())}`,
      }),
    apiMessage: "no route /v1/keys/[redacted] or /v1/keys/[redacted]",
  },
  {
    name: "API key echoed base64-encoded",
    role: "apiKey",
    secret: HOSTILE_API_KEY,
    status: 403,
    body: (s) =>
      JSON.stringify({
        error: `credential ${Buffer.from(s).toString("base64")} (${Buffer.from(s).toString("base64url")}) is not active`,
      }),
    apiMessage: "credential [redacted] ([redacted]) is not active",
  },
  ...([401, 404, 409, 429, 500] as const).map((status): HostileCase => ({
    name: `credential header echoed (HTTP ${status})`,
    role: "apiKey",
    secret: HOSTILE_API_KEY,
    status,
    headers: status === 429 ? { "retry-after": "3600" } : undefined,
    body: (_s, req) => JSON.stringify({ error: `rejected ${credentialHeader(req)}` }),
    apiMessage: (req) => `rejected ${redactedHeader(req)}`,
  })),
];
