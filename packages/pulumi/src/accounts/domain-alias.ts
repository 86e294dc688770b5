/* eslint-disable @typescript-eslint/no-require-imports -- the serialized provider must require the
   runtime at call time, so state holds a small shim and library upgrades apply to old resources */
import * as pulumi from "@pulumi/pulumi";

/** The serialized dynamic provider: a shim that loads the runtime at call time. */
const domainAliasProvider: pulumi.dynamic.ResourceProvider = {
  configure: (req) => require("@mailplane/pulumi/runtime").configure(req),
  check: (o, n) => require("@mailplane/pulumi/runtime").domainAlias.check(o, n),
  diff: (i, o, n) => require("@mailplane/pulumi/runtime").domainAlias.diff(i, o, n),
  create: (n) => require("@mailplane/pulumi/runtime").domainAlias.create(n),
  read: (i, p) => require("@mailplane/pulumi/runtime").domainAlias.read(i, p),
  update: (i, o, n) => require("@mailplane/pulumi/runtime").domainAlias.update(i, o, n),
  delete: (i, p) => require("@mailplane/pulumi/runtime").domainAlias.delete(i, p),
};

/** Inputs of a {@link DomainAlias}. */
export interface DomainAliasArgs {
  /**
   * The mail provider kind, e.g. `selfHosted`; it must have domain aliases
   * (`capabilities.domainAliases`). Credentials are read by the runtime at call time.
   */
  mailProvider: pulumi.Input<string>;
  /**
   * The provider's API base URL (for `selfHosted`: the store locator).
   * @default the vendor's documented endpoint
   */
  apiUrl?: pulumi.Input<string>;
  /** The domain mail is delivered like, e.g. `acme.com`. */
  domain: pulumi.Input<string>;
  /** The domain that delivers like `domain`, e.g. `acme.co` (lower-case punycode). */
  aliasDomain: pulumi.Input<string>;
}

/**
 * A domain alias: `x@acme.co` reaches whatever `x@acme.com` reaches. It holds no mail: removing
 * it from code removes the link (mail to the alias domain is then rejected). Its DNS records
 * (MX, SPF, ...) are MailDomain's business, not this resource's. Its id is
 * `<provider>/<domain>/<aliasDomain>`, e.g. `selfHosted/acme.com/acme.co`. Create adopts an
 * existing identical link; a link of the alias domain to another domain fails with a Conflict.
 */
export class DomainAlias extends pulumi.dynamic.Resource {
  /** The target domain. */
  declare public readonly domain: pulumi.Output<string>;
  /** The alias domain. */
  declare public readonly aliasDomain: pulumi.Output<string>;

  /**
   * @param name The unique name of the resource, e.g. `acme-domain-alias-acme.co`.
   * @param args The domain alias.
   * @param opts Resource options.
   */
  constructor(name: string, args: DomainAliasArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      domainAliasProvider,
      name,
      {
        mailProvider: args.mailProvider,
        apiUrl: args.apiUrl,
        domain: args.domain,
        aliasDomain: args.aliasDomain,
      },
      opts,
      "mailplane",
      "DomainAlias",
    );
  }
}
