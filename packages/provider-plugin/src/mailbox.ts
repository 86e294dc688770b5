import * as pulumi from "@pulumi/pulumi";
import { mailboxResourceOptions, mailboxResourceProps, type MailboxArgs } from "@mailplane/pulumi";

export type { MailboxArgs };

/**
 * One mailbox at a mail provider, served by the `mailplane` provider plugin
 * (`mailplane:index:Mailbox`) instead of a dynamic provider: previews show the provider's own
 * field-level diff, `pulumi import mailplane:index:Mailbox <name> <provider>/<domain>/<localPart>`
 * adopts a live mailbox, and state holds no serialized provider code. Same inputs, same rules as
 * `@mailplane/pulumi`'s `Mailbox` (removal suspends, a rename the provider cannot make in place
 * is refused at preview).
 */
export class Mailbox extends pulumi.CustomResource {
  /** The type token the plugin serves. */
  static readonly __pulumiType = "mailplane:index:Mailbox";

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

  /** Whether `obj` is a Mailbox of this plugin (across copies of this module). */
  static override isInstance(obj: unknown): obj is Mailbox {
    return (
      pulumi.CustomResource.isInstance(obj) &&
      (obj as unknown as { __pulumiType?: string }).__pulumiType === Mailbox.__pulumiType
    );
  }

  /**
   * @param name The unique name of the resource, e.g. `acme-mailbox-alice`.
   * @param args The mailbox (see `MailboxArgs` of `@mailplane/pulumi`).
   * @param opts Resource options; `additionalSecretOutputs` always includes `passwordHash`.
   */
  constructor(name: string, args: MailboxArgs, opts?: pulumi.CustomResourceOptions) {
    super(Mailbox.__pulumiType, name, mailboxResourceProps(args), mailboxResourceOptions(opts));
  }
}
