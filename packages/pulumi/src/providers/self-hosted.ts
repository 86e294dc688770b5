import * as pulumi from "@pulumi/pulumi";
import {
  checkDkimSelector,
  dkimTxtValue,
  mtaStsNginxSite,
  openDkimConfig,
  openDkimKeyFiles,
  selfHostedDefinition,
  signingSelectorAt,
  type MtaStsNginxSite,
  type MtaStsNginxSiteArgs,
  type OpenDkimConfig,
  type OpenDkimConfigArgs,
} from "@mailplane/providers";
import { pluginResourceOptions, typeToken } from "../resource-types";
import type { AccountScope, DnsFactsInput, MailProviderBinding } from "../provider-binding";
import { genericBinding, parseBinding, type BindingArgs } from "./binding";

/** Settings of the self-hosted (Postfix + Dovecot + SQL) binding (from its schema). */
export type SelfHostedArgs = BindingArgs<typeof selfHostedDefinition>;

/**
 * One DKIM key pair generated at create and kept in state: `privateKeyPem` is a secret output,
 * `publicKey` goes into the `<selector>._domainkey` TXT record. A new selector makes a new key.
 * `mailplane:index:DkimKey`, served by the `mailplane` provider plugin.
 */
export class DkimKey extends pulumi.CustomResource {
  declare public readonly selector: pulumi.Output<string>;
  declare public readonly publicKey: pulumi.Output<string>;
  declare public readonly privateKeyPem: pulumi.Output<string>;

  constructor(name: string, args: { selector: string }, opts?: pulumi.CustomResourceOptions) {
    super(
      typeToken("DkimKey"),
      name,
      { selector: args.selector, publicKey: undefined, privateKeyPem: undefined },
      pluginResourceOptions("DkimKey", opts, ["privateKeyPem"]),
    );
  }
}

/** Where OpenDKIM's files go and how it listens (the domains and keys come from the binding). */
export type SelfHostedSignerOptions = Omit<
  OpenDkimConfigArgs,
  "domains" | "selectors" | "signingSelector"
>;

/** OpenDKIM's configuration as stack outputs: plain files, and the key files as a secret. */
export interface SelfHostedSigner {
  /** The selector that signs now (`dkim.next.selector` from its `signFrom` on). */
  signingSelector: string;
  /** opendkim.conf, KeyTable, SigningTable, TrustedHosts by path (no key material). */
  files: Record<string, string>;
  /** Postfix `main.cf` parameters putting OpenDKIM in the mail path. */
  postfixMainCf: Record<string, string>;
  /** The private keys by path (PEM, write them mode 0600 owned by OpenDKIM's user). Secret. */
  keyFiles: pulumi.Output<Record<string, string>>;
}

/** The binding `providers.selfHosted` returns, with the DKIM keys it created. */
export interface SelfHostedBinding extends MailProviderBinding {
  /** DKIM keys by selector, once MailDomain asked for the DNS facts. */
  readonly dkimKeys: Record<string, DkimKey>;
  /** The selector that signs at the time the program runs. */
  readonly signingSelector: string;
  /**
   * OpenDKIM's configuration signing the domain's (and its aliases') mail with the signing
   * selector, every published selector in its KeyTable. Call it after `new MailDomain(...)`.
   * @example export const opendkim = binding.openDkim({ socket: { host: "127.0.0.1", port: 8891 } });
   */
  openDkim(options?: SelfHostedSignerOptions): SelfHostedSigner;
  /**
   * The nginx site serving a domain's MTA-STS policy at `https://mta-sts.<domain>`: the policy
   * file by path and the server block. Undefined while the domain has no `policy.mtaSts`.
   * @example export const mtaSts = binding.mtaStsSite(acme, { certificatePath, certificateKeyPath });
   */
  mtaStsSite(
    domain: { domain: string; mtaStsPolicy: pulumi.Output<string | undefined> },
    options: Omit<MtaStsNginxSiteArgs, "domain" | "policy">,
  ): pulumi.Output<MtaStsNginxSite | undefined>;
}

/** Options of `providers.selfHosted` that are not stack settings. */
export interface SelfHostedOptions {
  /** The time deciding which DKIM selector signs. @default the time the program runs */
  now?: Date;
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
export function selfHosted(
  input: SelfHostedArgs,
  options: SelfHostedOptions = {},
): SelfHostedBinding {
  const parsed = parseBinding(selfHostedDefinition, input);
  const { args } = parsed;
  const selector = checkDkimSelector(args.dkim?.selector ?? "mail");
  const next = args.dkim?.next;
  const selectors = [
    ...new Set([
      selector,
      ...(next === undefined ? [] : [checkDkimSelector(next.selector)]),
      ...(args.dkim?.keepSelectors ?? []).map(checkDkimSelector),
    ]),
  ];
  const signingSelector = signingSelectorAt(args.dkim, options.now ?? new Date());
  const dkimKeys: Record<string, DkimKey> = {};
  const domains: string[] = [];
  // The same facts for the domain and its aliases; the DKIM keys are created once.
  const factsFor = (domain: string, scope: AccountScope): DnsFactsInput => {
    if (!domains.includes(domain)) domains.push(domain);
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
  const openDkim = (signerOptions: SelfHostedSignerOptions = {}): SelfHostedSigner => {
    if (domains.length === 0) {
      throw new Error(
        "providers.selfHosted.openDkim: no domain yet; call it after new MailDomain(...) " +
          "with this binding as its provider",
      );
    }
    const config: OpenDkimConfig = openDkimConfig({
      ...signerOptions,
      domains,
      selectors,
      signingSelector,
    });
    // Secret because the keys are: state and `pulumi stack output` show them only encrypted.
    const keyFiles = pulumi.secret(
      pulumi
        .all(Object.fromEntries(selectors.map((s) => [s, dkimKeys[s]!.privateKeyPem])))
        .apply((keys) => openDkimKeyFiles(config, keys)),
    );
    return {
      signingSelector,
      files: config.files,
      postfixMainCf: config.postfixMainCf,
      keyFiles,
    };
  };
  return {
    ...genericBinding(selfHostedDefinition, parsed),
    dkimKeys,
    signingSelector,
    openDkim,
    mtaStsSite: (domain, siteOptions) =>
      domain.mtaStsPolicy.apply((policy) =>
        policy === undefined
          ? undefined
          : mtaStsNginxSite({ ...siteOptions, domain: domain.domain, policy }),
      ),
    dnsFacts: (domain: string, scope: AccountScope): DnsFactsInput => factsFor(domain, scope),
    // The server signs a domain alias's mail with the same DKIM keys: the alias zone publishes
    // them under the same selectors, next to the same MX, SPF and client discovery.
    aliasDnsFacts: (aliasDomain: string, scope: AccountScope): DnsFactsInput =>
      factsFor(aliasDomain, scope),
  };
}
export { postgres, sqlite } from "@mailplane/providers";
