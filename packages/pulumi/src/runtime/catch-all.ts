import type { MailProvider } from "@mailplane/providers";
import { ConflictError } from "@mailplane/providers";
import { z } from "zod";
import { accountKindFailures, claimAccount, connect, isAccountClaimed } from "./connections";
import {
  addressSchema,
  checkInputs,
  connectionFields,
  diffFields,
  domainSchema,
  parseInputs,
  readResult,
  same,
  setOf,
  type AccountDiff,
  type Failure,
} from "./support";

/** The flat inputs of a `CatchAll` as the dynamic provider receives them. */
export const catchAllInputsSchema = z.strictObject({
  mailProvider: connectionFields.mailProvider,
  apiUrl: connectionFields.apiUrl,
  domain: connectionFields.domain,
  destinations: setOf(addressSchema).refine((d) => d.length > 0, {
    error: "must list at least one address",
  }),
});

/** CatchAll inputs after validation and normalisation. */
export type CatchAllInputs = z.output<typeof catchAllInputsSchema>;

/** What a `CatchAll` holds in state. */
export interface CatchAllOutputs extends CatchAllInputs {
  /** The catch-all's pattern, `@domain`. */
  address: string;
}

type Props = Record<string, unknown>;

/** A CatchAll id: `<provider>/<domain>`, e.g. `selfHosted/acme.com`. */
export function catchAllId(provider: string, domain: string): string {
  return `${provider}/${domain}`;
}

function parseCatchAllId(id: string): { provider: string; domain: string } {
  const parts = id.split("/");
  if (parts.length !== 2 || parts[0] === "" || !domainSchema.safeParse(parts[1]).success) {
    throw new Error(
      `CatchAll id ${JSON.stringify(id)} is not <provider>/<domain>, e.g. selfHosted/acme.com`,
    );
  }
  return { provider: parts[0]!, domain: parts[1]! };
}

/** Check-time failure when the provider kind is known and cannot realise this. */
function capabilityFailure(kind: unknown): Failure[] {
  return accountKindFailures("catchAll", kind);
}

/** The adapter's catch-all methods; throws naming the provider when it has none. */
function catchAllApi(
  kind: string,
  adapter: MailProvider,
): Required<Pick<MailProvider, "getCatchAll" | "setCatchAll">> {
  const { getCatchAll, setCatchAll } = adapter;
  if (getCatchAll === undefined || setCatchAll === undefined) {
    throw new Error(`mailProvider ${JSON.stringify(kind)} has no catch-all`);
  }
  return { getCatchAll: getCatchAll.bind(adapter), setCatchAll: setCatchAll.bind(adapter) };
}

function outputsFrom(inputs: CatchAllInputs, live: string[]): CatchAllOutputs {
  return { ...inputs, address: `@${inputs.domain}`, destinations: [...live].sort() };
}

/**
 * The CatchAll dynamic provider's implementation: where mail to local parts nothing else claims
 * goes. It holds no mail, so removing it from code removes it (mail to unknown local parts is
 * then rejected), and another domain or provider replaces it.
 */
export const catchAll = {
  /** Validates and normalises inputs; refuses a provider kind without catch-all. */
  async check(_olds: Props, news: Props): Promise<{ inputs: Props; failures: Failure[] }> {
    const result = checkInputs(catchAllInputsSchema, news);
    return { ...result, failures: [...result.failures, ...capabilityFailure(news.mailProvider)] };
  },

  /** Exact changes; another domain or provider replaces the catch-all. */
  async diff(_id: string, olds: Props, news: Props): Promise<AccountDiff> {
    return diffFields(
      olds,
      news,
      ["mailProvider", "apiUrl", "domain", "destinations"],
      ["mailProvider", "domain"],
    );
  },

  /**
   * Sets the catch-all, or adopts an identical one; a domain that already has a different one
   * is a `ConflictError` (nothing changed) saying how to adopt it.
   */
  async create(raw: Props): Promise<{ id: string; outs: CatchAllOutputs }> {
    const inputs = parseInputs(catchAllInputsSchema, "CatchAll", raw);
    const conn = connect(inputs.mailProvider, inputs.apiUrl);
    const api = catchAllApi(inputs.mailProvider, conn.adapter);
    const id = catchAllId(inputs.mailProvider, inputs.domain);
    const live = await api.getCatchAll(inputs.domain);
    if (live === undefined) {
      await api.setCatchAll(inputs.domain, inputs.destinations);
      claimAccount("catchAll", inputs.mailProvider, inputs.apiUrl, inputs.domain, "*");
      return { id, outs: outputsFrom(inputs, inputs.destinations) };
    }
    const actual = [...live].sort();
    if (!same(actual, inputs.destinations)) {
      throw new ConflictError(
        { provider: inputs.mailProvider, operation: "setCatchAll" },
        `the catch-all of ${inputs.domain} already exists at ${inputs.mailProvider} and differs ` +
          `from the declaration: destinations ${JSON.stringify(actual)} at the provider, ` +
          `${JSON.stringify(inputs.destinations)} declared. Nothing was changed. To adopt it, ` +
          `declare its live destinations (create then adopts it without a write) and change ` +
          `them in a later update.`,
      );
    }
    claimAccount("catchAll", inputs.mailProvider, inputs.apiUrl, inputs.domain, "*");
    return { id, outs: outputsFrom(inputs, actual) };
  },

  /**
   * Refresh; gone when the domain has no catch-all. Also reads by id alone (`selfHosted/acme.com`)
   * for tools, although Pulumi cannot import dynamic-provider resources.
   */
  async read(
    id: string,
    props: Props = {},
  ): Promise<{ id?: string; props?: Props; inputs?: Props }> {
    const importing = typeof props.domain !== "string";
    const where = importing
      ? parseCatchAllId(id)
      : { provider: String(props.mailProvider), domain: props.domain as string };
    const apiUrl = typeof props.apiUrl === "string" ? props.apiUrl : undefined;
    const conn = connect(where.provider, apiUrl);
    const live = await catchAllApi(where.provider, conn.adapter).getCatchAll(where.domain);
    if (live === undefined) return {};
    const inputs: CatchAllInputs = {
      mailProvider: where.provider,
      ...(apiUrl === undefined ? {} : { apiUrl }),
      domain: where.domain,
      destinations: [...live].sort(),
    };
    const outs = outputsFrom(inputs, live);
    return readResult(importing, id, outs, inputs);
  },

  /** Sets the destinations; full outputs. */
  async update(_id: string, olds: Props, raw: Props): Promise<{ outs: CatchAllOutputs }> {
    const inputs = parseInputs(catchAllInputsSchema, "CatchAll", raw);
    if (!same(olds.destinations, inputs.destinations)) {
      const conn = connect(inputs.mailProvider, inputs.apiUrl);
      await catchAllApi(inputs.mailProvider, conn.adapter).setCatchAll(
        inputs.domain,
        inputs.destinations,
      );
    }
    claimAccount("catchAll", inputs.mailProvider, inputs.apiUrl, inputs.domain, "*");
    return { outs: outputsFrom(inputs, inputs.destinations) };
  },

  /**
   * Removes the catch-all (it holds no mail; one already gone is not an error), unless a
   * renamed resource of this deployment manages it now.
   */
  async delete(_id: string, props: Props): Promise<void> {
    const kind = String(props.mailProvider);
    const apiUrl = props.apiUrl as string | undefined;
    const domain = String(props.domain);
    if (isAccountClaimed("catchAll", kind, apiUrl, domain, "*")) return;
    const conn = connect(kind, apiUrl);
    await catchAllApi(kind, conn.adapter).setCatchAll(domain, undefined);
  },
};
