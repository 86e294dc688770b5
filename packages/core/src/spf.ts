import { showString } from "./errors";
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

/**
 * The error message for an SPF record at `name` with more DNS-querying terms than RFC 7208
 * allows (counted without following includes: a lower bound), or `undefined`. `context` is
 * added after the count (`" once its provider values are known"`). Not SPF: `undefined`.
 */
export function spfLookupLimitProblem(
  name: string,
  record: string,
  context = "",
): string | undefined {
  if (!/^v=spf1(\s|$)/i.test(record)) return undefined;
  const n = countSpfLookups(record);
  if (n <= SPF_MAX_LOOKUPS) return undefined;
  return (
    `the SPF record of ${name} needs ${n} DNS lookups${context} (got ${JSON.stringify(record)}; ` +
    `allowed: at most ${SPF_MAX_LOOKUPS}, RFC 7208 §4.6.4)`
  );
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

/*
 * RFC 7208 §12 grammar. Every term of a record is checked against its production; the
 * messages name the term and what is allowed. Macro letters c, r and t are allowed only in
 * `exp=` text (§7.2); a macro's DIGIT transformer must not be zero (§7.3).
 */

const MACRO_LETTERS = "slodiphcrtv";
const SPF_SYNTAX_RULES =
  "see RFC 7208 §12: mechanisms all, include, a, mx, ptr, ip4, ip6, exists; modifiers name=value";

/** A token of a macro-string: literal text or a macro-expand. */
type MacroToken = { expand: false; text: string } | { expand: true; text: string };

/** Splits a macro-string into literals and macro-expands, or returns what is wrong. */
function macroTokens(value: string, inExp: boolean): MacroToken[] | string {
  const tokens: MacroToken[] = [];
  let literal = "";
  let i = 0;
  while (i < value.length) {
    const c = value[i]!;
    if (c === "%") {
      const next = value[i + 1];
      if (next === "%" || next === "_" || next === "-") {
        if (literal) tokens.push({ expand: false, text: literal });
        literal = "";
        tokens.push({ expand: true, text: `%${next}` });
        i += 2;
        continue;
      }
      const m = /^%\{([A-Za-z])([0-9]*)([rR]?)([-.+,/_=]*)\}/.exec(value.slice(i));
      if (next !== "{" || m === null) {
        const shown = JSON.stringify(value.slice(i, i + 12));
        return `malformed macro at ${shown}; allowed: %{letter digits r delimiters}, %%, %_ or %-`;
      }
      const letter = m[1]!.toLowerCase();
      if (!MACRO_LETTERS.includes(letter)) {
        return `unknown macro letter "${m[1]!}" in ${JSON.stringify(m[0])}; allowed: s l o d i p h v (and c r t in exp=)`;
      }
      if (!inExp && "crt".includes(letter)) {
        return `macro ${JSON.stringify(m[0])} is allowed only in exp= (RFC 7208 §7.2)`;
      }
      if (m[2] !== "" && Number(m[2]) === 0) {
        return `macro ${JSON.stringify(m[0])} keeps zero labels; allowed: a DIGIT transformer of 1 or more (RFC 7208 §7.3)`;
      }
      if (literal) tokens.push({ expand: false, text: literal });
      literal = "";
      tokens.push({ expand: true, text: m[0] });
      i += m[0].length;
      continue;
    }
    const code = c.charCodeAt(0);
    if (code < 0x21 || code > 0x7e) {
      return `holds ${JSON.stringify(c)}; allowed: printable ASCII without spaces`;
    }
    literal += c;
    i++;
  }
  if (literal) tokens.push({ expand: false, text: literal });
  return tokens;
}

const TOPLABEL = /^(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])$/;

/**
 * Why a domain-spec (RFC 7208 §12: macro-string domain-end) is malformed, or undefined. A
 * domain-spec without macros must also be a DNS name: labels of 1–63 octets, 253 in all.
 */
