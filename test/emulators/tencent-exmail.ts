import crypto from "node:crypto";
import { Emulator, type EmulatorRequest, type EmulatorResponse, type RateLimit } from "./framework";

/**
 * Tencent Exmail (腾讯企业邮) management API emulator (base `/cgi-bin`), in memory. Written from
 * the vendor's documentation as the QQ::exmail module and the PHP SDKs quote it
 * (exmail.qq.com/qy_mng_logic/doc#10008–10025) and ../shared/facts/providers.md §4, not from any
 * adapter:
 *
 * - `GET /gettoken?corpid=…&corpsecret=…` → `{errcode:0, errmsg:"ok", access_token,
 *   expires_in:7200}`. Every other route takes `?access_token=`; an unknown token answers
 *   40014, an expired one 42001 (`expireTokens()` ages every token past its 7,200 s), a missing
 *   one 41001.
 * - **Every answer is HTTP 200**, failures included: `{errcode, errmsg}` with a non-zero errcode.
 *   Success messages are `created`, `updated`, `deleted`, `ok` as documented.
 * - Users (`user/create|update|delete|get|simplelist|list|batchcheck`): `userid` is the address;
 *   `name` 1–64 bytes (UTF-8); `department` required on create, 1–20 existing department ids;
 *   `position` 0–64 bytes; `slaves` (aliases) at most 5, full addresses of the corp's domains, not
 *   held by another account; `password` required on create (6–32 printable ASCII characters
 *   here: the documentation says only "letters and digits", UNCONFIRMED); `enable` 1/0 on update; omitted
 *   fields unchanged. Lists have no paging: one answer holds every user of the department (and,
 *   with `fetch_child=1`, of its sub-departments).
 * - Departments (`department/create|update|delete|list`): root id 1; `name` 1–64 bytes without
 *   `\:*?"<>|`; a sibling of the same name is refused; `list?id=` answers the department and
 *   every descendant; the root and non-empty departments cannot be deleted.
 * - Mail groups (`group/create|update|delete|get`): `groupid` an address, `groupname`, members
 *   from `userlist`, `grouplist`, `department` (at least one on create), `allow_type` required
 *   (0 corp members, 1 anyone, 2 group members, 3 listed in `allow_userlist`). There is no group
 *   list route.
 *
 * Error codes: 40001 (invalid credential) and 42001 (token expired) are from the facts file; the
 * others follow the WeCom global return codes Exmail shares (-1 system busy, 40013 invalid corpid,
 * 40014 invalid access_token, 41001 missing access_token, 40058 invalid parameter, 45009 API
 * frequency limit, 60003 department not found, 60008 department name exists, 60102 userid
 * exists, 60111 userid not found): UNCONFIRMED for Exmail itself. Rate limits are UNCONFIRMED
 * too (none is published); `rateLimit` answers 45009 like WeCom.
 */

/** Documented lifetime of an access token, in seconds. */
export const EXMAIL_TOKEN_TTL_SECONDS = 7200;
/** Documented limit of aliases (`slaves`) per user. */
export const EXMAIL_MAX_SLAVES = 5;
/** Documented limit of departments per user. */
export const EXMAIL_MAX_DEPARTMENTS = 20;
/** Documented limit of addresses per `user/batchcheck`. */
export const EXMAIL_MAX_BATCHCHECK = 20;

/** A user as `user/get` answers it (no password). */
export interface ExmailUser {
  userid: string;
  name: string;
  department: number[];
  position: string;
  mobile: string;
  tel: string;
  extid: string;
  gender: string;
  slaves: string[];
  enable: 0 | 1;
  cpwd_login: 0 | 1;
}

/** A department as `department/list` answers it. */
export interface ExmailDepartment {
  id: number;
  name: string;
  parentid: number;
  order: number;
}

/** A mail group as `group/get` answers it. */
export interface ExmailGroup {
  groupid: string;
  groupname: string;
  userlist: string[];
  grouplist: string[];
  department: number[];
  allow_type: 0 | 1 | 2 | 3;
  allow_userlist: string[];
}

/** Options of the emulator. */
export interface TencentExmailEmulatorOptions {
  corpId: string;
  corpSecret: string;
  /** The corp's mail domains. */
  domains: string[];
  /** The root department's name. @default "Acme" */
  corpName?: string;
  /** Requests per window, answered with 45009 beyond it. @default none */
  rateLimit?: { limit: number; windowMs: number };
}

const ok = (errmsg: string, extra: Record<string, unknown> = {}): EmulatorResponse => ({
  status: 200,
  body: { errcode: 0, errmsg, ...extra },
});

