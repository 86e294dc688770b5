import type { z } from "zod";
import {
  AuthError,
  ConflictError,
  MailProviderError,
  NotFoundError,
  ProviderError,
  RateLimitedError,
  type ProviderErrorDetails,
} from "../../errors";
import type { BudgetConfig } from "../../http/budget";
import { HttpClient } from "../../http/client";
import { apiErrorMessage, Redactor, schemaIssues, secretsInBody } from "../../http/errors";
import { backoffDelay, defaultRetryPolicy, sleep, type RetryPolicy } from "../../http/retry";
import { exmailEnvelopeSchema, exmailTokenSchema } from "./schema";

/** The documented base URL. */
export const EXMAIL_API_URL = "https://api.exmail.qq.com/cgi-bin";

/**
 * Default request budget. Exmail publishes no rate limit (UNCONFIRMED; WeCom, its sibling, allows
 * 10,000 calls per minute per corp and API): 20 requests a second (1,200 a minute) is our own
 * conservative choice, an eighth of WeCom's figure. Override with the binding's `budget`.
 */
export const exmailDefaultBudget: BudgetConfig = { ratePerSecond: 20, burst: 20 };

const PROVIDER = "tencentExmail";

/** Errcodes that mean the access token is no longer good: minted again, once. */
export const EXMAIL_TOKEN_ERRCODES: ReadonlySet<number> = new Set([40014, 42001]);
/** Errcodes retried with backoff: -1 system busy, 45009 frequency limit. */
const RETRY_ERRCODES: ReadonlySet<number> = new Set([-1, 45009]);

/**
 * The typed error of a non-zero errcode (WeCom's global return codes, which Exmail shares; only
 * 40001 and 42001 are confirmed for Exmail): credentials and tokens are Auth, a missing user,
 * group or department NotFound, an existing one Conflict, 45009 RateLimited, the rest
 * ProviderError. The message carries the errcode and the API's errmsg.
 */
export function exmailErrcodeError(
  errcode: number,
  details: Omit<ProviderErrorDetails, "status">,
): MailProviderError {
  const d = { ...details, status: 200 };
  if ([40001, 40013, 40014, 41001, 42001, 60011, 60020].includes(errcode)) return new AuthError(d);
  if ([60111, 60003].includes(errcode)) return new NotFoundError(d);
  if ([60102, 60008].includes(errcode)) return new ConflictError(d);
  if (errcode === 45009) return new RateLimitedError(d);
  return new ProviderError(d);
}

/** Settings of the Exmail client. The corp secret is read when a token is minted. */
export interface ExmailClientConfig {
  corpId: string;
  /** The corp secret of the 通讯录管理 (contacts) app, or a function reading it at call time. */
  corpSecret: string | (() => string);
  /** @default EXMAIL_API_URL */
  apiUrl?: string;
  /** @default exmailDefaultBudget */
  budget?: BudgetConfig;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /**
   * A token is minted again this long before its documented 7,200 s run out.
   * @default 300000 (5 minutes)
   */
  refreshBeforeExpiryMs?: number;
}

/** One call: a cgi-bin path, its query (without the token) and JSON body. */
export interface ExmailCall<T> {
  operation: string;
  method: "GET" | "POST";
  /** e.g. `/user/get`. */
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
  schema?: z.ZodType<T>;
  /**
   * For a create: after an ambiguous failure (dropped connection, 5xx, errcode -1), true when
   * the first attempt took effect; the call then answers `{errcode: 0}` without a retry.
   */
  verify?: () => Promise<boolean>;
}

/**
 * The Exmail API over the shared HTTP kit (budget, retries on 429/5xx/network, redaction),
 * adding what the kit cannot know: answers are HTTP 200 whose `errcode` decides success, the
 * access token travels in the query string (`?access_token=`), and it is cached for its 7,200 s
 * and minted again once when the API says it expired (40014, 42001).
 */
