import {
  planAccounts,
  type AccountPlan,
  type MailDomainSpec,
  type MailProviderCapabilities,
} from "@mailplane/core";
import type { AliasState, GroupState, MailboxState } from "@mailplane/providers";
import type { Finding } from "./findings";

/** What a provider holds for one domain, as its adapter's list methods return it. */
export interface LiveAccounts {
  mailboxes: MailboxState[];
  aliases: AliasState[];
  groups: GroupState[];
}

/** Inputs of {@link auditAccounts}. */
export interface AccountAuditInput {
  /** The parsed declaration (a MailDomain's `declaration.spec`). */
  spec: MailDomainSpec;
  /** The provider's capabilities (from the registry), as the deployment planned with them. */
  capabilities: MailProviderCapabilities;
  /** The audit's moment: expiry and retention dates are judged on its UTC day. */
  now: Date;
  live: LiveAccounts;
}

const sorted = (xs: readonly string[]) => [...xs].map((x) => x.toLowerCase()).sort();
const same = (a: readonly string[], b: readonly string[]) =>
  JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
const show = (v: unknown) =>
  v === undefined ? "(none)" : Array.isArray(v) ? `[${v.join(", ")}]` : JSON.stringify(v);

/**
 * Compares a domain's live accounts with its declaration, planned for `now`. Reports, once per
 * address: present but undeclared; declared but missing; suspended; an offboarded mailbox past
 * `keepUntil`; an alias past `expires` still live; drift of a declared field; 2FA not enforced
 * where the provider reports it. An address may be realised as another forwarding kind than
 * planned (Migadu keeps groups and mailbox aliases as aliases): alias, group and mailbox alias
 * compare by their destinations.
 */
