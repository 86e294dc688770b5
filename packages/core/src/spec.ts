import { z } from "zod";
import { checkAddress, checkDomain, localPartProblem } from "./address";
import { MailplaneConfigError, formatPath, showValue, type ConfigIssue } from "./errors";
import { checkGraph } from "./graph";
import { policySchema } from "./policy";

/*
 * The MailDomain declaration: one zod schema, from which both the user-facing input type
 * (`MailDomainInput`, z.input) and the parsed spec (`MailDomainSpec`, z.output) are derived, so
 * schema and types cannot drift. Field documentation is TSDoc on the schema's shape; TypeScript
 * carries it through to both derived types.
 */

/** Refines a string with a check that returns an error message (path added later). */
function checked(check: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const message = check(value);
    if (message !== undefined) ctx.addIssue({ code: "custom", message, input: value });
  });
}

/** A local part the user declares: dot-atom, at most 64 octets, no `+`. */
const localPart = checked((v) => localPartProblem(v));

/** A domain name, normalised to lower-case punycode without a trailing dot. */
const domainName = checked((v) => checkDomain(v).problem).transform((v) => checkDomain(v).domain!);

/** A full e-mail address, normalised (lower case, punycode domain). */
const address = checked((v) => checkAddress(v).problem).transform(
  (v) => checkAddress(v).address!.address,
);

/**
 * A reference to a destination: a handle (a key of `mailboxes`, `shared`, `aliases` or `groups`)
 * or a full address containing `@` (normalised).
 */
const reference = z
  .string()
  .superRefine((v, ctx) => {
    const message =
      v.length === 0
        ? `is empty (got ""; allowed: a handle (a key of mailboxes, shared, aliases or groups) or an address containing "@")`
        : v.includes("@")
          ? checkAddress(v).problem
          : undefined;
    if (message !== undefined) ctx.addIssue({ code: "custom", message, input: v });
  })
  .transform((v) => (v.includes("@") ? checkAddress(v).address!.address : v));

/** One reference or several; parsed to a non-empty list. */
const references = z
  .union([reference, z.array(reference).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]));

/** An ISO calendar date. */
const isoDate = z.iso.date();

/** Mailbox quota in MiB. */
const MAX_QUOTA_MB = 1048576;
const quotaMb = z.number().superRefine((v, ctx) => {
  if (!Number.isInteger(v) || v < 1 || v > MAX_QUOTA_MB) {
    ctx.addIssue({
      code: "custom",
      input: v,
      message: `${v} is not a valid quota (got ${v}; allowed: a whole number of MiB from 1 to ${MAX_QUOTA_MB})`,
    });
  }
});

/** Longest display name, department, title or map key accepted. */
export const MAX_TEXT_CHARS = 256;

/** Control characters (NUL, newlines, …) or a UTF-16 surrogate without its pair. */
const UNSAFE_CHAR =
  /[\p{Cc}]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

/** Why a piece of free text cannot be stored (PostgreSQL refuses NUL; UTF-8 has no lone surrogate). */
function textProblem(v: string, what: string): string | undefined {
  if (v.length > MAX_TEXT_CHARS) {
    return `is too long (got ${v.length} characters; allowed: at most ${MAX_TEXT_CHARS})`;
  }
  const m = UNSAFE_CHAR.exec(v);
  if (m === null) return undefined;
  const code = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
  return `holds U+${code} at position ${m.index} (got ${showValue(v)}; allowed: ${what} without control characters or unpaired surrogates)`;
}

/** Free text (a department, a title): at most 256 characters, no control characters. */
const plainText = checked((v) => textProblem(v, "text"));

const displayName = z
  .string()
  .min(1)
  .superRefine((v, ctx) => {
    const message = textProblem(v, "a name");
    if (message !== undefined) ctx.addIssue({ code: "custom", message, input: v });
  });

