import * as pulumi from "@pulumi/pulumi";
import { pluginResourceOptions, typeToken } from "../resource-types";

/** Inputs of an {@link Alias}. */
export interface AliasArgs {
  /** The mail provider kind, e.g. `migadu`; credentials are read by the runtime at call time. */
  mailProvider: pulumi.Input<string>;
  /**
   * The provider's API base URL.
   * @default the vendor's documented endpoint
   */
  apiUrl?: pulumi.Input<string>;
  /** Lower-case punycode domain. */
  domain: pulumi.Input<string>;
  /** Lower-case RFC 5321 dot-atom; a new one replaces the alias (it holds no mail). */
  localPart: pulumi.Input<string>;
  /** Full destination addresses; order does not matter. */
  destinations: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * ISO date after which the alias should no longer exist (the planner leaves it out then).
   * @default none
   */
  expires?: pulumi.Input<string>;
}

/**
 * An address forwarding to destinations, without a mailbox. Removing it from code deletes it
 * (it holds no mail). Its id is `<provider>/<domain>/<localPart>`, e.g. `migadu/acme.com/info`.
 *
 * Adopting an existing alias: declare it with its live destinations; create adopts identical
 * content without a write (different content fails with a Conflict, nothing changed); or
 * `pulumi import mailplane:index:Alias <name> <id>`. Served by the `mailplane` provider plugin.
 */
export class Alias extends pulumi.CustomResource {
  /** The alias's address. */
  declare public readonly address: pulumi.Output<string>;
  /** Destinations at the provider, sorted. */
  declare public readonly destinations: pulumi.Output<string[]>;

  /**
   * @param name The unique name of the resource, e.g. `acme-alias-info`.
   * @param args The alias.
   * @param opts Resource options.
   */
  constructor(name: string, args: AliasArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      typeToken("Alias"),
      name,
      {
        mailProvider: args.mailProvider,
        apiUrl: args.apiUrl,
        domain: args.domain,
        localPart: args.localPart,
        destinations: args.destinations,
        expires: args.expires,
        address: undefined,
      },
      pluginResourceOptions("Alias", opts),
    );
  }
}
