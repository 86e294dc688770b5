import * as pulumi from "@pulumi/pulumi";

/** A resource registered with the mocks. */
export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
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
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
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

/** The registered resources without the component resources and the dynamic provider's code. */
export function children(registered: Registered[]): Registered[] {
  return registered
    .filter((r) => !r.type.startsWith("mailplane:"))
    .map((r) => {
      const inputs = { ...r.inputs };
      delete inputs.__provider;
      return { ...r, inputs };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

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
