import * as pulumi from "@pulumi/pulumi";
import {
  buildMtaStsPolicy,
  checkExtraRecords,
  spfLookupLimitProblem,
  formatZodIssues,
  mailDomainSchema,
  MailplaneConfigError,
  normalizeHostname,
  planDnsRecords,
  zodErrorMap,
  type DnsFacts,
  type DnsRecord,
  type MailDomainSpec,
  type PolicyInput,
} from "@mailplane/core";
import type { DnsBackend, DnsRecordInput } from "./dns/backend";
import type { DnsFactsInput } from "./provider-binding";
import type { SendingBinding } from "./sending/binding";

/** Arguments of {@link MailDnsRecords}. */
export interface MailDnsRecordsArgs {
  /** The mail domain, e.g. `acme.com` (Unicode or punycode). */
  domain: string;
  /**
   * Domains that receive mail like `domain` (their MX and SPF are published too).
   * @default []
   */
  domainAliases?: string[];
  /**
   * SPF, DMARC, DKIM, MTA-STS, TLS-RPT, client discovery and TTL, as in `MailDomainArgs.policy`.
   * @default SPF `~all`, no DMARC
   */
  policy?: PolicyInput;
  /** Where the records are published: `dns.cloudflare(...)`, `dns.route53(...)`, `dns.zoneFile(...)`. */
  dns: DnsBackend;
  /**
   * What the mail provider requires (MX set, SPF include, DKIM, verification), e.g. from a
   * provider binding's `dnsFacts` or written by hand for a provider Mailplane does not manage.
   * Values unknown until deployment (a DKIM key another resource generates) may be Outputs
   * inside plain facts: the records are still created at construction and show in the preview.
   */
  facts: DnsFactsInput | pulumi.Input<DnsFacts>;
  /**
   * Facts for each domain alias (its own DKIM keys and verification codes), by alias domain.
   * @default none: an alias gets the main facts' MX, SPF and client discovery, no DKIM
   */
  aliasFacts?: Record<string, DnsFactsInput | pulumi.Input<DnsFacts>>;
  /**
   * A sending service whose identity and records are created too, e.g. `ses({ region })`.
   * @default none
   */
  sending?: SendingBinding;
  /**
   * Further records published with the plan (e.g. a web host's A record). A record that
   * duplicates or contradicts a planned one (a second SPF, a second MX set) is an error.
   * @default []
   */
  records?: DnsRecordInput[];
}

/** Everything {@link publishMailDns} created and planned. */
export interface PublishedMailDns {
  /** Every record published, normalised (TXT unencoded), sorted by name, type and value. */
  records: pulumi.Output<DnsRecord[]>;
  /**
   * The DNS children by child name. Filled at construction for plain facts (even with Output
   * values); once the facts are known when the whole facts are an Output.
   */
  recordResources: Record<string, pulumi.Resource>;
  /** The sending service's children by child name. */
  sendingResources: Record<string, pulumi.Resource>;
  /** MX hosts of the domain, by preference. */
  mxHosts: pulumi.Output<string[]>;
  /** The domain's SPF record, when one is planned. */
  spf: pulumi.Output<string | undefined>;
  /** The domain's DMARC record, when one is planned. */
  dmarc: pulumi.Output<string | undefined>;
  /** The MTA-STS policy file to serve at `https://mta-sts.<domain>/.well-known/mta-sts.txt`. */
  mtaStsPolicy: pulumi.Output<string | undefined>;
}

/** What {@link publishMailDns} needs. */
export interface PublishMailDnsOptions {
  /** Prefix of every child name. */
  name: string;
  /** Parent of every child. */
  parent: pulumi.Resource;
  /** The parsed declaration. */
  spec: MailDomainSpec;
  /** The mail provider's DNS facts; plain facts may hold Outputs as values. */
  facts: DnsFactsInput | pulumi.Input<DnsFacts>;
  /** Where to publish. */
  dns: DnsBackend;
  /** Optional sending service. */
  sending?: SendingBinding;
  /** Records from elsewhere (the user's own, the account binding's extras). */
  extraRecords?: DnsRecordInput[];
  /**
   * The provider's facts for each domain alias (its DKIM keys, verification), by alias domain.
   * An alias without an entry gets the main facts' MX, SPF and client discovery only.
   */
  aliasFacts?: Record<string, DnsFactsInput | pulumi.Input<DnsFacts>>;
}

