/**
 * The `mailplane` resource provider: the engine's calls for every `mailplane:index:*` resource,
 * dispatched by type token to the same runtime the dynamic resources of earlier releases used
 * (`../runtime`'s `mailbox`, `alias`, ..., the zone-file, DKIM and PowerDNS providers), so the
 * safety rules (suspend on delete, claims on rename, refusal of a silent recreate) are the
 * runtime's, unchanged. What the plugin adds is what the dynamic host cannot carry: the
 * runtime's own `detailedDiff` and `replaces`, `read` for `pulumi import`, and state without
 * serialized provider code.
 */
import type * as pulumi from "@pulumi/pulumi";
import { zoneFileProvider } from "../runtime/zone-file";
import { RESOURCE_TYPES, typeToken, type ResourceKind } from "../resource-types";
import {
  alias,
  catchAll,
  configure,
  dkimKeyProvider,
  domainAlias,
  group,
  mailbox,
  powerDnsRecordsProvider,
  type PropertyDiff,
} from "../runtime";
import { schema } from "./schema";

/** The type token of the plugin's Mailbox. */
export const MAILBOX_TYPE = typeToken("Mailbox");

/** The engine's marker of a secret value in a Struct (`{ [SIG]: SECRET_SIG, value }`). */
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Where a dynamic resource of an earlier release kept its serialized provider. */
const DYNAMIC_PROVIDER_KEY = "__provider";

type Props = Record<string, unknown>;

/** The provider's answer to `diff`: pulumi's DiffResult plus a field-level diff. */
export interface DetailedDiffResult extends pulumi.provider.DiffResult {
  readonly detailedDiff?: Record<string, PropertyDiff>;
}

/** The runtime functions of one resource type (a dynamic provider's shape). */
interface Runtime {
  check?(
    olds: Props,
    news: Props,
  ): Promise<{ inputs?: Props; failures?: pulumi.provider.CheckFailure[] }>;
  diff?(
    id: string,
    olds: Props,
    news: Props,
  ): Promise<{
    changes?: boolean;
    replaces?: string[];
    deleteBeforeReplace?: boolean;
    detailedDiff?: Record<string, PropertyDiff>;
  }>;
  create(inputs: Props): Promise<{ id: string; outs?: object }>;
  read?(id: string, props?: Props): Promise<{ id?: string; props?: Props; inputs?: Props }>;
  update?(id: string, olds: Props, news: Props): Promise<{ outs?: object }>;
  delete?(id: string, props: Props): Promise<void>;
}

/** One served type: its runtime, and the fields kept secret whatever the program marked. */
interface Served {
  readonly runtime: Runtime;
  /**
   * Fields secret whatever arrived: a Mailbox's initial password (an input) and its fingerprint,
   * a DKIM private key. The plugin accepts secrets (it says so in `configure`), so marking them
   * is its job, not the engine's.
   */
  readonly secret: ReadonlySet<string>;
}

const SERVED: Record<ResourceKind, Served> = {
  Mailbox: { runtime: mailbox as Runtime, secret: new Set(["password", "passwordHash"]) },
  Alias: { runtime: alias as Runtime, secret: new Set() },
  MailGroup: { runtime: group as Runtime, secret: new Set() },
  CatchAll: { runtime: catchAll as Runtime, secret: new Set() },
  DomainAlias: { runtime: domainAlias as Runtime, secret: new Set() },
  ZoneFile: { runtime: zoneFileProvider as unknown as Runtime, secret: new Set() },
  DkimKey: { runtime: dkimKeyProvider as Runtime, secret: new Set(["privateKeyPem"]) },
  PowerDnsRecords: { runtime: powerDnsRecordsProvider as unknown as Runtime, secret: new Set() },
};

const BY_TOKEN = new Map<string, Served>(
  (Object.keys(RESOURCE_TYPES) as ResourceKind[]).map((k) => [typeToken(k), SERVED[k]]),
);

function isSecret(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as Props)[SIG] === SECRET_SIG;
}

/**
 * The properties with secrets unwrapped (the runtime works on plain values, as under the dynamic
 * host, which declines secrets), and the names of the top-level properties that were secret.
 */
export function unwrapSecrets(props: Props | undefined): { plain: Props; secret: Set<string> } {
  const secret = new Set<string>();
  const plain: Props = {};
  for (const [k, v] of Object.entries(props ?? {})) {
    if (containsSecret(v)) secret.add(k);
    plain[k] = reveal(v);
  }
  return { plain, secret };
}

function containsSecret(v: unknown): boolean {
  if (isSecret(v)) return true;
  if (Array.isArray(v)) return v.some(containsSecret);
  if (typeof v === "object" && v !== null) return Object.values(v).some(containsSecret);
  return false;
}

