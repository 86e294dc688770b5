/** How much a finding matters: `error` needs action, `warning` a look, `info` is for the record. */
export type Severity = "error" | "warning" | "info";

/** Every kind of finding `mailplane audit` reports. */
export type FindingKind =
  // accounts
  | "undeclared"
  | "missing"
  | "suspended"
  | "keepUntilPassed"
  | "aliasExpired"
  | "drift"
  | "twoFactorNotEnforced"
  // DNS
  | "mxMismatch"
  | "spfMissing"
  | "spfMultiple"
  | "spfMismatch"
  | "spfLookups"
  | "dkimMissing"
  | "dkimMismatch"
  | "dmarcMissing"
  | "dmarcMismatch"
  | "mtaStsIdMismatch"
  | "mtaStsPolicyMismatch"
  | "mtaStsPolicyUnreachable"
  | "tlsRptMismatch"
  | "recordMismatch";

/** One thing the audit found. */
export interface Finding {
  severity: Severity;
  kind: FindingKind;
  /** The mail domain it concerns. */
  domain: string;
  /** What it is about: an address (`ali@acme.com`) or a record (`TXT acme.com`). */
  subject: string;
  /** One line for people. */
  message: string;
  /** What the declaration says, when it says something. */
  declared?: unknown;
  /** What is live, when something is. */
  live?: unknown;
}

const ORDER: Severity[] = ["error", "warning", "info"];

/** Sorts findings by severity, domain, subject and kind (stable output for people and diffs). */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity) ||
      a.domain.localeCompare(b.domain) ||
      a.subject.localeCompare(b.subject) ||
      a.kind.localeCompare(b.kind),
  );
}

/**
 * The audit's exit code: 2 when something could not be checked, else 1 when anything at
 * `warning` or `error` was found, else 0. `info` findings (a suspended mailbox the code
 * declares suspended) keep it clean.
 */
export function exitCode(findings: readonly Finding[], failures: readonly string[]): number {
  if (failures.length > 0) return 2;
  return findings.some((f) => f.severity !== "info") ? 1 : 0;
}

/** Pads a table's columns to their widest cell. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd(),
  );
}

/** The findings as a readable report grouped by severity, with the failures to check last. */
export function renderReport(
  findings: readonly Finding[],
  failures: readonly string[],
  checked: string,
): string {
  const lines: string[] = [`mailplane audit (read-only: nothing was changed) — ${checked}`];
  const sorted = sortFindings(findings);
  for (const severity of ORDER) {
    const group = sorted.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push("", `${severity.toUpperCase()} (${group.length})`);
    const rows = group.map((f) => [f.kind, f.subject, f.message]);
    lines.push(...table([["KIND", "SUBJECT", "DETAIL"], ...rows]).map((l) => `  ${l}`));
  }
  if (failures.length > 0) {
    lines.push("", `COULD NOT CHECK (${failures.length})`, ...failures.map((f) => `  ${f}`));
  }
  if (findings.length === 0 && failures.length === 0) lines.push("", "No findings.");
  const counts = ORDER.map((s) => `${findings.filter((f) => f.severity === s).length} ${s}`);
  lines.push("", `${counts.join(", ")}; ${failures.length} not checked`);
  return lines.join("\n") + "\n";
}