/**
 * Plans the domain's records with core's `planDnsRecords`, adds the sending service's records
 * and the extra records, checks them for conflicts, and creates the DNS backend's children.
 * Used by MailDnsRecords and MailDomain (so both name children the same way).
 */
export function publishMailDns(o: PublishMailDnsOptions): PublishedMailDns {
  const sending = o.sending?.create(o.spec.domain, { name: o.name, parent: o.parent });
  const extra = [...(sending?.records ?? []), ...(o.extraRecords ?? [])];
  const scope = {
    name: o.name,
    parent: o.parent,
    domain: o.spec.domain,
    domainAliases: o.spec.domainAliases,
  };
  const recordResources: Record<string, pulumi.Resource> = {};

  const aliasInputs = o.aliasFacts ?? {};
  const plan = (facts: DnsFacts, aliasFacts: Record<string, DnsFacts>): DnsRecord[] => {
    const withSending: DnsFacts = {
      ...facts,
      spfInclude: [...facts.spfInclude, ...(sending?.spfInclude ?? [])],
    };
    const planned = planDnsRecords(o.spec, withSending, { aliasFacts });
    checkExtraRecords(
      o.spec.domain,
      facts.provider,
      planned,
      extra.map((r) => ({
        role: r.role,
        type: r.type,
        ...(typeof r.name === "string" ? { name: r.name } : {}),
        ...(typeof r.value === "string" ? { value: r.value } : {}),
        ...(typeof r.priority === "number" ? { priority: r.priority } : {}),
      })),
    );
    return planned;
  };
  const publish = (planned: DnsRecord[]): void => {
    Object.assign(recordResources, o.dns.createRecords([...planned, ...extra], scope));
  };

  let planned: pulumi.Output<DnsRecord[]>;
  let mxHosts: pulumi.Output<string[]>;
  let find: (pick: (r: DnsRecord) => boolean) => pulumi.Output<DnsRecord | undefined>;
  if (isPlain<DnsFactsInput>(o.facts) && Object.values(aliasInputs).every(isPlain)) {
    // Values unknown until deployment become placeholders for planning, so the children exist
    // from construction (the first preview shows them) under their role-derived names; each
    // record holding a placeholder gets an Output value with the real value substituted.
    const { facts, pending } = withPlaceholders(o.facts);
    const aliasFacts: Record<string, DnsFacts> = {};
    for (const [alias, input] of Object.entries(aliasInputs)) {
      const w = withPlaceholders(input as DnsFactsInput, `${alias}-`);
      aliasFacts[alias] = w.facts;
      for (const [token, value] of w.pending) pending.set(token, value);
    }
    const p = plan(facts, aliasFacts);
    const resolved = p.map((r) => substitute(r, pending));
    Object.assign(
      recordResources,
      o.dns.createRecords([...resolved.map((x) => x.input), ...extra], scope),
    );
    planned = pulumi.all(resolved.map((x) => x.record));
    mxHosts = pulumi.output(mxHostsOf(p, o.spec.domain));
    // A record found by its planned shape: known at preview unless its own value is pending.
    find = (pick) => {
      const i = p.findIndex(pick);
      return i < 0 ? pulumi.output(undefined) : resolved[i]!.record;
    };
  } else {
    // Provider-assigned facts (e.g. Cloudflare's MX set) are read during preview; the records
    // are created once they are known and keep their role-derived names.
    // The domain aliases' facts are awaited with them.
    planned = pulumi
      .all([pulumi.output(o.facts as pulumi.Input<DnsFacts>), pulumi.output(aliasInputs)])
      .apply(([facts, aliasFacts]) => {
        const p = plan(facts as DnsFacts, aliasFacts as Record<string, DnsFacts>);
        publish(p);
        return p;
      });
    mxHosts = planned.apply((rs) => mxHostsOf(rs, o.spec.domain));
    find = (pick) => planned.apply((rs) => rs.find(pick));
  }

  const records = pulumi
    .all([planned, pulumi.output(extra)])
    .apply(([p, e]) => sortRecords([...p, ...(e as DnsRecord[])]));
  const apex = (type: string, prefix: string, name = o.spec.domain) =>
    find((r) => r.name === name && r.type === type && r.value.startsWith(prefix));
  const sts = o.spec.policy.mtaSts;
  return {
    records,
    recordResources,
    sendingResources: sending?.resources ?? {},
    mxHosts,
    spf: apex("TXT", "v=spf1").apply((r) => r?.value),
    dmarc: apex("TXT", "v=DMARC1", `_dmarc.${o.spec.domain}`).apply((r) => r?.value),
    mtaStsPolicy: mxHosts.apply((hosts) =>
      sts ? buildMtaStsPolicy(hosts, sts.mode, sts.maxAge).text : undefined,
    ),
  };
}

