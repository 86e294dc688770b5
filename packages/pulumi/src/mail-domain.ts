import * as pulumi from "@pulumi/pulumi";
import {
  assertCapabilities,
  parseMailDomain,
  planAccounts,
  type AccountPlan,
  type AliasInput,
  type DnsFacts,
  type DnsRecord,
  type GroupInput,
  type MailboxInput,
  type PolicyInput,
  type ProfileInput,
  type SharedInput,
} from "@mailplane/core";
import type { DnsBackend, DnsRecordInput } from "./dns/backend";
import type { SendingBinding } from "./sending/binding";
import type { AccountChildren, DnsFactsInput, MailProviderBinding } from "./provider-binding";
import { publishMailDns } from "./mail-dns-records";

/** A mailbox as MailDomain takes it: core's mailbox plus a secret initial password. */
export type MailDomainMailbox = Omit<MailboxInput, "password"> & {
  /**
   * Initial password. Pass a Pulumi secret (`config.requireSecret(...)`): it goes only to the
   * provider binding, never into the plan, errors or plain state.
   * @default none (the provider's invitation or reset flow)
   */
  password?: pulumi.Input<string>;
};

/** Arguments of {@link MailDomain}. */
export interface MailDomainArgs {
  /** The mail domain, e.g. `acme.com` (Unicode or punycode; normalised to punycode). */
  domain: string;
  /**
   * Domains that deliver like `domain` (acme.co → acme.com).
   * @default []
   */
  domainAliases?: string[];
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
   * SPF, DMARC, DKIM, MTA-STS, TLS-RPT, client discovery and TTL. The provider's SPF include
   * is added for you.
   * @default SPF `~all`, no DMARC
   * @see https://www.rfc-editor.org/rfc/rfc7208
   */
  policy?: PolicyInput;
  /**
   * Named mailbox settings (`executive`, `staff`).
   * @default {}
   */
  profiles?: Record<string, ProfileInput>;
  /**
   * People's mailboxes by stable handle (an employee id works).
   * @default {}
   */
  mailboxes?: Record<string, MailDomainMailbox>;
  /**
   * Role addresses delivered to a team (info, sales, support).
   * @default {}
   * @see https://www.rfc-editor.org/rfc/rfc2142
   */
  shared?: Record<string, SharedInput>;
  /**
   * Aliases by local part: a destination, a list, or `{ to, expires }`.
   * @default {}
   */
  aliases?: Record<string, AliasInput>;
  /**
   * Distribution groups by handle.
   * @default {}
   */
  groups?: Record<string, GroupInput>;
  /** Where `postmaster@` goes (RFC 2142); required unless an address named postmaster exists. */
  postmaster?: string | string[];
  /**
   * Where `abuse@` goes (RFC 2142).
   * @default none (required like postmaster)
   */
  abuse?: string | string[];
  /**
   * Where mail to undeclared local parts goes.
   * @default none (rejected)
   */
  catchAll?: string | string[];
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

  /** Validates, plans and creates the children. Bad input throws a `ResourceError`. */
  constructor(name: string, args: MailDomainArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mailplane:index:MailDomain", name, {}, opts);
    const fail = (e: unknown): never => {
      throw new pulumi.ResourceError(`MailDomain ${name}: ${(e as Error).message}`, this);
    };

    // Passwords are secrets: they go to the binding only, never through the parser.
    const passwords: Record<string, pulumi.Input<string>> = {};
    const mailboxes: Record<string, MailboxInput> = {};
    for (const [key, mb] of Object.entries(args.mailboxes ?? {})) {
      const { password, ...rest } = mb;
      if (password !== undefined) passwords[key] = pulumi.secret(password);
      mailboxes[key] = rest;
    }

    const scope = { name, parent: this, passwords };
    let published: ReturnType<typeof publishMailDns>;
    try {
      const spec = parseMailDomain({
        domain: args.domain,
        domainAliases: args.domainAliases,
        policy: args.policy,
        profiles: args.profiles,
        mailboxes,
        shared: args.shared,
        aliases: args.aliases,
        groups: args.groups,
        postmaster: args.postmaster,
        abuse: args.abuse,
        catchAll: args.catchAll,
      });
      this.domain = spec.domain;
      assertCapabilities(spec, args.provider.capabilities, { provider: args.provider.kind });
      this.accountPlan = planAccounts(spec, {
        now: args.now ?? new Date(),
        capabilities: args.provider.capabilities,
      });
      this.accounts = args.provider.createAccounts(this.accountPlan, scope);
      const extra = [...(args.records ?? [])];
      let facts: DnsFactsInput | pulumi.Input<DnsFacts> = args.provider.dnsFacts(
        spec.domain,
        scope,
      );
      const accountRecords = this.accounts.extraRecords;
      if (Array.isArray(accountRecords)) {
        extra.push(...accountRecords);
      } else if (accountRecords !== undefined) {
        // Records whose set is known only later: the facts wait for them (and so do the children).
        facts = pulumi.all([facts, accountRecords]).apply(([f, more]) => ({
          ...(f as DnsFacts),
          extraRecords: [...((f as DnsFacts).extraRecords ?? []), ...(more as DnsRecord[])],
        }));
      }
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
        extraRecords: extra,
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
    });
  }
}
