import crypto from "node:crypto";
import { Emulator, type EmulatorRequest, type EmulatorResponse, type RateLimit } from "./framework";

/**
 * Google Workspace Admin SDK Directory API emulator (base `/admin/directory/v1`) with the OAuth
 * token endpoint of a service account with domain-wide delegation (`POST /token`), in memory.
 * Written from Google's reference and ../shared/facts/providers.md §1, not from any adapter:
 *
 * - Token: `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`; the JWT is
 *   RS256, signed with the service account's private key (verified with its public key), `iss`
 *   the service account, `sub` the impersonated admin, `scope` space-separated, `aud`
 *   `https://oauth2.googleapis.com/token`, `exp` ≤ `iat` + 3600. Answers
 *   `{access_token, expires_in, token_type: "Bearer"}`; failures are OAuth error bodies.
 * - Every Directory route needs `Authorization: Bearer <access token>` with a scope that covers
 *   it (401 `authError` / 403 insufficient scopes otherwise).
 * - Users (insert/get/list/update/patch/delete; list pages with `pageToken`, `maxResults` default
 *   100, at most 500), renaming `primaryEmail` keeps the old address as an alias; user aliases
 *   (insert/list/delete, at most 30 per user); groups (list pages of at most 200) and members
 *   (insert/list/delete, pages of at most 200).
 * - Error bodies `{"error":{"code","message","errors":[{"domain","reason","message"}]}}`: 409
 *   `duplicate` ("Entity already exists." / "Member already exists."), 404 `notFound`
 *   ("Resource Not Found: userKey" / "groupKey" / "memberKey"), 403 `userRateLimitExceeded`
 *   (the 2,400 queries/min limit, when a rate limit is set) and `quotaExceeded` (inject it).
 * - Eventual consistency (`consistencyLag(n)`): after a write to a user or group, its next `n`
 *   single-object reads (`GET /users/{key}`, `/users/{key}/aliases`, `/groups/{key}`,
 *   `/groups/{key}/members`) answer 404 notFound, and so does adding that user as a member.
 *   Lists (`GET /users`, `GET /groups`) are not delayed.
 * - Deleting a user deletes its aliases; groups keep it as a member (mail to it then bounces).
 *
 * - Groups Settings API (`/groups/v1/groups/{email}`, scope `apps.groups.settings`): JSON only
 *   with `alt=json` (Atom otherwise), booleans are the strings "true"/"false",
 *   `whoCanPostMessage` from its enum, `NONE_CAN_POST` refused unless `archiveOnly` is "true".
 *
 * UNCONFIRMED (no public source): the status and text of the 31st alias (here 400 `invalid`,
 * "Too many aliases for this user.") and of `maxResults` above the maximum (here clamped).
 */

export const GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token";
export const SCOPES = {
  user: "https://www.googleapis.com/auth/admin.directory.user",
  userAlias: "https://www.googleapis.com/auth/admin.directory.user.alias",
  group: "https://www.googleapis.com/auth/admin.directory.group",
  groupMember: "https://www.googleapis.com/auth/admin.directory.group.member",
  groupsSettings: "https://www.googleapis.com/auth/apps.groups.settings",
} as const;
export const MAX_ALIASES_PER_USER = 30;

/** A user as the Directory API returns it (no password). */
export interface DirectoryUser {
  kind: "admin#directory#user";
  id: string;
  etag: string;
  primaryEmail: string;
  name: { givenName: string; familyName: string; fullName: string; displayName?: string };
  isAdmin: boolean;
  isEnforcedIn2Sv: boolean;
  isEnrolledIn2Sv: boolean;
  suspended: boolean;
  changePasswordAtNextLogin: boolean;
  orgUnitPath: string;
  customerId: string;
  creationTime: string;
  organizations?: { title?: string; department?: string; primary?: boolean }[];
  aliases?: string[];
}

/** A group as the Directory API returns it. */
export interface DirectoryGroup {
  kind: "admin#directory#group";
  id: string;
  etag: string;
  email: string;
  name: string;
  description: string;
  directMembersCount: string;
  adminCreated: boolean;
  aliases?: string[];
}

/** A member of a group. */
export interface DirectoryMember {
  kind: "admin#directory#member";
  id: string;
  etag: string;
  email: string;
  role: "OWNER" | "MANAGER" | "MEMBER";
  type: "USER" | "GROUP" | "EXTERNAL" | "CUSTOMER";
  status: "ACTIVE";
}

