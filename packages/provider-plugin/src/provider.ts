/**
 * The `mailplane` resource provider: the engine's calls for `mailplane:index:Mailbox`, dispatched
 * to the same runtime the dynamic `Mailbox` uses (`@mailplane/pulumi/runtime`'s `mailbox`), so
 * the safety rules (suspend on delete, claims on rename, refusal of a silent recreate) are the
 * runtime's, unchanged. What the plugin adds is what the dynamic host cannot carry: the runtime's
 * own `detailedDiff` and `replaces`, and `read` for `pulumi import`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { configure, mailbox, type AccountDiff } from "@mailplane/pulumi/runtime";
import { schema } from "./schema";

/** The type token of the plugin's Mailbox. */
export const MAILBOX_TYPE = "mailplane:index:Mailbox";

/** The engine's marker of a secret value in a Struct (`{ [SIG]: SECRET_SIG, value }`). */
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

type Props = Record<string, unknown>;

/** The provider's answer to `diff`: pulumi's DiffResult plus the runtime's field-level diff. */
export interface DetailedDiffResult extends pulumi.provider.DiffResult {
  readonly detailedDiff?: AccountDiff["detailedDiff"];
}

/** The runtime functions of one resource type (the `mailbox` object's shape). */
interface Runtime {
  check(
    olds: Props,
    news: Props,
  ): Promise<{ inputs: Props; failures: pulumi.provider.CheckFailure[] }>;
  diff(id: string, olds: Props, news: Props): Promise<AccountDiff>;
  create(inputs: Props): Promise<{ id: string; outs: object }>;
  read(id: string, props?: Props): Promise<{ id?: string; props?: Props; inputs?: Props }>;
  update(id: string, olds: Props, news: Props): Promise<{ outs: object }>;
  delete(id: string, props: Props): Promise<void>;
}

/**
 * Fields kept secret whatever the program marked: the initial password (an input) and its
 * fingerprint (an output). The plugin accepts secrets (the Node host says so in `configure`), so
 * marking them is its job, not the engine's.
 */
const ALWAYS_SECRET = new Set(["password", "passwordHash"]);

const RUNTIMES: Record<string, Runtime> = {
  [MAILBOX_TYPE]: mailbox as unknown as Runtime,
};

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
export function markSecrets(props: Props, secret: ReadonlySet<string>): Props {
  return Object.fromEntries(
    Object.entries(props).map(([k, v]) =>
      (secret.has(k) || ALWAYS_SECRET.has(k)) && v !== undefined
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

function runtimeFor(urn: string): Runtime {
  const type = typeOfUrn(urn);
  const runtime = RUNTIMES[type];
  if (runtime === undefined) {
    throw new Error(
      `the mailplane provider has no resource type ${JSON.stringify(type)}; it serves: ` +
        Object.keys(RUNTIMES).join(", "),
    );
  }
  return runtime;
}

/**
 * The provider object `serve` hands to the Node provider host. Stateless: every call reads what
 * it needs (credentials come from the environment of `pulumi` at call time).
 */
export class MailplaneProvider implements pulumi.provider.Provider {
  readonly schema: string;

  constructor(readonly version: string) {
    this.schema = JSON.stringify(schema(version));
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
    const o = unwrapSecrets(olds);
    const n = unwrapSecrets(news);
    const result = await runtimeFor(urn).check(o.plain, n.plain);
    return { inputs: markSecrets(result.inputs, n.secret), failures: result.failures };
  }

  async diff(id: string, urn: string, olds: Props, news: Props): Promise<DetailedDiffResult> {
    const result = await runtimeFor(urn).diff(
      id,
      unwrapSecrets(olds).plain,
      unwrapSecrets(news).plain,
    );
    return {
      changes: result.changes,
      replaces: result.replaces,
      deleteBeforeReplace: result.deleteBeforeReplace,
      detailedDiff: result.detailedDiff,
    };
  }

  async create(urn: string, inputs: Props): Promise<pulumi.provider.CreateResult> {
    const { plain, secret } = unwrapSecrets(inputs);
    const { id, outs } = await runtimeFor(urn).create(plain);
    return { id, outs: markSecrets(outs as Props, secret) };
  }

  async read(id: string, urn: string, props?: Props): Promise<pulumi.provider.ReadResult> {
    const { plain, secret } = unwrapSecrets(props);
    const result = await runtimeFor(urn).read(id, plain);
    // Gone at the provider: an empty id tells the engine so.
    if (result.id === undefined) return { id: "", props: {} };
    return {
      id: result.id,
      props: markSecrets(result.props ?? {}, secret),
      ...(result.inputs === undefined ? {} : { inputs: markSecrets(result.inputs, secret) }),
    };
  }

  async update(
    id: string,
    urn: string,
    olds: Props,
    news: Props,
  ): Promise<pulumi.provider.UpdateResult> {
    const n = unwrapSecrets(news);
    const { outs } = await runtimeFor(urn).update(id, unwrapSecrets(olds).plain, n.plain);
    return { outs: markSecrets(outs as Props, n.secret) };
  }

  async delete(id: string, urn: string, props: Props): Promise<void> {
    await runtimeFor(urn).delete(id, unwrapSecrets(props).plain);
  }
}
