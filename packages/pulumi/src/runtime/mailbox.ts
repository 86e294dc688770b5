import type { MailboxInput, MailboxPatch, MailboxState } from "@mailplane/providers";
import { mailboxSettingProblems } from "@mailplane/core";
import { ConflictError } from "@mailplane/providers";
import { z } from "zod";
import {
  adapterEntry,
  accountKindFailures,
  capabilityFailures,
  claimAddresses,
  connect,
  isAddressClaimed,
  scopeOf,
} from "./connections";
import {
  addressSchema,
  checkInputs,
  connectionFields,
  containsUnknown,
  differsConflict,
  diffFields,
  formatId,
  isKind,
  isoDateSchema,
  localPartSchema,
  parseInputs,
  passwordHash,
  readTarget,
  same,
  setOf,
  UNKNOWN,
  type AccountDiff,
  type Failure,
} from "./support";

/** The flat inputs of a `Mailbox` as the dynamic provider receives them. */
export const mailboxInputsSchema = z.strictObject({
  ...connectionFields,
  name: z
    .string({ error: "must be a string" })
    .min(1, { error: "must not be empty" })
    .max(256, { error: "must be at most 256 characters" }),
  department: z.string({ error: "must be a string" }).max(256).optional(),
  title: z.string({ error: "must be a string" }).max(256).optional(),
  givenName: z.string({ error: "must be a string" }).min(1).max(256).optional(),
  familyName: z.string({ error: "must be a string" }).min(1).max(256).optional(),
  profile: z.string({ error: "must be a string" }).min(1).max(256).optional(),
  quotaMb: z
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number of MiB" })
    .min(1, { error: "must be 1–1048576" })
    .max(1048576, { error: "must be 1–1048576" })
    .optional(),
  suspended: z.boolean({ error: "must be true or false" }).default(false),
  changePasswordAtNextLogin: z.boolean({ error: "must be true or false" }).default(false),
  require2fa: z.boolean({ error: "must be true or false" }).default(false),
  aliases: setOf(localPartSchema).default([]),
  forwardTo: setOf(addressSchema).default([]),
  keepUntil: isoDateSchema.optional(),
  recoveryEmail: addressSchema.optional(),
  onDelete: z
    .enum(["suspend", "delete"], { error: 'must be "suspend" or "delete"' })
    .default("suspend"),
  allowRecreate: z.boolean({ error: "must be true or false" }).default(false),
  shared: z.boolean({ error: "must be true or false" }).default(false),
  members: setOf(addressSchema).optional(),
  password: z
    .string({ error: "must be a string" })
    .min(1, { error: "must not be empty" })
    .max(1024, { error: "must be at most 1024 characters" })
    .optional(),
});

/** Mailbox inputs after validation and normalisation. */
export type MailboxInputs = z.output<typeof mailboxInputsSchema>;

/** What a `Mailbox` holds in state: the inputs (never the password) and the live fields. */
export interface MailboxOutputs extends Omit<MailboxInputs, "password"> {
  address: string;
  /** Whether the provider enforces two-step sign-in (Google's `isEnforcedIn2Sv`), when it says. */
  twoFactorEnforced?: boolean;
  /** sha256 of address and initial password; a secret output. */
  passwordHash?: string;
}

/** Fields the provider stores and reports; compared for adoption and refreshed by `read`. */
const LIVE_FIELDS = [
  "name",
  "department",
  "title",
  "quotaMb",
  "suspended",
  "aliases",
  "forwardTo",
] as const;
/** Optional fields: managed only when declared. */
const OPTIONAL_FIELDS: readonly string[] = ["department", "title", "quotaMb"];
/**
 * Declared-only fields the adapter receives on create and, when changed, on update; not read
 * back (a profile is Mailplane's word, mapped by the binding to an org unit or a licence).
 */
const PASSED_FIELDS = ["givenName", "familyName", "profile", "members"] as const;
/** Every field `diff` compares besides the address and password. */
const DIFF_FIELDS = [
  "apiUrl",
  ...LIVE_FIELDS,
  ...PASSED_FIELDS,
  "changePasswordAtNextLogin",
  "require2fa",
  "keepUntil",
  "recoveryEmail",
  "onDelete",
  "allowRecreate",
  "shared",
] as const;

type Props = Record<string, unknown>;

