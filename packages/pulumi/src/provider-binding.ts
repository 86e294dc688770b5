import type * as pulumi from "@pulumi/pulumi";
import type { AccountPlan, DnsFacts, MailProviderCapabilities } from "@mailplane/core";

/**
 * A provider's DNS facts as a plain object whose string leaves may be unknown until deployment:
 * a DKIM value built from a key generated at `up`, a verification code or an SPF include that
 * another resource outputs. Everything that names a record (provider, selectors, MX set, client
 * endpoints) stays plain, so the records are planned and their children registered at
 * construction — the first `pulumi preview` shows them, with the pending values unknown.
 */
export interface DnsFactsInput extends Omit<
  DnsFacts,
  "spfInclude" | "spfTerms" | "dkim" | "verification" | "clientDiscovery"
> {
  /** SPF include domains the provider needs (e.g. `_spf.google.com`). */
  spfInclude: pulumi.Input<string>[];
  /**
   * Other SPF mechanisms the provider needs, e.g. `["mx"]`.
   * @default []
   */
  spfTerms?: pulumi.Input<string>[];
  /** DKIM records: the selector names the record and is plain; the value may be pending. */
  dkim: Array<{ selector: string; type: "TXT" | "CNAME"; value: pulumi.Input<string> }>;
  /**
   * TXT values the provider needs at the apex to verify ownership. A pending value's record is
   * named by its position in this list.
   */
  verification: pulumi.Input<string>[];
  /** Client discovery; the autodiscover/autoconfig CNAME targets may be pending. */
  clientDiscovery?: Omit<
    NonNullable<DnsFacts["clientDiscovery"]>,
    "autodiscover" | "autoconfig"
  > & {
    /** CNAME target for `autodiscover.<domain>` (Outlook). */
    autodiscover?: pulumi.Input<string>;
    /** CNAME target for `autoconfig.<domain>` (Thunderbird). */
    autoconfig?: pulumi.Input<string>;
  };
}

/**
 * What `providers.xxx({...})` returns: how MailDomain talks to one mail provider. Bindings hold
 * only non-secret settings; credentials are read by the runtime at call time.
 */
export interface MailProviderBinding {
  /** Provider id, e.g. `migadu`, `selfHosted`, `cloudflareEmailRouting`. */
  readonly kind: string;
  readonly capabilities: MailProviderCapabilities;
  /**
   * DNS facts for a domain (MX, SPF include, DKIM, verification, discovery). Return plain facts
   * whose values may be Outputs ({@link DnsFactsInput}) when only values are unknown at preview
   * (a generated DKIM key), so the records show in the first preview; an Output of the whole
   * facts only when the record set itself is read from the provider (it must then be known at
   * preview, e.g. an invoke).
   */
  dnsFacts(domain: string, scope: AccountScope): DnsFactsInput | pulumi.Input<DnsFacts>;
  /**
   * DNS facts for one of the domain's aliases (its DKIM, verification), when the binding knows
   * them. Without it an alias gets the main domain's MX, SPF and client discovery, no DKIM and
   * no verification (which are per domain at most providers).
   */
  aliasDnsFacts?(aliasDomain: string, scope: AccountScope): DnsFactsInput | pulumi.Input<DnsFacts>;
  /** Creates the children that realise the planned accounts under `scope.parent`. */
  createAccounts(plan: AccountPlan, scope: AccountScope): AccountChildren;
}

/** Where a binding creates its children. */
export interface AccountScope {
  /** The MailDomain's name, the prefix of every child name. */
  name: string;
  parent: pulumi.Resource;
  /** Secret initial passwords by mailbox key, when the user gave them. */
  passwords: Record<string, pulumi.Input<string>>;
}

/** The children a binding created, by kind and key, for outputs and dependencies. */
export interface AccountChildren {
  mailboxes: Record<string, pulumi.Resource>;
  aliases: Record<string, pulumi.Resource>;
  groups: Record<string, pulumi.Resource>;
  /** The catch-all, when the plan has one and the binding realises it as a resource. */
  catchAll?: pulumi.Resource;
  /** Domain aliases by alias domain, when the binding realises them as resources. */
  domainAliases?: Record<string, pulumi.Resource>;
}
