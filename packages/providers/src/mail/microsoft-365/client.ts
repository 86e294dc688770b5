import {
  ConfidentialClientApplication,
  type Configuration,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from "@azure/msal-node";
import type { z } from "zod";
import { AuthError, MailProviderError, ProviderError } from "../../errors";
import { HttpClient, type HttpRequest } from "../../http/client";
import type { BudgetConfig } from "../../http/budget";
import { apiErrorMessage, errorForStatus, Redactor } from "../../http/errors";
import { parseRetryAfter, sleep, type RetryPolicy } from "../../http/retry";
import {
  graphBatchSchema,
  graphDomainRecordSchema,
  graphDomainSchema,
  graphGroupSchema,
  graphMemberSchema,
  graphPageSchema,
  graphPolicySchema,
  graphUserSchema,
  type GraphBatchRequest,
  type GraphBatchResponse,
  type GraphDomainRecord,
  type GraphGroup,
  type GraphMember,
  type GraphUser,
} from "./schema";

/** Graph's documented base URL. */
export const GRAPH_API_URL = "https://graph.microsoft.com/v1.0";
/** The identity platform's authority host. */
export const MICROSOFT_AUTHORITY_URL = "https://login.microsoftonline.com";
/** The only scope of the client-credentials flow for Graph. */
export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

/**
 * Default request budget: Graph allows 3,000 writes per 150 s per app and tenant (20/s). The
 * budget refills at 97 % of 19.5/s: at most 20 + 150 × 18.9 ≈ 2,857 requests in any 150 s.
 */
export const graphDefaultBudget: BudgetConfig = { ratePerSecond: 19.5, burst: 20 };

/** At most 20 requests per `$batch` (Graph's documented limit). */
export const GRAPH_BATCH_LIMIT = 20;

const PROVIDER = "microsoft365";

/** The fields Mailplane reads of a user. */
export const USER_SELECT =
  "id,userPrincipalName,mailNickname,displayName,department,jobTitle,accountEnabled," +
  "usageLocation,mail,proxyAddresses,assignedLicenses";
const GROUP_SELECT = "id,displayName,mailNickname,mail,mailEnabled,securityEnabled,groupTypes";
const MEMBER_SELECT = "id,userPrincipalName,mail";

/** Settings of the Graph client. The client secret is read when a token is needed. */
export interface Microsoft365ClientConfig {
  tenantId: string;
  clientId: string;
  /** The client secret, or a function reading it at call time. Never logged or shown. */
  clientSecret: string | (() => string);
  /**
   * A certificate credential instead of the secret: the hex thumbprint of the certificate
   * uploaded to the app registration (SHA-256, 64 digits: a PS256 client assertion; SHA-1, 40
   * digits: RS256) and its PEM private key, or a function reading it at call time. Used when
   * the key is set; never logged or shown.
   */
  clientCertificate?: { thumbprint: string; privateKey: string | (() => string | undefined) };
  /** @default "https://graph.microsoft.com/v1.0" */
  apiUrl?: string;
  /**
   * The authority host; `http:` only for a loopback emulator (MSAL itself speaks https only:
   * the client then hands MSAL `https://<host>` and sends its requests over http).
   * @default "https://login.microsoftonline.com"
   */
  authorityUrl?: string;
  /** @default graphDefaultBudget */
  budget?: BudgetConfig;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /**
   * A token is renewed this long before it expires.
   * @default 300000 (5 minutes, as MSAL does)
   */
  refreshBeforeExpiryMs?: number;
  /**
   * Attempts of an inner request of a `$batch` that Graph answered 429 (or that `retryable`
   * marks, e.g. a member not replicated yet).
   * @default 5
   */
  batchAttempts?: number;
  /**
   * How long requests about an object just created are retried while Graph has not replicated
   * it (404, or 400 "… do not exist"), in milliseconds. The object is never created twice.
   * @default 30000
   */
  replicationWaitMs?: number;
}

/** Graph's answers while a fresh object has not replicated: 404, or 400 "… do not exist". */
export function isReplicationLag(e: unknown): boolean {
  return (
    e instanceof MailProviderError &&
    (e.status === 404 ||
      (e.status === 400 && /does not exist|do not exist/i.test(e.apiMessage ?? "")))
  );
}

/**
 * Runs `fn` again while `retryable` says its failure is transient (an object not replicated or
 * provisioned yet), for at most `waitMs` (250 ms doubling to 4 s); other failures are thrown.
 */
export async function retryWhile<T>(
  retryable: (e: unknown) => boolean,
  waitMs: number,
  fn: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 4_000)) {
    try {
      return await fn();
    } catch (e) {
      if (!retryable(e) || Date.now() + delay > deadline) throw e;
      await sleep(delay);
    }
  }
}

