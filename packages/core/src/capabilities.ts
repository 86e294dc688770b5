import { resolveMailboxSettings, resolveSharedKind, type SharedRealisation } from "./accounts";
import { MailplaneConfigError, formatPath } from "./errors";
import { buildIndex, referenceSites, resolveReference } from "./graph";
import type { GroupSenders, MailboxSpec, MailDomainSpec, ProfileSpec } from "./spec";

/**
 * What a mail provider can do. Adapters declare it; `checkCapabilities` explains every
 * declared feature the provider cannot honour, with what to use instead.
 */
export interface MailProviderCapabilities {
  /** Real mailboxes (storage, login). False for forwarding-only services. */
  mailboxes: boolean;
  /** Extra addresses attached to a mailbox; 0 when unsupported, `Infinity` when unbounded. */
  aliasesPerMailbox: number;
  /** Addresses that forward to one or more destinations without a mailbox. */
  standaloneAliases: boolean;
  /** Distribution groups with members. */
  groups: boolean;
  /** Shared mailboxes (several people read one inbox). */
  sharedMailboxes: boolean;
  /** A mailbox can be suspended (no login, mail kept) instead of deleted. */
  suspend: boolean;
  /** Per-mailbox quota in MiB. */
  quota: boolean;
  /** The provider accepts an initial password. */
  passwords: boolean;
  /** The provider can force a password change at next login. */
  forceChangeAtLogin: boolean;
  /** The provider can enforce two-factor authentication per user. */
  require2fa: boolean;
  /** Aliases and groups may deliver to addresses outside the managed domains. */
  externalForward: boolean;
  /** A catch-all destination for unknown local parts. */
  catchAll: boolean;
  /** Domain aliases (acme.co delivers like acme.com). */
  domainAliases: boolean;
  /** A mailbox's address can be renamed in place, keeping its mail. */
  renameInPlace: boolean;
  /** Who may send to a group can be restricted (`allowSenders`, Exmail's `allow_type`). */
  groupSenders: boolean;
}

/** A declared feature the provider cannot honour, with what to use instead. */
export interface CapabilityProblem {
  /** Path of the declaration that needs the feature, e.g. `mailboxes.ali`. */
  path: string;
  /** The capability that is missing. */
  feature: keyof MailProviderCapabilities;
  /** What is unsupported and what to use instead (path not included). */
  message: string;
}

/** Options of `checkCapabilities`. */
export interface CheckCapabilitiesOptions {
  /**
   * The provider's id, named in messages (`provider "migadu"`).
   * @default "the mail provider"
   */
  provider?: string;
}

/** The settings of one mailbox whose support depends on the provider, as they will be applied. */
export interface MailboxSettingFlags {
  quotaMb?: number | undefined;
  suspended: boolean;
  /** Whether an initial password is given (its value never matters here). */
  password: boolean;
  changePasswordAtNextLogin: boolean;
  require2fa: boolean;
}

/** A setting of one mailbox the provider cannot honour. */
export interface MailboxSettingProblem {
  /** The mailbox field that asks for it. */
  field: keyof MailboxSettingFlags;
  /** The capability that is missing. */
  feature: keyof MailProviderCapabilities;
  /** What is unsupported and what to do instead, to follow the provider's name. */
  message: string;
}

/** The kinds of account a provider realises, each needing one capability. */
export type AccountKind = "mailbox" | "alias" | "group" | "catchAll" | "domainAlias";

/** The capability each kind of account needs. */
export const ACCOUNT_KIND_FEATURE: Readonly<Record<AccountKind, keyof MailProviderCapabilities>> = {
  mailbox: "mailboxes",
  alias: "standaloneAliases",
  group: "groups",
  catchAll: "catchAll",
  domainAlias: "domainAliases",
};

/**
 * Why the provider cannot realise an account of this kind, and what to declare instead (the
 * provider's name not included), or `undefined` when it can. The one wording that MailDomain's
 * check, the account resources and the runtime's `check` all use; the declaration's check adds
 * an example built from the declaration (`, e.g. aliases: { ... }`).
 */
