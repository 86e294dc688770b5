import { z } from "zod";
import { checkAddress, checkDomain } from "./address";
import { isHostname } from "./dns-record";
import { parseSpf, spfTermSyntaxProblem } from "./spf";
import { MailplaneConfigError, showValue, type ConfigIssue } from "./errors";
import { formatZodIssues, zodErrorMap } from "./spec";

/*
 * Schemas for the settings of bindings (`providers.selfHosted({...})`, `dns.zoneFile({...})`,
 * `sending.ses({...})`): the values that are not part of the declaration but end up in zone
 * files, SQL lookups and API calls. Each check returns `what is wrong; allowed: …` with the
 * value shown, so errors read like the declaration's:
 * `providers.selfHosted.mx[0].host: "mx.acme.com\nevil" is not a host name (got …; allowed: …)`.
 * The same checks are used by the renderers (zone file, PowerDNS, Postfix/Dovecot snippets),
 * which refuse what they cannot write safely even when a caller skipped the schema.
 */

/** A check: the problem with a value (`… (got …; allowed: …)`), or undefined when it is fine. */
export type SettingCheck = (value: unknown) => string | undefined;

/** The text of a {@link SettingCheck}'s problem: `<value> is not <what> (got <value>; allowed: …)`. */
export const settingProblem = (value: unknown, what: string, allowed: string): string =>
  `${showValue(value)} is not ${what} (got ${showValue(value)}; allowed: ${allowed})`;
const problem = settingProblem;

/** Only printable ASCII without spaces: nothing that ends a line, a field or a quoted string. */
const PRINTABLE = /^[\x21-\x7e]+$/;

/** A host name (`mx.acme.com`, trailing dot allowed): ASCII labels, at least two. */
export const hostNameProblem: SettingCheck = (v) =>
  typeof v === "string" && PRINTABLE.test(v) && isHostname(v)
    ? undefined
    : problem(v, "a host name", "a host name such as mx.acme.com (ASCII/punycode labels)");

/** A host name, or `.` (no such service: null MX, unavailable SRV target). */
export const targetHostProblem: SettingCheck = (v) => (v === "." ? undefined : hostNameProblem(v));

/** A mail domain (Unicode or punycode; see `checkDomain`). */
export const domainProblem: SettingCheck = (v) =>
  typeof v !== "string"
    ? problem(v, "a domain name", "a domain name such as acme.com")
    : checkDomain(v).problem;

/** An IPv4 address in dotted-quad form. */
export const ipv4Problem: SettingCheck = (v) =>
  z.ipv4().safeParse(v).success
    ? undefined
    : problem(v, "an IPv4 address", "an IPv4 address such as 192.0.2.10");

/** An IPv6 address. */
export const ipv6Problem: SettingCheck = (v) =>
  z.ipv6().safeParse(v).success
    ? undefined
    : problem(v, "an IPv6 address", "an IPv6 address such as 2001:db8::10");

/** A whole number in `min`–`max` (NaN, Infinity, fractions and strings refused). */
export function intProblem(min: number, max: number, what: string): SettingCheck {
  return (v) =>
    typeof v === "number" && Number.isInteger(v) && v >= min && v <= max
      ? undefined
      : problem(v, what, `a whole number from ${min} to ${max}`);
}

/** A TCP port. */
export const portProblem = intProblem(1, 65535, "a port");
/** An MX/SRV preference, SRV weight. */
export const priorityProblem = intProblem(0, 65535, "a priority");
/** A DNS TTL in seconds (RFC 2181 §8). */
export const ttlProblem = intProblem(0, 2147483647, "a TTL");
/** An SOA serial (RFC 1982: unsigned 32-bit). */
export const serialProblem = intProblem(0, 4294967295, "an SOA serial");

/** The SOA RNAME: an address (`hostmaster@acme.com`) or a DNS name (`hostmaster.acme.com`). */
export const hostmasterProblem: SettingCheck = (v) => {
  const allowed =
    "an address such as hostmaster@acme.com (letters, digits, . _ + - before @) or a host name";
  if (typeof v !== "string" || !PRINTABLE.test(v)) return problem(v, "a hostmaster", allowed);
  if (!v.includes("@")) return isHostname(v) ? undefined : problem(v, "a hostmaster", allowed);
  const at = v.lastIndexOf("@");
  const local = v.slice(0, at);
  return /^[A-Za-z0-9_+-]+(\.[A-Za-z0-9_+-]+)*$/.test(local) &&
    checkAddress(v).problem === undefined
    ? undefined
    : problem(v, "a hostmaster", allowed);
};

/**
 * A path a mail server's configuration names (a sqlite file, a mail root, a map directory):
 * absolute, letters, digits and `. _ - / + @ = , :` only — no space, quote, backslash, `%`
 * (Dovecot and Postfix expand `%` variables) or control character.
 */
export const serverPathProblem: SettingCheck = (v) =>
  typeof v === "string" && /^\/[A-Za-z0-9._/+@=,:-]*$/.test(v) && !/(^|\/)\.\.(\/|$)/.test(v)
    ? undefined
    : problem(
        v,
        "a safe absolute path",
        "an absolute path of letters, digits and . _ - / + @ = , : such as /var/lib/mailplane/mail.sqlite",
      );

