import axios, { type AxiosInstance } from "axios";
import type { z } from "zod";
import { MailProviderError, ProviderError } from "../errors";
import { requestBudget, type BudgetConfig, type TokenBucket } from "./budget";
import { apiErrorMessage, defaultApiMessage, errorForStatus, schemaIssues } from "./errors";
import { Redactor, basicAuthSecrets, secretsInBody } from "./redact";
import {
  backoffDelay,
  defaultRetryPolicy,
  parseRetryAfter,
  retryableNetworkCodes,
  sleep,
  type RetryPolicy,
} from "./retry";

/** HTTP methods the kit sends. */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Settings of one provider's HTTP client. Credentials live only inside the axios instance. */
export interface HttpClientConfig {
  /** Provider id used in errors and as the budget key prefix, e.g. `migadu`. */
  provider: string;
  /** API base URL, e.g. `https://api.migadu.com/v1`. */
  baseUrl: string;
  /** HTTP Basic credentials. */
  auth?: { username: string; password: string };
  /** Further secrets in play for every request (a token sent in a header of its own). */
  secrets?: readonly string[];
  /**
   * Per-request timeout in milliseconds.
   * @default 30000
   */
  timeoutMs?: number;
  /** Process-wide request budget for this provider and endpoint; none when absent. */
  budget?: BudgetConfig;
  /** Retry policy overrides. */
  retry?: Partial<RetryPolicy>;
  /** True when a non-429 response means "rate limited" (Migadu answers 403). */
  isRateLimited?: (status: number, body: unknown, text: string) => boolean;
  /** Extracts the API's own message from an error body (given the body already redacted). */
  apiMessage?: (body: unknown, text: string) => string | undefined;
  /**
   * The `Authorization` header of each attempt, read when the attempt is sent (a bearer token
   * that expires and is refreshed); the value is redacted from every error.
   */
  authorization?: () => Promise<string>;
  /** Further headers of every request (routing hints such as `X-AnchorMailbox`); no secrets. */
  headers?: Record<string, string>;
}

/** One request. `verify` makes a non-idempotent request safe to retry. */
export interface HttpRequest<T> {
  /** Operation name for errors, e.g. `createMailbox`. */
  operation: string;
  method: HttpMethod;
  /** Path below the base URL, segments already encoded. */
  path: string;
  body?: unknown;
  /** Validates the JSON response; a mismatch is a ProviderError. */
  schema?: z.ZodType<T>;
  /** Secrets of this request that its body does not show as such (a password sent hashed). */
  secrets?: readonly string[];
  /**
   * For POST/PATCH: called after an ambiguous failure (dropped connection, timeout, 5xx) before
   * retrying. Returns the created object when the first attempt did take effect (it is
   * adopted and no retry is sent), or undefined to retry.
   */
  verify?: () => Promise<T | undefined>;
}

/** What happened on the wire, without axios objects (they hold credentials). */
type Outcome =
  | { kind: "response"; status: number; headers: Record<string, string>; text: string }
  | { kind: "network"; code: string; message: string };

const idempotentMethods: ReadonlySet<HttpMethod> = new Set(["GET", "PUT", "DELETE"]);

/**
 * A provider's HTTP client: request budget, retries with jittered backoff honouring
 * Retry-After, timeouts, zod-validated responses and typed, credential-free errors.
 */
export class HttpClient {
  readonly provider: string;
  readonly baseUrl: string;
  private readonly http: AxiosInstance;
  private readonly budget: TokenBucket | undefined;
  private readonly policy: RetryPolicy;
  private readonly secrets: readonly string[];
  private readonly redactor: Redactor;
  private readonly isRateLimited: NonNullable<HttpClientConfig["isRateLimited"]>;
  private readonly apiMessage: NonNullable<HttpClientConfig["apiMessage"]>;
  private readonly authorization: HttpClientConfig["authorization"];

  constructor(config: HttpClientConfig) {
    this.provider = config.provider;
    this.baseUrl = config.baseUrl.replace(/\/+$/, "");
    this.policy = { ...defaultRetryPolicy, ...config.retry };
    this.budget = config.budget
      ? requestBudget(`${config.provider} ${this.baseUrl}`, config.budget)
      : undefined;
    this.isRateLimited = config.isRateLimited ?? (() => false);
    this.apiMessage = config.apiMessage ?? defaultApiMessage;
    this.authorization = config.authorization;
    this.secrets = [
      ...(config.auth ? basicAuthSecrets(config.auth.username, config.auth.password) : []),
      ...(config.secrets ?? []),
    ];
    this.redactor = new Redactor(this.secrets);
    this.http = axios.create({
      baseURL: this.baseUrl,
      timeout: config.timeoutMs ?? 30_000,
      auth: config.auth,
      headers: {
        ...config.headers,
        Accept: "application/json",
        "Content-Type": "application/json",
      },
      responseType: "text",
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      maxRedirects: 0,
      proxy: false,
    });
  }

