import { mailProviders, postgres, sqlite, type MailProviderDefinition } from "@mailplane/providers";
import { bindingOf, type BindingFunction } from "./binding";
import { cloudflareEmailRouting } from "./cloudflare-email-routing";
import { microsoft365 } from "./microsoft-365";
import { selfHosted } from "./self-hosted";

export * from "./binding";
export * from "./cloudflare-email-routing";
export * from "./microsoft-365";
export * from "./self-hosted";

/**
 * Bindings that need more than the generic one, by provider id: selfHosted generates its DKIM
 * keys, cloudflareEmailRouting creates Cloudflare's own resources, microsoft365 reads its MX
 * and verification records from Microsoft Graph when `mx` is not given. Every other registered
 * provider gets `bindingOf(definition)`.
 */
const hooks = { selfHosted, cloudflareEmailRouting, microsoft365 } as const;

/** `providers.<id>(args)` for every registered mail provider, typed from its schema. */
export type MailProviderBindings = BindingsOf<typeof mailProviders>;

/** `providers.<id>(args)` for every definition of a registry (hooks for those that have one). */
export type BindingsOf<R extends Record<string, MailProviderDefinition>> = {
  readonly [K in keyof R]: K extends keyof typeof hooks ? (typeof hooks)[K] : BindingFunction<R[K]>;
};

/**
 * Derives the binding functions of a registry: the built-in one (`mailProviders`) makes
 * `providers`; a test or a plugin derives its own from `{ ...mailProviders, memory }`.
 */
export function deriveBindings<R extends Record<string, MailProviderDefinition>>(
  registry: R,
): BindingsOf<R> {
  const out: Record<string, unknown> = {};
  for (const [id, def] of Object.entries(registry)) {
    out[id] = (hooks as Record<string, unknown>)[id] ?? bindingOf(def);
  }
  return out as BindingsOf<R>;
}

/**
 * The mail providers a MailDomain can use, one function each, derived from the registry of
 * `@mailplane/providers`, plus the self-hosted stores `sqlite(...)` and `postgres(...)`.
 *
 * @example
 * new MailDomain("acme", { domain: "acme.com", dns, provider: providers.migadu({ verificationCode }) });
 */
export const providers: MailProviderBindings & {
  sqlite: typeof sqlite;
  postgres: typeof postgres;
} = { ...deriveBindings(mailProviders), sqlite, postgres };
