import * as pulumi from "@pulumi/pulumi";
import { pluginResourceOptions, typeToken } from "../resource-types";

/** Inputs of a {@link MailGroup}. */
export interface MailGroupArgs {
  /** The mail provider kind; credentials are read by the runtime at call time. */
  mailProvider: pulumi.Input<string>;
  /**
   * The provider's API base URL.
   * @default the vendor's documented endpoint
   */
  apiUrl?: pulumi.Input<string>;
  /** Lower-case punycode domain. */
  domain: pulumi.Input<string>;
  /** Lower-case RFC 5321 dot-atom; a new one replaces the group (it holds no mail). */
  localPart: pulumi.Input<string>;
  /**
   * Display name of the group. Providers without group names (Migadu) do not store it: there,
   * changing it is no change at the provider.
   */
  name: pulumi.Input<string>;
  /** Members' full addresses; order does not matter. */
  members: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Who may send to the group: `anyone`, `organisation` (the provider's own accounts) or
   * `members`. Only providers that enforce it accept it (Tencent Exmail's `allow_type`);
   * elsewhere the preview fails naming it.
   * @default not managed: the provider's default stays
   */
  allowSenders?: pulumi.Input<"anyone" | "organisation" | "members">;
}

/**
 * A distribution group: one address, many members. Removing it from code deletes it (it holds
 * no mail). Its id is `<provider>/<domain>/<localPart>`, e.g. `migadu/acme.com/all-staff`.
 *
 * Adopting an existing group: declare it with its live members; create adopts identical content
 * without a write (different content fails with a Conflict, nothing changed); or
 * `pulumi import mailplane:index:MailGroup <name> <id>`. Served by the `mailplane` provider
 * plugin.
 */
export class MailGroup extends pulumi.CustomResource {
  /** The group's address. */
  declare public readonly address: pulumi.Output<string>;
  /** Members at the provider, sorted. */
  declare public readonly members: pulumi.Output<string[]>;

  /**
   * @param name The unique name of the resource, e.g. `acme-group-all-staff`.
   * @param args The group.
   * @param opts Resource options.
   */
  constructor(name: string, args: MailGroupArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      typeToken("MailGroup"),
      name,
      {
        mailProvider: args.mailProvider,
        apiUrl: args.apiUrl,
        domain: args.domain,
        localPart: args.localPart,
        name: args.name,
        members: args.members,
        // Only when declared, so groups without it keep their inputs (no change at preview).
        ...(args.allowSenders === undefined ? {} : { allowSenders: args.allowSenders }),
        address: undefined,
      },
      pluginResourceOptions("MailGroup", opts),
    );
  }
}
