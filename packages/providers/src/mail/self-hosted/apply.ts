import type { AccountPlan } from "@mailplane/core";
import type { SelfHostedProvider } from "./adapter";
import { mailplaneKinds } from "./schema";

/** What {@link applyAccountPlan} changed, as `create mailbox ali@acme.com` lines. */
export interface ApplyReport {
  changes: string[];
}

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);

/**
 * Makes a self-hosted store hold exactly a planned domain's accounts, through the adapter's
 * functions (the same calls the Pulumi resources make): the domain row, domain aliases, the
 * catch-all, mailboxes (created or updated; a mailbox no longer planned is suspended, never
 * deleted), aliases and groups (created, updated, or deleted when no longer planned).
 * Only what Mailplane created (rows with `mailplane_meta`) is suspended or deleted: rows that
 * were in the database before (a PostfixAdmin installation's `legacy@`) are left as they are
 * unless declared, which adopts them.
 * `passwords` are initial passwords by mailbox key, set when the mailbox is created.
 */
export async function applyAccountPlan(
  provider: SelfHostedProvider,
  plan: AccountPlan,
  passwords: Record<string, string> = {},
): Promise<ApplyReport> {
  const changes: string[] = [];
  const { domain } = plan;
  await provider.ensureDomain(domain);
  // The store the provider writes (its private accessor: the adapter is not changed for this).
  const kinds = await mailplaneKinds(await provider["store"](), domain);
  const created = (localPart: string, kind: string) => kinds.get(`${localPart}@${domain}`) === kind;
  const aliasDomains = await provider.listDomainAliases(domain);
  if (!same(aliasDomains, plan.domainAliases)) {
    await provider.setDomainAliases(domain, plan.domainAliases);
    changes.push(`set domain aliases of ${domain}: ${plan.domainAliases.join(", ") || "none"}`);
  }
  const catchAll = (await provider.getCatchAll(domain)) ?? [];
  if (!same(catchAll, plan.catchAll ?? [])) {
    await provider.setCatchAll(domain, plan.catchAll);
    changes.push(`set catch-all of ${domain}: ${(plan.catchAll ?? []).join(", ") || "none"}`);
  }

  const mailboxes = new Map((await provider.listMailboxes(domain)).map((m) => [m.localPart, m]));
  for (const m of plan.mailboxes) {
    const live = mailboxes.get(m.localPart);
    const forwardTo = m.offboard?.forwardTo ?? [];
    const suspended = m.suspended || m.offboard !== undefined;
    if (live === undefined) {
      await provider.createMailbox({
        domain,
        localPart: m.localPart,
        name: m.name,
        quotaMb: m.quotaMb,
        suspended,
        aliases: m.aliases,
        forwardTo,
        department: m.department,
        title: m.title,
        password: passwords[m.key],
      });
      changes.push(`create mailbox ${m.address}`);
      continue;
    }
    mailboxes.delete(m.localPart);
    const differs =
      live.name !== m.name ||
      live.quotaMb !== m.quotaMb ||
      live.suspended !== suspended ||
      !same(live.aliases, m.aliases) ||
      !same(live.forwardTo, forwardTo) ||
      (live.department ?? "") !== (m.department ?? "") ||
      (live.title ?? "") !== (m.title ?? "");
    if (differs) {
      await provider.updateMailbox(domain, m.localPart, {
        name: m.name,
        quotaMb: m.quotaMb,
        suspended,
        aliases: m.aliases,
        forwardTo,
        department: m.department ?? "",
        title: m.title ?? "",
      });
      changes.push(`update mailbox ${m.address}`);
    }
  }
  for (const live of mailboxes.values()) {
    if (live.suspended || !created(live.localPart, "mailbox")) continue;
    await provider.updateMailbox(domain, live.localPart, { suspended: true });
    changes.push(`suspend mailbox ${live.localPart}@${domain} (no longer declared; mail kept)`);
  }

  const aliases = new Map((await provider.listAliases(domain)).map((a) => [a.localPart, a]));
  for (const a of plan.aliases) {
    const live = aliases.get(a.localPart);
    aliases.delete(a.localPart);
    if (live === undefined) {
      await provider.createAlias({ domain, localPart: a.localPart, destinations: a.destinations });
      changes.push(`create alias ${a.address}`);
    } else if (!same(live.destinations, a.destinations)) {
      await provider.updateAlias(domain, a.localPart, a.destinations);
      changes.push(`update alias ${a.address}`);
    }
  }
  for (const live of aliases.values()) {
    if (!created(live.localPart, "alias")) continue; // not Mailplane's: never deleted
    await provider.deleteAlias(domain, live.localPart);
    changes.push(`delete alias ${live.localPart}@${domain}`);
  }

  const groups = new Map((await provider.listGroups(domain)).map((g) => [g.localPart, g]));
  for (const g of plan.groups) {
    const live = groups.get(g.localPart);
    groups.delete(g.localPart);
    if (live === undefined) {
      await provider.createGroup({
        domain,
        localPart: g.localPart,
        name: g.name,
        members: g.members,
      });
      changes.push(`create group ${g.address}`);
    } else if (live.name !== g.name || !same(live.members, g.members)) {
      await provider.updateGroup(domain, g.localPart, { name: g.name, members: g.members });
      changes.push(`update group ${g.address}`);
    }
  }
  for (const live of groups.values()) {
    await provider.deleteGroup(domain, live.localPart);
    changes.push(`delete group ${live.localPart}@${domain}`);
  }
  return { changes };
}