/** A key of `mailboxes`, `shared`, `aliases`, `groups` or `profiles`. */
const mapKey = z.string().superRefine((v, ctx) => {
  const message =
    v.length === 0 ? `is empty (got ""; allowed: a non-empty key)` : textProblem(v, "a key");
  if (message !== undefined) ctx.addIssue({ code: "custom", message, input: v });
});

/** A map keyed by handle (or profile name). */
const keyed = <T extends z.ZodType>(value: T) => z.record(mapKey, value);

/** Settings several mailboxes share; a mailbox's own fields win over its profile's. */
export const profileSchema = z.strictObject({
  /** Mailbox quota in MiB (1–1048576). @default the provider's default */
  quotaMb: quotaMb.optional(),
  /** Enforce two-factor authentication. @default false */
  require2fa: z.boolean().optional(),
  /** Force a password change at the next login. @default false */
  changePasswordAtNextLogin: z.boolean().optional(),
});

/** A person's mailbox. The map key is a stable handle (an employee id works). */
export const mailboxSchema = z.strictObject({
  /** Display name, e.g. `Zhang San` (1–256 characters, no control characters). */
  name: displayName,
  /**
   * Given name, where the provider stores it apart (Google Workspace). Declare it with
   * `familyName` when splitting `name` is ambiguous, e.g. `Zhang San` written family name first.
   * @default split from `name`
   */
  givenName: displayName.optional(),
  /** Family name, where the provider stores it apart. @default split from `name` */
  familyName: displayName.optional(),
  /**
   * The part before `@` (RFC 5321 dot-atom, no `+`). Changing it renames the mailbox in place
   * where the provider can.
   * @default the map key
   */
  localPart: localPart.optional(),
  /** Department, e.g. `Sales` (at most 256 characters, no control characters). */
  department: plainText.optional(),
  /** Job title (at most 256 characters, no control characters). */
  title: plainText.optional(),
  /** Name of a profile in `profiles` whose settings apply. */
  profile: plainText.optional(),
  /** Quota in MiB (1–1048576). @default the profile's, else the provider's default */
  quotaMb: quotaMb.optional(),
  /** Extra local parts on the domain delivering to this mailbox. @default [] */
  aliases: z.array(localPart).default([]),
  /** No login, mail kept. @default true when `offboard` is set, else false */
  suspended: z.boolean().optional(),
  /** Force a password change at the next login. @default the profile's, else false */
  changePasswordAtNextLogin: z.boolean().optional(),
  /** Enforce two-factor authentication. @default the profile's, else false */
  require2fa: z.boolean().optional(),
  /**
   * Initial password: a Pulumi secret at the component level. Core accepts and ignores it and
   * never shows it in an error.
   */
  password: z.unknown().optional(),
  /** The person has left: suspend the mailbox, forward its mail, keep it until a date. */
  offboard: z
    .strictObject({
      /** Where new mail goes: handles or full addresses. */
      forwardTo: references.optional(),
      /** ISO date (YYYY-MM-DD) until which the mailbox is kept. */
      keepUntil: isoDate.optional(),
    })
    .optional(),
  /**
   * What removing the mailbox from code does: `suspend` keeps it (no data loss); `delete`
   * really deletes it.
   * @default "suspend"
   */
  onDelete: z.enum(["suspend", "delete"]).default("suspend"),
  /**
   * Allows a change the provider can only make by creating a new mailbox (a new `localPart`
   * where the provider cannot rename in place, another provider). The new mailbox is created;
   * the old one then follows `onDelete` (suspended by default, its mail kept). Without it such a
   * change fails at preview and nothing is changed.
   * @default false
   */
  allowRecreate: z.boolean().default(false),
  /**
   * An external address for the provider's invitation ("set your password") when no `password`
   * is given, e.g. the person's private address. Some providers (Migadu) need one of the two.
   * @default none
   */
  recoveryEmail: address.optional(),
});

/**
 * Who may send to a group: `anyone` (outside senders too), `organisation` (the provider's own
 * accounts) or `members` (the group's members). Only providers that enforce it accept it
 * (Tencent Exmail's `allow_type`); elsewhere it is refused at preview.
 */
