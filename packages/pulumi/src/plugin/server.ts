/* eslint-disable @typescript-eslint/no-require-imports -- the gRPC and protobuf modules are
   @pulumi/pulumi's own (untyped CommonJS), loaded from its install so the instances match */
/**
 * The plugin's gRPC server: Pulumi's `pulumirpc.ResourceProvider` service for a
 * {@link DetailedDiffProvider}, on the generated protobuf/gRPC modules @pulumi/pulumi ships
 * (`proto/provider_grpc_pb`, `provider_pb`, `plugin_pb`) and the @grpc/grpc-js and
 * google-protobuf instances of its own install. Nothing here uses @pulumi/pulumi's provider host
 * (`pulumi.provider.main`); the calls the engine 3.260 makes, and what each answers:
 *
 * - `Handshake` (the engine's first call): secrets, resources and output values accepted. The
 *   engine then takes the plugin to support previews, so `Create` and `Update` arrive in a
 *   preview with `preview: true`; they answer the inputs as the outputs (and no id for a create)
 *   without calling the provider's create or update, which is what the engine itself answers for
 *   a plugin without preview support. A provider with `previewUpdate` answers a preview's update
 *   itself.
 * - `GetPluginInfo` (the provider's version), `GetSchema` (version 0 only), `Attach`, `Cancel`,
 *   `GetMapping`/`GetMappings` (no mappings).
 * - `CheckConfig` accepts the configuration as it is; `DiffConfig` never asks for a replacement
 *   (see {@link diffConfigResponse}); `Configure` hands the provider its variables.
 * - `Check`, `Diff` (old outputs, new inputs and old inputs in; the provider's field-level diff
 *   out), `Create`, `Read` (an import has no properties), `Update`, `Delete`: the provider's.
 * - `Parameterize`, `Invoke`, `Call`, `Construct`, `List`: UNIMPLEMENTED, with a message saying
 *   what the provider lacks. A method this proto version does not know (e.g. `StreamInvoke`)
 *   gets grpc-js's own UNIMPLEMENTED.
 *
 * A provider error becomes the call's status with the error's message as its details (the engine
 * prints it). Secrets reach the provider as the engine sends them (`{ [sig]: secret, value }`)
 * and leave as the provider returns them.
 */
import { createRequire } from "node:module";
import type * as pulumi from "@pulumi/pulumi";
import type * as ProvRpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as ProvProto from "@pulumi/pulumi/proto/provider_pb";
import type * as PlugProto from "@pulumi/pulumi/proto/plugin_pb";
import type { DetailedDiffResult } from "./provider";

/** A provider whose `diff` may return a field-level diff, and that may take its configuration. */
export interface DetailedDiffProvider extends pulumi.provider.Provider {
  /** The provider's configuration, `{ "<pkg>:config:<key>": value }` (secrets in clear). */
  configure?: (variables: Record<string, string>) => Promise<void>;
  /** `olds` are the old outputs; `oldInputs` the old inputs, when the engine sent them. */
  diff?: (
    id: string,
    urn: string,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as pulumi.provider.Provider's
    olds: any,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as pulumi.provider.Provider's
    news: any,
    oldInputs?: Record<string, unknown>,
  ) => Promise<DetailedDiffResult>;
  /**
   * The outputs an update would produce, for a preview, computed without changing anything
   * (values not known yet may stay the engine's unknown marker). Without it, a preview's update
   * answers the new inputs, as the engine does for a plugin without preview support, so an
   * output that is not an input is unknown in the preview.
   */
  previewUpdate?: (
    id: string,
    urn: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ) => Promise<{ outs?: Record<string, unknown> }>;
}

/** A google.protobuf.Struct message. */
export type Struct = NonNullable<ReturnType<ProvProto.CheckRequest["getNews"]>>;
type Props = Record<string, unknown>;

/** The few parts of @grpc/grpc-js the server and its tests use. */
interface GrpcServer {
  addService(service: unknown, implementation: object): void;
  bindAsync(
    address: string,
    credentials: unknown,
    callback: (err: Error | null, port: number) => void,
  ): void;
  tryShutdown(callback: (err?: Error) => void): void;
  forceShutdown(): void;
}
interface Grpc {
  Server: new (options?: Record<string, unknown>) => GrpcServer;
  ServerCredentials: { createInsecure(): unknown };
  credentials: { createInsecure(): unknown };
  status: Record<"UNKNOWN" | "INVALID_ARGUMENT" | "UNIMPLEMENTED", number>;
}

