import crypto from "node:crypto";
import type { GroupSenders } from "@mailplane/core";
import type {
  AliasState,
  GroupState,
  MailboxInput,
  MailboxPatch,
  MailboxState,
  MailProvider,
} from "../../adapter";
import { ConflictError, MailProviderError, NotFoundError, ProviderError } from "../../errors";
import { capabilities } from "../definition";
import { ExmailClient, type ExmailClientConfig } from "./client";
import {
  exmailBatchCheckSchema,
  exmailDepartmentCreatedSchema,
  exmailDepartmentListSchema,
  exmailGroupSchema,
  exmailUserListSchema,
  exmailUserSchema,
  type ExmailDepartment,
  type ExmailGroup,
  type ExmailUser,
} from "./schema";

const PROVIDER = "tencentExmail";

/** Documented: at most 5 aliases (`slaves`) per user. */
export const EXMAIL_MAX_ALIASES = 5;
/** The root department's id. */
export const EXMAIL_ROOT_DEPARTMENT = 1;

/**
 * What Exmail's management API can do: users with up to 5 aliases, mail groups with who may send
 * to them, suspension (`enable: 0`), initial passwords and a change at next login. Not through
 * the API: 2-step verification, quotas, standalone aliases, shared mailboxes, forwarding, renames.
 */
export const tencentExmailCapabilities = capabilities({
  mailboxes: true,
  aliasesPerMailbox: EXMAIL_MAX_ALIASES,
  groups: true,
  suspend: true,
  passwords: true,
  forceChangeAtLogin: true,
  groupSenders: true,
});

/** `allowSenders` ↔ `allow_type` (3, "listed senders", has no declaration and reads as none). */
const ALLOW_TYPE: Readonly<Record<GroupSenders, 0 | 1 | 2>> = {
  organisation: 0,
  anyone: 1,
  members: 2,
};
const SENDERS_OF: Readonly<Record<number, GroupSenders>> = {
  0: "organisation",
  1: "anyone",
  2: "members",
};

/** Settings of the adapter: those of its client. */
export type TencentExmailProviderConfig = ExmailClientConfig;

