import crypto from "node:crypto";
import { Emulator, type EmulatorRequest, type EmulatorResponse } from "./framework";

/**
 * Zoho Mail organisation API emulator (`/api/organization/{zoid}/…`) with the Zoho Accounts token
 * endpoint (`POST /oauth/v2/token`), in memory. Written from Zoho's API reference
 * (zoho.com/mail/help/api: get-org-users-details, get-single-user, put-add-user-email-alias,
 * put-to-disable-user, put-to-enable-user, user-account-deletion, group-add-member,
 * delete-group-members, put-change-member-role, delete-group, response-codes), Zoho's token
 * validity pages and ../shared/facts/providers.md §3 — not from any adapter:
 *
 * - Token: `grant_type=refresh_token&client_id&client_secret&refresh_token` (query string or form
 *   body) → `{access_token, expires_in: 3600, api_domain, token_type: "Bearer"}`. A refresh
 *   token mints at most 10 access tokens in any 10 minutes; beyond, Zoho answers HTTP 200 with
 *   `{"error":"Access Denied"}` (Zoho's Kaizen #43: "the status code … remains 200") until the
 *   window has room again. Wrong client: `{"error":"invalid_client"}`; unknown refresh token:
 *   `{"error":"invalid_code"}` (both HTTP 200, as Zoho Accounts answers).
 * - API calls carry `Authorization: Zoho-oauthtoken <access token>`; an unknown or expired one is
 *   answered `{"data":{"errorCode":"INVALID_OAUTHTOKEN"},"status":{"code":400,"description":"Invalid Input"}}`.
 * - Every answer is the envelope `{"status":{"code","description"},"data"}`; codes 200, 201,
 *   400, 401, 403, 404, 500 as Zoho's response-codes page lists them.
 * - The ids: `zoid` (organisation) in every path; `zuid` (user) in the path of a user read and of
 *   the alias and password modes, and in every body; `accountId` (mailbox, a 19-digit string)
 *   in the path of enable/disable and the display-name mode. The wrong kind of id in a path is
 *   404 (no such user or account).
 * - Users: list pages with `start` (0-based, default 0) and `limit` (default 10); get by zuid or
 *   email address; add (`primaryEmailAddress`, `password` required); `mode` updates
 *   addEmailAlias / deleteEmailAlias / resetPassword (by zuid), disableUser / enableUser /
 *   updateDisplayName (by accountId; enableUser requires `unblockIncoming`); delete by
 *   `accountList` (zuids) or `emailList`. Disabling honours `removeAlias` and
 *   `removeGroupMembership` (omitted = false).
 * - Groups: add (`emailId`, `mailGroupMemberList` required, roles member/moderator), list, get
 *   with members, `mode` addMailGroupMember / deleteMailGroupMember / changeMemberRole, delete.
 * - Rate limit (`rateLimit`): Zoho documents about 30 requests a minute and then a lock-out of
 *   undisclosed length: the request over the limit starts a lock of `lockMs` during which every
 *   API request is refused (429 with the envelope); the token endpoint is another host and is
 *   not counted.
 *
 * UNCONFIRMED (no public source seen; chosen here and kept in one place): the `data` of error
 * envelopes (`errorCode`, `moreInfo`), the rate limit's status (429), the mode names
 * `deleteEmailAlias` and `updateDisplayName` and their bodies, the alias limit (Mail Lite's 5
 * per user by default; higher plans allow more), the shape of the group list, and a maximum
 * page size (none here).
 */

export const ZOHO_SCOPES = {
  accounts: "ZohoMail.organization.accounts.ALL",
  groups: "ZohoMail.organization.groups.ALL",
} as const;

/** What the token endpoint answers once a refresh token minted its 10 in 10 minutes. */
export const ACCESS_DENIED = {
  error: "Access Denied",
  error_description:
    "You have made too many requests continuously. Please try again after some time.",
};