export function auditAccounts(input: AccountAuditInput): Finding[] {
  const { spec, capabilities, now, live } = input;
  const plan: AccountPlan = planAccounts(spec, { now, capabilities });
  const domain = plan.domain;
  const today = now.toISOString().slice(0, 10);
  const findings: Finding[] = [];
  const add = (f: Omit<Finding, "domain">) => findings.push({ domain, ...f });

  const liveMailboxes = new Map(live.mailboxes.map((m) => [`${m.localPart}@${m.domain}`, m]));
  /** Forwarding addresses: standalone aliases and groups, by address. */
  const liveForwards = new Map<string, string[]>();
  for (const a of live.aliases) liveForwards.set(`${a.localPart}@${a.domain}`, a.destinations);
  for (const g of live.groups) liveForwards.set(`${g.localPart}@${g.domain}`, g.members);
  /** Mailbox aliases: address → the mailbox's address. */
  const liveMailboxAliases = new Map<string, string>();
  for (const m of live.mailboxes) {
    for (const lp of m.aliases) {
      liveMailboxAliases.set(`${lp}@${m.domain}`, `${m.localPart}@${m.domain}`);
    }
  }
  const accounted = new Set<string>();

  /** What a live address delivers to when it is a forwarding address of any kind. */
  const forwardOf = (address: string): string[] | undefined => {
    const f = liveForwards.get(address);
    if (f !== undefined) return f;
    const owner = liveMailboxAliases.get(address);
    return owner === undefined ? undefined : [owner];
  };

  // Local parts declared as aliases, groups or shared addresses (expired ones too): a provider
  // may list them among a mailbox's own aliases (Migadu keeps one-destination aliases and
  // mailbox aliases alike); they are compared (or reported expired) as what they are declared.
  const declaredForwards = new Set([
    ...plan.aliases.map((a) => a.localPart),
    ...plan.groups.map((g) => g.localPart),
    ...Object.entries(spec.aliases).map(([key, a]) => (a.localPart ?? key).toLowerCase()),
  ]);

  for (const m of plan.mailboxes) {
    accounted.add(m.address);
    const l = liveMailboxes.get(m.address);
    if (l === undefined) {
      add({
        severity: "error",
        kind: "missing",
        subject: m.address,
        message: `declared ${m.shared ? "shared mailbox" : "mailbox"} (mailboxes.${m.key}) does not exist at the provider`,
      });
      continue;
    }
    for (const lp of m.aliases) accounted.add(`${lp}@${domain}`);
    const fields: Array<[string, unknown, unknown, boolean]> = [
      ["name", m.name, l.name, true],
      ["quotaMb", m.quotaMb, l.quotaMb, m.quotaMb !== undefined && capabilities.quota],
      ["department", m.department, l.department, m.department !== undefined],
      ["title", m.title, l.title, m.title !== undefined],
      [
        "aliases",
        sorted(m.aliases),
        sorted(l.aliases.filter((a) => m.aliases.includes(a) || !declaredForwards.has(a))),
        capabilities.aliasesPerMailbox !== 0,
      ],
      [
        "forwardTo",
        sorted(m.offboard?.forwardTo ?? []),
        sorted(l.forwardTo),
        m.offboard !== undefined,
      ],
    ];
    for (const [field, declared, got, compare] of fields) {
      if (!compare || JSON.stringify(declared) === JSON.stringify(got)) continue;
      add({
        severity: "warning",
        kind: "drift",
        subject: m.address,
        message: `${field}: declared ${show(declared)}, live ${show(got)}`,
        declared: { [field]: declared },
        live: { [field]: got },
      });
    }
    if (l.suspended) {
      add({
        severity: m.suspended ? "info" : "warning",
        kind: "suspended",
        subject: m.address,
        message: m.suspended
          ? m.offboard !== undefined
            ? `suspended (offboarded${m.offboard.keepUntil === undefined ? "" : `, kept until ${m.offboard.keepUntil}`})`
            : "suspended, as declared"
          : "suspended at the provider, but declared active",
        declared: { suspended: m.suspended },
        live: { suspended: true },
      });
    } else if (m.suspended) {
      add({
        severity: "warning",
        kind: "drift",
        subject: m.address,
        message: "suspended: declared true, live false",
        declared: { suspended: true },
        live: { suspended: false },
      });
    }
    if (m.offboard?.keepUntil !== undefined && m.offboard.keepUntil < today) {
      add({
        severity: "warning",
        kind: "keepUntilPassed",
        subject: m.address,
        message: `kept until ${m.offboard.keepUntil}, which has passed; to delete it, set onDelete: "delete" on mailboxes.${m.key} and remove it from code`,
        declared: { keepUntil: m.offboard.keepUntil },
      });
    }
    const enforced = (l as MailboxState & { twoFactorEnforced?: boolean }).twoFactorEnforced;
    if (m.require2fa && enforced === false) {
      add({
        severity: "error",
        kind: "twoFactorNotEnforced",
        subject: m.address,
        message: "require2fa is declared, but the provider reports 2-step sign-in not enforced",
        declared: { require2fa: true },
        live: { twoFactorEnforced: false },
      });
    }
  }

  const forwards: Array<{ address: string; to: string[]; what: string }> = [
    ...plan.aliases.map((a) => ({
      address: a.address,
      to: a.destinations,
      what:
        a.source === "alias"
          ? `aliases.${a.key}`
          : a.source === "shared"
            ? `shared.${a.key}`
            : a.source === "mailboxAlias"
              ? `mailboxes.${a.key.split("/")[0]}.aliases`
              : a.source,
    })),
    ...plan.groups.map((g) => ({
      address: g.address,
      to: g.members,
      what: `${g.source === "group" ? "groups" : "shared"}.${g.key}`,
    })),
  ];
  for (const f of forwards) {
    accounted.add(f.address);
    const got = forwardOf(f.address);
    if (got === undefined) {
      add({
        severity: "error",
        kind: "missing",
        subject: f.address,
        message: `declared address (${f.what}) does not exist at the provider`,
      });
    } else if (!same(got, f.to)) {
      add({
        severity: "warning",
        kind: "drift",
        subject: f.address,
        message: `destinations: declared ${show(sorted(f.to))}, live ${show(sorted(got))}`,
        declared: { destinations: sorted(f.to) },
        live: { destinations: sorted(got) },
      });
    }
  }

  // Aliases the declaration still lists but whose date has passed: the last `up` should have
  // removed them (or none has run since).
  for (const [key, a] of Object.entries(spec.aliases)) {
    if (a.expires === undefined || a.expires >= today) continue;
    const address = `${(a.localPart ?? key).toLowerCase()}@${domain}`;
    const got = forwardOf(address);
    if (got === undefined) continue;
    accounted.add(address);
    add({
      severity: "error",
      kind: "aliasExpired",
      subject: address,
      message: `aliases.${key} expired on ${a.expires} but still delivers to ${show(sorted(got))}; run pulumi up to remove it`,
      declared: { expires: a.expires },
      live: { destinations: sorted(got) },
    });
  }

  const undeclared = new Map<string, string>();
  for (const [address, m] of liveMailboxes) {
    if (!accounted.has(address))
      undeclared.set(address, `mailbox "${m.name}"${m.suspended ? " (suspended)" : ""}`);
  }
  for (const address of [...liveForwards.keys(), ...liveMailboxAliases.keys()]) {
    if (accounted.has(address) || undeclared.has(address)) continue;
    const owner = liveMailboxAliases.get(address);
    if (owner !== undefined && accounted.has(owner) && !liveForwards.has(address)) {
      // An alias of a declared mailbox that the declaration does not list: drift of the
      // mailbox's aliases, reported there when the provider keeps aliases on mailboxes.
      if (capabilities.aliasesPerMailbox !== 0) continue;
    }
    undeclared.set(address, `forwards to ${show(sorted(forwardOf(address) ?? []))}`);
  }
  for (const [address, what] of undeclared) {
    add({
      severity: "warning",
      kind: "undeclared",
      subject: address,
      message: `present at the provider but not declared: ${what}`,
    });
  }
  return findings;
}
