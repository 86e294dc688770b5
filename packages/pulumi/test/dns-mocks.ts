import * as pulumi from "@pulumi/pulumi";
import type { DnsBackend, DnsScope } from "../src/dns/backend";

/** A resource registered with the mocks. */
export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /**
   * False for a component resource (e.g. `mailplane:index:MailDomain`); {@link installMocks}
   * sets it, {@link children} (custom resources only) leaves it out.
   */
  custom?: boolean;
}

/** Invoke results by token, e.g. `cloudflare:index/getEmailRoutingDns:getEmailRoutingDns`. */
export type CallResults = Record<
  string,
  (inputs: Record<string, unknown>) => Record<string, unknown>
>;

/**
 * Installs Pulumi mocks that record every resource and answer invokes from `calls`.
 * Outputs mirror inputs, plus `outputs[type]` extra state (e.g. SES DKIM tokens).
 */
export async function installMocks(
  calls: CallResults = {},
  outputs: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>> = {},
): Promise<Registered[]> {
  const registered: Registered[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          custom: args.custom ?? false,
        });
        return {
          id: `${args.name}-id`,
          state: { ...args.inputs, ...(outputs[args.type]?.(args.inputs) ?? {}) },
        };
      },
      call(args) {
        const fn = calls[args.token];
        if (!fn) throw new Error(`unexpected invoke ${args.token}`);
        return fn(args.inputs);
      },
    },
    "mailplane",
    "test",
    false,
  );
  return registered;
}

/** The resolved value of an Output (mocks resolve everything). */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

/** Waits until the given resources (and their inputs) have been registered with the mocks. */
export async function registeredAll(resources: pulumi.Resource[]): Promise<void> {
  await Promise.all(resources.map((r) => valueOf(r.urn)));
}

/** A component that parents a DNS backend's records in the tests. */
export class Holder extends pulumi.ComponentResource {
  constructor(name: string) {
    super("mailplane:test:Holder", name);
  }
}

/**
 * Publishes `records` through `backend` under a new {@link Holder} named `scope.name`, waits
 * until they are registered, and returns the backend's resources and the children registered
 * meanwhile (as {@link children} gives them).
 */
export async function publishRecords(
  registered: Registered[],
  backend: Pick<DnsBackend, "createRecords">,
  records: Parameters<DnsBackend["createRecords"]>[0],
  scope: Omit<DnsScope, "parent">,
): Promise<{ out: Record<string, pulumi.Resource>; registered: Registered[] }> {
  const parent = new Holder(scope.name);
  const start = registered.length;
  const out = backend.createRecords(records, { ...scope, parent });
  await registeredAll(Object.values(out));
  return { out, registered: children(registered.slice(start)) };
}

/**
 * The custom resources among `registered` (the components left out) as `{ type, name, inputs }`
 * with all their inputs, sorted by name.
 */
export function children(registered: Registered[]): Registered[] {
  return registered
    .filter((r) => r.custom === true)
    .map(({ type, name, inputs }) => ({ type, name, inputs }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Cloudflare DNS records among `all` as `[child name, type, name, content or SRV data]`. */
export function cloudflareRecordRows(all: Registered[]): unknown[][] {
  return all
    .filter((r) => r.type === "cloudflare:index/dnsRecord:DnsRecord")
    .map((r) => [r.name, r.inputs.type, r.inputs.name, r.inputs.content ?? r.inputs.data]);
}

/** An SRV record's data as the examples publish it (priority 0; weight 0 for "no service"). */
export const srvData = (port: number, target: string) => ({
  port,
  priority: 0,
  target,
  weight: port === 0 ? 0 : 1,
});

/**
 * Runs an example program (`examples/<dir>/index.ts`) under mocks already installed, with the
 * given stack config (`mailplane:<key>`), and resolves every Output it exports.
 */
export function runExample(
  dir: string,
  config: Record<string, string>,
  secretKeys: string[] = [],
): Promise<Record<string, unknown>> {
  return runProgram(`../../../examples/${dir}/index`, config, secretKeys);
}

/**
 * Runs a Pulumi program module under mocks already installed, with the given stack config
 * (`mailplane:<key>`), waits until every resource is registered, and resolves its exports.
 */
export async function runProgram(
  modulePath: string,
  config: Record<string, string> = {},
  secretKeys: string[] = [],
): Promise<Record<string, unknown>> {
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([k, v]) => [`mailplane:${k}`, v])),
    secretKeys.map((k) => `mailplane:${k}`),
  );
  const program = (await import(modulePath)) as Record<string, unknown>;
  // Waits for every outstanding registration (children are registered after the exports
  // resolve).
  await pulumi.runtime.disconnect();
  const exported: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(program)) {
    exported[k] = pulumi.Output.isInstance(v) ? await valueOf(v) : v;
  }
  return exported;
}

/**
 * One register request as the program sends it to the engine. Unlike the mocks' `newResource`
 * arguments it shows secrets as secrets (`{ [SECRET_SIG]: …, value }`), the parent, the
 * additional secret outputs and the aliases.
 */
export interface RegisterRequest {
  type: string;
  name: string;
  /** URN of the parent resource; `""` for none. */
  parent: string;
  /** The resource's inputs, all of them. */
  inputs: Record<string, unknown>;
  /** Whether it is a custom resource (false for a component). */
  custom: boolean;
  additionalSecretOutputs: string[];
  /** Names of the resource's aliases (`""` for an alias that keeps the name). */
  aliases: string[];
  /** Types of the resource's aliases (`""` for an alias that keeps the type). */
  aliasTypes: string[];
  /** Names (from the URNs) of the resources it depends on. */
  dependencies: string[];
}

/** The parts of the SDK's register request the tests read. */
interface RawRegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): { toJavaScript(): Record<string, unknown> };
  getAdditionalsecretoutputsList(): string[];
  getAliasesList(): Array<{ getSpec(): { getName(): string; getType(): string } | undefined }>;
  getDependenciesList(): string[];
}

/**
 * Installs the mocks of {@link installMocks} and records every register request the program
 * sends, in order, in the returned array.
 */
export async function captureRegisterRequests(
  calls: CallResults = {},
  outputs: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>> = {},
): Promise<RegisterRequest[]> {
  await installMocks(calls, outputs);
  const requests: RegisterRequest[] = [];
  const monitor = (
    pulumi.runtime as unknown as { getMonitor(): Record<string, unknown> }
  ).getMonitor();
  const register = (monitor.registerResource as (...a: unknown[]) => unknown).bind(monitor);
  monitor.registerResource = (req: RawRegisterRequest, ...rest: unknown[]) => {
    requests.push({
      type: req.getType(),
      name: req.getName(),
      parent: req.getParent(),
      inputs: req.getObject().toJavaScript(),
      custom: req.getCustom(),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      aliases: req.getAliasesList().map((a) => a.getSpec()?.getName() ?? "?"),
      aliasTypes: req.getAliasesList().map((a) => a.getSpec()?.getType() ?? "?"),
      dependencies: req.getDependenciesList().map((urn) => urn.slice(urn.lastIndexOf("::") + 2)),
    });
    return register(req, ...rest);
  };
  return requests;
}