/** A user as the API returns it (no password). */
export interface ZohoUser {
  zuid: number;
  accountId: string;
  primaryEmailAddress: string;
  displayName: string;
  firstName: string;
  lastName: string;
  role: "member" | "admin" | "super_admin";
  mailboxStatus: "enabled" | "disabled";
  incomingBlocked: boolean;
  emailAddress: { mailId: string; isPrimary: boolean; isAlias: boolean; isConfirmed: boolean }[];
}

/** A member of a group. */
export interface ZohoGroupMember {
  memberEmailId: string;
  role: "member" | "moderator";
}

/** A group as the API returns it (`mailGroupMemberList` only when one group is read). */
export interface ZohoGroup {
  zgid: number;
  emailId: string;
  name: string;
  groupDescription: string;
  accessType: "Public" | "Organization" | "Group" | "Moderated";
  mailGroupMemberList: ZohoGroupMember[];
}

interface StoredUser {
  zuid: number;
  accountId: string;
  primary: string;
  displayName: string;
  firstName: string;
  lastName: string;
  role: ZohoUser["role"];
  password: string;
  oneTimePassword: boolean;
  aliases: string[];
  disabled: boolean;
  incomingBlocked: boolean;
}

/** Options of the emulator. */
export interface ZohoMailEmulatorOptions {
  /** The organisation's zoid. @default 60012345 */
  organizationId?: number;
  /** Domains of the organisation (addresses elsewhere are refused). */
  domains: string[];
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Scopes granted to the refresh token. @default both ZOHO_SCOPES */
  scopes?: string[];
  /** Lifetime of an access token in seconds. @default 3600 */
  tokenLifetimeSec?: number;
  /** Access tokens one refresh token may mint per window. @default { limit: 10, windowMs: 600000 } */
  tokenLimit?: { limit: number; windowMs: number };
  /** The API's request limit and lock-out; none when absent. */
  rateLimit?: { limit: number; windowMs: number; lockMs: number };
  /** Aliases per user. @default 5 */
  aliasLimit?: number;
  /** Milliseconds clock for token expiry and every window. @default performance.now */
  clock?: () => number;
}

/** The envelope of a success. */
export const ok = (data: unknown, code = 200): EmulatorResponse => ({
  status: code,
  body: { status: { code, description: "success" }, data },
});

/** The envelope of a failure (Zoho's `status` with an error code and message in `data`). */
export function zohoError(
  code: number,
  errorCode: string,
  moreInfo: string,
  description = code === 400 ? "Invalid Input" : code === 404 ? "Not Found" : "Error",
): EmulatorResponse {
  return { status: code, body: { status: { code, description }, data: { errorCode, moreInfo } } };
}

const EMAIL = /^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/;
const invalid = (moreInfo: string) => zohoError(400, "INVALID_INPUT", moreInfo);
const exists = (address: string) =>
  zohoError(400, "EMAIL_ALREADY_EXISTS", `${address} is already in use in the organization`);
const noUser = (id: string) => zohoError(404, "USER_NOT_FOUND", `No user with id ${id}`);
const noAccount = (id: string) => zohoError(404, "ACCOUNT_NOT_FOUND", `No account with id ${id}`);
const noGroup = (id: string) => zohoError(404, "GROUP_NOT_FOUND", `No group with id ${id}`);

/** The Zoho Mail emulator. `url` is the API host (`…/api/organization/{zoid}` below it). */
export class ZohoMailEmulator extends Emulator {
  readonly organizationId: number;
  /** Access tokens minted (successful token requests). */
  minted = 0;
  /** Token requests refused with Access Denied. */
  mintsDenied = 0;
  /** Lock-outs started by the rate limit. */
  lockouts = 0;
  /** API requests refused while locked or over the limit. */
  throttled = 0;
  private readonly opts: ZohoMailEmulatorOptions;
  private readonly users = new Map<number, StoredUser>();
  private readonly groupsById = new Map<number, ZohoGroup>();
  private readonly tokens = new Map<string, { expiresAt: number; scopes: string[] }>();
  private readonly mints: number[] = [];
  private readonly apiRequests: number[] = [];
  private lockedUntil = 0;
  private nextZuid = 70_000_001;
  private nextAccount = 2_190_180_000_000_008_000n;
  private nextZgid = 18_550_100;
  private readonly clock: () => number;

