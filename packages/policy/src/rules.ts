/**
 * The organisation rules of `@mailplane/policy`, as pure functions of one MailDomain's declaration
 * (the `declaration` output every MailDomain publishes: the parsed spec, no passwords) and the
 * rule's configuration. Each returns its violations as messages naming the domain, the path, the
 * value and what is allowed.
 */

/** The parts of a MailDomain declaration (core's parsed spec) the rules read. */
export interface DeclaredDomain {
  domain: string;
  policy?: {
    dmarc?: { policy?: string; subdomainPolicy?: string };
    mtaSts?: { mode?: string };
  };
  profiles?: Record<string, unknown>;
  mailboxes?: Record<
    string,
    {
      localPart?: string;
      department?: string;
      profile?: string;
      aliases?: string[];
      onDelete?: string;
      offboard?: { forwardTo?: string | string[] };
    }
  >;
  shared?: Record<string, { localPart?: string; members?: string[] }>;
  aliases?: Record<
    string,
    string | string[] | { to?: string | string[]; expires?: string; localPart?: string }
  >;
  groups?: Record<string, { localPart?: string; members?: string[] }>;
  postmaster?: string | string[];
  abuse?: string | string[];
  catchAll?: string | string[];
}

const DMARC_RANK = ["none", "quarantine", "reject"] as const;
const MTA_STS_RANK = ["none", "testing", "enforce"] as const;

/** Config of `dmarc-minimum-policy`. */
export interface DmarcRuleConfig {
  /** The weakest DMARC `p=` (and `sp=`) allowed. @default "quarantine" */
  minimum?: (typeof DMARC_RANK)[number];
}

/** DMARC `p=` (and `sp=` when set) at least `minimum`; a domain without DMARC fails. */
export function dmarcMinimum(d: DeclaredDomain, c: DmarcRuleConfig = {}): string[] {
  const min = c.minimum ?? "quarantine";
  const allowed = `allowed: "${min}"${min === "reject" ? "" : " or stricter"}`;
  const dmarc = d.policy?.dmarc;
  if (dmarc?.policy === undefined) {
    return [`${d.domain}: policy.dmarc is not set (no DMARC record); ${allowed}`];
  }
  const out: string[] = [];
  for (const [field, value] of [
    ["policy", dmarc.policy],
    ["subdomainPolicy", dmarc.subdomainPolicy],
  ] as const) {
    if (value === undefined) continue;
    if (DMARC_RANK.indexOf(value as never) < DMARC_RANK.indexOf(min)) {
      out.push(`${d.domain}: policy.dmarc.${field} is "${value}"; ${allowed}`);
    }
  }
  return out;
}

/** Config of `mta-sts-minimum-mode`. */
export interface MtaStsRuleConfig {
  /** The weakest MTA-STS mode allowed. @default "testing" */
  minimum?: (typeof MTA_STS_RANK)[number];
}

/** MTA-STS published with a mode at least `minimum`. */
export function mtaStsMinimum(d: DeclaredDomain, c: MtaStsRuleConfig = {}): string[] {
  const min = c.minimum ?? "testing";
  const allowed = `allowed: "${min}"${min === "enforce" ? "" : " or stricter"}`;
  const mode = d.policy?.mtaSts?.mode;
  if (mode === undefined) return [`${d.domain}: policy.mtaSts is not set (no MTA-STS); ${allowed}`];
  if (MTA_STS_RANK.indexOf(mode as never) < MTA_STS_RANK.indexOf(min)) {
    return [`${d.domain}: policy.mtaSts.mode is "${mode}"; ${allowed}`];
  }
  return [];
}

/** Config of `role-addresses-routed`. */
export interface RoleAddressRuleConfig {
  /** Local parts that must deliver somewhere (RFC 2142). @default ["postmaster", "abuse"] */
  addresses?: string[];
  /** Whether a catch-all counts as a route for them. @default false */
  allowCatchAll?: boolean;
}

/** Every local part the domain routes explicitly: mailboxes and their aliases, shared, aliases, groups. */
function routedLocalParts(d: DeclaredDomain): Set<string> {
  const out = new Set<string>();
  for (const [k, m] of Object.entries(d.mailboxes ?? {})) {
    out.add(m.localPart ?? k);
    for (const a of m.aliases ?? []) out.add(a);
  }
  for (const [k, s] of Object.entries(d.shared ?? {})) out.add(s.localPart ?? k);
  for (const [k, g] of Object.entries(d.groups ?? {})) out.add(g.localPart ?? k);
  for (const [k, a] of Object.entries(d.aliases ?? {})) {
    out.add(typeof a === "object" && !Array.isArray(a) ? (a.localPart ?? k) : k);
  }
  const has = (v: string | string[] | undefined) =>
    Array.isArray(v) ? v.length > 0 : v !== undefined;
  if (has(d.postmaster)) out.add("postmaster");
  if (has(d.abuse)) out.add("abuse");
  return out;
}

/**
 * postmaster@ and abuse@ (or the configured list) routed explicitly. Core's schema already
 * refuses a domain where they deliver nowhere; this rule also refuses a catch-all as their only
 * route (catch-alls get filtered, limited or dropped), unless `allowCatchAll`.
 */