const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
const grpc: Grpc = fromPulumi("@grpc/grpc-js");
const provrpc: typeof ProvRpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const provproto: typeof ProvProto = require("@pulumi/pulumi/proto/provider_pb");
const plugproto: typeof PlugProto = require("@pulumi/pulumi/proto/plugin_pb");
const structproto: { Struct: { fromJavaScript(value: Props): Struct } } = fromPulumi(
  "google-protobuf/google/protobuf/struct_pb",
);
const emptyproto: { Empty: new () => object } = fromPulumi(
  "google-protobuf/google/protobuf/empty_pb",
);

/** The modules the server is built on, for tests that build requests or a client. */
export const wire = { grpc, provrpc, provproto, plugproto, structproto, emptyproto };

/**
 * The options of @pulumi/pulumi's own gRPC servers (its `grpcChannelOptions`): messages up to
 * 400 MiB, and a request may wait half an hour for the event loop before it is dropped.
 */
const SERVER_OPTIONS = {
  "grpc.max_receive_message_length": 400 * 1024 * 1024,
  "grpc.server_max_unrequested_time_in_server": 30 * 60,
};

/** An error with the gRPC status code it is answered with. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const unimplemented = (message: string) => new RpcError(grpc.status.UNIMPLEMENTED, message);

/** The status a failed call answers: the error's code (UNKNOWN if none) and its message. */
function statusOf(e: unknown): { code: number; details: string } {
  if (e instanceof RpcError) return { code: e.code, details: e.message };
  return { code: grpc.status.UNKNOWN, details: e instanceof Error ? e.message : String(e) };
}

/**
 * `value` as a Struct. Entries whose value is `undefined` are left out (an array's become null),
 * as JSON does: google-protobuf's `fromJavaScript` throws "Unexpected struct type." on them.
 */
export function toStruct(value: Props): Struct {
  return structproto.Struct.fromJavaScript(definedOnly(value) as Props);
}

function definedOnly(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : definedOnly(x)));
  if (typeof v !== "object" || v === null) return v;
  const out: Props = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = definedOnly(x);
  return out;
}

const fromStruct = (s: Struct | undefined): Props => (s?.toJavaScript() ?? {}) as Props;

const KINDS: Record<string, ProvProto.PropertyDiff.Kind> = {
  add: provproto.PropertyDiff.Kind.ADD,
  "add-replace": provproto.PropertyDiff.Kind.ADD_REPLACE,
  delete: provproto.PropertyDiff.Kind.DELETE,
  "delete-replace": provproto.PropertyDiff.Kind.DELETE_REPLACE,
  update: provproto.PropertyDiff.Kind.UPDATE,
  "update-replace": provproto.PropertyDiff.Kind.UPDATE_REPLACE,
};

/** Builds the gRPC DiffResponse of a provider's diff result, detailed diff included. */
export function diffResponse(result: DetailedDiffResult): ProvProto.DiffResponse {
  const resp = new provproto.DiffResponse();
  const C = provproto.DiffResponse.DiffChanges;
  resp.setChanges(
    result.changes === true ? C.DIFF_SOME : result.changes === false ? C.DIFF_NONE : C.DIFF_UNKNOWN,
  );
  if (result.replaces !== undefined && result.replaces.length > 0) {
    resp.setReplacesList([...result.replaces]);
  }
  if (result.deleteBeforeReplace === true) resp.setDeletebeforereplace(true);
  if (result.detailedDiff !== undefined) {
    const map = resp.getDetaileddiffMap();
    for (const [path, d] of Object.entries(result.detailedDiff)) {
      const kind = KINDS[d.kind];
      if (kind === undefined) throw new Error(`detailedDiff.${path}: unknown kind ${d.kind}`);
      const pd = new provproto.PropertyDiff();
      pd.setKind(kind);
      pd.setInputdiff(d.inputDiff);
      map.set(path, pd);
    }
    resp.setDiffsList([
      ...new Set(Object.keys(result.detailedDiff).map((p) => p.split(/[.[]/)[0]!)),
    ]);
    resp.setHasdetaileddiff(true);
  }
  return resp;
}

/**
 * The answer to `DiffConfig`: DIFF_NONE when the new configuration equals the old outputs (as
 * the engine compares them itself for a plugin without DiffConfig), else DIFF_SOME naming the
 * changed keys, and never a replacement: the provider has no configuration that makes a resource
 * it manages a different one (credentials only say how to reach it). This matters when a stack
 * moves from the dynamic resources to the plugin: each resource changes provider, and the engine
 * asks the new provider's `DiffConfig` whether that replaces the resource.
 */
export function diffConfigResponse(olds: Props, news: Props): ProvProto.DiffResponse {
  const resp = new provproto.DiffResponse();
  const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])].sort();
  const changed = keys.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
  const C = provproto.DiffResponse.DiffChanges;
  resp.setChanges(changed.length === 0 ? C.DIFF_NONE : C.DIFF_SOME);
  resp.setDiffsList(changed);
  return resp;
}

