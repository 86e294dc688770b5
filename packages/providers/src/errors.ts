/** The kinds of failure an adapter reports; callers branch on `kind`, never on message text. */
export type ProviderErrorKind = "NotFound" | "Conflict" | "RateLimited" | "Auth" | "ProviderError";

/** What every adapter error carries. Never headers, tokens or passwords. */
export interface ProviderErrorDetails {
  /** Provider name, e.g. `migadu`. */
  provider: string;
  /** Operation, e.g. `createMailbox`. */
  operation: string;
  /** HTTP status when there was one. */
  status?: number;
  /** The API's own error message, scrubbed of credentials. */
  apiMessage?: string;
  /** For RateLimited: how long the provider asked us to wait, in milliseconds. */
  retryAfterMs?: number;
}

/** Base class of the typed adapter errors. */
export class MailProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly provider: string;
  readonly operation: string;
  readonly status?: number;
  readonly apiMessage?: string;
  readonly retryAfterMs?: number;

  constructor(kind: ProviderErrorKind, details: ProviderErrorDetails, message?: string) {
    const status = details.status === undefined ? "" : ` (HTTP ${details.status})`;
    const api = details.apiMessage ? `: ${details.apiMessage}` : "";
    super(message ?? `${details.provider} ${details.operation} failed: ${kind}${status}${api}`);
    this.name = kind === "ProviderError" ? kind : `${kind}Error`;
    this.kind = kind;
    this.provider = details.provider;
    this.operation = details.operation;
    this.status = details.status;
    this.apiMessage = details.apiMessage;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** The base of the typed errors of one kind: their constructor takes no kind. */
function errorOfKind(
  kind: ProviderErrorKind,
): new (details: ProviderErrorDetails, message?: string) => MailProviderError {
  return class extends MailProviderError {
    constructor(details: ProviderErrorDetails, message?: string) {
      super(kind, details, message);
    }
  };
}

/** The object does not exist at the provider. */
export class NotFoundError extends errorOfKind("NotFound") {}

/** The object exists already, or differs from what was asked. */
export class ConflictError extends errorOfKind("Conflict") {}

/** The provider asked us to slow down, and retries ran out. */
export class RateLimitedError extends errorOfKind("RateLimited") {}

/** Credentials are missing, wrong or lack permission. */
export class AuthError extends errorOfKind("Auth") {}

/** Any other provider failure (5xx after retries, invalid response, network). */
export class ProviderError extends errorOfKind("ProviderError") {}
