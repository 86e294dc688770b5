import type { GroupSenders } from "./spec";

/**
 * The accounts that should exist at a given moment, as planned by `planAccounts`. Addresses
 * are full, lower-case, punycode-domain addresses. Keys are the user's stable handles.
 */
export interface AccountPlan {
  domain: string;
  domainAliases: string[];
  mailboxes: PlannedMailbox[];
  aliases: PlannedAlias[];
  groups: PlannedGroup[];
  /** Destinations for unknown local parts, when a catch-all is declared. */
  catchAll?: string[];
  /** Human-readable notices, e.g. an expired alias left out. */
  notices: string[];
}

/** A mailbox to exist, with its profile resolved (explicit field > profile > defaults). */
export interface PlannedMailbox {
  key: string;
  localPart: string;
  address: string;
  name: string;
  /** Given and family name, when declared apart from `name`. */
  givenName?: string;
  familyName?: string;
  department?: string;
  title?: string;
  profile?: string;
  quotaMb?: number;
  suspended: boolean;
  changePasswordAtNextLogin: boolean;
  require2fa: boolean;
  /** Extra local parts on the mailbox's domain. */
  aliases: string[];
  /** What happens when it is removed from code. */
  onDelete: "suspend" | "delete";
  /**
   * Allows a change the provider can only make by creating a new mailbox; the old one then
   * follows `onDelete`. False for shared mailboxes.
   */
  allowRecreate: boolean;
  /** External address for the provider's invitation when no password is given (normalised). */
  recoveryEmail?: string;
  /** Set when the person has left: forward to these addresses, keep until the date. */
  offboard?: { forwardTo: string[]; keepUntil?: string };
  /** True for a shared mailbox realised from `shared` with kind `sharedMailbox`. */
  shared: boolean;
  /** For a shared mailbox: the addresses of the people who read it. */
  members?: string[];
}

/** An address forwarding to destinations (aliases, shared addresses of kind alias, role addresses). */
export interface PlannedAlias {
  key: string;
  localPart: string;
  address: string;
  destinations: string[];
  /** ISO date after which the alias no longer exists. */
  expires?: string;
  source: "alias" | "mailboxAlias" | "shared" | "postmaster" | "abuse";
}

/** A distribution group (groups, shared addresses of kind group). */
export interface PlannedGroup {
  key: string;
  localPart: string;
  address: string;
  name: string;
  members: string[];
  /** Who may send to the group, when declared. */
  allowSenders?: GroupSenders;
  source: "group" | "shared";
}
