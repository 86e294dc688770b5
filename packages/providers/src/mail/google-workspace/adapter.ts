import crypto from "node:crypto";
import { isNormalizedAddress } from "@mailplane/core";
import type {
  AliasState,
  GroupState,
  MailProvider,
  MailboxInput,
  MailboxPatch,
  MailboxState,
} from "../../adapter";
import { capabilities } from "../definition";
import {
  AddressCheck,
  adoptionConflict,
  DomainCache,
  ListCache,
  failFor,
  lower,
  sameList,
  sorted,
  type Fail,
} from "../shared/adapter-kit";
import { AuthError, ConflictError, NotFoundError } from "../../errors";
import { sleep } from "../../http/retry";
import {
  GOOGLE_DIRECTORY_URL,
  GOOGLE_GROUPS_SETTINGS_SCOPE,
  GoogleDirectoryClient,
  groupsSettingsUrlFor,
  type GoogleWorkspaceClientConfig,
} from "./client";
import type { GoogleGroup, GoogleUser, GoogleUserWrite } from "./schema";

/**
 * The description of a Google Group Mailplane made a shared mailbox (a collaborative inbox): the
 * Directory's group list shows it, so a refresh needs no Groups Settings read per group.
 */
export const GOOGLE_SHARED_INBOX_MARK =
  "Shared mailbox (collaborative inbox), managed by Mailplane";

/**
 * The Groups Settings of a shared mailbox: a collaborative inbox (conversations assigned and
 * resolved by its members) that keeps its archive and receives mail from anyone; suspended, it
 * keeps the archive and takes no new mail (`NONE_CAN_POST` needs `archiveOnly`).
 */
export function googleInboxSettings(suspended: boolean): Record<string, string> {
  return {
    enableCollaborativeInbox: "true",
    isArchived: "true",
    archiveOnly: suspended ? "true" : "false",
    whoCanPostMessage: suspended ? "NONE_CAN_POST" : "ANYONE_CAN_POST",
  };
}

/** Google allows at most 30 aliases per user. */
export const GOOGLE_MAX_ALIASES = 30;

/**
 * What Google Workspace can do, as this adapter realises it (Admin SDK Directory API).
 * - Mailboxes are users; aliases are user aliases (at most 30 per user); groups are Google
 *   Groups whose membership is changed by a diff of members.
 * - No forwarding-only aliases: an address delivering elsewhere is a group.
 * - Rename in place: `primaryEmail` changes, the mail stays.
 * - 2-step verification: the API cannot enforce it per user; it is an org unit's policy in the
 *   Admin console. `require2fa` is therefore accepted only for a mailbox whose profile the
 *   binding's `orgUnits` maps to an org unit ({@link googleTwoStepProblem}, checked at preview),
 *   and the user's `isEnforcedIn2Sv` is reported as `twoFactorEnforced`.
 * - No quota, no catch-all or domain aliases through this adapter, no external forwarding.
 */
export const googleWorkspaceCapabilities = capabilities({
  mailboxes: true,
  aliasesPerMailbox: GOOGLE_MAX_ALIASES,
  groups: true,
  sharedMailboxes: true,
  suspend: true,
  passwords: true,
  forceChangeAtLogin: true,
  require2fa: true,
  renameInPlace: true,
});

/**
 * Why `require2fa` cannot be honoured for a mailbox, or undefined: Google enforces 2-step
 * verification per org unit (Admin console), so the mailbox needs a profile that `orgUnits` maps.
 */
export function googleTwoStepProblem(
  orgUnits: Record<string, string>,
  mailbox: { profile?: string | undefined; require2fa?: boolean | undefined },
): string | undefined {
  if (mailbox.require2fa !== true) return undefined;
  const unit = mailbox.profile === undefined ? undefined : orgUnits[mailbox.profile];
  if (unit !== undefined) return undefined;
  const which =
    mailbox.profile === undefined
      ? "the mailbox has no profile"
      : `its profile ${JSON.stringify(mailbox.profile)} is not in orgUnits`;
  return (
    `cannot enforce 2-step verification per user (the Directory API has no such setting) and ` +
    `${which}; give the mailbox a profile that providers.googleWorkspace({ orgUnits }) maps to ` +
    `an org unit, and enforce 2-step verification on that org unit in the Admin console ` +
    `(Security > Authentication > 2-Step Verification)`
  );
}

/** How long, and how often, a read of an object just written is repeated while it answers 404. */
export interface GoogleConsistencyPolicy {
  /** Reads in all, including the first. @default 8 */
  attempts: number;
  /** First pause; doubles each time. @default 100 */
  baseDelayMs: number;
  /** Longest pause. @default 2000 */
  maxDelayMs: number;
  /** How long after a write an object counts as "just written". @default 120000 */
  windowMs: number;
}

const defaultConsistency: GoogleConsistencyPolicy = {
  attempts: 8,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
  windowMs: 120_000,
};

/** Settings of the Google Workspace adapter. */
export interface GoogleWorkspaceProviderConfig extends GoogleWorkspaceClientConfig {
  /** The customer id (`my_customer` or `C0…`). */
  customerId: string;
  /** When set, the adapter refuses every other domain. */
  domain?: string;
  /** Org unit path by mailbox profile name (applied when the caller names a profile). */
  orgUnits?: Record<string, string>;
  /** @default 2000 */
  readCacheTtlMs?: number;
  consistency?: Partial<GoogleConsistencyPolicy>;
}

const PROVIDER = "googleWorkspace";

/** Process-wide: addresses written recently, with the time (eventual consistency). */
const recentWrites = new Map<string, number>();

const fail: Fail = failFor(PROVIDER);

const CJK = /^[\p{Script=Han}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}]+$/u;