function reveal(v: unknown): unknown {
  if (isSecret(v)) return reveal(v.value);
  if (Array.isArray(v)) return v.map(reveal);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
  }
  return v;
}

/** `props` with the given top-level properties, and those always secret, marked secret. */
export function markSecrets(
  props: Props,
  secret: ReadonlySet<string>,
  always: ReadonlySet<string> = SERVED.Mailbox.secret,
): Props {
  return Object.fromEntries(
    Object.entries(props).map(([k, v]) =>
      (secret.has(k) || always.has(k)) && v !== undefined
        ? [k, { [SIG]: SECRET_SIG, value: v }]
        : [k, v],
    ),
  );
}

/** The type token of a URN (`urn:pulumi:stack::project::mailplane:index:Mailbox::name`). */
export function typeOfUrn(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.slice(qualified.lastIndexOf("$") + 1);
}

function servedFor(urn: string): Served & { readonly type: string } {
  const type = typeOfUrn(urn);
  const served = BY_TOKEN.get(type);
  if (served === undefined) {
    throw new Error(
      `the mailplane provider has no resource type ${JSON.stringify(type)}; it serves: ` +
        [...BY_TOKEN.keys()].join(", "),
    );
  }
  return { ...served, type };
}

/** `props` without a dynamic resource's serialized provider (state of an earlier release). */
function withoutDynamicProvider(props: Props): Props {
  if (!(DYNAMIC_PROVIDER_KEY in props)) return props;
  const { [DYNAMIC_PROVIDER_KEY]: _code, ...rest } = props;
  return rest;
}

/** The entries of `props` that have a value. */
function definedOnly(props: Props): Props {
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined));
}

/**
 * A field-level diff of the inputs a runtime compares without reporting one (zone file, DKIM
 * key, PowerDNS records): every declared input whose value differs, `…-replace` for those in
 * `replaces`.
 */
export function inputsDiff(
  inputKeys: readonly string[],
  olds: Props,
  news: Props,
  replaces: readonly string[],
): Record<string, PropertyDiff> {
  const out: Record<string, PropertyDiff> = {};
  for (const k of inputKeys) {
    const a = olds[k];
    const b = news[k];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    const kind = a === undefined ? "add" : b === undefined ? "delete" : "update";
    out[k] = {
      kind: replaces.includes(k) ? (`${kind}-replace` as PropertyDiff["kind"]) : kind,
      inputDiff: true,
    };
  }
  return out;
}

/**
 * The provider object `serve` hands to the gRPC server. Stateless across calls but for the
 * runtime's shared connections: every call reads what it needs (credentials come from the
 * environment of `pulumi`, else the stack config given to `configure`).
 */
export class MailplaneProvider implements pulumi.provider.Provider {
  readonly schema: string;
  private readonly inputKeys: Map<string, readonly string[]>;

  constructor(readonly version: string) {
    const s = schema(version) as {
      resources: Record<string, { inputProperties: Record<string, unknown> }>;
    };
    this.schema = JSON.stringify(s);
    this.inputKeys = new Map(
      Object.entries(s.resources).map(([t, r]) => [t, Object.keys(r.inputProperties)]),
    );
  }

  /**
   * Takes the stack configuration of the `mailplane` package: the runtime reads credentials
   * from `mailplane:<key>` when the environment has none, as under the dynamic provider.
   */
  async configure(variables: Record<string, string>): Promise<void> {
    await configure({
      config: { get: (key) => variables[key.replace(/^([^:]+):/, "$1:config:")] },
    });
  }

  async check(urn: string, olds: Props, news: Props): Promise<pulumi.provider.CheckResult> {
    const { runtime } = servedFor(urn);
    const o = unwrapSecrets(olds);
    const n = unwrapSecrets(news);
    if (runtime.check === undefined) return { inputs: news, failures: [] };
    const result = await runtime.check(withoutDynamicProvider(o.plain), n.plain);
    return {
      inputs: markSecrets(result.inputs ?? n.plain, n.secret, servedFor(urn).secret),
      failures: result.failures ?? [],
    };
  }