function outputsFrom(inputs: MailboxInputs, live: MailboxState): MailboxOutputs {
  const { password, ...rest } = inputs;
  // The engine's Struct encoding rejects `undefined` ("Unexpected struct type"): absent fields
  // are left out, never set to undefined.
  return dropUndefined({
    ...rest,
    address: `${inputs.localPart}@${inputs.domain}`,
    name: live.name,
    // Optional fields are managed only when declared; otherwise the provider's value is ignored.
    department:
      inputs.department === undefined ? undefined : (live.department ?? inputs.department),
    title: inputs.title === undefined ? undefined : (live.title ?? inputs.title),
    quotaMb: inputs.quotaMb === undefined ? undefined : (live.quotaMb ?? inputs.quotaMb),
    suspended: live.suspended,
    aliases: ownAliases(inputs.aliases, live),
    forwardTo: [...live.forwardTo].sort(),
    twoFactorEnforced: live.twoFactorEnforced,
    ...(password === undefined
      ? {}
      : { passwordHash: passwordHash(`${inputs.localPart}@${inputs.domain}`, password) }),
  }) as unknown as MailboxOutputs;
}

/**
 * The live aliases this mailbox manages: the ones it declares. Where a provider models mailbox
 * aliases as single-destination aliases (Migadu), a standalone alias such as `hr@ → ali@` reads
 * as one of ali's too; it belongs to its own `Alias` resource, so it is neither drift here nor
 * removed by an update of this mailbox.
 */
function ownAliases(declared: readonly string[], live: MailboxState): string[] {
  return [...live.aliases].filter((a) => declared.includes(a)).sort();
}

function describe(v: unknown): string {
  return v === undefined ? "(none)" : JSON.stringify(v);
}

/** The differences between a live mailbox and a declaration, as `field live ≠ declared`. */
function differences(inputs: MailboxInputs, live: MailboxState): string[] {
  const out: string[] = [];
  const declared: Props = { ...inputs };
  const actual: Props = { ...live, aliases: ownAliases(inputs.aliases, live) };
  actual.forwardTo = [...live.forwardTo].sort();
  for (const f of LIVE_FIELDS) {
    // Undeclared optional fields, and fields the provider does not report, cannot conflict.
    if (OPTIONAL_FIELDS.includes(f) && (declared[f] === undefined || actual[f] === undefined)) {
      continue;
    }
    if (!same(actual[f], declared[f])) {
      out.push(`${f} ${describe(actual[f])} at the provider, ${describe(declared[f])} declared`);
    }
  }
  return out;
}

function toInput(i: MailboxInputs): MailboxInput {
  return {
    domain: i.domain,
    localPart: i.localPart,
    name: i.name,
    quotaMb: i.quotaMb,
    suspended: i.suspended,
    aliases: i.aliases,
    forwardTo: i.forwardTo,
    department: i.department,
    title: i.title,
    password: i.password,
    recoveryEmail: i.recoveryEmail,
    changePasswordAtNextLogin: i.changePasswordAtNextLogin,
    require2fa: i.require2fa,
    givenName: i.givenName,
    familyName: i.familyName,
    profile: i.profile,
    shared: i.shared,
    members: i.members,
  };
}

function conflict(inputs: MailboxInputs, diffs: string[]): ConflictError {
  return differsConflict("mailbox", "createMailbox", inputs, diffs);
}

