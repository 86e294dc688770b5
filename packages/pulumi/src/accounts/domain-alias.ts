import * as pulumi from "@pulumi/pulumi";
import { pluginResourceOptions, typeToken } from "../resource-types";

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
 * Served by the `mailplane` provider plugin.
 */
export class DomainAlias extends pulumi.CustomResource {
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
      typeToken("DomainAlias"),
      name,
      {
        mailProvider: args.mailProvider,
        apiUrl: args.apiUrl,
        domain: args.domain,
        aliasDomain: args.aliasDomain,
      },
      pluginResourceOptions("DomainAlias", opts),
    );
  }
}