  constructor(options: ZohoMailEmulatorOptions) {
    super({ name: "zoho-mail" });
    this.opts = options;
    this.organizationId = options.organizationId ?? 60_012_345;
    this.clock = options.clock ?? (() => performance.now());
    this.route("POST", "/oauth/v2/token", (req) => this.token(req));
    const org = "/api/organization/:zoid";
    this.route(
      "GET",
      `${org}/accounts`,
      this.api("accounts", (r) => this.listUsers(r)),
    );
    this.route(
      "POST",
      `${org}/accounts`,
      this.api("accounts", (r) => this.addUser(r)),
    );
    this.route(
      "DELETE",
      `${org}/accounts`,
      this.api("accounts", (r) => this.deleteUsers(r)),
    );
    this.route(
      "GET",
      `${org}/accounts/:key`,
      this.api("accounts", (r) => this.getUser(r)),
    );
    this.route(
      "PUT",
      `${org}/accounts/:id`,
      this.api("accounts", (r) => this.updateUser(r)),
    );
    this.route(
      "GET",
      `${org}/groups`,
      this.api("groups", () => this.listGroups()),
    );
    this.route(
      "POST",
      `${org}/groups`,
      this.api("groups", (r) => this.addGroup(r)),
    );
    this.route(
      "GET",
      `${org}/groups/:zgid`,
      this.api("groups", (r) => this.getGroup(r)),
    );
    this.route(
      "PUT",
      `${org}/groups/:zgid`,
      this.api("groups", (r) => this.updateGroup(r)),
    );
    this.route(
      "DELETE",
      `${org}/groups/:zgid`,
      this.api("groups", (r) => this.deleteGroup(r)),
    );
  }

  /** The token endpoint's URL (`<accounts host>/oauth/v2/token`; here the same server). */
  get tokenUrl(): string {
    return `${this.url}/oauth/v2/token`;
  }

  /** Replaces the API's rate limit (undefined: none); clears the window and any lock. */
  setZohoRateLimit(limit: ZohoMailEmulatorOptions["rateLimit"]): void {
    this.opts.rateLimit = limit;
    this.apiRequests.length = 0;
    this.lockedUntil = 0;
  }

  // ---------------- token endpoint ----------------

  private token(req: EmulatorRequest): EmulatorResponse {
    const form = { ...Object.fromEntries(req.query), ...((req.body as object) ?? {}) } as Record<
      string,
      string | undefined
    >;
    if (form.grant_type !== "refresh_token") {
      return { status: 200, body: { error: "unsupported_grant_type" } };
    }
    if (form.client_id !== this.opts.clientId || form.client_secret !== this.opts.clientSecret) {
      return { status: 200, body: { error: "invalid_client" } };
    }
    if (form.refresh_token !== this.opts.refreshToken) {
      return { status: 200, body: { error: "invalid_code" } };
    }
    const now = this.clock();
    const { limit, windowMs } = this.opts.tokenLimit ?? { limit: 10, windowMs: 600_000 };
    while (this.mints.length > 0 && now - this.mints[0]! >= windowMs) this.mints.shift();
    if (this.mints.length >= limit) {
      this.mintsDenied += 1;
      return { status: 200, body: ACCESS_DENIED };
    }
    this.mints.push(now);
    this.minted += 1;
    const lifetime = this.opts.tokenLifetimeSec ?? 3600;
    const token = `1000.${crypto.randomBytes(16).toString("hex")}.${crypto.randomBytes(16).toString("hex")}`;
    this.tokens.set(token, {
      expiresAt: now + lifetime * 1000,
      scopes: this.opts.scopes ?? Object.values(ZOHO_SCOPES),
    });
    return {
      status: 200,
      body: {
        access_token: token,
        expires_in: lifetime,
        api_domain: "https://www.zohoapis.com",
        token_type: "Bearer",
      },
    };
  }

  /** Expires every access token now (as if an hour had passed). */
  expireTokens(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }

  // ---------------- API plumbing ----------------

