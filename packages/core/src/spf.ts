import type { SpfPolicy } from "./policy";

/** RFC 7208 §4.6.4: at most 10 terms that cause DNS queries per SPF evaluation. */
export const SPF_MAX_LOOKUPS = 10;
/** RFC 7208 §4.6.4: at most 2 lookups that return no answer (NXDOMAIN or empty). */
export const SPF_MAX_VOID_LOOKUPS = 2;
/** Records longer than this risk truncated UDP answers (RFC 7208 §3.4). */
export const SPF_RECOMMENDED_MAX_BYTES = 450;

/**
 * Builds the one `v=spf1` record of a name: `ip4`, `ip6`, `a`, `mx` terms first (cheap, no or
 * few lookups), then the provider's includes, then the user's includes, deduplicated
 * case-insensitively, and the `all` term last.
 *
 * @param policy - the parsed `policy.spf` (undefined: provider includes and `~all`).
 * @param providerIncludes - the mail provider's `spfInclude` facts, e.g. `["_spf.google.com"]`.
 * @param providerTerms - the mail provider's other `spfTerms` facts, e.g. `["mx"]` for a
 *   self-hosted server that sends from its MX hosts; placed before the includes.
 * @example buildSpf({ include: ["_spf.salesforce.com"], all: "-all" }, ["_spf.google.com"])
 *   // "v=spf1 include:_spf.google.com include:_spf.salesforce.com -all"
 * @see https://www.rfc-editor.org/rfc/rfc7208#section-5
 */
export function buildSpf(
  policy: SpfPolicy | undefined,
  providerIncludes: string[] = [],
  providerTerms: string[] = [],
): string {
  const terms: string[] = ["v=spf1"];
  const seen = new Set<string>();
  const add = (term: string) => {
    const key = term.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    terms.push(term);
  };
  for (const ip of policy?.ip4 ?? []) add(`ip4:${ip}`);
  for (const ip of policy?.ip6 ?? []) add(`ip6:${ip}`);
  if (policy?.a === true) add("a");
  else for (const host of policy?.a ?? []) add(`a:${host}`);
  if (policy?.mx === true) add("mx");
  else for (const host of policy?.mx ?? []) add(`mx:${host}`);
  for (const term of providerTerms) add(term);
  for (const d of providerIncludes) add(`include:${d.toLowerCase().replace(/\.$/, "")}`);
  for (const d of policy?.include ?? []) add(`include:${d}`);
  terms.push(policy?.all ?? "~all");
  return terms.join(" ");
}

/**
 * Resolves the TXT records of a name: one string per record, the record's strings already
 * joined with `""` (Node's `resolveTxt` gives `string[][]`: join each inner array, never
 * across records). An empty array means the name has no TXT records (a void lookup).
 */
export type TxtResolver = (name: string) => Promise<string[]>;

/** One SPF record in the evaluation tree. */
export interface SpfNode {
  /** The domain the record was read from; undefined for the record under analysis. */
  domain?: string;
  /** How the record was reached. */
  via?: "include" | "redirect";
  /** The record text; undefined when it could not be read. */
  record?: string;
  /** DNS-querying terms in this record alone. */
  lookups: number;
  children: SpfNode[];
}

/** The result of {@link analyzeSpf}. */
export interface SpfAnalysis {
  /** DNS-querying terms in the whole evaluation (RFC 7208 §4.6.4 limit: 10). */
  lookups: number;
  /** Lookups that returned no record (RFC 7208 §4.6.4 limit: 2). */
  voidLookups: number;
  /** Problems that make the record a permerror (or, for failed lookups, a temperror). */
  errors: string[];
  /** Advice that does not break evaluation. */
  warnings: string[];
  tree: SpfNode;
}

/** A parsed SPF term. */
export interface SpfTerm {
  kind: "mechanism" | "modifier";
  /** Lower-case name: `include`, `a`, `mx`, `ptr`, `ip4`, `ip6`, `exists`, `all`, `redirect`, `exp`, … */
  name: string;
  /** `+`, `-`, `~` or `?` for mechanisms (`+` when omitted). */
  qualifier?: "+" | "-" | "~" | "?";
  /** The text after `:`, `/` or `=`, if any. */
  value?: string;
  /** The term as written. */
  text: string;
}

const MECHANISMS = new Set(["all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"]);
const COUNTED = new Set(["include", "a", "mx", "ptr", "exists", "redirect"]);