/** A file path on the machine running Pulumi: any text without control characters. */
export const filePathProblem: SettingCheck = (v) =>
  typeof v === "string" &&
  v.trim() !== "" &&
  ![...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)
    ? undefined
    : problem(v, "a file path", "a file path without control characters, such as acme.com.zone");

/** An http(s) URL without user info or control characters. */
export const httpUrlProblem: SettingCheck = (v) => {
  const allowed = "an http(s) URL such as http://ns1.internal:8081";
  if (typeof v !== "string" || !PRINTABLE.test(v)) return problem(v, "an http(s) URL", allowed);
  try {
    const url = new URL(v);
    if ((url.protocol === "http:" || url.protocol === "https:") && url.username === "") {
      return undefined;
    }
  } catch {
    // fall through
  }
  return problem(v, "an http(s) URL", allowed);
};

/** An identifier: letters, digits and `. _ -` (server ids, zone ids, database names, users). */
export function tokenProblem(what: string, example: string, max = 255): SettingCheck {
  return (v) =>
    typeof v === "string" && v.length <= max && /^[A-Za-z0-9._-]+$/.test(v)
      ? undefined
      : problem(v, what, `letters, digits and . _ - (at most ${max}), such as ${example}`);
}

/** One SPF mechanism or modifier as RFC 7208 §4.6.1 writes it (`mx`, `ip4:192.0.2.0/24`). */
export const spfTermProblem: SettingCheck = (v) => {
  const refused = problem(
    v,
    "an SPF term",
    "an SPF mechanism such as mx, a, ip4:192.0.2.10 or include:_spf.acme.com",
  );
  if (typeof v !== "string" || !PRINTABLE.test(v) || /^v=spf1$/i.test(v)) return refused;
  // RFC 7208 §12, by the same grammar check the DNS planner applies to the whole record.
  const terms = parseSpf(`v=spf1 ${v}`);
  if (terms.length !== 1) return refused;
  const syntax = spfTermSyntaxProblem(terms[0]!);
  return syntax === undefined ? undefined : `${refused.slice(0, -1)}; ${syntax})`;
};

/** An environment variable name. */
export const envNameProblem: SettingCheck = (v) =>
  typeof v === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v)
    ? undefined
    : problem(v, "an environment variable name", "letters, digits and _, such as MAILPLANE_PG_URL");

/** A value that is printed into a TXT record: printable ASCII, 1–255 characters. */
export const tokenTextProblem: SettingCheck = (v) =>
  typeof v === "string" && v.length <= 255 && PRINTABLE.test(v)
    ? undefined
    : problem(v, "a verification code", "1–255 printable ASCII characters without spaces");

/** A zod string (or any value) schema from a check. */
export function setting<T = string>(check: SettingCheck): z.ZodType<T> {
  return z.any().superRefine((value, ctx) => {
    const message = check(value);
    if (message !== undefined) ctx.addIssue({ code: "custom", message, input: value });
  }) as unknown as z.ZodType<T>;
}

/** A string schema (for record keys) from a check. */
export function settingKey(check: SettingCheck): z.ZodType<string> {
  return z.string().superRefine((value, ctx) => {
    const message = check(value);
    if (message !== undefined) ctx.addIssue({ code: "custom", message, input: value });
  });
}

/** A pulumi `Output`, a `Promise` or anything else whose value is only known later. */
export function isPending(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  const v = value as { __pulumiOutput?: unknown; then?: unknown };
  return v.__pulumiOutput === true || typeof v.then === "function";
}

/**
 * A setting that may be pending (a pulumi Input): a plain value is checked now, a pending one is
 * accepted here and checked when it resolves (see {@link checkResolved}).
 */
export function pendingOr<T>(check: SettingCheck): z.ZodType<T, T | Pending<T>> {
  return setting<T>((v) => (isPending(v) ? undefined : check(v))) as z.ZodType<T, T | Pending<T>>;
}

declare const PENDING: unique symbol;

/**
 * In a settings schema's input type, a value that may be pending ({@link pendingOr}): the Pulumi
 * layer types it as `pulumi.Input<T>` (core knows no Pulumi types).
 */
export interface Pending<T> {
  readonly [PENDING]: T;
}

/** Parses settings with the declaration's error style; throws `MailplaneConfigError` naming `path`. */
export function parseSettings<S extends z.ZodType>(
  schema: S,
  input: unknown,
  path: readonly PropertyKey[],
): z.output<S> {
  const result = schema.safeParse(input, { error: zodErrorMap, reportInput: true });
  if (!result.success) throw new MailplaneConfigError(formatZodIssues(result.error.issues, path));
  return result.data;
}

/**
 * Checks a value that was pending at parse time, once known (inside `apply`): returns it, or
 * throws the same `MailplaneConfigError` a plain value would have got, which fails the deployment.
 */
export function checkResolved<T>(value: T, check: SettingCheck, path: string): T {
  const message = check(value);
  if (message !== undefined) throw new MailplaneConfigError([{ path, message }]);
  return value;
}

/** Throws a plain `Error` (`what: problem`) when a renderer is handed a value it cannot write. */
export function refuse(what: string, check: SettingCheck, value: unknown): void {
  const message = check(value);
  if (message !== undefined) throw new Error(`${what}: ${message}`);
}

/** The issues of one check, for callers that collect several. */
export function settingIssue(
  path: string,
  check: SettingCheck,
  value: unknown,
): ConfigIssue | undefined {
  const message = check(value);
  return message === undefined ? undefined : { path, message };
}
