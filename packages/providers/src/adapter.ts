import type { GroupSenders, MailProviderCapabilities } from "@mailplane/core";

/**
 * A mailbox as the provider holds it. Addresses are `localPart@domain`, lower-case,
 * punycode domains. Passwords are write-only and never appear here.
 */
export interface MailboxState {
  domain: string;
  localPart: string;
  /** Display name. */
  name: string;
  /** Quota in MiB; undefined when the provider has none or it is unlimited. */
  quotaMb?: number;
  /** True when login and sending are blocked while mail is kept. */
  suspended: boolean;
  /** Extra local parts (same domain) that deliver to this mailbox. */
  aliases: string[];
  /** Full addresses this mailbox forwards to (offboarding). Empty when none. */
  forwardTo: string[];
  /** Free-form fields the provider stores when it can (department, title). */
  department?: string;
  title?: string;
  /**
   * Whether the provider enforces two-step sign-in for this account (Google's
   * `isEnforcedIn2Sv`); undefined when the provider does not report it.
   */
  twoFactorEnforced?: boolean;
}

/** What a caller asks for when creating or updating a mailbox. */
export interface MailboxInput extends Omit<MailboxState, "twoFactorEnforced"> {
  /** Given and family name, when the declaration states them apart from `name`. */
  givenName?: string;
  familyName?: string;
  /**
   * The declaration's profile name (`staff`, `executive`): providers that map profiles to their
   * own settings (Google org units, Microsoft 365 licences) read it; others ignore it.
   */
  profile?: string;
  /** A shared mailbox (several people read one inbox), not a person's. */
  shared?: boolean;
  /** For a shared mailbox: the full addresses of the people who read it, sorted. */
  members?: string[];
  /** Initial password (secret). When absent, the provider's invitation flow is used if any. */
  password?: string;
  changePasswordAtNextLogin?: boolean;
  require2fa?: boolean;
  /**
   * Where the provider sends its invitation ("set your password") when no password is given,
   * e.g. Migadu's `password_recovery_email`. Not part of the state.
   */
  recoveryEmail?: string;
}

/** The fields `updateMailbox` changes: those given. */
export type MailboxPatch = Partial<Omit<MailboxInput, "domain" | "localPart">> & {
  /** Local parts `aliases` neither adds nor removes. */
  keepAliases?: string[];
};

/** An address that forwards to one or more full addresses, without a mailbox of its own. */
export interface AliasState {
  domain: string;
  localPart: string;
  /** Full destination addresses, sorted. */
  destinations: string[];
}

/** A distribution group: one address, many members (full addresses, sorted). */
export interface GroupState {
  domain: string;
  localPart: string;
  /**
   * Display name. `undefined` when the provider has nowhere to store one (Migadu realises a
   * group as an alias): reads never report a name then, and a name given to `createGroup` or
   * `updateGroup` is accepted and not stored.
   */
  name?: string;
  members: string[];
  /**
   * Who may send to the group, only when `capabilities.groupSenders` (Exmail's `allow_type`):
   * reads report it when the provider's setting is one of these; writes leave it unchanged when
   * absent.
   */
  allowSenders?: GroupSenders;
}

/**
 * One mail provider's API behind a common interface. Every method throws the typed errors of
 * `errors.ts`. `get*` returns `undefined` when the object does not exist. Implementations read
 * their credentials when constructed from `ProviderConnection`, never from module state.
 */
export interface MailProvider {
  /** Short provider id used in errors and state, e.g. `migadu`. */
  readonly name: string;
  readonly capabilities: MailProviderCapabilities;

  listMailboxes(domain: string): Promise<MailboxState[]>;
  getMailbox(domain: string, localPart: string): Promise<MailboxState | undefined>;
  createMailbox(input: MailboxInput): Promise<MailboxState>;
  /**
   * Applies the given fields; returns the full state after the update. `aliases` is the list of
   * the mailbox's aliases: missing ones are added (an existing alias that delivers only to this
   * mailbox is taken over, whatever kind the provider recorded; any other is a `ConflictError`),
   * and the mailbox's aliases not listed are removed, except those in `keepAliases`, which are
   * neither added nor removed (an alias another resource manages now, or one Mailplane never
   * declared).
   */
  updateMailbox(domain: string, localPart: string, patch: MailboxPatch): Promise<MailboxState>;
  /** Only when `capabilities.renameInPlace`: changes the address, keeping the mail. */
  renameMailbox?(domain: string, from: string, to: string): Promise<MailboxState>;
  /**
   * Deletes the mailbox (and what the provider keeps only for it, e.g. the self-hosted store's
   * own alias row), never an alias that the caller has not removed: callers remove the aliases
   * they declared first (`updateMailbox` with `aliases`).
   */
  deleteMailbox(domain: string, localPart: string): Promise<void>;

  listAliases(domain: string): Promise<AliasState[]>;
  getAlias(domain: string, localPart: string): Promise<AliasState | undefined>;
  /**
   * Creates the alias. One that exists with the same destinations is adopted (taken over, if the
   * provider recorded it as a group or a mailbox's alias); a different one is a `ConflictError`.
   */
  createAlias(input: AliasState): Promise<AliasState>;
  updateAlias(domain: string, localPart: string, destinations: string[]): Promise<AliasState>;
  deleteAlias(domain: string, localPart: string): Promise<void>;

  /**
   * True when `listGroups` cannot see every group (Tencent Exmail has no group list API): callers
   * read a group missing from the list with `getGroup`. @default false
   */
  readonly unlistedGroups?: boolean;
  listGroups(domain: string): Promise<GroupState[]>;
  getGroup(domain: string, localPart: string): Promise<GroupState | undefined>;
  /**
   * Creates the group. An alias, group or mailbox alias that exists with the same members is
   * adopted (taken over as a group); a different one is a `ConflictError`.
   */
  createGroup(input: GroupState): Promise<GroupState>;
  updateGroup(
    domain: string,
    localPart: string,
    patch: Partial<Pick<GroupState, "name" | "members" | "allowSenders">>,
  ): Promise<GroupState>;
  deleteGroup(domain: string, localPart: string): Promise<void>;

  /**
   * Only when `capabilities.catchAll`: the destinations of the domain's catch-all (mail to local
   * parts nothing else claims), sorted, or `undefined` when the domain has none.
   */
  getCatchAll?(domain: string): Promise<string[] | undefined>;
  /**
   * Only when `capabilities.catchAll`: makes `destinations` (full addresses, de-duplicated) the
   * domain's whole catch-all, replacing any other. `undefined` or `[]` removes it; removing one
   * that does not exist is not an error. A catch-all holds no mail.
   */
  setCatchAll?(domain: string, destinations: string[] | undefined): Promise<void>;

  /**
   * Only when `capabilities.domainAliases`: the domains that deliver like `domain`
   * (`acme.co` → `acme.com`: `x@acme.co` reaches whatever `x@acme.com` reaches), sorted.
   */
  listDomainAliases?(domain: string): Promise<string[]>;
  /**
   * Only when `capabilities.domainAliases`: makes `aliasDomain` deliver like `domain`. Already
   * an alias of `domain`: nothing changes. A `ConflictError` when it is an alias of another
   * domain or holds accounts of its own.
   */
  addDomainAlias?(domain: string, aliasDomain: string): Promise<void>;
  /**
   * Only when `capabilities.domainAliases`: `aliasDomain` stops delivering like `domain` (mail
   * to it is then rejected). A `NotFoundError` when it is not an alias of `domain`. Holds no mail.
   */
  removeDomainAlias?(domain: string, aliasDomain: string): Promise<void>;
}
