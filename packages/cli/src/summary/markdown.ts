/**
 * Renders {@link StackSummary} values as Markdown for a pull-request comment: one section per
 * stack, warnings first, then mailboxes, aliases and groups, DNS records and other resources.
 */
import type { StackSummary } from "./summarise";

/** Inline code that survives backticks in the value (a longer fence, CommonMark §6.1). */
export function code(text: string): string {
  const runs = text.match(/`+/g) ?? [];
  const fence = "`".repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A table cell: pipes escaped, line breaks as `<br>`. */
const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The one-line count of a stack's changes. */
export function countLine(s: StackSummary): string {
  const by = (k: string) => s.mailboxes.filter((m) => m.kind === k).length;
  const parts: string[] = [];
  const mb = (
    [
      ["added", "added"],
      ["renamed", "renamed"],
      ["changed", "changed"],
      ["handle", "moved to a new handle"],
      ["recreated", "recreated"],
      ["suspended", "suspended"],
      ["deleted", "**DELETED**"],
    ] as const
  )
    .filter(([k]) => by(k) > 0)
    .map(([k, word]) => `${by(k)} ${word}`);
  if (mb.length > 0) parts.push(`mailboxes: ${mb.join(", ")}`);
  if (s.routing.length > 0) parts.push(`aliases and groups: ${s.routing.length}`);
  if (s.dns.length > 0) parts.push(`DNS: ${plural(s.dns.length, "record set")}`);
  if (s.other.length > 0) parts.push(`other: ${s.other.length}`);
  return parts.length === 0 ? "No mail changes." : `${parts.join(" · ")}.`;
}

const KIND_WORD: Record<string, string> = {
  added: "added",
  renamed: "renamed",
  changed: "changed",
  handle: "same mailbox, new handle",
  recreated: "recreated",
  suspended: "suspended",
  deleted: "**DELETED**",
  removed: "removed",
};

/** One stack's section; `level` is the heading level of its title. */
export function renderStack(s: StackSummary, level = 2, title?: string): string {
  const h = (n: number) => "#".repeat(Math.min(6, level + n));
  const out: string[] = [`${h(0)} ${title ?? `Stack ${code(s.stack)}`}`, "", countLine(s), ""];
  if (s.errors.length > 0) {
    out.push(`${h(1)} ❌ The preview failed`, "");
    for (const e of s.errors) out.push(`- ${e}`);
    out.push("");
  }
  if (s.warnings.length > 0) {
    out.push(`${h(1)} ⚠️ Review these`, "");
    for (const w of s.warnings) out.push(`- ${w}`);
    out.push("");
  }
  if (s.mailboxes.length > 0) {
    out.push(`${h(1)} Mailboxes`, "", "| Mailbox | Change | Details |", "| --- | --- | --- |");
    for (const m of s.mailboxes) {
      const who = m.newAddress ? `${code(m.address)} → ${code(m.newAddress)}` : code(m.address);
      out.push(`| ${cell(who)} | ${KIND_WORD[m.kind]} | ${cell(m.details.join("; "))} |`);
    }
    out.push("");
  }
  if (s.routing.length > 0) {
    out.push(`${h(1)} Aliases and groups`, "", "| Address | Kind | Change | Details |");
    out.push("| --- | --- | --- | --- |");
    for (const r of s.routing) {
      out.push(
        `| ${cell(code(r.address))} | ${r.what} | ${KIND_WORD[r.kind] ?? r.kind} | ${cell(r.details.join("; "))} |`,
      );
    }
    out.push("");
  }
  if (s.dns.length > 0) {
    out.push(`${h(1)} DNS records`, "", "| Name | Type | Old | New |", "| --- | --- | --- | --- |");
    const values = (vs: string[]) => (vs.length === 0 ? "(none)" : vs.map(code).join("<br>"));
    for (const d of s.dns) {
      out.push(
        `| ${cell(code(d.name))} | ${d.type} | ${cell(values(d.old))} | ${cell(values(d.new))} |`,
      );
    }
    out.push("");
  }
  if (s.other.length > 0) {
    out.push(`${h(1)} Other resources`, "");
    for (const o of s.other) out.push(`- ${code(o)}`);
    out.push("");
  }
  return out.join("\n");
}

/**
 * The comment for one or several stacks: one stack is a `## Mail changes: stack …` section;
 * several get a `## Mail changes in N stacks` title and a `###` section each, in the given order.
 */
export function renderSummary(stacks: StackSummary[]): string {
  if (stacks.length === 1) {
    return `${renderStack(stacks[0]!, 2, `Mail changes: stack ${code(stacks[0]!.stack)}`).trimEnd()}\n`;
  }
  const warned = stacks.filter((s) => s.warnings.length > 0 || s.errors.length > 0).length;
  const head = [
    `## Mail changes in ${stacks.length} stacks`,
    "",
    warned > 0
      ? `⚠️ ${plural(warned, "stack")} with something to review.`
      : "Nothing to review specially.",
    "",
  ];
  return `${[...head, ...stacks.map((s) => renderStack(s, 3))].join("\n").trimEnd()}\n`;
}