/** True when the TXT string is an SPF record (`v=spf1` then a space or the end). */
export function isSpfRecord(txt: string): boolean {
  return /^v=spf1( |$)/i.test(txt);
}

/**
 * Splits an SPF record into terms (RFC 7208 §4.6.1). Throws on text that is not an SPF record.
 * Unknown mechanisms are returned with their name; {@link analyzeSpf} reports them.
 */
export function parseSpf(record: string): SpfTerm[] {
  if (!isSpfRecord(record)) {
    throw new Error(`not an SPF record (got ${JSON.stringify(record)}; allowed: "v=spf1 ...")`);
  }
  return record
    .slice(6)
    .split(" ")
    .filter((t) => t !== "")
    .map((text): SpfTerm => {
      const mod = /^([a-z][a-z0-9_.-]*)=(.*)$/i.exec(text);
      if (mod) return { kind: "modifier", name: mod[1]!.toLowerCase(), value: mod[2]!, text };
      const m = /^([+~?-]?)([a-z][a-z0-9_.-]*)([:/](.*))?$/i.exec(text);
      if (!m) return { kind: "mechanism", name: text.toLowerCase(), qualifier: "+", text };
      const qualifier = (m[1] || "+") as SpfTerm["qualifier"];
      const name = m[2]!.toLowerCase();
      const value = m[3] === undefined ? undefined : m[3].startsWith(":") ? m[4]! : m[3];
      return { kind: "mechanism", name, qualifier, value, text };
    });
}

/** DNS-querying terms of one record, without following anything (a lower bound). */
export function countSpfLookups(record: string): number {
  const terms = parseSpf(record);
  const hasAll = terms.some((t) => t.kind === "mechanism" && t.name === "all");
  return terms.filter((t) => isCounted(t, hasAll)).length;
}

/** `include a mx ptr exists` mechanisms, and `redirect=` unless the record has `all`. */
function isCounted(term: SpfTerm, hasAll: boolean): boolean {
  if (term.kind === "modifier") return term.name === "redirect" && !hasAll;
  return COUNTED.has(term.name) && term.name !== "redirect";
}

interface Walk {
  resolve?: TxtResolver;
  lookups: number;
  voidLookups: number;
  errors: string[];
  warnings: string[];
}

async function fetchSpf(
  walk: Walk,
  domain: string,
  via: "include" | "redirect",
  where: string,
): Promise<string | undefined> {
  let txts: string[];
  try {
    txts = await walk.resolve!(domain);
  } catch (e) {
    walk.errors.push(`${where}: ${via} ${domain}: lookup failed (${(e as Error).message})`);
    return undefined;
  }
  const spf = txts.filter(isSpfRecord);
  if (txts.length === 0) walk.voidLookups++;
  if (spf.length === 0) {
    walk.errors.push(`${where}: ${via} ${domain} has no SPF record (permerror)`);
    return undefined;
  }
  if (spf.length > 1) {
    walk.errors.push(
      `${where}: ${via} ${domain} has ${spf.length} SPF records; allowed: exactly one (permerror)`,
    );
    return undefined;
  }
  return spf[0];
}

