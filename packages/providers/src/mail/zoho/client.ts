import { createHash } from "node:crypto";
import { z } from "zod";
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
import { HttpClient, type HttpRequest } from "../../http/client";
import { cutText, Redactor } from "../../http/errors";
import type { RetryPolicy } from "../../http/retry";
import {
  zohoEnvelope,
  zohoGroupSchema,
  zohoTokenSchema,
  zohoUserSchema,
  type ZohoGroup,
  type ZohoUser,
} from "./schema";
import { defaultTokenCacheDir, readTokenFile, removeTokenFile, writeTokenFile } from "./token-file";

/** Zoho's data centres: the mail API host and the accounts (OAuth) host of each. */
export const ZOHO_DATA_CENTERS = {
  com: { api: "https://mail.zoho.com", accounts: "https://accounts.zoho.com" },
  eu: { api: "https://mail.zoho.eu", accounts: "https://accounts.zoho.eu" },
  in: { api: "https://mail.zoho.in", accounts: "https://accounts.zoho.in" },
  "com.au": { api: "https://mail.zoho.com.au", accounts: "https://accounts.zoho.com.au" },
  jp: { api: "https://mail.zoho.jp", accounts: "https://accounts.zoho.jp" },
  "com.cn": { api: "https://mail.zoho.com.cn", accounts: "https://accounts.zoho.com.cn" },
  ca: { api: "https://mail.zohocloud.ca", accounts: "https://accounts.zohocloud.ca" },
} as const;

/** A Zoho data centre id. */
export type ZohoDataCenterId = keyof typeof ZOHO_DATA_CENTERS;

/**
 * Default request budget. Zoho allows about 30 requests a minute and then locks the caller out
 * for a while. The bucket refills at 97 % of 0.45/s (26.2 a minute) with a burst of 1, so one
 * process sends at most 27 requests in any minute, and consecutive `pulumi` processes (each
 * starting with one request in hand) stay at or under 30 unless more than three start within
 * one minute.
 */
export const zohoDefaultBudget: BudgetConfig = { ratePerSecond: 0.45, burst: 1 };

/** Users per list page. Zoho documents `limit` (default 10) but no maximum; see `pages`. */
export const ZOHO_USERS_PAGE = 100;

const PROVIDER = "zoho";

/** Settings of the Zoho client. Credentials are read when a token is needed. */
export interface ZohoClientConfig {
  /** The organisation id (`zoid`). */
  organizationId: string;
  /** @default "com" */
  dataCenter?: ZohoDataCenterId;
  /** OAuth client id, client secret and refresh token, or functions reading them at call time. */
  clientId: string | (() => string);
  clientSecret: string | (() => string);
  refreshToken: string | (() => string);
  /** The mail API host (an emulator in tests). @default the data centre's */
  apiUrl?: string;
  /** The accounts (OAuth) host (an emulator in tests). @default the data centre's */
  accountsUrl?: string;
  /** @default zohoDefaultBudget */
  budget?: BudgetConfig;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /**
   * A token is renewed this long before it expires.
   * @default 300000 (5 minutes: one mint per 55 minutes, far below 10 per 10 minutes)
   */
  refreshBeforeExpiryMs?: number;
  /** @default ZOHO_USERS_PAGE */
  pageSize?: number;
  /**
   * Where access tokens are kept, encrypted, between processes (see `token-file.ts`); `false`
   * keeps them in this process only.
   * @default `$MAILPLANE_TOKEN_CACHE`, else `~/.cache/mailplane/tokens`
   */
  tokenCacheDir?: string | false;
}

const read = (v: string | (() => string)): string => (typeof v === "function" ? v() : v);

interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * Access tokens by refresh token, process-wide: every adapter of one refresh token shares one
 * token (a refresh token mints at most 10 access tokens in 10 minutes; then Zoho refuses it).
 */
const tokenCache = new Map<string, CachedToken>();
const pendingTokens = new Map<string, Promise<CachedToken>>();

/** Forgets every cached access token (tests and benchmarks). */
export function clearZohoTokenCache(): void {
  tokenCache.clear();
  pendingTokens.clear();
}

/**
 * Access tokens from Zoho Accounts (`grant_type=refresh_token`), cached for their lifetime less
 * `refreshBeforeExpiryMs`; concurrent callers share one request.
 */
export class ZohoTokenSource {
  /** Access tokens this source obtained (for tests and benchmarks). */
  mints = 0;
  readonly accountsUrl: string;
  private readonly margin: number;

  constructor(private readonly config: ZohoClientConfig) {
    const dc = ZOHO_DATA_CENTERS[config.dataCenter ?? "com"];
    this.accountsUrl = (config.accountsUrl ?? dc.accounts).replace(/\/+$/, "");
    this.margin = config.refreshBeforeExpiryMs ?? 300_000;
  }

