import {
  AuthError,
  ConflictError,
  MailProviderError,
  NotFoundError,
  ProviderError,
  RateLimitedError,
  type ProviderErrorDetails,
} from "../errors";

/** Replaces every occurrence of each secret (and its Basic-auth encodings) with `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    out = out.split(secret).join("[redacted]");
  }
  return out.replace(/(basic|bearer)\s+[A-Za-z0-9+/=._-]{8,}/gi, "$1 [redacted]");
}

/** Collects string values of body fields whose name suggests a secret (password, token, key). */
export function secretsInBody(body: unknown, found: string[] = []): string[] {
  if (body && typeof body === "object") {
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (typeof value === "string" && /pass|secret|token|key/i.test(key) && !/method/i.test(key)) {
        found.push(value);
      } else if (value && typeof value === "object") secretsInBody(value, found);
    }
  }
  return found;
}

/** Pulls a human message out of an API error body: `error`, `message`, `errors`, or the text. */
export function defaultApiMessage(body: unknown, text: string): string | undefined {
  if (body && typeof body === "object") {
    const o = body as Record<string, unknown>;
    for (const field of ["error", "message", "detail", "error_description"]) {
      if (typeof o[field] === "string" && o[field] !== "") return o[field];
    }
    if (o.errors !== undefined) return JSON.stringify(o.errors);
  }
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  return trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed;
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
