/**
 * What a mail provider can do. Adapters declare it; `checkCapabilities` explains every
 * declared feature the provider cannot honour, with what to use instead.
 */
export interface MailProviderCapabilities {
  /** Real mailboxes (storage, login). False for forwarding-only services. */
  mailboxes: boolean;
  /** Extra addresses attached to a mailbox; 0 when unsupported, `Infinity` when unbounded. */
  aliasesPerMailbox: number;
  /** Addresses that forward to one or more destinations without a mailbox. */
  standaloneAliases: boolean;
  /** Distribution groups with members. */
  groups: boolean;
  /** Shared mailboxes (several people read one inbox). */
  sharedMailboxes: boolean;
  /** A mailbox can be suspended (no login, mail kept) instead of deleted. */
  suspend: boolean;
  /** Per-mailbox quota in MiB. */
  quota: boolean;
  /** The provider accepts an initial password. */
  passwords: boolean;
  /** The provider can force a password change at next login. */
  forceChangeAtLogin: boolean;
  /** The provider can enforce two-factor authentication per user. */
  require2fa: boolean;
  /** Aliases and groups may deliver to addresses outside the managed domains. */
  externalForward: boolean;
  /** A catch-all destination for unknown local parts. */
  catchAll: boolean;
  /** Domain aliases (acme.co delivers like acme.com). */
  domainAliases: boolean;
  /** A mailbox's address can be renamed in place, keeping its mail. */
  renameInPlace: boolean;
}