export function roleAddressesRouted(d: DeclaredDomain, c: RoleAddressRuleConfig = {}): string[] {
  const routed = routedLocalParts(d);
  const catchAll = Array.isArray(d.catchAll) ? d.catchAll.length > 0 : d.catchAll !== undefined;
  return (c.addresses ?? ["postmaster", "abuse"])
    .filter((lp) => !routed.has(lp) && !(catchAll && c.allowCatchAll === true))
    .map((lp) => {
      const explicit = `\`${lp}: "<handle>"\`, or an alias, group or shared address named ${lp}`;
      return catchAll
        ? `${d.domain}: ${lp}@${d.domain} is routed only by the catch-all; allowed: an explicit route (${explicit}), or allowCatchAll: true in the policy config`
        : `${d.domain}: ${lp}@${d.domain} is not routed; allowed: declare it (${explicit})`;
    });
}

/** Config of `mailbox-delete-allowlist`. */
export interface DeleteRuleConfig {
  /** Mailbox handles (or addresses) that may set `onDelete: "delete"`. @default [] */
  allowDelete?: string[];
}

/** `onDelete: "delete"` only for the handles (or addresses) listed in the config. */
export function deleteAllowlist(d: DeclaredDomain, c: DeleteRuleConfig = {}): string[] {
  const allowed = new Set((c.allowDelete ?? []).map((s) => s.toLowerCase()));
  return Object.entries(d.mailboxes ?? {})
    .filter(([, m]) => m.onDelete === "delete")
    .filter(
      ([k, m]) =>
        !allowed.has(k.toLowerCase()) &&
        !allowed.has(`${m.localPart ?? k}@${d.domain}`.toLowerCase()),
    )
    .map(
      ([k]) =>
        `${d.domain}: mailboxes.${k}.onDelete is "delete"; allowed: "suspend", or list "${k}" in allowDelete of the policy config`,
    );
}

/** Config of `no-external-forwarding`. */
export interface ForwardingRuleConfig {
  /** Profiles whose mail must not be forwarded outside the organisation. @default ["executive"] */
  profiles?: string[];
  /** Domains that count as inside besides the MailDomain's own. @default [] */
  internalDomains?: string[];
}

/** No mailbox of a protected profile forwards to an address outside the organisation's domains. */
export function noExternalForwarding(d: DeclaredDomain, c: ForwardingRuleConfig = {}): string[] {
  const profiles = new Set(c.profiles ?? ["executive"]);
  const inside = new Set([d.domain, ...(c.internalDomains ?? [])].map((x) => x.toLowerCase()));
  const out: string[] = [];
  for (const [k, m] of Object.entries(d.mailboxes ?? {})) {
    if (m.profile === undefined || !profiles.has(m.profile)) continue;
    const raw = m.offboard?.forwardTo;
    const targets = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    for (const t of targets) {
      const at = t.lastIndexOf("@");
      if (at < 0) continue; // a handle of this domain
      const domain = t.slice(at + 1).toLowerCase();
      if (!inside.has(domain)) {
        out.push(
          `${d.domain}: mailboxes.${k} (profile "${m.profile}") forwards to ${t}, outside the organisation; allowed: ${[...inside].join(", ")}`,
        );
      }
    }
  }
  return out;
}

/** Config of `mailbox-department`. */
export type DepartmentRuleConfig = Record<string, never>;

/** Every mailbox names its department. */
export function mailboxDepartment(d: DeclaredDomain): string[] {
  return Object.entries(d.mailboxes ?? {})
    .filter(([, m]) => m.department === undefined || m.department.trim() === "")
    .map(([k]) => `${d.domain}: mailboxes.${k}.department is not set; allowed: a department name`);
}

/** Config of `temporary-alias-expiry`. */
export interface AliasExpiryRuleConfig {
  /** The furthest an alias's `expires` may be from today, in days. @default 90 */
  maxDays?: number;
  /** Today (YYYY-MM-DD, UTC) for the check. @default the current date */
  today?: string;
}

const DAY_MS = 86_400_000;

/** Temporary aliases (those with `expires`) expire within `maxDays` of today. */
export function temporaryAliasExpiry(
  d: DeclaredDomain,
  c: AliasExpiryRuleConfig = {},
  now: Date = new Date(),
): string[] {
  const maxDays = c.maxDays ?? 90;
  const today = c.today ?? now.toISOString().slice(0, 10);
  const latest = new Date(Date.parse(`${today}T00:00:00Z`) + maxDays * DAY_MS)
    .toISOString()
    .slice(0, 10);
  const out: string[] = [];
  for (const [k, a] of Object.entries(d.aliases ?? {})) {
    if (typeof a !== "object" || Array.isArray(a) || a.expires === undefined) continue;
    if (a.expires > latest) {
      out.push(
        `${d.domain}: aliases.${k}.expires is ${a.expires}; allowed: at most ${maxDays} days from ${today} (${latest} or earlier)`,
      );
    }
  }
  return out;
}
