import type { AccountPlan, PlannedAlias, PlannedGroup, PlannedMailbox } from "./account-plan";
import type { MailProviderCapabilities } from "./capabilities";
import { MailplaneConfigError, formatPath, showValue, type ConfigIssue } from "./errors";
import { buildIndex, resolveReference, type HandleEntry } from "./graph";
import type { MailDomainSpec, MailboxSpec } from "./spec";

/** Options of `planAccounts`. */
export interface PlanAccountsOptions {
  /** The moment to plan for: aliases whose `expires` date lies before its (UTC) day are left out. */
  now: Date;
  /**
   * What the provider can do: decides how `shared` addresses of kind `auto` and mailbox aliases
   * are realised.
   * @default every shared address an alias, mailbox aliases kept on their mailbox
   */
  capabilities?: MailProviderCapabilities;
}

/** A mailbox's settings after profile resolution: explicit field > profile > defaults. */
export interface MailboxSettings {
  quotaMb?: number;
  require2fa: boolean;
  changePasswordAtNextLogin: boolean;
  /** Explicit `suspended`, else true for an offboarded mailbox. */
  suspended: boolean;
}

/** Resolves a mailbox's settings: its own fields, then its profile's, then the defaults. */
export function resolveMailboxSettings(
  spec: MailDomainSpec,
  mailbox: MailboxSpec,
): MailboxSettings {
  const profile =
    mailbox.profile === undefined || !Object.hasOwn(spec.profiles, mailbox.profile)
      ? undefined
      : spec.profiles[mailbox.profile];
  const quotaMb = mailbox.quotaMb ?? profile?.quotaMb;
  return {
    ...(quotaMb === undefined ? {} : { quotaMb }),
    require2fa: mailbox.require2fa ?? profile?.require2fa ?? false,
    changePasswordAtNextLogin:
      mailbox.changePasswordAtNextLogin ?? profile?.changePasswordAtNextLogin ?? false,
    suspended: mailbox.suspended ?? mailbox.offboard !== undefined,
  };
}

/** How a `shared` address is realised. */
export type SharedRealisation = "alias" | "group" | "sharedMailbox";

/**
 * The primitive a shared address becomes: its explicit kind, or for `auto` the cheapest the
 * provider has (alias, else group, else shared mailbox; alias when capabilities are unknown or
 * the provider has none of them).
 */
export function resolveSharedKind(
  kind: "auto" | SharedRealisation,
  capabilities?: MailProviderCapabilities,
): SharedRealisation {
  if (kind !== "auto") return kind;
  if (capabilities === undefined || capabilities.standaloneAliases) return "alias";
  if (capabilities.groups) return "group";
  if (capabilities.sharedMailboxes) return "sharedMailbox";
  return "alias";
}

/** The UTC calendar day of a moment, `YYYY-MM-DD`. */
function isoDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Plans the accounts that should exist at `now`: every handle resolved to a full address,
 * profiles applied, shared addresses realised by kind, postmaster/abuse as aliases.
 *
 * Expiry: an alias whose `expires` day has passed is left out with a notice, and so is every
 * reference to it (a group member, an alias target, a forward). If that leaves an alias, group,
 * shared address, forward, role address or catch-all with no destination, planning fails with a
 * `MailplaneConfigError`: mail to it would be lost. Expiry is judged here, not at parse time,
 * because only planning knows `now`.
 *
 * The spec should come from `parseMailDomain`; references it could not resolve fail here too.
 */