export const groupSendersSchema = z.enum(["anyone", "organisation", "members"]);

/** A role address belonging to the company (info@, sales@, support@). */
export const sharedSchema = z.strictObject({
  /** @default the map key */
  localPart: localPart.optional(),
  /** Display name for a group or shared mailbox. @default the map key */
  name: displayName.optional(),
  /** Handles or addresses that receive (or, for a shared mailbox, read) its mail. @default [] */
  members: z.array(reference).default([]),
  /** Addresses outside the managed domains that receive its mail. @default [] */
  externalMembers: z.array(address).default([]),
  /**
   * How it is realised. `auto` picks the cheapest primitive the provider has: an alias, else a
   * group, else a shared mailbox.
   * @default "auto"
   */
  kind: z.enum(["auto", "group", "alias", "sharedMailbox"]).default("auto"),
  /**
   * Who may send to it when it is realised as a group (see `groupSendersSchema`); refused for
   * other kinds.
   * @default not managed: the provider's default
   */
  allowSenders: groupSendersSchema.optional(),
});

/** The long form of an alias, with an optional expiry date. */
const aliasObject = z.strictObject({
  /** Destinations: handles or full addresses. */
  to: references,
  /** ISO date (YYYY-MM-DD) after which the alias no longer exists. */
  expires: isoDate.optional(),
  /** @default the map key */
  localPart: localPart.optional(),
});

/**
 * An alias: a destination, a list of destinations, or `{ to, expires }` for a temporary address.
 * Parsed to the long form.
 */
export const aliasSchema = z
  .union([reference, z.array(reference).min(1), aliasObject])
  .transform((v): z.output<typeof aliasObject> =>
    typeof v === "string" ? { to: [v] } : Array.isArray(v) ? { to: v } : v,
  );

/** A distribution group. */
export const groupSchema = z.strictObject({
  /** Display name. @default the map key */
  name: displayName.optional(),
  /** @default the map key */
  localPart: localPart.optional(),
  /** Handles or addresses that receive its mail. */
  members: z.array(reference),
  /** Addresses outside the managed domains. @default [] */
  externalMembers: z.array(address).default([]),
  /**
   * Who may send to the group (see `groupSendersSchema`).
   * @default not managed: the provider's default
   */
  allowSenders: groupSendersSchema.optional(),
});

/** The whole MailDomain declaration (without the component's `dns` and `provider` bindings). */
export const mailDomainSchema = z.strictObject({
  /** The mail domain, e.g. `acme.com` (Unicode or punycode; normalised to punycode). */
  domain: domainName,
  /** Domains that deliver like `domain` (acme.co → acme.com). @default [] */
  domainAliases: z.array(domainName).default([]),
  /** SPF, DMARC, DKIM, MTA-STS, TLS-RPT and DNS policy. @default SPF `~all`, no DMARC override */
  policy: policySchema.prefault({}),
  /** Named settings for groups of mailboxes (`executive`, `staff`). @default {} */
  profiles: keyed(profileSchema).default({}),
  /** People's mailboxes by stable handle. @default {} */
  mailboxes: keyed(mailboxSchema).default({}),
  /** Role addresses delivered to a team (info, sales, support). @default {} */
  shared: keyed(sharedSchema).default({}),
  /** Aliases by local part (or handle with `localPart`). @default {} */
  aliases: keyed(aliasSchema).default({}),
  /** Distribution groups by handle. @default {} */
  groups: keyed(groupSchema).default({}),
  /**
   * Where `postmaster@` goes (RFC 2142): required unless a mailbox, alias or shared address is
   * named postmaster or a catch-all exists.
   * @see https://www.rfc-editor.org/rfc/rfc2142
   */
  postmaster: references.optional(),
  /** Where `abuse@` goes (RFC 2142); required like `postmaster`. */
  abuse: references.optional(),
  /** Where mail to undeclared local parts goes. @default none (rejected) */
  catchAll: references.optional(),
});