export function spfDomainSpecProblem(spec: string): string | undefined {
  if (spec === "") return "needs a domain-spec; allowed: a domain such as _spf.example.com";
  const tokens = macroTokens(spec, false);
  if (typeof tokens === "string") return tokens;
  const last = tokens[tokens.length - 1]!;
  if (!last.expand) {
    const tail = last.text.endsWith(".") ? last.text.slice(0, -1) : last.text;
    const dot = tail.lastIndexOf(".");
    if (dot < 0) {
      return `${JSON.stringify(spec)} has a single label; allowed: a domain with a dot and a top label (mail.example.com), or one ending in a macro`;
    }
    if (!TOPLABEL.test(tail.slice(dot + 1))) {
      return `${JSON.stringify(spec)} ends in ${JSON.stringify(tail.slice(dot + 1))}, not a top label; allowed: a last label with a letter (mail.example.com), or a macro`;
    }
  }
  if (tokens.every((t) => !t.expand)) {
    const name = spec.endsWith(".") ? spec.slice(0, -1) : spec;
    if (name.length > 253 || name.split(".").some((l) => l.length === 0 || l.length > 63)) {
      return `${JSON.stringify(spec)} is not a DNS name; allowed: labels of 1–63 characters, at most 253 in all`;
    }
  }
  return undefined;
}

const QNUM = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])";
const IP4_NETWORK = new RegExp(`^${QNUM}(?:\\.${QNUM}){3}$`);

/** RFC 4291 §2.2 text forms, the trailing IPv4 form included. */
function isIp6Network(v: string): boolean {
  let text = v;
  const ip4 = /:((?:[0-9]+\.){3}[0-9]+)$/.exec(v);
  if (ip4) {
    if (!IP4_NETWORK.test(ip4[1]!)) return false;
    text = `${v.slice(0, ip4.index)}:0:0`;
  }
  const doubled = text.split("::");
  if (doubled.length > 2) return false;
  const group = /^[0-9A-Fa-f]{1,4}$/;
  if (doubled.length === 2) {
    const left = doubled[0] === "" ? [] : doubled[0]!.split(":");
    const right = doubled[1] === "" ? [] : doubled[1]!.split(":");
    return left.length + right.length <= 7 && [...left, ...right].every((g) => group.test(g));
  }
  const groups = text.split(":");
  return groups.length === 8 && groups.every((g) => group.test(g));
}

/** Why a CIDR length (`/N` without the slash) is malformed for a maximum, or undefined. */
function cidrProblem(digits: string, max: number, family: string): string | undefined {
  if (!/^(?:0|[1-9][0-9]*)$/.test(digits) || Number(digits) > max) {
    return `${family} CIDR length "/${digits}" is out of range; allowed: /0 to /${max}, no leading zeros`;
  }
  return undefined;
}

/** Why the `[":" domain-spec] [dual-cidr-length]` argument of `a` or `mx` is malformed. */
function dualCidrProblem(value: string, hasColon: boolean): string | undefined {
  const m = /^(.*?)(?:\/([0-9]*))?(?:\/\/([0-9]*))?$/.exec(value)!;
  const [, spec, four, six] = m;
  if (hasColon) {
    const problem = spfDomainSpecProblem(spec!);
    if (problem) return problem;
  } else if (spec !== "") return `unexpected ${JSON.stringify(spec)}; allowed: ":" domain-spec`;
  if (four !== undefined) {
    const problem = cidrProblem(four, 32, "IPv4");
    if (problem) return problem;
  }
  if (six !== undefined) return cidrProblem(six, 128, "IPv6");
  return undefined;
}

