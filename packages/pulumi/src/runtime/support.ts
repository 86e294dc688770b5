import { createHash } from "node:crypto";
import { ConflictError } from "@mailplane/providers";
import { z } from "zod";
import { isNormalizedAddress, isNormalizedDomain, isNormalizedLocalPart } from "@mailplane/core";

/** The value Pulumi sends for an input that is not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The serialized provider's own key; never part of our inputs or outputs. */
export const PROVIDER_KEY = "__provider";

/** A local part: lower-case RFC 5321 dot-atom, at most 64 characters (core's grammar). */
export const localPartSchema = z
  .string({ error: "must be a string" })
  .max(64, { error: "must be at most 64 characters (RFC 5321)" })
  .refine(isNormalizedLocalPart, {
    error: "must be a lower-case RFC 5321 dot-atom (a-z 0-9 !#$%&'*+/=?^_`{|}~- between dots)",
  });

/** A lower-case, punycode domain name (core's grammar). */
export const domainSchema = z
  .string({ error: "must be a string" })
  .max(253, { error: "must be at most 253 characters" })
  .refine(isNormalizedDomain, {
    error: "must be a lower-case punycode domain name such as acme.com",
  });

/** A full address `local@domain`, lower-case (core's grammar). */
export const addressSchema = z
  .string({ error: "must be a string" })
  .refine(isNormalizedAddress, { error: "must be a lower-case address local@domain" });

/** A sorted, de-duplicated list: order in code never shows up as a change. */
export function setOf<T extends z.ZodType<string>>(item: T) {
  return z.array(item, { error: "must be a list" }).transform((list) => [...new Set(list)].sort());
}

/** An ISO calendar date `YYYY-MM-DD`. */
export const isoDateSchema = z.iso.date({ error: "must be an ISO date YYYY-MM-DD" });

/** The provider kind and endpoint every account resource carries. */
export const connectionFields = {
  mailProvider: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }),
  apiUrl: z.url({ error: "must be an http(s) URL" }).optional(),
  domain: domainSchema,
  localPart: localPartSchema,
};

/** Fields whose values are never printed, not even in validation errors. */
const SECRET_FIELDS = new Set(["password", "passwordHash"]);

/** One Pulumi check failure. */
export interface Failure {
  property: string;
  reason: string;
}

/**
 * Validates inputs with a zod object schema. Unknown (preview) values are passed through
 * unvalidated; everything else is normalised. Failures name the property, the value (never a
 * secret's) and what is allowed.
 */
export function checkInputs<S extends z.ZodObject>(
  schema: S,
  news: Record<string, unknown>,
): { inputs: Record<string, unknown>; failures: Failure[] } {
  const known: Record<string, unknown> = {};
  const unknown: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(news)) {
    if (k === PROVIDER_KEY) continue;
    if (containsUnknown(v)) unknown[k] = v;
    else known[k] = v;
  }
  const mask = Object.fromEntries(Object.keys(unknown).map((k) => [k, true as const]));
  const result = (schema.omit(mask as never) as z.ZodObject).safeParse(known);
  if (result.success) return { inputs: { ...result.data, ...unknown }, failures: [] };
  const failures = result.error.issues.flatMap((issue): Failure[] => {
    if (issue.code === "unrecognized_keys") {
      const allowed = Object.keys(schema.shape).join(", ");
      return issue.keys.map((k) => ({
        property: k,
        reason: `${k} is not an input of this resource; allowed: ${allowed}`,
      }));
    }
    const property = issue.path.map(String).join(".");
    const top = String(issue.path[0] ?? "");
    let value: unknown = known;
    for (const p of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[p];
    // Never print a secret, nor the whole input object.
    const got =
      SECRET_FIELDS.has(top) || issue.path.length === 0
        ? "(value hidden)"
        : value === undefined
          ? "nothing"
          : JSON.stringify(value);
    return [{ property, reason: `${property} ${issue.message}, got ${got}` }];
  });
  return { inputs: news, failures };
}

/** Parses inputs that passed `check`; throws the joined failures otherwise. */
export function parseInputs<S extends z.ZodObject>(
  schema: S,
  resource: string,
  raw: Record<string, unknown>,
): z.output<S> {
  const { inputs, failures } = checkInputs(schema, raw);
  if (failures.length > 0) {
    throw new Error(`${resource}: invalid inputs: ${failures.map((f) => f.reason).join("; ")}`);
  }
  return inputs as z.output<S>;
}

/** True when a value is, or holds, a preview-time unknown. */
export function containsUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v !== null && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}

/** Structural equality of flat input values (strings, numbers, booleans, string lists). */
export function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  return a === b;
}

/**
 * How a Conflict tells the user to adopt an existing account: declare it as it exists (create
 * adopts it), or adopt it by id with `pulumi import`.
 */
