/* eslint-disable @typescript-eslint/no-require-imports -- the gRPC and protobuf modules are
   @pulumi/pulumi's own (untyped CommonJS), loaded from its install so the instances match */
/**
 * Serves a provider with @pulumi/pulumi's Node provider host (`pulumi.provider.main`), fixing
 * two of its handlers (provider/server.js in 3.260.0):
 * - `diff` copies `changes`, `replaces` and `deleteBeforeReplace` and drops any detailed diff, so
 *   previews could only show the engine's own comparison of inputs; {@link diffHandler} also
 *   sends `detailedDiff` (and `diffs`);
 * - `read` calls `getProperties().toJavaScript()`, which throws on a `pulumi import` (the request
 *   has no properties then: "Cannot read properties of undefined (reading 'toJavaScript')");
 *   {@link readHandler} passes `{}`;
 * - `configure` answers without telling the provider its configuration; {@link configureHandler}
 *   hands the provider the variables (`mailplane:config:<key>`) first, so credentials can come
 *   from `pulumi config set --secret mailplane:<key>`.
 *
 * Every other call is the host's. The replacement is made where the host registers its service
 * (`grpc.Server.prototype.addService`, on the grpc-js instance @pulumi/pulumi itself loads), once
 * per process, and only for that service.
 */
import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";
import type { DetailedDiffResult } from "./provider";

/** A provider whose `diff` may return a field-level diff, and that may take its configuration. */
export interface DetailedDiffProvider extends pulumi.provider.Provider {
  /** The provider's configuration, `{ "<pkg>:config:<key>": value }` (secrets in clear). */
  configure?: (variables: Record<string, string>) => Promise<void>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as pulumi.provider.Provider's
  diff?: (id: string, urn: string, olds: any, news: any) => Promise<DetailedDiffResult>;
}

const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
/* eslint-disable @typescript-eslint/no-explicit-any -- untyped generated protobuf/grpc modules */
const grpc: any = fromPulumi("@grpc/grpc-js");
const provrpc: any = require("@pulumi/pulumi/proto/provider_grpc_pb");
const provproto: any = require("@pulumi/pulumi/proto/provider_pb");
const structproto: any = fromPulumi("google-protobuf/google/protobuf/struct_pb");

const KINDS: Record<string, number> = {
  add: provproto.PropertyDiff.Kind.ADD,
  "add-replace": provproto.PropertyDiff.Kind.ADD_REPLACE,
  delete: provproto.PropertyDiff.Kind.DELETE,
  "delete-replace": provproto.PropertyDiff.Kind.DELETE_REPLACE,
  update: provproto.PropertyDiff.Kind.UPDATE,
  "update-replace": provproto.PropertyDiff.Kind.UPDATE_REPLACE,
};

/** Builds the gRPC DiffResponse of a provider's diff result, detailed diff included. */
export function diffResponse(result: DetailedDiffResult): any {
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
    resp.setDiffsList(Object.keys(result.detailedDiff).map((p) => p.split(/[.[]/)[0]!));
    resp.setHasdetaileddiff(true);
  }
  return resp;
}

/** The gRPC `Diff` handler for a provider. An error's message is what the engine prints. */
export function diffHandler(provider: DetailedDiffProvider) {
  return async (call: any, callback: (err: unknown, resp?: unknown) => void): Promise<void> => {
    try {
      const req = call.request;
      if (provider.diff === undefined) {
        callback(undefined, new provproto.DiffResponse());
        return;
      }
      const result = await provider.diff(
        req.getId(),
        req.getUrn(),
        req.getOlds().toJavaScript(),
        req.getNews().toJavaScript(),
      );
      callback(undefined, diffResponse(result));
    } catch (e) {
      callback({ code: grpc.status.UNKNOWN, details: (e as Error).message }, undefined);
    }
  };
}

/** The gRPC `Read` handler for a provider; an import's request has no properties. */
export function readHandler(provider: pulumi.provider.Provider) {
  return async (call: any, callback: (err: unknown, resp?: unknown) => void): Promise<void> => {
    try {
      const req = call.request;
      const id: string = req.getId();
      const props = req.getProperties()?.toJavaScript() ?? {};
      const resp = new provproto.ReadResponse();
      if (provider.read === undefined) {
        resp.setId(id);
        resp.setProperties(structproto.Struct.fromJavaScript(props));
      } else {
        const result = await provider.read(id, req.getUrn(), props);
        resp.setId(result.id ?? "");
        resp.setProperties(structproto.Struct.fromJavaScript(result.props ?? {}));
        if (result.inputs !== undefined) {
          resp.setInputs(structproto.Struct.fromJavaScript(result.inputs));
        }
      }
      callback(undefined, resp);
    } catch (e) {
      callback({ code: grpc.status.UNKNOWN, details: (e as Error).message }, undefined);
    }
  };
}

/**
 * The gRPC `Configure` handler: gives the provider the configuration variables, then answers as
 * the host does (secrets, resources and outputs accepted).
 */
export function configureHandler(provider: DetailedDiffProvider) {
  return async (call: any, callback: (err: unknown, resp?: unknown) => void): Promise<void> => {
    try {
      const variables: Record<string, string> = {};
      call.request.getVariablesMap().forEach((v: string, k: string) => {
        variables[k] = v;
      });
      await provider.configure?.(variables);
      const resp = new provproto.ConfigureResponse();
      resp.setAcceptsecrets(true);
      resp.setAcceptresources(true);
      resp.setAcceptoutputs(true);
      callback(undefined, resp);
    } catch (e) {
      callback({ code: grpc.status.UNKNOWN, details: (e as Error).message }, undefined);
    }
  };
}

let patched = false;

/**
 * Starts the provider: prints the port for the engine and serves until the engine stops it.
 * @param args the plugin's command line (the engine's address first)
 */
export async function serve(provider: DetailedDiffProvider, args: string[]): Promise<void> {
  if (!patched) {
    patched = true;
    const addService = grpc.Server.prototype.addService;
    grpc.Server.prototype.addService = function (service: unknown, impl: Record<string, unknown>) {
      const own =
        service === provrpc.ResourceProviderService
          ? {
              ...bindAll(impl),
              diff: diffHandler(provider),
              read: readHandler(provider),
              configure: configureHandler(provider),
            }
          : impl;
      return addService.call(this, service, own);
    };
  }
  await pulumi.provider.main(provider, args);
}

/** The host's handlers (class methods) as own properties bound to it, so a copy keeps them. */
function bindAll(impl: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (
    let o: object | null = impl;
    o !== null && o !== Object.prototype;
    o = Object.getPrototypeOf(o)
  ) {
    for (const name of Object.getOwnPropertyNames(o)) {
      const v = (impl as Record<string, unknown>)[name];
      if (name !== "constructor" && !(name in out) && typeof v === "function") {
        out[name] = (v as (...a: unknown[]) => unknown).bind(impl);
      }
    }
  }
  return out;
}