/** Options of the emulator. */
export interface GoogleDirectoryEmulatorOptions {
  /** Domains verified in the customer account. */
  domains?: string[];
  customerId?: string;
  /** The service account's email (`iss` of the JWT). */
  serviceAccountEmail: string;
  /** The service account's public key (PEM), to verify the JWT's RS256 signature. */
  publicKey: string;
  /** Admins the service account may impersonate (`sub`). */
  admins: string[];
  /** Requests allowed per window (403 `userRateLimitExceeded` beyond); none when absent. */
  rateLimit?: { limit: number; windowMs: number };
  /** Reads answering 404 after a write (eventual consistency). @default 0 */
  consistencyLag?: number;
  /**
   * The scopes domain-wide delegation grants the service account's client id (Admin console >
   * Security > API controls). A token request naming any other is refused, as Google does.
   * @default every scope the emulator serves
   */
  delegatedScopes?: string[];
}

/** Google's error body. */
export function googleError(
  code: number,
  reason: string,
  message: string,
  domain = "global",
): EmulatorResponse {
  return {
    status: code,
    body: { error: { code, message, errors: [{ domain, reason, message }] } },
  };
}

const notFound = (what: string) => googleError(404, "notFound", `Resource Not Found: ${what}`);
const duplicate = (message = "Entity already exists.") => googleError(409, "duplicate", message);
const invalid = (message: string) => googleError(400, "invalid", message);
const forbidden = () => googleError(403, "forbidden", "Not Authorized to access this resource/api");

/** The rate-limit answer: 403, not 429. */
export const rateLimitBody = {
  error: {
    code: 403,
    message: "Rate Limit Exceeded",
    errors: [
      { domain: "usageLimits", reason: "userRateLimitExceeded", message: "Rate Limit Exceeded" },
    ],
  },
};
/** The concurrent-request answer, for fault injection. */
export const quotaExceededBody = {
  error: {
    code: 403,
    message: "Quota exceeded",
    errors: [{ domain: "usageLimits", reason: "quotaExceeded", message: "Quota exceeded" }],
  },
};

/** Group settings whose values are the strings "true" / "false". */
const SETTINGS_BOOLEANS = new Set([
  "allowExternalMembers",
  "allowWebPosting",
  "archiveOnly",
  "isArchived",
  "membersCanPostAsTheGroup",
  "includeInGlobalAddressList",
  "enableCollaborativeInbox",
]);
const WHO_CAN_POST = new Set([
  "NONE_CAN_POST",
  "ALL_MANAGERS_CAN_POST",
  "ALL_MEMBERS_CAN_POST",
  "ALL_OWNERS_CAN_POST",
  "ALL_IN_DOMAIN_CAN_POST",
  "ANYONE_CAN_POST",
]);

/** A new group's settings as the Groups Settings API returns them (booleans as strings). */
function defaultGroupSettings(g: { email: string; name: string; description: string }) {
  return {
    kind: "groupsSettings#groups",
    email: g.email,
    name: g.name,
    description: g.description,
    whoCanJoin: "CAN_REQUEST_TO_JOIN",
    whoCanViewMembership: "ALL_MEMBERS_CAN_VIEW",
    whoCanViewGroup: "ALL_MEMBERS_CAN_VIEW",
    whoCanPostMessage: "ANYONE_CAN_POST",
    allowExternalMembers: "false",
    allowWebPosting: "true",
    archiveOnly: "false",
    isArchived: "false",
    membersCanPostAsTheGroup: "false",
    includeInGlobalAddressList: "true",
    enableCollaborativeInbox: "false",
  } as Record<string, string>;
}

const EMAIL = /^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/;

