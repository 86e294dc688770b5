import type { MailProvider } from "@mailplane/providers";
import { z } from "zod";
import { accountKindFailures, claimAccount, connect, isAccountClaimed } from "./connections";
import {
  checkInputs,
  connectionFields,
  diffFields,
  domainSchema,
  isKind,
  parseInputs,
  readResult,
  type AccountDiff,
  type Failure,
} from "./support";

/** The flat inputs of a `DomainAlias` as the dynamic provider receives them. */
export const domainAliasInputsSchema = z.strictObject({
  mailProvider: connectionFields.mailProvider,
  apiUrl: connectionFields.apiUrl,
  domain: connectionFields.domain,
  /** Must differ from `domain` (checked by `check`). */
  aliasDomain: domainSchema,
});

/** DomainAlias inputs after validation. */
export type DomainAliasInputs = z.output<typeof domainAliasInputsSchema>;

/** What a `DomainAlias` holds in state (its inputs: nothing else is assigned). */
export type DomainAliasOutputs = DomainAliasInputs;

type Props = Record<string, unknown>;

/** A DomainAlias id: `<provider>/<domain>/<aliasDomain>`, e.g. `selfHosted/acme.com/acme.co`. */
export function domainAliasId(provider: string, domain: string, aliasDomain: string): string {
  return `${provider}/${domain}/${aliasDomain}`;
}

function parseDomainAliasId(id: string): {
  provider: string;
  domain: string;
  aliasDomain: string;
} {
  const parts = id.split("/");
  if (
    parts.length !== 3 ||
    parts[0] === "" ||
    !domainSchema.safeParse(parts[1]).success ||
    !domainSchema.safeParse(parts[2]).success
  ) {
    throw new Error(
      `DomainAlias id ${JSON.stringify(id)} is not <provider>/<domain>/<aliasDomain>, ` +
        `e.g. selfHosted/acme.com/acme.co`,
    );
  }
  return { provider: parts[0]!, domain: parts[1]!, aliasDomain: parts[2]! };
}

/** Check-time failure when a domain would be an alias of itself. */
function selfAliasFailure(news: Props): Failure[] {
  return typeof news.aliasDomain === "string" && news.aliasDomain === news.domain
    ? [
        {
          property: "aliasDomain",
          reason: `aliasDomain must differ from domain, got ${JSON.stringify(news.aliasDomain)}`,
        },
      ]
    : [];
}

/** Check-time failure when the provider kind is known and cannot realise this. */
function capabilityFailure(kind: unknown): Failure[] {
  return accountKindFailures("domainAlias", kind);
}

/** Claims the link for this deployment (see `claimAccount`): a renamed resource's delete keeps it. */
function claimLink(inputs: DomainAliasInputs): void {
  claimAccount(
    "domainAlias",
    inputs.mailProvider,
    inputs.apiUrl,
    inputs.domain,
    inputs.aliasDomain,
  );
}

/** The adapter's domain-alias methods; throws naming the provider when it has none. */
function domainAliasApi(
  kind: string,
  adapter: MailProvider,
): Required<Pick<MailProvider, "listDomainAliases" | "addDomainAlias" | "removeDomainAlias">> {
  const { listDomainAliases, addDomainAlias, removeDomainAlias } = adapter;
  if (
    listDomainAliases === undefined ||
    addDomainAlias === undefined ||
    removeDomainAlias === undefined
  ) {
    throw new Error(`mailProvider ${JSON.stringify(kind)} has no domain aliases`);
  }
  return {
    listDomainAliases: listDomainAliases.bind(adapter),
    addDomainAlias: addDomainAlias.bind(adapter),
    removeDomainAlias: removeDomainAlias.bind(adapter),
  };
}

/**
 * The DomainAlias dynamic provider's implementation: `aliasDomain` delivers like `domain`
 * (`x@acme.co` reaches whatever `x@acme.com` reaches). It holds no mail, so removing it from code
 * removes it; another domain or provider replaces it, deleting the old link first (an alias
 * domain can point at one domain only).
 */