export function accountKindProblem(
  kind: AccountKind,
  caps: MailProviderCapabilities,
): { feature: keyof MailProviderCapabilities; message: string } | undefined {
  const feature = ACCOUNT_KIND_FEATURE[kind];
  if (caps[feature]) return undefined;
  const message = {
    mailbox: caps.standaloneAliases
      ? "forwards only and has no mailboxes; declare the address as an alias to a mailbox elsewhere instead"
      : "has no mailboxes; use another provider",
    alias: caps.groups
      ? "has no standalone aliases; declare a group with the same members instead"
      : "has no standalone aliases; add the address to a mailbox's aliases or use another provider",
    group: caps.standaloneAliases
      ? "has no groups; declare an alias to the same members instead"
      : "has no groups; use another provider",
    catchAll: "has no catch-all; declare each address instead",
    domainAlias: "has no domain aliases; declare a separate MailDomain for each alias domain",
  }[kind];
  return { feature, message };
}

/**
 * The settings of one mailbox that the provider cannot honour, in field order. Used by
 * `checkCapabilities` for a whole declaration and by the `Mailbox` resource on its own inputs.
 */
export function mailboxSettingProblems(
  settings: MailboxSettingFlags,
  caps: MailProviderCapabilities,
): MailboxSettingProblem[] {
  const problems: MailboxSettingProblem[] = [];
  if (settings.quotaMb !== undefined && !caps.quota) {
    problems.push({
      field: "quotaMb",
      feature: "quota",
      message:
        "does not set mailbox quotas; remove quotaMb and manage quotas in the provider's admin console",
    });
  }
  if (settings.suspended && !caps.suspend) {
    problems.push({
      field: "suspended",
      feature: "suspend",
      message:
        'cannot suspend a mailbox; remove suspended, or set onDelete: "delete" and remove the mailbox from code',
    });
  }
  if (settings.password && !caps.passwords) {
    problems.push({
      field: "password",
      feature: "passwords",
      message:
        "does not accept initial passwords; remove password and let the person set one through the provider's invitation",
    });
  }
  if (settings.changePasswordAtNextLogin && !caps.forceChangeAtLogin) {
    problems.push({
      field: "changePasswordAtNextLogin",
      feature: "forceChangeAtLogin",
      message: "cannot force a password change at the next login; remove changePasswordAtNextLogin",
    });
  }
  if (settings.require2fa && !caps.require2fa) {
    problems.push({
      field: "require2fa",
      feature: "require2fa",
      message:
        "cannot enforce two-factor authentication per user; remove require2fa and enforce it in the provider's admin console",
    });
  }
  return problems;
}

/**
 * Why the provider cannot restrict who sends to a group (`allowSenders`), naming the value and
 * what to do instead (the provider's name not included), or `undefined` when it can. The one
 * wording MailDomain's check and the MailGroup resource's check use.
 */
export function groupSendersProblem(
  value: GroupSenders,
  caps: MailProviderCapabilities,
): string | undefined {
  if (caps.groupSenders) return undefined;
  return `cannot restrict who may send to a group (allowSenders: ${JSON.stringify(value)}); remove allowSenders and set it in the provider's admin console`;
}

/**
 * Explains every feature of a parsed declaration that the provider cannot honour, with what to
 * use instead. An empty list means the provider can realise the whole declaration.
 */
