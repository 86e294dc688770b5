/**
 * The generated-input model of the redaction contract, shared by the unit-tier property test
 * (redaction.property.test.ts) and the longer run (test/fuzz/redaction.ts): a random secret
 * (1–64 code points, any Unicode) and a random API key, embedded in a random error body in a
 * random echo form, through `apiErrorMessage` into a typed error.
 */
import fc from "fast-check";
import { ProviderError } from "../../src/errors";
import { apiErrorMessage, Redactor } from "../../src/http/errors";
import { findSecrets, SHORT_SECRET_MAX } from "../contract/redaction";

/** How a secret is written into the decoded value (before the body is serialized). */
const forms: Record<string, (s: string) => string> = {
  raw: (s) => s,
  uri: encodeURIComponent,
  uriLower: (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
  form: (s) => new URLSearchParams({ k: s }).toString().slice(2),
  base64: (s) => Buffer.from(s).toString("base64"),
  base64NoPad: (s) => Buffer.from(s).toString("base64").replace(/=+$/, ""),
  base64url: (s) => Buffer.from(s).toString("base64url"),
  jsonEscaped: (s) => JSON.stringify(s).slice(1, -1),
};

/** How a JSON body is serialized: as JSON.stringify does, ASCII-only (`\uXXXX`), with `\/`. */
const serializers: Record<string, (v: unknown) => string> = {
  standard: (v) => JSON.stringify(v),
  ascii: (v) =>
    JSON.stringify(v).replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    ),
  slashes: (v) => JSON.stringify(v).replaceAll("/", "\\/"),
};

/** Where the echo goes; `e` is the echoed form, `pre`/`post` random text around it. */
const places: Record<string, (e: string, pre: string, post: string) => unknown> = {
  errorString: (e, pre, post) => ({ error: `${pre} "${e}" ${post}` }),
  errorObject: (e, pre, post) => ({ error: { code: 1, detail: [pre, { echo: `${e} ${post}` }] } }),
  errorsMap: (e, pre, post) => ({ errors: { password: [`${pre} ${e} ${post}`] } }),
  credentialField: (e, pre) => ({ message: pre, request: { password: e } }),
  deepArray: (e, pre, post) => ({ message: [[[`${pre}`, [`${e}`]]], post] }),
  longError: (e, pre, post) => ({ error: `${"x ".repeat(140)}${pre} ${e} ${post}` }),
};
const textPlaces: Record<string, (e: string, pre: string, post: string) => string> = {
  text: (e, pre, post) => `${pre} ${e} ${post}`,
  longText: (e, pre, post) => `${"y ".repeat(135)}${pre} ${e} ${post}${"z ".repeat(100)}`,
  assigned: (e, pre, post) => `${pre} password=${e}&x=1 ${post}`,
  header: (e, pre) => `${pre} Authorization: Basic ${e}`,
};
/** Text quoting a JSON payload (serialized by the case's serializer). */
const jsonInText = (c: RedactionCase, e: string): string =>
  `${c.pre} upstream said ${serializers[c.serializer]!({ value: [e], note: c.post })} (HTTP 502)`;

/** One generated case. */
export interface RedactionCase {
  secret: string;
  apiKey: string;
  form: string;
  place: string;
  serializer: string;
  pre: string;
  post: string;
  status: number;
}

const anyText = (max: number) =>
  fc.oneof(
    fc.string({ unit: "binary", maxLength: max }),
    fc.string({ unit: "grapheme-ascii", maxLength: max }),
  );

/** The generator: any Unicode secret of 1–64 code points, an ASCII API key of 4–64. */
export const redactionCase: fc.Arbitrary<RedactionCase> = fc.record({
  secret: fc.oneof(
    fc.string({ unit: "binary", minLength: 1, maxLength: 64 }),
    fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 64 }),
  ),
  apiKey: fc.string({ unit: "grapheme-ascii", minLength: 4, maxLength: 64 }),
  form: fc.constantFrom(...Object.keys(forms)),
  place: fc.constantFrom(...Object.keys(places), ...Object.keys(textPlaces), "jsonInText"),
  serializer: fc.constantFrom(...Object.keys(serializers)),
  pre: anyText(40),
  post: anyText(40),
  status: fc.constantFrom(400, 401, 404, 409, 422, 429, 500),
});

/** The response body of a case: the secret echoed in its form, the key as a Basic token. */
export function bodyOf(c: RedactionCase): string {
  const echo = `${forms[c.form]!(c.secret)} ${Buffer.from(`ops@example.org:${c.apiKey}`).toString("base64")}`;
  if (c.place === "jsonInText") return jsonInText(c, echo);
  const textPlace = textPlaces[c.place];
  if (textPlace) return textPlace(echo, c.pre, c.post);
  return serializers[c.serializer]!(places[c.place]!(echo, c.pre, c.post));
}

/** The secrets of a case as the client holds them. */
export const secretsOf = (c: RedactionCase): string[] => [
  c.secret,
  c.apiKey,
  `ops@example.org:${c.apiKey}`,
];

const errorOf = (c: RedactionCase, apiMessage: string | undefined) =>
  new ProviderError({
    provider: "migadu",
    operation: "createMailbox",
    status: c.status,
    apiMessage,
  });

/**
 * True when the case can be judged: no secret already shows in an error built without the
 * body (a secret such as `migadu` or `(HTTP` is in our own text, `at` is in every stack, and a
 * one-character `"` stands as a word next to a marker in the error's JSON), and no secret is
 * part of the `[redacted]` marker. Short secrets are judged as words only.
 */
export function judgeable(c: RedactionCase): boolean {
  const secrets = secretsOf(c);
  if (secrets.some((s) => "[redacted]".includes(s) || s.includes("[redacted]"))) return false;
  return findSecrets(errorOf(c, "[redacted] x [redacted]"), secrets).length === 0;
}

/** The property: no secret of the case shows anywhere in the error. Returns the leaks. */
export function leaksOf(c: RedactionCase): string[] {
  const secrets = secretsOf(c);
  const redactor = new Redactor(secrets);
  const err = errorOf(c, apiErrorMessage(bodyOf(c), redactor));
  return findSecrets(err, secrets);
}

/** Short secrets (1–3 code points) are the case the policy treats differently. */
export const isShort = (c: RedactionCase): boolean => [...c.secret].length <= SHORT_SECRET_MAX;
