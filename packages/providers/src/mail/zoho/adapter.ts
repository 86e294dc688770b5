import { isNormalizedAddress, isNormalizedDomain } from "@mailplane/core";
import type {
  AliasState,
  GroupState,
  MailProvider,
  MailboxInput,
  MailboxPatch,
  MailboxState,
} from "../../adapter";
import { ConflictError, NotFoundError } from "../../errors";
import { capabilities } from "../definition";
import {
  AddressCheck,
  ListCache,
  adoptionConflict,
  failFor,
  type Fail,
  lower,
  sorted,
} from "../shared/adapter-kit";
import { ZohoClient, type ZohoClientConfig } from "./client";
import type { ZohoGroup, ZohoUser } from "./schema";

/**
 * The aliases a Zoho Mail user may have, as this adapter declares them: Mail Lite's 5 per user
 * (higher plans allow more; Zoho publishes no API figure). More are refused at preview.
 */
export const ZOHO_ALIASES_PER_USER = 5;

/**
 * What Zoho Mail's organisation API can do, as this adapter realises it.
 * - Mailboxes are users (`POST /accounts` with an initial password; `oneTimePassword` makes the
 *   person change it at first login). Suspension is `disableUser` (mail kept, still delivered).
 * - Aliases per mailbox through the `addEmailAlias` / `deleteEmailAlias` modes.
 * - Groups with members (and moderators, from the binding's `moderators`).
 * - Not through the API: per-user 2FA enforcement (admin console policies), shared mailboxes,
 *   quotas (plans), standalone aliases (a group is used), forwarding, catch-all, domain aliases,
 *   renaming a mailbox. Each is refused at preview by the runtime's capability checks.
 */
export const zohoCapabilities = capabilities({
  mailboxes: true,
  aliasesPerMailbox: ZOHO_ALIASES_PER_USER,
  groups: true,
  suspend: true,
  passwords: true,
  forceChangeAtLogin: true,
});

/** Settings of the Zoho Mail adapter. */
export interface ZohoProviderConfig extends ZohoClientConfig {
  /** When given, the only domain served; every other one is refused. @default any domain */
  domain?: string;
  /**
   * Moderators by group local part (full addresses): they are members with the role
   * `moderator`; every other member has the role `member`.
   * @default {}
   */
  moderators?: Record<string, string[]>;
  /**
   * How long one paged list of the users serves `getMailbox`/`listMailboxes` in this process,
   * in milliseconds (a refresh of N mailboxes is then ⌈N/100⌉ + 1 requests, not N).
   * @default 2000
   */
  readCacheTtlMs?: number;
}

const PROVIDER = "zoho";

const fail: Fail = failFor(PROVIDER);

const NOT_THROUGH_API = (what: string, instead: string): string =>
  `${what}: Zoho Mail's API has no route for it; ${instead}`;

/** First and last name for Zoho's required-by-some-plans split: the last word is the last name. */
function splitName(name: string): { firstName: string; lastName?: string } {
  const trimmed = name.trim();
  const at = trimmed.lastIndexOf(" ");
  return at <= 0
    ? { firstName: trimmed }
    : { firstName: trimmed.slice(0, at), lastName: trimmed.slice(at + 1) };
}

/**
 * The Zoho Mail adapter over the organisation API. Each endpoint gets the id it wants: the
 * organisation's `zoid` in every path; a user's `zuid` for reads, the alias and password modes
 * and deletes; the mailbox's `accountId` for enable/disable and the display name.
 */
export class ZohoProvider implements MailProvider {
  readonly name = PROVIDER;
  readonly capabilities = zohoCapabilities;
  readonly domain: string | undefined;
  readonly client: ZohoClient;
  private readonly moderators: Record<string, string[]>;
  private readonly check: AddressCheck;
  private readonly usersCache: ListCache<ZohoUser>;

  constructor(config: ZohoProviderConfig) {
    if (config.domain !== undefined && !isNormalizedDomain(config.domain.toLowerCase())) {
      throw new TypeError(
        `${PROVIDER}: domain must be a domain name, got ${JSON.stringify(config.domain)}`,
      );
    }
    this.domain = config.domain?.toLowerCase();
    this.client = new ZohoClient(config);
    this.moderators = Object.fromEntries(
      Object.entries(config.moderators ?? {}).map(([k, v]) => [k.toLowerCase(), lower(v)]),
    );
    this.check = new AddressCheck(PROVIDER, this.domain, "a valid local part");
    const cacheKey = `zoho ${this.client.baseUrl} ${this.client.organizationId} users`;
    this.usersCache = new ListCache(
      () => cacheKey,
      config.readCacheTtlMs ?? 2_000,
      (u) => u.primaryEmailAddress.toLowerCase(),
    );
  }

