import * as pulumi from "@pulumi/pulumi";
import { pluginResourceOptions, typeToken } from "../resource-types";

/** Inputs of a {@link Mailbox}: flat, so `pulumi preview --diff` reads like a mail change. */
export interface MailboxArgs {
  /**
   * The mail provider kind the runtime talks to, e.g. `migadu`. Credentials are read by the
   * provider process at call time (for Migadu: `MIGADU_USER`/`MIGADU_API_KEY`, or
   * `pulumi config set --secret mailplane:migaduUser|migaduApiKey`), never stored here.
   */
  mailProvider: pulumi.Input<string>;
  /**
   * The provider's API base URL (emulators, regional endpoints).
   * @default the vendor's documented endpoint
   */
  apiUrl?: pulumi.Input<string>;
  /** Lower-case punycode domain, e.g. `acme.com`. */
  domain: pulumi.Input<string>;
  /**
   * Lower-case RFC 5321 dot-atom. Changing it is an in-place rename where the provider can
   * (`renameInPlace`); otherwise the change fails at preview unless `allowRecreate` is set.
   */
  localPart: pulumi.Input<string>;
  /** Display name. */
  name: pulumi.Input<string>;
  /** Department, stored when the provider can. */
  department?: pulumi.Input<string>;
  /** Job title, stored when the provider can. */
  title?: pulumi.Input<string>;
  /**
   * Given and family name, where the provider stores them apart (Google Workspace).
   * @default split from `name` by the provider's adapter
   */
  givenName?: pulumi.Input<string>;
  familyName?: pulumi.Input<string>;
  /**
   * The declaration's profile name: bindings map it to their own settings (Google Workspace's
   * `orgUnits`, Microsoft 365's `licences`); others ignore it.
   * @default none
   */
  profile?: pulumi.Input<string>;
  /**
   * Quota in MiB, 1–1048576.
   * @default the provider's default (not managed)
   */
  quotaMb?: pulumi.Input<number>;
  /**
   * Login and sending blocked, mail kept.
   * @default false
   */
  suspended?: pulumi.Input<boolean>;
  /**
   * Force a password change at next login, where the provider can.
   * @default false
   */
  changePasswordAtNextLogin?: pulumi.Input<boolean>;
  /**
   * Require two-factor authentication, where the provider can.
   * @default false
   */
  require2fa?: pulumi.Input<boolean>;
  /**
   * Extra local parts on the same domain delivering to this mailbox. Order does not matter.
   * @default []
   */
  aliases?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Full addresses this mailbox forwards to (offboarding). Order does not matter.
   * @default []
   */
  forwardTo?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * ISO date until which an offboarded mailbox is kept (recorded for reviews).
   * @default none
   */
  keepUntil?: pulumi.Input<string>;
  /**
   * Where the provider sends its invitation when no `password` is given (Migadu requires one
   * of the two).
   * @default none
   */
  recoveryEmail?: pulumi.Input<string>;
  /**
   * What removing this mailbox from code does. `suspend` blocks login and keeps the mail and
   * any `forwardTo`; `delete` deletes the mailbox and its mail at the provider. Read from the
   * last applied state when the resource is deleted, so set it (and apply) before removing the
   * mailbox. Pulumi's `retainOnDelete` skips this entirely: the account then stays active.
   * @default "suspend"
   */
  onDelete?: pulumi.Input<"suspend" | "delete">;
  /**
   * Allows a change the provider can only make with a new mailbox (a new local part without
   * in-place rename, another domain or provider). The new mailbox is created first; the old one
   * follows `onDelete` (suspended by default, its mail kept). Without it such a change fails at
   * preview and nothing is changed.
   * @default false
   */
  allowRecreate?: pulumi.Input<boolean>;
  /**
   * A shared mailbox (from `shared` with kind `sharedMailbox`).
   * @default false
   */
  shared?: pulumi.Input<boolean>;
  /**
   * For a shared mailbox: the full addresses of the people who read it.
   * @default none
   */
  members?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Initial password. Always stored as a secret; only a secret sha256 fingerprint is kept in
   * outputs. Changing it resets the password; an adopted existing mailbox keeps its own.
   * @default none (the provider's invitation flow, where it has one)
   */
  password?: pulumi.Input<string>;
}

/**
 * One mailbox at a mail provider: `mailplane:index:Mailbox`, served by the `mailplane` provider
 * plugin (see PLUGIN.md).
 *
 * - Adopting an existing mailbox: declare it as it is (same name and settings, no password —
 *   it keeps its own). Create then adopts it without writing to it; one whose live content
 *   differs fails with a Conflict and nothing is changed. Or adopt it by id:
 *   `pulumi import mailplane:index:Mailbox <name> <provider>/<domain>/<localPart>`.
 * - Its id is `<provider>/<domain>/<localPart>`, e.g. `migadu/acme.com/alice`.
 * - Removing it from code suspends it (see `onDelete`); it is never deleted silently.
 * - Refresh reads from one shared list per provider process.
 */
export class Mailbox extends pulumi.CustomResource {
  /** The mailbox's address, `localPart@domain`. */
  declare public readonly address: pulumi.Output<string>;
  /** The local part. */
  declare public readonly localPart: pulumi.Output<string>;
  /** The display name at the provider. */
  declare public readonly name: pulumi.Output<string>;
  /** Whether the mailbox is suspended at the provider. */
  declare public readonly suspended: pulumi.Output<boolean>;
  /** The quota at the provider, when declared. */
  declare public readonly quotaMb: pulumi.Output<number | undefined>;
  /** Extra local parts at the provider. */
  declare public readonly aliases: pulumi.Output<string[]>;
  /** Forwarding addresses at the provider. */
  declare public readonly forwardTo: pulumi.Output<string[]>;
  /** What removing it from code does. */
  declare public readonly onDelete: pulumi.Output<"suspend" | "delete">;
  /**
   * Whether the provider enforces two-step sign-in for the account (Google Workspace's
   * `isEnforcedIn2Sv`, set per org unit in the Admin console); undefined where not reported.
   */
  declare public readonly twoFactorEnforced: pulumi.Output<boolean | undefined>;