/** An Exmail failure: HTTP 200 with a non-zero errcode. */
export const exmailError = (errcode: number, errmsg: string): EmulatorResponse => ({
  status: 200,
  body: { errcode, errmsg },
});

const EMAIL = /^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$/;
const BAD_DEPARTMENT_CHARS = /[\\:*?"<>|]/;
const bytes = (s: string): number => Buffer.byteLength(s, "utf8");

/** The body field as a string, or undefined when absent; `null` when present but not a string. */
function text(body: Record<string, unknown>, field: string): string | undefined | null {
  const v = body[field];
  if (v === undefined) return undefined;
  return typeof v === "string" ? v : null;
}

function strings(v: unknown): string[] | null {
  return Array.isArray(v) && v.every((x) => typeof x === "string")
    ? (v as string[]).map((s) => s.toLowerCase())
    : null;
}

/** The emulator, with a test API over its state. */
export class TencentExmailEmulator extends Emulator {
  private readonly options: TencentExmailEmulatorOptions;
  private readonly domains: Set<string>;
  private readonly users = new Map<string, ExmailUser>();
  private readonly passwords = new Map<string, string>();
  private readonly departments = new Map<number, ExmailDepartment>();
  private readonly groups = new Map<string, ExmailGroup>();
  private readonly tokens = new Map<string, number>();
  private nextDepartment = 2;
  /** Access tokens the token route issued. */
  tokensIssued = 0;

  constructor(options: TencentExmailEmulatorOptions) {
    super({
      name: "tencent-exmail",
      basePath: "/cgi-bin",
      authenticate: (req) => this.checkToken(req),
      rateLimit: options.rateLimit && TencentExmailEmulator.rateLimitOf(options.rateLimit),
    });
    this.options = options;
    this.domains = new Set(options.domains.map((d) => d.toLowerCase()));
    this.departments.set(1, { id: 1, name: options.corpName ?? "Acme", parentid: 0, order: 0 });
    this.registerRoutes();
  }

  /** The 45009 answer as a framework rate limit. */
  static rateLimitOf(rl: { limit: number; windowMs: number }): RateLimit {
    return { ...rl, status: 200, body: { errcode: 45009, errmsg: "api freq out of limit" } };
  }

  // ---- test API (the emulator's own state, not through the routes) ----

  /** Every user, sorted by address. */
  allUsers(): ExmailUser[] {
    return [...this.users.values()]
      .map((u) => structuredClone(u))
      .sort((a, b) => a.userid.localeCompare(b.userid));
  }

  user(userid: string): ExmailUser | undefined {
    const u = this.users.get(userid.toLowerCase());
    return u && structuredClone(u);
  }

  /** The password a user was given (to check what the adapter sent). */
  passwordOf(userid: string): string | undefined {
    return this.passwords.get(userid.toLowerCase());
  }

  allDepartments(): ExmailDepartment[] {
    return [...this.departments.values()].map((d) => ({ ...d })).sort((a, b) => a.id - b.id);
  }

  allGroups(): ExmailGroup[] {
    return [...this.groups.values()]
      .map((g) => structuredClone(g))
      .sort((a, b) => a.groupid.localeCompare(b.groupid));
  }

  /** Writes a mail group directly, as an admin would in the console. */
  putGroup(groupid: string, groupname: string, userlist: string[], allowType: 0 | 1 | 2 | 3 = 1) {
    this.groups.set(groupid.toLowerCase(), {
      groupid: groupid.toLowerCase(),
      groupname,
      userlist: [...userlist],
      grouplist: [],
      department: [],
      allow_type: allowType,
      allow_userlist: [],
    });
  }

  /** Creates a department directly (as the console would); returns its id. */
  putDepartment(name: string, parentid = 1): number {
    const id = this.nextDepartment++;
    this.departments.set(id, { id, name, parentid, order: 0 });
    return id;
  }

  /** Ages every issued token past its lifetime: the next call with one answers 42001. */
  expireTokens(): void {
    for (const t of this.tokens.keys()) this.tokens.set(t, 0);
  }

  // ---- routes ----

  private checkToken(req: EmulatorRequest): EmulatorResponse | undefined {
    if (req.path === "/gettoken") return undefined;
    const token = req.query.get("access_token");
    if (!token) return exmailError(41001, "access_token missing");
    const expiresAt = this.tokens.get(token);
    if (expiresAt === undefined) return exmailError(40014, "invalid access_token");
    if (expiresAt <= Date.now()) return exmailError(42001, "access_token expired");
    return undefined;
  }

  private owned(address: string): boolean {
    const at = address.lastIndexOf("@");
    return at > 0 && this.domains.has(address.slice(at + 1));
  }

  /** The account holding `address`: a user, a user's alias, or a group. */
  private holder(address: string): { type: 1 | 2 | 3; id: string } | undefined {
    if (this.users.has(address)) return { type: 1, id: address };
    for (const u of this.users.values()) {
      if (u.slaves.includes(address)) return { type: 2, id: u.userid };
    }
    if (this.groups.has(address)) return { type: 3, id: address };
    return undefined;
  }

  private checkName(
    value: string | undefined | null,
    field: string,
    min: number,
  ): EmulatorResponse | undefined {
    if (value === null) return exmailError(40058, `invalid parameter: ${field}`);
    if (value === undefined) return undefined;
    const n = bytes(value);
    if (n < min || n > 64) return exmailError(40058, `invalid parameter: ${field} length ${n}`);
    return undefined;
  }

  private checkDepartments(v: unknown, required: boolean): EmulatorResponse | number[] {
    if (v === undefined && !required) return [];
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => Number.isInteger(x))) {
      return exmailError(40058, "invalid parameter: department");
    }
    if (v.length > EXMAIL_MAX_DEPARTMENTS) {
      return exmailError(40058, `invalid parameter: department exceeds ${EXMAIL_MAX_DEPARTMENTS}`);
    }
    for (const id of v as number[]) {
      if (!this.departments.has(id)) return exmailError(60003, `department not found: ${id}`);
    }
    return [...new Set(v as number[])];
  }

  private checkSlaves(v: unknown, owner: string): EmulatorResponse | string[] {
    const list = strings(v);
    if (list === null) return exmailError(40058, "invalid parameter: slaves");
    if (list.length > EXMAIL_MAX_SLAVES) {
      return exmailError(40058, `invalid parameter: slaves exceed limit ${EXMAIL_MAX_SLAVES}`);
    }
    for (const s of list) {
      if (!EMAIL.test(s) || !this.owned(s)) {
        return exmailError(40058, `invalid parameter: slave ${s}`);
      }
      const h = this.holder(s);
      if (h && h.id !== owner) return exmailError(60102, `userid existed: ${s}`);
      if (s === owner) return exmailError(40058, `invalid parameter: slave ${s}`);
    }
    return [...new Set(list)];
  }

  /** Applies the optional user fields of a create or update body; an error response or nothing. */
  private applyUser(u: ExmailUser, body: Record<string, unknown>): EmulatorResponse | undefined {
    const name = text(body, "name");
    const bad =
      this.checkName(name, "name", 1) ?? this.checkName(text(body, "position"), "position", 0);
    if (bad) return bad;
    if (name !== undefined && name !== null) u.name = name;
    for (const f of ["position", "mobile", "tel", "extid", "gender"] as const) {
      const v = body[f];
      if (v === undefined) continue;
      if (typeof v !== "string" && typeof v !== "number") {
        return exmailError(40058, `invalid parameter: ${f}`);
      }
      u[f] = String(v);
    }
    if (body.department !== undefined) {
      const d = this.checkDepartments(body.department, true);
      if (!Array.isArray(d)) return d;
      u.department = d;
    }
    if (body.slaves !== undefined) {
      const s = this.checkSlaves(body.slaves, u.userid);
      if (!Array.isArray(s)) return s;
      u.slaves = s;
    }
    for (const f of ["enable", "cpwd_login"] as const) {
      const v = body[f];
      if (v === undefined) continue;
      if (v !== 0 && v !== 1) return exmailError(40058, `invalid parameter: ${f}`);
      u[f] = v;
    }
    if (body.password !== undefined) {
      if (typeof body.password !== "string" || !/^[\x21-\x7e]{6,32}$/.test(body.password)) {
        return exmailError(40058, "invalid parameter: password");
      }
    }
    return undefined;
  }

  private departmentTree(id: number, fetchChild: boolean): Set<number> {
    const out = new Set([id]);
    if (!fetchChild) return out;
    let grew = true;
    while (grew) {
      grew = false;
      for (const d of this.departments.values()) {
        if (out.has(d.parentid) && !out.has(d.id)) {
          out.add(d.id);
          grew = true;
        }
      }
    }
    return out;
  }

  private applyGroup(g: ExmailGroup, body: Record<string, unknown>): EmulatorResponse | undefined {
    const name = text(body, "groupname");
    const bad = this.checkName(name, "groupname", 1);
    if (bad) return bad;
    if (name !== undefined && name !== null) g.groupname = name;
    for (const f of ["userlist", "grouplist", "allow_userlist"] as const) {
      if (body[f] === undefined) continue;
      const list = strings(body[f]);
      if (list === null || list.some((a) => !EMAIL.test(a))) {
        return exmailError(40058, `invalid parameter: ${f}`);
      }
      if (f === "grouplist") {
        const missing = list.find((a) => !this.groups.has(a) || a === g.groupid);
        if (missing) return exmailError(60111, `userid not found: ${missing}`);
      }
      g[f] = [...new Set(list)];
    }
    if (body.department !== undefined) {
      const d = this.checkDepartments(body.department, true);
      if (!Array.isArray(d)) return d;
      g.department = d;
    }
    if (body.allow_type !== undefined) {
      if (![0, 1, 2, 3].includes(body.allow_type as number)) {
        return exmailError(40058, "invalid parameter: allow_type");
      }
      g.allow_type = body.allow_type as 0 | 1 | 2 | 3;
    }
    if (g.allow_type === 3 && g.allow_userlist.length === 0) {
      return exmailError(40058, "invalid parameter: allow_userlist");
    }
    if (g.userlist.length + g.grouplist.length + g.department.length === 0) {
      return exmailError(40058, "invalid parameter: userlist, grouplist or department required");
    }
    return undefined;
  }

  private registerRoutes(): void {
    this.route("GET", "/gettoken", (req) => {
      if (req.query.get("corpid") !== this.options.corpId) {
        return exmailError(40013, "invalid corpid");
      }
      if (req.query.get("corpsecret") !== this.options.corpSecret) {
        return exmailError(40001, "invalid credential");
      }
      const token = crypto.randomBytes(48).toString("base64url");
      this.tokens.set(token, Date.now() + EXMAIL_TOKEN_TTL_SECONDS * 1000);
      this.tokensIssued += 1;
      return ok("ok", { access_token: token, expires_in: EXMAIL_TOKEN_TTL_SECONDS });
    });

    // ---- departments ----
    this.route("POST", "/department/create", (req) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const name = text(body, "name");
      if (typeof name !== "string" || BAD_DEPARTMENT_CHARS.test(name)) {
        return exmailError(40058, "invalid parameter: name");
      }
      const bad = this.checkName(name, "name", 1);
      if (bad) return bad;
      const parentid = body.parentid;
      if (!Number.isInteger(parentid)) return exmailError(40058, "invalid parameter: parentid");
      if (!this.departments.has(parentid as number)) {
        return exmailError(60003, `department not found: ${String(parentid)}`);
      }
      for (const d of this.departments.values()) {
        if (d.parentid === parentid && d.name === name) {
          return exmailError(60008, "department existed");
        }
      }
      const order = Number.isInteger(body.order) ? (body.order as number) : 0;
      const id = this.nextDepartment++;
      this.departments.set(id, { id, name, parentid: parentid as number, order });
      return ok("created", { id });
    });
    this.route("GET", "/department/list", (req) => {
      const id = Number(req.query.get("id") ?? "1");
      if (!this.departments.has(id)) return exmailError(60003, `department not found: ${id}`);
      const ids = this.departmentTree(id, true);
      const department = [...ids]
        .sort((a, b) => a - b)
        .map((i) => ({ ...this.departments.get(i)! }));
      return ok("ok", { department });
    });
    this.route("GET", "/department/delete", (req) => {
      const id = Number(req.query.get("id"));
      if (id === 1) return exmailError(40058, "invalid parameter: cannot delete root department");
      if (!this.departments.has(id)) return exmailError(60003, `department not found: ${id}`);
      const used =
        [...this.departments.values()].some((d) => d.parentid === id) ||
        [...this.users.values()].some((u) => u.department.includes(id));
      if (used) return exmailError(40058, "invalid parameter: department not empty");
      this.departments.delete(id);
      return ok("deleted");
    });

    // ---- users ----
    this.route("POST", "/user/create", (req) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const userid = typeof body.userid === "string" ? body.userid.toLowerCase() : "";
      if (!EMAIL.test(userid) || !this.owned(userid)) {
        return exmailError(40058, "invalid parameter: userid");
      }
      if (typeof body.name !== "string") return exmailError(40058, "invalid parameter: name");
      if (body.department === undefined) {
        return exmailError(40058, "invalid parameter: department");
      }
      if (body.password === undefined) return exmailError(40058, "invalid parameter: password");
      if (this.holder(userid)) return exmailError(60102, "userid existed");
      const u: ExmailUser = {
        userid,
        name: "",
        department: [],
        position: "",
        mobile: "",
        tel: "",
        extid: "",
        gender: "0",
        slaves: [],
        enable: 1,
        cpwd_login: 0,
      };
      const bad = this.applyUser(u, body);
      if (bad) return bad;
      this.users.set(userid, u);
      this.passwords.set(userid, body.password as string);
      return ok("created");
    });
    this.route("POST", "/user/update", (req) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const userid = typeof body.userid === "string" ? body.userid.toLowerCase() : "";
      const u = this.users.get(userid);
      if (!u) return exmailError(60111, "userid not found");
      const next = structuredClone(u);
      const bad = this.applyUser(next, body);
      if (bad) return bad;
      this.users.set(userid, next);
      if (typeof body.password === "string") this.passwords.set(userid, body.password);
      return ok("updated");
    });
    this.route("GET", "/user/delete", (req) => {
      const userid = (req.query.get("userid") ?? "").toLowerCase();
      if (!this.users.delete(userid)) return exmailError(60111, "userid not found");
      this.passwords.delete(userid);
      return ok("deleted");
    });
    this.route("GET", "/user/get", (req) => {
      const u = this.users.get((req.query.get("userid") ?? "").toLowerCase());
      if (!u) return exmailError(60111, "userid not found");
      return ok("ok", structuredClone(u) as unknown as Record<string, unknown>);
    });
    const listUsers = (simple: boolean) => (req: EmulatorRequest) => {
      const id = Number(req.query.get("department_id"));
      if (!this.departments.has(id)) return exmailError(60003, `department not found: ${id}`);
      const ids = this.departmentTree(id, req.query.get("fetch_child") === "1");
      const userlist = this.allUsers()
        .filter((u) => u.department.some((d) => ids.has(d)))
        .map((u) => (simple ? { userid: u.userid, name: u.name, department: u.department } : u));
      return ok("ok", { userlist });
    };
    this.route("GET", "/user/simplelist", listUsers(true));
    this.route("GET", "/user/list", listUsers(false));
    this.route("POST", "/user/batchcheck", (req) => {
      const list = strings((req.body as Record<string, unknown> | undefined)?.userlist);
      if (list === null || list.length === 0 || list.length > EXMAIL_MAX_BATCHCHECK) {
        return exmailError(40058, "invalid parameter: userlist");
      }
      return ok("ok", {
        list: list.map((user) => ({
          user,
          type: !EMAIL.test(user) || !this.owned(user) ? -1 : (this.holder(user)?.type ?? 0),
        })),
      });
    });

    // ---- mail groups ----
    this.route("POST", "/group/create", (req) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const groupid = typeof body.groupid === "string" ? body.groupid.toLowerCase() : "";
      if (!EMAIL.test(groupid) || !this.owned(groupid)) {
        return exmailError(40058, "invalid parameter: groupid");
      }
      if (typeof body.groupname !== "string") {
        return exmailError(40058, "invalid parameter: groupname");
      }
      if (body.allow_type === undefined) return exmailError(40058, "invalid parameter: allow_type");
      if (this.holder(groupid)) return exmailError(60102, "userid existed");
      const g: ExmailGroup = {
        groupid,
        groupname: "",
        userlist: [],
        grouplist: [],
        department: [],
        allow_type: 1,
        allow_userlist: [],
      };
      const bad = this.applyGroup(g, body);
      if (bad) return bad;
      this.groups.set(groupid, g);
      return ok("created");
    });
    this.route("POST", "/group/update", (req) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const groupid = typeof body.groupid === "string" ? body.groupid.toLowerCase() : "";
      const g = this.groups.get(groupid);
      if (!g) return exmailError(60111, "userid not found");
      const next = structuredClone(g);
      const bad = this.applyGroup(next, body);
      if (bad) return bad;
      this.groups.set(groupid, next);
      return ok("updated");
    });
    this.route("GET", "/group/delete", (req) => {
      const groupid = (req.query.get("groupid") ?? "").toLowerCase();
      if (!this.groups.delete(groupid)) return exmailError(60111, "userid not found");
      for (const g of this.groups.values()) g.grouplist = g.grouplist.filter((x) => x !== groupid);
      return ok("deleted");
    });
    this.route("GET", "/group/get", (req) => {
      const g = this.groups.get((req.query.get("groupid") ?? "").toLowerCase());
      if (!g) return exmailError(60111, "userid not found");
      return ok("ok", structuredClone(g) as unknown as Record<string, unknown>);
    });
  }
}
