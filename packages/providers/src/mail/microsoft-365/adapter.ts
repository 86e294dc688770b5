import { z } from "zod";
import { isNormalizedAddress, isNormalizedDomain, isNormalizedLocalPart } from "@mailplane/core";
import type {
  AliasState,
  GroupState,
  MailProvider,
  MailboxInput,
  MailboxPatch,
  MailboxState,
} from "../../adapter";
import { capabilities } from "../definition";
import { ConflictError, MailProviderError, NotFoundError, ProviderError } from "../../errors";
import { sharedReadCache } from "../../http/read-cache";
import { Microsoft365Client, type Microsoft365ClientConfig } from "./client";
import {
  ExchangeClient,
  exchangeDkimSchema,
  exchangeMailboxSchema,
  exchangePermissionSchema,
  type ExchangeMailbox,
} from "./exchange";
import type { GraphBatchRequest, GraphBatchResponse, GraphGroup, GraphUser } from "./schema";

/**
 * What Microsoft Graph can do, as this adapter realises it.
 * - Mailboxes are users: a user has a mailbox once a licence that includes Exchange is assigned
 *   (`usageLocation` first). Suspension is `accountEnabled: false` (mail kept).
 * - Rename in place: the userPrincipalName (and with it the primary address) changes.
 * - Groups are Microsoft 365 groups (`groupTypes: ["Unified"]`) whose members are users.
 * - Not through Graph: aliases (`proxyAddresses` is read-only), shared mailboxes, distribution
 *   lists, forwarding — they live in Exchange Online (see
 *   {@link microsoft365ExchangeCapabilities}). Per-user 2FA is a Conditional Access policy, not a
 *   user field. Quota, catch-all and domain aliases: none.
 */
export const microsoft365Capabilities = capabilities({
  mailboxes: true,
  aliasesPerMailbox: 0,
  groups: true,
  suspend: true,
  passwords: true,
  forceChangeAtLogin: true,
  renameInPlace: true,
});

/**
 * Exchange Online allows 400 proxy addresses per recipient (Exchange Online limits), one of
 * them the primary address: 399 secondary addresses.
 */
export const EXCHANGE_ALIASES_PER_MAILBOX = 399;

/**
 * With the binding's `exchange: { invokeCommand: true }`: secondary addresses
 * (`Set-Mailbox -EmailAddresses`), shared mailboxes (`New-Mailbox -Shared`, readers through
 * `Add-MailboxPermission … FullAccess`) and forwarding (`Set-Mailbox -ForwardingSmtpAddress`)
 * through Exchange Online's undocumented InvokeCommand route. Forwarding stays inside the
 * tenant's domains (groups are Microsoft 365 groups, whose members are users).
 */
export const microsoft365ExchangeCapabilities = capabilities({
  ...microsoft365Capabilities,
  aliasesPerMailbox: EXCHANGE_ALIASES_PER_MAILBOX,
  sharedMailboxes: true,
});

/**
 * Everything the provider can do with the binding's opt-ins (`exchange`, `mfa`): the
 * definition's capabilities, so that the runtime accepts what a binding turned on. The binding
 * refuses at preview what its own settings do not allow, naming the setting.
 */
export const microsoft365OptInCapabilities = capabilities({
  ...microsoft365ExchangeCapabilities,
  require2fa: true,
});

/** Settings of the Microsoft 365 adapter. */
export interface Microsoft365ProviderConfig extends Microsoft365ClientConfig {
  /** The verified domain of the mailboxes; every other domain is refused. */
  domain: string;
  /** ISO 3166-1 alpha-2 `usageLocation`, set before a licence is assigned. */
  usageLocation: string;
  /** Licence SKU id by mailbox profile (`default` for mailboxes without one). */
  licences?: Record<string, string>;
  /**
   * How long one paged list of the users serves `getMailbox`/`listMailboxes` in this process,
   * in milliseconds (a refresh of N mailboxes is then ⌈N/999⌉ requests, not N).
   * @default 2000
   */
  readCacheTtlMs?: number;
  /**
   * Exchange Online through its InvokeCommand route (the binding's `exchange: { invokeCommand:
   * true }`): aliases, shared mailboxes, forwarding, DKIM targets. Absent: refused.
   */
  exchange?: {
    /** @default "https://outlook.office365.com/adminapi/beta" */
    apiUrl?: string;
  };
  /**
   * `require2fa` as membership of one security group a Conditional Access policy targets:
   * `groupId` names the group (its policy is the tenant's), `createPolicy` makes Mailplane
   * create the group and the policy (grant control `mfa`, all cloud apps). Absent: refused.
   */
  mfa?: { groupId?: string; createPolicy?: boolean };
}

/** The security group and Conditional Access policy Mailplane creates with `createPolicy`. */
export const MFA_GROUP_NICKNAME = "mailplane-require-mfa";
export const MFA_POLICY_NAME = "Mailplane: require multi-factor authentication";

/** The refusal of `require2fa` without the binding's `mfa` setting. */
export const mfaRequiredMessage =
  "multi-factor sign-in is enforced by a Conditional Access policy in Microsoft 365, not a " +
  'user field; set mfa: { groupId: "<id of the security group your policy targets>" } or ' +
  "mfa: { createPolicy: true } on providers.microsoft365, or remove require2fa";

/** The records Microsoft assigned a domain, as Graph lists them. */
export interface Microsoft365DnsRecords {
  /** The MX host, e.g. `acme-com.mail.protection.outlook.com`. */
  mx: string;
  /** SPF includes, e.g. `spf.protection.outlook.com`. */
  spfInclude: string[];
  /** The autodiscover CNAME target, when listed. */
  autodiscover?: string;
  /** TXT verification values (`MS=ms…`). */
  verification: string[];
}

/**
 * A mailbox input that may name its profile (the licence is the profile's), or be a shared
 * mailbox read by `members` (with the Exchange opt-in).
 */
export type Microsoft365MailboxInput = MailboxInput & {
  profile?: string;
  shared?: boolean;
  members?: string[];
};

const PROVIDER = "microsoft365";
const GRAPH_OBJECTS = "https://graph.microsoft.com/v1.0/directoryObjects";

const sorted = (list: Iterable<string>): string[] => [...new Set(list)].sort();
const lower = (list: readonly string[]): string[] =>
  sorted(list.map((a) => a.trim().toLowerCase()));

function fail(operation: string, message: string): never {
  throw new ProviderError(
    { provider: PROVIDER, operation },
    `${PROVIDER} ${operation}: ${message}`,
  );
}

/** Graph's "already exists" answer to a create (400 ObjectConflict). */
function isObjectConflict(e: unknown): boolean {
  return (
    e instanceof MailProviderError &&
    e.status === 400 &&
    /already exists|ObjectConflict/i.test(e.apiMessage ?? "")
  );
}

/**
 * The refusal of an Exchange Online feature without the opt-in: names the feature and the
 * binding setting that turns it on. The MailDomain check (packages/pulumi) uses the same text.
 */