  // ---------------- batched reads ----------------

  /** Every user by lower-case primary address: one paged list, shared for `readCacheTtlMs`. */
  private users(operation: string): Promise<Map<string, ZohoUser>> {
    return this.usersCache.get("", () => this.client.listUsers(operation));
  }

  // ---------------- helpers ----------------

  private notFound(operation: string, address: string, what = "mailbox"): NotFoundError {
    return new NotFoundError(
      { provider: PROVIDER, operation, status: 404 },
      `${PROVIDER} ${operation}: ${what} ${address} does not exist`,
    );
  }

  private aliasesOf(u: ZohoUser, d: string): string[] {
    return sorted(
      (u.emailAddress ?? [])
        .filter((e) => e.isAlias === true)
        .map((e) => e.mailId.toLowerCase())
        .filter((a) => a.endsWith(`@${d}`))
        .map((a) => a.slice(0, -(d.length + 1))),
    );
  }

  private toState(d: string, lp: string, u: ZohoUser): MailboxState {
    return {
      domain: d,
      localPart: lp,
      name: u.displayName ?? "",
      suspended: u.mailboxStatus === "disabled",
      aliases: this.aliasesOf(u, d),
      forwardTo: [],
    };
  }

  /** Refuses what the API cannot do, before any request. */
  private refuseUnsupported(op: string, address: string, input: Partial<MailboxInput>): void {
    if ((input.forwardTo ?? []).length > 0) {
      fail(
        op,
        `${address}: forwardTo: ${NOT_THROUGH_API("forwarding", "set it in the Zoho Mail admin console")}`,
      );
    }
    if (input.require2fa === true) {
      fail(
        op,
        `${address}: require2fa: ${NOT_THROUGH_API("per-user 2FA enforcement", "enforce it with a TFA policy in the Zoho Mail admin console")}`,
      );
    }
    if ((input.aliases ?? []).length > ZOHO_ALIASES_PER_USER) {
      fail(
        op,
        `${address}: aliases has ${(input.aliases ?? []).length} entries; allowed: at most ${ZOHO_ALIASES_PER_USER} per user`,
      );
    }
  }

  // ---------------- mailboxes ----------------

  /** Every mailbox of the domain: one paged read of the users. */
  async listMailboxes(domain: string): Promise<MailboxState[]> {
    const d = this.check.domain(domain, "listMailboxes");
    const out: MailboxState[] = [];
    for (const [address, u] of await this.users("listMailboxes")) {
      if (address.endsWith(`@${d}`))
        out.push(this.toState(d, address.slice(0, -(d.length + 1)), u));
    }
    return out.sort((a, b) => a.localPart.localeCompare(b.localPart));
  }

  /** One mailbox, served from the batched list of users. */
  async getMailbox(domain: string, localPart: string): Promise<MailboxState | undefined> {
    const d = this.check.domain(domain, "getMailbox");
    const lp = this.check.localPart(localPart, "getMailbox");
    const u = (await this.users("getMailbox")).get(`${lp}@${d}`);
    return u && this.toState(d, lp, u);
  }

  /** The user at `address`, read now (not from the list). */
  private async fresh(address: string, op: string): Promise<ZohoUser | undefined> {
    const u = await this.client.getUser(address, op);
    return u && u.primaryEmailAddress.toLowerCase() === address ? u : undefined;
  }

  private differences(u: ZohoUser, input: MailboxInput): string[] {
    const diffs: string[] = [];
    if ((u.displayName ?? "") !== input.name) {
      diffs.push(`name: ${JSON.stringify(u.displayName ?? "")} ≠ ${JSON.stringify(input.name)}`);
    }
    const suspended = u.mailboxStatus === "disabled";
    if (suspended !== input.suspended) diffs.push(`suspended: ${suspended} ≠ ${input.suspended}`);
    return diffs;
  }

