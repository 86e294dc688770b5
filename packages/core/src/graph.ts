import { checkAddress, localPartProblem, splitPlus } from "./address";
import { formatPath, showValue, type ConfigIssue } from "./errors";
import type { MailDomainSpec } from "./spec";

/*
 * Cross-reference checks over a parsed declaration, and the address index that planning uses to
 * resolve handles. A local part is one address on the domain and on every domain alias, so
 * uniqueness is checked per local part.
 */

/** Which map of the declaration an entry comes from. */
export type HandleKind = "mailbox" | "shared" | "alias" | "group";

const SECTION: Record<HandleKind, "mailboxes" | "shared" | "aliases" | "groups"> = {
  mailbox: "mailboxes",
  shared: "shared",
  alias: "aliases",
  group: "groups",
};

/** One declared entry: a mailbox, shared address, alias or group. */
export interface HandleEntry {
  kind: HandleKind;
  key: string;
  /** Effective local part, lower-case (`localPart` or the key). */
  localPart: string;
  /** `localPart@domain`. */
  address: string;
  /** Path of the entry in the declaration, e.g. `mailboxes.ali`. */
  path: string;
}

/** Who owns a local part: an entry, or an explicitly declared `postmaster`/`abuse`. */
export type Owner =
  { entry: HandleEntry; role?: undefined } | { entry?: undefined; role: "postmaster" | "abuse" };

/** Handles and local parts of a declaration, for resolving references. */
export interface AddressIndex {
  domain: string;
  /** The domain and its aliases. */
  domains: ReadonlySet<string>;
  /** Entries by handle (the first declared, when a handle is duplicated). */
  handles: ReadonlyMap<string, HandleEntry>;
  /** Every entry in declaration order: mailboxes, shared, aliases, groups. */
  entries: readonly HandleEntry[];
  /** Owner of each declared local part (lower-case), with the path that declared it. */
  owners: ReadonlyMap<string, Owner & { path: string }>;
}

/** What a reference points at. */
export type Resolved =
  | { kind: "entry"; entry: HandleEntry; address: string }
  | { kind: "role"; role: "postmaster" | "abuse"; address: string }
  /** An address outside the managed domains, or an undeclared one caught by the catch-all. */
  | { kind: "address"; address: string; external: boolean }
  | { kind: "unknown" };

function effectiveLocalPart(key: string, localPart: string | undefined): string {
  return (localPart ?? key).toLowerCase();
}

/** Builds the index of a parsed declaration (no checks; see `checkGraph`). */
export function buildIndex(spec: MailDomainSpec): AddressIndex {
  const entries: HandleEntry[] = [];
  const add = (kind: HandleKind, key: string, localPart: string | undefined) => {
    const lp = effectiveLocalPart(key, localPart);
    entries.push({
      kind,
      key,
      localPart: lp,
      address: `${lp}@${spec.domain}`,
      path: formatPath([SECTION[kind], key]),
    });
  };
  for (const [k, m] of Object.entries(spec.mailboxes)) add("mailbox", k, m.localPart);
  for (const [k, s] of Object.entries(spec.shared)) add("shared", k, s.localPart);
  for (const [k, a] of Object.entries(spec.aliases)) add("alias", k, a.localPart);
  for (const [k, g] of Object.entries(spec.groups)) add("group", k, g.localPart);

  const handles = new Map<string, HandleEntry>();
  const owners = new Map<string, Owner & { path: string }>();
  for (const e of entries) {
    if (!handles.has(e.key)) handles.set(e.key, e);
    const lpPath = hasOwnLocalPart(spec, e) ? `${e.path}.localPart` : e.path;
    if (!owners.has(e.localPart)) owners.set(e.localPart, { entry: e, path: lpPath });
    if (e.kind === "mailbox") {
      spec.mailboxes[e.key]!.aliases.forEach((a, i) => {
        const lp = a.toLowerCase();
        if (!owners.has(lp)) owners.set(lp, { entry: e, path: `${e.path}.aliases[${i}]` });
      });
    }
  }
  for (const role of ["postmaster", "abuse"] as const) {
    if (spec[role] !== undefined && !owners.has(role)) owners.set(role, { role, path: role });
  }
  return {
    domain: spec.domain,
    domains: new Set([spec.domain, ...spec.domainAliases]),
    handles,
    entries,
    owners,
  };
}

