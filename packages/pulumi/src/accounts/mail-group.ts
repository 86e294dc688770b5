/* eslint-disable @typescript-eslint/no-require-imports -- the serialized provider must require the
   runtime at call time, so state holds a small shim and library upgrades apply to old resources */
import * as pulumi from "@pulumi/pulumi";

/** The serialized dynamic provider: a shim that loads the runtime at call time. */
const groupProvider: pulumi.dynamic.ResourceProvider = {
  configure: (req) => require("@mailplane/pulumi/runtime").configure(req),
  check: (o, n) => require("@mailplane/pulumi/runtime").group.check(o, n),
  diff: (i, o, n) => require("@mailplane/pulumi/runtime").group.diff(i, o, n),
  create: (n) => require("@mailplane/pulumi/runtime").group.create(n),
  read: (i, p) => require("@mailplane/pulumi/runtime").group.read(i, p),
  update: (i, o, n) => require("@mailplane/pulumi/runtime").group.update(i, o, n),
  delete: (i, p) => require("@mailplane/pulumi/runtime").group.delete(i, p),
};

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
 * without a write (different content fails with a Conflict, nothing changed). Pulumi cannot
 * import dynamic-provider resources: neither `pulumi import` nor the `import` resource option
 * works for them (pulumi/pulumi#16175, #3550).
 */
export class MailGroup extends pulumi.dynamic.Resource {
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
      groupProvider,
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
      opts,
      "mailplane",
      "MailGroup",
    );
  }
}