/** Check-time failures for settings the provider kind cannot honour; unknown values pass. */
function settingFailures(inputs: Props): Failure[] {
  return capabilityFailures(inputs.mailProvider, (caps, who) => {
    const kindFailures = accountKindFailures("mailbox", inputs.mailProvider);
    if (kindFailures.length > 0) return kindFailures;
    const known = (v: unknown) => v !== undefined && !containsUnknown(v);
    const failures: Failure[] = mailboxSettingProblems(
      {
        quotaMb: known(inputs.quotaMb) ? (inputs.quotaMb as number) : undefined,
        suspended: inputs.suspended === true,
        password: known(inputs.password),
        changePasswordAtNextLogin: inputs.changePasswordAtNextLogin === true,
        require2fa: inputs.require2fa === true,
      },
      caps,
    ).map((p) => ({ property: p.field, reason: `mailProvider ${who} ${p.message}` }));
    if (inputs.shared === true && !caps.sharedMailboxes) {
      failures.push({
        property: "shared",
        reason: `mailProvider ${who} has no shared mailboxes; remove shared and use an Alias or MailGroup with several members`,
      });
    }
    const { mailboxProblems } = adapterEntry(String(inputs.mailProvider));
    if (mailboxProblems !== undefined && !containsUnknown([inputs.apiUrl, inputs.profile])) {
      const problems = mailboxProblems(inputs.apiUrl as string | undefined, {
        ...(typeof inputs.profile === "string" ? { profile: inputs.profile } : {}),
        require2fa: inputs.require2fa === true,
        shared: inputs.shared === true,
        ...Object.fromEntries(
          (["name", "department", "title"] as const)
            .filter((f) => typeof inputs[f] === "string" && !containsUnknown(inputs[f]))
            .map((f) => [f, inputs[f] as string]),
        ),
      });
      for (const p of problems) {
        failures.push({ property: p.field, reason: `mailProvider ${who} ${p.message}` });
      }
    }
    const aliases = inputs.aliases;
    if (Array.isArray(aliases) && aliases.length > caps.aliasesPerMailbox) {
      failures.push({
        property: "aliases",
        reason:
          caps.aliasesPerMailbox === 0
            ? `mailProvider ${who} cannot give a mailbox extra addresses; remove aliases and use Alias resources`
            : `mailProvider ${who} allows at most ${caps.aliasesPerMailbox} aliases per mailbox (got ${aliases.length}); move the rest to Alias resources`,
      });
    }
    return failures;
  });
}

/**
 * The Mailbox dynamic provider's implementation. The serialized shim calls these through
 * `require("@mailplane/pulumi/runtime")` at call time.
 */
