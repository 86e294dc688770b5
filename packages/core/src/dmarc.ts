import { MailplaneConfigError } from "./errors";
import { dmarcPolicySchema, type DmarcPolicy } from "./policy";
import { formatZodIssues, zodErrorMap } from "./spec";

/**
 * Builds a DMARC policy record (RFC 9989) in a fixed tag order:
 * `v=DMARC1; p; sp; np; t; rua; ruf; adkim; aspf; fo; psd; pct`. Tags left at their defaults
 * are left out; `t=y` only when testing; `pct` only through `legacy.pct` (RFC 9989 removed it,
 * RFC 7489 receivers still read it), and `pct=0` IS written. The input is validated again here
 * (every tag), so a hand-built object cannot produce a broken record: a bad tag throws
 * `MailplaneConfigError` naming `policy.dmarc.<tag>`.
 *
 * @example buildDmarc({ policy: "reject", rua: ["mailto:dmarc@acme.com"], ruf: [], testing: false })
 *   // "v=DMARC1; p=reject; rua=mailto:dmarc@acme.com"
 * @see https://www.rfc-editor.org/rfc/rfc9989#section-4.7
 */
export function buildDmarc(policy: DmarcPolicy): string {
  const parsed = dmarcPolicySchema.safeParse(policy, { error: zodErrorMap, reportInput: true });
  if (!parsed.success) {
    throw new MailplaneConfigError(formatZodIssues(parsed.error.issues, ["policy", "dmarc"]));
  }
  const p = parsed.data;
  const tags = ["v=DMARC1", `p=${p.policy}`];
  if (p.subdomainPolicy) tags.push(`sp=${p.subdomainPolicy}`);
  if (p.nonExistentPolicy) tags.push(`np=${p.nonExistentPolicy}`);
  if (p.testing) tags.push("t=y");
  if (p.rua.length > 0) tags.push(`rua=${p.rua.map(escapeUri).join(",")}`);
  if (p.ruf.length > 0) tags.push(`ruf=${p.ruf.map(escapeUri).join(",")}`);
  if (p.adkim) tags.push(`adkim=${p.adkim}`);
  if (p.aspf) tags.push(`aspf=${p.aspf}`);
  if (p.fo) tags.push(`fo=${p.fo.join(":")}`);
  if (p.psd) tags.push(`psd=${p.psd}`);
  if (p.legacy) tags.push(`pct=${p.legacy.pct}`);
  return tags.join("; ");
}

/** Commas and semicolons would end a URI in a DMARC tag list: percent-encode them. */
function escapeUri(uri: string): string {
  return uri.replace(/,/g, "%2C").replace(/;/g, "%3B").replace(/!/g, "%21");
}

/**
 * The domains of the `mailto:` report destinations of a DMARC policy, lower-case, deduplicated,
 * in first-seen order (rua before ruf). Used to plan `<d>._report._dmarc.<dest>` records.
 */
export function dmarcReportDomains(policy: Pick<DmarcPolicy, "rua" | "ruf">): string[] {
  const out: string[] = [];
  for (const uri of [...policy.rua, ...policy.ruf]) {
    const at = uri.lastIndexOf("@");
    if (!uri.toLowerCase().startsWith("mailto:") || at < 0) continue;
    const domain = uri.slice(at + 1).toLowerCase();
    if (!out.includes(domain)) out.push(domain);
  }
  return out;
}
