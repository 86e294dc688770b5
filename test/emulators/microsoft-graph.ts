import { X509Certificate, constants, createHash, randomUUID, verify } from "node:crypto";
import { ExchangeAdminEmulator, type DirectoryGroup, type DirectoryUser } from "./exchange-admin";
import { Emulator, type EmulatorRequest, type EmulatorResponse } from "./framework";

/**
 * Microsoft Graph v1.0 emulator with its identity-platform token endpoint, in memory, written
 * from Microsoft's documentation (../shared/facts/providers.md §2), not from the adapter:
 *
 * - `POST /{tenant}/oauth2/v2.0/token` (client credentials with a client secret, or a client
 *   assertion JWT signed by the registered certificate, RS256/x5t or PS256/x5t#S256): a bearer
 *   token with `expires_in`; Graph answers 401 `InvalidAuthenticationToken` to a missing, unknown
 *   or expired token. `GET /{tenant}/v2.0/.well-known/openid-configuration` for MSAL.
 * - `/v1.0/users` (POST, GET paged by `$top` and `@odata.nextLink`, GET/PATCH/DELETE by id or
 *   userPrincipalName), `POST /users/{id}/assignLicense` (refused without `usageLocation`). A
 *   user has a mailbox (`mail`, `proxyAddresses`) only once a licence that includes Exchange is
 *   assigned. `proxyAddresses` is read-only. DELETE is a soft delete (restorable 30 days).
 * - `/v1.0/groups` (Microsoft 365 groups: `groupTypes: ["Unified"]`), `members/$ref` add and
 *   remove, paged `members`.
 * - `POST /v1.0/$batch`: at most 20 requests, each answered with its own status; throttling can
 *   be injected inside a batch (`throttleInBatch`), the batch itself answering 200.
 * - Errors as Graph sends them: `{ error: { code, message, innerError } }`.
 * - Exchange Online's `POST /adminapi/beta/{tenant}/InvokeCommand` (a subset, see
 *   exchange-admin.ts) over the same users, with tokens for `https://outlook.office365.com`.
 * - Security groups (`securityEnabled: true`, `mailEnabled: false`, no `groupTypes`) with
 *   members, and `/identity/conditionalAccess/policies` (POST, GET list with a `displayName`
 *   filter, GET by id): the fields conditionalAccessPolicy requires (displayName, state,
 *   conditions with applications and users, grantControls).
 */

/** A Graph user as `GET /users/{id}` returns it (no password). */
export interface GraphUser {
  id: string;
  userPrincipalName: string;
  mailNickname: string;
  displayName: string;
  department: string | null;
  jobTitle: string | null;
  accountEnabled: boolean;
  usageLocation: string | null;
  mail: string | null;
  proxyAddresses: string[];
  assignedLicenses: { skuId: string; disabledPlans: string[] }[];
}

/** A Microsoft 365 group. */
export interface GraphGroup {
  id: string;
  displayName: string;
  mailNickname: string;
  /** Null for a security group (not mail-enabled). */
  mail: string | null;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
  proxyAddresses: string[];
  description: string | null;
}

/** A licence (subscribed SKU) of the tenant. */
export interface GraphSku {
  skuId: string;
  skuPartNumber: string;
  /** True when the SKU includes Exchange Online (a mailbox). */
  exchange: boolean;
}

/** Options of the Graph emulator. */
export interface GraphEmulatorOptions {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** Verified domains; the first is the default for group addresses. */
  domains?: string[];
  /** Subscribed SKUs. Default: one with Exchange (O365 E3), one without (Power BI Pro). */
  skus?: GraphSku[];
  /** `expires_in` of issued tokens, in seconds. @default 3599 */
  tokenLifetimeSeconds?: number;
  /** The most items one page holds whatever `$top` asks (Graph may return fewer). @default 999 */
  maxPageSize?: number;
  /**
   * Replication lag: a user or group created through the API is not found by the next this many
   * requests that name it (404 Request_ResourceNotFound; adding members to or with it answers
   * 400 "… do not exist"), as Graph answers right after a create. @default 0
   */
  replicationLag?: number;
  /**
   * Exchange provisioning lag: a mailbox just provisioned is not found by this many cmdlets of
   * the InvokeCommand route that name it. @default 0
   */
  exchangeMailboxLag?: number;
  /** A PEM certificate registered on the app: client assertions signed with its key pass. */
  clientCertificate?: string;
}

/** Office 365 E3 (includes Exchange Online). */
export const SKU_E3 = "6fd2c87f-b296-42f0-b197-1e91e994b900";
/** Power BI Pro (no Exchange). */
export const SKU_POWER_BI_PRO = "f8a1db68-be16-40ed-86d5-cb42ce701560";