function hasOwnLocalPart(spec: MailDomainSpec, e: HandleEntry): boolean {
  return spec[SECTION[e.kind]][e.key]?.localPart !== undefined;
}

/**
 * Resolves a reference (a handle, or an address normalised by the schema). An address on a
 * managed domain resolves to the entry owning its local part (plus tag ignored); an undeclared
 * one is `unknown` unless a catch-all takes it.
 */
export function resolveReference(index: AddressIndex, ref: string, catchAll: boolean): Resolved {
  if (!ref.includes("@")) {
    const entry = index.handles.get(ref);
    return entry ? { kind: "entry", entry, address: entry.address } : { kind: "unknown" };
  }
  const parsed = checkAddress(ref).address;
  if (parsed === undefined) return { kind: "unknown" };
  if (!index.domains.has(parsed.domain)) {
    return { kind: "address", address: parsed.address, external: true };
  }
  const owner = index.owners.get(splitPlus(parsed.localPart).base);
  if (owner?.entry) return { kind: "entry", entry: owner.entry, address: parsed.address };
  if (owner?.role) return { kind: "role", role: owner.role, address: parsed.address };
  return catchAll
    ? { kind: "address", address: parsed.address, external: false }
    : { kind: "unknown" };
}

/** A reference and where it was written. */
export interface ReferenceSite {
  /** The entry (or role, `postmaster`/`abuse`/`catchAll`) that forwards. */
  from: string;
  path: string;
  ref: string;
  /** `forwardTo` of an offboarded mailbox. */
  forward?: boolean;
  /** A shared mailbox's members read it; they are not forwarding destinations. */
  access?: boolean;
}

/** Every reference in a declaration, in declaration order. */
export function referenceSites(spec: MailDomainSpec): ReferenceSite[] {
  const sites: ReferenceSite[] = [];
  const push = (from: string, base: PropertyKey[], refs: readonly string[], extra = {}) =>
    refs.forEach((ref, i) => sites.push({ from, path: formatPath([...base, i]), ref, ...extra }));
  for (const [k, m] of Object.entries(spec.mailboxes)) {
    const from = formatPath(["mailboxes", k]);
    push(from, ["mailboxes", k, "offboard", "forwardTo"], m.offboard?.forwardTo ?? [], {
      forward: true,
    });
  }
  for (const [k, s] of Object.entries(spec.shared)) {
    const from = formatPath(["shared", k]);
    const extra = s.kind === "sharedMailbox" ? { access: true } : {};
    push(from, ["shared", k, "members"], s.members, extra);
    push(from, ["shared", k, "externalMembers"], s.externalMembers, extra);
  }
  for (const [k, a] of Object.entries(spec.aliases)) {
    push(formatPath(["aliases", k]), ["aliases", k, "to"], a.to);
  }
  for (const [k, g] of Object.entries(spec.groups)) {
    const from = formatPath(["groups", k]);
    push(from, ["groups", k, "members"], g.members);
    push(from, ["groups", k, "externalMembers"], g.externalMembers);
  }
  for (const role of ["postmaster", "abuse", "catchAll"] as const) {
    push(role, [role], spec[role] ?? []);
  }
  return sites;
}

const HANDLE_RULE =
  'a handle (a key of mailboxes, shared, aliases or groups) or a full address containing "@"';

/**
 * Checks what the schema cannot see: keys usable as local parts, duplicate addresses (on the
 * domain and its aliases alike) and handles, references to nothing, forwarding loops, undefined
 * profiles, a leaver forwarding to himself, empty groups, and `postmaster@`/`abuse@` that
 * deliver nowhere (RFC 2142). Returns every problem found.
 */
