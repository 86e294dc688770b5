import * as pulumi from "@pulumi/pulumi";
import type { AccountPlan, DnsFacts, MailProviderCapabilities } from "@mailplane/core";
import { createAccountResources } from "../accounts/create-accounts";
import type { AccountChildren, AccountScope, MailProviderBinding } from "../provider-binding";
import { migaduRuntimeCapabilities } from "../runtime/builtin";

/** Settings of the Migadu binding. Credentials are never arguments: see {@link migadu}. */
export interface MigaduArgs {
  /**
   * The domain as it is registered at Migadu.
   * @default the MailDomain's domain
   */
  domain?: string;
  /**
   * The API base URL (an emulator in tests).
   * @default "https://api.migadu.com/v1"
   * @see https://migadu.com/api/
   */
  apiUrl?: pulumi.Input<string>;
  /**
   * The code from Migadu's DNS setup page, published as TXT `hosted-email-verify=<code>`.
   * @default none (no verification record)
   */
  verificationCode?: pulumi.Input<string>;
}

/** What Migadu can do (no in-place mailbox rename, no distribution groups). */
export const migaduCapabilities: MailProviderCapabilities = migaduRuntimeCapabilities;

/**
 * Migadu's DNS facts for a domain: MX `10 aspmx1.migadu.com` and `20 aspmx2.migadu.com`, SPF
 * include `spf.migadu.com`, DKIM CNAMEs `key1/2/3._domainkey` → `keyN.<d>._domainkey.migadu.com`,
 * the verification TXT when a code is given, and client discovery (imap/pop/smtp.migadu.com,
 * autoconfig/autodiscover CNAMEs; cross-checked in public configs, not a vendor page).
 * @see https://migadu.com/guides/dns/
 */
export function migaduDnsFacts(domain: string, verificationCode?: string): DnsFacts {
  return {
    provider: "migadu",
    mx: [
      { priority: 10, host: "aspmx1.migadu.com" },
      { priority: 20, host: "aspmx2.migadu.com" },
    ],
    spfInclude: ["spf.migadu.com"],
    dkim: [1, 2, 3].map((n) => ({
      selector: `key${n}`,
      type: "CNAME" as const,
      value: `key${n}.${domain}._domainkey.migadu.com`,
    })),
    verification: verificationCode === undefined ? [] : [`hosted-email-verify=${verificationCode}`],
    clientDiscovery: {
      imap: { host: "imap.migadu.com", port: 993 },
      pop3: { host: "pop.migadu.com", port: 995 },
      submission: { host: "smtp.migadu.com", port: 465 },
      autoconfig: "autoconfig.migadu.com",
      autodiscover: "autodiscover.migadu.com",
    },
  };
}

/**
 * Puts a domain's accounts on Migadu: mailboxes, aliases (groups arrive from core as aliases,
 * since Migadu has none). Credentials are read by the provider process at call time from
 * `MIGADU_USER` and `MIGADU_API_KEY`, or from `pulumi config set mailplane:migaduUser <admin>` and
 * `pulumi config set --secret mailplane:migaduApiKey <key>`; they never enter state.
 *
 * @example
 * new MailDomain("acme", { domain: "acme.com", provider: providers.migadu({ verificationCode }) });
 */
export function migadu(args: MigaduArgs = {}): MailProviderBinding {
  return {
    kind: "migadu",
    capabilities: migaduCapabilities,
    dnsFacts(domain: string): pulumi.Input<DnsFacts> {
      const d = args.domain ?? domain;
      if (args.verificationCode === undefined) return migaduDnsFacts(d);
      return pulumi.output(args.verificationCode).apply((code) => migaduDnsFacts(d, code));
    },
    createAccounts(plan: AccountPlan, scope: AccountScope): AccountChildren {
      return createAccountResources(plan, scope, {
        mailProvider: "migadu",
        apiUrl: args.apiUrl,
        domain: args.domain,
      });
    },
  };
}
