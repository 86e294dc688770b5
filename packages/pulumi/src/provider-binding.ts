import type * as pulumi from "@pulumi/pulumi";
import type { AccountPlan, DnsFacts, DnsRecord, MailProviderCapabilities } from "@mailplane/core";

/**
 * What `providers.xxx({...})` returns: how MailDomain talks to one mail provider. Bindings hold
 * only non-secret settings; credentials are read by the runtime at call time.
 */
export interface MailProviderBinding {
  /** Provider id, e.g. `migadu`, `selfHosted`, `cloudflareEmailRouting`. */
  readonly kind: string;
  readonly capabilities: MailProviderCapabilities;
  /** DNS facts for a domain (MX, SPF include, DKIM, verification, discovery); may hold Outputs. */
  dnsFacts(domain: string, scope: AccountScope): pulumi.Input<DnsFacts>;
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
  /** Records the binding needs in DNS beyond its facts, already normalised. */
  extraRecords?: pulumi.Input<DnsRecord[]>;
}