  private api(
    area: keyof typeof ZOHO_SCOPES,
    handler: (req: EmulatorRequest) => EmulatorResponse,
  ): (req: EmulatorRequest) => EmulatorResponse {
    return (req) => {
      const limited = this.throttle();
      if (limited) return limited;
      const auth = /^Zoho-oauthtoken (\S+)$/.exec(String(req.headers.authorization ?? ""));
      const token = auth ? this.tokens.get(auth[1]!) : undefined;
      if (!token || token.expiresAt <= this.clock()) {
        return zohoError(400, "INVALID_OAUTHTOKEN", "The access token is invalid or expired");
      }
      if (!token.scopes.includes(ZOHO_SCOPES[area])) {
        return zohoError(403, "OUTOFSCOPE", `The token lacks ${ZOHO_SCOPES[area]}`, "Forbidden");
      }
      if (req.params.zoid !== String(this.organizationId)) {
        return zohoError(404, "INVALID_ZOID", `No organization ${req.params.zoid}`);
      }
      return handler(req);
    };
  }

  /** The sliding window and the lock-out of `rateLimit`. */
  private throttle(): EmulatorResponse | undefined {
    const rl = this.opts.rateLimit;
    if (!rl) return undefined;
    const now = this.clock();
    const refuse = () => {
      this.throttled += 1;
      return zohoError(429, "TOO_MANY_REQUESTS", "API request limit reached; try again later");
    };
    if (now < this.lockedUntil) return refuse();
    while (this.apiRequests.length > 0 && now - this.apiRequests[0]! >= rl.windowMs) {
      this.apiRequests.shift();
    }
    if (this.apiRequests.length >= rl.limit) {
      this.lockedUntil = now + rl.lockMs;
      this.lockouts += 1;
      return refuse();
    }
    this.apiRequests.push(now);
    return undefined;
  }

  // ---------------- users ----------------

  private view(u: StoredUser): ZohoUser {
    return {
      zuid: u.zuid,
      accountId: u.accountId,
      primaryEmailAddress: u.primary,
      displayName: u.displayName,
      firstName: u.firstName,
      lastName: u.lastName,
      role: u.role,
      mailboxStatus: u.disabled ? "disabled" : "enabled",
      incomingBlocked: u.incomingBlocked,
      emailAddress: [
        { mailId: u.primary, isPrimary: true, isAlias: false, isConfirmed: true },
        ...u.aliases.map((a) => ({
          mailId: a,
          isPrimary: false,
          isAlias: true,
          isConfirmed: true,
        })),
      ],
    };
  }

  private inDomains(address: string): boolean {
    return this.opts.domains.includes(address.split("@")[1] ?? "");
  }

  /** Who holds an address: a user (primary or alias) or a group. */
  private holder(address: string): string | undefined {
    for (const u of this.users.values()) {
      if (u.primary === address || u.aliases.includes(address)) return `user ${u.zuid}`;
    }
    for (const g of this.groupsById.values()) if (g.emailId === address) return `group ${g.zgid}`;
    return undefined;
  }

  private byZuid(id: string): StoredUser | undefined {
    return /^\d+$/.test(id) ? this.users.get(Number(id)) : undefined;
  }

  private byAccountId(id: string): StoredUser | undefined {
    for (const u of this.users.values()) if (u.accountId === id) return u;
    return undefined;
  }

  private listUsers(req: EmulatorRequest): EmulatorResponse {
    const start = Number(req.query.get("start") ?? "0");
    const limit = Number(req.query.get("limit") ?? "10");
    if (!Number.isInteger(start) || start < 0 || !Number.isInteger(limit) || limit < 1) {
      return invalid("start must be an integer ≥ 0 and limit an integer ≥ 1");
    }
    const all = [...this.users.values()].sort((a, b) => a.zuid - b.zuid);
    return ok(all.slice(start, start + limit).map((u) => this.view(u)));
  }

  private getUser(req: EmulatorRequest): EmulatorResponse {
    const key = req.params.key!;
    const u = key.includes("@")
      ? [...this.users.values()].find((x) => x.primary === key.toLowerCase())
      : this.byZuid(key);
    return u ? ok(this.view(u)) : noUser(key);
  }