  /**
   * Adds the user (`POST /accounts`), then its aliases (`addEmailAlias`, by zuid) and, when it is
   * declared suspended, disables it (`disableUser`, by accountId). An existing identical user
   * (same display name and state) is adopted without touching its password; a different one,
   * or an address another user or a group holds, is a ConflictError.
   */
  async createMailbox(input: MailboxInput): Promise<MailboxState> {
    const op = "createMailbox";
    const { d, lp, address } = this.check.address(input.domain, input.localPart, op);
    this.check.name(op, address, input.name);
    this.refuseUnsupported(op, address, input);
    if (input.password === undefined || input.password === "") {
      fail(op, `${address} has no password; Zoho Mail adds users with an initial password only`);
    }
    const adopt = (u: ZohoUser): ZohoUser => {
      const diffs = this.differences(u, input);
      if (diffs.length > 0) {
        throw adoptionConflict(
          PROVIDER,
          op,
          400,
          `${address} already exists in Zoho Mail with different settings (${diffs.join("; ")})`,
        );
      }
      return u;
    };
    const body: Record<string, unknown> = {
      primaryEmailAddress: address,
      password: input.password,
      displayName: input.name,
      ...splitName(input.name),
      role: "member",
      ...(input.changePasswordAtNextLogin ? { oneTimePassword: true } : {}),
    };
    let u: ZohoUser;
    let adopted = false;
    try {
      u = await this.client.addUser(body, async () => {
        const found = await this.fresh(address, op);
        if (found) adopted = true;
        return found && adopt(found);
      });
    } catch (e) {
      this.usersCache.invalidate("");
      if (!(e instanceof ConflictError)) throw e;
      const found = await this.fresh(address, op);
      if (!found) {
        throw new ConflictError(
          { provider: PROVIDER, operation: op, status: e.status, apiMessage: e.apiMessage },
          `${PROVIDER} ${op}: ${address} is taken by another user's alias or a group of the organisation`,
        );
      }
      u = adopt(found);
      adopted = true;
    }
    const want = lower(input.aliases ?? []);
    const have = this.aliasesOf(u, d);
    const add = want.filter((a) => !have.includes(a));
    if (add.length > 0) await this.addAliases(op, u, d, add);
    if (input.suspended && u.mailboxStatus !== "disabled") await this.setSuspended(op, u, true);
    const state: MailboxState = {
      ...this.toState(d, lp, u),
      name: adopted ? (u.displayName ?? "") : input.name,
      suspended: input.suspended,
      aliases: sorted([...have, ...add]),
    };
    this.usersCache.put("", this.withState(u, state, d));
    return state;
  }

  /** The user as a write left it, for the read cache. */
  private withState(u: ZohoUser, s: MailboxState, d: string): ZohoUser {
    return {
      ...u,
      displayName: s.name,
      mailboxStatus: s.suspended ? "disabled" : "enabled",
      emailAddress: [
        { mailId: u.primaryEmailAddress, isPrimary: true, isAlias: false },
        ...s.aliases.map((a) => ({ mailId: `${a}@${d}`, isPrimary: false, isAlias: true })),
      ],
    };
  }

  private async addAliases(op: string, u: ZohoUser, d: string, add: string[]): Promise<void> {
    try {
      await this.client.updateUser(
        u.zuid,
        { zuid: Number(u.zuid), mode: "addEmailAlias", emailAlias: add.map((a) => `${a}@${d}`) },
        op,
      );
    } catch (e) {
      this.usersCache.invalidate("");
      if (!(e instanceof ConflictError)) throw e;
      // A resent add (its first answer lost) finds its own aliases: that is success.
      const now = await this.fresh(u.primaryEmailAddress.toLowerCase(), op);
      const mine = now ? this.aliasesOf(now, d) : [];
      const taken = add.filter((a) => !mine.includes(a));
      if (taken.length === 0) return;
      // A group at the address cannot become an alias in place: Zoho would have to delete it
      // first, and Mailplane never deletes an address on its way to another kind.
      const groups = new Set(
        (await this.client.listGroups(op)).map((g) => g.emailId.toLowerCase()),
      );
      const asGroup = taken.filter((a) => groups.has(`${a}@${d}`));
      const how =
        asGroup.length > 0
          ? `; ${asGroup.map((a) => `${a}@${d}`).join(", ")} ${asGroup.length > 1 ? "are groups" : "is a group"}: ` +
            `Zoho Mail cannot turn a group into an alias without deleting it, so remove the group ` +
            `from the declaration and apply, then declare the alias`
          : "";
      throw new ConflictError(
        { provider: PROVIDER, operation: op, status: e.status, apiMessage: e.apiMessage },
        `${PROVIDER} ${op}: ${taken.map((a) => `${a}@${d}`).join(", ")} ${taken.length > 1 ? "are" : "is"} ` +
          `taken by another user or a group of the organisation${how}; ${u.primaryEmailAddress} keeps its other aliases`,
      );
    }
  }