/** A MailDomain declaration as the user writes it. */
export type MailDomainInput = z.input<typeof mailDomainSchema>;
/** A parsed MailDomain declaration: defaults applied, domains and addresses normalised. */
export type MailDomainSpec = z.output<typeof mailDomainSchema>;
/** A mailbox as the user writes it. */
export type MailboxInput = z.input<typeof mailboxSchema>;
/** A parsed mailbox. */
export type MailboxSpec = z.output<typeof mailboxSchema>;
/** A profile as the user writes it. */
export type ProfileInput = z.input<typeof profileSchema>;
/** A parsed profile. */
export type ProfileSpec = z.output<typeof profileSchema>;
/** A shared role address as the user writes it. */
export type SharedInput = z.input<typeof sharedSchema>;
/** A parsed shared role address. */
export type SharedSpec = z.output<typeof sharedSchema>;
/** An alias as the user writes it. */
export type AliasInput = z.input<typeof aliasSchema>;
/** A parsed alias (always the long form). */
export type AliasSpec = z.output<typeof aliasSchema>;
/** A group as the user writes it. */
export type GroupInput = z.input<typeof groupSchema>;
/** A parsed group. */
export type GroupSpec = z.output<typeof groupSchema>;
/** Who may send to a group. */
export type GroupSenders = z.output<typeof groupSendersSchema>;

/**
 * Validates a MailDomain declaration and returns it parsed. Throws `MailplaneConfigError` listing
 * every problem: first the schema's (types, formats, unknown fields), then, when the shape is
 * right, the cross-reference checks (duplicate addresses, unknown handles, forwarding loops,
 * undefined profiles, postmaster/abuse that deliver nowhere).
 */
export function parseMailDomain(input: unknown): MailDomainSpec {
  const reserved = reservedKeyIssues(input);
  if (reserved.length > 0) throw new MailplaneConfigError(reserved);
  const result = mailDomainSchema.safeParse(input, { error: zodErrorMap, reportInput: true });
  if (!result.success) throw new MailplaneConfigError(formatZodIssues(result.error.issues));
  const problems = checkGraph(result.data);
  if (problems.length > 0) throw new MailplaneConfigError(problems);
  return result.data;
}

/** The maps of a declaration keyed by user-chosen names. */
const KEYED_MAPS = ["profiles", "mailboxes", "shared", "aliases", "groups"] as const;

/**
 * `__proto__` as an own key (JSON.parse makes one) would vanish in any object built from it:
 * refuse it by name instead of losing the entry.
 */
function reservedKeyIssues(input: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const check = (map: unknown, path: string[]) => {
    if (map !== null && typeof map === "object" && Object.hasOwn(map, "__proto__")) {
      issues.push({
        path: formatPath([...path, "__proto__"]),
        message: `is a reserved key (got "__proto__"; allowed: any other key; for the local part __proto__ use another key with localPart: "__proto__")`,
      });
    }
  };
  if (input === null || typeof input !== "object") return issues;
  const root = input as Record<string, unknown>;
  for (const section of KEYED_MAPS) check(root[section], [section]);
  const policy = root.policy;
  if (policy !== null && typeof policy === "object") {
    check((policy as Record<string, unknown>).dkim, ["policy", "dkim"]);
  }
  return issues;
}

type ErrorMapIssue = Parameters<z.core.$ZodErrorMap>[0];

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "an object",
  array: "a list",
  record: "an object",
  unknown: "any value",
};

function describeSchema(schema: z.core.$ZodType): string {
  const def = schema._zod.def as {
    type: string;
    innerType?: z.core.$ZodType;
    in?: z.core.$ZodType;
  };
  if (def.innerType) return describeSchema(def.innerType);
  if (def.type === "pipe" && def.in) return describeSchema(def.in);
  return TYPE_NAMES[def.type] ?? def.type;
}

