import { mailProviders, postgres, sqlite } from "@mailplane/providers";
import { bindingOf, type BindingFunction } from "./binding";
import { cloudflareEmailRouting } from "./cloudflare-email-routing";
import { selfHosted } from "./self-hosted";

export * from "./binding";
export * from "./cloudflare-email-routing";
export * from "./self-hosted";

/**
 * Bindings that need more than the generic one, by provider id: selfHosted generates its DKIM
 * keys, cloudflareEmailRouting creates Cloudflare's own resources. Every other registered
 * provider gets `bindingOf(definition)`.
 */
const hooks = { selfHosted, cloudflareEmailRouting } as const;

type Registry = typeof mailProviders;

/** `providers.<id>(args)` for every registered mail provider, typed from its schema. */
export type MailProviderBindings = {
  readonly [K in keyof Registry]: K extends keyof typeof hooks
    ? (typeof hooks)[K]
    : BindingFunction<Registry[K]>;
};

function deriveBindings(): MailProviderBindings {
  const out: Record<string, unknown> = {};
  for (const [id, def] of Object.entries(mailProviders)) {
    out[id] = (hooks as Record<string, unknown>)[id] ?? bindingOf(def);
  }
  return out as MailProviderBindings;
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
} = { ...deriveBindings(), sqlite, postgres };