  private async setSuspended(op: string, u: ZohoUser, suspended: boolean): Promise<void> {
    // disableUser keeps mail flowing, the aliases and the group memberships: nothing is lost.
    const body = suspended
      ? {
          zuid: Number(u.zuid),
          mode: "disableUser",
          blockIncoming: false,
          removeMailforward: false,
          removeGroupMembership: false,
          removeAlias: false,
        }
      : { zuid: Number(u.zuid), mode: "enableUser", unblockIncoming: true };
    await this.client.updateUser(u.accountId, body, op);
  }

  /**
   * Applies the given fields with one `mode` update each: the display name and enable/disable by
   * accountId, the password and the alias diff by zuid.
   */
  async updateMailbox(
    domain: string,
    localPart: string,
    patch: MailboxPatch,
  ): Promise<MailboxState> {
    const op = "updateMailbox";
    const { d, lp, address } = this.check.address(domain, localPart, op);
    if (patch.name !== undefined) this.check.name(op, address, patch.name);
    const keep = lower(patch.keepAliases ?? []);
    const declared = patch.aliases === undefined ? undefined : lower(patch.aliases);
    this.refuseUnsupported(op, address, { ...patch, aliases: declared });
    if (patch.changePasswordAtNextLogin === true && patch.password === undefined) {
      fail(
        op,
        `${address}: changePasswordAtNextLogin needs a new password; Zoho Mail sets the one-time flag only with a password`,
      );
    }
    const u = await this.fresh(address, op);
    if (!u) throw this.notFound(op, address);
    const state = this.toState(d, lp, u);
    try {
      if (patch.name !== undefined && patch.name !== state.name) {
        await this.client.updateUser(
          u.accountId,
          { zuid: Number(u.zuid), mode: "updateDisplayName", displayName: patch.name },
          op,
        );
        state.name = patch.name;
      }
      if (patch.password !== undefined) {
        await this.client.updateUser(
          u.zuid,
          { zuid: Number(u.zuid), mode: "resetPassword", password: patch.password },
          op,
        );
      }
      if (declared !== undefined) {
        const add = declared.filter((a) => !state.aliases.includes(a) && !keep.includes(a));
        const remove = state.aliases.filter((a) => !declared.includes(a) && !keep.includes(a));
        if (state.aliases.length - remove.length + add.length > ZOHO_ALIASES_PER_USER) {
          fail(
            op,
            `${address}: more than ${ZOHO_ALIASES_PER_USER} aliases; allowed: at most ${ZOHO_ALIASES_PER_USER} per user`,
          );
        }
        if (remove.length > 0) {
          await this.client.updateUser(
            u.zuid,
            {
              zuid: Number(u.zuid),
              mode: "deleteEmailAlias",
              emailAlias: remove.map((a) => `${a}@${d}`),
            },
            op,
          );
        }
        if (add.length > 0) await this.addAliases(op, u, d, add);
        state.aliases = sorted([...state.aliases.filter((a) => !remove.includes(a)), ...add]);
      }
      if (patch.suspended !== undefined && patch.suspended !== state.suspended) {
        await this.setSuspended(op, u, patch.suspended);
        state.suspended = patch.suspended;
      }
    } catch (e) {
      this.usersCache.invalidate("");
      throw e;
    }
    this.usersCache.put("", this.withState(u, state, d));
    return state;
  }

  /** Deletes the user and its mailbox (`DELETE /accounts` with its zuid). A missing one is fine. */
  async deleteMailbox(domain: string, localPart: string): Promise<void> {
    const op = "deleteMailbox";
    const { address } = this.check.address(domain, localPart, op);
    const u = await this.fresh(address, op);
    if (u) {
      try {
        await this.client.deleteUsers([u.zuid], op);
      } catch (e) {
        this.usersCache.invalidate("");
        if (!(e instanceof NotFoundError)) throw e;
      }
    }
    this.usersCache.remove("", address);
  }

  // ---------------- standalone aliases: none in Zoho Mail ----------------