  /** The three credentials, read now; an AuthError naming the empty ones (never a value). */
  credentials(): { clientId: string; clientSecret: string; refreshToken: string } {
    const c = {
      clientId: read(this.config.clientId),
      clientSecret: read(this.config.clientSecret),
      refreshToken: read(this.config.refreshToken),
    };
    const names = {
      clientId: "ZOHO_CLIENT_ID (mailplane:zohoClientId)",
      clientSecret: "ZOHO_CLIENT_SECRET (mailplane:zohoClientSecret)",
      refreshToken: "ZOHO_REFRESH_TOKEN (mailplane:zohoRefreshToken)",
    };
    const empty = (Object.keys(c) as (keyof typeof c)[]).filter(
      (k) => typeof c[k] !== "string" || c[k].trim() === "",
    );
    if (empty.length > 0) {
      throw new AuthError(
        { provider: PROVIDER, operation: "token" },
        `${PROVIDER} token: ${empty.map((k) => names[k]).join(", ")} ${empty.length > 1 ? "are" : "is"} empty; ` +
          `set them to the OAuth client of the Zoho API console and a refresh token with the ` +
          `ZohoMail.organization.accounts and .groups scopes (values not shown)`,
      );
    }
    return c;
  }

  private key(c: { clientId: string; refreshToken: string }): string {
    return createHash("sha256")
      .update(`${this.accountsUrl}\n${c.clientId}\n${c.refreshToken}`)
      .digest("hex");
  }

  private get dir(): string | undefined {
    const dir = this.config.tokenCacheDir ?? defaultTokenCacheDir();
    return dir === false ? undefined : dir;
  }

  /** Drops the cached token (in this process and on disk): the next request mints a new one. */
  forget(): void {
    const key = this.key(this.credentials());
    tokenCache.delete(key);
    if (this.dir !== undefined) removeTokenFile(this.dir, key);
  }

  /**
   * A valid access token: this process's, else the one another process stored (encrypted), else
   * a new one (one request for every caller, stored for the next process).
   */
  async token(): Promise<string> {
    const c = this.credentials();
    const key = this.key(c);
    const fresh = (t: CachedToken | undefined): t is CachedToken =>
      t !== undefined && t.expiresAt - Date.now() > this.margin;
    const cached = tokenCache.get(key);
    if (fresh(cached)) return cached.token;
    let pending = pendingTokens.get(key);
    if (!pending) {
      const dir = this.dir;
      const secrets = [c.clientSecret, c.refreshToken];
      pending = (async () => {
        const stored = dir === undefined ? undefined : readTokenFile(dir, key, secrets);
        if (fresh(stored)) return stored;
        const minted = await this.mint(c);
        if (dir !== undefined) writeTokenFile(dir, key, secrets, minted);
        return minted;
      })().finally(() => pendingTokens.delete(key));
      pendingTokens.set(key, pending);
    }
    const got = await pending;
    tokenCache.set(key, got);
    return got.token;
  }

