import type { AliasState } from "@mailplane/providers";
import { z } from "zod";
import { accountKindFailures, claimAddresses, connect, deleteUnclaimed } from "./connections";
import {
  addressSchema,
  checkInputs,
  connectionFields,
  differsConflict,
  diffFields,
  formatId,
  isoDateSchema,
  parseInputs,
  readResult,
  readTarget,
  same,
  setOf,
  type AccountDiff,
  type Failure,
} from "./support";

/** The flat inputs of an `Alias` as the dynamic provider receives them. */
export const aliasInputsSchema = z.strictObject({
  ...connectionFields,
  destinations: setOf(addressSchema).refine((d) => d.length > 0, {
    error: "must list at least one address",
  }),
  expires: isoDateSchema.optional(),
});

/** Alias inputs after validation and normalisation. */
export type AliasInputs = z.output<typeof aliasInputsSchema>;

/** What an `Alias` holds in state. */
export interface AliasOutputs extends AliasInputs {
  address: string;
}

type Props = Record<string, unknown>;

function outputsFrom(inputs: AliasInputs, live: AliasState): AliasOutputs {
  return {
    ...inputs,
    address: `${inputs.localPart}@${inputs.domain}`,
    destinations: [...live.destinations].sort(),
  };
}

/**
 * The Alias dynamic provider's implementation. An alias holds no mail, so removing it from code
 * deletes it, and a new address replaces it.
 */
export const alias = {
  /** Validates and normalises inputs; one failure per property. */
  async check(_olds: Props, news: Props): Promise<{ inputs: Props; failures: Failure[] }> {
    const result = checkInputs(aliasInputsSchema, news);
    return {
      inputs: result.inputs,
      failures: [...result.failures, ...accountKindFailures("alias", news.mailProvider)],
    };
  },

  /** Exact changes; a new address, domain or provider replaces the alias. */
  async diff(_id: string, olds: Props, news: Props): Promise<AccountDiff> {
    return diffFields(
      olds,
      news,
      ["mailProvider", "apiUrl", "domain", "localPart", "destinations", "expires"],
      ["mailProvider", "domain", "localPart"],
    );
  },

  /** Creates the alias, or adopts an identical one; a different one is a `ConflictError`. */
  async create(raw: Props): Promise<{ id: string; outs: AliasOutputs }> {
    const inputs = parseInputs(aliasInputsSchema, "Alias", raw);
    const conn = connect(inputs.mailProvider, inputs.apiUrl);
    const id = formatId(inputs.mailProvider, inputs.domain, inputs.localPart);
    const { live, created } = await conn.aliases(inputs.domain).createOrFind(
      inputs.localPart,
      () =>
        conn.adapter.createAlias({
          domain: inputs.domain,
          localPart: inputs.localPart,
          destinations: inputs.destinations,
        }),
      () => conn.adapter.getAlias(inputs.domain, inputs.localPart),
    );
    const actual = [...live.destinations].sort();
    if (!created && !same(actual, inputs.destinations)) {
      throw differsConflict("alias", "createAlias", inputs, [
        `destinations ${JSON.stringify(actual)} at the provider, ` +
          `${JSON.stringify(inputs.destinations)} declared`,
      ]);
    }
    claimAddresses(inputs, [inputs.localPart]);
    return { id, outs: outputsFrom(inputs, live) };
  },

  /** Refresh and import (`migadu/acme.com/info`), from one shared list per process. */
  async read(
    id: string,
    props: Props = {},
  ): Promise<{ id?: string; props?: Props; inputs?: Props }> {
    const { importing, apiUrl, ...where } = readTarget("Alias", id, props);
    const live = await connect(where.provider, apiUrl).aliases(where.domain).get(where.localPart);
    if (live === undefined) return {};
    const inputs: AliasInputs = {
      mailProvider: where.provider,
      ...(apiUrl === undefined ? {} : { apiUrl }),
      domain: where.domain,
      localPart: where.localPart,
      destinations: [...live.destinations].sort(),
      ...(typeof props.expires === "string" ? { expires: props.expires } : {}),
    };
    const outs = outputsFrom(inputs, live);
    return readResult(importing, id, outs, inputs);
  },

  /** Sets the destinations; full outputs. */
  async update(_id: string, olds: Props, raw: Props): Promise<{ outs: AliasOutputs }> {
    const inputs = parseInputs(aliasInputsSchema, "Alias", raw);
    const conn = connect(inputs.mailProvider, inputs.apiUrl);
    let live: AliasState = {
      domain: inputs.domain,
      localPart: inputs.localPart,
      destinations: (olds.destinations as string[] | undefined) ?? [],
    };
    if (!same(olds.destinations, inputs.destinations)) {
      live = await conn.adapter.updateAlias(inputs.domain, inputs.localPart, inputs.destinations);
      conn.aliases(inputs.domain).put(live);
    }
    claimAddresses(inputs, [inputs.localPart]);
    return { outs: outputsFrom(inputs, live) };
  },

  /**
   * Deletes the alias (one already gone is not an error), unless a renamed resource of this
   * deployment manages it now.
   */
  async delete(_id: string, props: Props): Promise<void> {
    await deleteUnclaimed("alias", props);
  },
};
