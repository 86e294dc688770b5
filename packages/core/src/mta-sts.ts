import { createHash } from "node:crypto";
import { isHostname, normalizeHostname } from "./dns-record";
import { MailplaneConfigError, showValue } from "./errors";
import { tlsRptUri } from "./report-uri";

/** MTA-STS policy modes (RFC 8461 §5). */
export type MtaStsMode = "enforce" | "testing" | "none";

/** RFC 8461 §3.2: the largest `max_age`, one year in seconds. */
export const MTA_STS_MAX_AGE_LIMIT = 31557600;

/** An MTA-STS policy file and its id. */
export interface MtaStsPolicy {
  /** The body of `https://mta-sts.<domain>/.well-known/mta-sts.txt`, CRLF line endings. */
  text: string;
  /** The `id=` of the `_mta-sts` TXT record: 32 hex characters derived from `text`. */
  id: string;
}

/**
 * Turns MX hosts into MTA-STS `mx:` patterns. Hosts that share a parent of at least two labels
 * and differ only in their leftmost label collapse into `*.<parent>` (RFC 8461 §4.1: `*.` stands
 * for exactly one label), e.g. `mx1.mail.acme.com` + `mx2.mail.acme.com` → `*.mail.acme.com`.
 * A lone host stays literal, and `a.b.acme.com` never becomes `*.acme.com`. Patterns already
 * starting with `*.` are kept; hosts they cover are dropped. The null MX `.` is ignored.
 * Output is sorted and deduplicated.
 */
export function mtaStsMxPatterns(hosts: string[]): string[] {
  const names = [...new Set(hosts.map(normalizeHostname))].filter((h) => h !== "." && h !== "");
  const wildcards = new Set(names.filter((h) => h.startsWith("*.")).map((h) => h.slice(2)));
  const byParent = new Map<string, string[]>();
  for (const host of names.filter((h) => !h.startsWith("*."))) {
    const dot = host.indexOf(".");
    const parent = host.slice(dot + 1);
    if (wildcards.has(parent)) continue; // already covered by an explicit pattern
    const list = byParent.get(parent) ?? [];
    list.push(host);
    byParent.set(parent, list);
  }
  const out = new Set([...wildcards].map((p) => `*.${p}`));
  for (const [parent, list] of byParent) {
    if (list.length >= 2 && parent.includes(".")) out.add(`*.${parent}`);
    else for (const h of list) out.add(h);
  }
  return [...out].sort();
}

/**
 * Builds an MTA-STS policy file (RFC 8461 §3.2): `version: STSv1`, `mode`, one `mx:` line per
 * pattern, `max_age`, each line ended by CRLF, and an `id` (for the `_mta-sts` TXT record) that
 * is the first 32 hex characters of the SHA-256 of the text, so the id changes exactly when the
 * policy does.
 *
 * @param mx - MX hosts or patterns; with `wildcards` (default) hosts are collapsed by
 *   {@link mtaStsMxPatterns}, otherwise they are used as given (sorted, deduplicated).
 * @param mode - `enforce`, `testing` or `none`.
 * @param maxAge - seconds, 0–31557600.
 * @see https://www.rfc-editor.org/rfc/rfc8461#section-3.2
 */
export function buildMtaStsPolicy(
  mx: string[],
  mode: MtaStsMode,
  maxAge: number,
  opts: { wildcards?: boolean } = {},
): MtaStsPolicy {
  if (!["enforce", "testing", "none"].includes(mode)) {
    throw new Error(
      `mtaSts.mode: must be "enforce", "testing" or "none" (got ${JSON.stringify(mode)})`,
    );
  }
  if (!Number.isInteger(maxAge) || maxAge < 0 || maxAge > MTA_STS_MAX_AGE_LIMIT) {
    throw new Error(
      `mtaSts.maxAge: must be an integer 0–${MTA_STS_MAX_AGE_LIMIT} seconds (got ${maxAge})`,
    );
  }
  for (const m of mx) {
    if (!isHostname(m.replace(/^\*\./, "")) && normalizeHostname(m) !== ".") {
      throw new Error(
        `mtaSts.mx: ${JSON.stringify(m)} is not an MX pattern; allowed: a host name, optionally starting with *.`,
      );
    }
  }
  const patterns =
    opts.wildcards === false
      ? [...new Set(mx.map(normalizeHostname).filter((h) => h !== "."))].sort()
      : mtaStsMxPatterns(mx);
  if (patterns.length === 0 && mode !== "none") {
    throw new Error(
      `mtaSts.mx: mode "${mode}" needs at least one MX host; allowed: mode "none" for a domain without MX`,
    );
  }
  const lines = ["version: STSv1", `mode: ${mode}`, ...patterns.map((p) => `mx: ${p}`)];
  lines.push(`max_age: ${maxAge}`);
  const text = lines.map((l) => `${l}\r\n`).join("");
  const id = createHash("sha256").update(text).digest("hex").slice(0, 32);
  return { text, id };
}

/** The `_mta-sts` TXT value announcing a policy (RFC 8461 §3.1). */
export function mtaStsTxt(id: string): string {
  return `v=STSv1; id=${id}`;
}

/**
 * The `_smtp._tls` TXT value (RFC 8460 §3): `v=TLSRPTv1; rua=` and the destinations, each a
 * `mailto:` URI with its local part percent-encoded or an `https:` URI with `,`, `;` and `!`
 * percent-encoded, so every destination stays one URI. Validates again (a hand-built list
 * cannot break the record): throws `MailplaneConfigError` naming `policy.tlsRpt.rua[i]`.
 * @example buildTlsRpt(["tls@acme.com"]) // "v=TLSRPTv1; rua=mailto:tls@acme.com"
 * @see https://www.rfc-editor.org/rfc/rfc8460#section-3
 */
export function buildTlsRpt(rua: readonly string[]): string {
  const uris = rua.map((v, i) => {
    const uri = tlsRptUri(v);
    if (uri === undefined) {
      throw new MailplaneConfigError([
        {
          path: `policy.tlsRpt.rua[${i}]`,
          message: `is not a TLS-RPT destination (got ${showValue(v)}; allowed: an e-mail address, a mailto: URI or an https:// URL (printable ASCII, at most 1024 characters))`,
        },
      ]);
    }
    return uri;
  });
  if (uris.length === 0) {
    throw new MailplaneConfigError([
      {
        path: "policy.tlsRpt.rua",
        message: "must not be empty (got []; allowed: one or more report destinations)",
      },
    ]);
  }
  return `v=TLSRPTv1; rua=${uris.join(",")}`;
}
