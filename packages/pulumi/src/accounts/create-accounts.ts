import * as pulumi from "@pulumi/pulumi";
import {
  accountKindProblem,
  type AccountKind,
  type AccountPlan,
  type MailProviderCapabilities,
} from "@mailplane/core";
import type { AccountChildren, AccountScope } from "../provider-binding";
import { Alias } from "./alias";
import { CatchAll } from "./catch-all";
import { DomainAlias } from "./domain-alias";
import { MailGroup } from "./mail-group";
import { Mailbox } from "./mailbox";

/** Where account resources send their API calls. */
export interface AccountConnection {
  /** Provider kind the runtime knows, e.g. `migadu`. */
  mailProvider: string;
  /**
   * API base URL.
   * @default the vendor's endpoint
   */
  apiUrl?: pulumi.Input<string>;
  /**
   * The domain as the provider knows it.
   * @default the plan's domain
   */
  domain?: string;
  /**
   * What the provider can do. A plan with a catch-all or domain aliases the provider cannot
   * realise is refused (core's capability check refuses it earlier, at MailDomain).
   * @default not checked here (the runtime's check refuses them)
   */
  capabilities?: MailProviderCapabilities;
  /**
   * The provider maps a mailbox's profile to a setting of its own (its definition's
   * `readsProfiles`): mailboxes then carry their profile name.
   * @default false
   */
  profiles?: boolean;
}

/** The children {@link createAccountResources} created, with the domain-level settings. */
export interface AccountResources extends AccountChildren {
  /** The catch-all, when the plan has one. */
  catchAll?: CatchAll;
  /** Domain aliases by alias domain. */
  domainAliases: Record<string, DomainAlias>;
}

/**
 * Creates one `Mailbox`, `Alias` and `MailGroup` per planned account under `scope.parent`, named
 * `${name}-mailbox-${key}`, `${name}-alias-${key}`, `${name}-group-${key}`, plus the plan's
 * catch-all (`${name}-catch-all`) and one `DomainAlias` per alias domain
 * (`${name}-domain-alias-${aliasDomain}`). Stable keys: reordering never replaces anything. An
 * offboarded mailbox is suspended and forwards to its handles.
 */