function b64urlJson(part: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as unknown;
    return v && typeof v === "object" ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const oauthError = (status: number, error: string, description: string): EmulatorResponse => ({
  status,
  body: { error, error_description: description },
});

/** The emulator, with a test API over its state. */
export class GoogleDirectoryEmulator extends Emulator {
  readonly customerId: string;
  private readonly domains: Set<string>;
  private readonly options: GoogleDirectoryEmulatorOptions;
  private readonly users = new Map<string, DirectoryUser>();
  private readonly passwords = new Map<string, { password: string; hashFunction?: string }>();
  private readonly groups = new Map<string, DirectoryGroup>();
  private readonly members = new Map<string, Map<string, DirectoryMember>>();
  private readonly tokens = new Map<string, { sub: string; scopes: Set<string>; exp: number }>();
  private readonly lag = new Map<string, number>();
  private readonly settings = new Map<string, Record<string, string>>();
  /**
   * Org units by path with their 2-step verification policy (set in the Admin console; the API
   * can only read a user's `isEnforcedIn2Sv`). A user inherits the nearest ancestor's policy.
   */
  private readonly orgUnits = new Map<string, { enforce2Sv?: boolean }>([
    ["/", { enforce2Sv: false }],
  ]);
  private lagReads: number;
  private nextId = 100000;
  /** Every JWT claim set the token endpoint accepted. */
  readonly grants: Record<string, unknown>[] = [];

  constructor(options: GoogleDirectoryEmulatorOptions) {
    super({
      name: "google-directory",
      basePath: "/admin/directory/v1",
      authenticate: (req) => this.checkBearer(req),
      rateLimit: options.rateLimit && GoogleDirectoryEmulator.rateLimitOf(options.rateLimit),
    });
    this.options = options;
    this.customerId = options.customerId ?? "C01abc234";
    this.domains = new Set(options.domains ?? ["example.org"]);
    this.lagReads = options.consistencyLag ?? 0;
    this.registerRoutes();
  }

  /** Google's per-user limit answer as a framework rate limit. */
  static rateLimitOf(rl: { limit: number; windowMs: number }): RateLimit {
    return { ...rl, status: 403, body: rateLimitBody };
  }

  /** The token endpoint's URL (outside the Directory base path). */
  get tokenUrl(): string {
    return this.url.replace(/\/admin\/directory\/v1$/, "") + "/token";
  }

  /** Revokes every access token issued so far (Directory calls then answer 401). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Reads of a freshly written object answer 404 this many times (0: consistent). */
  consistencyLag(reads: number): void {
    this.lagReads = reads;
    this.lag.clear();
  }

  // ---- test API ----

  /** Copies of every user, sorted by primary email. */
  allUsers(): DirectoryUser[] {
    return [...this.users.values()]
      .map((u) => structuredClone(u))
      .sort((a, b) => a.primaryEmail.localeCompare(b.primaryEmail));
  }

  /** A user by primary email or alias (copy). */
  user(key: string): DirectoryUser | undefined {
    const u = this.findUser(key);
    return u && structuredClone(u);
  }

  /** The password (and hash function) last set for a user. */
  passwordOf(key: string): { password: string; hashFunction?: string } | undefined {
    const u = this.findUser(key);
    return u && this.passwords.get(u.id);
  }

  /** Creates a user directly (as an admin would in the console). */
  putUser(
    email: string,
    givenName: string,
    familyName: string,
    extra: Partial<DirectoryUser> = {},
  ) {
    const u = this.newUser(email.toLowerCase(), givenName, familyName);
    Object.assign(u, extra);
    this.users.set(u.id, u);
    return structuredClone(u);
  }

  /**
   * Creates an org unit, or changes its 2-step verification enforcement, as an admin does in the
   * console (Security > 2-Step Verification > enforcement per org unit). Users in it, or in an
   * org unit below it without a policy of its own, then report `isEnforcedIn2Sv`.
   */
  putOrgUnit(path: string, policy: { enforce2Sv?: boolean } = {}): void {
    if (!/^\/([^/]+(\/[^/]+)*)?$/.test(path)) throw new Error(`emulator: bad org unit ${path}`);
    const parent = path.slice(0, path.lastIndexOf("/")) || "/";
    if (path !== "/" && !this.orgUnits.has(parent)) {
      throw new Error(`emulator: no parent org unit ${parent}`);
    }
    const own = this.orgUnits.get(path);
    const enforce2Sv = policy.enforce2Sv ?? own?.enforce2Sv;
    this.orgUnits.set(path, enforce2Sv === undefined ? {} : { enforce2Sv });
    for (const u of this.users.values()) u.isEnforcedIn2Sv = this.enforced(u.orgUnitPath);
  }

  /** The 2SV policy at an org unit path: its own, else its nearest ancestor's (inherited). */
  private enforced(path: string): boolean {
    for (let p = path; ; p = p.slice(0, p.lastIndexOf("/")) || "/") {
      const own = this.orgUnits.get(p)?.enforce2Sv;
      if (own !== undefined) return own;
      if (p === "/") return false;
    }
  }

  /** Changes a user directly. */
  patchUser(key: string, patch: Partial<DirectoryUser>): void {
    const u = this.findUser(key);
    if (!u) throw new Error(`emulator: no user ${key}`);
    Object.assign(u, patch);
  }

  /** Copies of every group with its member addresses, sorted. */
  allGroups(): (DirectoryGroup & { memberEmails: string[] })[] {
    return [...this.groups.values()]
      .map((g) => ({
        ...structuredClone(g),
        memberEmails: [...(this.members.get(g.id)?.keys() ?? [])].sort(),
      }))
      .sort((a, b) => a.email.localeCompare(b.email));
  }

  /** A group's settings as the Groups Settings API holds them (copy), by the group's address. */
  groupSettings(email: string): Record<string, string> | undefined {
    const g = this.findGroup(email);
    const set = g && this.settings.get(g.id);
    return set && { ...set };
  }

  /** Creates a group directly. */
  putGroup(email: string, name: string, memberEmails: string[] = []): void {
    const g = this.newGroup(email.toLowerCase(), name, "");
    this.groups.set(g.id, g);
    this.settings.set(g.id, defaultGroupSettings(g));
    const m = new Map<string, DirectoryMember>();
    for (const e of memberEmails) m.set(e.toLowerCase(), this.newMember(e.toLowerCase(), "MEMBER"));
    this.members.set(g.id, m);
    g.directMembersCount = String(m.size);
  }

  // ---- internals ----

  private id(): string {
    this.nextId += 1;
    return String(this.nextId) + "1234567890";
  }

  private etag(): string {
    return `"${crypto.randomBytes(12).toString("base64url")}"`;
  }

  private newUser(email: string, givenName: string, familyName: string): DirectoryUser {
    return {
      kind: "admin#directory#user",
      id: this.id(),
      etag: this.etag(),
      primaryEmail: email,
      name: { givenName, familyName, fullName: `${givenName} ${familyName}`.trim() },
      isAdmin: false,
      isEnforcedIn2Sv: false,
      isEnrolledIn2Sv: false,
      suspended: false,
      changePasswordAtNextLogin: false,
      orgUnitPath: "/",
      customerId: this.customerId,
      creationTime: new Date().toISOString(),
    };
  }

  private newGroup(email: string, name: string, description: string): DirectoryGroup {
    return {
      kind: "admin#directory#group",
      id: this.id(),
      etag: this.etag(),
      email,
      name,
      description,
      directMembersCount: "0",
      adminCreated: true,
    };
  }

  private newMember(email: string, role: DirectoryMember["role"]): DirectoryMember {
    const u = this.findUser(email);
    const g = this.findGroup(email);
    return {
      kind: "admin#directory#member",
      id: u?.id ?? g?.id ?? this.id(),
      etag: this.etag(),
      email,
      role,
      type: u ? "USER" : g ? "GROUP" : "EXTERNAL",
      status: "ACTIVE",
    };
  }

  private findUser(key: string): DirectoryUser | undefined {
    const k = key.toLowerCase();
    const byId = this.users.get(key);
    if (byId) return byId;
    for (const u of this.users.values()) {
      if (u.primaryEmail === k || u.aliases?.includes(k)) return u;
    }
    return undefined;
  }

  private findGroup(key: string): DirectoryGroup | undefined {
    const k = key.toLowerCase();
    const byId = this.groups.get(key);
    if (byId) return byId;
    for (const g of this.groups.values()) {
      if (g.email === k || g.aliases?.includes(k)) return g;
    }
    return undefined;
  }

  /** True when any user, user alias, group or group alias holds the address. */
  private taken(email: string): boolean {
    return this.findUser(email) !== undefined || this.findGroup(email) !== undefined;
  }

  private wrote(id: string): void {
    if (this.lagReads > 0) this.lag.set(id, this.lagReads);
  }

  /** True (and one stale read used up) while the object is still propagating. */
  private stale(id: string): boolean {
    const n = this.lag.get(id) ?? 0;
    if (n <= 0) return false;
    if (n === 1) this.lag.delete(id);
    else this.lag.set(id, n - 1);
    return true;
  }

  private ownedDomain(email: string): boolean {
    return this.domains.has(email.split("@")[1] ?? "");
  }

  private checkBearer(req: EmulatorRequest): EmulatorResponse | undefined {
    if (req.path === "/token") return undefined;
    const header = req.headers.authorization ?? "";
    const token = /^Bearer (\S+)$/.exec(header)?.[1];
    const grant = token === undefined ? undefined : this.tokens.get(token);
    if (!grant || grant.exp <= Date.now() / 1000) {
      return {
        status: 401,
        body: {
          error: {
            code: 401,
            message:
              "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
            errors: [{ domain: "global", reason: "authError", message: "Invalid Credentials" }],
            status: "UNAUTHENTICATED",
          },
        },
      };
    }
    const needs = req.path.startsWith("/groups/v1/")
      ? [SCOPES.groupsSettings]
      : req.path.includes("/members")
        ? [SCOPES.group, SCOPES.groupMember]
        : req.path.startsWith("/groups")
          ? [SCOPES.group]
          : req.path.includes("/aliases")
            ? [SCOPES.user, SCOPES.userAlias]
            : [SCOPES.user];
    if (!needs.some((s) => grant.scopes.has(s))) {
      return {
        status: 403,
        body: {
          error: {
            code: 403,
            message: "Request had insufficient authentication scopes.",
            errors: [
              {
                domain: "global",
                reason: "insufficientPermissions",
                message: "Insufficient Permission",
              },
            ],
            status: "PERMISSION_DENIED",
          },
        },
      };
    }
    return undefined;
  }

  private token(req: EmulatorRequest): EmulatorResponse {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.grant_type !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      return oauthError(
        400,
        "unsupported_grant_type",
        "Invalid grant_type: " + String(body.grant_type ?? ""),
      );
    }
    const assertion = typeof body.assertion === "string" ? body.assertion : "";
    const parts = assertion.split(".");
    const header = parts.length === 3 ? b64urlJson(parts[0]!) : undefined;
    const claims = parts.length === 3 ? b64urlJson(parts[1]!) : undefined;
    if (!header || !claims)
      return oauthError(
        400,
        "invalid_grant",
        "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.",
      );
    if (header.alg !== "RS256") return oauthError(400, "invalid_grant", "Invalid JWT Signature.");
    const ok = crypto.verify(
      "RSA-SHA256",
      Buffer.from(`${parts[0]}.${parts[1]}`),
      this.options.publicKey,
      Buffer.from(parts[2]!, "base64url"),
    );
    if (!ok) return oauthError(400, "invalid_grant", "Invalid JWT Signature.");
    const now = Date.now() / 1000;
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!(exp > now) || !(exp - iat <= 3600) || !(iat <= now + 300)) {
      return oauthError(
        400,
        "invalid_grant",
        "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.",
      );
    }
    if (claims.aud !== GOOGLE_TOKEN_AUDIENCE) {
      return oauthError(400, "invalid_grant", "Invalid JWT: Failed audience check.");
    }
    if (claims.iss !== this.options.serviceAccountEmail) {
      return oauthError(400, "invalid_grant", "Invalid grant: account not found");
    }
    const scopes = new Set(typeof claims.scope === "string" ? claims.scope.split(" ") : []);
    if (
      typeof claims.sub !== "string" ||
      !this.options.admins.includes(claims.sub) ||
      scopes.size === 0 ||
      [...scopes].some((s) => !(this.options.delegatedScopes ?? Object.values(SCOPES)).includes(s))
    ) {
      return oauthError(
        401,
        "unauthorized_client",
        "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.",
      );
    }
    this.grants.push(claims);
    const accessToken = `ya29.${crypto.randomBytes(24).toString("base64url")}`;
    this.tokens.set(accessToken, { sub: claims.sub, scopes, exp: now + 3599 });
    return {
      status: 200,
      body: { access_token: accessToken, expires_in: 3599, token_type: "Bearer" },
    };
  }

  private page<T>(req: EmulatorRequest, items: T[], max: number, field: string, kind: string) {
    const asked = Number(req.query.get("maxResults") ?? 100);
    const size = Math.min(Math.max(Number.isFinite(asked) && asked > 0 ? asked : 100, 1), max);
    const tokenText = req.query.get("pageToken");
    let offset = 0;
    if (tokenText) {
      const decoded = /^o(\d+)$/.exec(Buffer.from(tokenText, "base64url").toString("utf8"));
      if (!decoded) return invalid("Invalid Input: pageToken");
      offset = Number(decoded[1]);
    }
    const slice = items.slice(offset, offset + size);
    const body: Record<string, unknown> = { kind, etag: this.etag() };
    if (slice.length > 0) body[field] = slice;
    if (offset + size < items.length) {
      body.nextPageToken = Buffer.from(`o${offset + size}`).toString("base64url");
    }
    return { status: 200, body };
  }

  /** Applies writable user fields; returns an error response for bad values. */
  private applyUser(u: DirectoryUser, body: Record<string, unknown>, put: boolean) {
    const name = body.name as Record<string, unknown> | undefined;
    if (name !== undefined) {
      if (name === null || typeof name !== "object") return invalid("Invalid Input: name");
      for (const f of ["givenName", "familyName"] as const) {
        if (name[f] === undefined) continue;
        if (typeof name[f] !== "string" || name[f].trim() === "" || name[f].length > 60) {
          return invalid(
            `Invalid Given/Family Name: ${f === "givenName" ? "GivenName" : "FamilyName"}`,
          );
        }
        u.name[f] = name[f];
      }
      u.name.fullName = `${u.name.givenName} ${u.name.familyName}`.trim();
      if (name.displayName !== undefined) {
        if (typeof name.displayName !== "string" || name.displayName.length > 256) {
          return invalid("Invalid Input: displayName");
        }
        u.name.displayName = name.displayName;
      }
    }
    for (const f of ["suspended", "changePasswordAtNextLogin"] as const) {
      if (body[f] === undefined) continue;
      if (typeof body[f] !== "boolean") return invalid(`Invalid Input: ${f}`);
      u[f] = body[f];
    }
    if (body.orgUnitPath !== undefined) {
      if (typeof body.orgUnitPath !== "string" || !this.orgUnits.has(body.orgUnitPath)) {
        return invalid("Invalid Input: INVALID_OU_ID");
      }
      u.orgUnitPath = body.orgUnitPath;
      u.isEnforcedIn2Sv = this.enforced(u.orgUnitPath);
    }
    if (body.organizations !== undefined) {
      if (body.organizations === null && put) delete u.organizations;
      else if (!Array.isArray(body.organizations)) return invalid("Invalid Input: organizations");
      else u.organizations = structuredClone(body.organizations) as DirectoryUser["organizations"];
    }
    if (body.password !== undefined) {
      const hashFunction = typeof body.hashFunction === "string" ? body.hashFunction : undefined;
      if (hashFunction !== undefined && !["MD5", "SHA-1", "crypt"].includes(hashFunction)) {
        return invalid("Invalid Input: hashFunction");
      }
      // A plain password is 8–100 characters; a crypt hash must be one ($1$ MD5, $5$ SHA-256,
      // $6$ SHA-512 crypt).
      const password = typeof body.password === "string" ? body.password : undefined;
      const ok =
        password !== undefined &&
        (hashFunction === "crypt"
          ? /^\$[156]\$(rounds=\d+\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]+$/.test(password)
          : hashFunction !== undefined || (password.length >= 8 && password.length <= 100));
      if (!ok) return invalid("Invalid Password");
      this.passwords.set(u.id, {
        password,
        ...(hashFunction ? { hashFunction } : {}),
      });
    }
    return undefined;
  }

  private registerRoutes(): void {
    this.route("POST", "/token", (req) => this.token(req));

    // ---- users ----
    this.route("GET", "/users", (req) => {
      const domain = req.query.get("domain");
      const customer = req.query.get("customer");
      if (!domain && !customer) return invalid("Bad Request");
      if (domain && !this.domains.has(domain)) return forbidden();
      if (customer && customer !== "my_customer" && customer !== this.customerId)
        return forbidden();
      const list = this.allUsers().filter((u) => !domain || u.primaryEmail.endsWith(`@${domain}`));
      return this.page(req, list, 500, "users", "admin#directory#users");
    });
    this.route("POST", "/users", (req) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const email = typeof body.primaryEmail === "string" ? body.primaryEmail.toLowerCase() : "";
      if (!EMAIL.test(email)) return invalid("Invalid Input: primary_user_email");
      const name = body.name as Record<string, unknown> | undefined;
      if (!name || typeof name.givenName !== "string")
        return invalid("Invalid Given/Family Name: GivenName");
      if (typeof name.familyName !== "string")
        return invalid("Invalid Given/Family Name: FamilyName");
      if (body.password === undefined) return invalid("Invalid Password");
      if (!this.ownedDomain(email)) return forbidden();
      if (this.taken(email)) return duplicate();
      const u = this.newUser(email, "", "");
      const bad = this.applyUser(u, body, false);
      if (bad) {
        this.passwords.delete(u.id);
        return bad;
      }
      this.users.set(u.id, u);
      this.wrote(u.id);
      return { status: 200, body: u };
    });
    const one = "/users/:userKey";
    this.route("GET", one, (req) => {
      const u = this.findUser(req.params.userKey!);
      if (!u || this.stale(u.id)) return notFound("userKey");
      return { status: 200, body: u };
    });
    const update = (put: boolean) => (req: EmulatorRequest) => {
      const u = this.findUser(req.params.userKey!);
      if (!u) return notFound("userKey");
      const body = (req.body ?? {}) as Record<string, unknown>;
      const next = structuredClone(u);
      const bad = this.applyUser(next, body, put);
      if (bad) return bad;
      if (body.primaryEmail !== undefined && body.primaryEmail !== u.primaryEmail) {
        const email = String(body.primaryEmail).toLowerCase();
        if (!EMAIL.test(email)) return invalid("Invalid Input: primary_user_email");
        if (!this.ownedDomain(email)) return forbidden();
        const holder = this.findUser(email);
        if ((holder && holder !== u) || this.findGroup(email)) return duplicate();
        // A rename keeps the old address as an alias, as Google does.
        next.aliases = [...(next.aliases ?? []).filter((a) => a !== email), u.primaryEmail];
        next.primaryEmail = email;
        // Memberships are held by id: the groups list the user by its new address.
        for (const [gid, m] of this.members) {
          const held = m.get(u.primaryEmail);
          if (held === undefined || held.id !== u.id) continue;
          m.delete(u.primaryEmail);
          m.set(email, { ...held, email });
          this.wrote(gid);
        }
      }
      next.etag = this.etag();
      Object.assign(u, next);
      this.wrote(u.id);
      return { status: 200, body: u };
    };
    this.route("PUT", one, update(true));
    this.route("PATCH", one, update(false));
    this.route("DELETE", one, (req) => {
      const u = this.findUser(req.params.userKey!);
      if (!u) return notFound("userKey");
      this.users.delete(u.id);
      this.passwords.delete(u.id);
      // The user's aliases go with it; group memberships stay (mail to them bounces).
      return { status: 204 };
    });

    // ---- user aliases ----
    const aliases = `${one}/aliases`;
    const aliasBody = (u: DirectoryUser, alias: string) => ({
      kind: "admin#directory#alias",
      id: u.id,
      etag: this.etag(),
      primaryEmail: u.primaryEmail,
      alias,
    });
    this.route("GET", aliases, (req) => {
      const u = this.findUser(req.params.userKey!);
      if (!u || this.stale(u.id)) return notFound("userKey");
      const body: Record<string, unknown> = { kind: "admin#directory#aliases", etag: this.etag() };
      if (u.aliases?.length) body.aliases = u.aliases.map((a) => aliasBody(u, a));
      return { status: 200, body };
    });
    this.route("POST", aliases, (req) => {
      const u = this.findUser(req.params.userKey!);
      if (!u) return notFound("userKey");
      const raw = (req.body as Record<string, unknown> | undefined)?.alias;
      const alias = typeof raw === "string" ? raw.toLowerCase() : "";
      if (!EMAIL.test(alias)) return invalid("Invalid Input: alias_email");
      if (!this.ownedDomain(alias)) return forbidden();
      if (this.taken(alias)) return duplicate();
      if ((u.aliases?.length ?? 0) >= MAX_ALIASES_PER_USER) {
        return invalid("Too many aliases for this user.");
      }
      u.aliases = [...(u.aliases ?? []), alias];
      u.etag = this.etag();
      this.wrote(u.id);
      return { status: 201, body: aliasBody(u, alias) };
    });
    this.route("DELETE", `${aliases}/:alias`, (req) => {
      const u = this.findUser(req.params.userKey!);
      if (!u) return notFound("userKey");
      const alias = req.params.alias!.toLowerCase();
      if (!u.aliases?.includes(alias)) return notFound("aliasKey");
      u.aliases = u.aliases.filter((a) => a !== alias);
      if (u.aliases.length === 0) delete u.aliases;
      this.wrote(u.id);
      return { status: 204 };
    });

    // ---- groups ----
    this.route("GET", "/groups", (req) => {
      const domain = req.query.get("domain");
      const customer = req.query.get("customer");
      if (!domain && !customer) return invalid("Bad Request");
      if (domain && !this.domains.has(domain)) return forbidden();
      const list = this.allGroups()
        .filter((g) => !domain || g.email.endsWith(`@${domain}`))
        .map(({ memberEmails: _m, ...g }) => g);
      return this.page(req, list, 200, "groups", "admin#directory#groups");
    });
    this.route("POST", "/groups", (req) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const email = typeof body.email === "string" ? body.email.toLowerCase() : "";
      if (!EMAIL.test(email)) return invalid("Invalid Input: email");
      if (!this.ownedDomain(email)) return forbidden();
      if (this.taken(email)) return duplicate();
      const g = this.newGroup(
        email,
        typeof body.name === "string" && body.name !== "" ? body.name : email.split("@")[0]!,
        typeof body.description === "string" ? body.description : "",
      );
      this.groups.set(g.id, g);
      this.members.set(g.id, new Map());
      this.settings.set(g.id, defaultGroupSettings(g));
      this.wrote(g.id);
      return { status: 200, body: g };
    });
    const group = "/groups/:groupKey";
    this.route("GET", group, (req) => {
      const g = this.findGroup(req.params.groupKey!);
      if (!g || this.stale(g.id)) return notFound("groupKey");
      return { status: 200, body: g };
    });
    const updateGroup = (req: EmulatorRequest) => {
      const g = this.findGroup(req.params.groupKey!);
      if (!g) return notFound("groupKey");
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (typeof body.name === "string") g.name = body.name;
      if (typeof body.description === "string") g.description = body.description;
      g.etag = this.etag();
      this.wrote(g.id);
      return { status: 200, body: g };
    };
    this.route("PUT", group, updateGroup);
    this.route("PATCH", group, updateGroup);
    this.route("DELETE", group, (req) => {
      const g = this.findGroup(req.params.groupKey!);
      if (!g) return notFound("groupKey");
      this.groups.delete(g.id);
      this.members.delete(g.id);
      return { status: 204 };
    });

    // ---- Groups Settings API (https://www.googleapis.com/groups/v1/groups/{email}) ----
    const settings = "/groups/v1/groups/:groupEmail";
    const withSettings = (
      req: EmulatorRequest,
      fn: (g: DirectoryGroup, set: Record<string, string>) => EmulatorResponse,
    ) => {
      const g = this.findGroup(req.params.groupEmail!);
      if (!g || this.stale(g.id)) return notFound("groupUniqueId");
      let set = this.settings.get(g.id);
      if (!set) {
        set = defaultGroupSettings(g);
        this.settings.set(g.id, set);
      }
      // The API's old default is Atom XML: JSON only with alt=json.
      if (req.query.get("alt") !== "json") {
        return {
          status: 200,
          headers: { "content-type": "application/atom+xml; charset=UTF-8" },
          body: `<entry xmlns="http://www.w3.org/2005/Atom"><id>tag:googleapis.com,2010:apps:groupssettings:GROUP:${g.email}</id></entry>`,
        };
      }
      return fn(g, set);
    };
    this.route("GET", settings, (req) =>
      withSettings(req, (_g, set) => ({ status: 200, body: set })),
    );
    const writeSettings = (req: EmulatorRequest) =>
      withSettings(req, (g, set) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const next = { ...set };
        for (const [k, v] of Object.entries(body)) {
          if (k === "kind" || k === "email") continue;
          if (!(k in set)) return invalid(`Invalid Input: ${k}`);
          if (typeof v !== "string") return invalid(`Invalid Value: ${k} must be a string`);
          if (SETTINGS_BOOLEANS.has(k) && v !== "true" && v !== "false") {
            return invalid(`Invalid Value: ${k} must be "true" or "false"`);
          }
          if (k === "whoCanPostMessage" && !WHO_CAN_POST.has(v)) {
            return invalid(`Invalid Value: whoCanPostMessage`);
          }
          next[k] = v;
        }
        if (next.whoCanPostMessage === "NONE_CAN_POST" && next.archiveOnly !== "true") {
          return invalid("Invalid Value: whoCanPostMessage NONE_CAN_POST requires archiveOnly");
        }
        this.settings.set(g.id, next);
        this.wrote(g.id);
        return { status: 200, body: next };
      });
    this.route("PUT", settings, writeSettings);
    this.route("PATCH", settings, writeSettings);

    // ---- members ----
    const members = `${group}/members`;
    this.route("GET", members, (req) => {
      const g = this.findGroup(req.params.groupKey!);
      if (!g || this.stale(g.id)) return notFound("groupKey");
      const list = [...this.members.get(g.id)!.values()].sort((a, b) =>
        a.email.localeCompare(b.email),
      );
      return this.page(req, list, 200, "members", "admin#directory#members");
    });
    this.route("POST", members, (req) => {
      const g = this.findGroup(req.params.groupKey!);
      if (!g) return notFound("groupKey");
      const body = (req.body ?? {}) as Record<string, unknown>;
      const email = typeof body.email === "string" ? body.email.toLowerCase() : "";
      if (!EMAIL.test(email)) return invalid("Invalid Input: memberKey");
      const u = this.findUser(email);
      if (u && this.stale(u.id)) return notFound("memberKey");
      if (this.findGroup(email) === g) return invalid("Invalid Input: memberKey (cycle)");
      const m = this.members.get(g.id)!;
      const key = u?.primaryEmail ?? email;
      if (m.has(key)) return duplicate("Member already exists.");
      const role = body.role ?? "MEMBER";
      if (role !== "OWNER" && role !== "MANAGER" && role !== "MEMBER") {
        return invalid("Invalid Input: role");
      }
      const member = this.newMember(key, role);
      m.set(key, member);
      g.directMembersCount = String(m.size);
      this.wrote(g.id);
      return { status: 200, body: member };
    });
    this.route("DELETE", `${members}/:memberKey`, (req) => {
      const g = this.findGroup(req.params.groupKey!);
      if (!g) return notFound("groupKey");
      const m = this.members.get(g.id)!;
      const key = req.params.memberKey!.toLowerCase();
      const userId = this.findUser(key)?.id;
      const found = [...m.values()].find(
        (x) => x.email === key || x.id === key || (userId !== undefined && x.id === userId),
      );
      if (!found) return notFound("memberKey");
      m.delete(found.email);
      g.directMembersCount = String(m.size);
      this.wrote(g.id);
      return { status: 204 };
    });
  }
}