function checkResponse(inputs: Struct, failures: readonly pulumi.provider.CheckFailure[]) {
  const resp = new provproto.CheckResponse();
  resp.setInputs(inputs);
  resp.setFailuresList(
    failures.map((f) => {
      const failure = new provproto.CheckFailure();
      failure.setProperty(f.property);
      failure.setReason(f.reason);
      return failure;
    }),
  );
  return resp;
}

/** A unary handler: `fn`'s result, or its error as the call's status. */
function unary<Req, Res>(fn: (req: Req) => Res | Promise<Res>) {
  return (
    call: { request: Req },
    callback: (err: { code: number; details: string } | null, resp?: Res) => void,
  ): void => {
    let result: Promise<Res>;
    try {
      result = Promise.resolve(fn(call.request));
    } catch (e) {
      result = Promise.reject(e);
    }
    result.then(
      (resp) => callback(null, resp),
      (e: unknown) => callback(statusOf(e)),
    );
  };
}

/**
 * The ResourceProvider service's handlers for `provider`, by grpc-js method name. Each handler
 * only (de)serialises and calls the provider.
 */
export function providerService(provider: DetailedDiffProvider) {
  const C = provproto.DiffResponse.DiffChanges;
  return {
    handshake: unary((_req: ProvProto.ProviderHandshakeRequest) => {
      const resp = new provproto.ProviderHandshakeResponse();
      resp.setAcceptSecrets(true);
      resp.setAcceptResources(true);
      resp.setAcceptOutputs(true);
      return resp;
    }),

    getPluginInfo: unary((_req: object) => {
      const resp = new plugproto.PluginInfo();
      resp.setVersion(provider.version ?? "");
      return resp;
    }),

    getSchema: unary(async (req: ProvProto.GetSchemaRequest) => {
      if (req.getVersion() !== 0) {
        throw new RpcError(
          grpc.status.INVALID_ARGUMENT,
          `GetSchema: version must be 0, got ${req.getVersion()}`,
        );
      }
      const resp = new provproto.GetSchemaResponse();
      resp.setSchema(provider.schema ?? (await provider.getSchema?.()) ?? "{}");
      return resp;
    }),

    checkConfig: unary((req: ProvProto.CheckRequest) =>
      checkResponse(req.getNews() ?? toStruct({}), []),
    ),

    diffConfig: unary((req: ProvProto.DiffRequest) =>
      diffConfigResponse(fromStruct(req.getOlds()), fromStruct(req.getNews())),
    ),

    configure: unary(async (req: ProvProto.ConfigureRequest) => {
      const variables: Record<string, string> = {};
      req.getVariablesMap().forEach((v: string, k: string) => {
        variables[k] = v;
      });
      await provider.configure?.(variables);
      const resp = new provproto.ConfigureResponse();
      resp.setAcceptsecrets(true);
      resp.setAcceptresources(true);
      resp.setAcceptoutputs(true);
      resp.setSupportspreview(true);
      return resp;
    }),

    check: unary(async (req: ProvProto.CheckRequest) => {
      const news = req.getNews() ?? toStruct({});
      if (provider.check === undefined) return checkResponse(news, []);
      const result = await provider.check(
        req.getUrn(),
        fromStruct(req.getOlds()),
        fromStruct(news),
      );
      return checkResponse(
        result.inputs === undefined ? news : toStruct(result.inputs as Props),
        result.failures ?? [],
      );
    }),

    diff: unary(async (req: ProvProto.DiffRequest) => {
      if (provider.diff === undefined) {
        const resp = new provproto.DiffResponse();
        resp.setChanges(C.DIFF_UNKNOWN);
        return resp;
      }
      const result = await provider.diff(
        req.getId(),
        req.getUrn(),
        fromStruct(req.getOlds()),
        fromStruct(req.getNews()),
        req.hasOldInputs() ? fromStruct(req.getOldInputs()) : undefined,
      );
      return diffResponse(result);
    }),

    create: unary(async (req: ProvProto.CreateRequest) => {
      const resp = new provproto.CreateResponse();
      if (req.getPreview()) {
        resp.setId("");
        resp.setProperties(req.getProperties() ?? toStruct({}));
        return resp;
      }
      if (provider.create === undefined) {
        throw unimplemented(`Create: the provider cannot create ${req.getUrn()}`);
      }
      const result = await provider.create(req.getUrn(), fromStruct(req.getProperties()));
      resp.setId(result.id);
      resp.setProperties(toStruct((result.outs ?? {}) as Props));
      return resp;
    }),

    read: unary(async (req: ProvProto.ReadRequest) => {
      const id = req.getId();
      const resp = new provproto.ReadResponse();
      if (provider.read === undefined) {
        resp.setId(id);
        resp.setProperties(req.getProperties() ?? toStruct({}));
        return resp;
      }
      const result = await provider.read(id, req.getUrn(), fromStruct(req.getProperties()));
      resp.setId(result.id ?? "");
      resp.setProperties(toStruct((result.props ?? {}) as Props));
      if (result.inputs !== undefined) resp.setInputs(toStruct(result.inputs as Props));
      return resp;
    }),

    update: unary(async (req: ProvProto.UpdateRequest) => {
      const resp = new provproto.UpdateResponse();
      if (req.getPreview()) {
        if (provider.previewUpdate === undefined) {
          resp.setProperties(req.getNews() ?? toStruct({}));
        } else {
          const olds = fromStruct(req.getOlds());
          const news = fromStruct(req.getNews());
          const result = await provider.previewUpdate(req.getId(), req.getUrn(), olds, news);
          resp.setProperties(toStruct(result.outs ?? news));
        }
        return resp;
      }
      const news = fromStruct(req.getNews());
      const result =
        provider.update === undefined
          ? { outs: news }
          : await provider.update(req.getId(), req.getUrn(), fromStruct(req.getOlds()), news);
      resp.setProperties(toStruct((result.outs ?? {}) as Props));
      return resp;
    }),

    delete: unary(async (req: ProvProto.DeleteRequest) => {
      await provider.delete?.(req.getId(), req.getUrn(), fromStruct(req.getProperties()));
      return new emptyproto.Empty();
    }),

    cancel: unary(async (_req: object) => {
      await provider.cancel?.();
      return new emptyproto.Empty();
    }),

    attach: unary((_req: PlugProto.PluginAttach) => new emptyproto.Empty()),

    getMapping: unary((_req: ProvProto.GetMappingRequest) => new provproto.GetMappingResponse()),

    getMappings: unary((_req: ProvProto.GetMappingsRequest) => new provproto.GetMappingsResponse()),

    parameterize: unary((_req: ProvProto.ParameterizeRequest): never => {
      throw unimplemented("Parameterize is not implemented: the provider takes no parameters");
    }),

    invoke: unary((req: ProvProto.InvokeRequest): never => {
      throw unimplemented(
        `Invoke is not implemented: the provider has no functions (asked for ${JSON.stringify(req.getTok())})`,
      );
    }),

    call: unary((req: ProvProto.CallRequest): never => {
      throw unimplemented(
        `Call is not implemented: the provider has no methods (asked for ${JSON.stringify(req.getTok())})`,
      );
    }),

    construct: unary((req: ProvProto.ConstructRequest): never => {
      throw unimplemented(
        `Construct is not implemented: the provider has no component resources (asked for ${JSON.stringify(req.getType())})`,
      );
    }),

    list: (call: { emit(event: "error", status: { code: number; details: string }): void }) => {
      call.emit(
        "error",
        statusOf(unimplemented("List is not implemented: the provider lists no resources")),
      );
    },
  };
}

/** A running server and the port it listens on. */
export interface Listening {
  readonly server: GrpcServer;
  readonly port: number;
}

/**
 * Serves `provider` on `host` (127.0.0.1, as the engine dials) at a free port.
 */
export async function listen(
  provider: DetailedDiffProvider,
  host = "127.0.0.1",
): Promise<Listening> {
  const server = new grpc.Server(SERVER_OPTIONS);
  server.addService(provrpc.ResourceProviderService, providerService(provider));
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:0`, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err === null ? resolve(p) : reject(err),
    );
  });
  return { server, port };
}
