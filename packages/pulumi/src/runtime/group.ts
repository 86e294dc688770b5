import { groupSendersProblem, groupSendersSchema } from "@mailplane/core";
import type { GroupState } from "@mailplane/providers";
import { z } from "zod";
import {
  accountKindFailures,
  capabilityFailures,
  claimAddresses,
  connect,
  deleteUnclaimed,
} from "./connections";
import {
  addressSchema,
  checkInputs,
  connectionFields,
  differsConflict,
  diffFields,
  formatId,
  parseInputs,
  readResult,
  readTarget,
  same,
  setOf,
  type AccountDiff,
  type Failure,
} from "./support";

/** The flat inputs of a `MailGroup` as the dynamic provider receives them. */
export const groupInputsSchema = z.strictObject({
  ...connectionFields,
  name: z
    .string({ error: "must be a string" })
    .min(1, { error: "must not be empty" })
    .max(256, { error: "must be at most 256 characters" }),
  members: setOf(addressSchema),
  /** Who may send to the group; absent: not managed (the provider's default stays). */
  allowSenders: groupSendersSchema.optional(),
});

/** Group inputs after validation and normalisation. */
export type GroupInputs = z.output<typeof groupInputsSchema>;

/** What a `MailGroup` holds in state. */
export interface GroupOutputs extends GroupInputs {
  address: string;
  /**
   * `false` when the provider has nowhere to store the group's name (Migadu): `name` is then the
   * declared one, and neither diff, refresh nor adoption compares it. Absent otherwise.
   */
  nameStored?: false;
}

type Props = Record<string, unknown>;

function outputsFrom(inputs: GroupInputs, live: GroupState): GroupOutputs {
  return {
    ...inputs,
    address: `${inputs.localPart}@${inputs.domain}`,
    name: live.name ?? inputs.name,
    members: [...live.members].sort(),
    // Only a declared setting is recorded: a group without one previews no change.
    ...(inputs.allowSenders === undefined
      ? {}
      : { allowSenders: live.allowSenders ?? inputs.allowSenders }),
    ...(live.name === undefined ? { nameStored: false as const } : {}),
  };
}

/**
 * The check-time failure of an `allowSenders` the provider cannot enforce, in core's wording:
 * `mailProvider "googleWorkspace" cannot restrict who may send to a group (allowSenders: …)`.
 */
function allowSendersFailures(news: Props): Failure[] {
  const value = groupSendersSchema.safeParse(news.allowSenders);
  if (!value.success) return [];
  return capabilityFailures(news.mailProvider, (caps, who) => {
    const problem = groupSendersProblem(value.data, caps);
    return problem === undefined
      ? []
      : [{ property: "allowSenders", reason: `mailProvider ${who} ${problem}` }];
  });
}

/**
 * The MailGroup dynamic provider's implementation. A group holds no mail, so removing it from
 * code deletes it, and a new address replaces it.
 */
