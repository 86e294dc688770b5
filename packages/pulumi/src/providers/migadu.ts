import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  domainProblem,
  httpUrlProblem,
  migaduDnsFacts,
  parseSettings,
  pendingOr,
  setting,
  tokenTextProblem,
  type AccountPlan,
  type DnsFacts,
  type MailProviderCapabilities,
} from "@mailplane/core";
import { createAccountResources } from "../accounts/create-accounts";
import type { AccountChildren, AccountScope, MailProviderBinding } from "../provider-binding";
import { migaduRuntimeCapabilities } from "../runtime/builtin";
import { checkedInput } from "../dns/settings";

/** The schema of {@link MigaduArgs}, checked when `providers.migadu` is called. */
export const migaduArgsSchema = z.strictObject({
  domain: setting(domainProblem).optional(),
  apiUrl: pendingOr<string>(httpUrlProblem).optional(),
  verificationCode: pendingOr<string>(tokenTextProblem).optional(),
});

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
 * Puts a domain's accounts on Migadu: mailboxes, aliases (groups arrive from core as aliases,
 * since Migadu has none). Credentials are read by the provider process at call time from
 * `MIGADU_USER` and `MIGADU_API_KEY`, or from `pulumi config set mailplane:migaduUser <admin>` and
 * `pulumi config set --secret mailplane:migaduApiKey <key>`; they never enter state.
 *
 * @example
 * new MailDomain("acme", { domain: "acme.com", provider: providers.migadu({ verificationCode }) });
 */
export function migadu(input: MigaduArgs = {}): MailProviderBinding {
  parseSettings(migaduArgsSchema, input, ["providers", "migadu"]);
  const args: MigaduArgs = {
    ...input,
    ...(input.apiUrl === undefined
      ? {}
      : { apiUrl: checkedInput(input.apiUrl, httpUrlProblem, "providers.migadu.apiUrl") }),
    ...(input.verificationCode === undefined
      ? {}
      : {
          verificationCode: checkedInput(
            input.verificationCode,
            tokenTextProblem,
            "providers.migadu.verificationCode",
          ),
        }),
  };
  return {
    kind: "migadu",
    capabilities: migaduCapabilities,
    dnsFacts(domain: string): pulumi.Input<DnsFacts> {
      const d = args.domain ?? domain;
      if (args.verificationCode === undefined) return migaduDnsFacts({ domain: d });
      return pulumi
        .output(args.verificationCode)
        .apply((verificationCode) => migaduDnsFacts({ domain: d, verificationCode }));
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