export const domainAlias = {
  /** Validates inputs; refuses a provider kind without domain aliases. */
  async check(_olds: Props, news: Props): Promise<{ inputs: Props; failures: Failure[] }> {
    const result = checkInputs(domainAliasInputsSchema, news);
    return {
      ...result,
      failures: [
        ...result.failures,
        ...selfAliasFailure(news),
        ...capabilityFailure(news.mailProvider),
      ],
    };
  },

  /** Exact changes; anything but `apiUrl` replaces the link (delete first, then create). */
  async diff(_id: string, olds: Props, news: Props): Promise<AccountDiff> {
    const result = diffFields(
      olds,
      news,
      ["mailProvider", "apiUrl", "domain", "aliasDomain"],
      ["mailProvider", "domain", "aliasDomain"],
    );
    return { ...result, deleteBeforeReplace: result.replaces.length > 0 };
  },

  /** Links the alias domain, or adopts an existing identical link. */
  async create(raw: Props): Promise<{ id: string; outs: DomainAliasOutputs }> {
    const inputs = parseInputs(domainAliasInputsSchema, "DomainAlias", raw);
    const conn = connect(inputs.mailProvider, inputs.apiUrl);
    const api = domainAliasApi(inputs.mailProvider, conn.adapter);
    // Idempotent at the adapter: an existing link to `domain` is adopted, one to another domain
    // is a ConflictError that changes nothing.
    await api.addDomainAlias(inputs.domain, inputs.aliasDomain);
    claimLink(inputs);
    return {
      id: domainAliasId(inputs.mailProvider, inputs.domain, inputs.aliasDomain),
      outs: { ...inputs },
    };
  },

  /**
   * Refresh; gone when the link is gone. Also reads by id alone (`selfHosted/acme.com/acme.co`)
   * for tools, although Pulumi cannot import dynamic-provider resources.
   */
  async read(
    id: string,
    props: Props = {},
  ): Promise<{ id?: string; props?: Props; inputs?: Props }> {
    const importing = typeof props.domain !== "string" || typeof props.aliasDomain !== "string";
    const where = importing
      ? parseDomainAliasId(id)
      : {
          provider: String(props.mailProvider),
          domain: props.domain as string,
          aliasDomain: props.aliasDomain as string,
        };
    const apiUrl = typeof props.apiUrl === "string" ? props.apiUrl : undefined;
    const conn = connect(where.provider, apiUrl);
    const live = await domainAliasApi(where.provider, conn.adapter).listDomainAliases(where.domain);
    if (!live.includes(where.aliasDomain)) return {};
    const inputs: DomainAliasInputs = {
      mailProvider: where.provider,
      ...(apiUrl === undefined ? {} : { apiUrl }),
      domain: where.domain,
      aliasDomain: where.aliasDomain,
    };
    return readResult(importing, id, inputs, inputs);
  },

  /** Only `apiUrl` can change in place, which changes nothing at the provider. */
  async update(_id: string, _olds: Props, raw: Props): Promise<{ outs: DomainAliasOutputs }> {
    const inputs = parseInputs(domainAliasInputsSchema, "DomainAlias", raw);
    claimLink(inputs);
    return { outs: inputs };
  },

  /** Removes the link (the alias domain's mail is then rejected); one already gone is fine. */
  async delete(_id: string, props: Props): Promise<void> {
    const kind = String(props.mailProvider);
    const apiUrl = props.apiUrl as string | undefined;
    const domain = String(props.domain);
    const aliasDomain = String(props.aliasDomain);
    // Renamed (a new component name): the new resource manages this link now.
    if (isAccountClaimed("domainAlias", kind, apiUrl, domain, aliasDomain)) return;
    const conn = connect(kind, apiUrl);
    try {
      await domainAliasApi(kind, conn.adapter).removeDomainAlias(domain, aliasDomain);
    } catch (err) {
      if (!isKind(err, "NotFound")) throw err;
    }
  },
};