  /**
   * @param name The unique name of the resource, e.g. `acme-mailbox-alice`.
   * @param args The mailbox.
   * @param opts Resource options; `additionalSecretOutputs` always includes `passwordHash`.
   */
  constructor(name: string, args: MailboxArgs, opts?: pulumi.CustomResourceOptions) {
    const limit = Error.stackTraceLimit;
    // The SDK stamps every input's promise with `new Error().stack` (leak diagnostics), which a
    // TypeScript program's source-map hook maps frame by frame: most of a Mailbox's registration
    // cost. None of those stacks reach state or any message; the resource's own source position
    // and stack trace are captured by the SDK with its own limit, so they are unchanged.
    Error.stackTraceLimit = 0;
    try {
      super(typeToken("Mailbox"), name, mailboxResourceProps(args), mailboxResourceOptions(opts));
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}

/**
 * The properties a Mailbox registers: its inputs with their defaults, the password as a secret,
 * and the outputs it declares.
 */
export function mailboxResourceProps(args: MailboxArgs): pulumi.Inputs {
  // Inputs not given are left out, not set to undefined: the SDK makes an Output (and captures a
  // stack trace) for every key it is handed, which at 1,000 mailboxes was a third of the
  // program's CPU for nothing (an undefined input is never sent). The outputs keep their keys.
  const inputs: pulumi.Inputs = {
    mailProvider: args.mailProvider,
    apiUrl: args.apiUrl,
    domain: args.domain,
    localPart: args.localPart,
    name: args.name,
    department: args.department,
    title: args.title,
    givenName: args.givenName,
    familyName: args.familyName,
    profile: args.profile,
    quotaMb: args.quotaMb,
    suspended: args.suspended ?? false,
    changePasswordAtNextLogin: args.changePasswordAtNextLogin ?? false,
    require2fa: args.require2fa ?? false,
    aliases: args.aliases ?? [],
    forwardTo: args.forwardTo ?? [],
    keepUntil: args.keepUntil,
    recoveryEmail: args.recoveryEmail,
    onDelete: args.onDelete ?? "suspend",
    allowRecreate: args.allowRecreate ?? false,
    shared: args.shared ?? false,
    members: args.members,
    password: args.password === undefined ? undefined : pulumi.secret(args.password),
  };
  return {
    ...Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== undefined)),
    address: undefined,
    passwordHash: undefined,
    twoFactorEnforced: undefined,
  };
}

/**
 * A Mailbox's resource options: `passwordHash` is always a secret output, and the alias to the
 * dynamic type of earlier releases.
 */
export function mailboxResourceOptions(
  opts: pulumi.CustomResourceOptions | undefined,
): pulumi.CustomResourceOptions {
  return pluginResourceOptions("Mailbox", opts, ["passwordHash"]);
}
