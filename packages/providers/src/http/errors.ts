import {
  AuthError,
  ConflictError,
  MailProviderError,
  NotFoundError,
  ProviderError,
  RateLimitedError,
  type ProviderErrorDetails,
} from "../errors";
import type { z } from "zod";
import { cutText, type Redactor } from "./redact";

export * from "./redact";

/** The longest API message an error carries, in code points (cut after redaction). */
export const API_MESSAGE_MAX = 300;

const MESSAGE_FIELDS = ["error", "message", "detail", "error_description", "description"];

/**
 * Pulls a human message out of an (already redacted) API error body: the first non-empty
 * string of `error`, `message`, `detail`, `error_description`, `description`; an `error`
 * object's own `message`/`detail`/`description`, or the object as JSON; `errors` as JSON; any
 * other JSON body as JSON; otherwise the text.
 */
export function defaultApiMessage(body: unknown, text: string): string | undefined {
  if (body && typeof body === "object" && !Array.isArray(body)) {
    const o = body as Record<string, unknown>;
    for (const field of MESSAGE_FIELDS) {
      if (typeof o[field] === "string" && o[field] !== "") return o[field];
    }
    if (o.error && typeof o.error === "object") {
      const e = o.error as Record<string, unknown>;
      for (const field of ["message", "detail", "description"]) {
        if (typeof e[field] === "string" && e[field] !== "") return e[field];
      }
      return JSON.stringify(o.error);
    }
    if (o.errors !== undefined) return JSON.stringify(o.errors);
    return JSON.stringify(body);
  }
  if (Array.isArray(body)) return JSON.stringify(body);
  if (typeof body === "string" && body.trim() !== "") return body.trim();
  const trimmed = text.trim();
  return trimmed === "" ? undefined : trimmed;
}

/**
 * The API's message for an error response, with no secret in it: the body is decoded and
 * redacted (structure and text, every secret form, see `Redactor`), the message is taken from
 * the redacted body by `extract`, redacted once more (an extractor may rebuild text), and only
 * then cut to `API_MESSAGE_MAX` code points.
 */
export function apiErrorMessage(
  text: string,
  redactor: Redactor,
  extract: (body: unknown, text: string) => string | undefined = defaultApiMessage,
): string | undefined {
  let body: unknown = undefined;
  if (text.trim() !== "") {
    try {
      body = redactor.value(JSON.parse(text) as unknown);
    } catch {
      body = undefined;
    }
  }
  const raw = extract(body, redactor.text(text));
  if (raw === undefined) return undefined;
  const message = redactor.text(raw).trim();
  return message === "" ? undefined : cutText(message, API_MESSAGE_MAX);
}

/** The first five issues of a response that failed its schema, `path: message; …`. */
export function schemaIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}

/** Maps an HTTP status to the typed error class. `rateLimited` forces RateLimited (e.g. Migadu's 403). */
export function errorForStatus(
  status: number,
  details: ProviderErrorDetails,
  rateLimited: boolean,
): MailProviderError {
  if (rateLimited || status === 429) return new RateLimitedError(details);
  if (status === 401 || status === 403) return new AuthError(details);
  if (status === 404) return new NotFoundError(details);
  if (status === 409) return new ConflictError(details);
  return new ProviderError(details);
}
