/**
 * The wire formats Mailplane writes TXT values in.
 *
 * - `cloudflare`: the `content` of a Cloudflare DNS record: RFC 1035 quoted strings of at most
 *   255 bytes separated by one space (`"part1" "part2"`). `"` and `\` are escaped with `\`,
 *   control bytes as `\DDD` (decimal); other UTF-8 stays as is.
 * - `route53`: ONE entry of `aws.route53.Record`'s `records` list. The AWS provider adds the
 *   outer quotes itself (`"` + entry + `"`), so the entry is the strings joined by `""` without
 *   outer quotes: `part1""part2` (the form the provider's docs prescribe for values longer than
 *   255 characters; two list entries would make two records and break DKIM, pulumi-aws#5451).
 *   Inside, `"` and `\` are escaped with `\` and bytes outside 0x20–0x7E use Route 53's
 *   `\` + three-digit OCTAL escapes.
 * - `zonefile`: RFC 1035 §5.1 character-strings for a master file: quoted strings separated by a
 *   space, `"` and `\` escaped, every byte outside 0x20–0x7E as `\DDD` (decimal).
 *
 * @see https://www.rfc-editor.org/rfc/rfc1035#section-5.1
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html#TXTFormat
 * @see https://www.pulumi.com/registry/packages/aws/api-docs/route53/record/
 */
export type TxtTarget = "cloudflare" | "route53" | "zonefile";

/** The largest character-string of a TXT record, in bytes (RFC 1035 §3.3). */
export const TXT_STRING_MAX_BYTES = 255;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function assertWellFormed(value: string): void {
  if (LONE_SURROGATE.test(value)) {
    throw new Error(
      "TXT value contains a lone UTF-16 surrogate; allowed: well-formed Unicode text",
    );
  }
}

/**
 * Splits a TXT value into character-strings of at most 255 UTF-8 bytes, never inside a
 * multi-byte character. An empty value gives one empty string. The strings are unescaped text:
 * joined with no separator they are the value again (RFC 7208 §3.3, RFC 6376 §3.6.2.2).
 */
export function splitTxt(value: string): string[] {
  assertWellFormed(value);
  const bytes = encoder.encode(value);
  const parts: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + TXT_STRING_MAX_BYTES, bytes.length);
    // Back off continuation bytes (10xxxxxx) so a character is never cut in two.
    while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
    parts.push(decoder.decode(bytes.subarray(start, end)));
    start = end;
  }
  return parts.length === 0 ? [""] : parts;
}

function escapeByte(byte: number, target: TxtTarget): string {
  if (byte === 0x22 || byte === 0x5c) return `\\${String.fromCharCode(byte)}`;
  if (byte >= 0x20 && byte <= 0x7e) return String.fromCharCode(byte);
  if (target === "route53") return `\\${byte.toString(8).padStart(3, "0")}`;
  return `\\${String(byte).padStart(3, "0")}`;
}

function escapeString(part: string, target: TxtTarget): string {
  let out = "";
  for (const char of part) {
    if (target === "cloudflare" && char.codePointAt(0)! >= 0x80) {
      out += char; // Cloudflare keeps non-ASCII text readable as UTF-8.
      continue;
    }
    for (const byte of encoder.encode(char)) out += escapeByte(byte, target);
  }
  return out;
}

/**
 * Encodes a TXT value for a DNS backend: split into ≤255-byte strings on UTF-8 character
 * boundaries, escaped and joined as the backend expects (see {@link TxtTarget}). The value
 * stays ONE record however long it is (a DKIM key is never split into two records).
 * {@link decodeTxt} reverses it exactly.
 */
export function encodeTxt(value: string, target: TxtTarget): string {
  const parts = splitTxt(value).map((p) => escapeString(p, target));
  if (target === "route53") return parts.join('""');
  return parts.map((p) => `"${p}"`).join(" ");
}

function fail(encoded: string, target: TxtTarget, what: string): never {
  const shown = encoded.length > 80 ? `${encoded.slice(0, 77)}...` : encoded;
  throw new Error(`cannot decode ${target} TXT value ${JSON.stringify(shown)}: ${what}`);
}

/**
 * Parses RFC 1035 character-strings (quoted or not, separated by white space or adjacent) and
 * returns the bytes of all strings concatenated.
 */
function parseStrings(s: string, target: TxtTarget, octal: boolean, original = s): number[] {
  const bytes: number[] = [];
  const pushText = (text: string) => {
    for (const b of encoder.encode(text)) bytes.push(b);
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const quoted = c === '"';
    if (quoted) i++;
    let closed = !quoted;
    while (i < s.length) {
      const ch = s[i]!;
      if (quoted && ch === '"') {
        closed = true;
        i++;
        break;
      }
      if (!quoted && (ch === " " || ch === "\t" || ch === '"' || ch === "\n" || ch === "\r")) {
        break;
      }
      if (ch === "\\") {
        const digits = s.slice(i + 1, i + 4);
        if (/^\d{3}$/.test(digits)) {
          const n = parseInt(digits, octal ? 8 : 10);
          if (Number.isNaN(n) || n > 255)
            fail(original, target, `escape \\${digits} is not a byte`);
          bytes.push(n);
          i += 4;
          continue;
        }
        if (i + 1 >= s.length) fail(original, target, "it ends with a lone backslash");
        const cp = s.codePointAt(i + 1)!;
        const next = String.fromCodePoint(cp);
        pushText(next);
        i += 1 + next.length;
        continue;
      }
      const cp = s.codePointAt(i)!;
      const char = String.fromCodePoint(cp);
      pushText(char);
      i += char.length;
    }
    if (!closed) fail(original, target, "a quoted string is not closed");
  }
  return bytes;
}

/**
 * Decodes a TXT value as a backend stores or returns it, the inverse of {@link encodeTxt}:
 * `decodeTxt(encodeTxt(v, t), t) === v` for every well-formed string. It also accepts the
 * equivalent forms backends hand back, so reading never drifts:
 *
 * - `cloudflare`: quoted strings separated by white space; content without any quotes is one
 *   literal string (Cloudflare's legacy unquoted form).
 * - `route53`: `a""b` (as written), `a" "b` (what the AWS provider reads back from the API after
 *   stripping the outer quotes) and the raw API form `"a" "b"`.
 * - `zonefile`: RFC 1035 character-strings, quoted or not.
 */
export function decodeTxt(encoded: string, target: TxtTarget): string {
  let bytes: number[];
  if (target === "cloudflare" && !encoded.trim().startsWith('"')) {
    return encoded;
  } else if (target === "route53") {
    const raw = encoded.startsWith('"') ? encoded : `"${encoded}"`;
    bytes = parseStrings(raw, target, true, encoded);
  } else {
    bytes = parseStrings(encoded, target, false);
  }
  try {
    return decoder.decode(new Uint8Array(bytes));
  } catch {
    return fail(encoded, target, "its bytes are not valid UTF-8");
  }
}