  private addUser(req: EmulatorRequest): EmulatorResponse {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const email = typeof b.primaryEmailAddress === "string" ? b.primaryEmailAddress : "";
    if (!EMAIL.test(email)) return invalid("primaryEmailAddress is mandatory and must be valid");
    if (typeof b.password !== "string" || b.password === "") {
      return invalid("password is mandatory");
    }
    if (!this.inDomains(email)) return invalid(`${email} is not in a domain of the organization`);
    if (this.holder(email)) return exists(email);
    const role = (b.role ?? "member") as StoredUser["role"];
    if (!["member", "admin", "super_admin"].includes(role)) return invalid("role is not valid");
    const text = (k: string): string => (typeof b[k] === "string" ? (b[k] as string) : "");
    const u: StoredUser = {
      zuid: this.nextZuid++,
      accountId: String(this.nextAccount++),
      primary: email,
      displayName: text("displayName") || [text("firstName"), text("lastName")].join(" ").trim(),
      firstName: text("firstName"),
      lastName: text("lastName"),
      role,
      password: b.password,
      oneTimePassword: b.oneTimePassword === true,
      aliases: [],
      disabled: false,
      incomingBlocked: false,
    };
    this.users.set(u.zuid, u);
    return ok(this.view(u), 201);
  }

  private updateUser(req: EmulatorRequest): EmulatorResponse {
    const id = req.params.id!;
    const b = (req.body ?? {}) as Record<string, unknown>;
    const mode = b.mode;
    const zuidMatches = (u: StoredUser): boolean => String(b.zuid) === String(u.zuid);
    if (mode === "addEmailAlias" || mode === "deleteEmailAlias" || mode === "resetPassword") {
      const u = this.byZuid(id);
      if (!u) return noUser(id);
      if (!zuidMatches(u)) return invalid(`zuid ${String(b.zuid)} does not match the path`);
      if (mode === "resetPassword") {
        if (typeof b.password !== "string" || b.password === "") {
          return invalid("password is mandatory");
        }
        u.password = b.password;
        return ok({});
      }
      const list = b.emailAlias;
      if (!Array.isArray(list) || list.length === 0 || !list.every((a) => typeof a === "string")) {
        return invalid("emailAlias must be a non-empty array of email addresses");
      }
      const aliases = (list as string[]).map((a) => a.toLowerCase());
      if (mode === "addEmailAlias") {
        for (const a of aliases) {
          if (!EMAIL.test(a)) return invalid(`${a} is not a valid email address`);
          if (!this.inDomains(a)) return invalid(`${a} is not in a domain of the organization`);
          if (this.holder(a)) return exists(a);
        }
        const limit = this.opts.aliasLimit ?? 5;
        if (u.aliases.length + new Set(aliases).size > limit) {
          return zohoError(400, "ALIAS_LIMIT_EXCEEDED", `A user can have at most ${limit} aliases`);
        }
        u.aliases.push(...new Set(aliases));
        u.aliases.sort();
        return ok({});
      }
      const missing = aliases.find((a) => !u.aliases.includes(a));
      if (missing)
        return zohoError(400, "ALIAS_NOT_FOUND", `${missing} is not an alias of the user`);
      u.aliases = u.aliases.filter((a) => !aliases.includes(a));
      return ok({});
    }
    if (mode === "disableUser" || mode === "enableUser" || mode === "updateDisplayName") {
      const u = this.byAccountId(id);
      if (!u) return noAccount(id);
      if (!zuidMatches(u)) return invalid(`zuid ${String(b.zuid)} does not match the account`);
      if (mode === "updateDisplayName") {
        if (typeof b.displayName !== "string" || b.displayName.trim() === "") {
          return invalid("displayName is mandatory");
        }
        u.displayName = b.displayName;
        return ok({});
      }
      if (mode === "enableUser") {
        if (typeof b.unblockIncoming !== "boolean") return invalid("unblockIncoming is mandatory");
        u.disabled = false;
        if (b.unblockIncoming) u.incomingBlocked = false;
        return ok({});
      }
      u.disabled = true;
      if (b.blockIncoming === true) u.incomingBlocked = true;
      if (b.removeAlias === true) u.aliases = [];
      if (b.removeGroupMembership === true) {
        for (const g of this.groupsById.values()) {
          g.mailGroupMemberList = g.mailGroupMemberList.filter(
            (m) => m.memberEmailId !== u.primary,
          );
        }
      }
      return ok({});
    }
    return invalid(`mode ${JSON.stringify(mode)} is not supported`);
  }