/**
 * Google's given and family name for a display name. Names written without spaces in Han or
 * Hangul script are family-name first (张三 → family 张, given 三; four characters: a two-character
 * family name, 欧阳娜娜 → 欧阳 + 娜娜). Other names split at the last space ("Mary Ann Smith" →
 * "Mary Ann" + "Smith"). A single word is both (Google requires both parts). Explicit parts win:
 * a Latin-script name written family-name first ("Zhang San") needs them to be filed right.
 * The display name itself is kept in `name.displayName`, so it reads back unchanged either way.
 */
export function googleNameParts(
  name: string,
  explicit: { givenName?: string; familyName?: string } = {},
): { givenName: string; familyName: string } {
  const t = name.trim().replace(/\s+/g, " ");
  let parts: { givenName: string; familyName: string };
  if (!t.includes(" ")) {
    const chars = [...t];
    if (CJK.test(t) && chars.length >= 2) {
      const n = chars.length >= 4 ? 2 : 1;
      parts = { familyName: chars.slice(0, n).join(""), givenName: chars.slice(n).join("") };
    } else {
      parts = { givenName: t, familyName: t };
    }
  } else {
    const words = t.split(" ");
    parts = { givenName: words.slice(0, -1).join(" "), familyName: words.at(-1)! };
  }
  return {
    givenName: explicit.givenName ?? parts.givenName,
    familyName: explicit.familyName ?? parts.familyName,
  };
}

/** The display name of a user: `displayName` when set, else built from the two parts. */
export function googleDisplayName(user: Pick<GoogleUser, "name">): string {
  const n = user.name ?? {};
  if (n.displayName) return n.displayName;
  const given = n.givenName ?? "";
  const family = n.familyName ?? "";
  if (CJK.test(given) && CJK.test(family)) return `${family}${given}`;
  return `${given} ${family}`.trim() || (n.fullName ?? "");
}

function organization(user: GoogleUser): { department?: string; title?: string } {
  const orgs = user.organizations ?? [];
  const o = orgs.find((x) => x.primary) ?? orgs[0];
  const out: { department?: string; title?: string } = {};
  if (o?.department) out.department = o.department;
  if (o?.title) out.title = o.title;
  return out;
}

function generatedPassword(): string {
  return crypto.randomBytes(24).toString("base64url");
}

/**
 * The password as Google accepts it hashed (`hashFunction: "crypt"`): SHA-512 crypt (`$6$`)
 * with a random 16-character salt, so the plain password never leaves this process.
 */
export async function googleHashedPassword(
  plain: string,
): Promise<{ password: string; hashFunction: "crypt" }> {
  const { encrypt } = await import("unixcrypt");
  const salt = crypto.randomBytes(12).toString("base64").replace(/\+/g, ".");
  return { password: encrypt(plain, `$6$${salt}`), hashFunction: "crypt" };
}

/**
 * The Google Workspace adapter. Reads are batched: one paged list of the domain's users (500 a
 * page) and of its groups (200 a page) serves every `get*` for `readCacheTtlMs`; a group's
 * members are one paged list per group. Writes go through the cache (write-through).
 *
 * Eventual consistency: an object written in the last `consistency.windowMs` that answers 404
 * is read again, with a doubling pause, at most `consistency.attempts` times; a member or alias
 * insert that answers 404 for a user just created is retried the same way. A create that
 * answers 409 (it took effect before, or the address is used) is followed by such reads and
 * adopted when identical: nothing is ever created twice.
 */
export class GoogleWorkspaceProvider implements MailProvider {
  readonly name = PROVIDER;
  readonly capabilities = googleWorkspaceCapabilities;
  readonly domain: string | undefined;
  readonly client: GoogleDirectoryClient;
  private readonly cache: DomainCache;
  private readonly check: AddressCheck;
  private readonly users: ListCache<GoogleUser>;
  private readonly groups: ListCache<GoogleGroup>;
  private readonly consistency: GoogleConsistencyPolicy;
  private readonly orgUnits: Record<string, string>;
  private readonly config: GoogleWorkspaceProviderConfig;
  private settingsClient?: GoogleDirectoryClient;

  constructor(config: GoogleWorkspaceProviderConfig) {
    if (!isNormalizedAddress(config.adminEmail)) {
      throw new TypeError(
        `${PROVIDER}: adminEmail must be the super admin's email address, got ${JSON.stringify(config.adminEmail ?? null)}`,
      );
    }
    const key = config.serviceAccountKey;
    if (
      !key ||
      typeof key.client_email !== "string" ||
      typeof key.private_key !== "string" ||
      !key.private_key.includes("PRIVATE KEY")
    ) {
      throw new TypeError(
        `${PROVIDER}: the service account key must be the JSON key file with client_email and private_key (value not shown)`,
      );
    }
    this.domain = config.domain?.toLowerCase();
    this.client = new GoogleDirectoryClient(config);
    const base = (config.apiUrl ?? GOOGLE_DIRECTORY_URL).replace(/\/+$/, "");
    this.cache = new DomainCache(
      `googleWorkspace ${base} ${config.customerId} ${key.client_email}`,
      config.readCacheTtlMs ?? 2_000,
    );
    this.check = new AddressCheck(PROVIDER, this.domain);
    this.users = this.cache.list<GoogleUser>("users", (u) => u.primaryEmail.toLowerCase());
    this.groups = this.cache.list<GoogleGroup>("groups", (g) => g.email.toLowerCase());
    this.consistency = { ...defaultConsistency, ...config.consistency };
    this.orgUnits = config.orgUnits ?? {};
    this.config = config;
  }

  /** The Groups Settings client, made at the first collaborative-inbox write (its own token). */
  private settings(): GoogleDirectoryClient {
    this.settingsClient ??= new GoogleDirectoryClient(this.config, {
      baseUrl: groupsSettingsUrlFor(this.config.apiUrl),
      scopes: [GOOGLE_GROUPS_SETTINGS_SCOPE],
    });
    return this.settingsClient;
  }