export const exchangeOnlyMessage = (feature: string): string =>
  `${feature} live in Exchange Online, which Microsoft Graph cannot write; set exchange: ` +
  `{ invokeCommand: true } on providers.microsoft365 to manage them through Exchange ` +
  `Online's admin route (undocumented by Microsoft: see the provider README), or remove them`;
const EXCHANGE_ONLY = exchangeOnlyMessage;

/** A distribution list as Graph lists it: mail-enabled, not security, not Microsoft 365. */
const isDistributionList = (g: GraphGroup): boolean =>
  g.mailEnabled === true && g.securityEnabled !== true && !(g.groupTypes ?? []).includes("Unified");

/** `smtp:`/`SMTP:` prefixes off, lower-case. */
const bare = (proxy: string): string => proxy.replace(/^smtp:/i, "").toLowerCase();

/**
 * The Microsoft 365 adapter over Microsoft Graph v1.0. A mailbox is a user of the configured
 * domain whose mailbox Exchange provisioned (`mail` is set); users without one (unlicensed,
 * or licensed without Exchange) are not mailboxes. Writes are created, then licensed:
 * `POST /users` (with `usageLocation`), then `assignLicense` with the profile's SKU. Group
 * member changes are a diff sent through `$batch`, 20 per batch.
 */
export class Microsoft365Provider implements MailProvider {
  readonly name = PROVIDER;
  readonly capabilities: typeof microsoft365Capabilities;
  readonly domain: string;
  readonly client: Microsoft365Client;
  /** Exchange Online's InvokeCommand route, with the opt-in only. */
  readonly exchange: ExchangeClient | undefined;
  private readonly replicationWaitMs: number;
  private readonly mfa: { groupId?: string; createPolicy?: boolean } | undefined;
  private mfaGroupPromise: Promise<string> | undefined;
  private defaultDomainPromise: Promise<string | undefined> | undefined;
  private readonly usageLocation: string;
  private readonly licences: Record<string, string>;
  private readonly cacheKey: string;
  private readonly ttlMs: number;

  constructor(config: Microsoft365ProviderConfig) {
    for (const field of ["tenantId", "clientId", "domain", "usageLocation"] as const) {
      if (typeof config[field] !== "string" || config[field].trim() === "") {
        throw new TypeError(
          `${PROVIDER}: ${field} must be a non-empty string, got ${JSON.stringify(config[field] ?? null)}`,
        );
      }
    }
    this.domain = config.domain.toLowerCase();
    this.usageLocation = config.usageLocation;
    this.licences = { ...config.licences };
    this.client = new Microsoft365Client(config);
    this.exchange =
      config.exchange === undefined
        ? undefined
        : new ExchangeClient({ ...config, exchangeApiUrl: config.exchange.apiUrl });
    this.capabilities = capabilities({
      ...(this.exchange ? microsoft365ExchangeCapabilities : microsoft365Capabilities),
      require2fa: config.mfa?.groupId !== undefined || config.mfa?.createPolicy === true,
    });
    this.replicationWaitMs = config.replicationWaitMs ?? 30_000;
    this.mfa =
      config.mfa?.groupId !== undefined || config.mfa?.createPolicy === true
        ? config.mfa
        : undefined;
    this.cacheKey = `microsoft365 ${this.client.baseUrl} ${config.tenantId} ${config.clientId} users`;
    this.ttlMs = config.readCacheTtlMs ?? 2_000;
  }

  // ---------------- batched reads ----------------

  /** Every user by lower-case UPN: one paged list, shared for `readCacheTtlMs`. */
  private users(operation: string): Promise<Map<string, GraphUser>> {
    return sharedReadCache.get(this.cacheKey, this.ttlMs, async () => {
      const list = await this.client.listUsers(operation);
      return new Map(list.map((u) => [u.userPrincipalName.toLowerCase(), u]));
    });
  }

  /** Write-through: the user as a write left it replaces the cached one. */
  private cacheUser(u: GraphUser, formerUpn?: string): void {
    sharedReadCache.update<Map<string, GraphUser>>(this.cacheKey, (map) => {
      if (formerUpn !== undefined) map.delete(formerUpn.toLowerCase());
      map.set(u.userPrincipalName.toLowerCase(), u);
    });
  }

  private uncacheUser(upn: string): void {
    sharedReadCache.update<Map<string, GraphUser>>(this.cacheKey, (map) => {
      map.delete(upn.toLowerCase());
    });
  }

  /** A write whose outcome is unknown: the next read lists again. */
  private invalidate(): void {
    sharedReadCache.invalidate(this.cacheKey);
    sharedReadCache.invalidate(`${this.cacheKey} exchange`);
  }

  /**
   * Every Exchange mailbox by lower-case UPN (forwarding, recipient type): one paged
   * `Get-Mailbox -ResultSize Unlimited`, shared like the users; empty without the opt-in.
   */
  private exchangeMailboxes(operation: string): Promise<Map<string, ExchangeMailbox>> {
    const exchange = this.exchange;
    if (exchange === undefined) return Promise.resolve(new Map());
    return sharedReadCache.get(`${this.cacheKey} exchange`, this.ttlMs, async () => {
      const list = await exchange.invoke(
        operation,
        "Get-Mailbox",
        { ResultSize: "Unlimited" },
        exchangeMailboxSchema,
      );
      return new Map(
        list.map((m) => [(m.UserPrincipalName ?? m.PrimarySmtpAddress).toLowerCase(), m]),
      );
    });
  }

  /**
   * The id of the security group whose members must sign in with MFA: the configured one
   * (checked to be a security group), or Mailplane's own, created with its Conditional Access
   * policy when missing (found again by name: never created twice). Once per adapter.
   */
  private mfaGroup(operation: string): Promise<string> {
    const mfa = this.mfa;
    if (mfa === undefined) fail(operation, mfaRequiredMessage);
    this.mfaGroupPromise ??= (async () => {
      if (mfa.groupId !== undefined) {
        let g: GraphGroup;
        try {
          g = await this.client.getGroup(mfa.groupId, operation);
        } catch (e) {
          if (e instanceof NotFoundError) {
            fail(operation, `mfa.groupId ${mfa.groupId} is not a group of the tenant`);
          }
          throw e;
        }
        if (g.securityEnabled !== true) {
          fail(
            operation,
            `mfa.groupId ${mfa.groupId} (${g.displayName ?? ""}) is not a security group; a Conditional Access policy targets security groups`,
          );
        }
        return g.id;
      }
      const found = await this.client.findGroupsByNickname(MFA_GROUP_NICKNAME, operation);
      const group =
        found.find((g) => g.securityEnabled === true) ??
        (await this.client.createGroup(
          {
            displayName: "Mailplane: require MFA",
            description:
              "Members must sign in with multi-factor authentication (Conditional Access policy managed by Mailplane)",
            mailEnabled: false,
            mailNickname: MFA_GROUP_NICKNAME,
            securityEnabled: true,
          },
          async () =>
            (await this.client.findGroupsByNickname(MFA_GROUP_NICKNAME, operation)).find(
              (g) => g.securityEnabled === true,
            ),
        ));
      const policies = await this.client.findPolicies(MFA_POLICY_NAME, operation);
      if (policies.length === 0) {
        await this.client.afterCreate(() =>
          this.client.createPolicy(
            {
              displayName: MFA_POLICY_NAME,
              state: "enabled",
              conditions: {
                clientAppTypes: ["all"],
                applications: { includeApplications: ["All"] },
                users: { includeGroups: [group.id] },
              },
              grantControls: { operator: "OR", builtInControls: ["mfa"] },
            },
            operation,
          ),
        );
      }
      return group.id;
    })().catch((e: unknown) => {
      this.mfaGroupPromise = undefined;
      throw e;
    });
    return this.mfaGroupPromise;
  }