function orList(items: string[]): string {
  return items.length <= 1
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]!}`;
}

/**
 * zod error map: every built-in issue becomes `what is wrong (got VALUE; allowed …)`. For
 * `unrecognized_keys` it returns only the allowed field list, which `formatZodIssues` spreads
 * over one line per unknown key. Use it with `formatZodIssues` for any Mailplane schema:
 * `schema.safeParse(v, { error: zodErrorMap, reportInput: true })`.
 */
export function zodErrorMap(iss: ErrorMapIssue): string | undefined {
  const got = showValue(iss.input);
  switch (iss.code) {
    case "invalid_type": {
      const expected = TYPE_NAMES[iss.expected] ?? iss.expected;
      if (iss.input === undefined) return `is required (got nothing; allowed: ${expected})`;
      return `is not ${expected} (got ${got}; allowed: ${expected})`;
    }
    case "invalid_value":
      return `${got} is not one of the allowed values (got ${got}; allowed: ${iss.values
        .map((v) => showValue(v))
        .join(", ")})`;
    case "unrecognized_keys": {
      const shape = (iss.inst?._zod.def as { shape?: Record<string, unknown> } | undefined)?.shape;
      return Object.keys(shape ?? {})
        .map((k) => JSON.stringify(k))
        .join(", ");
    }
    case "too_small":
      if (iss.origin === "string") return `is empty (got ${got}; allowed: a non-empty string)`;
      if (iss.origin === "array") {
        return `is empty (got ${got}; allowed: at least ${String(iss.minimum)} entry)`;
      }
      return `is too small (got ${got}; allowed: at least ${String(iss.minimum)})`;
    case "too_big":
      if (iss.origin === "string") {
        return `is too long (got ${String((iss.input as string).length)} characters; allowed: at most ${String(iss.maximum)})`;
      }
      return `is too big (got ${got}; allowed: at most ${String(iss.maximum)})`;
    case "invalid_format":
      if (iss.format === "date") {
        return `${got} is not a valid date (got ${got}; allowed: an ISO date YYYY-MM-DD)`;
      }
      return `${got} is not a valid ${iss.format} (got ${got})`;
    case "invalid_union": {
      const options = (iss.inst?._zod.def as { options?: z.core.$ZodType[] } | undefined)?.options;
      const allowed = orList((options ?? []).map(describeSchema));
      return `is not ${allowed} (got ${got}; allowed: ${allowed})`;
    }
    default:
      return undefined;
  }
}

/** Adds `(got VALUE; …)` to messages written as `what is wrong; allowed: …` without one. */
function withGot(message: string, input: unknown): string {
  if (message.includes("(got ")) return message;
  const i = message.indexOf("; allowed: ");
  if (i < 0) return `${message} (got ${showValue(input)})`;
  return `${message.slice(0, i)} (got ${showValue(input)}; allowed: ${message.slice(i + 11)})`;
}

/**
 * Turns zod issues into `ConfigIssue`s: full paths, one line per unknown key, and for a union
 * (a string, a list or an object) the problems of the branch the value was meant for.
 */
export function formatZodIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({
          path: formatPath([...path, key]),
          message: `is not a known field (got ${showValue(key)}; allowed: ${issue.message})`,
        });
      }
    } else if (issue.code === "invalid_key") {
      // A map key the key schema refused: its own problems, at the key's path.
      out.push(...formatZodIssues(issue.issues, path));
    } else if (issue.code === "invalid_union") {
      // The branches that got past the type check are the ones the user meant.
      const meant = issue.errors.filter(
        (branch) => !branch.some((i) => i.code === "invalid_type" && i.path.length === 0),
      );
      if (meant.length === 1) out.push(...formatZodIssues(meant[0]!, path));
      else out.push({ path: formatPath(path), message: issue.message });
    } else {
      out.push({ path: formatPath(path), message: withGot(issue.message, issue.input) });
    }
  }
  return out;
}