  private deleteUsers(req: EmulatorRequest): EmulatorResponse {
    const b = (req.body ?? {}) as { accountList?: unknown; emailList?: unknown };
    const targets: StoredUser[] = [];
    if (Array.isArray(b.accountList)) {
      for (const z of b.accountList) {
        const u = this.byZuid(String(z));
        if (!u) return noUser(String(z));
        targets.push(u);
      }
    } else if (Array.isArray(b.emailList)) {
      for (const e of b.emailList) {
        const u = [...this.users.values()].find((x) => x.primary === String(e).toLowerCase());
        if (!u) return noUser(String(e));
        targets.push(u);
      }
    } else {
      return invalid("accountList or emailList is mandatory");
    }
    for (const u of targets) this.users.delete(u.zuid);
    return ok({});
  }

  // ---------------- groups ----------------

  private listGroups(): EmulatorResponse {
    return ok(
      [...this.groupsById.values()]
        .sort((a, b) => a.zgid - b.zgid)
        .map(({ mailGroupMemberList, ...g }) => ({
          ...g,
          mailGroupMemberCount: mailGroupMemberList.length,
        })),
    );
  }

  private group(id: string): ZohoGroup | undefined {
    return /^\d+$/.test(id) ? this.groupsById.get(Number(id)) : undefined;
  }

  private getGroup(req: EmulatorRequest): EmulatorResponse {
    const g = this.group(req.params.zgid!);
    return g ? ok(structuredClone(g)) : noGroup(req.params.zgid!);
  }

  private members(list: unknown): ZohoGroupMember[] | EmulatorResponse {
    if (!Array.isArray(list) || list.length === 0) {
      return invalid("mailGroupMemberList must be a non-empty array");
    }
    const out: ZohoGroupMember[] = [];
    for (const m of list as Record<string, unknown>[]) {
      const email = typeof m?.memberEmailId === "string" ? m.memberEmailId.toLowerCase() : "";
      if (!EMAIL.test(email)) return invalid("memberEmailId is mandatory and must be valid");
      const role = (m.role ?? "member") as ZohoGroupMember["role"];
      if (role !== "member" && role !== "moderator") {
        return invalid(`role ${JSON.stringify(role)} is not member or moderator`);
      }
      out.push({ memberEmailId: email, role });
    }
    return out;
  }

  private addGroup(req: EmulatorRequest): EmulatorResponse {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const email = typeof b.emailId === "string" ? b.emailId.toLowerCase() : "";
    if (!EMAIL.test(email)) return invalid("emailId is mandatory and must be valid");
    if (!this.inDomains(email)) return invalid(`${email} is not in a domain of the organization`);
    if (this.holder(email)) return exists(email);
    const members = this.members(b.mailGroupMemberList);
    if (!Array.isArray(members)) return members;
    const accessType = (b.accessType ?? "Public") as ZohoGroup["accessType"];
    if (!["Public", "Organization", "Group", "Moderated"].includes(accessType)) {
      return invalid("accessType is not valid");
    }
    const g: ZohoGroup = {
      zgid: this.nextZgid++,
      emailId: email,
      name: typeof b.name === "string" && b.name !== "" ? b.name : email.split("@")[0]!,
      groupDescription: typeof b.groupDescription === "string" ? b.groupDescription : "",
      accessType,
      mailGroupMemberList: dedupe(members),
    };
    this.groupsById.set(g.zgid, g);
    return ok(structuredClone(g), 201);
  }

