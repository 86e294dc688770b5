import { domainToASCII, domainToUnicode } from "node:url";
import { MailplaneConfigError, showString } from "./errors";

/*
 * Address rules. Local parts are RFC 5321 dot-atoms (ASCII, at most 64 octets); domains are
 * normalised with the WHATWG/UTS #46 mapping of `node:url` (`domainToASCII`): lower case,
 * punycode (`xn--`), full-width forms folded, then checked against the host-name label rules.
 * Addresses compare case-insensitively: normalised addresses are lower-case throughout.
 */

/** The characters of an RFC 5321 atom besides letters and digits. */
const ATEXT = "!#$%&'*+\\-/=?^_`{|}~";
const DOT_ATOM = new RegExp(`^[A-Za-z0-9${ATEXT}]+(?:\\.[A-Za-z0-9${ATEXT}]+)*$`);

/** Longest local part (RFC 5321 §4.5.3.1.1). */
export const MAX_LOCAL_PART_OCTETS = 64;

/** What a local part may look like, for error messages. */
export const LOCAL_PART_RULE =
  "RFC 5321 dot-atom: letters, digits and !#$%&'*+-/=?^_`{|}~, dots not leading, trailing or doubled";

/** What a domain may look like, for error messages. */
export const DOMAIN_RULE =
  "a domain name of at least two labels, each 1–63 letters, digits or hyphens, not starting or " +
  "ending with a hyphen, at most 253 characters in all; Unicode (IDN) or punycode";

/**
 * True when `localPart` is an RFC 5321 dot-atom of at most 64 octets. `+` is allowed here (it is
 * valid in addresses); declarations reject it separately because plus-addressing is automatic.
 */
export function isValidLocalPart(localPart: string): boolean {
  return localPart.length <= MAX_LOCAL_PART_OCTETS && DOT_ATOM.test(localPart);
}

/**
 * Why a local part cannot be used, as an error message (path not included), or `undefined` when
 * it is fine. With `declared` (the default) a `+` is refused: `ali+news@` reaches `ali@` without
 * being declared.
 */
export function localPartProblem(localPart: string, declared = true): string | undefined {
  const got = showString(localPart);
  if (!DOT_ATOM.test(localPart)) {
    return `${got} is not a valid local part (got ${got}; allowed: ${LOCAL_PART_RULE})`;
  }
  if (localPart.length > MAX_LOCAL_PART_OCTETS) {
    return (
      `${got} is too long for a local part (got ${localPart.length} characters; ` +
      `allowed: at most ${MAX_LOCAL_PART_OCTETS})`
    );
  }
  if (declared && localPart.includes("+")) {
    const base = splitPlus(localPart).base;
    return (
      `${got} contains "+", which starts a plus-address tag (got ${got}; allowed: a local part ` +
      `without "+": plus-addressing is automatic, ${base}+anything@ is delivered to ${base}@)`
    );
  }
  return undefined;
}

/*
 * Normalised forms, as the runtime, the adapters and the state hold them (every check of an
 * address in Mailplane goes through this file: one grammar).
 */

/** True when `localPart` is a valid local part in normalised (lower-case) form. */
export function isNormalizedLocalPart(localPart: unknown): localPart is string {
  return (
    typeof localPart === "string" &&
    localPart === localPart.toLowerCase() &&
    isValidLocalPart(localPart)
  );
}

/** True when `domain` is a valid mail domain in normalised form (lower-case punycode, no dot). */
export function isNormalizedDomain(domain: unknown): domain is string {
  return typeof domain === "string" && checkDomain(domain).domain === domain;
}

/** True when `address` is `local@domain` with both parts in normalised form. */
export function isNormalizedAddress(address: unknown): address is string {
  if (typeof address !== "string") return false;
  const at = address.lastIndexOf("@");
  return (
    at > 0 &&
    isNormalizedLocalPart(address.slice(0, at)) &&
    isNormalizedDomain(address.slice(at + 1))
  );
}

/** A local part split at its first `+`: `a+tag` → base `a`, tag `tag`. */
export interface PlusParts {
  base: string;
  /** The sub-address after `+`, absent when there is no `+`. */
  tag?: string;
}

/** Splits plus-addressing: `splitPlus("a+tag")` → `{ base: "a", tag: "tag" }`. */
export function splitPlus(localPart: string): PlusParts {
  const i = localPart.indexOf("+");
  return i < 0 ? { base: localPart } : { base: localPart.slice(0, i), tag: localPart.slice(i + 1) };
}

