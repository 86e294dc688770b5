import * as pulumi from "@pulumi/pulumi";
import type { AccountPlan } from "@mailplane/core";
import type { AccountChildren, AccountScope } from "../provider-binding";
import { Alias } from "./alias";
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
}

/**
 * Creates one `Mailbox`, `Alias` and `MailGroup` per planned account under `scope.parent`, named
 * `${name}-mailbox-${key}`, `${name}-alias-${key}`, `${name}-group-${key}` (stable keys: reordering
 * never replaces anything). An offboarded mailbox is suspended and forwards to its handles.
 */
export function createAccountResources(
  plan: AccountPlan,
  scope: AccountScope,
  conn: AccountConnection,
): AccountChildren {
  const domain = conn.domain ?? plan.domain;
  const common = { mailProvider: conn.mailProvider, apiUrl: conn.apiUrl, domain };
  const opts = { parent: scope.parent };
  const children: AccountChildren = { mailboxes: {}, aliases: {}, groups: {} };
  for (const m of plan.mailboxes) {
    children.mailboxes[m.key] = new Mailbox(
      `${scope.name}-mailbox-${m.key}`,
      {
        ...common,
        localPart: m.localPart,
        name: m.name,
        department: m.department,
        title: m.title,
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
        password: scope.passwords[m.key],
      },
      opts,
    );
  }
  for (const a of plan.aliases) {
    children.aliases[a.key] = new Alias(
      `${scope.name}-alias-${a.key}`,
      { ...common, localPart: a.localPart, destinations: a.destinations, expires: a.expires },
      opts,
    );
  }
  for (const g of plan.groups) {
    children.groups[g.key] = new MailGroup(
      `${scope.name}-group-${g.key}`,
      { ...common, localPart: g.localPart, name: g.name, members: g.members },
      opts,
    );
  }
  return children;
}
