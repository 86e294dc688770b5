/**
 * What a preview means in mail words: mailboxes added, renamed, changed, suspended or deleted;
 * aliases and groups with their member changes; DNS record sets old → new; and the warnings a
 * reviewer must see. Pure: a preview in, a {@link StackSummary} out.
 */
import { countSpfLookups, isSpfRecord, SPF_MAX_LOOKUPS } from "@mailplane/core";
import { diffRecords, isDnsType, recordsOf, type DnsChange, type DnsRecordView } from "./dns";
import { nameOf, SECRET, stackOf, typeOf, type PreviewJson, type PreviewStep } from "./preview";

const MAILBOX = "Mailbox";
const ALIAS = "Alias";
const GROUP = "MailGroup";

/**
 * The account kind of a resource type: today's dynamic resources
 * (`pulumi-nodejs:dynamic/mailplane:Mailbox`) and the `mailplane` provider plugin's
 * (`mailplane:index:Mailbox`) alike; undefined for anything else.
 */
export function accountKindOf(type: string): string | undefined {
  const m = /^(?:pulumi-nodejs:dynamic\/mailplane|mailplane:index):(Mailbox|Alias|MailGroup)$/.exec(
    type,
  );
  return m?.[1];
}

/** Mailbox inputs listed as field changes, in this order; others (plumbing) are not shown. */
const MAILBOX_FIELDS = [
  "name",
  "department",
  "title",
  "quotaMb",
  "suspended",
  "aliases",
  "forwardTo",
  "keepUntil",
  "recoveryEmail",
  "changePasswordAtNextLogin",
  "require2fa",
  "shared",
  "onDelete",
  "allowRecreate",
  "mailProvider",
  "password",
] as const;

/** One changed field: `name: "Ali Alavi" → "Ali A. Alavi"`, list changes as + and −. */
export interface FieldChange {
  field: string;
  text: string;
}

/** What happens to one mailbox. */
export interface MailboxChange {
  kind: "added" | "renamed" | "changed" | "suspended" | "deleted" | "recreated" | "handle";
  address: string;
  /** The new address of a rename. */
  newAddress?: string;
  /** Details: the fields of a new mailbox, the changed fields, where mail goes after suspension. */
  details: string[];
}

/** What happens to one alias or group. */
export interface RoutingChange {
  kind: "added" | "changed" | "removed" | "recreated";
  what: "alias" | "group";
  address: string;
  details: string[];
}