  private updateGroup(req: EmulatorRequest): EmulatorResponse {
    const g = this.group(req.params.zgid!);
    if (!g) return noGroup(req.params.zgid!);
    const b = (req.body ?? {}) as Record<string, unknown>;
    const members = this.members(b.mailGroupMemberList);
    if (!Array.isArray(members)) return members;
    const has = (e: string) => g.mailGroupMemberList.some((m) => m.memberEmailId === e);
    if (b.mode === "addMailGroupMember") {
      const dup = members.find((m) => has(m.memberEmailId));
      if (dup) {
        return zohoError(400, "MEMBER_ALREADY_EXISTS", `${dup.memberEmailId} is already a member`);
      }
      g.mailGroupMemberList = dedupe([...g.mailGroupMemberList, ...members]);
      return ok({});
    }
    const missing = members.find((m) => !has(m.memberEmailId));
    if (b.mode === "deleteMailGroupMember" || b.mode === "changeMemberRole") {
      if (missing) {
        return zohoError(400, "MEMBER_NOT_FOUND", `${missing.memberEmailId} is not a member`);
      }
      const byEmail = new Map(members.map((m) => [m.memberEmailId, m]));
      g.mailGroupMemberList =
        b.mode === "deleteMailGroupMember"
          ? g.mailGroupMemberList.filter((m) => !byEmail.has(m.memberEmailId))
          : g.mailGroupMemberList.map((m) => byEmail.get(m.memberEmailId) ?? m);
      return ok({});
    }
    return invalid(`mode ${JSON.stringify(b.mode)} is not supported`);
  }

  private deleteGroup(req: EmulatorRequest): EmulatorResponse {
    const g = this.group(req.params.zgid!);
    if (!g) return noGroup(req.params.zgid!);
    this.groupsById.delete(g.zgid);
    return ok({});
  }

  // ---------------- direct access for tests ----------------

  /** Every user, by zuid order. */
  allUsers(): ZohoUser[] {
    return [...this.users.values()].sort((a, b) => a.zuid - b.zuid).map((u) => this.view(u));
  }

  /** One user by primary address. */
  user(address: string): ZohoUser | undefined {
    const u = [...this.users.values()].find((x) => x.primary === address);
    return u && this.view(u);
  }

  /** The stored password and one-time flag of a user (never returned by the API). */
  passwordOf(address: string): { password: string; oneTimePassword: boolean } | undefined {
    const u = [...this.users.values()].find((x) => x.primary === address);
    return u && { password: u.password, oneTimePassword: u.oneTimePassword };
  }

  /** Changes a user as an admin would in the console. */
  patchUser(address: string, patch: { displayName?: string; disabled?: boolean }): void {
    const u = [...this.users.values()].find((x) => x.primary === address);
    if (!u) throw new Error(`no user ${address}`);
    if (patch.displayName !== undefined) u.displayName = patch.displayName;
    if (patch.disabled !== undefined) u.disabled = patch.disabled;
  }

  /** Every group with its members, by zgid order. */
  allGroups(): ZohoGroup[] {
    return [...this.groupsById.values()]
      .sort((a, b) => a.zgid - b.zgid)
      .map((g) => structuredClone(g));
  }

  /** Creates a group directly, as an admin would in the console. */
  putGroup(emailId: string, name: string, members: string[], moderators: string[] = []): void {
    const g: ZohoGroup = {
      zgid: this.nextZgid++,
      emailId,
      name,
      groupDescription: "",
      accessType: "Public",
      mailGroupMemberList: [
        ...members.map((m) => ({ memberEmailId: m, role: "member" as const })),
        ...moderators.map((m) => ({ memberEmailId: m, role: "moderator" as const })),
      ],
    };
    this.groupsById.set(g.zgid, g);
  }

  /** Address → what it delivers to: each alias to its user, each group to its members (sorted). */
  deliveries(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const u of this.users.values()) for (const a of u.aliases) out[a] = [u.primary];
    for (const g of this.groupsById.values()) {
      out[g.emailId] = g.mailGroupMemberList.map((m) => m.memberEmailId).sort();
    }
    return out;
  }
}

function dedupe(list: ZohoGroupMember[]): ZohoGroupMember[] {
  const seen = new Map<string, ZohoGroupMember>();
  for (const m of list) seen.set(m.memberEmailId, m);
  return [...seen.values()];
}