async function walkRecord(
  walk: Walk,
  node: SpfNode,
  record: string,
  chain: string[],
): Promise<void> {
  const where = node.domain ?? "record";
  let terms: SpfTerm[];
  try {
    terms = parseSpf(record);
  } catch (e) {
    walk.errors.push(`${where}: ${(e as Error).message}`);
    return;
  }
  const hasAll = terms.some((t) => t.kind === "mechanism" && t.name === "all");
  const redirects = terms.filter((t) => t.kind === "modifier" && t.name === "redirect");
  if (redirects.length > 1) {
    walk.errors.push(`${where}: ${redirects.length} redirect= modifiers; allowed: at most one`);
  }
  if (terms.filter((t) => t.kind === "modifier" && t.name === "exp").length > 1) {
    walk.errors.push(`${where}: more than one exp= modifier; allowed: at most one`);
  }
  const allIndex = terms.findIndex((t) => t.kind === "mechanism" && t.name === "all");
  if (allIndex >= 0 && terms.slice(allIndex + 1).some((t) => t.kind === "mechanism")) {
    walk.warnings.push(`${where}: mechanisms after "all" are never evaluated`);
  }
  if (hasAll && redirects.length > 0) {
    walk.warnings.push(`${where}: redirect= is ignored because the record has "all"`);
  }
  for (const term of terms) {
    if (term.kind === "mechanism" && !MECHANISMS.has(term.name)) {
      walk.errors.push(`${where}: unknown mechanism ${JSON.stringify(term.text)} (permerror)`);
      continue;
    }
    if (term.name === "ptr" && term.kind === "mechanism") {
      walk.warnings.push(`${where}: "ptr" is deprecated (RFC 7208 §5.5); use ip4/ip6 instead`);
    }
    if (!isCounted(term, hasAll)) continue;
    node.lookups++;
    walk.lookups++;
    const follow = term.name === "include" || term.name === "redirect";
    if (!follow) continue;
    const target = term.value?.toLowerCase().replace(/\.$/, "");
    if (!target) {
      walk.errors.push(`${where}: ${term.name} without a domain (permerror)`);
      continue;
    }
    if (/%\{/.test(target)) {
      walk.warnings.push(`${where}: ${term.name} ${target} uses macros; not followed`);
      continue;
    }
    if (chain.includes(target)) {
      walk.errors.push(
        `${where}: ${term.name} ${target} loops back (${[...chain, target].join(" -> ")})`,
      );
      continue;
    }
    if (!walk.resolve) continue;
    const via = term.name as "include" | "redirect";
    const child: SpfNode = { domain: target, via, lookups: 0, children: [] };
    node.children.push(child);
    const text = await fetchSpf(walk, target, via, where);
    if (text === undefined) continue;
    child.record = text;
    await walkRecord(walk, child, text, [...chain, target]);
  }
}

/**
 * Analyses an SPF record the way a receiver evaluates it (RFC 7208 §4.6.4): counts the terms
 * that cause DNS queries (`include`, `a`, `mx`, `ptr`, `exists`, and `redirect=` when the record
 * has no `all`; any qualifier `+ - ~ ?`; a bare `all`, `ip4`, `ip6` and `exp=` are not counted),
 * follows `include:` and `redirect=` through `resolve` when given (nested records counted too,
 * loops detected, void lookups counted), and reports every limit broken.
 *
 * @param record - one SPF record, or every TXT string of a name (two SPF records there is an error).
 * @param resolve - TXT resolver; without it only the record's own terms are counted.
 * @param domain - the name the record belongs to, for loop detection and messages.
 * @see https://www.rfc-editor.org/rfc/rfc7208#section-4.6.4
 */
export async function analyzeSpf(
  record: string | string[],
  resolve?: TxtResolver,
  domain?: string,
): Promise<SpfAnalysis> {
  const walk: Walk = { resolve, lookups: 0, voidLookups: 0, errors: [], warnings: [] };
  const tree: SpfNode = { domain: domain?.toLowerCase(), lookups: 0, children: [] };
  let text: string | undefined;
  if (Array.isArray(record)) {
    const spf = record.filter(isSpfRecord);
    if (spf.length !== 1) {
      walk.errors.push(
        `${domain ?? "record"}: ${spf.length} SPF records; allowed: exactly one (permerror)`,
      );
    }
    text = spf[0];
  } else {
    text = record;
  }
  if (text !== undefined) {
    tree.record = text;
    if (Buffer.byteLength(text, "utf8") > SPF_RECOMMENDED_MAX_BYTES) {
      walk.warnings.push(
        `${domain ?? "record"}: ${Buffer.byteLength(text, "utf8")} bytes; keep SPF under ${SPF_RECOMMENDED_MAX_BYTES}`,
      );
    }
    await walkRecord(walk, tree, text, domain ? [domain.toLowerCase()] : []);
  }
  if (walk.lookups > SPF_MAX_LOOKUPS) {
    walk.errors.push(
      `${walk.lookups} DNS-querying terms; allowed: at most ${SPF_MAX_LOOKUPS} (RFC 7208 §4.6.4)`,
    );
  }
  if (walk.voidLookups > SPF_MAX_VOID_LOOKUPS) {
    walk.errors.push(
      `${walk.voidLookups} void lookups; allowed: at most ${SPF_MAX_VOID_LOOKUPS} (RFC 7208 §4.6.4)`,
    );
  }
  return {
    lookups: walk.lookups,
    voidLookups: walk.voidLookups,
    errors: walk.errors,
    warnings: walk.warnings,
    tree,
  };
}