  /** Zoho Mail has no standalone aliases (a mailbox's aliases are read with the mailbox). */
  async listAliases(domain: string): Promise<AliasState[]> {
    this.check.domain(domain, "listAliases");
    return [];
  }

  /** None. */
  async getAlias(domain: string, localPart: string): Promise<AliasState | undefined> {
    this.check.domain(domain, "getAlias");
    this.check.localPart(localPart, "getAlias");
    return undefined;
  }

  private refuseAlias(op: string, address: string): never {
    fail(
      op,
      `${address}: ${NOT_THROUGH_API("a standalone alias", "declare a group with the same members, or an alias of a mailbox")}`,
    );
  }

  /** Refused: declare a group instead. */
  async createAlias(input: AliasState): Promise<AliasState> {
    this.refuseAlias("createAlias", `${input.localPart}@${input.domain}`);
  }

  /** Refused: declare a group instead. */
  async updateAlias(domain: string, localPart: string): Promise<AliasState> {
    this.refuseAlias("updateAlias", `${localPart}@${domain}`);
  }

  /** Refused: declare a group instead. */
  async deleteAlias(domain: string, localPart: string): Promise<void> {
    this.refuseAlias("deleteAlias", `${localPart}@${domain}`);
  }

  // ---------------- groups ----------------

  private async findGroup(d: string, lp: string, op: string): Promise<ZohoGroup | undefined> {
    const address = `${lp}@${d}`;
    const g = (await this.client.listGroups(op)).find((x) => x.emailId.toLowerCase() === address);
    return g && this.client.getGroup(g.zgid, op);
  }

  private toGroup(d: string, g: ZohoGroup): GroupState {
    return {
      domain: d,
      localPart: g.emailId.toLowerCase().split("@")[0]!,
      ...(g.name ? { name: g.name } : {}),
      members: lower((g.mailGroupMemberList ?? []).map((m) => m.memberEmailId)),
    };
  }

  private roleOf(lp: string, member: string): "member" | "moderator" {
    return (this.moderators[lp] ?? []).includes(member) ? "moderator" : "member";
  }

  /** Every group of the domain: one list, plus one read of each group's members. */
  async listGroups(domain: string): Promise<GroupState[]> {
    const op = "listGroups";
    const d = this.check.domain(domain, op);
    const mine = (await this.client.listGroups(op)).filter((g) =>
      g.emailId.toLowerCase().endsWith(`@${d}`),
    );
    const out: GroupState[] = [];
    for (const g of mine) {
      const full = await this.client.getGroup(g.zgid, op);
      if (full) out.push(this.toGroup(d, full));
    }
    return out.sort((a, b) => a.localPart.localeCompare(b.localPart));
  }

  /** One group by its address. */
  async getGroup(domain: string, localPart: string): Promise<GroupState | undefined> {
    const d = this.check.domain(domain, "getGroup");
    const lp = this.check.localPart(localPart, "getGroup");
    const g = await this.findGroup(d, lp, "getGroup");
    return g && this.toGroup(d, g);
  }

  private checkMembers(op: string, address: string, members: string[]): void {
    if (members.length === 0) fail(op, `${address}: members must list at least one address`);
    const bad = members.find((m) => !isNormalizedAddress(m));
    if (bad !== undefined) fail(op, `${address}: members: "${bad}" is not an email address`);
  }

  /**
   * Adds the group with its members (moderators by the binding's `moderators`). An existing
   * group with the same members is adopted; other members, or an address a user holds, are a
   * ConflictError.
   */
  async createGroup(input: GroupState): Promise<GroupState> {
    const op = "createGroup";
    const { d, lp, address } = this.check.address(input.domain, input.localPart, op);
    const members = lower(input.members);
    this.checkMembers(op, address, members);
    const adopt = (g: ZohoGroup): ZohoGroup => {
      const state = this.toGroup(d, g);
      if (state.members.join(",") !== members.join(",")) {
        throw new ConflictError(
          { provider: PROVIDER, operation: op, status: 400 },
          `${PROVIDER} ${op}: ${address} already exists as a group with other members (${state.members.join(", ")} ≠ ${members.join(", ")})`,
        );
      }
      return g;
    };
    const existing = await this.findGroup(d, lp, op);
    if (existing) {
      adopt(existing);
      await this.applyRoles(op, lp, existing);
      return this.toGroup(d, existing);
    }
    const body = {
      emailId: address,
      name: input.name ?? lp,
      mailGroupMemberList: members.map((m) => ({ memberEmailId: m, role: this.roleOf(lp, m) })),
    };
    try {
      await this.client.addGroup(body, async () => {
        const g = await this.findGroup(d, lp, op);
        return g && adopt(g);
      });
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      throw new ConflictError(
        { provider: PROVIDER, operation: op, status: e.status, apiMessage: e.apiMessage },
        `${PROVIDER} ${op}: ${address} is taken by a user or a user's alias of the organisation`,
      );
    }
    return { domain: d, localPart: lp, name: body.name, members };
  }