export const ADOPT_HINT =
  "Make the declaration match what exists (create then adopts it without writing, or " +
  "`pulumi import` adopts it by id) and change it in a later update.";

/**
 * The `ConflictError` of a create that found its address taken by something that differs from
 * the declaration: one wording for every account resource (`alias hr@acme.com already exists at
 * migadu and differs from the declaration: ...`), nothing changed, how to adopt.
 */
export function differsConflict(
  what: "mailbox" | "alias" | "group",
  operation: string,
  inputs: { mailProvider: string; domain: string; localPart: string },
  diffs: string[],
): ConflictError {
  return new ConflictError(
    { provider: inputs.mailProvider, operation },
    `${what} ${inputs.localPart}@${inputs.domain} already exists at ${inputs.mailProvider} and ` +
      `differs from the declaration: ${diffs.join("; ")}. Nothing was changed. ${ADOPT_HINT}`,
  );
}

/** What `read` answers: the state, plus the inputs when importing. */
export function readResult(
  importing: boolean,
  id: string,
  outs: object,
  inputs: object,
): { id: string; props: Record<string, unknown>; inputs?: Record<string, unknown> } {
  return importing ? { id, props: { ...outs }, inputs: { ...inputs } } : { id, props: { ...outs } };
}

/**
 * A resource id: `<provider>/<domain>/<localPart>`, e.g. `migadu/acme.com/alice`; `read`
 * (refresh) accepts it.
 */
export function formatId(provider: string, domain: string, localPart: string): string {
  return `${provider}/${domain}/${localPart}`;
}

/** Splits an id made by `formatId`; throws naming the expected format. */
export function parseId(
  resource: string,
  id: string,
): { provider: string; domain: string; localPart: string } {
  const parts = id.split("/");
  if (
    parts.length !== 3 ||
    parts[0] === "" ||
    !domainSchema.safeParse(parts[1]).success ||
    !localPartSchema.safeParse(parts[2]).success
  ) {
    throw new Error(
      `${resource} id ${JSON.stringify(id)} is not <provider>/<domain>/<localPart>, ` +
        `e.g. migadu/acme.com/alice`,
    );
  }
  return { provider: parts[0]!, domain: parts[1]!, localPart: parts[2]! };
}

/** Where a `read` looks: the address in state on a refresh, the id's on an import. */
export function readTarget(
  resource: string,
  id: string,
  props: Record<string, unknown>,
): { importing: boolean; provider: string; domain: string; localPart: string; apiUrl?: string } {
  const importing = typeof props.localPart !== "string" || typeof props.domain !== "string";
  const where = importing
    ? parseId(resource, id)
    : {
        provider: String(props.mailProvider),
        domain: props.domain as string,
        localPart: props.localPart as string,
      };
  return {
    importing,
    ...where,
    ...(typeof props.apiUrl === "string" ? { apiUrl: props.apiUrl } : {}),
  };
}

/** A one-way fingerprint of an initial password, stored (as a secret) to detect changes. */
export function passwordHash(address: string, password: string): string {
  return createHash("sha256").update(`${address}\n${password}`).digest("hex");
}

/** True when an adapter error is of the given kind. */
export function isKind(err: unknown, kind: string): boolean {
  return typeof err === "object" && err !== null && (err as { kind?: unknown }).kind === kind;
}

/** One entry of Pulumi's detailed diff. */
export interface PropertyDiff {
  kind: "add" | "add-replace" | "delete" | "delete-replace" | "update" | "update-replace";
  inputDiff: boolean;
}

/**
 * What our `diff` returns: Pulumi's `DiffResult` plus `detailedDiff`, which engines that read it
 * use to print exactly the changed inputs.
 */
export interface AccountDiff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
  detailedDiff: Record<string, PropertyDiff>;
}

/**
 * Diffs flat fields of old outputs against new inputs. `replaceOn` lists fields whose change
 * needs a new object.
 */
export function diffFields(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  fields: readonly string[],
  replaceOn: readonly string[] = [],
): AccountDiff {
  const detailedDiff: Record<string, PropertyDiff> = {};
  const replaces: string[] = [];
  for (const f of fields) {
    const a = olds[f];
    const b = news[f];
    if (!containsUnknown(b) && same(a, b)) continue;
    const replace = replaceOn.includes(f);
    if (replace) replaces.push(f);
    const kind = a === undefined ? "add" : b === undefined ? "delete" : "update";
    detailedDiff[f] = {
      kind: replace ? (`${kind}-replace` as PropertyDiff["kind"]) : kind,
      inputDiff: true,
    };
  }
  return {
    changes: Object.keys(detailedDiff).length > 0,
    replaces,
    deleteBeforeReplace: false,
    detailedDiff,
  };
}