/** Why one parsed term breaks RFC 7208 §12, or undefined when it is well-formed. */
export function spfTermSyntaxProblem(term: SpfTerm): string | undefined {
  const colon = term.text
    .replace(/^[+~?-]/, "")
    .slice(term.name.length)
    .startsWith(":");
  const value = term.value;
  if (term.kind === "modifier") {
    if (term.name === "redirect" || term.name === "exp") {
      return spfDomainSpecProblem(value ?? "");
    }
    const tokens = macroTokens(value ?? "", false);
    return typeof tokens === "string" ? tokens : undefined;
  }
  if (!MECHANISMS.has(term.name)) return `unknown mechanism; allowed: ${SPF_SYNTAX_RULES}`;
  switch (term.name) {
    case "all":
      return value === undefined ? undefined : `"all" takes no argument`;
    case "include":
    case "exists":
      if (!colon) return `${term.name} needs ":" and a domain-spec`;
      return spfDomainSpecProblem(value ?? "");
    case "ptr":
      if (value === undefined) return undefined;
      if (!colon) return `ptr takes no CIDR length`;
      return spfDomainSpecProblem(value);
    case "a":
    case "mx":
      return value === undefined ? undefined : dualCidrProblem(value, colon);
    case "ip4":
    case "ip6": {
      if (!colon || !value) return `${term.name} needs ":" and an address`;
      const slash = value.indexOf("/");
      const network = slash < 0 ? value : value.slice(0, slash);
      const ok = term.name === "ip4" ? IP4_NETWORK.test(network) : isIp6Network(network);
      if (!ok) {
        return `${JSON.stringify(network)} is not an ${term.name === "ip4" ? "IPv4" : "IPv6"} address`;
      }
      if (slash < 0) return undefined;
      return term.name === "ip4"
        ? cidrProblem(value.slice(slash + 1), 32, "IPv4")
        : cidrProblem(value.slice(slash + 1), 128, "IPv6");
    }
    default:
      return undefined;
  }
}

/**
 * Every way an SPF record breaks RFC 7208's grammar (§12) and its record-level rules:
 * characters outside printable ASCII, malformed terms (mechanism arguments, CIDR lengths,
 * domain-specs, macro-strings), `redirect=` or `exp=` more than once (§6). Empty when the
 * record is well-formed. Needs no DNS.
 * @example spfSyntaxErrors("v=spf1 ip4:1.2.3.4/33 -all")
 *   // ['"ip4:1.2.3.4/33": IPv4 CIDR length "/33" is out of range; allowed: /0 to /32, no leading zeros (permerror)']
 * @see https://www.rfc-editor.org/rfc/rfc7208#section-12
 */
export function spfSyntaxErrors(record: string): string[] {
  if (!isSpfRecord(record)) {
    return [`not an SPF record (got ${showString(record)}; allowed: "v=spf1 ...")`];
  }
  const errors: string[] = [];
  const bad = /[^\x20-\x7e]/.exec(record);
  if (bad) {
    errors.push(
      `holds ${JSON.stringify(bad[0])} at position ${bad.index}; allowed: printable ASCII terms separated by spaces (permerror)`,
    );
    return errors;
  }
  const terms = parseSpf(record);
  for (const name of ["redirect", "exp"]) {
    const n = terms.filter((t) => t.kind === "modifier" && t.name === name).length;
    if (n > 1) errors.push(`${n} ${name}= modifiers; allowed: at most one (permerror)`);
  }
  for (const term of terms) {
    const problem = spfTermSyntaxProblem(term);
    if (problem !== undefined) errors.push(`${showString(term.text)}: ${problem} (permerror)`);
  }
  return errors;
}

/**
 * Resolves the addresses or mail exchangers of a name for `a`, `mx` and `exists`: the answers
 * (any text per record), an empty array for NXDOMAIN or no records of the type (a void
 * lookup). Rejects on a failed lookup.
 */
export type HostResolver = (name: string, type: "A" | "AAAA" | "MX") => Promise<string[]>;

/** Options of {@link analyzeSpf}. */
export interface AnalyzeSpfOptions {
  /**
   * Looks up the names of `a`, `mx` and `exists` terms so that those returning nothing count
   * as void lookups (RFC 7208 §4.6.4) like empty `include`s do. Without it only `include` and
   * `redirect` lookups can be void.
   */
  resolveHost?: HostResolver;
}

