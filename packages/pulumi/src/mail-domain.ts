import * as pulumi from "@pulumi/pulumi";
import {
  assertCapabilities,
  parseMailDomain,
  planAccounts,
  type AccountPlan,
  type DnsFacts,
  type DnsRecord,
  type MailboxInput,
  type MailDomainInput,
  type MailDomainSpec,
} from "@mailplane/core";
import type { DnsBackend, DnsRecordInput } from "./dns/backend";
import type { SendingBinding } from "./sending/binding";
import type { AccountChildren, DnsFactsInput, MailProviderBinding } from "./provider-binding";
import { publishMailDns } from "./mail-dns-records";

/** A MailDomain's `declaration` output: what `mailplane audit` compares the live domain with. */
export interface MailDomainDeclaration {
  format: "mailplane/declaration@1";
  /** The mail provider's id, e.g. `migadu`. */
  provider: string;
  /** The parsed declaration, without passwords. */
  spec: MailDomainSpec;
}

/** A mailbox as MailDomain takes it: core's mailbox plus a secret initial password. */
export type MailDomainMailbox = Omit<MailboxInput, "password"> & {
  /**
   * Initial password. Pass a Pulumi secret (`config.requireSecret(...)`): it goes only to the
   * provider binding, never into the plan, errors or plain state.
   * @default none (the provider's invitation or reset flow)
   */
  password?: pulumi.Input<string>;
};

/**
 * Arguments of {@link MailDomain}: the declaration exactly as core's schema takes it
 * (`MailDomainInput`, so a field added to the schema is a field here), with secret passwords on
 * mailboxes, plus what only the component knows: where DNS and accounts go.
 */
export interface MailDomainArgs extends Omit<MailDomainInput, "mailboxes"> {
  /**
   * People's mailboxes by stable handle (an employee id works).
   * @default {}
   */
  mailboxes?: Record<string, MailDomainMailbox>;
  /** Where the DNS records go: `dns.cloudflare(...)`, `dns.route53(...)`, `dns.zoneFile(...)`. */
  dns: DnsBackend;
  /** The mail provider, e.g. `providers.migadu(...)`, `providers.cloudflareEmailRouting(...)`. */
  provider: MailProviderBinding;
  /**
   * A sending service next to the provider, e.g. `ses({ region: "eu-west-1" })`.
   * @default none
   */
  sending?: SendingBinding;
  /**
   * Further DNS records published with the plan. A record that duplicates or contradicts a
   * planned one (a second SPF, another MX set) fails at preview.
   * @default []
   */
  records?: DnsRecordInput[];
  /**
   * The moment to plan for: aliases whose `expires` lies before it are left out.
   * @default the time the program runs
   */
  now?: Date;
}

/**
 * A mail domain: its DNS records, mailboxes, role addresses, aliases and groups, reconciled
 * through a mail provider binding and a DNS backend.
 *
 * Children: the DNS backend's records (`${name}-mx`, `${name}-spf`, `${name}-dkim-<selector>`,
 * `${name}-srv-imaps`…), the sending service's resources, and the provider binding's accounts.
 */
export class MailDomain extends pulumi.ComponentResource {
  /** The domain, normalised (lower-case punycode). */
  public readonly domain: string;
  /** Every DNS record it manages, normalised. */
  public readonly records: pulumi.Output<DnsRecord[]>;
  /** MX hosts of the domain, by preference. */
  public readonly mxHosts: pulumi.Output<string[]>;
  /** The SPF record, when planned. */
  public readonly spf: pulumi.Output<string | undefined>;
  /** The DMARC record, when planned. */
  public readonly dmarc: pulumi.Output<string | undefined>;
  /** The MTA-STS policy file text, to serve at `https://mta-sts.<domain>/.well-known/mta-sts.txt`. */
  public readonly mtaStsPolicy: pulumi.Output<string | undefined>;
  /** The DNS children by child name, to depend on single records. */
  public readonly recordResources: Record<string, pulumi.Resource>;
  /** The sending service's children by child name. */
  public readonly sendingResources: Record<string, pulumi.Resource>;
  /** The accounts the provider binding created. */
  public readonly accounts: AccountChildren;
  /** The planned accounts (no passwords). */
  public readonly accountPlan: AccountPlan;
  /**
   * What this domain declares, published in the stack's state for `mailplane audit`: the parsed
   * declaration (passwords never enter it) and the provider's id. Nothing secret.
   */
  public readonly declaration: MailDomainDeclaration;

  /** Validates, plans and creates the children. Bad input throws a `ResourceError`. */
  constructor(name: string, args: MailDomainArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mailplane:index:MailDomain", name, {}, opts);
    const fail = (e: unknown): never => {
      throw new pulumi.ResourceError(`MailDomain ${name}: ${(e as Error).message}`, this);
    };

    // Passwords are secrets: they go to the binding only, never through the parser. Everything
    // else but the component's own fields is the declaration, parsed whole: a field the schema
    // gains is never dropped here, and an unknown one is refused by name.
    const passwords: Record<string, pulumi.Input<string>> = {};
    const {
      dns: _dns,
      provider: _provider,
      sending: _sending,
      records: _records,
      now: _now,
      mailboxes: withPasswords,
      ...declaration
    } = args;
    const mailboxes: Record<string, MailboxInput> = Object.fromEntries(
      Object.entries(withPasswords ?? {}).map(([key, mb]) => {
        const { password, ...rest } = mb;
        if (password !== undefined) passwords[key] = pulumi.secret(password);
        return [key, rest];
      }),
    );

    const scope = { name, parent: this, passwords };
    let published: ReturnType<typeof publishMailDns>;
    try {
      const spec = parseMailDomain({ ...declaration, mailboxes });
      this.domain = spec.domain;
      this.declaration = { format: "mailplane/declaration@1", provider: args.provider.kind, spec };
      assertCapabilities(spec, args.provider.capabilities, { provider: args.provider.kind });
      this.accountPlan = planAccounts(spec, {
        now: args.now ?? new Date(),
        capabilities: args.provider.capabilities,
      });
      this.accounts = args.provider.createAccounts(this.accountPlan, scope);
      const facts: DnsFactsInput | pulumi.Input<DnsFacts> = args.provider.dnsFacts(
        spec.domain,
        scope,
      );
      // Facts of the domain aliases, from bindings that know them (a self-hosted server signs
      // their mail with its DKIM key, so the alias zones publish the same key).
      const aliasDnsFacts = args.provider.aliasDnsFacts?.bind(args.provider);
      const aliasFacts =
        aliasDnsFacts === undefined
          ? {}
          : Object.fromEntries(spec.domainAliases.map((a) => [a, aliasDnsFacts(a, scope)]));
      published = publishMailDns({
        name,
        parent: this,
        spec,
        facts,
        dns: args.dns,
        sending: args.sending,
        extraRecords: args.records ?? [],
        aliasFacts,
      });
    } catch (e) {
      fail(e);
      throw e; // unreachable: fail() throws
    }
    this.records = published.records;
    this.mxHosts = published.mxHosts;
    this.spf = published.spf;
    this.dmarc = published.dmarc;
    this.mtaStsPolicy = published.mtaStsPolicy;
    this.recordResources = published.recordResources;
    this.sendingResources = published.sendingResources;
    this.registerOutputs({
      records: this.records,
      mxHosts: this.mxHosts,
      spf: this.spf,
      dmarc: this.dmarc,
      mtaStsPolicy: this.mtaStsPolicy,
      declaration: this.declaration,
    });
  }
}