/**
 * The path below `baseUrl` of an `@odata.nextLink`, or undefined when there is none; a link
 * that leaves the base URL is a ProviderError (a page is never fetched from elsewhere).
 */
export function nextLinkPath(
  link: string | undefined,
  baseUrl: string,
  operation: string,
): string | undefined {
  if (link === undefined) return undefined;
  if (!link.startsWith(`${baseUrl}/`)) {
    throw new ProviderError({
      provider: PROVIDER,
      operation,
      apiMessage: `@odata.nextLink leaves the API base URL ${baseUrl}`,
    });
  }
  return link.slice(baseUrl.length);
}

/**
 * Runs `fn`; a 401 that `revoked` recognises (Graph's `InvalidAuthenticationToken`: a token
 * revoked or expired early) drops the cached token and runs it once more with a new one. A
 * second 401 stays an AuthError.
 */
export async function withFreshTokenOn401<T>(
  tokens: { forget(): void },
  fn: () => Promise<T>,
  revoked: (e: AuthError) => boolean = (e) => /InvalidAuthenticationToken/.test(e.apiMessage ?? ""),
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof AuthError) || e.status !== 401 || !revoked(e)) throw e;
    tokens.forget();
    return fn();
  }
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** An MSAL network module over fetch that sends `https://<host>` requests to `http://<host>`. */
function loopbackNetwork(host: string): INetworkModule {
  const rewrite = (url: string): string =>
    url.startsWith(`https://${host}/`) ? `http://${host}/${url.slice(host.length + 9)}` : url;
  const send = async <T>(
    method: "GET" | "POST",
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> => {
    const res = await fetch(rewrite(url), {
      method,
      headers: options?.headers,
      body: method === "POST" ? options?.body : undefined,
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    const text = await res.text();
    return { headers, body: (text === "" ? {} : JSON.parse(text)) as T, status: res.status };
  };
  return {
    sendGetRequestAsync: (url, options) => send("GET", url, options),
    sendPostRequestAsync: (url, options) => send("POST", url, options),
  };
}

/**
 * Client-credentials tokens from MSAL (`ConfidentialClientApplication`), cached here and renewed
 * `refreshBeforeExpiryMs` before they expire; concurrent callers share one token request.
 */
export class GraphTokenSource {
  /** Tokens obtained from the authority (for tests and benchmarks). */
  tokenRequests = 0;
  private app: ConfidentialClientApplication | undefined;
  private cached: { token: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private readonly margin: number;

  constructor(
    private readonly config: Microsoft365ClientConfig,
    /** The resource's `.default` scope: Graph's, or Exchange Online's for its admin route. */
    readonly scope: string = GRAPH_SCOPE,
  ) {
    this.margin = config.refreshBeforeExpiryMs ?? 300_000;
  }

  /** The certificate's private key, read now; undefined when none is configured or set. */
  private privateKey(): string | undefined {
    const cert = this.config.clientCertificate;
    if (cert === undefined) return undefined;
    const key = typeof cert.privateKey === "function" ? cert.privateKey() : cert.privateKey;
    return typeof key === "string" && key.trim() !== "" ? key : undefined;
  }

  /**
   * The credential in use, read now: the certificate's private key when one is configured and
   * set, else the client secret; an AuthError naming both when neither is.
   */
  secret(): string {
    const key = this.privateKey();
    if (key !== undefined) return key;
    const s =
      typeof this.config.clientSecret === "function"
        ? this.config.clientSecret()
        : this.config.clientSecret;
    if (typeof s !== "string" || s.trim() === "") {
      const cert = this.config.clientCertificate;
      throw new AuthError(
        { provider: PROVIDER, operation: "token" },
        cert === undefined
          ? `${PROVIDER} token: the client secret is empty; set MICROSOFT365_CLIENT_SECRET or ` +
              `mailplane:microsoft365ClientSecret (a secret of the app registration, value not shown)`
          : `${PROVIDER} token: no credential; set MICROSOFT365_CLIENT_CERTIFICATE_KEY or ` +
              `mailplane:microsoft365ClientCertificateKey (the PEM private key of certificate ` +
              `${cert.thumbprint}), or MICROSOFT365_CLIENT_SECRET (values not shown)`,
      );
    }
    return s;
  }

  private application(secret: string): ConfidentialClientApplication {
    if (this.app) return this.app;
    const base = new URL(this.config.authorityUrl ?? MICROSOFT_AUTHORITY_URL);
    const cert = this.config.clientCertificate;
    const thumbprint = cert?.thumbprint.replace(/:/g, "").toLowerCase();
    const auth: Configuration["auth"] = {
      clientId: this.config.clientId,
      // The certificate signs a client assertion (RFC 7523) that MSAL builds for each token.
      ...(cert !== undefined && secret === this.privateKey()
        ? {
            clientCertificate:
              thumbprint!.length === 64
                ? { thumbprintSha256: thumbprint!, privateKey: secret }
                : { thumbprint: thumbprint!, privateKey: secret },
          }
        : { clientSecret: secret }),
      authority: `https://${base.host}/${encodeURIComponent(this.config.tenantId)}`,
    };
    const configuration: Configuration = { auth };
    if (base.protocol === "http:") {
      if (!LOOPBACK.has(base.hostname)) {
        throw new AuthError(
          { provider: PROVIDER, operation: "token" },
          `${PROVIDER} token: authorityUrl ${JSON.stringify(base.origin)} is http; allowed: https, ` +
            `or http on 127.0.0.1/localhost (an emulator)`,
        );
      }
      // A custom authority is trusted as given: no instance discovery at Microsoft's hosts.
      auth.knownAuthorities = [base.host];
      // MSAL speaks https only: it is given https endpoints (no discovery request) and a network
      // module that sends them to the emulator over http.
      const root = `https://${base.host}/${encodeURIComponent(this.config.tenantId)}`;
      auth.authorityMetadata = JSON.stringify({
        token_endpoint: `${root}/oauth2/v2.0/token`,
        authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${root}/oauth2/v2.0/logout`,
        issuer: `${root}/v2.0`,
        jwks_uri: `${root}/discovery/v2.0/keys`,
      });
      configuration.system = { networkClient: loopbackNetwork(base.host) };
    } else if (base.host !== new URL(MICROSOFT_AUTHORITY_URL).host) {
      auth.knownAuthorities = [base.host];
    }
    this.app = new ConfidentialClientApplication(configuration);
    return this.app;
  }

  /** Drops the cached token: the next request gets a new one. */
  forget(): void {
    this.cached = undefined;
  }

  /** A valid access token (cached until `refreshBeforeExpiryMs` before its expiry). */
  async token(): Promise<string> {
    if (this.cached && this.cached.expiresAt - Date.now() > this.margin) return this.cached.token;
    this.pending ??= this.acquire().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async acquire(): Promise<string> {
    const secret = this.secret();
    const app = this.application(secret);
    this.tokenRequests += 1;
    let result;
    try {
      result = await app.acquireTokenByClientCredential({
        scopes: [this.scope],
        skipCache: true,
      });
    } catch (e) {
      const redactor = new Redactor([secret]);
      const raw = e instanceof Error ? `${e.message}` : String(e);
      throw new AuthError(
        { provider: PROVIDER, operation: "token", apiMessage: redactor.text(raw).slice(0, 300) },
        `${PROVIDER} token: the identity platform refused the client credentials of app ` +
          `${this.config.clientId} in tenant ${this.config.tenantId}: ${redactor.text(raw).slice(0, 300)}`,
      );
    }
    if (!result?.accessToken || !result.expiresOn) {
      throw new AuthError(
        { provider: PROVIDER, operation: "token" },
        `${PROVIDER} token: the identity platform answered without an access token`,
      );
    }
    this.cached = { token: result.accessToken, expiresAt: result.expiresOn.getTime() };
    return result.accessToken;
  }
}

/** Graph's message with its code: `Request_ResourceNotFound: Resource 'x' does not exist…`. */
export function graphApiMessage(body: unknown, text: string): string | undefined {
  const e = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (e && typeof e === "object" && typeof e.message === "string") {
    return typeof e.code === "string" ? `${e.code}: ${e.message}` : e.message;
  }
  const t = text.trim();
  return t === "" ? undefined : t;
}

/** Typed calls of Microsoft Graph v1.0; every call goes through the HTTP kit. */
export class Microsoft365Client {
  readonly tokens: GraphTokenSource;
  readonly baseUrl: string;
  private readonly batchAttempts: number;
  private client: HttpClient | undefined;

  constructor(private readonly config: Microsoft365ClientConfig) {
    this.baseUrl = (config.apiUrl ?? GRAPH_API_URL).replace(/\/+$/, "");
    this.tokens = new GraphTokenSource(config);
    this.batchAttempts = config.batchAttempts ?? 5;
  }

  /**
   * The HTTP kit's client, built at the first request: the client secret is read then (at call
   * time) and redacted, like the bearer token, from every error.
   */
  get http(): HttpClient {
    this.client ??= new HttpClient({
      provider: PROVIDER,
      baseUrl: this.baseUrl,
      budget: this.config.budget ?? graphDefaultBudget,
      timeoutMs: this.config.timeoutMs,
      retry: this.config.retry,
      apiMessage: graphApiMessage,
      secrets: [this.tokens.secret()],
      authorization: async () => `Bearer ${await this.tokens.token()}`,
    });
    return this.client;
  }

  /**
   * A request through the HTTP kit. A 401 `InvalidAuthenticationToken` (a token revoked or
   * expired early) drops the cached token and is sent once more with a new one.
   */
  private send<T>(req: HttpRequest<T>): Promise<T> {
    return withFreshTokenOn401(this.tokens, () => this.http.request(req));
  }

  /**
   * Runs `fn`, retrying while Graph answers as for an object not replicated yet (see
   * {@link isReplicationLag}), for at most `replicationWaitMs` (250 ms doubling to 4 s).
   */
  afterCreate<T>(fn: () => Promise<T>): Promise<T> {
    return retryWhile(isReplicationLag, this.config.replicationWaitMs ?? 30_000, fn);
  }

  /** Every item of a paged collection, following `@odata.nextLink`. */
  async pages<T>(operation: string, path: string, item: z.ZodType<T>): Promise<T[]> {
    const out: T[] = [];
    let next: string | undefined = path;
    const schema = graphPageSchema(item);
    while (next !== undefined) {
      const page: z.infer<typeof schema> = await this.send({
        operation,
        method: "GET",
        path: next,
        schema,
      });
      out.push(...(page.value as T[]));
      next = nextLinkPath(page["@odata.nextLink"], this.baseUrl, operation);
    }
    return out;
  }

  /** Every user of the tenant, 999 per page. */
  listUsers(operation = "listUsers"): Promise<GraphUser[]> {
    return this.pages(operation, `/users?$top=999&$select=${USER_SELECT}`, graphUserSchema);
  }

  /** One user by id or userPrincipalName; NotFoundError when absent. */
  getUser(idOrUpn: string, operation = "getUser"): Promise<GraphUser> {
    return this.send({
      operation,
      method: "GET",
      path: `/users/${encodeURIComponent(idOrUpn)}?$select=${USER_SELECT}`,
      schema: graphUserSchema,
    });
  }

  /** Creates a user; `verify` adopts a create that took effect before the answer was lost. */
  createUser(
    body: Record<string, unknown>,
    verify: () => Promise<GraphUser | undefined>,
  ): Promise<GraphUser> {
    return this.send({
      operation: "createMailbox",
      method: "POST",
      path: "/users",
      body,
      schema: graphUserSchema,
      verify,
    });
  }

  /** Updates the given fields of a user (204). */
  async updateUser(
    idOrUpn: string,
    body: Record<string, unknown>,
    operation: string,
  ): Promise<void> {
    await this.send({
      operation,
      method: "PATCH",
      path: `/users/${encodeURIComponent(idOrUpn)}`,
      body,
    });
  }

  /** Deletes a user (soft: restorable for 30 days). */
  async deleteUser(idOrUpn: string): Promise<void> {
    await this.send({
      operation: "deleteMailbox",
      method: "DELETE",
      path: `/users/${encodeURIComponent(idOrUpn)}`,
    });
  }

  /** Adds and removes licences; the user must have a usageLocation first. */
  assignLicense(
    id: string,
    add: string[],
    remove: string[],
    operation: string,
  ): Promise<GraphUser> {
    return this.send({
      operation,
      method: "POST",
      path: `/users/${encodeURIComponent(id)}/assignLicense`,
      body: {
        addLicenses: add.map((skuId) => ({ skuId, disabledPlans: [] })),
        removeLicenses: remove,
      },
      schema: graphUserSchema,
      // Assigning the same licences twice is harmless: the POST may be resent.
      verify: async () => undefined,
    });
  }

  /** Every group of the tenant, 999 per page. */
  listGroups(operation = "listGroups"): Promise<GraphGroup[]> {
    return this.pages(operation, `/groups?$top=999&$select=${GROUP_SELECT}`, graphGroupSchema);
  }

  /** The groups whose primary address is `address` (0 or 1). */
  findGroupsByMail(address: string, operation: string): Promise<GraphGroup[]> {
    const filter = encodeURIComponent(`mail eq '${address.replace(/'/g, "''")}'`);
    return this.pages(
      operation,
      `/groups?$filter=${filter}&$select=${GROUP_SELECT}`,
      graphGroupSchema,
    );
  }

  /** Creates a group; `verify` adopts a create that took effect before the answer was lost. */
  createGroup(
    body: Record<string, unknown>,
    verify: () => Promise<GraphGroup | undefined>,
  ): Promise<GraphGroup> {
    return this.send({
      operation: "createGroup",
      method: "POST",
      path: "/groups",
      body,
      schema: graphGroupSchema,
      verify,
    });
  }

  /** Updates the given fields of a group (204). */
  async updateGroup(id: string, body: Record<string, unknown>): Promise<void> {
    await this.send({
      operation: "updateGroup",
      method: "PATCH",
      path: `/groups/${encodeURIComponent(id)}`,
      body,
    });
  }

  /** Deletes a group. */
  async deleteGroup(id: string): Promise<void> {
    await this.send({
      operation: "deleteGroup",
      method: "DELETE",
      path: `/groups/${encodeURIComponent(id)}`,
    });
  }

  /** One group by id; NotFoundError when absent. */
  getGroup(id: string, operation: string): Promise<GraphGroup> {
    return this.send({
      operation,
      method: "GET",
      path: `/groups/${encodeURIComponent(id)}?$select=${GROUP_SELECT}`,
      schema: graphGroupSchema,
    });
  }

  /** The groups whose `mailNickname` is `nickname`. */
  findGroupsByNickname(nickname: string, operation: string): Promise<GraphGroup[]> {
    const filter = encodeURIComponent(`mailNickname eq '${nickname.replace(/'/g, "''")}'`);
    return this.pages(
      operation,
      `/groups?$filter=${filter}&$select=${GROUP_SELECT}`,
      graphGroupSchema,
    );
  }

  /**
   * Adds a directory object to a group (`members/$ref`); "already exist" is success. Retried
   * while Graph has not replicated a fresh user or group.
   */
  async addMember(groupId: string, objectId: string, operation: string): Promise<void> {
    try {
      await this.afterCreate(() =>
        this.send({
          operation,
          method: "POST",
          path: `/groups/${encodeURIComponent(groupId)}/members/$ref`,
          body: { "@odata.id": `https://graph.microsoft.com/v1.0/directoryObjects/${objectId}` },
          verify: async () => undefined,
        }),
      );
    } catch (e) {
      if (
        e instanceof MailProviderError &&
        e.status === 400 &&
        /already exist/i.test(e.apiMessage ?? "")
      ) {
        return;
      }
      throw e;
    }
  }

  /** Removes a member from a group; one that is not a member is not an error. */
  async removeMember(groupId: string, objectId: string, operation: string): Promise<void> {
    try {
      await this.send({
        operation,
        method: "DELETE",
        path: `/groups/${encodeURIComponent(groupId)}/members/${encodeURIComponent(objectId)}/$ref`,
      });
    } catch (e) {
      if (e instanceof MailProviderError && e.status === 404) return;
      throw e;
    }
  }

  /** The Conditional Access policies named `displayName` (Policy.Read.All). */
  findPolicies(displayName: string, operation: string): Promise<{ id: string }[]> {
    const filter = encodeURIComponent(`displayName eq '${displayName.replace(/'/g, "''")}'`);
    return this.pages(
      operation,
      `/identity/conditionalAccess/policies?$filter=${filter}`,
      graphPolicySchema,
    );
  }

  /** Creates a Conditional Access policy (Policy.ReadWrite.ConditionalAccess). */
  createPolicy(body: Record<string, unknown>, operation: string): Promise<{ id: string }> {
    return this.send({
      operation,
      method: "POST",
      path: "/identity/conditionalAccess/policies",
      body,
      schema: graphPolicySchema,
    });
  }

  /** Every member of a group, 999 per page. */
  listMembers(groupId: string, operation: string): Promise<GraphMember[]> {
    return this.pages(
      operation,
      `/groups/${encodeURIComponent(groupId)}/members?$top=999&$select=${MEMBER_SELECT}`,
      graphMemberSchema,
    );
  }

  /** The tenant's default domain (`isDefault`): Microsoft 365 groups get their address there. */
  async defaultDomain(operation: string): Promise<string | undefined> {
    const domains = await this.pages(operation, "/domains", graphDomainSchema);
    return domains.find((x) => x.isDefault === true)?.id.toLowerCase();
  }

  /** The records Microsoft asks the domain to publish (`serviceConfigurationRecords`). */
  serviceConfigurationRecords(domain: string): Promise<GraphDomainRecord[]> {
    return this.pages(
      "dnsRecords",
      `/domains/${encodeURIComponent(domain)}/serviceConfigurationRecords`,
      graphDomainRecordSchema,
    );
  }

  /** The records that prove the domain is the tenant's (`verificationDnsRecords`). */
  verificationDnsRecords(domain: string): Promise<GraphDomainRecord[]> {
    return this.pages(
      "dnsRecords",
      `/domains/${encodeURIComponent(domain)}/verificationDnsRecords`,
      graphDomainRecordSchema,
    );
  }

  /**
   * Sends `requests` through `POST /$batch`, 20 per batch. An inner 429 is sent again on its
   * own (with the others Graph throttled), after the longest `Retry-After` of the batch, at
   * most `batchAttempts` times. Returns each request's final response by id; `accept` decides
   * which other statuses are success (e.g. "already a member"), the rest throw a typed error.
   */
  async batch(
    operation: string,
    requests: GraphBatchRequest[],
    accept: (r: GraphBatchResponse) => boolean = () => false,
    retryable: (r: GraphBatchResponse) => boolean = () => false,
  ): Promise<Map<string, GraphBatchResponse>> {
    const done = new Map<string, GraphBatchResponse>();
    let todo = requests;
    for (let attempt = 1; todo.length > 0; attempt++) {
      const backoff = Math.min(250 * 2 ** (attempt - 1), 4_000);
      const throttled: GraphBatchRequest[] = [];
      let waitMs = 0;
      for (let i = 0; i < todo.length; i += GRAPH_BATCH_LIMIT) {
        const chunk = todo.slice(i, i + GRAPH_BATCH_LIMIT);
        const res = await this.send({
          operation,
          method: "POST",
          path: "/$batch",
          body: { requests: chunk },
          schema: graphBatchSchema,
          // Member changes are idempotent under `accept`: a resent batch changes nothing twice.
          verify: async () => undefined,
        });
        for (const r of res.responses) {
          if (r.status === 429) {
            throttled.push(chunk.find((c) => c.id === r.id)!);
            const header = Object.entries(r.headers ?? {}).find(
              ([k]) => k.toLowerCase() === "retry-after",
            )?.[1];
            waitMs = Math.max(waitMs, parseRetryAfter(header) ?? 1000);
          } else if (retryable(r) && attempt < this.batchAttempts) {
            throttled.push(chunk.find((c) => c.id === r.id)!);
            waitMs = Math.max(waitMs, backoff);
          } else {
            done.set(r.id, r);
          }
        }
      }
      for (const r of done.values()) {
        if ((r.status < 200 || r.status >= 300) && !accept(r)) throw this.innerError(operation, r);
      }
      if (throttled.length === 0) break;
      if (attempt >= this.batchAttempts) {
        throw this.innerError(operation, {
          id: throttled[0]!.id,
          status: 429,
          body: {},
          headers: { "Retry-After": String(Math.ceil(waitMs / 1000)) },
        });
      }
      await sleep(waitMs);
      todo = throttled;
    }
    return done;
  }

  private innerError(operation: string, r: GraphBatchResponse): MailProviderError {
    const text = r.body === undefined ? "" : JSON.stringify(r.body);
    const apiMessage = apiErrorMessage(text, new Redactor([]), graphApiMessage);
    const retryAfter = Object.entries(r.headers ?? {}).find(
      ([k]) => k.toLowerCase() === "retry-after",
    )?.[1];
    return errorForStatus(
      r.status,
      {
        provider: PROVIDER,
        operation,
        status: r.status,
        apiMessage,
        retryAfterMs: r.status === 429 ? parseRetryAfter(retryAfter) : undefined,
      },
      r.status === 429,
    );
  }
}