type DomainResult =
  { domain: string; problem?: undefined } | { domain?: undefined; problem: string };

/**
 * Normalises a domain name without throwing: the lower-case punycode form without a trailing dot,
 * or the reason it is not a valid mail domain.
 */
export function checkDomain(input: string): DomainResult {
  const got = showString(input);
  const invalid = {
    problem: `${got} is not a valid domain name (got ${got}; allowed: ${DOMAIN_RULE})`,
  };
  // `%` would be percent-decoded by the URL host parser; a domain never contains one.
  if (input.length === 0 || input.includes("%")) return invalid;
  let ascii = domainToASCII(input);
  if (ascii.endsWith(".")) ascii = ascii.slice(0, -1);
  if (ascii === "" || ascii.length > 253) return invalid;
  const labels = ascii.split(".");
  if (labels.length < 2) return invalid;
  for (const label of labels) {
    if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label)) return invalid;
    // An `xn--` label must be real punycode: it decodes to something else.
    if (label.startsWith("xn--") && domainToUnicode(label) === label) return invalid;
  }
  // A numeric last label is an IPv4 address (the URL parser may have rewritten `1.2.3`).
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return invalid;
  return { domain: ascii };
}

/**
 * Normalises a domain: lower case, punycode, trailing dot removed (`Bücher.DE.` →
 * `xn--bcher-kva.de`). Throws `MailplaneConfigError` naming `path` when it is not valid.
 */
export function normalizeDomain(input: string, path = "domain"): string {
  const result = checkDomain(input);
  if (result.problem !== undefined)
    throw new MailplaneConfigError([{ path, message: result.problem }]);
  return result.domain;
}

/** The Unicode form of a normalised domain, for display (`xn--bcher-kva.de` → `bücher.de`). */
export function domainToDisplay(domain: string): string {
  return domainToUnicode(domain);
}

/** A parsed, normalised e-mail address. */
export interface ParsedAddress {
  /** Lower-case local part, tag included (`ali+news`). */
  localPart: string;
  /** Lower-case punycode domain. */
  domain: string;
  /** Local part before `+` (`ali`). */
  base: string;
  /** Plus-address tag, when present. */
  tag?: string;
  /** `localPart@domain`. */
  address: string;
}

type AddressResult =
  { address: ParsedAddress; problem?: undefined } | { address?: undefined; problem: string };

/** Parses an address without throwing: the parsed form or the reason it is not valid. */
export function checkAddress(input: string): AddressResult {
  const got = showString(input);
  const at = input.lastIndexOf("@");
  if (at < 0) {
    return {
      problem: `${got} is not an e-mail address (got ${got}; allowed: local-part@domain)`,
    };
  }
  const local = input.slice(0, at);
  const localProblem = localPartProblem(local, false);
  if (localProblem !== undefined) {
    return {
      problem: `${got} has an invalid local part: ${localProblem}`,
    };
  }
  const domain = checkDomain(input.slice(at + 1));
  if (domain.problem !== undefined) {
    return { problem: `${got} has an invalid domain: ${domain.problem}` };
  }
  const localPart = local.toLowerCase();
  const { base, tag } = splitPlus(localPart);
  return {
    address: {
      localPart,
      domain: domain.domain,
      base,
      ...(tag === undefined ? {} : { tag }),
      address: `${localPart}@${domain.domain}`,
    },
  };
}

/**
 * Parses `local@domain` (the last `@` separates them): lower-cases it, punycodes the domain and
 * splits plus-addressing. Throws `MailplaneConfigError` naming `path` when it is not valid.
 */
export function parseAddress(input: string, path = "address"): ParsedAddress {
  const result = checkAddress(input);
  if (result.problem !== undefined)
    throw new MailplaneConfigError([{ path, message: result.problem }]);
  return result.address;
}

/** The normalised form of an address (`Ali@Bücher.DE` → `ali@xn--bcher-kva.de`); throws like `parseAddress`. */
export function normalizeAddress(input: string, path = "address"): string {
  return parseAddress(input, path).address;
}

/** True when two addresses are the same mailbox address, ignoring case and IDN form. */
export function sameAddress(a: string, b: string): boolean {
  const x = checkAddress(a);
  const y = checkAddress(b);
  if (x.address === undefined || y.address === undefined) return false;
  return x.address.address === y.address.address;
}