const GRAPH = "https://graph.microsoft.com/v1.0";
const GRAPH_SCOPE = "https://graph.microsoft.com/.default";
const EXCHANGE_SCOPE = "https://outlook.office365.com/.default";
const UPN_LOCAL = /^[A-Za-z0-9'.\-_!#^~]+$/;

interface StoredUser extends GraphUser {
  password: string;
  forceChangePasswordNextSignIn: boolean;
  deletedAt?: number;
}

interface StoredGroup extends GraphGroup {
  members: string[];
  deletedAt?: number;
}

interface InnerRoute {
  method: string;
  regex: RegExp;
  names: string[];
  handler: (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>;
}

/** Graph's error body. */
export function graphError(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): EmulatorResponse {
  return {
    status,
    body: {
      error: {
        code,
        message,
        ...extra,
        innerError: { date: new Date().toISOString(), "request-id": randomUUID() },
      },
    },
  };
}

const notFound = (id: string): EmulatorResponse =>
  graphError(
    404,
    "Request_ResourceNotFound",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );

const conflict = (property: string): EmulatorResponse =>
  graphError(
    400,
    "Request_BadRequest",
    `Another object with the same value for property ${property} already exists.`,
    { details: [{ target: property, code: "ObjectConflict" }] },
  );

const badRequest = (message: string): EmulatorResponse =>
  graphError(400, "Request_BadRequest", message);

/** The Microsoft Graph emulator with a direct test API over its in-memory state. */
export class GraphEmulator extends Emulator {
  readonly tenantId: string;
  readonly clientId: string;
  clientSecret: string;
  readonly domains: string[];
  readonly skus: GraphSku[];
  tokenLifetimeSeconds: number;
  maxPageSize: number;
  /** Tokens issued, by value, with their expiry (epoch ms). */
  readonly tokens = new Map<string, number>();
  /** The resource each issued token is for. */
  readonly tokenAudience = new Map<string, "graph" | "exchange">();
  /** Exchange Online's InvokeCommand route over the same users. */
  readonly exchange: ExchangeAdminEmulator;
  /** The certificate registered on the app (its public key verifies client assertions). */
  certificate: X509Certificate | undefined;
  /** The JOSE headers of the client assertions received, in order. */
  readonly assertionHeaders: Record<string, unknown>[] = [];
  /** Token requests accepted on a certificate's client assertion. */
  assertionsAccepted = 0;
  /** Requests that carried an expired token. */
  expiredTokenUses = 0;
  /** Sizes of the `$batch` requests received, in order. */
  readonly batchSizes: number[] = [];
  private readonly users = new Map<string, StoredUser>();
  private readonly groups = new Map<string, StoredGroup>();
  private readonly inner: InnerRoute[] = [];
  private readonly policies: Record<string, unknown>[] = [];
  /** Replication lag given to each object created through the API. */
  replicationLag: number;
  /** Lookups each fresh object still misses, by id. */
  private readonly lagging = new Map<string, number>();
  /** Requests answered "not found" because of the replication lag. */
  laggedAnswers = 0;
  private batchThrottle: { remaining: number; retryAfterSeconds: number } = {
    remaining: 0,
    retryAfterSeconds: 0,
  };

  constructor(options: GraphEmulatorOptions = {}) {
    super({
      name: "microsoft-graph",
      authenticate: (req) =>
        req.path.startsWith("/v1.0/")
          ? this.checkToken(req, "graph")
          : req.path.startsWith("/adminapi/")
            ? this.checkToken(req, "exchange")
            : undefined,
    });
    this.tenantId = options.tenantId ?? "00000000-0000-4000-8000-00000000feed";
    this.clientId = options.clientId ?? "11111111-1111-4111-8111-111111111111";
    this.clientSecret = options.clientSecret ?? "emulator~client~secret~0123456789";
    this.domains = (options.domains ?? ["contoso.test"]).map((d) => d.toLowerCase());
    this.skus = options.skus ?? [
      { skuId: SKU_E3, skuPartNumber: "ENTERPRISEPACK", exchange: true },
      { skuId: SKU_POWER_BI_PRO, skuPartNumber: "POWER_BI_PRO", exchange: false },
    ];
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3599;
    this.maxPageSize = options.maxPageSize ?? 999;
    this.replicationLag = options.replicationLag ?? 0;
    this.certificate =
      options.clientCertificate === undefined
        ? undefined
        : new X509Certificate(options.clientCertificate);
    this.exchange = new ExchangeAdminEmulator(this.exchangeDirectory(), {
      mailboxLag: options.exchangeMailboxLag ?? 0,
    });
    this.registerRoutes();
  }

  // ---------------- test API ----------------

  /** Copies of the live (not deleted) users, sorted by UPN. */
  listUsers(): GraphUser[] {
    return [...this.users.values()]
      .filter((u) => u.deletedAt === undefined)
      .map((u) => this.publicUser(u))
      .sort((a, b) => a.userPrincipalName.localeCompare(b.userPrincipalName));
  }

  /** Copies of the soft-deleted users. */
  deletedUsers(): GraphUser[] {
    return [...this.users.values()]
      .filter((u) => u.deletedAt !== undefined)
      .map((u) => this.publicUser(u));
  }

  /** A live user by id or UPN (copy). */
  user(idOrUpn: string): GraphUser | undefined {
    const u = this.findUser(idOrUpn);
    return u && this.publicUser(u);
  }

  /** The password and the forced-change flag last set for a user (never returned by Graph). */
  passwordOf(idOrUpn: string): { password: string; forceChange: boolean } | undefined {
    const u = this.findUser(idOrUpn);
    return u && { password: u.password, forceChange: u.forceChangePasswordNextSignIn };
  }

  /** Creates a user directly (an admin in the portal); licensed with `skuId` when given. */
  putUser(upn: string, displayName: string, skuId?: string): GraphUser {
    const [local] = upn.split("@");
    const u: StoredUser = {
      id: randomUUID(),
      userPrincipalName: upn,
      mailNickname: local!,
      displayName,
      department: null,
      jobTitle: null,
      accountEnabled: true,
      usageLocation: skuId ? "US" : null,
      mail: null,
      proxyAddresses: [],
      assignedLicenses: skuId ? [{ skuId, disabledPlans: [] }] : [],
      password: "set-by-admin",
      forceChangePasswordNextSignIn: false,
    };
    this.users.set(u.id, u);
    this.provisionMailbox(u);
    return this.publicUser(u);
  }

  /** Adds a licence to a user directly (an admin in the portal). */
  putLicence(idOrUpn: string, skuId: string): void {
    const u = this.findUser(idOrUpn);
    if (!u) throw new Error(`emulator: no user ${idOrUpn}`);
    u.assignedLicenses.push({ skuId, disabledPlans: [] });
    this.provisionMailbox(u);
  }

  /** Copies of the live groups with their member ids. */
  listGroups(): (GraphGroup & { members: string[] })[] {
    return [...this.groups.values()]
      .filter((g) => g.deletedAt === undefined)
      .map((g) => ({ ...this.publicGroup(g), members: [...g.members] }));
  }

  /**
   * Each live group's address with its members' addresses (mail, else UPN), sorted. A member
   * whose user is soft-deleted keeps its link (a restore brings it back) and is reported at
   * the address it had.
   */
  groupDeliveries(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const g of this.groups.values()) {
      if (g.deletedAt !== undefined || g.mail === null) continue;
      out[g.mail] = g.members
        .map((id) => this.users.get(id))
        .filter((u): u is StoredUser => u !== undefined)
        .map((u) => (u.mail ?? u.userPrincipalName).toLowerCase())
        .sort();
    }
    return out;
  }

  /** Creates a security group directly (no mail, no `groupTypes`), as an admin would. */
  putSecurityGroup(mailNickname: string, displayName: string): GraphGroup {
    const g: StoredGroup = {
      id: randomUUID(),
      displayName,
      mailNickname,
      mail: null,
      mailEnabled: false,
      securityEnabled: true,
      groupTypes: [],
      proxyAddresses: [],
      description: null,
      members: [],
    };
    this.groups.set(g.id, g);
    return this.publicGroup(g);
  }

  /** Copies of the Conditional Access policies. */
  listPolicies(): Record<string, unknown>[] {
    return this.policies.map((p) => structuredClone(p));
  }

  /** The UPNs of a group's members, sorted (a security group's too). */
  memberUpns(groupId: string): string[] {
    const g = this.groups.get(groupId);
    return (g?.members ?? []).map((id) => this.users.get(id)?.userPrincipalName ?? id).sort();
  }

  /** Each live mailbox's secondary addresses (`smtp:`), each delivering to its primary one. */
  aliasDeliveries(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const u of this.users.values()) {
      if (u.deletedAt !== undefined || u.mail === null) continue;
      for (const p of u.proxyAddresses) {
        if (p.startsWith("smtp:")) out[p.slice(5).toLowerCase()] = [u.mail];
      }
    }
    return out;
  }

  /** Creates a Microsoft 365 group directly with members given by UPN. */
  putGroup(mailNickname: string, displayName: string, memberUpns: string[]): GraphGroup {
    const g = this.newGroup(mailNickname, displayName);
    for (const upn of memberUpns) {
      const u = this.findUser(upn);
      if (!u) throw new Error(`emulator: no user ${upn}`);
      g.members.push(u.id);
    }
    return this.publicGroup(g);
  }

  /** The next `count` requests inside `$batch` calls are answered 429 with `Retry-After`. */
  throttleInBatch(count: number, retryAfterSeconds = 1): void {
    this.batchThrottle = { remaining: count, retryAfterSeconds };
  }

  /** The `MS=` code of a domain (stable per domain). */
  verificationCode(domain: string): string {
    let h = 0;
    for (const c of domain) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return `ms${String(h % 100_000_000).padStart(8, "0")}`;
  }

  /** The MX host Exchange Online assigns a domain: `<domain with dashes>.mail.protection.outlook.com`. */
  mxHostOf(domain: string): string {
    return `${domain.replace(/\./g, "-")}.mail.protection.outlook.com`;
  }

  /** `serviceConfigurationRecords` of a domain: MX, SPF and autodiscover for Email. */
  private serviceRecords(d: string): Record<string, unknown>[] {
    const base = { isOptional: false, supportedService: "Email", ttl: 3600 };
    return [
      {
        "@odata.type": "#microsoft.graph.domainDnsMxRecord",
        id: `${d}-mx`,
        ...base,
        label: d,
        recordType: "Mx",
        mailExchange: this.mxHostOf(d),
        preference: 0,
      },
      {
        "@odata.type": "#microsoft.graph.domainDnsTxtRecord",
        id: `${d}-spf`,
        ...base,
        label: d,
        recordType: "Txt",
        text: "v=spf1 include:spf.protection.outlook.com -all",
      },
      {
        "@odata.type": "#microsoft.graph.domainDnsCnameRecord",
        id: `${d}-autodiscover`,
        ...base,
        label: `autodiscover.${d}`,
        recordType: "CName",
        canonicalName: "autodiscover.outlook.com",
      },
    ];
  }

  // ---------------- token endpoint ----------------

  private checkToken(
    req: EmulatorRequest,
    audience: "graph" | "exchange",
  ): EmulatorResponse | undefined {
    const header = req.headers.authorization ?? "";
    const token = /^Bearer (.+)$/.exec(header)?.[1];
    const expiry = token === undefined ? undefined : this.tokens.get(token);
    if (expiry === undefined) {
      return graphError(401, "InvalidAuthenticationToken", "Access token is empty.");
    }
    if (this.tokenAudience.get(token!) !== audience) {
      return graphError(
        401,
        "InvalidAuthenticationToken",
        "Access token validation failure. Invalid audience.",
      );
    }
    if (Date.now() >= expiry) {
      this.expiredTokenUses += 1;
      return graphError(
        401,
        "InvalidAuthenticationToken",
        "Lifetime validation failed, the token is expired.",
      );
    }
    return undefined;
  }

  /**
   * A certificate credential's client assertion (RFC 7523 as the identity platform takes it):
   * a JWT whose header names the registered certificate by `x5t` (base64url SHA-1 of its DER,
   * alg RS256) or `x5t#S256` (SHA-256, alg PS256), signed with its key, with iss = sub = the
   * client id, aud = this tenant's token endpoint, and nbf ≤ now < exp. Returns the AADSTS
   * error, or undefined when valid.
   */
  private checkAssertion(form: Record<string, string>, req: EmulatorRequest): string | undefined {
    if (form.client_assertion_type !== "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") {
      return `AADSTS7000216: 'client_assertion_type' must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.`;
    }
    const parts = (form.client_assertion ?? "").split(".");
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8"));
      claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8"));
    } catch {
      return "AADSTS50027: JWT token is invalid or malformed.";
    }
    if (parts.length !== 3) return "AADSTS50027: JWT token is invalid or malformed.";
    const cert = this.certificate;
    const keyNotFound = (thumbprint: unknown) =>
      `AADSTS700027: Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '${Buffer.from(String(thumbprint), "base64url").toString("hex").toUpperCase()}']`;
    this.assertionHeaders.push(header);
    const pss = header.alg === "PS256";
    if (!pss && header.alg !== "RS256") {
      return `AADSTS5002730: Invalid JWT header type: algorithm '${String(header.alg)}' is not supported.`;
    }
    const presented = pss ? header["x5t#S256"] : header.x5t;
    if (cert === undefined) return keyNotFound(presented);
    const expected = createHash(pss ? "sha256" : "sha1")
      .update(cert.raw)
      .digest("base64url");
    if (presented !== expected) return keyNotFound(presented);
    const valid = verify(
      "sha256",
      Buffer.from(`${parts[0]}.${parts[1]}`),
      pss
        ? {
            key: cert.publicKey,
            padding: constants.RSA_PKCS1_PSS_PADDING,
            saltLength: constants.RSA_PSS_SALTLEN_AUTO,
          }
        : cert.publicKey,
      Buffer.from(parts[2]!, "base64url"),
    );
    if (!valid) {
      return "AADSTS700027: Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value.]";
    }
    if (claims.iss !== this.clientId || claims.sub !== this.clientId) {
      return "AADSTS700021: Client assertion application identifier doesn't match 'client_id' parameter.";
    }
    const endpoint = `/${req.params.tenant}/oauth2/v2.0/token`;
    if (typeof claims.aud !== "string" || !claims.aud.endsWith(endpoint)) {
      // UNCONFIRMED wording: the platform refuses an assertion for another audience.
      return `AADSTS700016: Client assertion audience '${String(claims.aud)}' is not the token endpoint of tenant '${req.params.tenant}'.`;
    }
    const now = Date.now() / 1000;
    if (
      typeof claims.exp !== "number" ||
      claims.exp <= now ||
      (typeof claims.nbf === "number" && claims.nbf > now + 300)
    ) {
      return "AADSTS700024: Client assertion is not within its valid time range.";
    }
    return undefined;
  }

  private token(req: EmulatorRequest): EmulatorResponse {
    const form = (req.body ?? {}) as Record<string, string>;
    const oauthError = (status: number, error: string, description: string) => ({
      status,
      body: { error, error_description: description, error_codes: [], timestamp: new Date() },
    });
    if (req.params.tenant !== this.tenantId) {
      return oauthError(
        400,
        "invalid_tenant",
        `AADSTS90002: Tenant '${req.params.tenant}' not found.`,
      );
    }
    if (form.grant_type !== "client_credentials") {
      return oauthError(
        400,
        "unsupported_grant_type",
        "AADSTS70003: The app requested an unsupported grant type.",
      );
    }
    if (form.client_id !== this.clientId) {
      return oauthError(
        400,
        "unauthorized_client",
        `AADSTS700016: Application with identifier '${form.client_id}' was not found in the directory.`,
      );
    }
    if (form.client_assertion !== undefined || form.client_assertion_type !== undefined) {
      const problem = this.checkAssertion(form, req);
      if (problem !== undefined) return oauthError(401, "invalid_client", problem);
      this.assertionsAccepted += 1;
    } else if (form.client_secret !== this.clientSecret) {
      return oauthError(
        401,
        "invalid_client",
        `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${this.clientId}'.`,
      );
    }
    const scopes = (form.scope ?? "").split(" ");
    const audience = scopes.includes(GRAPH_SCOPE)
      ? "graph"
      : scopes.includes(EXCHANGE_SCOPE)
        ? "exchange"
        : undefined;
    if (audience === undefined) {
      return oauthError(
        400,
        "invalid_scope",
        "AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.",
      );
    }
    const token = `emu.${randomUUID()}`;
    this.tokens.set(token, Date.now() + this.tokenLifetimeSeconds * 1000);
    this.tokenAudience.set(token, audience);
    return {
      status: 200,
      body: {
        token_type: "Bearer",
        expires_in: this.tokenLifetimeSeconds,
        ext_expires_in: this.tokenLifetimeSeconds,
        access_token: token,
      },
    };
  }

  // ---------------- helpers ----------------

  private findUser(idOrUpn: string): StoredUser | undefined {
    const key = idOrUpn.toLowerCase();
    for (const u of this.users.values()) {
      if (u.deletedAt !== undefined) continue;
      if (u.id === key || u.userPrincipalName.toLowerCase() === key) return u;
    }
    return undefined;
  }

  private findGroup(id: string): StoredGroup | undefined {
    const g = this.groups.get(id);
    return g && g.deletedAt === undefined ? g : undefined;
  }

  /** True (and one lookup fewer) while a freshly created object has not replicated yet. */
  private lags(id: string | undefined): boolean {
    if (id === undefined) return false;
    const left = this.lagging.get(id) ?? 0;
    if (left <= 0) return false;
    if (left === 1) this.lagging.delete(id);
    else this.lagging.set(id, left - 1);
    this.laggedAnswers += 1;
    return true;
  }

  /** A live user as a request naming it sees it (missing while it lags). */
  private visibleUser(idOrUpn: string): StoredUser | undefined {
    const u = this.findUser(idOrUpn);
    return u && !this.lags(u.id) ? u : undefined;
  }

  /** A live group as a request naming it sees it (missing while it lags). */
  private visibleGroup(id: string): StoredGroup | undefined {
    const g = this.findGroup(id);
    return g && !this.lags(g.id) ? g : undefined;
  }

  private publicUser(u: StoredUser): GraphUser {
    return {
      id: u.id,
      userPrincipalName: u.userPrincipalName,
      mailNickname: u.mailNickname,
      displayName: u.displayName,
      department: u.department,
      jobTitle: u.jobTitle,
      accountEnabled: u.accountEnabled,
      usageLocation: u.usageLocation,
      mail: u.mail,
      proxyAddresses: [...u.proxyAddresses],
      assignedLicenses: u.assignedLicenses.map((l) => ({
        ...l,
        disabledPlans: [...l.disabledPlans],
      })),
    };
  }

  private publicGroup(g: StoredGroup): GraphGroup {
    const { members: _members, deletedAt: _deleted, ...rest } = g;
    return { ...rest, groupTypes: [...g.groupTypes], proxyAddresses: [...g.proxyAddresses] };
  }

  private hasExchange(u: StoredUser): boolean {
    return u.assignedLicenses.some((l) => this.skus.find((s) => s.skuId === l.skuId)?.exchange);
  }

  /** Exchange provisions a mailbox once an Exchange licence is assigned (primary = UPN). */
  private provisionMailbox(u: StoredUser): void {
    if (this.hasExchange(u)) {
      if (u.mail === null) {
        u.mail = u.userPrincipalName.toLowerCase();
        u.proxyAddresses = [`SMTP:${u.mail}`];
        this.exchange.provisioned(u.id);
      }
    }
  }

  /** Every proxy address in use (lower-case, without prefix), with its owner's id. */
  private addressTaken(address: string, except?: string): boolean {
    const a = address.toLowerCase();
    const holders = [
      ...[...this.users.values()].filter((u) => u.deletedAt === undefined),
      ...[...this.groups.values()].filter((g) => g.deletedAt === undefined),
    ];
    return holders.some(
      (o) =>
        o.id !== except &&
        (o.proxyAddresses.some((p) => p.slice(5).toLowerCase() === a) ||
          ("userPrincipalName" in o && o.userPrincipalName.toLowerCase() === a)),
    );
  }

  private page<T>(req: EmulatorRequest, items: T[], path: string): EmulatorResponse {
    const topText = req.query.get("$top");
    const top = topText === null ? 100 : Number(topText);
    if (!Number.isInteger(top) || top < 1 || top > 999) {
      return badRequest(
        `Invalid page size specified: '${topText}'. Must be between 1 and 999 inclusive.`,
      );
    }
    const size = Math.min(top, this.maxPageSize);
    const token = req.query.get("$skiptoken");
    const start = token === null ? 0 : Number(Buffer.from(token, "base64url").toString("utf8"));
    if (!Number.isInteger(start) || start < 0) return badRequest("Invalid $skiptoken.");
    const value = items.slice(start, start + size);
    const body: Record<string, unknown> = {
      "@odata.context": `${GRAPH}/$metadata#${path}`,
      value,
    };
    if (start + size < items.length) {
      const next = Buffer.from(String(start + size), "utf8").toString("base64url");
      const query = new URLSearchParams(req.query);
      query.set("$skiptoken", next);
      body["@odata.nextLink"] = `${this.url}/v1.0/${path}?${query.toString()}`;
    }
    return { status: 200, body };
  }

  private checkUpn(upn: unknown): string | EmulatorResponse {
    if (typeof upn !== "string" || !/^[^@]+@[^@]+$/.test(upn)) {
      return badRequest(
        "Invalid value specified for property 'userPrincipalName' of resource 'User'.",
      );
    }
    const [local, domain] = upn.split("@") as [string, string];
    if (!UPN_LOCAL.test(local)) {
      return badRequest(
        "Invalid value specified for property 'userPrincipalName' of resource 'User'.",
      );
    }
    if (!this.domains.includes(domain.toLowerCase())) {
      return badRequest(
        "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.",
      );
    }
    return upn;
  }

  private readOnly(body: Record<string, unknown>): EmulatorResponse | undefined {
    for (const field of ["proxyAddresses", "mail", "id", "assignedLicenses"]) {
      if (field in body) {
        return badRequest(`Property '${field}' is read-only and cannot be set.`);
      }
    }
    return undefined;
  }

  private newGroup(mailNickname: string, displayName: string): StoredGroup {
    const mail = `${mailNickname}@${this.domains[0]}`.toLowerCase();
    const g: StoredGroup = {
      id: randomUUID(),
      displayName,
      mailNickname,
      mail,
      mailEnabled: true,
      securityEnabled: false,
      groupTypes: ["Unified"],
      proxyAddresses: [`SMTP:${mail}`],
      description: null,
      members: [],
    };
    this.groups.set(g.id, g);
    return g;
  }

  // ---------------- routes ----------------

  /** Registers a Graph route under `/v1.0`, also reachable from inside `$batch`. */
  private graph(method: string, pattern: string, handler: InnerRoute["handler"]): void {
    this.route(method, `/v1.0${pattern}`, handler);
    const names: string[] = [];
    const source = pattern
      .split("/")
      .map((seg) => {
        if (seg.startsWith(":")) {
          names.push(seg.slice(1));
          return "([^/]+)";
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    this.inner.push({ method, regex: new RegExp(`^${source}/?$`), names, handler });
  }

  /** The directory as the Exchange emulator sees it: the live users, shared by reference. */
  private exchangeDirectory() {
    return {
      tenantId: this.tenantId,
      domains: this.domains,
      mailboxUsers: (): DirectoryUser[] =>
        [...this.users.values()].filter((u) => u.deletedAt === undefined && u.mail !== null),
      addressTaken: (address: string, exceptId?: string) => this.addressTaken(address, exceptId),
      createSharedUser: (alias: string, displayName: string, primary: string): DirectoryUser => {
        const u: StoredUser = {
          id: randomUUID(),
          userPrincipalName: primary,
          mailNickname: alias,
          displayName,
          department: null,
          jobTitle: null,
          accountEnabled: false,
          usageLocation: null,
          mail: primary,
          proxyAddresses: [`SMTP:${primary}`],
          assignedLicenses: [],
          password: randomUUID(),
          forceChangePasswordNextSignIn: false,
        };
        this.users.set(u.id, u);
        return u;
      },
      distributionGroups: (): DirectoryGroup[] =>
        [...this.groups.values()].filter(
          (g) => g.deletedAt === undefined && this.isDistributionList(g),
        ),
      createDistributionGroup: (alias: string, displayName: string, primary: string) => {
        const g: StoredGroup = {
          id: randomUUID(),
          displayName,
          mailNickname: alias,
          mail: primary,
          mailEnabled: true,
          securityEnabled: false,
          groupTypes: [],
          proxyAddresses: [`SMTP:${primary}`],
          description: null,
          members: [],
        };
        this.groups.set(g.id, g);
        return g as DirectoryGroup;
      },
      removeGroup: (id: string) => {
        this.groups.delete(id);
      },
    };
  }

  /** A distribution list: mail-enabled, not a security group, not a Microsoft 365 group. */
  private isDistributionList(g: StoredGroup): boolean {
    return g.mailEnabled && !g.securityEnabled && !g.groupTypes.includes("Unified");
  }

  /** Graph refuses to write a distribution list's members or fields: Exchange owns them. */
  private readOnlyList(g: StoredGroup): EmulatorResponse | undefined {
    return this.isDistributionList(g)
      ? badRequest("Cannot Update a mail-enabled security groups and or distribution list.")
      : undefined;
  }

  private registerRoutes(): void {
    this.route("POST", "/:tenant/oauth2/v2.0/token", (req) => this.token(req));
    this.route("POST", "/adminapi/beta/:tenant/InvokeCommand", (req) =>
      this.exchange.handle(req, this.url),
    );
    this.route("GET", "/:tenant/v2.0/.well-known/openid-configuration", (req) => ({
      status: 200,
      body: {
        token_endpoint: `${this.url}/${req.params.tenant}/oauth2/v2.0/token`,
        authorization_endpoint: `${this.url}/${req.params.tenant}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${this.url}/${req.params.tenant}/oauth2/v2.0/logout`,
        issuer: `${this.url}/${req.params.tenant}/v2.0`,
        jwks_uri: `${this.url}/${req.params.tenant}/discovery/v2.0/keys`,
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      },
    }));

    // ---- users ----
    this.graph("GET", "/users", (req) =>
      this.page(
        req,
        this.listUsers().sort((a, b) => a.id.localeCompare(b.id)),
        "users",
      ),
    );
    this.graph("POST", "/users", (req) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const ro = this.readOnly(b);
      if (ro) return ro;
      for (const field of ["accountEnabled", "displayName", "mailNickname", "userPrincipalName"]) {
        if (b[field] === undefined) {
          return badRequest(`Property '${field}' is required when creating the entity.`);
        }
      }
      const pp = b.passwordProfile as {
        password?: unknown;
        forceChangePasswordNextSignIn?: unknown;
      };
      if (!pp || typeof pp.password !== "string") {
        return badRequest("Property 'passwordProfile' is required when creating the entity.");
      }
      const upn = this.checkUpn(b.userPrincipalName);
      if (typeof upn !== "string") return upn;
      if (this.findUser(upn) || this.addressTaken(upn)) return conflict("userPrincipalName");
      const u: StoredUser = {
        id: randomUUID(),
        userPrincipalName: upn,
        mailNickname: String(b.mailNickname),
        displayName: String(b.displayName),
        department: typeof b.department === "string" ? b.department : null,
        jobTitle: typeof b.jobTitle === "string" ? b.jobTitle : null,
        accountEnabled: b.accountEnabled === true,
        usageLocation: typeof b.usageLocation === "string" ? b.usageLocation : null,
        mail: null,
        proxyAddresses: [],
        assignedLicenses: [],
        password: pp.password,
        forceChangePasswordNextSignIn: pp.forceChangePasswordNextSignIn === true,
      };
      this.users.set(u.id, u);
      if (this.replicationLag > 0) this.lagging.set(u.id, this.replicationLag);
      return {
        status: 201,
        body: { "@odata.context": `${GRAPH}/$metadata#users/$entity`, ...this.publicUser(u) },
      };
    });
    this.graph("GET", "/users/:id", (req) => {
      const u = this.visibleUser(req.params.id!);
      return u ? { status: 200, body: this.publicUser(u) } : notFound(req.params.id!);
    });
    this.graph("PATCH", "/users/:id", (req) => {
      const u = this.visibleUser(req.params.id!);
      if (!u) return notFound(req.params.id!);
      const b = (req.body ?? {}) as Record<string, unknown>;
      const ro = this.readOnly(b);
      if (ro) return ro;
      if (b.userPrincipalName !== undefined) {
        const upn = this.checkUpn(b.userPrincipalName);
        if (typeof upn !== "string") return upn;
        const other = this.findUser(upn);
        if ((other && other.id !== u.id) || this.addressTaken(upn, u.id)) {
          return conflict("userPrincipalName");
        }
        if (u.mail !== null) {
          // Exchange follows the UPN: the new address becomes primary; the old primary stays
          // as a secondary address (as whenever a primary SMTP address changes), and the
          // other secondary addresses are kept.
          const former = u.mail;
          u.mail = upn.toLowerCase();
          u.proxyAddresses = [
            `SMTP:${u.mail}`,
            ...u.proxyAddresses
              .filter((p) => p.startsWith("smtp:") && p.slice(5).toLowerCase() !== u.mail)
              .concat(former === u.mail ? [] : [`smtp:${former}`]),
          ];
        }
        u.userPrincipalName = upn;
      }
      for (const f of ["displayName", "mailNickname"] as const) {
        if (typeof b[f] === "string") u[f] = b[f];
      }
      for (const f of ["department", "jobTitle", "usageLocation"] as const) {
        if (f in b) u[f] = typeof b[f] === "string" ? b[f] : null;
      }
      if (typeof b.accountEnabled === "boolean") u.accountEnabled = b.accountEnabled;
      const pp = b.passwordProfile as
        { password?: unknown; forceChangePasswordNextSignIn?: unknown } | undefined;
      if (pp) {
        if (typeof pp.password === "string") u.password = pp.password;
        if (typeof pp.forceChangePasswordNextSignIn === "boolean") {
          u.forceChangePasswordNextSignIn = pp.forceChangePasswordNextSignIn;
        }
      }
      return { status: 204 };
    });
    this.graph("DELETE", "/users/:id", (req) => {
      const u = this.visibleUser(req.params.id!);
      if (!u) return notFound(req.params.id!);
      u.deletedAt = Date.now();
      return { status: 204 };
    });
    this.graph("POST", "/users/:id/assignLicense", (req) => {
      const u = this.visibleUser(req.params.id!);
      if (!u) return notFound(req.params.id!);
      const b = (req.body ?? {}) as {
        addLicenses?: { skuId?: string; disabledPlans?: string[] }[];
        removeLicenses?: string[];
      };
      if (!Array.isArray(b.addLicenses) || !Array.isArray(b.removeLicenses)) {
        return badRequest("Invalid request: addLicenses and removeLicenses are required.");
      }
      for (const l of b.addLicenses) {
        if (!this.skus.some((s) => s.skuId === l.skuId)) {
          return badRequest(`License ${l.skuId} does not correspond to a valid company License.`);
        }
      }
      if (b.addLicenses.length > 0 && u.usageLocation === null) {
        return badRequest(
          "License assignment cannot be done for user with invalid usage location.",
        );
      }
      u.assignedLicenses = u.assignedLicenses.filter(
        (l) =>
          !b.removeLicenses!.includes(l.skuId) && !b.addLicenses!.some((a) => a.skuId === l.skuId),
      );
      for (const l of b.addLicenses) {
        u.assignedLicenses.push({ skuId: l.skuId!, disabledPlans: l.disabledPlans ?? [] });
      }
      this.provisionMailbox(u);
      return { status: 200, body: this.publicUser(u) };
    });
    this.graph("POST", "/directory/deletedItems/:id/restore", (req) => {
      const u = this.users.get(req.params.id!);
      if (!u || u.deletedAt === undefined) return notFound(req.params.id!);
      if (this.findUser(u.userPrincipalName)) return conflict("userPrincipalName");
      delete u.deletedAt;
      return { status: 200, body: this.publicUser(u) };
    });

    // ---- groups ----
    this.graph("GET", "/groups", (req) => {
      let groups = [...this.groups.values()].filter((g) => g.deletedAt === undefined);
      const filter = req.query.get("$filter");
      if (filter !== null) {
        // The subset Mailplane may use: equality on mail or mailNickname.
        const m = /^(mail|mailNickname) eq '((?:[^']|'')*)'$/.exec(filter);
        if (!m)
          return badRequest(`Unsupported or invalid query filter clause specified: '${filter}'.`);
        const value = m[2]!.replace(/''/g, "'").toLowerCase();
        groups = groups.filter(
          (g) => (g[m[1] as "mail" | "mailNickname"] ?? "").toLowerCase() === value,
        );
      }
      return this.page(
        req,
        groups.sort((a, b) => a.id.localeCompare(b.id)).map((g) => this.publicGroup(g)),
        "groups",
      );
    });
    this.graph("POST", "/groups", (req) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const ro = this.readOnly(b);
      if (ro) return ro;
      for (const field of ["displayName", "mailEnabled", "mailNickname", "securityEnabled"]) {
        if (b[field] === undefined) {
          return badRequest(`Property '${field}' is required when creating the entity.`);
        }
      }
      const nick = String(b.mailNickname);
      if (nick.length > 64 || /[@()\\[\]";:.<>, ]/.test(nick) || /[^\x20-\x7e]/.test(nick)) {
        return badRequest(
          "Invalid value specified for property 'mailNickname' of resource 'Group'.",
        );
      }
      const unified = Array.isArray(b.groupTypes) && b.groupTypes.includes("Unified");
      if (b.mailEnabled === true && !unified) {
        return badRequest(
          "A mail-enabled security group or distribution group cannot be created through Graph.",
        );
      }
      if (!unified && b.securityEnabled === true) {
        const g: StoredGroup = {
          id: randomUUID(),
          displayName: String(b.displayName),
          mailNickname: nick,
          mail: null,
          mailEnabled: false,
          securityEnabled: true,
          groupTypes: [],
          proxyAddresses: [],
          description: typeof b.description === "string" ? b.description : null,
          members: [],
        };
        this.groups.set(g.id, g);
        if (this.replicationLag > 0) this.lagging.set(g.id, this.replicationLag);
        return { status: 201, body: this.publicGroup(g) };
      }
      if (!unified) return badRequest("Only Microsoft 365 groups are supported by this emulator.");
      if (this.addressTaken(`${nick}@${this.domains[0]}`)) return conflict("proxyAddresses");
      const g = this.newGroup(nick, String(b.displayName));
      if (typeof b.description === "string") g.description = b.description;
      if (this.replicationLag > 0) this.lagging.set(g.id, this.replicationLag);
      return { status: 201, body: this.publicGroup(g) };
    });
    this.graph("GET", "/identity/conditionalAccess/policies", (req) => {
      let list = this.policies;
      const filter = req.query.get("$filter");
      if (filter !== null) {
        const m = /^displayName eq '((?:[^']|'')*)'$/.exec(filter);
        if (!m) {
          return badRequest(`Unsupported or invalid query filter clause specified: '${filter}'.`);
        }
        const name = m[1]!.replace(/''/g, "'");
        list = list.filter((p) => p.displayName === name);
      }
      return this.page(
        req,
        list.map((p) => structuredClone(p)),
        "identity/conditionalAccess/policies",
      );
    });
    this.graph("GET", "/identity/conditionalAccess/policies/:id", (req) => {
      const p = this.policies.find((x) => x.id === req.params.id);
      return p ? { status: 200, body: structuredClone(p) } : notFound(req.params.id!);
    });
    this.graph("POST", "/identity/conditionalAccess/policies", (req) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const conditions = b.conditions as Record<string, unknown> | undefined;
      if (typeof b.displayName !== "string" || b.displayName === "") {
        return badRequest("Property 'displayName' is required.");
      }
      if (!["enabled", "disabled", "enabledForReportingButNotEnforced"].includes(String(b.state))) {
        return badRequest(`Invalid value '${String(b.state)}' for property 'state'.`);
      }
      if (!conditions || !conditions.applications || !conditions.users) {
        return badRequest("Conditions 'applications' and 'users' are required.");
      }
      const users = conditions.users as { includeGroups?: unknown };
      for (const gid of Array.isArray(users.includeGroups) ? users.includeGroups : []) {
        if (!this.findGroup(String(gid))) return notFound(String(gid));
      }
      if (!b.grantControls && !b.sessionControls) {
        return badRequest("Either 'grantControls' or 'sessionControls' is required.");
      }
      const policy = {
        ...b,
        id: randomUUID(),
        createdDateTime: new Date().toISOString(),
        modifiedDateTime: null,
      };
      this.policies.push(policy);
      return { status: 201, body: structuredClone(policy) };
    });
    this.graph("GET", "/groups/:id", (req) => {
      const g = this.visibleGroup(req.params.id!);
      return g ? { status: 200, body: this.publicGroup(g) } : notFound(req.params.id!);
    });
    this.graph("PATCH", "/groups/:id", (req) => {
      const g = this.visibleGroup(req.params.id!);
      if (!g) return notFound(req.params.id!);
      const list = this.readOnlyList(g);
      if (list) return list;
      const b = (req.body ?? {}) as Record<string, unknown>;
      const ro = this.readOnly(b);
      if (ro) return ro;
      if (typeof b.displayName === "string") g.displayName = b.displayName;
      if (typeof b.description === "string") g.description = b.description;
      return { status: 204 };
    });
    this.graph("DELETE", "/groups/:id", (req) => {
      const g = this.visibleGroup(req.params.id!);
      if (!g) return notFound(req.params.id!);
      const list = this.readOnlyList(g);
      if (list) return list;
      g.deletedAt = Date.now();
      return { status: 204 };
    });
    this.graph("GET", "/groups/:id/members", (req) => {
      const g = this.visibleGroup(req.params.id!);
      if (!g) return notFound(req.params.id!);
      const members = g.members
        .map((id) => this.users.get(id))
        .filter((u): u is StoredUser => u !== undefined && u.deletedAt === undefined)
        .map((u) => ({ "@odata.type": "#microsoft.graph.user", ...this.publicUser(u) }));
      return this.page(req, members, `groups/${g.id}/members`);
    });
    this.graph("POST", "/groups/:id/members/$ref", (req) => {
      const missing = badRequest(
        "The source resource object or one of the objects being referenced do not exist.",
      );
      const fresh = this.findGroup(req.params.id!);
      if (fresh && this.lags(fresh.id)) return missing;
      const g = fresh;
      if (!g) return notFound(req.params.id!);
      const list = this.readOnlyList(g);
      if (list) return list;
      const ref = (req.body as { "@odata.id"?: unknown } | undefined)?.["@odata.id"];
      const m = typeof ref === "string" ? /\/directoryObjects\/([^/]+)$/.exec(ref) : null;
      if (!m) {
        return badRequest("Invalid object identifier '@odata.id'.");
      }
      const u = this.findUser(m[1]!);
      if (!u) return notFound(m[1]!);
      if (this.lags(u.id)) return missing;
      if (g.members.includes(u.id)) {
        return badRequest(
          "One or more added object references already exist for the following modified properties: 'members'.",
        );
      }
      g.members.push(u.id);
      return { status: 204 };
    });
    this.graph("DELETE", "/groups/:id/members/:member/$ref", (req) => {
      const g = this.visibleGroup(req.params.id!);
      if (!g) return notFound(req.params.id!);
      const list = this.readOnlyList(g);
      if (list) return list;
      const i = g.members.indexOf(req.params.member!);
      if (i < 0) return notFound(req.params.member!);
      g.members.splice(i, 1);
      return { status: 204 };
    });

    // ---- domains: the DNS records Microsoft assigns ----
    const domainOf = (id: string) => this.domains.find((d) => d === id.toLowerCase());
    this.graph("GET", "/domains", (req) =>
      this.page(
        req,
        this.domains.map((d, i) => ({ id: d, isDefault: i === 0, isVerified: true })),
        "domains",
      ),
    );
    this.graph("GET", "/domains/:id/serviceConfigurationRecords", (req) => {
      const d = domainOf(req.params.id!);
      if (!d) return notFound(req.params.id!);
      return this.page(req, this.serviceRecords(d), `domains('${d}')/serviceConfigurationRecords`);
    });
    this.graph("GET", "/domains/:id/verificationDnsRecords", (req) => {
      const d = domainOf(req.params.id!);
      if (!d) return notFound(req.params.id!);
      const code = this.verificationCode(d);
      return this.page(
        req,
        [
          {
            "@odata.type": "#microsoft.graph.domainDnsTxtRecord",
            id: randomUUID(),
            isOptional: false,
            label: d,
            recordType: "Txt",
            supportedService: "None",
            ttl: 3600,
            text: `MS=${code}`,
          },
          {
            "@odata.type": "#microsoft.graph.domainDnsMxRecord",
            id: randomUUID(),
            isOptional: false,
            label: d,
            recordType: "Mx",
            supportedService: "None",
            ttl: 3600,
            mailExchange: `${code}.msv1.invalid`,
            preference: 32767,
          },
        ],
        `domains('${d}')/verificationDnsRecords`,
      );
    });

    // ---- $batch ----
    this.route("POST", "/v1.0/$batch", async (req) => {
      const requests = (req.body as { requests?: unknown } | undefined)?.requests;
      if (!Array.isArray(requests) || requests.length === 0) {
        return graphError(400, "BadRequest", "Invalid batch payload format.");
      }
      if (requests.length > 20) {
        return graphError(400, "BadRequest", "The number of requests in a batch cannot exceed 20.");
      }
      this.batchSizes.push(requests.length);
      const responses = [];
      for (const r of requests as {
        id?: unknown;
        method?: unknown;
        url?: unknown;
        body?: unknown;
      }[]) {
        responses.push({ id: String(r.id), ...(await this.inside(r, req)) });
      }
      return { status: 200, body: { responses } };
    });
  }

  /** Answers one request of a `$batch`. */
  private async inside(
    r: { method?: unknown; url?: unknown; body?: unknown },
    outer: EmulatorRequest,
  ): Promise<{ status: number; headers?: Record<string, string>; body?: unknown }> {
    if (this.batchThrottle.remaining > 0) {
      this.batchThrottle.remaining -= 1;
      const e = graphError(429, "TooManyRequests", "Too many requests.");
      return {
        status: 429,
        headers: { "Retry-After": String(this.batchThrottle.retryAfterSeconds) },
        body: e.body,
      };
    }
    const method = String(r.method ?? "GET").toUpperCase();
    const url = new URL(String(r.url ?? ""), "http://batch.invalid/");
    const path = url.pathname;
    for (const route of this.inner) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
      const res = await route.handler({
        method,
        path,
        params,
        query: url.searchParams,
        headers: outer.headers,
        body: r.body,
      });
      return { status: res.status, headers: res.headers, body: res.body };
    }
    const e = graphError(400, "BadRequest", `Invalid request URL '${String(r.url)}'.`);
    return { status: e.status, body: e.body };
  }
}