function isPlain<T>(v: unknown): v is T {
  return !pulumi.Output.isInstance(v) && !(v instanceof Promise);
}

function mxHostsOf(rs: DnsRecord[], domain: string): string[] {
  return rs
    .filter((r) => r.name === domain && r.type === "MX")
    .sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0) || a.value.localeCompare(b.value))
    .map((r) => r.value);
}

/** A value unknown until deployment, and how the planner would have normalised it. */
interface Pending {
  value: pulumi.Output<string>;
  normalise: (v: string) => string;
}

/**
 * Replaces every Output (or Promise) value of `facts` with a placeholder that core's planner
 * keeps as it is: lower-case, no spaces, no trailing dot, a valid host name under the reserved
 * `.invalid` TLD (RFC 2606), named by the value's place in the facts (so a verification
 * record's role, derived from its value, is stable) and by `prefix` (a domain alias's facts).
 * Returns plain facts and the placeholders.
 */
function withPlaceholders(
  input: DnsFactsInput,
  prefix = "",
): {
  facts: DnsFacts;
  pending: Map<string, Pending>;
} {
  const pending = new Map<string, Pending>();
  const lower = (v: string) => v.toLowerCase().replace(/\.$/, "");
  const same = (v: string) => v;
  const leaf = (
    v: pulumi.Input<string>,
    where: string,
    normalise: (v: string) => string,
  ): string => {
    if (typeof v === "string") return v;
    if (!pulumi.Output.isInstance(v) && !(v instanceof Promise)) return v;
    const token = `mailplane-pending-${prefix}${where}.invalid`;
    pending.set(token, { value: pulumi.output(v), normalise });
    return token;
  };
  const { clientDiscovery: cd, spfTerms: _terms, ...rest } = input;
  const facts: DnsFacts = {
    ...rest,
    spfInclude: input.spfInclude.map((v, i) => leaf(v, `spf-include-${i}`, lower)),
    ...(input.spfTerms
      ? { spfTerms: input.spfTerms.map((v, i) => leaf(v, `spf-term-${i}`, same)) }
      : {}),
    dkim: input.dkim.map((k, i) => ({
      ...k,
      value: leaf(k.value, `dkim-${i}`, k.type === "CNAME" ? normalizeHostname : same),
    })),
    verification: input.verification.map((v, i) => leaf(v, `verification-${i}`, same)),
  };
  if (cd) {
    const { autodiscover, autoconfig, ...endpoints } = cd;
    facts.clientDiscovery = {
      ...endpoints,
      ...(autodiscover === undefined
        ? {}
        : { autodiscover: leaf(autodiscover, "autodiscover", normalizeHostname) }),
      ...(autoconfig === undefined
        ? {}
        : { autoconfig: leaf(autoconfig, "autoconfig", normalizeHostname) }),
    };
  }
  return { facts, pending };
}

/**
 * A planned record whose value may hold placeholders: the backend's input (value an Output
 * with the real values substituted) and the resolved normalised record. An SPF record is
 * checked again against the lookup limit once its pending terms are known.
 */
