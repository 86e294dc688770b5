import { auditAccounts, type LiveAccounts } from "./audit-accounts";
import { auditDns, makeResolver, readCaFile } from "./audit-dns";
import type { Finding } from "./findings";
import { adapterFor, targetsFromFile, targetsFromStack, type AuditTarget } from "./targets";

/** Options of {@link runAudit}, as the command line gives them. */
export interface AuditOptions {
  /** The stack to read (`--stack`); the current one when undefined. */
  stack?: string;
  /** The Pulumi project directory (`--cwd`). */
  cwd: string;
  /** A declaration file instead of a stack (`--declaration`). */
  declaration?: string;
  /** `host[:port]` of the DNS server to ask (`--resolver`); the system's when undefined. */
  resolver?: string;
  /** A PEM file of extra trusted CAs for the MTA-STS policy's HTTPS server (`--ca`). */
  ca?: string;
  /** Check the accounts (`--no-accounts` turns it off). */
  accounts: boolean;
  /** Check DNS (`--no-dns` turns it off). */
  dns: boolean;
  /** The audit's moment (`--date`). */
  now: Date;
  /** Where progress lines go (stderr). */
  progress(line: string): void;
  env?: NodeJS.ProcessEnv;
}

/** The whole audit: what was found, what could not be checked, what was measured. */
export interface AuditResult {
  findings: Finding[];
  failures: string[];
  notes: string[];
  /** One line naming what was audited, e.g. `stack dev: 1 domain (acme.com)`. */
  checked: string;
}

/** Reads a domain's live accounts through the provider's list methods only (read-only). */
export async function readLiveAccounts(
  target: AuditTarget,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ live: LiveAccounts; capabilities: ReturnType<typeof adapterFor>["capabilities"] }> {
  const { adapter, capabilities } = adapterFor(target.provider, target.apiUrl, env);
  const domain = target.accountDomain ?? target.spec.domain;
  const [mailboxes, aliases, groups] = await Promise.all([
    capabilities.mailboxes ? adapter.listMailboxes(domain) : [],
    capabilities.standaloneAliases ? adapter.listAliases(domain) : [],
    capabilities.groups ? adapter.listGroups(domain) : [],
  ]);
  // Compared on the declared domain: the provider may know it under another name.
  const rename = <T extends { domain: string }>(xs: T[]) =>
    xs.map((x) => ({ ...x, domain: target.spec.domain }));
  return {
    live: { mailboxes: rename(mailboxes), aliases: rename(aliases), groups: rename(groups) },
    capabilities,
  };
}

/**
 * Audits every MailDomain of a stack (or a declaration file): accounts against the provider,
 * DNS through a real resolver. Read-only: only list and lookup calls are made.
 */
export async function runAudit(opts: AuditOptions): Promise<AuditResult> {
  const env = opts.env ?? process.env;
  // Flags first: a bad value fails before anything is read.
  const resolver = opts.dns ? makeResolver(opts.resolver) : undefined;
  const targets =
    opts.declaration !== undefined
      ? await targetsFromFile(opts.declaration)
      : await targetsFromStack(opts.stack, opts.cwd, env);
  const ca = await readCaFile(opts.ca);
  const result: AuditResult = { findings: [], failures: [], notes: [], checked: "" };
  let i = 0;
  for (const t of targets) {
    i++;
    const d = t.spec.domain;
    if (opts.accounts) {
      opts.progress(`[${i}/${targets.length}] ${d}: reading accounts at ${t.provider}…`);
      try {
        const { live, capabilities } = await readLiveAccounts(t, env);
        result.findings.push(...auditAccounts({ spec: t.spec, capabilities, now: opts.now, live }));
        result.notes.push(
          `${d} accounts at ${t.provider}: ${live.mailboxes.length} mailboxes, ${live.aliases.length} aliases, ${live.groups.length} groups`,
        );
      } catch (e) {
        result.failures.push(`${d}: accounts at ${t.provider}: ${(e as Error).message}`);
      }
    }
    if (resolver !== undefined) {
      opts.progress(`[${i}/${targets.length}] ${d}: checking DNS…`);
      if (t.records === undefined) {
        result.failures.push(`${d}: DNS: the declaration publishes no records to compare with`);
      } else {
        const dns = await auditDns(d, t.records, t.mtaStsPolicy, {
          resolver,
          ...(ca === undefined ? {} : { ca }),
        });
        result.findings.push(...dns.findings);
        result.failures.push(...dns.failures);
        result.notes.push(...dns.notes);
      }
    }
  }
  const source =
    opts.declaration !== undefined
      ? `declaration ${opts.declaration}`
      : `stack ${opts.stack ?? "(current)"}`;
  const parts = [opts.accounts ? "accounts" : "", opts.dns ? "DNS" : ""].filter((p) => p !== "");
  result.checked = `${source}: ${targets.length} domain${targets.length === 1 ? "" : "s"} (${targets.map((t) => t.spec.domain).join(", ")}); ${parts.join(" and ")} checked`;
  return result;
}