  private async mint(c: ReturnType<ZohoTokenSource["credentials"]>): Promise<CachedToken> {
    const redactor = new Redactor([c.clientSecret, c.refreshToken]);
    const op = { provider: PROVIDER, operation: "token" };
    const form = new URLSearchParams({
      grant_type: "refresh_token",
      client_id: c.clientId,
      client_secret: c.clientSecret,
      refresh_token: c.refreshToken,
    });
    let status: number;
    let text: string;
    try {
      // The credentials go in the form body, never in the URL (Zoho accepts both).
      const res = await fetch(`${this.accountsUrl}/oauth/v2/token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body: form.toString(),
        redirect: "manual",
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 30_000),
      });
      status = res.status;
      text = await res.text();
    } catch (e) {
      const message = redactor.text(e instanceof Error ? e.message : String(e));
      throw new ProviderError(
        { ...op, apiMessage: message },
        `${PROVIDER} token: Zoho Accounts (${this.accountsUrl}) did not answer: ${message}`,
      );
    }
    this.mints += 1;
    let body: z.infer<typeof zohoTokenSchema> | undefined;
    try {
      body = zohoTokenSchema.parse(JSON.parse(text));
    } catch {
      body = undefined;
    }
    if (body?.access_token && status >= 200 && status < 300) {
      const lifetime = (body.expires_in ?? 3600) * 1000;
      return { token: body.access_token, expiresAt: Date.now() + lifetime };
    }
    const error = redactor.text(cutText(body?.error ?? `HTTP ${status}`, 200));
    if (/access denied/i.test(error)) {
      throw new RateLimitedError(
        { ...op, status, apiMessage: error },
        `${PROVIDER} token: Zoho Accounts refused a new access token (${error}): a refresh ` +
          `token may mint at most 10 access tokens in 10 minutes and is then blocked; wait ` +
          `10 minutes (Mailplane caches each token for its hour)`,
      );
    }
    throw new AuthError(
      { ...op, status, apiMessage: error },
      `${PROVIDER} token: Zoho Accounts refused the refresh token (${error}); check ` +
        `ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN and the data centre (values not shown)`,
    );
  }
}

/** The envelope's error as `CODE: moreInfo`, else its description; the token error otherwise. */
export function zohoApiMessage(body: unknown, text: string): string | undefined {
  const o = (body ?? {}) as {
    status?: { description?: unknown };
    data?: { errorCode?: unknown; moreInfo?: unknown };
    error?: unknown;
  };
  const code = typeof o.data?.errorCode === "string" ? o.data.errorCode : undefined;
  const info = typeof o.data?.moreInfo === "string" ? o.data.moreInfo : undefined;
  if (code !== undefined) return info ? `${code}: ${info}` : code;
  if (info !== undefined) return info;
  if (typeof o.status?.description === "string") return o.status.description;
  if (typeof o.error === "string") return o.error;
  const t = text.trim();
  return t === "" ? undefined : t;
}

/** The error code at the start of a Zoho message (`EMAIL_ALREADY_EXISTS: …`). */
export function zohoErrorCode(e: MailProviderError): string | undefined {
  return /^([A-Z][A-Z0-9_]+)(?::|$)/.exec(e.apiMessage ?? "")?.[1];
}

/**
 * The typed error for a Zoho answer: the envelope's `errorCode` decides where the HTTP status
 * does not (Zoho answers 400 for a duplicate address and for an expired token).
 */
export function zohoTypedError(e: MailProviderError): MailProviderError {
  const code = zohoErrorCode(e);
  if (code === undefined) return e;
  const details: ProviderErrorDetails = {
    provider: e.provider,
    operation: e.operation,
    status: e.status,
    apiMessage: e.apiMessage,
    retryAfterMs: e.retryAfterMs,
  };
  if (code === "INVALID_OAUTHTOKEN" || code === "OUTOFSCOPE" || code === "INVALID_ZOID") {
    return e instanceof AuthError ? e : new AuthError(details);
  }
  if (/ALREADY_EXISTS?$/.test(code))
    return e instanceof ConflictError ? e : new ConflictError(details);
  if (/_NOT_FOUND$|_NOT_EXISTS?$/.test(code)) {
    return e instanceof NotFoundError ? e : new NotFoundError(details);
  }
  if (/TOO_MANY|LIMIT_REACHED|THROTTL/.test(code)) {
    return e instanceof RateLimitedError ? e : new RateLimitedError(details);
  }
  return e;
}

const users = zohoEnvelope(z.array(zohoUserSchema));
const user = zohoEnvelope(zohoUserSchema);
const groups = zohoEnvelope(z.array(zohoGroupSchema));
const group = zohoEnvelope(zohoGroupSchema);
const done = zohoEnvelope(z.unknown());

/** Typed calls of the Zoho Mail organisation API; every call goes through the HTTP kit. */
export class ZohoClient {
  readonly tokens: ZohoTokenSource;
  readonly baseUrl: string;
  readonly organizationId: string;
  private readonly pageSize: number;
  private client: HttpClient | undefined;

  constructor(private readonly config: ZohoClientConfig) {
    if (!/^\d{1,20}$/.test(config.organizationId)) {
      throw new TypeError(
        `${PROVIDER}: organizationId must be the organisation's zoid (digits), got ${JSON.stringify(config.organizationId)}`,
      );
    }
    const dc = ZOHO_DATA_CENTERS[config.dataCenter ?? "com"];
    if (dc === undefined) {
      throw new TypeError(
        `${PROVIDER}: dataCenter ${JSON.stringify(config.dataCenter)} is not one of ${Object.keys(ZOHO_DATA_CENTERS).join(", ")}`,
      );
    }
    this.organizationId = config.organizationId;
    this.baseUrl = (config.apiUrl ?? dc.api).replace(/\/+$/, "");
    this.tokens = new ZohoTokenSource(config);
    this.pageSize = config.pageSize ?? ZOHO_USERS_PAGE;
  }

  /**
   * The HTTP kit's client, built at the first request (the credentials are read then and
   * redacted, like the access token, from every error). Its budget key is the organisation's
   * API base: every adapter of one organisation in this process shares it.
   */
  get http(): HttpClient {
    if (!this.client) {
      const c = this.tokens.credentials();
      this.client = new HttpClient({
        provider: PROVIDER,
        baseUrl: `${this.baseUrl}/api/organization/${this.organizationId}`,
        budget: this.config.budget ?? zohoDefaultBudget,
        timeoutMs: this.config.timeoutMs,
        retry: this.config.retry,
        apiMessage: zohoApiMessage,
        isRateLimited: (status, body) =>
          status === 429 ||
          /TOO_MANY|THROTTL/.test(
            String((body as { data?: { errorCode?: unknown } } | undefined)?.data?.errorCode ?? ""),
          ),
        secrets: [c.clientSecret, c.refreshToken],
        authorization: async () => `Zoho-oauthtoken ${await this.tokens.token()}`,
      });
    }
    return this.client;
  }