function substitute(
  r: DnsRecord,
  pending: Map<string, Pending>,
): { input: DnsRecordInput; record: pulumi.Output<DnsRecord> } {
  const tokens = [...pending.keys()].filter((t) => r.value.includes(t));
  if (tokens.length === 0) return { input: r, record: pulumi.output(r) };
  const value = pulumi.all(tokens.map((t) => pending.get(t)!.value)).apply((values) => {
    let v = r.value;
    tokens.forEach((t, i) => {
      v = v.split(t).join(pending.get(t)!.normalise(values[i]!));
    });
    const problem =
      r.type === "TXT"
        ? spfLookupLimitProblem(r.name, v, " once its provider values are known")
        : undefined;
    if (problem !== undefined) throw new Error(problem);
    return v;
  });
  return { input: { ...r, value }, record: value.apply((v) => ({ ...r, value: v })) };
}

function sortRecords(rs: DnsRecord[]): DnsRecord[] {
  const key = (r: DnsRecord) =>
    `${r.name} ${r.type} ${String(r.priority ?? 0).padStart(5, "0")} ${r.value}`;
  return [...rs].sort((a, b) => key(a).localeCompare(key(b)));
}

/**
 * The DNS half of a mail domain on its own, for users who keep mailboxes elsewhere: plans the
 * records from the provider's facts and the policy, and publishes them through a DNS backend.
 *
 * @example
 * new MailDnsRecords("acme", {
 *   domain: "acme.com",
 *   dns: dns.cloudflare({ zoneId }),
 *   facts: { provider: "google", mx: [{ priority: 1, host: "smtp.google.com" }],
 *            spfInclude: ["_spf.google.com"], dkim: [], verification: [] },
 *   policy: { dmarc: { policy: "reject" } },
 * });
 */
export class MailDnsRecords extends pulumi.ComponentResource {
  /** Every record published, normalised. */
  public readonly records: pulumi.Output<DnsRecord[]>;
  /** MX hosts of the domain, by preference. */
  public readonly mxHosts: pulumi.Output<string[]>;
  /** The SPF record, when planned. */
  public readonly spf: pulumi.Output<string | undefined>;
  /** The DMARC record, when planned. */
  public readonly dmarc: pulumi.Output<string | undefined>;
  /** The MTA-STS policy file text, when `policy.mtaSts` is set. */
  public readonly mtaStsPolicy: pulumi.Output<string | undefined>;
  /** The DNS children by child name (`acme-mx`, `acme-dkim-google`…). */
  public readonly recordResources: Record<string, pulumi.Resource>;
  /** The sending service's children by child name. */
  public readonly sendingResources: Record<string, pulumi.Resource>;

  /** Plans and publishes the records. Bad arguments throw a `ResourceError` naming the path. */
  constructor(name: string, args: MailDnsRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mailplane:index:MailDnsRecords", name, {}, opts);
    let spec: MailDomainSpec;
    let published: PublishedMailDns;
    try {
      spec = parseDnsSpec(args);
      published = publishMailDns({
        name,
        parent: this,
        spec,
        facts: args.facts,
        dns: args.dns,
        sending: args.sending,
        extraRecords: args.records,
        ...(args.aliasFacts === undefined ? {} : { aliasFacts: args.aliasFacts }),
      });
    } catch (e) {
      throw new pulumi.ResourceError(`MailDnsRecords ${name}: ${(e as Error).message}`, this);
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

/**
 * Validates the DNS-only part of a declaration with core's schema (no accounts, so none of the
 * account cross-checks such as postmaster apply).
 */
function parseDnsSpec(args: MailDnsRecordsArgs): MailDomainSpec {
  const result = mailDomainSchema.safeParse(
    { domain: args.domain, domainAliases: args.domainAliases, policy: args.policy },
    { error: zodErrorMap, reportInput: true },
  );
  if (!result.success) throw new MailplaneConfigError(formatZodIssues(result.error.issues));
  return result.data;
}