/** One stack's summary. */
export interface StackSummary {
  stack: string;
  mailboxes: MailboxChange[];
  routing: RoutingChange[];
  dns: DnsChange[];
  /** Other resources that change, `op type name`. */
  other: string[];
  warnings: string[];
  /** Error diagnostics of the preview (a failed check or policy): the first line of each. */
  errors: string[];
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A value as the summary shows it; secrets never. */
export function show(v: unknown): string {
  if (v === SECRET) return "(secret)";
  if (v === undefined || v === null) return "(none)";
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return v.length === 0 ? "(none)" : v.map(show).join(", ");
  if (isObj(v)) return "(object)";
  return String(v);
}

const addressOf = (i: Record<string, unknown> | undefined): string =>
  i === undefined ? "?" : `${String(i.localPart)}@${String(i.domain)}`;

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.map((x) => (x === SECRET ? "(secret)" : String(x))) : [];

/** `+ a, − b` for two lists, or undefined when they hold the same values. */
function listChange(o: unknown, n: unknown): string | undefined {
  const a = strings(o);
  const b = strings(n);
  const added = b.filter((x) => !a.includes(x));
  const removed = a.filter((x) => !b.includes(x));
  if (added.length === 0 && removed.length === 0) return undefined;
  return [...added.map((x) => `+ ${x}`), ...removed.map((x) => `− ${x}`)].join(", ");
}

/** The changed mailbox fields, secrets named but never shown. */
export function mailboxFieldChanges(
  o: Record<string, unknown>,
  n: Record<string, unknown>,
): FieldChange[] {
  const out: FieldChange[] = [];
  for (const f of MAILBOX_FIELDS) {
    const a = o[f];
    const b = n[f];
    if (f === "password" || a === SECRET || b === SECRET) {
      // Pulumi prints every secret as "[secret]": a change is visible only when one side has none.
      if ((a === undefined) !== (b === undefined)) {
        out.push({
          field: f,
          text: b === undefined ? "removed (secret)" : "set (secret, not shown)",
        });
      }
      continue;
    }
    if (Array.isArray(a) || Array.isArray(b)) {
      const t = listChange(a, b);
      if (t !== undefined) out.push({ field: f, text: t });
      continue;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      out.push({ field: f, text: `${show(a)} → ${show(b)}` });
    }
  }
  return out;
}

/** What a new mailbox is: name, department, title, quota, suspended, aliases. */
function mailboxFacts(i: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (i.name !== undefined) out.push(`name ${show(i.name)}`);
  if (i.department !== undefined) out.push(`department ${show(i.department)}`);
  if (i.title !== undefined) out.push(`title ${show(i.title)}`);
  if (i.quotaMb !== undefined) out.push(`quota ${show(i.quotaMb)} MB`);
  if (i.suspended === true) out.push("suspended");
  if (strings(i.aliases).length > 0) out.push(`aliases ${strings(i.aliases).join(", ")}`);
  if (strings(i.forwardTo).length > 0) out.push(`forwards to ${strings(i.forwardTo).join(", ")}`);
  if (i.password !== undefined) out.push("initial password set (secret, not shown)");
  if (i.changePasswordAtNextLogin === true) out.push("must change password at first login");
  if (i.onDelete === "delete") out.push('onDelete "delete"');
  return out;
}

/** Where a removed mailbox's mail goes: the runtime suspends it and keeps its forwarding. */
function suspension(i: Record<string, unknown>): string[] {
  const out = ["removed from code: suspended, its mail kept"];
  if (strings(i.forwardTo).length > 0) out.push(`forwards to ${strings(i.forwardTo).join(", ")}`);
  if (typeof i.keepUntil === "string") out.push(`kept until ${i.keepUntil}`);
  return out;
}

const inputsOf = (s: PreviewStep, side: "old" | "new"): Record<string, unknown> | undefined => {
  const st = side === "old" ? s.oldState : s.newState;
  return st?.inputs ?? (side === "old" ? st?.outputs : undefined);
};

/** The `onDelete` the runtime will act on: the last applied inputs, else the outputs. */
const onDeleteOf = (s: PreviewStep): unknown =>
  s.oldState?.inputs?.onDelete ?? s.oldState?.outputs?.onDelete;

const MAILBOX_ORDER = [
  "added",
  "renamed",
  "changed",
  "handle",
  "recreated",
  "suspended",
  "deleted",
];
const REPLACE_OPS = new Set(["replace", "create-replacement"]);
const IGNORED_OPS = new Set(["same", "read", "refresh", "delete-replaced", "discard", "import"]);

function mailboxChanges(steps: PreviewStep[], warnings: string[]): MailboxChange[] {
  const out: MailboxChange[] = [];
  const creates = steps.filter((s) => s.op === "create");
  const deletes = steps.filter((s) => s.op === "delete");
  // A handle renamed in code (delete + create of the same address): the runtime moves the
  // address to the new resource and changes nothing at the provider.
  const moved = new Set<PreviewStep>();
  for (const d of deletes) {
    const addr = addressOf(inputsOf(d, "old"));
    const c = creates.find((x) => !moved.has(x) && addressOf(inputsOf(x, "new")) === addr);
    if (c === undefined) continue;
    moved.add(c).add(d);
    const changes = mailboxFieldChanges(inputsOf(d, "old")!, inputsOf(c, "new")!);
    out.push({
      kind: "handle",
      address: addr,
      details: [
        `handle ${nameOf(d.urn)} → ${nameOf(c.urn)}: same mailbox, nothing recreated`,
        ...changes.map((f) => `${f.field}: ${f.text}`),
      ],
    });
  }
  for (const s of steps) {
    if (moved.has(s) || IGNORED_OPS.has(s.op)) continue;
    const o = inputsOf(s, "old");
    const n = inputsOf(s, "new");
    if (s.op === "create" && n) {
      out.push({ kind: "added", address: addressOf(n), details: mailboxFacts(n) });
    } else if (s.op === "delete" && o) {
      if (onDeleteOf(s) === "delete") {
        out.push({
          kind: "deleted",
          address: addressOf(o),
          details: ['onDelete "delete": the mailbox and its mail are destroyed'],
        });
        warnings.push(
          `**DELETED** mailbox ${addressOf(o)} (onDelete "delete"): its mail is destroyed`,
        );
      } else {
        out.push({ kind: "suspended", address: addressOf(o), details: suspension(o) });
      }
    } else if (s.op === "update" && o && n) {
      const fields = mailboxFieldChanges(o, n).map((f) => `${f.field}: ${f.text}`);
      const renamed = addressOf(o) !== addressOf(n);
      if (renamed) {
        out.push({
          kind: "renamed",
          address: addressOf(o),
          newAddress: addressOf(n),
          details: ["renamed in place (same mailbox)", ...fields],
        });
      } else if (o.suspended === false && n.suspended === true) {
        out.push({
          kind: "suspended",
          address: addressOf(o),
          details: fields.filter((f) => !f.startsWith("suspended:")),
        });
      } else {
        out.push({ kind: "changed", address: addressOf(o), details: fields });
      }
    } else if (REPLACE_OPS.has(s.op) && o && n) {
      const renamed = addressOf(o) !== addressOf(n);
      const old =
        onDeleteOf(s) === "delete"
          ? `the old mailbox ${addressOf(o)} is **DELETED** with its mail`
          : `the old mailbox ${addressOf(o)} is suspended, its mail kept there`;
      const reasons = (s.replaceReasons ?? []).join(", ");
      const fields = mailboxFieldChanges(o, n)
        .filter((f) => f.field !== "allowRecreate")
        .map((f) => `${f.field}: ${f.text}`);
      out.push({
        kind: renamed ? "renamed" : "recreated",
        address: addressOf(o),
        ...(renamed ? { newAddress: addressOf(n) } : {}),
        details: [`recreated as a new mailbox (${reasons || "replace"}); ${old}`, ...fields],
      });
      warnings.push(
        `Recreate: mailbox ${addressOf(o)}${renamed ? ` → ${addressOf(n)}` : ""} is a new ` +
          `mailbox; ${old.replace("**DELETED**", "DELETED")}`,
      );
    }
  }
  return out;
}

function routingChanges(
  steps: PreviewStep[],
  what: "alias" | "group",
  warnings: string[],
): RoutingChange[] {
  const key = what === "alias" ? "destinations" : "members";
  const out: RoutingChange[] = [];
  for (const s of steps) {
    if (IGNORED_OPS.has(s.op)) continue;
    const o = inputsOf(s, "old");
    const n = inputsOf(s, "new");
    if (s.op === "create" && n) {
      const details = [`→ ${strings(n[key]).join(", ")}`];
      if (typeof n.expires === "string") details.push(`expires ${n.expires}`);
      out.push({ kind: "added", what, address: addressOf(n), details });
    } else if (s.op === "delete" && o) {
      out.push({ kind: "removed", what, address: addressOf(o), details: [] });
      warnings.push(`Removed ${what} ${addressOf(o)}: mail to it is no longer delivered`);
    } else if ((s.op === "update" || REPLACE_OPS.has(s.op)) && o && n) {
      const details: string[] = [];
      const members = listChange(o[key], n[key]);
      if (members !== undefined) details.push(members);
      if (addressOf(o) !== addressOf(n)) details.push(`address ${addressOf(o)} → ${addressOf(n)}`);
      if (o.expires !== n.expires) details.push(`expires: ${show(o.expires)} → ${show(n.expires)}`);
      if (o.name !== n.name && what === "group")
        details.push(`name: ${show(o.name)} → ${show(n.name)}`);
      const recreated = REPLACE_OPS.has(s.op);
      out.push({ kind: recreated ? "recreated" : "changed", what, address: addressOf(o), details });
      if (recreated)
        warnings.push(`Recreate: ${what} ${addressOf(o)} is deleted and created again`);
    }
  }
  return out;
}

/** DMARC tags of a record (`v=DMARC1; p=reject; …`), names lower case. */
export function dmarcTags(record: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of record.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    out[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
  }
  return out;
}

const DMARC_RANK: Record<string, number> = { none: 0, quarantine: 1, reject: 2 };

/** Why a DMARC record change weakens the policy, or undefined. */
export function dmarcWeakening(
  before: string | undefined,
  after: string | undefined,
): string | undefined {
  if (before === undefined) return undefined;
  if (after === undefined) return `the DMARC record (${tagText(before, "p")}) is removed`;
  const a = dmarcTags(before);
  const b = dmarcTags(after);
  const reasons: string[] = [];
  for (const tag of ["p", "sp", "np"]) {
    const ra = DMARC_RANK[(a[tag] ?? a.p ?? "").toLowerCase()];
    const rb = DMARC_RANK[(b[tag] ?? b.p ?? "").toLowerCase()];
    if (tag !== "p" && a[tag] === undefined && b[tag] === undefined) continue;
    if (ra !== undefined && (rb === undefined || rb < ra)) {
      reasons.push(`${tag}=${a[tag] ?? a.p} → ${tag}=${b[tag] ?? b.p ?? "(none)"}`);
    }
  }
  if (a.t !== "y" && b.t === "y") reasons.push("t=y (testing) added");
  const pct = (t: Record<string, string>) => Number(t.pct ?? "100");
  if (pct(b) < pct(a)) reasons.push(`pct=${pct(a)} → pct=${pct(b)}`);
  return reasons.length > 0 ? reasons.join(", ") : undefined;
}

const tagText = (record: string, tag: string): string => `${tag}=${dmarcTags(record)[tag] ?? "?"}`;

const MTA_STS_RANK: Record<string, number> = { none: 0, testing: 1, enforce: 2 };

/** The `mode:` of an MTA-STS policy file's text, or undefined for other text. */
export function mtaStsMode(text: unknown): string | undefined {
  if (typeof text !== "string" || !/^version:\s*STSv1\s*$/m.test(text)) return undefined;
  return /^mode:\s*(\S+)\s*$/m.exec(text)?.[1];
}

/** The MTA-STS policy texts among a state's string inputs (a resource that publishes it). */
function mtaStsModesOf(i: Record<string, unknown> | undefined): string[] {
  if (i === undefined) return [];
  return Object.entries(i)
    .filter(([k]) => k !== "__provider")
    .map(([, v]) => mtaStsMode(v))
    .filter((m): m is string => m !== undefined);
}

function dnsWarnings(changes: DnsChange[], mtaStsModeChanged: boolean, warnings: string[]): void {
  for (const c of changes) {
    const where = c.name;
    if (c.type === "MX") {
      warnings.push(
        `MX of ${where} changes: ${c.old.join(", ") || "(none)"} → ${c.new.join(", ") || "(none)"}`,
      );
    }
    if (c.type !== "TXT") continue;
    const spfOld = c.old.find(isSpfRecord);
    const spfNew = c.new.find(isSpfRecord);
    if (spfOld !== spfNew && (spfOld !== undefined || spfNew !== undefined)) {
      if (spfNew === undefined) {
        warnings.push(`SPF of ${where} is removed`);
      } else {
        const n = countSpfLookups(spfNew);
        const was = spfOld === undefined ? "" : `, was ${countSpfLookups(spfOld)}`;
        const over = n > SPF_MAX_LOOKUPS ? " — over the limit, receivers will fail SPF" : "";
        warnings.push(
          `SPF of ${where} changes: ${n} DNS lookups${was} (RFC 7208 allows ${SPF_MAX_LOOKUPS}; ` +
            `includes counted once, not followed)${over}`,
        );
      }
    }
    const dmarcOld = c.old.find((v) => /^v=DMARC1(;|\s|$)/i.test(v));
    const dmarcNew = c.new.find((v) => /^v=DMARC1(;|\s|$)/i.test(v));
    const weak = dmarcWeakening(dmarcOld, dmarcNew);
    if (weak !== undefined) warnings.push(`DMARC weakened at ${where}: ${weak}`);
    const stsOld = c.old.find((v) => /^v=STSv1/i.test(v));
    const stsNew = c.new.find((v) => /^v=STSv1/i.test(v));
    if (!mtaStsModeChanged && stsOld !== stsNew && stsOld !== undefined && stsNew !== undefined) {
      warnings.push(
        `MTA-STS policy of ${where.replace(/^_mta-sts\./, "")} changes (new id); ` +
          "its mode is not in this preview",
      );
    } else if (stsOld !== undefined && stsNew === undefined) {
      warnings.push(`MTA-STS is withdrawn at ${where}`);
    }
  }
}

/** Summarises one stack's preview. `stack` defaults to the stack named in the URNs. */
export function summarise(preview: PreviewJson, stack?: string): StackSummary {
  const warnings: string[] = [];
  // The engine lists steps in registration order, which varies between runs: sort by URN.
  const steps = [...preview.steps].sort((a, b) => a.urn.localeCompare(b.urn));
  const ofType = (t: string) => steps.filter((s) => accountKindOf(typeOf(s.urn)) === t);

  const recreates: string[] = [];
  const mailboxes = mailboxChanges(ofType(MAILBOX), recreates);
  const routing = [
    ...routingChanges(ofType(ALIAS), "alias", recreates),
    ...routingChanges(ofType(GROUP), "group", recreates),
  ];
  const deleted = recreates.filter((w) => w.startsWith("**DELETED**"));
  warnings.push(...recreates.filter((w) => w.startsWith("Recreate")), ...deleted);
  warnings.push(...recreates.filter((w) => w.startsWith("Removed")));

  const before: DnsRecordView[] = [];
  const after: DnsRecordView[] = [];
  const stsModes: { name: string; from: string; to: string }[] = [];
  const other: string[] = [];
  for (const s of steps) {
    const type = typeOf(s.urn);
    if (isDnsType(type)) {
      before.push(...recordsOf(type, s.oldState));
      after.push(...recordsOf(type, s.op === "delete" ? undefined : s.newState));
    }
    // A resource that publishes the policy file (its text is an input); inputs on both sides
    // only (the stack's outputs are not in a preview).
    const from = mtaStsModesOf(s.oldState?.inputs)[0];
    const to = s.op === "delete" ? undefined : mtaStsModesOf(s.newState?.inputs)[0];
    const compared =
      s.op === "create" || s.op === "delete" || (s.oldState?.inputs && s.newState?.inputs);
    if (compared && (from !== undefined || to !== undefined) && from !== to) {
      stsModes.push({ name: nameOf(s.urn), from: from ?? "(none)", to: to ?? "(none)" });
    }
    const known = accountKindOf(type) !== undefined || isDnsType(type);
    // Components (MailDomain) hold nothing themselves: their children are what changes.
    const component = (s.newState ?? s.oldState)?.custom === false;
    if (!known && !component && !IGNORED_OPS.has(s.op) && !type.startsWith("pulumi:")) {
      other.push(`${s.op} ${type.replace(/^pulumi-nodejs:dynamic\//, "")} ${nameOf(s.urn)}`);
    }
  }
  mailboxes.sort(
    (a, b) =>
      MAILBOX_ORDER.indexOf(a.kind) - MAILBOX_ORDER.indexOf(b.kind) ||
      a.address.localeCompare(b.address),
  );
  const dns = diffRecords(before, after);
  dnsWarnings(dns, stsModes.length > 0, warnings);
  for (const m of stsModes) {
    const weaker = (MTA_STS_RANK[m.to] ?? 0) < (MTA_STS_RANK[m.from] ?? 0);
    warnings.push(
      `MTA-STS mode changes: ${m.from} → ${m.to}${weaker ? " (weaker)" : ""} (policy in ${m.name})`,
    );
  }

  const errors = (preview.diagnostics ?? [])
    .filter((d) => d.severity === "error")
    .map((d) =>
      d.message
        .trim()
        .split("\n")[0]!
        .replace(/^error: /, ""),
    );
  const name = stack ?? (steps[0] ? stackOf(steps[0].urn) : "(unknown stack)");
  return { stack: name, mailboxes, routing, dns, other: other.sort(), warnings, errors };
}
