import * as pulumi from "@pulumi/pulumi";
import { pluginResourceOptions, typeToken } from "../resource-types";

/** Inputs of a {@link CatchAll}. */
export interface CatchAllArgs {
  /**
   * The mail provider kind, e.g. `selfHosted`; it must have a catch-all (`capabilities.catchAll`).
   * Credentials are read by the runtime at call time.
   */
  mailProvider: pulumi.Input<string>;
  /**
   * The provider's API base URL (for `selfHosted`: the store locator).
   * @default the vendor's documented endpoint
   */
  apiUrl?: pulumi.Input<string>;
  /** Lower-case punycode domain whose unknown local parts are caught, e.g. `acme.com`. */
  domain: pulumi.Input<string>;
  /** Full addresses that receive mail to local parts nothing else claims; order does not matter. */
  destinations: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * Where a domain's mail to undeclared local parts goes (otherwise it is rejected at RCPT). It
 * holds no mail: removing it from code removes it. Its id is `<provider>/<domain>`, e.g.
 * `selfHosted/acme.com`.
 *
 * Adopting an existing catch-all: declare its live destinations; create adopts identical content
 * without a write (different content fails with a Conflict, nothing changed); or
 * `pulumi import mailplane:index:CatchAll <name> <id>`. Served by the `mailplane` provider plugin.
 */
export class CatchAll extends pulumi.CustomResource {
  /** The catch-all's pattern, `@domain`. */
  declare public readonly address: pulumi.Output<string>;
  /** Destinations at the provider, sorted. */
  declare public readonly destinations: pulumi.Output<string[]>;

  /**
   * @param name The unique name of the resource, e.g. `acme-catch-all`.
   * @param args The catch-all.
   * @param opts Resource options.
   */
  constructor(name: string, args: CatchAllArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      typeToken("CatchAll"),
      name,
      {
        mailProvider: args.mailProvider,
        apiUrl: args.apiUrl,
        domain: args.domain,
        destinations: args.destinations,
        address: undefined,
      },
      pluginResourceOptions("CatchAll", opts),
    );
  }
}