  /**
   * The ids of the users in the MFA group (one paged read, shared like the users), or
   * undefined without `mfa`. Reading never creates the group: before Mailplane created it,
   * nobody is in it.
   */
  private mfaMembers(operation: string): Promise<Set<string> | undefined> {
    const mfa = this.mfa;
    if (mfa === undefined) return Promise.resolve(undefined);
    return sharedReadCache.get(`${this.cacheKey} mfa`, this.ttlMs, async () => {
      const groupId =
        mfa.groupId ??
        (await this.client.findGroupsByNickname(MFA_GROUP_NICKNAME, operation)).find(
          (g) => g.securityEnabled === true,
        )?.id;
      if (groupId === undefined) return new Set<string>();
      const members = await this.client.listMembers(groupId, operation);
      return new Set(members.map((m) => m.id));
    });
  }

  /** Adds the user to, or removes it from, the MFA group. */
  private async setMfa(operation: string, userId: string, required: boolean): Promise<void> {
    sharedReadCache.invalidate(`${this.cacheKey} mfa`);
    const group = await this.mfaGroup(operation);
    if (required) await this.client.addMember(group, userId, operation);
    else await this.client.removeMember(group, userId, operation);
  }

  /** The user's secondary addresses (`smtp:`) in the domain, as local parts, sorted. */
  private aliasesOf(u: GraphUser, d: string, lp: string): string[] {
    if (this.exchange === undefined) return [];
    return sorted(
      (u.proxyAddresses ?? [])
        .filter((p) => p.startsWith("smtp:"))
        .map(bare)
        .filter((a) => a.endsWith(`@${d}`))
        .map((a) => a.slice(0, -d.length - 1))
        .filter((a) => a !== lp),
    );
  }

  /** The exchange client, or a refusal naming the opt-in (never reached through the runtime). */
  private exo(operation: string, feature: string): ExchangeClient {
    if (this.exchange === undefined) fail(operation, exchangeOnlyMessage(feature));
    return this.exchange;
  }

  /** One cmdlet that changes a mailbox, retried while Exchange has not provisioned it yet. */
  private async cmdlet(
    operation: string,
    name: string,
    parameters: Record<string, unknown>,
  ): Promise<void> {
    const exo = this.exo(operation, "mailbox settings");
    try {
      await exo.whileProvisioning(this.replicationWaitMs, () =>
        exo.invoke(operation, name, parameters, z.unknown()),
      );
    } catch (e) {
      this.invalidate();
      if (
        e instanceof MailProviderError &&
        /already being used|AlreadyExists/i.test(e.apiMessage ?? "")
      ) {
        throw new ConflictError(
          { provider: PROVIDER, operation, status: e.status ?? 400 },
          `${PROVIDER} ${operation}: ${name} ${String(parameters.Identity ?? parameters.Name)}: ` +
            `an address is taken by another recipient of the tenant (${e.apiMessage})`,
        );
      }
      throw e;
    }
  }

  /**
   * Sets the mailbox's secondary addresses and forwarding with one `Set-Mailbox`: aliases as an
   * `@{Add=…; Remove=…}` of `smtp:` addresses, forwarding as `ForwardingSmtpAddress` (kept
   * delivered to the mailbox too). Nothing is sent when nothing changes.
   */
  private async setExchangeFields(
    operation: string,
    address: string,
    d: string,
    aliases: { current: string[]; desired: string[] } | undefined,
    forward: { current: string | undefined; desired: string | undefined } | undefined,
  ): Promise<void> {
    const params: Record<string, unknown> = {};
    if (aliases !== undefined) {
      const add = aliases.desired.filter((a) => !aliases.current.includes(a));
      const remove = aliases.current.filter((a) => !aliases.desired.includes(a));
      if (add.length > 0 || remove.length > 0) {
        params.EmailAddresses = {
          "@odata.type": "#Exchange.GenericHashTable",
          ...(add.length > 0 ? { Add: add.map((a) => `smtp:${a}@${d}`) } : {}),
          ...(remove.length > 0 ? { Remove: remove.map((a) => `smtp:${a}@${d}`) } : {}),
        };
      }
    }
    if (forward !== undefined && forward.current !== forward.desired) {
      params.ForwardingSmtpAddress = forward.desired ?? null;
      params.DeliverToMailboxAndForward = forward.desired !== undefined;
    }
    if (Object.keys(params).length === 0) return;
    await this.cmdlet(operation, "Set-Mailbox", { Identity: address, ...params });
  }

  /** The people with FullAccess to a mailbox (its readers), lower-case, sorted. */
  private async readers(operation: string, address: string): Promise<string[]> {
    const exo = this.exo(operation, "shared mailboxes");
    const perms = await exo.whileProvisioning(this.replicationWaitMs, () =>
      exo.invoke(
        operation,
        "Get-MailboxPermission",
        { Identity: address },
        exchangePermissionSchema,
      ),
    );
    return lower(
      perms
        .filter(
          (p) =>
            p.IsInherited !== true &&
            p.Deny !== true &&
            (p.AccessRights ?? []).includes("FullAccess") &&
            p.User.includes("@"),
        )
        .map((p) => p.User),
    );
  }

  /** Grants and withdraws FullAccess so that exactly `desired` read the shared mailbox. */
  private async setReaders(
    operation: string,
    address: string,
    current: string[],
    desired: string[],
  ): Promise<void> {
    for (const user of desired.filter((m) => !current.includes(m))) {
      await this.cmdlet(operation, "Add-MailboxPermission", {
        Identity: address,
        User: user,
        AccessRights: ["FullAccess"],
        InheritanceType: "All",
        AutoMapping: true,
      });
    }
    for (const user of current.filter((m) => !desired.includes(m))) {
      await this.cmdlet(operation, "Remove-MailboxPermission", {
        Identity: address,
        User: user,
        AccessRights: ["FullAccess"],
        InheritanceType: "All",
        Confirm: false,
      });
    }
  }

  // ---------------- helpers ----------------

  private checkDomain(domain: string, operation: string): string {
    const d = domain.trim().toLowerCase();
    if (d !== this.domain) {
      fail(operation, `domain "${domain}" is not the configured domain "${this.domain}"`);
    }
    if (!isNormalizedDomain(d)) fail(operation, `domain "${domain}" is not a punycode domain name`);
    return d;
  }