export function createAccountResources(
  plan: AccountPlan,
  scope: AccountScope,
  conn: AccountConnection,
): AccountResources {
  const domain = conn.domain ?? plan.domain;
  const common = { mailProvider: conn.mailProvider, apiUrl: conn.apiUrl, domain };
  const opts = { parent: scope.parent };
  const caps = conn.capabilities;
  if (caps !== undefined) {
    // The plan's kinds the provider cannot realise, in core's one wording.
    const needed: Array<[AccountKind, string, boolean]> = [
      ["mailbox", "mailboxes", plan.mailboxes.length > 0],
      ["alias", "aliases", plan.aliases.length > 0],
      ["group", "groups", plan.groups.length > 0],
      ["catchAll", "catchAll", plan.catchAll !== undefined],
      ["domainAlias", "domainAliases", plan.domainAliases.length > 0],
    ];
    for (const [kind, field, present] of needed) {
      const problem = present ? accountKindProblem(kind, caps) : undefined;
      if (problem !== undefined) {
        const which = kind === "domainAlias" ? ` (${plan.domainAliases.join(", ")})` : "";
        throw new Error(`${field}: provider "${conn.mailProvider}" ${problem.message}${which}`);
      }
    }
  }
  const children: AccountResources = { mailboxes: {}, aliases: {}, groups: {}, domainAliases: {} };
  for (const a of plan.aliases) {
    children.aliases[a.key] = new Alias(
      `${scope.name}-alias-${a.key}`,
      { ...common, localPart: a.localPart, destinations: a.destinations, expires: a.expires },
      opts,
    );
  }
  // A mailbox's alias can become a standalone alias or a group (and back) only where the
  // provider realises both as the same forwarding address (Migadu, the self-hosted store): there
  // the new resource must take the address over before the mailbox drops it. Elsewhere a user
  // alias and a group are different objects (Google Workspace), or there are no mailbox aliases
  // at all (Microsoft 365): nothing to take over, and group members must exist before they are
  // added (Graph adds only users; Google would record a member it does not know yet as
  // external), so each group waits for its member mailboxes instead.
  const membersFirst =
    caps !== undefined && !(caps.aliasesPerMailbox > 0 && caps.standaloneAliases);
  const addGroups = (): void => {
    for (const g of plan.groups) {
      const members = membersFirst
        ? plan.mailboxes
            .filter((m) => g.members.includes(m.address))
            .map((m) => children.mailboxes[m.key]!)
        : [];
      children.groups[g.key] = new MailGroup(
        `${scope.name}-group-${g.key}`,
        {
          ...common,
          localPart: g.localPart,
          name: g.name,
          members: g.members,
          ...(g.allowSenders === undefined ? {} : { allowSenders: g.allowSenders }),
        },
        members.length > 0 ? { ...opts, dependsOn: members } : opts,
      );
    }
  };
  if (!membersFirst) addGroups();
  // An alias or group that delivers only to one mailbox may have been that mailbox's alias
  // before: the mailbox waits for it, so the new resource takes the address over before the
  // mailbox's update drops it (and leaves it alone, as claimed). The address never stops
  // delivering while it moves between kinds.
  const soleTargets = new Map<string, pulumi.Resource[]>();
  const waitOn = (targets: string[], resource: pulumi.Resource): void => {
    if (targets.length !== 1) return;
    soleTargets.set(targets[0]!, [...(soleTargets.get(targets[0]!) ?? []), resource]);
  };
  if (!membersFirst) {
    plan.aliases.forEach((a) => waitOn(a.destinations, children.aliases[a.key]!));
    plan.groups.forEach((g) => waitOn(g.members, children.groups[g.key]!));
  }
  for (const m of plan.mailboxes) {
    // A shared mailbox's readers are members of a group where the provider has no standalone
    // aliases (Google's collaborative inbox): like a group, it waits for their mailboxes.
    const readers =
      membersFirst && m.shared
        ? plan.mailboxes
            .filter((r) => (m.members ?? []).includes(r.address))
            .flatMap((r) => children.mailboxes[r.key] ?? [])
        : [];
    const waitFor = [...(soleTargets.get(m.address) ?? []), ...readers];
    children.mailboxes[m.key] = new Mailbox(
      `${scope.name}-mailbox-${m.key}`,
      {
        ...common,
        localPart: m.localPart,
        name: m.name,
        department: m.department,
        title: m.title,
        givenName: m.givenName,
        familyName: m.familyName,
        profile: conn.profiles === true ? m.profile : undefined,
        quotaMb: m.quotaMb,
        suspended: m.suspended || m.offboard !== undefined,
        changePasswordAtNextLogin: m.changePasswordAtNextLogin,
        require2fa: m.require2fa,
        aliases: m.aliases,
        forwardTo: m.offboard?.forwardTo ?? [],
        keepUntil: m.offboard?.keepUntil,
        recoveryEmail: m.recoveryEmail,
        onDelete: m.onDelete,
        allowRecreate: m.allowRecreate,
        shared: m.shared,
        members: m.shared ? [...(m.members ?? [])].sort() : undefined,
        password: scope.passwords[m.key],
      },
      waitFor.length > 0 ? { ...opts, dependsOn: waitFor } : opts,
    );
  }
  if (membersFirst) addGroups();
  if (plan.catchAll !== undefined && plan.catchAll.length > 0) {
    children.catchAll = new CatchAll(
      `${scope.name}-catch-all`,
      { mailProvider: conn.mailProvider, apiUrl: conn.apiUrl, domain, destinations: plan.catchAll },
      opts,
    );
  }
  for (const aliasDomain of plan.domainAliases) {
    children.domainAliases[aliasDomain] = new DomainAlias(
      `${scope.name}-domain-alias-${aliasDomain}`,
      { mailProvider: conn.mailProvider, apiUrl: conn.apiUrl, domain, aliasDomain },
      opts,
    );
  }
  return children;
}