  // ---------------- consistency ----------------

  private wrote(address: string): void {
    const now = Date.now();
    recentWrites.set(address, now);
    if (recentWrites.size > 10_000) {
      for (const [a, at] of recentWrites) {
        if (now - at > this.consistency.windowMs) recentWrites.delete(a);
      }
    }
  }

  private recent(address: string): boolean {
    const at = recentWrites.get(address);
    if (at === undefined) return false;
    if (Date.now() - at > this.consistency.windowMs) {
      recentWrites.delete(address);
      return false;
    }
    return true;
  }

  /** Runs `fn`; while it throws NotFound and `retry` holds, runs it again after a pause. */
  private async notYet<T>(fn: () => Promise<T>, retry: boolean): Promise<T> {
    const c = this.consistency;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof NotFoundError) || !retry || attempt >= c.attempts) throw e;
        await sleep(Math.min(c.maxDelayMs, c.baseDelayMs * 2 ** (attempt - 1)));
      }
    }
  }

  /**
   * A user by address (primary or alias), re-read while a recent write is not yet visible: one
   * this process made, or one the domain's list already shows (another process wrote it moments
   * ago: `pulumi up` writes in one provider process, the next command reads in a new one).
   */
  private async readUser(address: string, op: string): Promise<GoogleUser | undefined> {
    const listed = async (): Promise<boolean> => {
      const users = await this.rawUsers(address.slice(address.indexOf("@") + 1));
      return [...users.values()].some(
        (u) =>
          u.primaryEmail.toLowerCase() === address ||
          (u.aliases ?? []).some((a) => a.toLowerCase() === address),
      );
    };
    return this.readListed(() => this.client.getUser(address, op), address, listed);
  }

  /** A group by address, re-read like {@link readUser}. */
  private async readGroup(address: string, op: string): Promise<GoogleGroup | undefined> {
    const listed = async (): Promise<boolean> =>
      (await this.rawGroups(address.slice(address.indexOf("@") + 1))).has(address);
    return this.readListed(() => this.client.getGroup(address, op), address, listed);
  }

  /** `read`, undefined when it answers 404 for an object neither written recently nor listed. */
  private async readListed<T>(
    read: () => Promise<T>,
    address: string,
    listed: () => Promise<boolean>,
  ): Promise<T | undefined> {
    const recent = this.recent(address);
    try {
      return await this.notYet(read, recent);
    } catch (e) {
      if (!(e instanceof NotFoundError) || recent || !(await listed())) {
        if (e instanceof NotFoundError) return undefined;
        throw e;
      }
    }
    try {
      return await this.notYet(read, true);
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  // ---------------- batched reads ----------------

  private rawUsers(domain: string): Promise<Map<string, GoogleUser>> {
    return this.users.get(domain, () => this.client.listUsers(domain));
  }

  private rawGroups(domain: string): Promise<Map<string, GoogleGroup>> {
    return this.groups.get(domain, () => this.client.listGroups(domain));
  }

  /**
   * A listed group's members. The list shows the group exists, so a 404 from its members is Google
   * not having caught up (a group created moments ago, possibly by another process: `pulumi up`
   * writes in one provider process, the next refresh reads in a new one): read again, bounded.
   */
  private members(domain: string, g: GoogleGroup, op: string): Promise<string[]> {
    const address = g.email.toLowerCase();
    return this.cache.value(domain, `members ${address}`, async () =>
      lower(await this.notYet(() => this.client.listMembers(g.id, op), true)),
    );
  }

  private cacheGroup(domain: string, g: GoogleGroup, members: string[]): void {
    const address = g.email.toLowerCase();
    this.groups.put(domain, g);
    this.cache.set(domain, `members ${address}`, [...members]);
  }

  private uncacheGroup(domain: string, address: string): void {
    this.groups.remove(domain, address);
    this.cache.invalidate(domain, `members ${address}`);
  }

  private aliasesOf(u: GoogleUser, d: string): string[] {
    const suffix = `@${d}`;
    return sorted(
      (u.aliases ?? [])
        .map((a) => a.toLowerCase())
        .filter((a) => a.endsWith(suffix))
        .map((a) => a.slice(0, -suffix.length)),
    );
  }

  private toState(d: string, u: GoogleUser): MailboxState {
    return {
      domain: d,
      localPart: u.primaryEmail.toLowerCase().split("@")[0]!,
      name: googleDisplayName(u),
      suspended: u.suspended === true,
      aliases: this.aliasesOf(u, d),
      forwardTo: [],
      ...organization(u),
      ...(typeof u.isEnforcedIn2Sv === "boolean" ? { twoFactorEnforced: u.isEnforcedIn2Sv } : {}),
    };
  }

  private conflict(op: string, address: string, what: string): ConflictError {
    return adoptionConflict(
      PROVIDER,
      op,
      409,
      `${address} already exists in Google Workspace ${what}`,
    );
  }

  private notFound(op: string, address: string, what: string): NotFoundError {
    return new NotFoundError(
      { provider: PROVIDER, operation: op, status: 404 },
      `${PROVIDER} ${op}: ${address} is not a ${what} in Google Workspace`,
    );
  }

  // ---------------- mailboxes ----------------

  /** Every user of the domain: ⌈users / 500⌉ list requests. */
  async listMailboxes(domain: string): Promise<MailboxState[]> {
    const d = this.check.domain(domain, "listMailboxes");
    const inboxes = [...(await this.rawGroups(d)).values()].filter(isInbox);
    return [
      ...[...(await this.rawUsers(d)).values()].map((u) => this.toState(d, u)),
      ...inboxes.map((g) => this.inboxState(d, g)),
    ].sort((a, b) => a.localPart.localeCompare(b.localPart));
  }

  /** One user, served from the batched list. */
  async getMailbox(domain: string, localPart: string): Promise<MailboxState | undefined> {
    const d = this.check.domain(domain, "getMailbox");
    const lp = this.check.localPart(localPart, "getMailbox");
    const u = (await this.rawUsers(d)).get(`${lp}@${d}`);
    if (u) return this.toState(d, u);
    const g = (await this.rawGroups(d)).get(`${lp}@${d}`);
    return g && isInbox(g) ? this.inboxState(d, g) : undefined;
  }

  private differences(u: GoogleUser, input: MailboxInput): string[] {
    const diffs: string[] = [];
    const name = googleDisplayName(u);
    if (name !== input.name)
      diffs.push(`name: ${JSON.stringify(name)} ≠ ${JSON.stringify(input.name)}`);
    if ((u.suspended === true) !== input.suspended) {
      diffs.push(`suspended: ${u.suspended === true} ≠ ${input.suspended}`);
    }
    return diffs;
  }

  private organizationsBody(
    department: string | undefined,
    title: string | undefined,
  ): GoogleUserWrite["organizations"] {
    if (department === undefined && title === undefined) return null;
    return [
      {
        ...(department === undefined ? {} : { department }),
        ...(title === undefined ? {} : { title }),
        primary: true,
      },
    ];
  }

  private checkName(op: string, address: string, name: unknown): string {
    const checked = this.check.name(op, address, name);
    if (checked.length > 256)
      fail(op, `${address}: name must be at most 256 characters, got ${checked.length}`);
    return checked;
  }

  private checkTwoStep(
    op: string,
    address: string,
    m: { profile?: string | undefined; require2fa?: boolean | undefined },
  ): void {
    const problem = googleTwoStepProblem(this.orgUnits, m);
    if (problem !== undefined) fail(op, `${address}: ${problem}`);
  }

  /** The org unit of a profile: the mapped one, else the root (`/`). */
  private orgUnitOf(profile: string | undefined): string {
    return (profile === undefined ? undefined : this.orgUnits[profile]) ?? "/";
  }

  private checkAliasCount(op: string, address: string, count: number): void {
    if (count > GOOGLE_MAX_ALIASES) {
      fail(
        op,
        `${address}: Google allows at most ${GOOGLE_MAX_ALIASES} aliases per user, got ${count}`,
      );
    }
  }

  /**
   * Creates a user. An existing identical user (same display name and suspension) is adopted
   * without touching its password; a different one, or a group or alias at the address, is a
   * ConflictError. Without a password a random one is set with change-at-next-login.
   */
  async createMailbox(input: MailboxInput): Promise<MailboxState> {
    if (input.shared === true) return this.createInbox(input);
    const op = "createMailbox";
    const { d, lp, address } = this.check.address(input.domain, input.localPart, op);
    const name = this.checkName(op, address, input.name);
    if ((input.forwardTo ?? []).length > 0) {
      fail(op, `${address}: forwardTo is not supported for Google Workspace (use a group)`);
    }
    const aliases = lower(input.aliases ?? []).filter((a) => a !== lp);
    this.checkAliasCount(op, address, aliases.length);
    this.checkTwoStep(op, address, input);
    const adopt = (u: GoogleUser): GoogleUser => {
      const diffs = this.differences(u, input);
      if (diffs.length > 0)
        throw this.conflict(op, address, `with different settings (${diffs.join("; ")})`);
      return u;
    };
    const plain = input.password ?? generatedPassword();
    const body: GoogleUserWrite = {
      primaryEmail: address,
      name: { ...googleNameParts(name, input), displayName: name },
      ...(await googleHashedPassword(plain)),
      changePasswordAtNextLogin:
        input.password === undefined ? true : (input.changePasswordAtNextLogin ?? false),
      suspended: input.suspended,
    };
    const orgs = this.organizationsBody(input.department, input.title);
    if (orgs) body.organizations = orgs;
    if (input.profile !== undefined && this.orgUnits[input.profile] !== undefined) {
      body.orgUnitPath = this.orgUnitOf(input.profile);
    }
    const verify = async (): Promise<GoogleUser | undefined> => {
      const u = await this.readUser(address, op);
      return u && u.primaryEmail.toLowerCase() === address ? adopt(u) : undefined;
    };
    let user: GoogleUser;
    // Recent from the moment the insert is sent: a group of the same deployment may add the user
    // as a member before this process has read the insert's answer (the emulator, like Google,
    // then answers 404 memberKey for a user it holds but has not propagated yet).
    this.wrote(address);
    try {
      user = await this.client.insertUser(body, verify, op, [plain]);
    } catch (e) {
      if (!(e instanceof ConflictError)) {
        this.users.invalidate(d);
        throw e;
      }
      // 409: created by an earlier attempt (not visible yet), or the address is taken.
      this.wrote(address);
      const found = await this.readUser(address, op);
      if (found && found.primaryEmail.toLowerCase() === address) user = adopt(found);
      else if (found) throw this.conflict(op, address, `as an alias of ${found.primaryEmail}`);
      else throw this.conflict(op, address, "as a group or a group's alias");
    }
    this.wrote(address);
    this.users.put(d, user);
    const current = this.aliasesOf(user, d);
    for (const a of aliases.filter((x) => !current.includes(x))) {
      user = await this.addUserAlias(op, d, user, a);
    }
    return this.toState(d, user);
  }

  /** The user whose primary address is `address`, or NotFound (an alias is not the user). */
  private async userAt(op: string, address: string): Promise<GoogleUser> {
    const u = await this.readUser(address, op);
    if (!u || u.primaryEmail.toLowerCase() !== address) throw this.notFound(op, address, "user");
    return u;
  }

  /** Applies the given fields; returns the state after the update. */
  async updateMailbox(
    domain: string,
    localPart: string,
    patch: MailboxPatch,
  ): Promise<MailboxState> {
    const op = "updateMailbox";
    const { d, lp, address } = this.check.address(domain, localPart, op);
    if ((patch.forwardTo ?? []).length > 0) {
      fail(op, `${address}: forwardTo is not supported for Google Workspace (use a group)`);
    }
    const inbox = (await this.rawGroups(d)).get(address);
    if (inbox && isInbox(inbox)) return this.updateInbox(d, inbox, patch);
    let user = await this.userAt(op, address);
    const body: GoogleUserWrite = {};
    if ("profile" in patch) {
      // A changed profile moves the user to its org unit (the root when it maps none); one that
      // leaves a mailbox requiring 2-step verification without an org unit is refused.
      if (patch.require2fa === true) {
        this.checkTwoStep(op, address, { profile: patch.profile, require2fa: true });
      }
      const unit = this.orgUnitOf(patch.profile);
      if (unit !== user.orgUnitPath) body.orgUnitPath = unit;
    }
    if (patch.name !== undefined) {
      const name = this.checkName(op, address, patch.name);
      body.name = { ...googleNameParts(name, patch), displayName: name };
    }
    if (patch.suspended !== undefined) body.suspended = patch.suspended;
    if (patch.password !== undefined)
      Object.assign(body, await googleHashedPassword(patch.password));
    if (patch.changePasswordAtNextLogin !== undefined) {
      body.changePasswordAtNextLogin = patch.changePasswordAtNextLogin;
    }
    if ("department" in patch || "title" in patch) {
      const now = organization(user);
      body.organizations = this.organizationsBody(
        "department" in patch ? patch.department : now.department,
        "title" in patch ? patch.title : now.title,
      );
    }
    if (Object.keys(body).length > 0) {
      try {
        user = await this.client.updateUser(
          user.id,
          body,
          op,
          patch.password === undefined ? [] : [patch.password],
        );
      } catch (e) {
        this.users.invalidate(d);
        throw e;
      }
      this.wrote(address);
      this.users.put(d, user);
    }
    if (patch.aliases !== undefined) {
      const desired = lower(patch.aliases).filter((a) => a !== lp);
      const keep = lower(patch.keepAliases ?? []);
      const current = this.aliasesOf(user, d);
      const kept = current.filter((a) => keep.includes(a) && !desired.includes(a));
      this.checkAliasCount(op, address, desired.length + kept.length);
      for (const a of current.filter((x) => !desired.includes(x) && !keep.includes(x))) {
        user = await this.removeUserAlias(op, d, user, a);
      }
      for (const a of desired.filter((x) => !current.includes(x) && !keep.includes(x))) {
        user = await this.addUserAlias(op, d, user, a);
      }
    }
    return this.toState(d, user);
  }

  /**
   * Renames in place (`primaryEmail`): the mail stays, and the old address stays as an alias, as
   * Google keeps it, so mail sent to it is not lost. It is not one of the mailbox's declared
   * aliases (no drift); to remove it, declare it in `aliases`, apply, then remove it.
   */
  async renameMailbox(domain: string, from: string, to: string): Promise<MailboxState> {
    const op = "renameMailbox";
    const d = this.check.domain(domain, op);
    const oldAddress = `${this.check.localPart(from, op)}@${d}`;
    const newAddress = `${this.check.localPart(to, op)}@${d}`;
    const inbox = (await this.rawGroups(d)).get(oldAddress);
    if (inbox && isInbox(inbox)) {
      fail(
        op,
        `${oldAddress} is a shared mailbox (a Google Group); Mailplane renames only users in ` +
          `place. Declare the new address with allowRecreate: true, or rename the group in the Admin console and declare it as it is`,
      );
    }
    let user = await this.userAt(op, oldAddress);
    // Recent from the moment the rename is sent (a group may add the new address meanwhile).
    this.wrote(newAddress);
    try {
      user = await this.client.updateUser(user.id, { primaryEmail: newAddress }, op);
    } catch (e) {
      this.users.invalidate(d);
      if (e instanceof ConflictError)
        throw this.conflict(op, newAddress, "(the new address is taken)");
      throw e;
    }
    this.wrote(oldAddress);
    this.wrote(newAddress);
    this.users.put(d, user, oldAddress);
    return this.toState(d, user);
  }

  /**
   * Deletes the user. Google deletes a user's aliases with it, so a user that still has aliases
   * (ones the caller did not remove, e.g. made by hand) is refused with a ConflictError naming
   * them. A missing user is not an error.
   */
  async deleteMailbox(domain: string, localPart: string): Promise<void> {
    const op = "deleteMailbox";
    const d = this.check.domain(domain, op);
    const address = `${this.check.localPart(localPart, op)}@${d}`;
    const inbox = (await this.rawGroups(d)).get(address);
    if (inbox && isInbox(inbox)) return this.deleteGroupAt(op, d, address);
    const user = await this.readUser(address, op);
    if (!user || user.primaryEmail.toLowerCase() !== address) {
      this.users.remove(d, address);
      return;
    }
    const left = lower(user.aliases ?? []);
    if (left.length > 0) {
      throw new ConflictError(
        { provider: PROVIDER, operation: op },
        `${PROVIDER} ${op}: ${address} still has the aliases ${left.join(", ")}, which Google ` +
          `would delete with the user; remove them first or move them to another mailbox`,
      );
    }
    await this.users.deleting(d, () => this.client.deleteUser(user.id, op));
    this.wrote(address);
    this.users.remove(d, address);
  }

  /**
   * Adds `lp@d` as an alias of the user. When the address is a group whose only member is the
   * user, the group is taken over (deleted, then the alias added); anything else there is a
   * ConflictError.
   */
  private async addUserAlias(
    op: string,
    d: string,
    user: GoogleUser,
    lp: string,
  ): Promise<GoogleUser> {
    const alias = `${lp}@${d}`;
    const owner = user.primaryEmail.toLowerCase();
    const insert = () =>
      this.notYet(() => this.client.insertUserAlias(user.id, alias, op), this.recent(owner));
    try {
      await insert();
    } catch (e) {
      if (!(e instanceof ConflictError)) {
        this.users.invalidate(d);
        throw e;
      }
      const holder = await this.readUser(alias, op);
      if (holder && holder.id !== user.id) {
        throw this.conflict(
          op,
          alias,
          `as ${holder.primaryEmail.toLowerCase() === alias ? "a user" : `an alias of ${holder.primaryEmail}`}`,
        );
      }
      if (!holder) {
        const group = await this.readGroup(alias, op);
        if (!group) throw this.conflict(op, alias, "as a group or a group's alias");
        const members = lower(await this.notYet(() => this.client.listMembers(group.id, op), true));
        if (!sameList(members, [owner])) {
          throw this.conflict(
            op,
            alias,
            `as a group delivering to ${members.join(", ") || "nobody"}, not ${owner}`,
          );
        }
        await this.client.deleteGroup(group.id, op);
        this.uncacheGroup(d, alias);
        this.wrote(alias);
        await this.notYet(async () => {
          try {
            await this.client.insertUserAlias(user.id, alias, op);
          } catch (e2) {
            // The deleted group may still hold the address for a moment.
            if (e2 instanceof ConflictError) {
              throw new NotFoundError({ provider: PROVIDER, operation: op }, e2.message);
            }
            throw e2;
          }
        }, true);
      }
    }
    this.wrote(alias);
    const next: GoogleUser = { ...user, aliases: sorted([...(user.aliases ?? []), alias]) };
    this.users.put(d, next);
    return next;
  }

  private async removeUserAlias(
    op: string,
    d: string,
    user: GoogleUser,
    lp: string,
  ): Promise<GoogleUser> {
    const alias = `${lp}@${d}`;
    await this.users.deleting(d, () => this.client.deleteUserAlias(user.id, alias, op));
    this.wrote(alias);
    const next: GoogleUser = {
      ...user,
      aliases: (user.aliases ?? []).filter((a) => a.toLowerCase() !== alias),
    };
    this.users.put(d, next);
    return next;
  }

  // ---------------- aliases (user aliases) ----------------

  /** The domain's user aliases, each delivering to its user. */
  async listAliases(domain: string): Promise<AliasState[]> {
    const d = this.check.domain(domain, "listAliases");
    const out: AliasState[] = [];
    for (const u of (await this.rawUsers(d)).values()) {
      for (const lp of this.aliasesOf(u, d)) {
        out.push({ domain: d, localPart: lp, destinations: [u.primaryEmail.toLowerCase()] });
      }
    }
    return out.sort((a, b) => a.localPart.localeCompare(b.localPart));
  }

  /** One user alias, from the batched list. */
  async getAlias(domain: string, localPart: string): Promise<AliasState | undefined> {
    const d = this.check.domain(domain, "getAlias");
    const lp = this.check.localPart(localPart, "getAlias");
    return (await this.listAliases(d)).find((a) => a.localPart === lp);
  }

  /**
   * Only an alias delivering to exactly one user of the domain exists in Google (a user alias);
   * it is added (or adopted). Any other destination list is refused: declare a group.
   */
  async createAlias(input: AliasState): Promise<AliasState> {
    const op = "createAlias";
    const d = this.check.domain(input.domain, op);
    const lp = this.check.localPart(input.localPart, op);
    const destinations = lower(input.destinations);
    const users = await this.rawUsers(d);
    const target = destinations.length === 1 ? users.get(destinations[0]!) : undefined;
    if (!target) {
      fail(
        op,
        `${lp}@${d}: Google Workspace has no forwarding-only aliases; an alias must deliver to ` +
          `exactly one user of ${d} (got ${destinations.join(", ") || "none"}): declare a group instead`,
      );
    }
    if (!this.aliasesOf(target, d).includes(lp)) await this.addUserAlias(op, d, target, lp);
    return { domain: d, localPart: lp, destinations };
  }

  /** Not supported: a user alias cannot be pointed elsewhere (remove it and add it to another user). */
  async updateAlias(
    domain: string,
    localPart: string,
    destinations: string[],
  ): Promise<AliasState> {
    const op = "updateAlias";
    const d = this.check.domain(domain, op);
    const lp = this.check.localPart(localPart, op);
    const a = await this.getAlias(d, lp);
    if (!a) throw this.notFound(op, `${lp}@${d}`, "user alias");
    if (sameList(a.destinations, lower(destinations))) return a;
    return fail(
      op,
      `${lp}@${d}: a user alias cannot be moved to another destination; remove it and declare it on the other mailbox`,
    );
  }

  /** Removes a user alias; a missing one is not an error. */
  async deleteAlias(domain: string, localPart: string): Promise<void> {
    const op = "deleteAlias";
    const d = this.check.domain(domain, op);
    const lp = this.check.localPart(localPart, op);
    const alias = `${lp}@${d}`;
    const owner = [...(await this.rawUsers(d)).values()].find((u) =>
      (u.aliases ?? []).some((a) => a.toLowerCase() === alias),
    );
    if (owner) await this.removeUserAlias(op, d, owner, lp);
  }

  // ---------------- groups ----------------

  private toGroup(d: string, g: GoogleGroup, members: string[]): GroupState {
    return {
      domain: d,
      localPart: g.email.toLowerCase().split("@")[0]!,
      ...(g.name === undefined ? {} : { name: g.name }),
      members,
    };
  }

  /** Every group of the domain with its members: ⌈groups / 200⌉ lists plus one per group. */
  async listGroups(domain: string): Promise<GroupState[]> {
    const op = "listGroups";
    const d = this.check.domain(domain, op);
    const groups = [...(await this.rawGroups(d)).values()].filter((g) => !isInbox(g));
    const states = await Promise.all(
      groups.map(async (g) => this.toGroup(d, g, await this.members(d, g, op))),
    );
    return states.sort((a, b) => a.localPart.localeCompare(b.localPart));
  }

  /** One group, from the batched list, with its members. */
  async getGroup(domain: string, localPart: string): Promise<GroupState | undefined> {
    const op = "getGroup";
    const d = this.check.domain(domain, op);
    const lp = this.check.localPart(localPart, op);
    const g = (await this.rawGroups(d)).get(`${lp}@${d}`);
    return g && !isInbox(g) ? this.toGroup(d, g, await this.members(d, g, op)) : undefined;
  }

  private checkMembers(op: string, members: readonly string[]): string[] {
    const list = lower(members);
    const bad = list.find((a) => !isNormalizedAddress(a));
    if (bad !== undefined) fail(op, `members: "${bad}" is not an email address`);
    return list;
  }

  /** Adds and removes members so that the group has exactly `desired`. */
  private async syncMembers(
    op: string,
    g: GoogleGroup,
    current: string[],
    desired: string[],
  ): Promise<void> {
    for (const m of desired.filter((x) => !current.includes(x))) {
      try {
        // A user created a moment ago may not be visible to Groups yet: 404, retried.
        await this.notYet(() => this.client.insertMember(g.id, m, op), this.recent(m));
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e; // "Member already exists.": done already
      }
    }
    for (const m of current.filter((x) => !desired.includes(x))) {
      try {
        await this.client.deleteMember(g.id, m, op);
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
      }
    }
  }

  /**
   * Creates a Google Group with the members. An existing group with the same members is adopted
   * (its name updated); a user alias whose user is the only member is taken over (removed, then
   * the group created); anything else at the address is a ConflictError.
   */
  async createGroup(input: GroupState): Promise<GroupState> {
    const op = "createGroup";
    const { d, lp, address } = this.check.address(input.domain, input.localPart, op);
    const members = this.checkMembers(op, input.members);
    const adopt = async (g: GoogleGroup): Promise<GroupState> => {
      const current = lower(await this.notYet(() => this.client.listMembers(g.id, op), true));
      if (!sameList(current, members)) {
        throw this.conflict(
          op,
          address,
          `as a group with other members (${current.join(", ") || "none"} ≠ ${members.join(", ")})`,
        );
      }
      let group = g;
      if (input.name !== undefined && input.name !== g.name) {
        group = await this.client.updateGroup(g.id, { name: input.name }, op);
        this.wrote(address);
      }
      this.cacheGroup(d, group, members);
      return this.toGroup(d, group, members);
    };
    const existing = (await this.rawGroups(d)).get(address);
    if (existing) return adopt(existing);
    const holder =
      (await this.rawUsers(d)).get(address) ??
      [...(await this.rawUsers(d)).values()].find((u) =>
        (u.aliases ?? []).some((a) => a.toLowerCase() === address),
      );
    if (holder) {
      const owner = holder.primaryEmail.toLowerCase();
      if (owner === address) throw this.conflict(op, address, "as a user");
      if (!sameList(members, [owner])) throw this.conflict(op, address, `as an alias of ${owner}`);
      await this.removeUserAlias(op, d, holder, lp);
    }
    const verify = async () => this.readGroup(address, op);
    let group: GoogleGroup;
    try {
      group = await this.notYet(async () => {
        try {
          return await this.client.insertGroup(
            { email: address, ...(input.name ? { name: input.name } : {}) },
            verify,
            op,
          );
        } catch (e) {
          // Just removed as a user alias: the address may be held for a moment.
          if (holder && e instanceof ConflictError && !(await this.readGroup(address, op))) {
            throw new NotFoundError({ provider: PROVIDER, operation: op }, e.message);
          }
          throw e;
        }
      }, holder !== undefined);
    } catch (e) {
      if (!(e instanceof ConflictError)) {
        this.groups.invalidate(d);
        throw e;
      }
      this.wrote(address);
      const found = await this.readGroup(address, op);
      if (!found) throw this.conflict(op, address, "as a user or an alias");
      return adopt(found);
    }
    this.wrote(address);
    await this.syncMembers(op, group, [], members);
    this.cacheGroup(d, group, members);
    return this.toGroup(d, group, members);
  }

  /** Renames the group and/or changes its members by a diff (never a rewrite). */
  async updateGroup(
    domain: string,
    localPart: string,
    patch: Partial<Pick<GroupState, "name" | "members">>,
  ): Promise<GroupState> {
    const op = "updateGroup";
    const { d, address } = this.check.address(domain, localPart, op);
    const g = await this.readGroup(address, op);
    if (!g || g.email.toLowerCase() !== address) throw this.notFound(op, address, "group");
    const members = lower(
      await this.notYet(() => this.client.listMembers(g.id, op), this.recent(address)),
    );
    const changed = await this.changeGroup(op, d, g, members, patch, (name) => name);
    return this.toGroup(d, changed.group, changed.members);
  }

  /**
   * Renames a group (the name first passed through `checkName`) and/or changes its members by a
   * diff. A failure drops the cached group list (the outcome is unknown); success writes through.
   */
  private async changeGroup(
    op: string,
    d: string,
    g: GoogleGroup,
    members: string[],
    patch: { name?: string | undefined; members?: string[] | undefined },
    checkName: (name: string) => string,
  ): Promise<{ group: GoogleGroup; members: string[] }> {
    const address = g.email.toLowerCase();
    let group = g;
    try {
      if (patch.name !== undefined && patch.name !== g.name) {
        group = await this.client.updateGroup(g.id, { name: checkName(patch.name) }, op);
      }
      if (patch.members !== undefined) {
        const desired = this.checkMembers(op, patch.members);
        await this.syncMembers(op, group, members, desired);
        members = desired;
      }
    } catch (e) {
      this.groups.invalidate(d);
      throw e;
    }
    this.wrote(address);
    this.cacheGroup(d, group, members);
    return { group, members };
  }

  /** Deletes the group; a missing one is not an error. */
  async deleteGroup(domain: string, localPart: string): Promise<void> {
    const op = "deleteGroup";
    const d = this.check.domain(domain, op);
    const address = `${this.check.localPart(localPart, op)}@${d}`;
    return this.deleteGroupAt(op, d, address);
  }

  private async deleteGroupAt(op: string, d: string, address: string): Promise<void> {
    const group = await this.readGroup(address, op);
    if (group && group.email.toLowerCase() === address) {
      await this.groups.deleting(d, () => this.client.deleteGroup(group.id, op));
      this.wrote(address);
    }
    this.uncacheGroup(d, address);
  }

  // ---------------- shared mailboxes (collaborative inboxes) ----------------

  /** A collaborative inbox as a mailbox: no aliases, forwarding or suspension read back. */
  private inboxState(d: string, g: GoogleGroup): MailboxState {
    return {
      domain: d,
      localPart: g.email.toLowerCase().split("@")[0]!,
      name: g.name ?? g.email.toLowerCase(),
      suspended: false,
      aliases: [],
      forwardTo: [],
    };
  }

  /** Applies the inbox settings; a missing Groups Settings delegation says what to grant. */
  private async applyInboxSettings(op: string, address: string, suspended: boolean) {
    try {
      await this.notYet(
        () => this.settings().patchGroupSettings(address, googleInboxSettings(suspended), op),
        true,
      );
    } catch (e) {
      if (e instanceof AuthError) {
        throw new AuthError(
          { provider: PROVIDER, operation: op },
          `${PROVIDER} ${op}: ${address}: a shared mailbox is a collaborative inbox, set through ` +
            `the Groups Settings API; delegate the scope ${GOOGLE_GROUPS_SETTINGS_SCOPE} to the ` +
            `service account's client id (${e.message})`,
        );
      }
      throw e;
    }
  }

  /**
   * Creates a shared mailbox: a Google Group marked as Mailplane's, its readers as members, made a
   * collaborative inbox through the Groups Settings API. A group at the address with the same
   * members (Mailplane's inbox, or a plain group moving to this kind) is taken over; anything else
   * there is a ConflictError.
   */
  private async createInbox(input: MailboxInput): Promise<MailboxState> {
    const op = "createMailbox";
    const { d, address } = this.check.address(input.domain, input.localPart, op);
    const name = this.checkName(op, address, input.name);
    for (const f of ["aliases", "forwardTo"] as const) {
      if ((input[f] ?? []).length > 0) {
        fail(op, `${address}: a shared mailbox (a Google Group) takes no ${f}`);
      }
    }
    const members = this.checkMembers(op, input.members ?? []);
    const existing = (await this.rawGroups(d)).get(address);
    let group: GoogleGroup;
    if (existing) {
      const current = lower(
        await this.notYet(() => this.client.listMembers(existing.id, op), true),
      );
      if (!sameList(current, members)) {
        throw this.conflict(
          op,
          address,
          `as a group with other members (${current.join(", ") || "none"} ≠ ${members.join(", ") || "none"})`,
        );
      }
      group = existing;
      if (existing.name !== name || !isInbox(existing)) {
        group = await this.client.updateGroup(
          existing.id,
          { name, description: GOOGLE_SHARED_INBOX_MARK },
          op,
        );
      }
    } else {
      if ((await this.rawUsers(d)).has(address)) throw this.conflict(op, address, "as a user");
      const verify = async () => this.readGroup(address, op);
      this.wrote(address);
      try {
        group = await this.client.insertGroup(
          { email: address, name, description: GOOGLE_SHARED_INBOX_MARK },
          verify,
          op,
        );
      } catch (e) {
        this.groups.invalidate(d);
        if (e instanceof ConflictError) throw this.conflict(op, address, "as a user or an alias");
        throw e;
      }
      await this.syncMembers(op, group, [], members);
    }
    this.wrote(address);
    this.cacheGroup(d, group, members);
    await this.applyInboxSettings(op, address, input.suspended);
    return this.inboxState(d, group);
  }

  /** Renames the inbox, changes its readers by a diff, or suspends it (archive kept, no mail). */
  private async updateInbox(d: string, g: GoogleGroup, patch: MailboxPatch): Promise<MailboxState> {
    const op = "updateMailbox";
    const address = g.email.toLowerCase();
    for (const f of ["aliases", "forwardTo"] as const) {
      if ((patch[f] ?? []).length > 0) {
        fail(op, `${address}: a shared mailbox (a Google Group) takes no ${f}`);
      }
    }
    const members = await this.members(d, g, op);
    const { group } = await this.changeGroup(op, d, g, members, patch, (name) =>
      this.checkName(op, address, name),
    );
    if (patch.suspended !== undefined) await this.applyInboxSettings(op, address, patch.suspended);
    return this.inboxState(d, group);
  }
}

/** True for a group Mailplane made a shared mailbox. */
function isInbox(g: GoogleGroup): boolean {
  return g.description === GOOGLE_SHARED_INBOX_MARK;
}

/** Builds the Google Workspace adapter. */
export function createGoogleWorkspaceProvider(
  config: GoogleWorkspaceProviderConfig,
): GoogleWorkspaceProvider {
  return new GoogleWorkspaceProvider(config);
}