export class ExmailClient {
  /** Tokens minted (for tests and benchmarks). */
  tokenRequests = 0;
  readonly http: HttpClient;
  private cached: { token: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private readonly policy: RetryPolicy;
  private readonly margin: number;

  constructor(private readonly config: ExmailClientConfig) {
    this.policy = { ...defaultRetryPolicy, ...config.retry };
    this.margin = config.refreshBeforeExpiryMs ?? 300_000;
    this.http = new HttpClient({
      provider: PROVIDER,
      baseUrl: config.apiUrl ?? EXMAIL_API_URL,
      budget: config.budget ?? exmailDefaultBudget,
      ...(config.retry === undefined ? {} : { retry: config.retry }),
      ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
    });
  }

  private secret(): string {
    const s = this.config.corpSecret;
    return typeof s === "function" ? s() : s;
  }

  /** The cached token, or a new one; concurrent callers share one `gettoken`. */
  async token(): Promise<string> {
    if (this.cached && performance.now() < this.cached.expiresAt) return this.cached.token;
    if (!this.pending) {
      this.pending = this.mint().finally(() => (this.pending = undefined));
    }
    return this.pending;
  }

  /** Drops `token` when it is the cached one (the API said it is no longer good). */
  private invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async mint(): Promise<string> {
    const secret = this.secret();
    if (secret === "") {
      throw new AuthError(
        { provider: PROVIDER, operation: "gettoken" },
        `${PROVIDER} credentials: TENCENT_EXMAIL_CORP_SECRET (or mailplane:tencentExmailCorpSecret) is empty; set the corp secret of the contacts app (value not shown)`,
      );
    }
    const query = new URLSearchParams({ corpid: this.config.corpId, corpsecret: secret });
    const started = performance.now();
    const answer = await this.send(
      { operation: "gettoken", method: "GET", path: "/gettoken", schema: exmailTokenSchema },
      query,
      [secret],
    );
    this.tokenRequests += 1;
    const ttl = Math.max(0, answer.expires_in * 1000 - this.margin);
    this.cached = { token: answer.access_token, expiresAt: started + ttl };
    return answer.access_token;
  }

  /** Sends a call with the token; errcode ≠ 0 is an error, token errors mint once more. */
  async call<T>(call: ExmailCall<T>): Promise<T> {
    let reminted = false;
    for (;;) {
      const token = await this.token();
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(call.query ?? {})) query.set(k, String(v));
      query.set("access_token", token);
      try {
        // The secret too: an API that echoes what it was given may echo it in any answer.
        return await this.send(call, query, [token, this.secret()]);
      } catch (e) {
        const errcode = (e as { errcode?: unknown }).errcode;
        if (typeof errcode === "number" && EXMAIL_TOKEN_ERRCODES.has(errcode) && !reminted) {
          reminted = true;
          this.invalidate(token);
          continue;
        }
        throw e;
      }
    }
  }

  /** One call through the kit, retrying the errcodes that ask for it. */
  private async send<T>(
    call: ExmailCall<T>,
    query: URLSearchParams,
    secrets: readonly string[],
  ): Promise<T> {
    const path = `${call.path}?${query.toString()}`;
    const redactor = new Redactor([...secrets, ...secretsInBody(call.body)]);
    const verified = { errcode: 0, errmsg: "verified" };
    let attempt = 0;
    for (;;) {
      const raw = await this.http.request<unknown>({
        operation: call.operation,
        method: call.method,
        path,
        body: call.body,
        schema: exmailEnvelopeSchema,
        secrets,
        ...(call.verify
          ? { verify: async () => ((await call.verify!()) ? verified : undefined) }
          : {}),
      });
      const envelope = raw as { errcode: number; errmsg?: string };
      if (envelope.errcode === 0) {
        if (raw === verified || !call.schema) return raw as T;
        return this.parse(call, raw, redactor);
      }
      const apiMessage = apiErrorMessage(JSON.stringify(raw), redactor, (body) => {
        const b = body as { errcode?: unknown; errmsg?: unknown } | undefined;
        return `errcode ${String(b?.errcode)}: ${typeof b?.errmsg === "string" ? b.errmsg : ""}`;
      });
      const error = exmailErrcodeError(envelope.errcode, {
        provider: PROVIDER,
        operation: call.operation,
        ...(apiMessage === undefined ? {} : { apiMessage }),
      });
      Object.defineProperty(error, "errcode", { value: envelope.errcode, enumerable: true });
      attempt += 1;
      if (!RETRY_ERRCODES.has(envelope.errcode) || attempt >= this.policy.maxAttempts) throw error;
      if (envelope.errcode === -1 && call.verify && (await call.verify())) return verified as T;
      await sleep(backoffDelay(attempt - 1, this.policy));
    }
  }

  private parse<T>(call: ExmailCall<T>, raw: unknown, redactor: Redactor): T {
    const result = call.schema!.safeParse(raw);
    if (result.success) return result.data;
    const issues = schemaIssues(result.error);
    throw new ProviderError({
      provider: PROVIDER,
      operation: call.operation,
      status: 200,
      apiMessage: redactor.text(`unexpected response to ${call.method} ${call.path}: ${issues}`),
    });
  }
}