export function checkGraph(spec: MailDomainSpec): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const index = buildIndex(spec);
  const sameAddressNote =
    spec.domainAliases.length > 0
      ? ` on ${spec.domain} and its domain aliases ${spec.domainAliases.join(", ")}`
      : "";

  // Domain aliases.
  const seenDomains = new Map<string, string>([[spec.domain, "domain"]]);
  spec.domainAliases.forEach((d, i) => {
    const path = `domainAliases[${i}]`;
    const first = seenDomains.get(d);
    if (first !== undefined) {
      issues.push({
        path,
        message: `${showValue(d)} is already declared at ${first} (got ${showValue(d)}; allowed: each domain once)`,
      });
    } else seenDomains.set(d, path);
  });

  // Keys used as local parts.
  for (const e of index.entries) {
    if (hasOwnLocalPart(spec, e)) continue;
    const problem = localPartProblem(e.key);
    if (problem !== undefined)
      issues.push({
        path: e.path,
        message: `needs localPart: the key is the local part, and ${problem}`,
      });
  }

  // Duplicate handles and addresses.
  const handleOwner = new Map<string, HandleEntry>();
  const claimed = new Map<string, string>();
  const claim = (lp: string, path: string) => {
    const first = claimed.get(lp);
    if (first === undefined) {
      claimed.set(lp, path);
      return;
    }
    issues.push({
      path,
      message:
        `${lp}@${spec.domain} is already declared at ${first} (got ${showValue(lp)}; ` +
        `allowed: each address once${sameAddressNote === "" ? "" : `; a local part is one address${sameAddressNote}`})`,
    });
  };
  for (const e of index.entries) {
    const other = handleOwner.get(e.key);
    if (other !== undefined) {
      issues.push({
        path: e.path,
        message: `handle ${showValue(e.key)} is already used at ${other.path} (got ${showValue(e.key)}; allowed: handles unique across mailboxes, shared, aliases and groups)`,
      });
    } else handleOwner.set(e.key, e);
    claim(e.localPart, hasOwnLocalPart(spec, e) ? `${e.path}.localPart` : e.path);
    if (e.kind === "mailbox") {
      spec.mailboxes[e.key]!.aliases.forEach((a, i) =>
        claim(a.toLowerCase(), `${e.path}.aliases[${i}]`),
      );
    }
  }
  for (const role of ["postmaster", "abuse"] as const) {
    if (spec[role] !== undefined) claim(role, role);
  }

  // Profiles.
  const profileNames = Object.keys(spec.profiles);
  for (const [k, m] of Object.entries(spec.mailboxes)) {
    if (m.profile !== undefined && !Object.hasOwn(spec.profiles, m.profile)) {
      const allowed =
        profileNames.length > 0
          ? profileNames.map((p) => showValue(p)).join(", ")
          : "none defined; add it under profiles";
      issues.push({
        path: formatPath(["mailboxes", k, "profile"]),
        message: `${showValue(m.profile)} is not a defined profile (got ${showValue(m.profile)}; allowed: ${allowed})`,
      });
    }
  }

  // References.
  const catchAll = spec.catchAll !== undefined;
  const edges = new Map<string, Set<string>>();
  const nodePath = (r: Resolved): string | undefined =>
    r.kind === "entry" ? r.entry.path : r.kind === "role" ? r.role : undefined;
  for (const site of referenceSites(spec)) {
    const r = resolveReference(index, site.ref, catchAll);
    if (r.kind === "unknown") {
      const what = site.ref.includes("@")
        ? `${showValue(site.ref)} is not declared on ${spec.domain}`
        : `${showValue(site.ref)} is not a declared handle`;
      issues.push({
        path: site.path,
        message: `${what} (got ${showValue(site.ref)}; allowed: ${HANDLE_RULE})`,
      });
      continue;
    }
    const target = nodePath(r);
    if (site.forward && target === site.from) {
      issues.push({
        path: site.path,
        message: `forwards the leaver's mail to the leaver's own mailbox (got ${showValue(site.ref)}; allowed: another mailbox, alias, group or an external address)`,
      });
      continue;
    }
    if (target !== undefined && !site.access && site.from !== "catchAll") {
      let set = edges.get(site.from);
      if (set === undefined) edges.set(site.from, (set = new Set()));
      set.add(target);
    }
  }

  // Groups and shared addresses with nobody in them.
  for (const [k, s] of Object.entries(spec.shared)) {
    if (s.members.length + s.externalMembers.length === 0) {
      issues.push({
        path: formatPath(["shared", k, "members"]),
        message: `has no members (got []; allowed: at least one entry in members or externalMembers)`,
      });
    }
  }
  for (const [k, g] of Object.entries(spec.groups)) {
    if (g.members.length + g.externalMembers.length === 0) {
      issues.push({
        path: formatPath(["groups", k, "members"]),
        message: `has no members (got []; allowed: at least one entry in members or externalMembers)`,
      });
    }
  }

  // Forwarding loops.
  for (const cycle of findCycles(edges)) {
    issues.push({
      path: cycle[0]!,
      message: `is part of a forwarding loop (got ${showCycle(cycle)}; allowed: forwarding that ends at a mailbox or an external address)`,
    });
  }

  // RFC 2142 role addresses.
  for (const role of ["postmaster", "abuse"] as const) {
    if (spec[role] !== undefined || catchAll || index.owners.has(role)) continue;
    issues.push({
      path: role,
      message: `${role}@${spec.domain} does not deliver anywhere; RFC 2142 requires it (got nothing; allowed: ${role}: "<handle or address>", a mailbox, alias or shared address named ${role}, or a catchAll)`,
    });
  }
  return issues;
}