export function checkCapabilities(
  spec: MailDomainSpec,
  caps: MailProviderCapabilities,
  options: CheckCapabilitiesOptions = {},
): CapabilityProblem[] {
  const who =
    options.provider === undefined ? "the mail provider" : `provider "${options.provider}"`;
  const problems: CapabilityProblem[] = [];
  const add = (
    path: PropertyKey[] | string,
    feature: keyof MailProviderCapabilities,
    message: string,
  ) => {
    const p = typeof path === "string" ? path : formatPath(path);
    // A profile shared by several mailboxes is reported once.
    if (problems.some((x) => x.path === p && x.feature === feature)) return;
    problems.push({ path: p, feature, message: `${who} ${message}` });
  };
  const q = (s: string) => JSON.stringify(s);

  for (const [key, m] of Object.entries(spec.mailboxes)) {
    const localPart = (m.localPart ?? key).toLowerCase();
    const mailboxProblem = accountKindProblem("mailbox", caps);
    if (mailboxProblem !== undefined) {
      add(
        ["mailboxes", key],
        mailboxProblem.feature,
        mailboxProblem.message +
          (caps.standaloneAliases
            ? `, e.g. aliases: { ${/^[A-Za-z_$][\w$]*$/.test(localPart) ? localPart : q(localPart)}: "${key}@elsewhere.example" }`
            : ""),
      );
      continue;
    }
    const settings = resolveMailboxSettings(spec, m);
    const at = (field: keyof MailboxSpec & keyof ProfileSpec) =>
      m[field] === undefined && m.profile !== undefined
        ? ["profiles", m.profile, field]
        : ["mailboxes", key, field];
    const n = m.aliases.length;
    if (n > 0 && caps.aliasesPerMailbox === 0 && !caps.standaloneAliases) {
      add(
        ["mailboxes", key, "aliases"],
        "aliasesPerMailbox",
        caps.groups
          ? `cannot give a mailbox extra addresses; use groups with this mailbox as the only member, e.g. groups: { ${q(m.aliases[0]!)}: { members: [${q(key)}] } }`
          : "cannot give a mailbox extra addresses; remove aliases or use another provider",
      );
    } else if (n > caps.aliasesPerMailbox && caps.aliasesPerMailbox > 0) {
      add(
        ["mailboxes", key, "aliases"],
        "aliasesPerMailbox",
        `allows at most ${caps.aliasesPerMailbox} aliases per mailbox (got ${n}); ` +
          (caps.standaloneAliases
            ? `move the rest to aliases, e.g. aliases: { ${q(m.aliases[n - 1]!)}: ${q(key)} }`
            : "remove the rest"),
      );
    }
    for (const problem of mailboxSettingProblems(
      { ...settings, password: m.password !== undefined },
      caps,
    )) {
      if (problem.field === "suspended" && m.suspended === undefined) {
        add(
          ["mailboxes", key, "offboard"],
          "suspend",
          "cannot suspend a mailbox; set suspended: false to keep it active while it forwards, or use another provider",
        );
      } else if (problem.field === "password" || problem.field === "suspended") {
        add(["mailboxes", key, problem.field], problem.feature, problem.message);
      } else {
        add(at(problem.field), problem.feature, problem.message);
      }
    }
  }

  const alternatives = (except: SharedRealisation): string[] => {
    const out: string[] = [];
    if (except !== "alias" && caps.standaloneAliases) out.push('kind: "alias"');
    if (except !== "group" && caps.groups) out.push('kind: "group"');
    if (except !== "sharedMailbox" && caps.sharedMailboxes) out.push('kind: "sharedMailbox"');
    return out;
  };
  const SHARED_FEATURE = {
    alias: ["standaloneAliases", "has no standalone aliases"],
    group: ["groups", "has no groups"],
    sharedMailbox: ["sharedMailboxes", "has no shared mailboxes"],
  } as const;
  for (const [key, s] of Object.entries(spec.shared)) {
    if (s.kind === "auto") {
      if (!caps.standaloneAliases && !caps.groups && !caps.sharedMailboxes) {
        add(
          ["shared", key],
          "standaloneAliases",
          "has no aliases, groups or shared mailboxes for a shared address; use another provider",
        );
      }
      continue;
    }
    const [feature, what] = SHARED_FEATURE[s.kind];
    if (caps[feature]) continue;
    const alt = alternatives(s.kind);
    add(
      ["shared", key, "kind"],
      feature,
      `${what}; ${alt.length > 0 ? `use ${alt.join(" or ")}` : "use another provider"}`,
    );
  }

  const aliasProblem = accountKindProblem("alias", caps);
  if (aliasProblem !== undefined) {
    for (const [key, a] of Object.entries(spec.aliases)) {
      add(
        ["aliases", key],
        aliasProblem.feature,
        aliasProblem.message +
          (caps.groups
            ? `, e.g. groups: { ${q(key)}: { members: [${a.to.map(q).join(", ")}] } }`
            : ""),
      );
    }
    for (const role of ["postmaster", "abuse"] as const) {
      if (spec[role] === undefined) continue;
      add(
        [role],
        "standaloneAliases",
        `has no standalone aliases to route ${role}@; ` +
          (caps.aliasesPerMailbox > 0
            ? `remove ${role} and add "${role}" to a mailbox's aliases`
            : caps.groups
              ? `remove ${role} and declare groups: { ${role}: { members: [${spec[role].map(q).join(", ")}] } }`
              : `remove ${role} and declare a mailbox named ${role}`),
      );
    }
  }

  const groupProblem = accountKindProblem("group", caps);
  if (groupProblem !== undefined) {
    for (const [key, g] of Object.entries(spec.groups)) {
      const members = [...g.members, ...g.externalMembers].map(q).join(", ");
      add(
        ["groups", key],
        groupProblem.feature,
        groupProblem.message +
          (caps.standaloneAliases ? `, e.g. aliases: { ${q(key)}: [${members}] }` : ""),
      );
    }
  }

  if (groupProblem === undefined) {
    for (const [key, g] of Object.entries(spec.groups)) {
      const problem = g.allowSenders && groupSendersProblem(g.allowSenders, caps);
      if (problem) add(["groups", key, "allowSenders"], "groupSenders", problem);
    }
  }
  for (const [key, s] of Object.entries(spec.shared)) {
    if (s.allowSenders === undefined) continue;
    const kind = resolveSharedKind(s.kind, caps);
    if (kind !== "group") {
      add(
        ["shared", key, "allowSenders"],
        "groupSenders",
        `realises it as ${kind === "alias" ? "an alias" : "a shared mailbox"}, which cannot restrict who may send to it (allowSenders: ${q(s.allowSenders)}); allowed only with kind: "group", else remove allowSenders`,
      );
      continue;
    }
    const problem = groupSendersProblem(s.allowSenders, caps);
    if (problem) add(["shared", key, "allowSenders"], "groupSenders", problem);
  }

  const catchAllProblem = accountKindProblem("catchAll", caps);
  if (spec.catchAll !== undefined && catchAllProblem !== undefined) {
    add(["catchAll"], catchAllProblem.feature, catchAllProblem.message);
  }
  const domainAliasProblem = accountKindProblem("domainAlias", caps);
  if (spec.domainAliases.length > 0 && domainAliasProblem !== undefined) {
    add(
      ["domainAliases"],
      domainAliasProblem.feature,
      `${domainAliasProblem.message} (${spec.domainAliases.join(", ")})`,
    );
  }

  if (!caps.externalForward) {
    const index = buildIndex(spec);
    for (const site of referenceSites(spec)) {
      if (site.access) continue;
      const r = resolveReference(index, site.ref, spec.catchAll !== undefined);
      if (r.kind === "address" && r.external) {
        add(
          site.path,
          "externalForward",
          `cannot forward to addresses outside ${[spec.domain, ...spec.domainAliases].join(", ")}; remove ${q(r.address)} or use another provider`,
        );
      }
    }
  }
  return problems;
}

/** Like `checkCapabilities`, but throws a `MailplaneConfigError` listing every problem. */
export function assertCapabilities(
  spec: MailDomainSpec,
  caps: MailProviderCapabilities,
  options: CheckCapabilitiesOptions = {},
): void {
  const problems = checkCapabilities(spec, caps, options);
  if (problems.length > 0) {
    throw new MailplaneConfigError(problems.map(({ path, message }) => ({ path, message })));
  }
}