const bytes = (s: string): number => Buffer.byteLength(s, "utf8");
const BAD_DEPARTMENT_CHARS = /[\\:*?"<>|]/;

/** A password Exmail accepts (letters and digits), for a mailbox declared without one. */
function generatedPassword(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  const pick = (n: number) =>
    Array.from(crypto.randomBytes(n), (b) => alphabet[b % alphabet.length]).join("");
  return `${pick(14)}${"23456789"[crypto.randomInt(8)]}${"abcdefghijk"[crypto.randomInt(11)]}`;
}

/**
 * The fields of a mailbox that break a documented Exmail limit (name and title 1–64 and 0–64
 * bytes of UTF-8, department names 1–64 bytes without `\:*?"<>|`, at most 5 aliases), each with
 * what is allowed: at preview (the definition's `mailboxProblems`) and before any request.
 */
export function exmailFieldProblems(f: {
  name?: string;
  title?: string;
  department?: string;
  aliases?: string[];
}): Array<{ field: "name" | "title" | "department" | "aliases"; message: string }> {
  const out: Array<{ field: "name" | "title" | "department" | "aliases"; message: string }> = [];
  if (f.name !== undefined && (bytes(f.name) < 1 || bytes(f.name) > 64)) {
    out.push({
      field: "name",
      message: `name ${JSON.stringify(f.name)} is ${bytes(f.name)} bytes in UTF-8; allowed: 1–64 bytes (21 Chinese characters)`,
    });
  }
  if (f.title !== undefined && bytes(f.title) > 64) {
    out.push({
      field: "title",
      message: `title is ${bytes(f.title)} bytes in UTF-8; allowed: at most 64 bytes`,
    });
  }
  const d = f.department;
  if (d !== undefined && (bytes(d) < 1 || bytes(d) > 64 || BAD_DEPARTMENT_CHARS.test(d))) {
    out.push({
      field: "department",
      message: `department ${JSON.stringify(d)} is not an Exmail department name; allowed: 1–64 bytes in UTF-8 without \\ : * ? " < > |`,
    });
  }
  if (f.aliases !== undefined && f.aliases.length > EXMAIL_MAX_ALIASES) {
    out.push({
      field: "aliases",
      message: `has ${f.aliases.length} aliases; allowed: at most ${EXMAIL_MAX_ALIASES} (Exmail slaves)`,
    });
  }
  return out;
}

/** Throws before any request when a field breaks a documented Exmail limit. */
function checkFields(
  operation: string,
  address: string,
  f: { name?: string; title?: string; department?: string; aliases?: string[] },
): void {
  const problem = exmailFieldProblems(f)[0];
  if (problem !== undefined) {
    throw new ProviderError(
      { provider: PROVIDER, operation },
      `${PROVIDER} ${operation} ${address}: ${problem.message}`,
    );
  }
}

const isKind = (e: unknown, kind: MailProviderError["kind"]): boolean =>
  e instanceof MailProviderError && e.kind === kind;

/**
 * Tencent Exmail through its management API (`api.exmail.qq.com/cgi-bin`): users, their aliases
 * (`slaves`), departments and mail groups. A mailbox's `department` is an Exmail department under
 * the root, found by name and created on demand, so the mapping is the same in every process.
 */
export class TencentExmailProvider implements MailProvider {
  readonly name = PROVIDER;
  readonly capabilities = tencentExmailCapabilities;
  /** Exmail has no API to list mail groups: `getGroup` reads each one by address. */
  readonly unlistedGroups = true;
  readonly client: ExmailClient;
  private departments: Promise<ExmailDepartment[]> | undefined;
  private readonly creating = new Map<string, Promise<number>>();

  constructor(config: TencentExmailProviderConfig) {
    if (typeof config.corpId !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(config.corpId)) {
      throw new TypeError(
        `${PROVIDER}: corpId must be the corp's id (CorpID), got ${JSON.stringify(config.corpId ?? null)}`,
      );
    }
    this.client = new ExmailClient(config);
  }

  // ---- departments ----

  /** Every department (one `department/list` per process, read again when a name is missing). */
  private listDepartments(fresh = false): Promise<ExmailDepartment[]> {
    if (fresh || this.departments === undefined) {
      const loading = this.client
        .call({
          operation: "listDepartments",
          method: "GET",
          path: "/department/list",
          query: { id: EXMAIL_ROOT_DEPARTMENT },
          schema: exmailDepartmentListSchema,
        })
        .then((r) => r.department);
      loading.catch(() => {
        if (this.departments === loading) this.departments = undefined;
      });
      this.departments = loading;
    }
    return this.departments;
  }

  private static findDepartment(list: ExmailDepartment[], name: string): number | undefined {
    return list.find((d) => d.parentid === EXMAIL_ROOT_DEPARTMENT && d.name === name)?.id;
  }

  /**
   * The id of the department named `name` under the root: found in this process's list, else in
   * a fresh list (another process may have created it), else created. A create that answers
   * "department existed" (60008) reads the list again: never a duplicate.
   */
  async departmentId(name: string): Promise<number> {
    const found = TencentExmailProvider.findDepartment(await this.listDepartments(), name);
    if (found !== undefined) return found;
    let pending = this.creating.get(name);
    if (pending === undefined) {
      pending = this.createDepartment(name).finally(() => this.creating.delete(name));
      this.creating.set(name, pending);
    }
    return pending;
  }

  private async createDepartment(name: string): Promise<number> {
    const listed = TencentExmailProvider.findDepartment(await this.listDepartments(true), name);
    if (listed !== undefined) return listed;
    const findAgain = async () =>
      TencentExmailProvider.findDepartment(await this.listDepartments(true), name);
    try {
      const { id } = await this.client.call({
        operation: "createDepartment",
        method: "POST",
        path: "/department/create",
        body: { name, parentid: EXMAIL_ROOT_DEPARTMENT },
        schema: exmailDepartmentCreatedSchema,
        verify: async () => (await findAgain()) !== undefined,
      });
      if (id !== undefined) {
        const list = await this.listDepartments();
        if (!list.some((d) => d.id === id)) {
          list.push({ id, name, parentid: EXMAIL_ROOT_DEPARTMENT });
        }
        return id;
      }
    } catch (e) {
      if (!isKind(e, "Conflict")) throw e;
    }
    const id = await findAgain();
    if (id === undefined) {
      throw new ConflictError(
        { provider: PROVIDER, operation: "createDepartment" },
        `${PROVIDER} createDepartment: department ${JSON.stringify(name)} exists but is not under the root department`,
      );
    }
    return id;
  }

  /** The name of the user's first department other than the root, or undefined. */
  private async departmentName(ids: number[]): Promise<string | undefined> {
    const own = ids.filter((id) => id !== EXMAIL_ROOT_DEPARTMENT);
    if (own.length === 0) return undefined;
    let list = await this.listDepartments();
    if (!own.every((id) => list.some((d) => d.id === id))) list = await this.listDepartments(true);
    return list.find((d) => d.id === own[0])?.name;
  }

  // ---- mailboxes ----

  private async toState(domain: string, u: ExmailUser): Promise<MailboxState> {
    const suffix = `@${domain}`;
    const department = await this.departmentName(u.department);
    return {
      domain,
      localPart: u.userid.toLowerCase().slice(0, -suffix.length),
      name: u.name,
      suspended: u.enable === 0,
      aliases: (u.slaves ?? [])
        .map((s) => s.toLowerCase())
        .filter((s) => s.endsWith(suffix))
        .map((s) => s.slice(0, -suffix.length))
        .sort(),
      forwardTo: [],
      ...(department === undefined ? {} : { department }),
      ...(u.position ? { title: u.position } : {}),
    };
  }

  private async getUser(domain: string, localPart: string): Promise<ExmailUser | undefined> {
    try {
      return await this.client.call({
        operation: "getMailbox",
        method: "GET",
        path: "/user/get",
        query: { userid: `${localPart}@${domain}` },
        schema: exmailUserSchema,
      });
    } catch (e) {
      if (isKind(e, "NotFound")) return undefined;
      throw e;
    }
  }

  /**
   * Every user of the domain: one `user/list` of the root with its sub-departments. Exmail lists
   * have no paging, so a very large tenant answers with every user at once (one long response).
   */
  async listMailboxes(domain: string): Promise<MailboxState[]> {
    const { userlist } = await this.client.call({
      operation: "listMailboxes",
      method: "GET",
      path: "/user/list",
      query: { department_id: EXMAIL_ROOT_DEPARTMENT, fetch_child: 1 },
      schema: exmailUserListSchema,
    });
    const suffix = `@${domain}`;
    const mine = userlist.filter((u) => u.userid.toLowerCase().endsWith(suffix));
    const out = await Promise.all(mine.map((u) => this.toState(domain, u)));
    return out.sort((a, b) => a.localPart.localeCompare(b.localPart));
  }

  async getMailbox(domain: string, localPart: string): Promise<MailboxState | undefined> {
    const u = await this.getUser(domain, localPart);
    return u && this.toState(domain, u);
  }

  /**
   * Creates the user in the department named `department` (created under the root on demand; the
   * root without one). An identical existing user is adopted; a different one, or a group or
   * alias at the address, is a ConflictError. Without a password a random one is set with a
   * change at next login (`cpwd_login`).
   */
  async createMailbox(input: MailboxInput): Promise<MailboxState> {
    const { domain, localPart } = input;
    const address = `${localPart}@${domain}`;
    const aliases = [...new Set(input.aliases)].sort();
    checkFields("createMailbox", address, { ...input, aliases });
    const departmentId =
      input.department === undefined
        ? EXMAIL_ROOT_DEPARTMENT
        : await this.departmentId(input.department);
    const body = {
      userid: address,
      name: input.name,
      department: [departmentId],
      ...(input.title === undefined ? {} : { position: input.title }),
      slaves: aliases.map((a) => `${a}@${domain}`),
      password: input.password ?? generatedPassword(),
      cpwd_login: input.password === undefined || input.changePasswordAtNextLogin ? 1 : 0,
    };
    const state: MailboxState = {
      domain,
      localPart,
      name: input.name,
      suspended: input.suspended,
      aliases,
      forwardTo: [],
      ...(input.department === undefined ? {} : { department: input.department }),
      ...(input.title === undefined ? {} : { title: input.title }),
    };
    try {
      await this.client.call({
        operation: "createMailbox",
        method: "POST",
        path: "/user/create",
        body,
        verify: async () => (await this.getUser(domain, localPart)) !== undefined,
      });
    } catch (e) {
      if (!isKind(e, "Conflict")) throw e;
      const live = await this.getMailbox(domain, localPart);
      const { suspended: _s, ...liveRest } = live ?? ({} as MailboxState);
      const { suspended: _d, ...wantRest } = state;
      if (live === undefined || JSON.stringify(liveRest) !== JSON.stringify(wantRest)) throw e;
      return live.suspended === input.suspended
        ? live
        : this.updateMailbox(domain, localPart, { suspended: input.suspended });
    }
    // `user/create` has no `enable`: a mailbox declared suspended is disabled right after.
    if (input.suspended) await this.setUser("createMailbox", { userid: address, enable: 0 });
    return state;
  }

  private async setUser(operation: string, body: Record<string, unknown>): Promise<void> {
    await this.client.call({ operation, method: "POST", path: "/user/update", body });
  }

  /** Applies the given fields with one `user/update` (omitted fields stay as they are). */
  async updateMailbox(
    domain: string,
    localPart: string,
    patch: MailboxPatch,
  ): Promise<MailboxState> {
    const address = `${localPart}@${domain}`;
    const u = await this.getUser(domain, localPart);
    if (u === undefined) {
      throw new NotFoundError(
        { provider: PROVIDER, operation: "updateMailbox" },
        `${PROVIDER} updateMailbox: ${address} is not a user of the corp`,
      );
    }
    const current = await this.toState(domain, u);
    const body: Record<string, unknown> = { userid: address };
    const next: MailboxState = { ...current };
    if (patch.name !== undefined && patch.name !== current.name) {
      body.name = patch.name;
      next.name = patch.name;
    }
    if (patch.title !== undefined && patch.title !== current.title) {
      body.position = patch.title;
      next.title = patch.title;
    }
    if (patch.department !== undefined && patch.department !== current.department) {
      checkFields("updateMailbox", address, { department: patch.department });
      body.department = [await this.departmentId(patch.department)];
      next.department = patch.department;
    }
    if (patch.suspended !== undefined && patch.suspended !== current.suspended) {
      body.enable = patch.suspended ? 0 : 1;
      next.suspended = patch.suspended;
    }
    if (patch.password !== undefined) body.password = patch.password;
    if (patch.changePasswordAtNextLogin !== undefined && patch.password !== undefined) {
      body.cpwd_login = patch.changePasswordAtNextLogin ? 1 : 0;
    }
    if (patch.aliases !== undefined) {
      const keep = new Set(patch.keepAliases ?? []);
      const aliases = [
        ...new Set([...patch.aliases, ...current.aliases.filter((a) => keep.has(a))]),
      ].sort();
      if (JSON.stringify(aliases) !== JSON.stringify(current.aliases)) {
        checkFields("updateMailbox", address, { aliases });
        const suffix = `@${domain}`;
        const elsewhere = (u.slaves ?? []).filter((s) => !s.toLowerCase().endsWith(suffix));
        body.slaves = [...elsewhere, ...aliases.map((a) => `${a}${suffix}`)];
        next.aliases = aliases;
      }
    }
    if (patch.name !== undefined) checkFields("updateMailbox", address, { name: patch.name });
    if (patch.title !== undefined) checkFields("updateMailbox", address, { title: patch.title });
    if (Object.keys(body).length > 1) await this.setUser("updateMailbox", body);
    return next;
  }

  async deleteMailbox(domain: string, localPart: string): Promise<void> {
    await this.client.call({
      operation: "deleteMailbox",
      method: "GET",
      path: "/user/delete",
      query: { userid: `${localPart}@${domain}` },
    });
  }

  // ---- standalone aliases: none in Exmail (aliases are a user's slaves) ----

  async listAliases(_domain: string): Promise<AliasState[]> {
    return [];
  }

  async getAlias(_domain: string, _localPart: string): Promise<AliasState | undefined> {
    return undefined;
  }

  private noAliases(operation: string): never {
    throw new ProviderError(
      { provider: PROVIDER, operation },
      `${PROVIDER} ${operation}: Exmail has no standalone aliases; add the address to a mailbox's aliases (at most ${EXMAIL_MAX_ALIASES}) or declare a group`,
    );
  }

  async createAlias(_input: AliasState): Promise<AliasState> {
    return this.noAliases("createAlias");
  }

  async updateAlias(_d: string, _l: string, _destinations: string[]): Promise<AliasState> {
    return this.noAliases("updateAlias");
  }

  async deleteAlias(_domain: string, _localPart: string): Promise<void> {
    return this.noAliases("deleteAlias");
  }

  // ---- mail groups ----

  private static groupState(domain: string, localPart: string, g: ExmailGroup): GroupState {
    const senders = SENDERS_OF[g.allow_type];
    return {
      domain,
      localPart,
      name: g.groupname,
      members: [...new Set([...g.userlist, ...g.grouplist].map((m) => m.toLowerCase()))].sort(),
      ...(senders === undefined ? {} : { allowSenders: senders }),
    };
  }

  /** Exmail has no group list API: an empty list; read each group with `getGroup`. */
  async listGroups(_domain: string): Promise<GroupState[]> {
    return [];
  }

  async getGroup(domain: string, localPart: string): Promise<GroupState | undefined> {
    try {
      const g = await this.client.call({
        operation: "getGroup",
        method: "GET",
        path: "/group/get",
        query: { groupid: `${localPart}@${domain}` },
        schema: exmailGroupSchema,
      });
      return TencentExmailProvider.groupState(domain, localPart, g);
    } catch (e) {
      if (isKind(e, "NotFound")) return undefined;
      throw e;
    }
  }

  /**
   * Members as Exmail takes them: mail groups of the corp in `grouplist`, every other address in
   * `userlist` (one `user/batchcheck` per 20 addresses of the domain).
   */
  private async memberLists(
    domain: string,
    members: string[],
  ): Promise<{ userlist: string[]; grouplist: string[] }> {
    const sorted = [...new Set(members.map((m) => m.toLowerCase()))].sort();
    const local = sorted.filter((m) => m.endsWith(`@${domain}`));
    const groups = new Set<string>();
    for (let i = 0; i < local.length; i += 20) {
      const { list } = await this.client.call({
        operation: "checkMembers",
        method: "POST",
        path: "/user/batchcheck",
        body: { userlist: local.slice(i, i + 20) },
        schema: exmailBatchCheckSchema,
      });
      for (const r of list) if (r.type === 3) groups.add(r.user.toLowerCase());
    }
    return {
      userlist: sorted.filter((m) => !groups.has(m)),
      grouplist: sorted.filter((m) => groups.has(m)),
    };
  }

  /**
   * Creates the mail group; `allowSenders` absent means anyone may send (`allow_type` 1, as mail
   * to a role address from outside needs). An identical group is adopted; a different one, or a
   * user or alias at the address, is a ConflictError.
   */
  async createGroup(input: GroupState): Promise<GroupState> {
    const { domain, localPart } = input;
    const address = `${localPart}@${domain}`;
    if (input.members.length === 0) {
      throw new ProviderError(
        { provider: PROVIDER, operation: "createGroup" },
        `${PROVIDER} createGroup ${address}: an Exmail mail group needs at least one member`,
      );
    }
    const name = input.name ?? localPart;
    checkFields("createGroup", address, { name });
    const lists = await this.memberLists(domain, input.members);
    const allowSenders = input.allowSenders ?? "anyone";
    const state: GroupState = {
      domain,
      localPart,
      name,
      members: [...lists.userlist, ...lists.grouplist].sort(),
      allowSenders,
    };
    try {
      await this.client.call({
        operation: "createGroup",
        method: "POST",
        path: "/group/create",
        body: {
          groupid: address,
          groupname: name,
          ...lists,
          allow_type: ALLOW_TYPE[allowSenders],
        },
        verify: async () => (await this.getGroup(domain, localPart)) !== undefined,
      });
    } catch (e) {
      if (!isKind(e, "Conflict")) throw e;
      const live = await this.getGroup(domain, localPart);
      if (live === undefined || JSON.stringify(live.members) !== JSON.stringify(state.members)) {
        throw e;
      }
      return live;
    }
    return state;
  }

  async updateGroup(
    domain: string,
    localPart: string,
    patch: Partial<Pick<GroupState, "name" | "members" | "allowSenders">>,
  ): Promise<GroupState> {
    const address = `${localPart}@${domain}`;
    const live = await this.getGroup(domain, localPart);
    if (live === undefined) {
      throw new NotFoundError(
        { provider: PROVIDER, operation: "updateGroup" },
        `${PROVIDER} updateGroup: ${address} is not a mail group of the corp`,
      );
    }
    const body: Record<string, unknown> = { groupid: address };
    const next: GroupState = { ...live };
    if (patch.name !== undefined && patch.name !== live.name) {
      checkFields("updateGroup", address, { name: patch.name });
      body.groupname = patch.name;
      next.name = patch.name;
    }
    if (patch.members !== undefined) {
      const lists = await this.memberLists(domain, patch.members);
      const members = [...lists.userlist, ...lists.grouplist].sort();
      if (JSON.stringify(members) !== JSON.stringify(live.members)) {
        if (members.length === 0) {
          throw new ProviderError(
            { provider: PROVIDER, operation: "updateGroup" },
            `${PROVIDER} updateGroup ${address}: an Exmail mail group needs at least one member`,
          );
        }
        Object.assign(body, lists);
        next.members = members;
      }
    }
    if (patch.allowSenders !== undefined && patch.allowSenders !== live.allowSenders) {
      body.allow_type = ALLOW_TYPE[patch.allowSenders];
      next.allowSenders = patch.allowSenders;
    }
    if (Object.keys(body).length > 1) {
      await this.client.call({
        operation: "updateGroup",
        method: "POST",
        path: "/group/update",
        body,
      });
    }
    return next;
  }

  async deleteGroup(domain: string, localPart: string): Promise<void> {
    await this.client.call({
      operation: "deleteGroup",
      method: "GET",
      path: "/group/delete",
      query: { groupid: `${localPart}@${domain}` },
    });
  }
}

/** The Exmail adapter. */
export function createTencentExmailProvider(
  config: TencentExmailProviderConfig,
): TencentExmailProvider {
  return new TencentExmailProvider(config);
}