/** Longest loop shown whole in a message; a longer one shows its first hops and its length. */
const MAX_SHOWN_HOPS = 8;

/** `a → b → a`, or for a long loop `a → … (N entries in all) → a`. */
function showCycle(cycle: readonly string[]): string {
  if (cycle.length <= MAX_SHOWN_HOPS) return [...cycle, cycle[0]].join(" → ");
  const head = cycle.slice(0, MAX_SHOWN_HOPS - 2).join(" → ");
  return `${head} → …(${cycle.length} entries in all) → ${cycle[cycle.length - 1]!} → ${cycle[0]!}`;
}

/**
 * Elementary cycles found by depth-first search, one per distinct set of nodes, each rotated to
 * start at its earliest node in insertion order.
 */
function findCycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const order = new Map<string, number>();
  for (const [from, tos] of edges) {
    if (!order.has(from)) order.set(from, order.size);
    for (const to of tos) if (!order.has(to)) order.set(to, order.size);
  }
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  /** Position of each open node in `stack`. */
  const depth = new Map<string, number>();
  const seen = new Set<string>();
  const cycles: string[][] = [];
  const record = (cycle: string[]) => {
    const start = cycle.reduce(
      (best, n, i) => (order.get(n)! < order.get(cycle[best]!)! ? i : best),
      0,
    );
    const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
    const id = [...rotated].sort().join("\n");
    if (!seen.has(id)) {
      seen.add(id);
      cycles.push(rotated);
    }
  };
  // Depth-first search with an explicit stack of neighbour iterators: a chain of many
  // thousands of aliases must not overflow the call stack.
  const visit = (root: string) => {
    const frames: Iterator<string>[] = [];
    const open = (node: string) => {
      state.set(node, "open");
      depth.set(node, stack.length);
      stack.push(node);
      frames.push((edges.get(node) ?? new Set<string>()).values());
    };
    open(root);
    while (frames.length > 0) {
      const step = frames[frames.length - 1]!.next();
      if (step.done) {
        frames.pop();
        const node = stack.pop()!;
        depth.delete(node);
        state.set(node, "done");
        continue;
      }
      const next = step.value;
      const s = state.get(next);
      if (s === "open") record(stack.slice(depth.get(next)!));
      else if (s === undefined) open(next);
    }
  };
  for (const node of order.keys()) if (!state.has(node)) visit(node);
  return cycles;
}