  /**
   * Sets each member's role to the binding's (moderator or member) where it differs; `keep`
   * limits it to the members that stay.
   */
  private async applyRoles(op: string, lp: string, g: ZohoGroup, keep?: string[]): Promise<void> {
    const change = (g.mailGroupMemberList ?? [])
      .filter((m) => keep === undefined || keep.includes(m.memberEmailId.toLowerCase()))
      .filter((m) => (m.role ?? "member") !== this.roleOf(lp, m.memberEmailId.toLowerCase()))
      .map((m) => ({
        memberEmailId: m.memberEmailId,
        role: this.roleOf(lp, m.memberEmailId.toLowerCase()),
      }));
    if (change.length === 0) return;
    await this.client.updateGroup(
      g.zgid,
      { mode: "changeMemberRole", mailGroupMemberList: change },
      op,
    );
  }

  /**
   * Applies the member diff (`addMailGroupMember` first, then `deleteMailGroupMember`, so the
   * group never empties) and the moderators' roles. Zoho's API documents no group rename: a
   * new name is refused, naming the admin console.
   */
  async updateGroup(
    domain: string,
    localPart: string,
    patch: Partial<Pick<GroupState, "name" | "members">>,
  ): Promise<GroupState> {
    const op = "updateGroup";
    const { d, lp, address } = this.check.address(domain, localPart, op);
    const desired = patch.members === undefined ? undefined : lower(patch.members);
    if (desired !== undefined) this.checkMembers(op, address, desired);
    const g = await this.findGroup(d, lp, op);
    if (!g) throw this.notFound(op, address, "group");
    const state = this.toGroup(d, g);
    if (patch.name !== undefined && patch.name !== state.name) {
      fail(
        op,
        `${address}: name ${JSON.stringify(state.name ?? "")} => ${JSON.stringify(patch.name)}: ${NOT_THROUGH_API("renaming a group", "rename it in the Zoho Mail admin console, then declare the new name")}`,
      );
    }
    if (desired !== undefined) {
      const add = desired.filter((m) => !state.members.includes(m));
      const remove = state.members.filter((m) => !desired.includes(m));
      if (add.length > 0) {
        const list = add.map((m) => ({ memberEmailId: m, role: this.roleOf(lp, m) }));
        await this.client
          .updateGroup(g.zgid, { mode: "addMailGroupMember", mailGroupMemberList: list }, op)
          .catch(async (e: unknown) => {
            // A resent add (its first answer lost) finds its members there: that is success.
            if (!(e instanceof ConflictError)) throw e;
            const now = await this.client.getGroup(g.zgid, op);
            const there = lower((now?.mailGroupMemberList ?? []).map((m) => m.memberEmailId));
            if (!add.every((m) => there.includes(m))) throw e;
          });
      }
      if (remove.length > 0) {
        await this.client.updateGroup(
          g.zgid,
          {
            mode: "deleteMailGroupMember",
            mailGroupMemberList: remove.map((m) => ({ memberEmailId: m })),
          },
          op,
        );
      }
      state.members = desired;
    }
    await this.applyRoles(op, lp, g, state.members);
    return state;
  }

  /** Deletes the group; a missing one is not an error. */
  async deleteGroup(domain: string, localPart: string): Promise<void> {
    const op = "deleteGroup";
    const d = this.check.domain(domain, op);
    const lp = this.check.localPart(localPart, op);
    const g = (await this.client.listGroups(op)).find(
      (x) => x.emailId.toLowerCase() === `${lp}@${d}`,
    );
    if (!g) return;
    try {
      await this.client.deleteGroup(g.zgid, op);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }
}

/** Builds the Zoho Mail adapter. */
export function createZohoProvider(config: ZohoProviderConfig): ZohoProvider {
  return new ZohoProvider(config);
}