  /**
   * The runtime's comparison of the old outputs (refreshed, when refresh ran: drift shows here)
   * with the new inputs. A field whose declared value did not change (`oldInputs` equal to the
   * new) differs from what is live: drift, marked `inputDiff: false` so the engine shows the live
   * value against the declared one. A resource still holding a dynamic provider (state of an
   * earlier release) is an update without a request, so its state is rewritten without the code.
   */
  async diff(
    id: string,
    urn: string,
    olds: Props,
    news: Props,
    oldInputs?: Props,
  ): Promise<DetailedDiffResult> {
    const { runtime, type } = servedFor(urn);
    const o = unwrapSecrets(olds).plain;
    const n = unwrapSecrets(news).plain;
    const plain = withoutDynamicProvider(o);
    const result =
      runtime.diff === undefined
        ? { changes: undefined, replaces: [] }
        : await runtime.diff(id, plain, n);
    const replaces = result.replaces ?? [];
    const detailedDiff =
      result.detailedDiff ??
      (result.changes === false
        ? {}
        : inputsDiff(this.inputKeys.get(type) ?? [], plain, n, replaces));
    if (oldInputs !== undefined) {
      const before = unwrapSecrets(oldInputs).plain;
      for (const [k, d] of Object.entries(detailedDiff)) {
        if (d.inputDiff && k in before && JSON.stringify(before[k]) === JSON.stringify(n[k])) {
          detailedDiff[k] = { ...d, inputDiff: false };
        }
      }
    }
    const upgrade = plain !== o;
    if (upgrade) detailedDiff[DYNAMIC_PROVIDER_KEY] = { kind: "delete", inputDiff: false };
    return {
      changes: upgrade || (result.changes ?? Object.keys(detailedDiff).length > 0),
      replaces,
      deleteBeforeReplace: result.deleteBeforeReplace ?? false,
      detailedDiff,
    };
  }

  async create(urn: string, inputs: Props): Promise<pulumi.provider.CreateResult> {
    const { runtime, secret: always } = servedFor(urn);
    const { plain, secret } = unwrapSecrets(inputs);
    const { id, outs } = await runtime.create(plain);
    return { id, outs: markSecrets((outs as Props | undefined) ?? plain, secret, always) };
  }

  async read(id: string, urn: string, props?: Props): Promise<pulumi.provider.ReadResult> {
    const { runtime, secret: always } = servedFor(urn);
    const { plain, secret } = unwrapSecrets(props);
    const old = withoutDynamicProvider(plain);
    const result = runtime.read === undefined ? { id, props: old } : await runtime.read(id, old);
    // Gone at the provider: an empty id tells the engine so.
    if (result.id === undefined || result.id === "") return { id: "", props: {} };
    return {
      id: result.id,
      props: markSecrets(withoutDynamicProvider(result.props ?? {}), secret, always),
      ...(result.inputs === undefined
        ? {}
        : { inputs: markSecrets(withoutDynamicProvider(result.inputs), secret, always) }),
    };
  }

  async update(
    id: string,
    urn: string,
    olds: Props,
    news: Props,
  ): Promise<pulumi.provider.UpdateResult> {
    const { runtime, secret: always } = servedFor(urn);
    const n = unwrapSecrets(news);
    const o = await this.upgradeOnly(id, runtime, olds, n.plain);
    if (o !== undefined) return { outs: markSecrets(o.outs, o.secret, always) };
    const old = withoutDynamicProvider(unwrapSecrets(olds).plain);
    const outs =
      runtime.update === undefined
        ? { ...old, ...definedOnly(n.plain) }
        : ((await runtime.update(id, old, n.plain)).outs as Props | undefined);
    return { outs: markSecrets(outs ?? n.plain, n.secret, always) };
  }

  /**
   * A preview's update: the outputs the update will write when they are known now (state of an
   * earlier release whose only change is losing its serialized provider: the old outputs, so a
   * DKIM key's public key stays known to the zone file that prints it), else the new inputs, as
   * the engine would answer.
   */
  async previewUpdate(id: string, urn: string, olds: Props, news: Props): Promise<{ outs: Props }> {
    const { runtime, secret: always } = servedFor(urn);
    const o = await this.upgradeOnly(id, runtime, olds, unwrapSecrets(news).plain);
    return { outs: o === undefined ? news : markSecrets(o.outs, o.secret, always) };
  }

  /**
   * When `olds` is state of an earlier release (a dynamic resource's, with its serialized
   * provider) and nothing else differs from `news`: the old outputs without the code, which is
   * all its update writes (no request to the provider). Otherwise undefined.
   */
  private async upgradeOnly(
    id: string,
    runtime: Runtime,
    olds: Props,
    news: Props,
  ): Promise<{ outs: Props; secret: Set<string> } | undefined> {
    const { plain, secret } = unwrapSecrets(olds);
    const outs = withoutDynamicProvider(plain);
    if (outs === plain) return undefined;
    if (runtime.diff !== undefined && (await runtime.diff(id, outs, news)).changes) {
      return undefined;
    }
    return { outs, secret };
  }

  async delete(id: string, urn: string, props: Props): Promise<void> {
    const { runtime } = servedFor(urn);
    await runtime.delete?.(id, withoutDynamicProvider(unwrapSecrets(props).plain));
  }
}
