import {
  mailProviders,
  migaduAdapter,
  migaduDefinition,
  type AdapterSettings,
  type MailProvider,
  type MailProviderDefinition,
  type MigaduProviderConfig,
} from "@mailplane/providers";
import type { MailAdapterEntry } from "./connections";
import { readCredential, registerMailAdapter } from "./connections";

/**
 * The runtime's entry for a provider definition: its capabilities, its credentials read at call
 * time (environment variable, else the secret stack config key `mailplane:<configKey>`), and its
 * adapter. `create` replaces the definition's adapter factory (tests and benchmarks).
 */
export function adapterEntryOf(
  def: MailProviderDefinition,
  create: ((settings: AdapterSettings) => MailProvider) | undefined = def.createAdapter,
): MailAdapterEntry {
  if (create === undefined) {
    throw new Error(
      `mail provider ${def.id} has no adapter: its binding creates its own resources`,
    );
  }
  return {
    capabilities: def.capabilities,
    ...(def.mailboxProblems === undefined ? {} : { mailboxProblems: def.mailboxProblems }),
    configKeys: def.credentials.map((c) => c.configKey),
    credentials: () =>
      Object.fromEntries(
        def.credentials.flatMap((c) => {
          try {
            return [[c.name, readCredential(def.id, c.env, c.configKey)]];
          } catch (e) {
            // An optional credential that is not set is left out: the adapter names the choices.
            if (c.optional === true) return [];
            throw e;
          }
        }),
      ),
    create,
  };
}

/**
 * Registers a mail provider's definition with the runtime (one line per provider that is not in
 * the registry of `@mailplane/providers`, e.g. a test's or a plugin's).
 */
export function registerMailProvider(def: MailProviderDefinition): void {
  registerMailAdapter(def.id, adapterEntryOf(def));
}

/** The Migadu entry with adapter settings replaced (request budget, retries): for tests. */
export function migaduAdapterEntry(
  overrides: Partial<Omit<MigaduProviderConfig, "user" | "apiKey">> = {},
): MailAdapterEntry {
  return adapterEntryOf(migaduDefinition, migaduAdapter(overrides));
}

/** The provider kinds the runtime serves in every provider process: the registry's with an adapter. */
export const builtinMailProviders: readonly string[] = Object.values(mailProviders)
  .filter((d) => d.createAdapter !== undefined)
  .map((d) => d.id);

/** Registers every definition of a registry that has an adapter (the built-in one at load). */
export function registerMailProviders(registry: Record<string, MailProviderDefinition>): void {
  for (const def of Object.values(registry)) {
    if (def.createAdapter !== undefined) registerMailProvider(def);
  }
}

registerMailProviders(mailProviders);
