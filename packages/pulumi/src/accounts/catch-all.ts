/* eslint-disable @typescript-eslint/no-require-imports -- the serialized provider must require the
   runtime at call time, so state holds a small shim and library upgrades apply to old resources */
import * as pulumi from "@pulumi/pulumi";

/** The serialized dynamic provider: a shim that loads the runtime at call time. */
const catchAllProvider: pulumi.dynamic.ResourceProvider = {
  configure: (req) => require("@mailplane/pulumi/runtime").configure(req),
  check: (o, n) => require("@mailplane/pulumi/runtime").catchAll.check(o, n),
  diff: (i, o, n) => require("@mailplane/pulumi/runtime").catchAll.diff(i, o, n),
  create: (n) => require("@mailplane/pulumi/runtime").catchAll.create(n),
  read: (i, p) => require("@mailplane/pulumi/runtime").catchAll.read(i, p),
  update: (i, o, n) => require("@mailplane/pulumi/runtime").catchAll.update(i, o, n),
  delete: (i, p) => require("@mailplane/pulumi/runtime").catchAll.delete(i, p),
};

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
 * without a write (different content fails with a Conflict, nothing changed). Pulumi cannot
 * import dynamic-provider resources (pulumi/pulumi#16175, #3550).
 */
export class CatchAll extends pulumi.dynamic.Resource {
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
      catchAllProvider,
      name,
      {
        mailProvider: args.mailProvider,
        apiUrl: args.apiUrl,
        domain: args.domain,
        destinations: args.destinations,
        address: undefined,
      },
      opts,
      "mailplane",
      "CatchAll",
    );
  }
}