  private checkLocalPart(localPart: string, operation: string): string {
    const lp = localPart.trim().toLowerCase();
    if (!isNormalizedLocalPart(lp) || !/^[a-z0-9'.\-_!#^~]+$/.test(lp)) {
      fail(
        operation,
        `local part "${localPart}" is not allowed in a userPrincipalName; allowed: A-Z a-z 0-9 ' . - _ ! # ^ ~`,
      );
    }
    return lp;
  }

  /** The user's address in the domain (its UPN), or undefined when it is not one of ours. */
  private localPartOf(u: GraphUser, d: string): string | undefined {
    const [lp, domain] = u.userPrincipalName.toLowerCase().split("@");
    return domain === d ? lp : undefined;
  }

  private toState(
    d: string,
    lp: string,
    u: GraphUser,
    x?: ExchangeMailbox,
    mfa?: Set<string>,
  ): MailboxState {
    // A shared mailbox is a user whose sign-in is blocked by design: that is not a suspension.
    const shared = x?.RecipientTypeDetails === "SharedMailbox";
    return {
      domain: d,
      localPart: lp,
      name: u.displayName ?? "",
      suspended: !shared && u.accountEnabled === false,
      aliases: this.aliasesOf(u, d, lp),
      forwardTo: x?.ForwardingSmtpAddress ? [bare(x.ForwardingSmtpAddress)] : [],
      // With mfa: whether the user is in the group the Conditional Access policy targets.
      ...(mfa === undefined ? {} : { twoFactorEnforced: mfa.has(u.id) }),
      ...(u.department ? { department: u.department } : {}),
      ...(u.jobTitle ? { title: u.jobTitle } : {}),
    };
  }

  /** The user at `lp@d`, undefined when absent. */
  private async findUser(d: string, lp: string, operation: string): Promise<GraphUser | undefined> {
    try {
      return await this.client.getUser(`${lp}@${d}`, operation);
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  private notFound(operation: string, address: string, what = "mailbox"): NotFoundError {
    return new NotFoundError(
      { provider: PROVIDER, operation, status: 404 },
      `${PROVIDER} ${operation}: ${what} ${address} does not exist`,
    );
  }

  private refuseExchangeOnly(
    operation: string,
    address: string,
    input: Partial<Microsoft365MailboxInput>,
  ): void {
    if (this.exchange === undefined) {
      if ((input.aliases ?? []).length > 0) {
        fail(
          operation,
          `${address}: aliases ${JSON.stringify(input.aliases)}: ${EXCHANGE_ONLY("secondary addresses (aliases)")}`,
        );
      }
      if ((input.forwardTo ?? []).length > 0) {
        fail(
          operation,
          `${address}: forwardTo: ${EXCHANGE_ONLY("forwarding (ForwardingSmtpAddress)")}`,
        );
      }
      if (input.shared === true) {
        fail(operation, `${address}: shared: ${EXCHANGE_ONLY("shared mailboxes")}`);
      }
    } else if ((input.forwardTo ?? []).length > 1) {
      fail(
        operation,
        `${address}: forwardTo ${JSON.stringify(input.forwardTo)}: Exchange forwards a mailbox to one address (ForwardingSmtpAddress); allowed: at most 1, got ${input.forwardTo!.length}`,
      );
    }
    if (input.require2fa === true && this.mfa === undefined) {
      fail(operation, `${address}: require2fa: ${mfaRequiredMessage}`);
    }
  }

  private licenceFor(input: Microsoft365MailboxInput, operation: string, address: string): string {
    const profile = input.profile ?? "default";
    const sku = this.licences[profile] ?? this.licences.default;
    if (sku === undefined) {
      const keys = profile === "default" ? '"default"' : `"${profile}" or "default"`;
      fail(
        operation,
        `${address}: no licence for profile "${profile}"; allowed: a licences entry (SKU id with Exchange Online) for ${keys} — a user without one has no mailbox`,
      );
    }
    return sku;
  }

  // ---------------- mailboxes ----------------

  /** Every mailbox of the domain: one paged read of the users (999 per page). */
  async listMailboxes(domain: string): Promise<MailboxState[]> {
    const d = this.checkDomain(domain, "listMailboxes");
    const [users, exchange, mfa] = await Promise.all([
      this.users("listMailboxes"),
      this.exchangeMailboxes("listMailboxes"),
      this.mfaMembers("listMailboxes"),
    ]);
    const out: MailboxState[] = [];
    for (const u of users.values()) {
      const lp = this.localPartOf(u, d);
      if (lp !== undefined && u.mail) {
        out.push(this.toState(d, lp, u, exchange.get(u.userPrincipalName.toLowerCase()), mfa));
      }
    }
    return out.sort((a, b) => a.localPart.localeCompare(b.localPart));
  }

  /** One mailbox, served from the batched list of users. */
  async getMailbox(domain: string, localPart: string): Promise<MailboxState | undefined> {
    const d = this.checkDomain(domain, "getMailbox");
    const lp = this.checkLocalPart(localPart, "getMailbox");
    const [users, exchange, mfa] = await Promise.all([
      this.users("getMailbox"),
      this.exchangeMailboxes("getMailbox"),
      this.mfaMembers("getMailbox"),
    ]);
    const u = users.get(`${lp}@${d}`);
    return u && u.mail ? this.toState(d, lp, u, exchange.get(`${lp}@${d}`), mfa) : undefined;
  }

  private differences(u: GraphUser, input: MailboxInput): string[] {
    const diffs: string[] = [];
    if ((u.displayName ?? "") !== input.name) {
      diffs.push(`name: ${JSON.stringify(u.displayName)} ≠ ${JSON.stringify(input.name)}`);
    }
    const suspended = u.accountEnabled === false;
    if (suspended !== input.suspended) diffs.push(`suspended: ${suspended} ≠ ${input.suspended}`);
    return diffs;
  }

  /**
   * Creates the user, then licenses it: `usageLocation` is part of the create, the profile's
   * licence is assigned next (Exchange then provisions the mailbox). An existing identical user
   * (same display name and suspension) is adopted without touching its password, and licensed
   * if it is not; a different one is a ConflictError.
   */
  async createMailbox(input: Microsoft365MailboxInput): Promise<MailboxState> {
    const op = "createMailbox";
    const d = this.checkDomain(input.domain, op);
    const lp = this.checkLocalPart(input.localPart, op);
    const address = `${lp}@${d}`;
    if (typeof input.name !== "string" || input.name.trim() === "") {
      fail(op, `${address}: name must be a non-empty display name`);
    }
    this.refuseExchangeOnly(op, address, input);
    if (input.shared === true) return this.createSharedMailbox(input, d, lp);
    const sku = this.licenceFor(input, op, address);
    if (input.password === undefined) {
      fail(
        op,
        `${address} has no password; Microsoft Graph creates users with an initial password only`,
      );
    }
    const adopt = (u: GraphUser): GraphUser => {
      const diffs = this.differences(u, input);
      if (diffs.length > 0) {
        throw new ConflictError(
          { provider: PROVIDER, operation: op, status: 400 },
          `${PROVIDER} ${op}: ${address} already exists in Microsoft 365 with different settings ` +
            `(${diffs.join("; ")}); declare it as it exists (Mailplane adopts identical accounts) ` +
            `or choose another address`,
        );
      }
      return u;
    };
    const verify = async (): Promise<GraphUser | undefined> => {
      const u = await this.findUser(d, lp, op);
      return u && adopt(u);
    };
    const body: Record<string, unknown> = {
      accountEnabled: !input.suspended,
      displayName: input.name,
      mailNickname: lp,
      userPrincipalName: address,
      usageLocation: this.usageLocation,
      passwordProfile: {
        password: input.password,
        forceChangePasswordNextSignIn: input.changePasswordAtNextLogin ?? false,
      },
      ...(input.department ? { department: input.department } : {}),
      ...(input.title ? { jobTitle: input.title } : {}),
    };
    let user: GraphUser;
    try {
      user = await this.client.createUser(body, verify);
    } catch (e) {
      this.invalidate();
      if (!isObjectConflict(e)) throw e;
      // Graph says it exists: a 404 now is replication lag (a create whose answer was lost).
      const found = await this.client
        .afterCreate(async () => adopt(await this.client.getUser(address, op)))
        .catch((err: unknown) => {
          if (err instanceof NotFoundError) return undefined;
          throw err;
        });
      if (!found) {
        throw new ConflictError(
          { provider: PROVIDER, operation: op, status: 400 },
          `${PROVIDER} ${op}: ${address} is taken by another object of the tenant (a group or another user's address)`,
        );
      }
      user = found;
    }
    this.cacheUser(user);
    let licensed: GraphUser;
    try {
      licensed = await this.license(op, user, sku);
    } catch (e) {
      this.invalidate();
      throw e;
    }
    this.cacheUser(licensed);
    if (input.require2fa === true) await this.setMfa(op, licensed.id, true);
    // With mfa, the state says whether the user is now in the policy's group.
    const enforced =
      this.mfa === undefined ? undefined : new Set(input.require2fa ? [licensed.id] : []);
    const aliases = lower(input.aliases ?? []);
    const forward = input.forwardTo?.[0]?.toLowerCase();
    if (aliases.length > 0 || forward !== undefined) {
      // Exchange provisions the mailbox some time after the licence: retried while not found.
      const current = this.aliasesOf(licensed, d, lp);
      await this.setExchangeFields(
        op,
        address,
        d,
        { current, desired: sorted([...current, ...aliases]) },
        { current: undefined, desired: forward },
      );
      const after = {
        ...licensed,
        proxyAddresses: [
          ...(licensed.proxyAddresses ?? []),
          ...aliases.filter((a) => !current.includes(a)).map((a) => `smtp:${a}@${d}`),
        ],
      };
      this.cacheUser(after);
      sharedReadCache.invalidate(`${this.cacheKey} exchange`);
      return {
        ...this.toState(d, lp, after, undefined, enforced),
        forwardTo: forward === undefined ? [] : [forward],
      };
    }
    return this.toState(d, lp, licensed, undefined, enforced);
  }

  /**
   * A shared mailbox: `New-Mailbox -Shared` (Exchange creates its user object, sign-in blocked,
   * no licence), then its aliases and forwarding with `Set-Mailbox`, and FullAccess for each
   * reader (`members`). An existing shared mailbox at the address is adopted; a person's
   * mailbox there is a ConflictError.
   */
  private async createSharedMailbox(
    input: Microsoft365MailboxInput,
    d: string,
    lp: string,
  ): Promise<MailboxState> {
    const op = "createMailbox";
    const address = `${lp}@${d}`;
    const exo = this.exo(op, "shared mailboxes");
    const readers = lower(input.members ?? []);
    const bad = readers.find((a) => !isNormalizedAddress(a));
    if (bad !== undefined) fail(op, `${address}: members: "${bad}" is not an email address`);
    const existing = (await this.exchangeMailboxes(op)).get(address);
    if (existing !== undefined && existing.RecipientTypeDetails !== "SharedMailbox") {
      throw new ConflictError(
        { provider: PROVIDER, operation: op, status: 400 },
        `${PROVIDER} ${op}: ${address} already exists as a ${existing.RecipientTypeDetails ?? "recipient"}, not a shared mailbox; choose another address`,
      );
    }
    if (existing === undefined) {
      try {
        await exo.invoke(
          op,
          "New-Mailbox",
          {
            Shared: true,
            Name: lp,
            Alias: lp,
            DisplayName: input.name,
            PrimarySmtpAddress: address,
          },
          exchangeMailboxSchema,
        );
      } catch (e) {
        this.invalidate();
        if (
          e instanceof MailProviderError &&
          /already being used|AlreadyExists/i.test(e.apiMessage ?? "")
        ) {
          throw new ConflictError(
            { provider: PROVIDER, operation: op, status: e.status ?? 400 },
            `${PROVIDER} ${op}: ${address} is taken by another recipient of the tenant (${e.apiMessage})`,
          );
        }
        throw e;
      }
    }
    this.invalidate();
    const aliases = lower(input.aliases ?? []);
    const forward = input.forwardTo?.[0]?.toLowerCase();
    const currentAliases = existing
      ? sorted(
          (existing.EmailAddresses ?? [])
            .filter((p) => p.startsWith("smtp:"))
            .map(bare)
            .filter((a) => a.endsWith(`@${d}`))
            .map((a) => a.slice(0, -d.length - 1)),
        )
      : [];
    await this.setExchangeFields(
      op,
      address,
      d,
      { current: currentAliases, desired: aliases },
      {
        current: existing?.ForwardingSmtpAddress ? bare(existing.ForwardingSmtpAddress) : undefined,
        desired: forward,
      },
    );
    const current = existing ? await this.readers(op, address) : [];
    await this.setReaders(op, address, current, readers);
    this.invalidate();
    return {
      domain: d,
      localPart: lp,
      name: input.name,
      suspended: false,
      aliases,
      forwardTo: forward === undefined ? [] : [forward],
    };
  }

  /**
   * Sets `usageLocation` when missing, then assigns `sku` unless the user has it; both retried
   * while Graph has not replicated a user just created.
   */
  private async license(op: string, user: GraphUser, sku: string): Promise<GraphUser> {
    if ((user.assignedLicenses ?? []).some((l) => l.skuId.toLowerCase() === sku.toLowerCase())) {
      return user;
    }
    if (!user.usageLocation) {
      await this.client.afterCreate(() =>
        this.client.updateUser(user.id, { usageLocation: this.usageLocation }, op),
      );
    }
    return this.client.afterCreate(() => this.client.assignLicense(user.id, [sku], [], op));
  }

  /**
   * Moves the user to `sku` with one `assignLicense` (add and remove together, so the mailbox
   * never lacks an Exchange licence): licences of other profiles are removed, licences Mailplane
   * does not manage (not in `licences`) are kept.
   */
  private async relicense(op: string, u: GraphUser, sku: string): Promise<GraphUser> {
    const managed = new Set(Object.values(this.licences).map((x) => x.toLowerCase()));
    const current = (u.assignedLicenses ?? []).map((l) => l.skuId.toLowerCase());
    const add = current.includes(sku.toLowerCase()) ? [] : [sku];
    const remove = current.filter((x) => managed.has(x) && x !== sku.toLowerCase());
    if (add.length === 0 && remove.length === 0) return u;
    try {
      return await this.client.assignLicense(u.id, add, remove, op);
    } catch (e) {
      this.invalidate();
      throw e;
    }
  }

  /**
   * Applies the given fields with one PATCH (and, when `profile` is given, moves the user to
   * that profile's licence); returns the state after it.
   */
  async updateMailbox(
    domain: string,
    localPart: string,
    patch: MailboxPatch & { profile?: string; members?: string[] },
  ): Promise<MailboxState> {
    const op = "updateMailbox";
    const d = this.checkDomain(domain, op);
    const lp = this.checkLocalPart(localPart, op);
    const address = `${lp}@${d}`;
    if (patch.name !== undefined && patch.name.trim() === "") {
      fail(op, `${address}: name must be a non-empty display name`);
    }
    const keep = lower(patch.keepAliases ?? []);
    this.refuseExchangeOnly(op, address, {
      ...patch,
      aliases: lower(patch.aliases ?? []).filter((a) => !keep.includes(a)),
    });
    // Checked before any write: a profile without a licence changes nothing.
    const sku =
      patch.profile === undefined
        ? undefined
        : this.licenceFor(
            { ...patch, domain: d, localPart: lp } as Microsoft365MailboxInput,
            op,
            address,
          );
    const u = await this.findUser(d, lp, op);
    if (!u || !u.mail) throw this.notFound(op, address);
    const x = (await this.exchangeMailboxes(op)).get(address);
    const shared = x?.RecipientTypeDetails === "SharedMailbox";
    const body: Record<string, unknown> = {};
    if (patch.name !== undefined) body.displayName = patch.name;
    // A shared mailbox's sign-in stays blocked: it is read through FullAccess, not signed in to.
    if (patch.suspended !== undefined && !shared) body.accountEnabled = !patch.suspended;
    if (patch.department !== undefined) body.department = patch.department || null;
    if (patch.title !== undefined) body.jobTitle = patch.title || null;
    if (patch.password !== undefined || patch.changePasswordAtNextLogin !== undefined) {
      body.passwordProfile = {
        ...(patch.password === undefined ? {} : { password: patch.password }),
        forceChangePasswordNextSignIn: patch.changePasswordAtNextLogin ?? false,
      };
    }
    if (Object.keys(body).length > 0) {
      try {
        await this.client.updateUser(u.id, body, op);
      } catch (e) {
        this.invalidate();
        throw e;
      }
    }
    const licensed = sku === undefined || shared ? u : await this.relicense(op, u, sku);
    if (patch.require2fa !== undefined && (patch.require2fa || this.mfa !== undefined)) {
      await this.setMfa(op, u.id, patch.require2fa);
    }
    let proxyAddresses = licensed.proxyAddresses ?? [];
    let forwardTo = x?.ForwardingSmtpAddress ? [bare(x.ForwardingSmtpAddress)] : [];
    if (this.exchange !== undefined) {
      const current = this.aliasesOf(licensed, d, lp);
      const desired =
        patch.aliases === undefined
          ? current
          : sorted([
              ...lower(patch.aliases).filter((a) => !keep.includes(a)),
              ...current.filter((a) => keep.includes(a)),
            ]);
      const forward =
        patch.forwardTo === undefined ? forwardTo[0] : patch.forwardTo[0]?.toLowerCase();
      await this.setExchangeFields(
        op,
        address,
        d,
        { current, desired },
        { current: forwardTo[0], desired: forward },
      );
      proxyAddresses = [
        ...proxyAddresses.filter((p) => !p.startsWith("smtp:") || !bare(p).endsWith(`@${d}`)),
        ...desired.map((a) => `smtp:${a}@${d}`),
      ];
      forwardTo = forward === undefined ? [] : [forward];
      if (shared && patch.members !== undefined) {
        await this.setReaders(op, address, await this.readers(op, address), lower(patch.members));
      }
      sharedReadCache.invalidate(`${this.cacheKey} exchange`);
    }
    const after: GraphUser = {
      ...licensed,
      proxyAddresses,
      ...(body.displayName === undefined ? {} : { displayName: patch.name }),
      ...(body.accountEnabled === undefined ? {} : { accountEnabled: !patch.suspended }),
      ...(patch.department === undefined ? {} : { department: patch.department || null }),
      ...(patch.title === undefined ? {} : { jobTitle: patch.title || null }),
    };
    this.cacheUser(after);
    const enforced =
      this.mfa === undefined
        ? undefined
        : patch.require2fa === undefined
          ? await this.mfaMembers(op)
          : new Set(patch.require2fa ? [u.id] : []);
    return { ...this.toState(d, lp, after, x, enforced), forwardTo };
  }

  /** Changes the userPrincipalName (and with it the primary address) in place. */
  async renameMailbox(domain: string, from: string, to: string): Promise<MailboxState> {
    const op = "renameMailbox";
    const d = this.checkDomain(domain, op);
    const fromLp = this.checkLocalPart(from, op);
    const toLp = this.checkLocalPart(to, op);
    const u = await this.findUser(d, fromLp, op);
    if (!u || !u.mail) throw this.notFound(op, `${fromLp}@${d}`);
    try {
      await this.client.updateUser(
        u.id,
        { userPrincipalName: `${toLp}@${d}`, mailNickname: toLp },
        op,
      );
    } catch (e) {
      this.invalidate();
      if (!isObjectConflict(e)) throw e;
      throw new ConflictError(
        { provider: PROVIDER, operation: op, status: 400 },
        `${PROVIDER} ${op}: ${toLp}@${d} is taken by another object of the tenant; ${fromLp}@${d} was not renamed`,
      );
    }
    const upn = `${toLp}@${d}`;
    if (this.exchange !== undefined) {
      // Exchange keeps the former primary address as a secondary one: the declaration decides
      // the aliases, so it is removed (declare it as an alias to keep it).
      await this.cmdlet(op, "Set-Mailbox", {
        Identity: upn,
        EmailAddresses: {
          "@odata.type": "#Exchange.GenericHashTable",
          Remove: [`smtp:${fromLp}@${d}`],
        },
      });
      sharedReadCache.invalidate(`${this.cacheKey} exchange`);
    }
    this.cacheUser(
      { ...u, userPrincipalName: upn, mailNickname: toLp, mail: upn },
      u.userPrincipalName,
    );
    return this.toState(d, toLp, u);
  }

  /**
   * Deletes the user (Entra ID keeps it restorable for 30 days, with its mailbox). A missing
   * one is not an error.
   */
  async deleteMailbox(domain: string, localPart: string): Promise<void> {
    const op = "deleteMailbox";
    const d = this.checkDomain(domain, op);
    const lp = this.checkLocalPart(localPart, op);
    try {
      await this.client.deleteUser(`${lp}@${d}`);
    } catch (e) {
      if (!(e instanceof NotFoundError)) {
        this.invalidate();
        throw e;
      }
    }
    this.uncacheUser(`${lp}@${d}`);
  }

  // ---------------- DNS: what Microsoft assigned the domain ----------------

  /**
   * The records Microsoft assigned the domain, read from Graph: the MX host, the SPF include
   * and autodiscover target of `serviceConfigurationRecords` (Email), and the `MS=` value of
   * `verificationDnsRecords`. DKIM targets are not in Graph (Exchange Online's
   * `Get-DkimSigningConfig`): they stay arguments.
   */
  async dnsRecords(domain: string): Promise<Microsoft365DnsRecords> {
    const op = "dnsRecords";
    const d = this.checkDomain(domain, op);
    const [service, verification] = await Promise.all([
      this.client.serviceConfigurationRecords(d),
      this.client.verificationDnsRecords(d),
    ]);
    const email = service.filter((r) => (r.supportedService ?? "").toLowerCase() === "email");
    const mx = email.find((r) => r.recordType.toLowerCase() === "mx")?.mailExchange;
    if (!mx) fail(op, `Graph lists no MX record for ${d} (serviceConfigurationRecords)`);
    const spf = email
      .filter((r) => r.recordType.toLowerCase() === "txt" && /^v=spf1 /i.test(r.text ?? ""))
      .flatMap((r) => (r.text ?? "").split(/\s+/))
      .filter((t) => t.toLowerCase().startsWith("include:"))
      .map((t) => t.slice("include:".length).toLowerCase());
    const autodiscover = email.find(
      (r) =>
        r.recordType.toLowerCase() === "cname" && r.label.toLowerCase() === `autodiscover.${d}`,
    )?.canonicalName;
    return {
      mx: mx.toLowerCase(),
      spfInclude: sorted(spf),
      ...(autodiscover ? { autodiscover: autodiscover.toLowerCase() } : {}),
      verification: sorted(
        verification
          .filter((r) => r.recordType.toLowerCase() === "txt" && r.text)
          .map((r) => r.text!),
      ),
    };
  }

  /**
   * The DKIM CNAME targets Exchange Online gives the domain (`selector1`, `selector2`), from
   * `Get-DkimSigningConfig` (needs the Exchange opt-in: Graph does not list them).
   */
  async dkimTargets(domain: string): Promise<{ selector1: string; selector2: string }> {
    const op = "dkimTargets";
    const d = this.checkDomain(domain, op);
    const exo = this.exo(op, "DKIM signing configurations");
    const configs = await exo.invoke(
      op,
      "Get-DkimSigningConfig",
      { Identity: d },
      exchangeDkimSchema,
    );
    const c = configs.find((x) => (x.Domain ?? d).toLowerCase() === d) ?? configs[0];
    if (!c?.Selector1CNAME || !c.Selector2CNAME) {
      fail(op, `Exchange Online lists no DKIM selectors for ${d} (Get-DkimSigningConfig)`);
    }
    return {
      selector1: c.Selector1CNAME.toLowerCase(),
      selector2: c.Selector2CNAME.toLowerCase(),
    };
  }

  // ---------------- aliases: not through Graph ----------------

  /** Graph cannot read or write aliases: there are none to report. */
  async listAliases(domain: string): Promise<AliasState[]> {
    this.checkDomain(domain, "listAliases");
    return [];
  }

  /** Graph cannot read aliases: none. */
  async getAlias(domain: string, localPart: string): Promise<AliasState | undefined> {
    this.checkDomain(domain, "getAlias");
    this.checkLocalPart(localPart, "getAlias");
    return undefined;
  }

  /** Refused: aliases live in Exchange Online. */
  async createAlias(input: AliasState): Promise<AliasState> {
    fail("createAlias", `${input.localPart}@${input.domain}: ${EXCHANGE_ONLY("aliases")}`);
  }

  /** Refused: aliases live in Exchange Online. */
  async updateAlias(domain: string, localPart: string): Promise<AliasState> {
    fail("updateAlias", `${localPart}@${domain}: ${EXCHANGE_ONLY("aliases")}`);
  }

  /** Refused: aliases live in Exchange Online. */
  async deleteAlias(domain: string, localPart: string): Promise<void> {
    fail("deleteAlias", `${localPart}@${domain}: ${EXCHANGE_ONLY("aliases")}`);
  }

  // ---------------- groups: Microsoft 365 groups ----------------

  private isOurs(g: GraphGroup, d: string): boolean {
    return (
      ((g.groupTypes ?? []).includes("Unified") ||
        (this.exchange !== undefined && isDistributionList(g))) &&
      typeof g.mail === "string" &&
      g.mail.toLowerCase().endsWith(`@${d}`)
    );
  }

  /**
   * With the Exchange opt-in, whether a group at `d` must be a distribution list: a Microsoft
   * 365 group's address follows the tenant's default domain, so on any other domain the
   * group is a distribution list (`New-DistributionGroup`). Read once per adapter.
   */
  private async needsDistributionList(d: string, operation: string): Promise<boolean> {
    if (this.exchange === undefined) return false;
    this.defaultDomainPromise ??= this.client.defaultDomain(operation).catch((e: unknown) => {
      this.defaultDomainPromise = undefined;
      throw e;
    });
    return (await this.defaultDomainPromise) !== d;
  }

  /** Creates a distribution list at `lp@d` with its members (they must be mail recipients). */
  private async createDistributionList(
    op: string,
    d: string,
    lp: string,
    name: string | undefined,
    members: string[],
  ): Promise<GroupState> {
    await this.memberIds(op, members);
    await this.cmdlet(op, "New-DistributionGroup", {
      Name: lp,
      Alias: lp,
      DisplayName: name ?? lp,
      PrimarySmtpAddress: `${lp}@${d}`,
      Type: "Distribution",
      Members: members,
    });
    return { domain: d, localPart: lp, name: name ?? lp, members };
  }

  private async toGroup(d: string, g: GraphGroup, operation: string): Promise<GroupState> {
    const members = await this.client.listMembers(g.id, operation);
    return {
      domain: d,
      localPart: g.mail!.toLowerCase().split("@")[0]!,
      ...(g.displayName ? { name: g.displayName } : {}),
      members: lower(members.map((m) => m.mail ?? m.userPrincipalName ?? m.id)),
    };
  }

  private async findGroup(
    d: string,
    lp: string,
    operation: string,
  ): Promise<GraphGroup | undefined> {
    const found = await this.client.findGroupsByMail(`${lp}@${d}`, operation);
    return found.find((g) => this.isOurs(g, d));
  }

  /** Every Microsoft 365 group of the domain: one paged read, plus one per group's members. */
  async listGroups(domain: string): Promise<GroupState[]> {
    const d = this.checkDomain(domain, "listGroups");
    const groups = (await this.client.listGroups("listGroups")).filter((g) => this.isOurs(g, d));
    const states = await Promise.all(groups.map((g) => this.toGroup(d, g, "listGroups")));
    return states.sort((a, b) => a.localPart.localeCompare(b.localPart));
  }

  /** One group by its address. */
  async getGroup(domain: string, localPart: string): Promise<GroupState | undefined> {
    const d = this.checkDomain(domain, "getGroup");
    const lp = this.checkLocalPart(localPart, "getGroup");
    const g = await this.findGroup(d, lp, "getGroup");
    return g && this.toGroup(d, g, "getGroup");
  }

  /** Member addresses → user ids, from one paged read of the users; unknown ones refused. */
  private async memberIds(op: string, members: string[]): Promise<Map<string, string>> {
    const bad = members.find((a) => !isNormalizedAddress(a));
    if (bad !== undefined) fail(op, `members: "${bad}" is not an email address`);
    const users = await this.users(op);
    const ids = new Map<string, string>();
    for (const u of users.values()) {
      ids.set(u.userPrincipalName.toLowerCase(), u.id);
      if (u.mail) ids.set(u.mail.toLowerCase(), u.id);
    }
    const unknown = members.filter((m) => !ids.has(m));
    if (unknown.length > 0) {
      throw new NotFoundError(
        { provider: PROVIDER, operation: op },
        `${PROVIDER} ${op}: members ${unknown.join(", ")} are not users of the tenant; a Microsoft 365 group's members are users`,
      );
    }
    return ids;
  }

  /** Sends the member diff of group `id` through `$batch`. */
  private async applyMembers(
    op: string,
    id: string,
    current: string[],
    desired: string[],
  ): Promise<void> {
    const add = desired.filter((m) => !current.includes(m));
    const remove = current.filter((m) => !desired.includes(m));
    if (add.length === 0 && remove.length === 0) return;
    const ids = await this.memberIds(op, [...add, ...remove]);
    const requests: GraphBatchRequest[] = [
      ...add.map((m, i) => ({
        id: `add-${i}`,
        method: "POST" as const,
        url: `/groups/${id}/members/$ref`,
        headers: { "Content-Type": "application/json" },
        body: { "@odata.id": `${GRAPH_OBJECTS}/${ids.get(m)}` },
      })),
      ...remove.map((m, i) => ({
        id: `remove-${i}`,
        method: "DELETE" as const,
        url: `/groups/${id}/members/${ids.get(m)}/$ref`,
      })),
    ];
    // Already a member, or already gone: the change is done.
    const accept = (r: GraphBatchResponse): boolean =>
      (r.id.startsWith("add-") &&
        r.status === 400 &&
        /already exist/i.test(JSON.stringify(r.body))) ||
      (r.id.startsWith("remove-") && r.status === 404);
    // A group or user just created may not be replicated yet: "… do not exist" is retried.
    const lagging = (r: GraphBatchResponse): boolean =>
      r.id.startsWith("add-") &&
      (r.status === 404 || (r.status === 400 && /do not exist/i.test(JSON.stringify(r.body))));
    await this.client.batch(op, requests, accept, lagging);
  }

  /**
   * Creates a Microsoft 365 group at `localPart@domain` and adds its members through `$batch`.
   * An existing group with the same members is adopted; different members are a ConflictError.
   */
  async createGroup(input: GroupState): Promise<GroupState> {
    const op = "createGroup";
    const d = this.checkDomain(input.domain, op);
    const lp = this.checkLocalPart(input.localPart, op);
    const members = lower(input.members);
    if (members.length === 0) fail(op, `${lp}@${d}: members must list at least one address`);
    const address = `${lp}@${d}`;
    const existing = await this.findGroup(d, lp, op);
    if (existing) {
      const state = await this.toGroup(d, existing, op);
      if (state.members.join(",") !== members.join(",")) {
        throw new ConflictError(
          { provider: PROVIDER, operation: op, status: 400 },
          `${PROVIDER} ${op}: ${address} already exists as a Microsoft 365 group with other members (${state.members.join(", ")} ≠ ${members.join(", ")})`,
        );
      }
      return state;
    }
    if (await this.needsDistributionList(d, op)) {
      return this.createDistributionList(op, d, lp, input.name, members);
    }
    await this.memberIds(op, members);
    const body = {
      displayName: input.name ?? lp,
      mailEnabled: true,
      mailNickname: lp,
      securityEnabled: false,
      groupTypes: ["Unified"],
    };
    let g: GraphGroup;
    try {
      g = await this.client.createGroup(body, () => this.findGroup(d, lp, op));
    } catch (e) {
      if (!isObjectConflict(e)) throw e;
      throw new ConflictError(
        { provider: PROVIDER, operation: op, status: 400 },
        `${PROVIDER} ${op}: ${address} is taken by another object of the tenant (a user or a group)`,
      );
    }
    if (!g.mail || g.mail.toLowerCase() !== address) {
      await this.client.deleteGroup(g.id);
      fail(
        op,
        `${address}: Microsoft gave the group the address ${g.mail ?? "(none)"}; a group's address follows the tenant's default domain, and another domain needs Exchange Online`,
      );
    }
    await this.applyMembers(op, g.id, [], members);
    return {
      domain: d,
      localPart: lp,
      ...(body.displayName ? { name: body.displayName } : {}),
      members,
    };
  }

  /** Renames the group and applies the member diff through `$batch`. */
  async updateGroup(
    domain: string,
    localPart: string,
    patch: Partial<Pick<GroupState, "name" | "members">>,
  ): Promise<GroupState> {
    const op = "updateGroup";
    const d = this.checkDomain(domain, op);
    const lp = this.checkLocalPart(localPart, op);
    const g = await this.findGroup(d, lp, op);
    if (!g) throw this.notFound(op, `${lp}@${d}`, "group");
    const state = await this.toGroup(d, g, op);
    // A distribution list is read through Graph but written only by Exchange.
    const list = isDistributionList(g);
    const address = `${lp}@${d}`;
    if (patch.name !== undefined && patch.name !== state.name) {
      if (list) {
        await this.cmdlet(op, "Set-DistributionGroup", {
          Identity: address,
          DisplayName: patch.name,
        });
      } else {
        await this.client.updateGroup(g.id, { displayName: patch.name });
      }
      state.name = patch.name;
    }
    if (patch.members !== undefined) {
      const desired = lower(patch.members);
      if (desired.length === 0) fail(op, `${lp}@${d}: members must list at least one address`);
      if (list) {
        await this.memberIds(op, desired);
        for (const m of desired.filter((x) => !state.members.includes(x))) {
          await this.cmdlet(op, "Add-DistributionGroupMember", { Identity: address, Member: m });
        }
        for (const m of state.members.filter((x) => !desired.includes(x))) {
          await this.cmdlet(op, "Remove-DistributionGroupMember", {
            Identity: address,
            Member: m,
            Confirm: false,
          });
        }
      } else {
        await this.applyMembers(op, g.id, state.members, desired);
      }
      state.members = desired;
    }
    return state;
  }

  /** Deletes the group (restorable for 30 days); a missing one is not an error. */
  async deleteGroup(domain: string, localPart: string): Promise<void> {
    const op = "deleteGroup";
    const d = this.checkDomain(domain, op);
    const lp = this.checkLocalPart(localPart, op);
    const g = await this.findGroup(d, lp, op);
    if (!g) return;
    if (isDistributionList(g)) {
      await this.cmdlet(op, "Remove-DistributionGroup", {
        Identity: `${lp}@${d}`,
        Confirm: false,
      });
      return;
    }
    try {
      await this.client.deleteGroup(g.id);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }
}

/** Builds the Microsoft 365 adapter. */
export function createMicrosoft365Provider(
  config: Microsoft365ProviderConfig,
): Microsoft365Provider {
  return new Microsoft365Provider(config);
}
