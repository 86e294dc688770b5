import { isValidLocalPart } from "./address";
import { isHostname } from "./dns-record";

/*
 * Report destinations written into TXT records: DMARC `rua`/`ruf` (RFC 7489 §6.2–6.3,
 * RFC 9989) and TLS-RPT `rua` (RFC 8460 §3). Both are comma-separated URI lists inside a
 * `;`-separated tag list, so a URI must never hold a raw `,`, `;` or `!` (the DMARC size
 * suffix), and a `mailto:` address must be percent-encoded as RFC 6068 §2 requires: a local
 * part `a?b` written raw reads as the address `a` with a query.
 */

/** Longest report URI accepted, in characters (a TXT record holds a few of them). */
export const MAX_REPORT_URI_CHARS = 1024;

/**
 * Characters an RFC 6068 `mailto:` local part may hold unescaped (`unreserved` and the
 * `some-delims` that are atext) minus `!`, which DMARC reserves for its size suffix.
 */
const MAILTO_LOCAL_SAFE = /^[A-Za-z0-9.$'*+_~-]$/;

/** Characters RFC 3986 allows anywhere in a URI (escapes checked separately). */
const URI_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;

/** True for `local@domain` with an RFC 5322 dot-atom local part and a DNS host name. */
export function isMailbox(address: string): boolean {
  const at = address.lastIndexOf("@");
  if (at <= 0) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  return isValidLocalPart(local) && isHostname(domain);
}

/** Percent-encodes a local part for a `mailto:` URI inside a DMARC or TLS-RPT tag. */
export function encodeMailtoLocal(local: string): string {
  let out = "";
  for (const ch of local) {
    if (MAILTO_LOCAL_SAFE.test(ch)) out += ch;
    else
      for (const b of new TextEncoder().encode(ch))
        out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * Reads a report address: a bare address (`a?b@x.example`, taken literally) or a `mailto:` URI
 * (`mailto:a%3Fb@x.example`, percent-decoded; no `?` headers). Returns the canonical URI
 * `mailto:<encoded local>@<lower-case domain>`, or undefined when it is not one.
 */
export function mailtoReportUri(value: string): string | undefined {
  if (value.length > MAX_REPORT_URI_CHARS) return undefined;
  let address = value;
  if (/^mailto:/i.test(value)) {
    const rest = value.slice(7);
    if (rest.includes("?") || /%(?![0-9A-Fa-f]{2})/.test(rest)) return undefined;
    try {
      address = decodeURIComponent(rest);
    } catch {
      return undefined;
    }
  }
  if (!isMailbox(address)) return undefined;
  const at = address.lastIndexOf("@");
  return `mailto:${encodeMailtoLocal(address.slice(0, at))}@${address.slice(at + 1).toLowerCase()}`;
}

/**
 * Checks an `https:` report URI (TLS-RPT, RFC 8460 §3) and returns it with `,`, `;` and `!`
 * percent-encoded (they would split the URI list or end the tag), or undefined when it is not
 * a printable-ASCII RFC 3986 URI with an `https:` scheme and a DNS host name.
 */
export function httpsReportUri(value: string): string | undefined {
  if (value.length > MAX_REPORT_URI_CHARS || !URI_CHARS.test(value)) return undefined;
  if (/%(?![0-9A-Fa-f]{2})/.test(value) || !/^https:\/\//i.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" || !isHostname(url.hostname) || url.username !== "") {
    return undefined;
  }
  return value.replace(/,/g, "%2C").replace(/;/g, "%3B").replace(/!/g, "%21");
}

/** A TLS-RPT `rua` entry (RFC 8460 §3) in its written form, or undefined when it is not one. */
export function tlsRptUri(value: string): string | undefined {
  return /^https:/i.test(value) ? httpsReportUri(value) : mailtoReportUri(value);
}