export function planAccounts(spec: MailDomainSpec, options: PlanAccountsOptions): AccountPlan {
  const today = isoDay(options.now);
  const caps = options.capabilities;
  const index = buildIndex(spec);
  const catchAll = spec.catchAll !== undefined;
  const notices: string[] = [];
  const errors: ConfigIssue[] = [];

  const expiredOn = (e: HandleEntry): string | undefined => {
    if (e.kind !== "alias") return undefined;
    const expires = spec.aliases[e.key]!.expires;
    return expires !== undefined && expires < today ? expires : undefined;
  };

  /**
   * Resolves references to unique addresses, dropping expired ones with a notice. When every
   * reference was dropped as expired, records that the list delivers nowhere.
   */
  const resolve = (
    base: PropertyKey[],
    refs: readonly string[],
    what: string,
    externalRefs: readonly string[] = [],
  ): string[] => {
    const out: string[] = [];
    let expiredCount = 0;
    const sites = [
      ...refs.map((ref, i) => ({ ref, path: formatPath([...base, i]) })),
      ...externalRefs.map((ref, i) => ({
        ref,
        path: formatPath([...base.slice(0, -1), "externalMembers", i]),
      })),
    ];
    sites.forEach(({ ref, path }) => {
      const r = resolveReference(index, ref, catchAll);
      if (r.kind === "unknown") {
        errors.push({
          path,
          message: `${showValue(ref)} is not a declared handle or address (got ${showValue(ref)}; allowed: a key of mailboxes, shared, aliases or groups, or a full address containing "@")`,
        });
        return;
      }
      if (r.kind === "entry") {
        const expired = expiredOn(r.entry);
        if (expired !== undefined) {
          notices.push(`${path}: ${showValue(ref)} expired on ${expired}; left out of ${what}`);
          expiredCount++;
          return;
        }
      }
      if (!out.includes(r.address)) out.push(r.address);
    });
    if (sites.length > 0 && expiredCount === sites.length) {
      errors.push({
        path: formatPath(base),
        message: `delivers nowhere once expired addresses are left out (got ${showValue(sites.map((s) => s.ref))}; allowed: at least one destination that has not expired)`,
      });
    }
    return out;
  };

  const mailboxes: PlannedMailbox[] = [];
  const aliases: PlannedAlias[] = [];
  const groups: PlannedGroup[] = [];
  const mailboxAliasesAsAliases = caps !== undefined && caps.aliasesPerMailbox === 0;
  const address = (lp: string) => `${lp}@${spec.domain}`;

  for (const [key, m] of Object.entries(spec.mailboxes)) {
    const localPart = (m.localPart ?? key).toLowerCase();
    const settings = resolveMailboxSettings(spec, m);
    const extra = m.aliases.map((a) => a.toLowerCase());
    const planned: PlannedMailbox = {
      key,
      localPart,
      address: address(localPart),
      name: m.name,
      ...(m.givenName === undefined ? {} : { givenName: m.givenName }),
      ...(m.familyName === undefined ? {} : { familyName: m.familyName }),
      ...(m.department === undefined ? {} : { department: m.department }),
      ...(m.title === undefined ? {} : { title: m.title }),
      ...(m.profile === undefined ? {} : { profile: m.profile }),
      ...settings,
      aliases: mailboxAliasesAsAliases ? [] : extra,
      onDelete: m.onDelete,
      allowRecreate: m.allowRecreate,
      ...(m.recoveryEmail === undefined ? {} : { recoveryEmail: m.recoveryEmail }),
      shared: false,
    };
    if (m.offboard !== undefined) {
      const refs = m.offboard.forwardTo ?? [];
      const base = ["mailboxes", key, "offboard", "forwardTo"];
      const forwardTo = resolve(base, refs, "the forward");
      planned.offboard = {
        forwardTo,
        ...(m.offboard.keepUntil === undefined ? {} : { keepUntil: m.offboard.keepUntil }),
      };
      if (m.offboard.keepUntil !== undefined && m.offboard.keepUntil < today) {
        notices.push(
          `${formatPath(["mailboxes", key])}: kept until ${m.offboard.keepUntil}, which has passed; ` +
            `to delete it, set onDelete: "delete" and remove it from code`,
        );
      }
    }
    mailboxes.push(planned);
    if (mailboxAliasesAsAliases) {
      for (const lp of extra) {
        aliases.push({
          key: `${key}/${lp}`,
          localPart: lp,
          address: address(lp),
          destinations: [planned.address],
          source: "mailboxAlias",
        });
      }
    }
  }

  for (const [key, s] of Object.entries(spec.shared)) {
    const localPart = (s.localPart ?? key).toLowerCase();
    const members = resolve(
      ["shared", key, "members"],
      s.members,
      "the members",
      s.externalMembers,
    );
    const kind = resolveSharedKind(s.kind, caps);
    if (kind === "alias") {
      aliases.push({
        key,
        localPart,
        address: address(localPart),
        destinations: members,
        source: "shared",
      });
    } else if (kind === "group") {
      groups.push({
        key,
        localPart,
        address: address(localPart),
        name: s.name ?? key,
        members,
        ...(s.allowSenders === undefined ? {} : { allowSenders: s.allowSenders }),
        source: "shared",
      });
    } else {
      mailboxes.push({
        key,
        localPart,
        address: address(localPart),
        name: s.name ?? key,
        suspended: false,
        changePasswordAtNextLogin: false,
        require2fa: false,
        aliases: [],
        onDelete: "suspend",
        allowRecreate: false,
        shared: true,
        members,
      });
    }
  }

  for (const [key, a] of Object.entries(spec.aliases)) {
    const path = formatPath(["aliases", key]);
    if (a.expires !== undefined && a.expires < today) {
      notices.push(`${path}: expired on ${a.expires}; left out`);
      continue;
    }
    const localPart = (a.localPart ?? key).toLowerCase();
    const destinations = resolve(["aliases", key, "to"], a.to, "the destinations");
    aliases.push({
      key,
      localPart,
      address: address(localPart),
      destinations,
      ...(a.expires === undefined ? {} : { expires: a.expires }),
      source: "alias",
    });
  }

  for (const [key, g] of Object.entries(spec.groups)) {
    const localPart = (g.localPart ?? key).toLowerCase();
    const members = resolve(
      ["groups", key, "members"],
      g.members,
      "the members",
      g.externalMembers,
    );
    groups.push({
      key,
      localPart,
      address: address(localPart),
      name: g.name ?? key,
      members,
      ...(g.allowSenders === undefined ? {} : { allowSenders: g.allowSenders }),
      source: "group",
    });
  }

  for (const role of ["postmaster", "abuse"] as const) {
    const refs = spec[role];
    if (refs === undefined) continue;
    const destinations = resolve([role], refs, `${role}@`);
    aliases.push({
      key: role,
      localPart: role,
      address: address(role),
      destinations,
      source: role,
    });
  }

  let catchAllTargets: string[] | undefined;
  if (spec.catchAll !== undefined) {
    catchAllTargets = resolve(["catchAll"], spec.catchAll, "the catch-all");
  }

  if (errors.length > 0) throw new MailplaneConfigError(errors);
  return {
    domain: spec.domain,
    domainAliases: [...spec.domainAliases],
    mailboxes,
    aliases,
    groups,
    ...(catchAllTargets === undefined ? {} : { catchAll: catchAllTargets }),
    notices,
  };
}