  /** Sends the request, retrying as the policy allows; returns the validated body. */
  async request<T>(req: HttpRequest<T>): Promise<T> {
    const inBody = [...secretsInBody(req.body), ...(req.secrets ?? [])];
    let attempt = 0;
    for (;;) {
      if (this.budget) await this.budget.acquire();
      const authorization = this.authorization ? await this.authorization() : undefined;
      const extra = [
        ...inBody,
        ...(authorization ? [authorization, authorization.replace(/^\S+\s+/, "")] : []),
      ];
      const secrets =
        extra.length === 0 ? this.redactor : new Redactor([...this.secrets, ...extra]);
      const outcome = await this.send(req, authorization);
      if (outcome.kind === "response" && outcome.status >= 200 && outcome.status < 300) {
        return this.parse(req, outcome, secrets);
      }
      const { error, retryable, retryAfterMs } = this.classify(req, outcome, secrets);
      attempt += 1;
      if (!retryable || attempt >= this.policy.maxAttempts) throw error;
      const ambiguous = outcome.kind === "network" || outcome.status >= 500;
      if (ambiguous && !idempotentMethods.has(req.method)) {
        if (!req.verify) throw error;
        const existing = await req.verify();
        if (existing !== undefined) return existing;
      }
      if (retryAfterMs !== undefined) {
        if (retryAfterMs > this.policy.maxRetryAfterMs) throw error;
        this.budget?.pause(retryAfterMs);
        await sleep(retryAfterMs);
      } else {
        await sleep(backoffDelay(attempt - 1, this.policy));
      }
    }
  }

  private async send<T>(req: HttpRequest<T>, authorization?: string): Promise<Outcome> {
    try {
      const res = await this.http.request<string>({
        method: req.method,
        url: req.path,
        ...(authorization === undefined ? {} : { headers: { Authorization: authorization } }),
        data: req.body === undefined ? undefined : JSON.stringify(req.body),
      });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers as Record<string, unknown>)) {
        if (typeof v === "string") headers[k.toLowerCase()] = v;
      }
      return { kind: "response", status: res.status, headers, text: res.data ?? "" };
    } catch (e) {
      // Never keep the axios error: its config holds auth and headers.
      const err = e as { code?: unknown; message?: unknown };
      const code = typeof err.code === "string" ? err.code : "ENETWORK";
      const message = typeof err.message === "string" ? err.message : "network error";
      return { kind: "network", code, message };
    }
  }

  private classify<T>(
    req: HttpRequest<T>,
    outcome: Outcome,
    secrets: Redactor,
  ): { error: MailProviderError; retryable: boolean; retryAfterMs?: number } {
    const base = { provider: this.provider, operation: req.operation };
    if (outcome.kind === "network") {
      const apiMessage = secrets.text(
        `${outcome.message === outcome.code ? outcome.code : `${outcome.code}: ${outcome.message}`} (${req.method} ${this.redactPath(req.path)})`,
      );
      const retryable =
        retryableNetworkCodes.has(outcome.code) || /socket hang up/i.test(outcome.message);
      return { error: new ProviderError({ ...base, apiMessage }), retryable };
    }
    // The raw body only decides rate limiting; everything shown comes from the redacted one.
    const body = tryJson(outcome.text);
    const apiMessage = apiErrorMessage(outcome.text, secrets, this.apiMessage);
    const rateLimited =
      outcome.status === 429 || this.isRateLimited(outcome.status, body, outcome.text);
    const retryAfterMs = rateLimited ? parseRetryAfter(outcome.headers["retry-after"]) : undefined;
    const error = errorForStatus(
      outcome.status,
      { ...base, status: outcome.status, apiMessage, retryAfterMs },
      rateLimited,
    );
    const retryable = rateLimited || outcome.status >= 500;
    return { error, retryable, retryAfterMs };
  }

  private parse<T>(
    req: HttpRequest<T>,
    outcome: Extract<Outcome, { kind: "response" }>,
    secrets: Redactor,
  ): T {
    const base = { provider: this.provider, operation: req.operation, status: outcome.status };
    let body: unknown = undefined;
    if (outcome.text.trim() !== "") {
      body = tryJson(outcome.text);
      if (body === NOT_JSON) {
        throw new ProviderError({
          ...base,
          apiMessage: `response to ${req.method} ${this.redactPath(req.path)} is not JSON`,
        });
      }
    }
    if (!req.schema) return body as T;
    const result = req.schema.safeParse(body);
    if (result.success) return result.data;
    const issues = schemaIssues(result.error);
    throw new ProviderError({
      ...base,
      apiMessage: secrets.text(
        `unexpected response to ${req.method} ${this.redactPath(req.path)}: ${issues}`,
      ),
    });
  }

  private redactPath(path: string): string {
    return this.redactor.text(path);
  }
}

const NOT_JSON = Symbol("not json");

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}