  /**
   * A request through the HTTP kit, its failure typed by the envelope's `errorCode`. An
   * `INVALID_OAUTHTOKEN` (a token revoked or expired early) drops the cached token and is sent
   * once more with a new one.
   */
  private async send<T>(req: HttpRequest<T>): Promise<T> {
    try {
      return await this.http.request(req);
    } catch (e) {
      if (!(e instanceof MailProviderError)) throw e;
      if (zohoErrorCode(e) !== "INVALID_OAUTHTOKEN") throw zohoTypedError(e);
      this.tokens.forget();
      try {
        return await this.http.request(req);
      } catch (again) {
        throw again instanceof MailProviderError ? zohoTypedError(again) : again;
      }
    }
  }

  /**
   * Every user of the organisation, `pageSize` per request, until an empty page: Zoho documents
   * no maximum `limit`, so a short page does not prove the end.
   */
  async listUsers(operation: string): Promise<ZohoUser[]> {
    const out: ZohoUser[] = [];
    for (let start = 0; ;) {
      const page = await this.send({
        operation,
        method: "GET",
        path: `/accounts?start=${start}&limit=${this.pageSize}`,
        schema: users,
      });
      if (page.data.length === 0) return out;
      out.push(...page.data);
      start += page.data.length;
    }
  }

  /** One user by address or zuid; undefined when Zoho has none. */
  async getUser(key: string, operation: string): Promise<ZohoUser | undefined> {
    try {
      const res = await this.send({
        operation,
        method: "GET",
        path: `/accounts/${encodeURIComponent(key)}`,
        schema: user,
      });
      return res.data;
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  /** Adds a user; `verify` adopts an add that took effect before its answer was lost. */
  async addUser(
    body: Record<string, unknown>,
    verify: () => Promise<ZohoUser | undefined>,
  ): Promise<ZohoUser> {
    const res = await this.send({
      operation: "createMailbox",
      method: "POST",
      path: "/accounts",
      body,
      schema: user,
      verify: async () => {
        const u = await verify();
        return u && { status: { code: 201 }, data: u };
      },
    });
    return res.data;
  }

  /**
   * A `mode` update of a user. `id` is what the mode's path wants: the zuid for the alias and
   * password modes, the accountId for enable/disable and the display name.
   */
  async updateUser(id: string, body: Record<string, unknown>, operation: string): Promise<void> {
    await this.send({
      operation,
      method: "PUT",
      path: `/accounts/${encodeURIComponent(id)}`,
      body,
      schema: done,
    });
  }

  /** Deletes users by zuid (`accountList`). */
  async deleteUsers(zuids: string[], operation: string): Promise<void> {
    await this.send({
      operation,
      method: "DELETE",
      path: "/accounts",
      body: { accountList: zuids.map(Number) },
      schema: done,
    });
  }

  /** Every group of the organisation (without members). */
  async listGroups(operation: string): Promise<ZohoGroup[]> {
    return (await this.send({ operation, method: "GET", path: "/groups", schema: groups })).data;
  }

  /** One group with its members; undefined when Zoho has none. */
  async getGroup(zgid: string, operation: string): Promise<ZohoGroup | undefined> {
    try {
      const res = await this.send({
        operation,
        method: "GET",
        path: `/groups/${encodeURIComponent(zgid)}`,
        schema: group,
      });
      return res.data;
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  /** Adds a group with its members; `verify` adopts an add whose answer was lost. */
  async addGroup(
    body: Record<string, unknown>,
    verify: () => Promise<ZohoGroup | undefined>,
  ): Promise<ZohoGroup> {
    const res = await this.send({
      operation: "createGroup",
      method: "POST",
      path: "/groups",
      body,
      schema: group,
      verify: async () => {
        const g = await verify();
        return g && { status: { code: 201 }, data: g };
      },
    });
    return res.data;
  }

  /** A `mode` update of a group (members added, removed, their roles changed). */
  async updateGroup(zgid: string, body: Record<string, unknown>, operation: string): Promise<void> {
    await this.send({
      operation,
      method: "PUT",
      path: `/groups/${encodeURIComponent(zgid)}`,
      body,
      schema: done,
    });
  }

  /** Deletes a group. */
  async deleteGroup(zgid: string, operation: string): Promise<void> {
    await this.send({
      operation,
      method: "DELETE",
      path: `/groups/${encodeURIComponent(zgid)}`,
      schema: done,
    });
  }
}