export const group = {
  /** Validates and normalises inputs; one failure per property. */
  async check(_olds: Props, news: Props): Promise<{ inputs: Props; failures: Failure[] }> {
    const result = checkInputs(groupInputsSchema, news);
    return {
      inputs: result.inputs,
      failures: [
        ...result.failures,
        ...accountKindFailures("group", news.mailProvider),
        ...allowSendersFailures(news),
      ],
    };
  },

  /**
   * Exact changes; a new address, domain or provider replaces the group. The name is not
   * compared when the provider does not store it (`nameStored: false` in state).
   */
  async diff(_id: string, olds: Props, news: Props): Promise<AccountDiff> {
    const name = olds.nameStored === false ? [] : ["name"];
    return diffFields(
      olds,
      news,
      ["mailProvider", "apiUrl", "domain", "localPart", ...name, "members", "allowSenders"],
      ["mailProvider", "domain", "localPart"],
    );
  },

  /** Creates the group, or adopts an identical one; a different one is a `ConflictError`. */
  async create(raw: Props): Promise<{ id: string; outs: GroupOutputs }> {
    const inputs = parseInputs(groupInputsSchema, "MailGroup", raw);
    const conn = connect(inputs.mailProvider, inputs.apiUrl);
    const id = formatId(inputs.mailProvider, inputs.domain, inputs.localPart);
    const { live, created } = await conn.groups(inputs.domain).createOrFind(
      inputs.localPart,
      () =>
        conn.adapter.createGroup({
          domain: inputs.domain,
          localPart: inputs.localPart,
          name: inputs.name,
          members: inputs.members,
          ...(inputs.allowSenders === undefined ? {} : { allowSenders: inputs.allowSenders }),
        }),
      () => conn.adapter.getGroup(inputs.domain, inputs.localPart),
    );
    const diffs: string[] = [];
    // A provider that stores no name (undefined) cannot disagree about it.
    if (live.name !== undefined && live.name !== inputs.name) {
      diffs.push(
        `name ${JSON.stringify(live.name)} at the provider, ${JSON.stringify(inputs.name)} declared`,
      );
    }
    const actual = [...live.members].sort();
    if (!same(actual, inputs.members)) {
      diffs.push(
        `members ${JSON.stringify(actual)} at the provider, ${JSON.stringify(inputs.members)} declared`,
      );
    }
    if (
      inputs.allowSenders !== undefined &&
      live.allowSenders !== undefined &&
      live.allowSenders !== inputs.allowSenders
    ) {
      diffs.push(
        `allowSenders ${JSON.stringify(live.allowSenders)} at the provider, ${JSON.stringify(inputs.allowSenders)} declared`,
      );
    }
    if (!created && diffs.length > 0) throw differsConflict("group", "createGroup", inputs, diffs);
    claimAddresses(inputs, [inputs.localPart]);
    return { id, outs: outputsFrom(inputs, live) };
  },

  /** Refresh and import (`migadu/acme.com/all-staff`), from one shared list per process. */
  async read(
    id: string,
    props: Props = {},
  ): Promise<{ id?: string; props?: Props; inputs?: Props }> {
    const { importing, apiUrl, ...where } = readTarget("MailGroup", id, props);
    const live = await connect(where.provider, apiUrl).groups(where.domain).get(where.localPart);
    if (live === undefined) return {};
    const inputs: GroupInputs = {
      mailProvider: where.provider,
      ...(apiUrl === undefined ? {} : { apiUrl }),
      domain: where.domain,
      localPart: where.localPart,
      // Not stored by the provider: refresh keeps the name in state; an import takes the local part.
      name: live.name ?? (typeof props.name === "string" ? props.name : where.localPart),
      members: [...live.members].sort(),
      // Refresh reads the setting only when the resource manages it; an import when it is one.
      ...(live.allowSenders !== undefined && (importing || props.allowSenders !== undefined)
        ? { allowSenders: live.allowSenders }
        : {}),
    };
    const outs = outputsFrom(inputs, live);
    return readResult(importing, id, outs, inputs);
  },

  /** Sets the name and members that changed; full outputs. */
  async update(_id: string, olds: Props, raw: Props): Promise<{ outs: GroupOutputs }> {
    const inputs = parseInputs(groupInputsSchema, "MailGroup", raw);
    const conn = connect(inputs.mailProvider, inputs.apiUrl);
    const nameStored = olds.nameStored !== false;
    const patch: Partial<Pick<GroupState, "name" | "members" | "allowSenders">> = {};
    if (nameStored && olds.name !== inputs.name) patch.name = inputs.name;
    if (!same(olds.members, inputs.members)) patch.members = inputs.members;
    if (inputs.allowSenders !== undefined && olds.allowSenders !== inputs.allowSenders) {
      patch.allowSenders = inputs.allowSenders;
    }
    let live: GroupState = {
      domain: inputs.domain,
      localPart: inputs.localPart,
      ...(nameStored ? { name: String(olds.name) } : {}),
      members: (olds.members as string[] | undefined) ?? [],
      ...(typeof olds.allowSenders === "string"
        ? { allowSenders: olds.allowSenders as GroupState["allowSenders"] }
        : {}),
    };
    if (Object.keys(patch).length > 0) {
      live = await conn.adapter.updateGroup(inputs.domain, inputs.localPart, patch);
      conn.groups(inputs.domain).put(live);
    }
    claimAddresses(inputs, [inputs.localPart]);
    return { outs: outputsFrom(inputs, live) };
  },

  /**
   * Deletes the group (one already gone is not an error), unless a renamed resource of this
   * deployment manages it now.
   */
  async delete(_id: string, props: Props): Promise<void> {
    await deleteUnclaimed("group", props);
  },
};
