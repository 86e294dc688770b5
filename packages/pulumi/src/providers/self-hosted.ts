/* eslint-disable @typescript-eslint/no-require-imports -- the serialized provider must require the
   runtime at call time, so state holds a small shim and library upgrades apply to old resources */
import * as pulumi from "@pulumi/pulumi";
import { checkDkimSelector, dkimTxtValue, selfHostedDefinition } from "@mailplane/providers";
import type { AccountScope, DnsFactsInput, MailProviderBinding } from "../provider-binding";
import { genericBinding, parseBinding, type BindingArgs } from "./binding";

/** Settings of the self-hosted (Postfix + Dovecot + SQL) binding (from its schema). */
export type SelfHostedArgs = BindingArgs<typeof selfHostedDefinition>;

const dkimShim: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return { inputs: news, failures: [] };
  },
  async diff(_id, olds, news) {
    const replace = olds.selector !== news.selector;
    return { changes: replace, replaces: replace ? ["selector"] : [], deleteBeforeReplace: false };
  },
  async create(inputs) {
    const pair = require("@mailplane/pulumi/runtime").generateDkimKeyPair(inputs.selector);
    return {
      id: inputs.selector,
      outs: {
        selector: pair.selector,
        publicKey: pair.publicKey,
        privateKeyPem: pair.privateKeyPem,
      },
    };
  },
};

/**
 * One DKIM key pair generated at create and kept in state: `privateKeyPem` is a secret output,
 * `publicKey` goes into the `<selector>._domainkey` TXT record. A new selector makes a new key.
 */
export class DkimKey extends pulumi.dynamic.Resource {
  declare public readonly selector: pulumi.Output<string>;
  declare public readonly publicKey: pulumi.Output<string>;
  declare public readonly privateKeyPem: pulumi.Output<string>;

  constructor(name: string, args: { selector: string }, opts?: pulumi.CustomResourceOptions) {
    super(
      dkimShim,
      name,
      { selector: args.selector, publicKey: undefined, privateKeyPem: undefined },
      { ...opts, additionalSecretOutputs: ["privateKeyPem"] },
      "mailplane",
      "DkimKey",
    );
  }
}

/** The binding `providers.selfHosted` returns, with the DKIM keys it created. */
export interface SelfHostedBinding extends MailProviderBinding {
  /** DKIM keys by selector, once MailDomain asked for the DNS facts. */
  readonly dkimKeys: Record<string, DkimKey>;
}

/**
 * Puts a domain's accounts on your own Postfix + Dovecot server through their SQL store
 * (PostfixAdmin-compatible tables). Accounts go through the Mailbox/Alias/MailGroup resources;
 * the provider process reaches the store from the flat `apiUrl` locator (`sqlite:///path`,
 * `postgresql://user@host/db` or `postgresql+env://MAILPLANE_PG_URL`). The Postfix and Dovecot
 * configuration for the store comes from `mailServerConfig` in `@mailplane/providers`.
 *
 * @example
 * new MailDomain("acme", {
 *   domain: "acme.com",
 *   dns: dns.powerDns({ apiUrl: "http://ns1.internal:8081" }),
 *   provider: providers.selfHosted({ store: sqlite({ path: "/var/lib/mailplane/mail.sqlite" }), mx: "mx.acme.com" }),
 * });
 */
export function selfHosted(input: SelfHostedArgs): SelfHostedBinding {
  const parsed = parseBinding(selfHostedDefinition, input);
  const { args } = parsed;
  const selector = checkDkimSelector(args.dkim?.selector ?? "mail");
  const selectors = [
    ...new Set([selector, ...(args.dkim?.keepSelectors ?? []).map(checkDkimSelector)]),
  ];
  const dkimKeys: Record<string, DkimKey> = {};
  // The same facts for the domain and its aliases; the DKIM keys are created once.
  const factsFor = (domain: string, scope: AccountScope): DnsFactsInput => {
    for (const s of selectors) {
      dkimKeys[s] ??= new DkimKey(
        `${scope.name}-dkim-${s}`,
        { selector: s },
        { parent: scope.parent },
      );
    }
    // Plain facts with the DKIM values pending: the keys are generated at `up`, but the
    // records (named by selector) are registered now and show in the first preview.
    return {
      ...selfHostedDefinition.dnsFacts!(args, domain),
      dkim: selectors.map((s) => ({
        selector: s,
        type: "TXT" as const,
        value: dkimKeys[s]!.publicKey.apply(dkimTxtValue),
      })),
    };
  };
  return {
    ...genericBinding(selfHostedDefinition, parsed),
    dkimKeys,
    dnsFacts: (domain: string, scope: AccountScope): DnsFactsInput => factsFor(domain, scope),
    // The server signs a domain alias's mail with the same DKIM keys: the alias zone publishes
    // them under the same selectors, next to the same MX, SPF and client discovery.
    aliasDnsFacts: (aliasDomain: string, scope: AccountScope): DnsFactsInput =>
      factsFor(aliasDomain, scope),
  };
}
export { postgres, sqlite } from "@mailplane/providers";
