/** One problem in a MailDomain declaration: where it is and what is wrong. */
export interface ConfigIssue {
  /** Dotted path into the declaration, e.g. `mailboxes.zhangsan.localPart` or `domainAliases[0]`. */
  path: string;
  /** What is wrong, e.g. `"zhang san" is not a valid local part (got "zhang san"; allowed: …)`. */
  message: string;
}

/**
 * Thrown when a MailDomain declaration is wrong. The message lists every problem, one per line,
 * as `path: what is wrong (got VALUE; allowed ...)`; `issues` holds the same problems as data.
 * Secret values (mailbox passwords) never appear in it.
 */
export class MailplaneConfigError extends Error {
  /** Every problem found, in declaration order. */
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "MailplaneConfigError";
    this.issues = issues;
  }
}

/** Renders one issue as a message line: `path: message` (`(root)` for the whole declaration). */
export function formatIssue(issue: ConfigIssue): string {
  return `${issue.path === "" ? "(root)" : issue.path}: ${issue.message}`;
}

/**
 * Renders a path the way users write it: `mailboxes.ali.aliases[0]`; keys that are not plain
 * words are quoted (`aliases["san.zhang"]`), long keys shortened like {@link showString}.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (
      typeof part === "string" &&
      part.length <= MAX_SHOWN_CHARS &&
      /^[^.[\]"'\s\p{Cc}\p{Cs}]+$/u.test(part)
    ) {
      out += out === "" ? part : `.${part}`;
    } else out += `[${showString(String(part))}]`;
  }
  return out;
}

/** Keys whose values are never shown in an error. */
const SECRET_KEYS = new Set(["password"]);
const MAX_SHOWN = 80;
/** A string longer than this is shown as its first {@link SHOWN_PREFIX} characters and its length. */
export const MAX_SHOWN_CHARS = 60;
const SHOWN_PREFIX = 60;

/**
 * Quotes a user string for an error message: JSON-quoted, and when longer than 60 characters
 * its first 60 followed by `…(N chars)`, so a 1 MB value never lands in a message whole.
 * @example showString("x".repeat(100)) // `"xxxx…x"…(100 chars)` (60 x between the quotes)
 */
export function showString(value: string): string {
  if (value.length <= MAX_SHOWN_CHARS) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, SHOWN_PREFIX))}…(${value.length} chars)`;
}

/**
 * Renders a user value for an error message: strings JSON-quoted, `nothing` for undefined,
 * objects as short JSON with secret fields (`password`) redacted and class instances (a Pulumi
 * Output, say) shown by class name only.
 */
export function showValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return showString(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) {
    return String(value);
  }
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return "a symbol";
  return truncate(JSON.stringify(redact(value, 0)));
}

function redact(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== "object") {
    return typeof value === "function" || typeof value === "symbol" || typeof value === "bigint"
      ? `[${typeof value}]`
      : value;
  }
  if (depth > 4) return "[…]";
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== Object.prototype && proto !== null) {
    return `[${(value as { constructor?: { name?: string } }).constructor?.name ?? "object"}]`;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEYS.has(k) ? "[secret]" : redact(v, depth + 1);
  }
  return out;
}

function truncate(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…(${text.length} chars)` : text;
}