interface Walk {
  resolve?: TxtResolver;
  resolveHost?: HostResolver;
  /** The domain under analysis (for a bare `a` or `mx`). */
  domain?: string;
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

/**
 * Looks up the name of an `a`, `mx` or `exists` term when a host resolver is given, counting
 * a void answer (RFC 7208 §4.6.4: `a` is void when neither A nor AAAA answers). Names with
 * macros depend on the message and are not looked up; `ptr` needs the client address.
 */
async function lookUpHost(
  walk: Walk,
  term: SpfTerm,
  domain: string | undefined,
  where: string,
): Promise<void> {
  if (!walk.resolveHost || term.kind !== "mechanism" || term.name === "ptr") return;
  const spec =
    term.name === "exists"
      ? term.value!
      : /^:([^/]*)/.exec(term.text.replace(/^[+~?-]/, "").slice(term.name.length))?.[1];
  const name = (spec ?? domain)?.toLowerCase().replace(/\.$/, "");
  if (name === undefined) return;
  if (name.includes("%")) {
    walk.warnings.push(`${where}: ${term.name} ${name} uses macros; not looked up`);
    return;
  }
  const types: ("A" | "AAAA" | "MX")[] =
    term.name === "mx" ? ["MX"] : term.name === "a" ? ["A", "AAAA"] : ["A"];
  try {
    const answers = await Promise.all(types.map((t) => walk.resolveHost!(name, t)));
    if (answers.every((a) => a.length === 0)) {
      walk.voidLookups++;
      walk.warnings.push(`${where}: ${term.name} ${name} returns nothing (a void lookup)`);
    } else if (term.name === "mx" && answers[0]!.length > SPF_MAX_LOOKUPS) {
      walk.errors.push(
        `${where}: mx ${name} has ${answers[0]!.length} MX records; allowed: at most ${SPF_MAX_LOOKUPS} (RFC 7208 §4.6.4, permerror)`,
      );
    }
  } catch (e) {
    walk.errors.push(`${where}: ${term.name} ${name}: lookup failed (${(e as Error).message})`);
  }
}

async function walkRecord(
  walk: Walk,
  node: SpfNode,
  record: string,
  chain: string[],
): Promise<void> {
  const where = node.domain ?? "record";
  const bad = /[^\x20-\x7e]/.exec(record);
  if (bad) {
    walk.errors.push(
      `${where}: holds ${JSON.stringify(bad[0])} at position ${bad.index}; allowed: printable ASCII terms separated by spaces (permerror)`,
    );
    return;
  }
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
      walk.errors.push(`${where}: unknown mechanism ${showString(term.text)} (permerror)`);
      continue;
    }
    if (term.name === "ptr" && term.kind === "mechanism") {
      walk.warnings.push(`${where}: "ptr" is deprecated (RFC 7208 §5.5); use ip4/ip6 instead`);
    }
    const problem = spfTermSyntaxProblem(term);
    if (problem !== undefined) {
      walk.errors.push(`${where}: ${showString(term.text)}: ${problem} (permerror)`);
    }
    if (!isCounted(term, hasAll)) continue;
    node.lookups++;
    walk.lookups++;
    if (problem !== undefined) continue;
    const follow = term.name === "include" || term.name === "redirect";
    if (!follow) {
      await lookUpHost(walk, term, node.domain ?? walk.domain, where);
      continue;
    }
    const target = term.value!.toLowerCase().replace(/\.$/, "");
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
 * loops detected, void lookups counted), checks every term against RFC 7208 §12's grammar
 * ({@link spfTermSyntaxProblem}), and reports every limit broken. With `options.resolveHost` the
 * names of `a`, `mx` and `exists` are looked up too, and those returning nothing count as void
 * lookups (RFC 7208 §4.6.4) like empty includes.
 *
 * @param record - one SPF record, or every TXT string of a name (two SPF records there is an error).
 * @param resolve - TXT resolver; without it only the record's own terms are counted.
 * @param domain - the name the record belongs to, for loop detection, messages and a bare
 *   `a` or `mx`.
 * @param options - `resolveHost` for `a`, `mx` and `exists` lookups.
 * @see https://www.rfc-editor.org/rfc/rfc7208#section-4.6.4
 */
export async function analyzeSpf(
  record: string | string[],
  resolve?: TxtResolver,
  domain?: string,
  options: AnalyzeSpfOptions = {},
): Promise<SpfAnalysis> {
  const walk: Walk = {
    resolve,
    resolveHost: options.resolveHost,
    domain: domain?.toLowerCase().replace(/\.$/, ""),
    lookups: 0,
    voidLookups: 0,
    errors: [],
    warnings: [],
  };
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