export const mailbox = {
  /**
   * Validates and normalises inputs; one failure per property. A setting the provider cannot
   * honour (a quota on Migadu, say) fails here, at preview, instead of being silently ignored.
   */
  async check(_olds: Props, news: Props): Promise<{ inputs: Props; failures: Failure[] }> {
    const result = checkInputs(mailboxInputsSchema, news);
    if (result.failures.length > 0) return result;
    return { ...result, failures: settingFailures(result.inputs) };
  },

  /**
   * Exact changes. A change of address the provider cannot make in place (a rename without
   * `renameInPlace`, another domain or provider) is refused here, at preview, unless the
   * mailbox sets `allowRecreate: true`.
   */
  async diff(_id: string, olds: Props, news: Props): Promise<AccountDiff> {
    const result = diffFields(olds, news, ["mailProvider", "domain", "localPart", ...DIFF_FIELDS]);
    const moved = (["mailProvider", "domain", "localPart"] as const).filter(
      (f) => result.detailedDiff[f] !== undefined,
    );
    const renameOnly = moved.length === 1 && moved[0] === "localPart";
    const kind = String(news.mailProvider === UNKNOWN ? olds.mailProvider : news.mailProvider);
    const canRename = renameOnly && adapterEntry(kind).capabilities.renameInPlace;
    if (moved.length > 0 && !canRename) {
      if (news.allowRecreate !== true) {
        const from = `${String(olds.localPart)}@${String(olds.domain)} at ${String(olds.mailProvider)}`;
        const to = containsUnknown([news.localPart, news.domain, news.mailProvider])
          ? "an address not known until apply"
          : `${String(news.localPart)}@${String(news.domain)} at ${String(news.mailProvider)}`;
        const why = renameOnly
          ? `${kind} cannot rename a mailbox in place`
          : "a mailbox cannot move to another domain or provider in place";
        throw new Error(
          `mailbox ${from}: ${why} (${from} → ${to}). Nothing was changed. To create a new ` +
            `mailbox at the new address instead, set allowRecreate: true on this mailbox; the ` +
            `old mailbox is then suspended (its mail stays there), or deleted if it also sets ` +
            `onDelete: "delete".`,
        );
      }
      for (const f of moved) {
        result.replaces.push(f);
        result.detailedDiff[f] = {
          kind: `${result.detailedDiff[f]!.kind.replace("-replace", "")}-replace` as never,
          inputDiff: true,
        };
      }
    }
    // The fingerprint is salted with the address it was made for (the old one on a rename).
    const address = `${String(olds.localPart)}@${String(olds.domain)}`;
    const newHash =
      typeof news.password === "string" && news.password !== UNKNOWN
        ? passwordHash(address, news.password)
        : news.password;
    if (!same(olds.passwordHash, newHash) || containsUnknown(news.password)) {
      result.detailedDiff.password = {
        kind:
          olds.passwordHash === undefined
            ? "add"
            : news.password === undefined
              ? "delete"
              : "update",
        inputDiff: true,
      };
    }
    result.changes = Object.keys(result.detailedDiff).length > 0;
    return result;
  },

  /**
   * Creates the mailbox, or adopts one that already exists with the same content. One that
   * differs is a `ConflictError` naming `pulumi import`; nothing is changed then.
   */
  async create(raw: Props): Promise<{ id: string; outs: MailboxOutputs }> {
    const inputs = parseInputs(mailboxInputsSchema, "Mailbox", raw);
    const conn = connect(inputs.mailProvider, inputs.apiUrl);
    const id = formatId(inputs.mailProvider, inputs.domain, inputs.localPart);
    const { live, created } = await conn.mailboxes(inputs.domain).createOrFind(
      inputs.localPart,
      () => conn.adapter.createMailbox(toInput(inputs)),
      () => conn.adapter.getMailbox(inputs.domain, inputs.localPart),
    );
    if (!created) {
      const diffs = differences(inputs, live);
      if (diffs.length > 0) throw conflict(inputs, diffs);
    }
    claimAddresses(inputs, [inputs.localPart, ...inputs.aliases]);
    return { id, outs: outputsFrom(inputs, live) };
  },

  /**
   * Refresh and import. Reads come from one shared (paged) list per provider process. For an
   * import (`migadu/acme.com/alice`), the inputs are rebuilt from the live mailbox.
   */
  async read(
    id: string,
    props: Props = {},
  ): Promise<{ id?: string; props?: Props; inputs?: Props }> {
    const { importing, apiUrl, ...where } = readTarget("Mailbox", id, props);
    const live = await connect(where.provider, apiUrl).mailboxes(where.domain).get(where.localPart);
    if (live === undefined) return {};
    const base = mailboxInputsSchema.parse({
      mailProvider: where.provider,
      ...(apiUrl === undefined ? {} : { apiUrl }),
      domain: where.domain,
      localPart: where.localPart,
      name: live.name,
      ...(importing
        ? dropUndefined({
            quotaMb: live.quotaMb,
            department: live.department,
            title: live.title,
            aliases: live.aliases,
          })
        : pick(props, [...OPTIONAL_FIELDS, "aliases"])),
      ...pick(props, [
        "changePasswordAtNextLogin",
        "require2fa",
        "keepUntil",
        "onDelete",
        "allowRecreate",
        "shared",
        ...PASSED_FIELDS,
      ]),
    });
    const outs: Props = { ...outputsFrom(base, live) };
    if (typeof props.passwordHash === "string") outs.passwordHash = props.passwordHash;
    if (!importing) return { id, props: outs };
    const { address: _a, passwordHash: _p, ...inputs } = outs;
    return { id, props: outs, inputs: dropUndefined(inputs) };
  },

  /** Applies the changed fields (renaming in place when the provider can); full outputs. */
  async update(_id: string, olds: Props, raw: Props): Promise<{ outs: MailboxOutputs }> {
    const inputs = parseInputs(mailboxInputsSchema, "Mailbox", raw);
    const conn = connect(inputs.mailProvider, inputs.apiUrl);
    const listing = conn.mailboxes(inputs.domain);
    let renamed: MailboxState | undefined;
    if (olds.localPart !== inputs.localPart) {
      if (!conn.capabilities.renameInPlace || conn.adapter.renameMailbox === undefined) {
        throw new Error(
          `mailbox ${String(olds.localPart)}@${inputs.domain}: ${inputs.mailProvider} cannot ` +
            `rename a mailbox in place; set allowRecreate: true to create a new one`,
        );
      }
      renamed = await conn.adapter.renameMailbox(
        inputs.domain,
        String(olds.localPart),
        inputs.localPart,
      );
      listing.remove(String(olds.localPart));
      listing.put(renamed);
    }
    const patch: MailboxPatch = {};
    const desired = toInput(inputs) as unknown as Props;
    for (const f of [
      ...LIVE_FIELDS,
      ...PASSED_FIELDS,
      "changePasswordAtNextLogin",
      "require2fa",
    ] as const) {
      if (desired[f] === undefined && OPTIONAL_FIELDS.includes(f)) continue;
      if (desired[f] === undefined && olds[f] === undefined) continue;
      if (!same(olds[f], desired[f])) (patch as Props)[f] = desired[f];
    }
    if (patch.aliases !== undefined) {
      // Only aliases this mailbox declared before are removed, and not those another resource of
      // this deployment now declares (an address moved to an alias or group, which Mailbox
      // resources wait for: see createAccountResources). Others delivering to it stay.
      const before = Array.isArray(olds.aliases) ? (olds.aliases as string[]) : [];
      const current = (await listing.get(inputs.localPart))?.aliases ?? [];
      const moved = before.filter(
        (a) => !inputs.aliases.includes(a) && isAddressClaimed(inputs, a),
      );
      const kept = current.filter((a) => !before.includes(a));
      patch.aliases = inputs.aliases;
      const keep = [...new Set([...kept, ...moved])].filter((a) => !inputs.aliases.includes(a));
      if (keep.length > 0) patch.keepAliases = keep.sort();
    }
    const oldAddress = `${String(olds.localPart)}@${String(olds.domain)}`;
    if (
      inputs.password !== undefined &&
      olds.passwordHash !== passwordHash(oldAddress, inputs.password)
    ) {
      patch.password = inputs.password;
    }
    let live: MailboxState;
    if (Object.keys(patch).length > 0) {
      live = await conn.adapter.updateMailbox(inputs.domain, inputs.localPart, patch);
      listing.put(live);
    } else {
      live = renamed ?? liveFromOutputs(inputs, olds);
    }
    claimAddresses(inputs, [inputs.localPart, ...inputs.aliases]);
    return { outs: outputsFrom(inputs, live) };
  },

  /**
   * Removal from code. Suspends the mailbox and keeps its forwarding (offboarding), unless the
   * last applied inputs set `onDelete: "delete"`: then the aliases it declared are removed (not
   * those another resource of this deployment now declares, nor aliases it never declared) and
   * the mailbox is deleted. A mailbox already gone is not an error.
   */
  async delete(_id: string, props: Props): Promise<void> {
    const scope = scopeOf(props);
    const { domain } = scope;
    const localPart = String(props.localPart);
    // Renamed (a new handle or component name): the new resource manages this mailbox now.
    if (isAddressClaimed(scope, localPart)) return;
    const conn = connect(scope.mailProvider, scope.apiUrl);
    const listing = conn.mailboxes(domain);
    try {
      if (props.onDelete === "delete") {
        const declared = Array.isArray(props.aliases) ? (props.aliases as string[]) : [];
        const remove = declared.filter((a) => !isAddressClaimed(scope, a));
        if (remove.length > 0) {
          const live = await conn.adapter.getMailbox(domain, localPart);
          if (live === undefined) {
            listing.remove(localPart);
            return;
          }
          const keep = live.aliases.filter((a) => !remove.includes(a));
          await conn.adapter.updateMailbox(domain, localPart, {
            aliases: [],
            ...(keep.length > 0 ? { keepAliases: keep } : {}),
          });
        }
        await conn.adapter.deleteMailbox(domain, localPart);
        listing.remove(localPart);
      } else {
        const forwardTo = Array.isArray(props.forwardTo) ? (props.forwardTo as string[]) : [];
        const live = await conn.adapter.updateMailbox(domain, localPart, {
          suspended: true,
          ...(forwardTo.length > 0 ? { forwardTo } : {}),
        });
        listing.put(live);
      }
    } catch (err) {
      if (!isKind(err, "NotFound")) throw err;
      listing.remove(localPart);
    }
  },
};

function pick(props: Props, keys: readonly string[]): Props {
  return Object.fromEntries(keys.filter((k) => props[k] !== undefined).map((k) => [k, props[k]]));
}

function dropUndefined(props: Props): Props {
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined));
}

function liveFromOutputs(inputs: MailboxInputs, olds: Props): MailboxState {
  return {
    domain: inputs.domain,
    localPart: inputs.localPart,
    name: String(olds.name),
    quotaMb: olds.quotaMb as number | undefined,
    suspended: olds.suspended === true,
    aliases: (olds.aliases as string[] | undefined) ?? [],
    forwardTo: (olds.forwardTo as string[] | undefined) ?? [],
    department: olds.department as string | undefined,
    title: olds.title as string | undefined,
    ...(typeof olds.twoFactorEnforced === "boolean"
      ? { twoFactorEnforced: olds.twoFactorEnforced }
      : {}),
  };
}
