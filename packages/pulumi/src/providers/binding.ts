import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { isPending, parseSettings, type DnsFacts, type Pending } from "@mailplane/core";
import type { MailProviderDefinition } from "@mailplane/providers";
import { createAccountResources } from "../accounts/create-accounts";
import type { AccountScope, MailProviderBinding } from "../provider-binding";

/**
 * A settings schema's input type as a Pulumi program writes it: a value the schema accepts
 * pending (`pendingOr`) may be any `pulumi.Input`.
 */
export type InputArgs<T> = [T] extends [Pending<infer U>]
  ? pulumi.Input<U>
  : T extends Pending<infer U>
    ? pulumi.Input<U>
    : T extends string | number | boolean | bigint | symbol | null | undefined
      ? T
      : T extends readonly (infer E)[]
        ? InputArgs<E>[]
        : T extends object
          ? { [K in keyof T]: InputArgs<T[K]> }
          : T;

/** The arguments of `providers.<id>(...)` for a definition, typed from its schema. */
export type BindingArgs<D extends MailProviderDefinition> = InputArgs<z.input<D["args"]>>;

/** The arguments once parsed, with the values still pending as Outputs. */
export interface ParsedBinding<D extends MailProviderDefinition> {
  /** The parsed arguments; values given as Outputs are still Outputs here. */
  args: z.output<D["args"]>;
  /** The arguments with every value known and checked (an Output when any was pending). */
  resolved: pulumi.Input<z.output<D["args"]>>;
  /** Where the error messages point: `providers.<id>`. */
  path: readonly string[];
}

/** True when a value is, or holds, a value known only later (an Output or a Promise). */
function holdsPending(value: unknown): boolean {
  if (isPending(value)) return true;
  if (Array.isArray(value)) return value.some(holdsPending);
  if (value !== null && typeof value === "object" && !pulumi.Resource.isInstance(value)) {
    return Object.values(value).some(holdsPending);
  }
  return false;
}

/**
 * Parses a binding's arguments with its definition's schema, in the declaration's error style
 * (`providers.migadu.apiUrl: ...`). Pending values pass now and are checked again, with the same
 * messages, once they resolve (a bad one fails the deployment).
 */
export function parseBinding<D extends MailProviderDefinition>(
  def: D,
  input: unknown,
): ParsedBinding<D> {
  const path = ["providers", def.id];
  const args = parseSettings(def.args, input, path) as z.output<D["args"]>;
  const resolved = holdsPending(input)
    ? pulumi
        .output(input as pulumi.Input<object>)
        .apply((known: unknown) => parseSettings(def.args, known, path) as z.output<D["args"]>)
    : args;
  return { args, resolved: resolved as pulumi.Input<z.output<D["args"]>>, path };
}

/**
 * The binding every provider gets from its definition: its DNS facts, and its accounts as
 * `Mailbox`, `Alias`, `MailGroup`, `CatchAll` and `DomainAlias` resources served by the runtime's
 * adapter for `def.id`. A provider that needs more (generated keys, resources of its own) wraps
 * this in a hook next to its binding.
 */
export function genericBinding<D extends MailProviderDefinition>(
  def: D,
  parsed: ParsedBinding<D>,
): MailProviderBinding {
  const { args, resolved } = parsed;
  // Computed now, so a setting the endpoint refuses fails when the binding is made.
  const apiUrl: pulumi.Input<string> | undefined =
    def.endpoint === undefined
      ? undefined
      : !isPending(resolved)
        ? def.endpoint(resolved as z.output<D["args"]>)
        : (pulumi
            .output(resolved)
            .apply((a) => def.endpoint!(a as z.output<D["args"]>)) as pulumi.Input<string>);
  return {
    kind: def.id,
    capabilities: def.capabilities,
    dnsFacts(domain: string, _scope: AccountScope): pulumi.Input<DnsFacts> {
      const facts = def.dnsFacts;
      if (facts === undefined) {
        throw new Error(`providers.${def.id}: the definition has no DNS facts and no binding hook`);
      }
      if (!isPending(resolved)) return facts(resolved as z.output<D["args"]>, domain);
      return pulumi.output(resolved).apply((a) => facts(a as z.output<D["args"]>, domain));
    },
    createAccounts(plan, scope) {
      const domain = def.accountDomain?.(args);
      return createAccountResources(plan, scope, {
        mailProvider: def.id,
        ...(apiUrl === undefined ? {} : { apiUrl }),
        ...(domain === undefined ? {} : { domain }),
        capabilities: def.capabilities,
        ...(def.readsProfiles === true ? { profiles: true } : {}),
      });
    },
  };
}

/** `providers.<id>(args)`: the arguments may be left out when every one is optional. */
export type BindingFunction<D extends MailProviderDefinition> = (
  ...args: object extends BindingArgs<D> ? [args?: BindingArgs<D>] : [args: BindingArgs<D>]
) => MailProviderBinding;

/** `providers.<id>(args)` for a definition that needs nothing beyond the generic binding. */
export function bindingOf<D extends MailProviderDefinition>(def: D): BindingFunction<D> {
  return (...args) => genericBinding(def, parseBinding(def, args[0] ?? {}));
}
