import type { DnsFacts, MailProviderCapabilities } from "@mailplane/core";
import type { z } from "zod";
import type { MailProvider } from "../adapter";

/** One credential a provider reads at call time: an environment variable or a secret config key. */
export interface CredentialDefinition {
  /** Key in the record `createAdapter` receives, e.g. `apiKey`. */
  readonly name: string;
  /** The environment variable of `pulumi`'s process, e.g. `MIGADU_API_KEY`. */
  readonly env: string;
  /** The stack config key under `mailplane:`, e.g. `migaduApiKey` (`mailplane:migaduApiKey`). */
  readonly configKey: string;
  /** What the value is and where the user finds it, for error messages and docs. */
  readonly description: string;
  /**
   * Not required on its own: the adapter receives it when set and names the alternatives when
   * none is (Microsoft 365 takes a client secret or a certificate's private key).
   * @default false
   */
  readonly optional?: boolean;
}

/** What the runtime hands `createAdapter`: the resource's endpoint and the credentials. */
export interface AdapterSettings {
  /** The endpoint the resources carry (`apiUrl` input), when any. */
  apiUrl?: string;
  /** Values of the definition's credentials by `name`, read at call time. */
  credentials: Record<string, string>;
}

/** One mailbox as `mailboxProblems` sees it at preview: the settings a binding may constrain. */
export interface MailboxCheck {
  /** The declaration's profile name, when any. */
  profile?: string;
  require2fa: boolean;
  shared: boolean;
  /** The display name, department and title, when known at preview. */
  name?: string;
  department?: string;
  title?: string;
}

/** A mailbox setting the binding's configuration cannot honour. */
export interface MailboxCheckProblem {
  /** The Mailbox input that asks for it, e.g. `require2fa`. */
  field: string;
  /** What is wrong and what to do instead, to follow `mailProvider "<id>"`. */
  message: string;
}

/**
 * One mail provider, as one folder under `packages/providers/src/mail/<id>/` exports it: every
 * place Mailplane needs to know the provider reads this object, and one line of `registry.ts`
 * lists it. Nothing here holds a secret or reaches the network until `createAdapter` is called.
 */
export interface MailProviderDefinition<Args extends z.ZodType = z.ZodType> {
  /** The id users write as `providers.<id>(...)`, and the runtime's provider kind in state. */
  readonly id: string;
  /** What the provider can do; every capability is "cannot" unless the definition says so. */
  readonly capabilities: MailProviderCapabilities;
  /** Credentials read at call time, never arguments (they would land in state). */
  readonly credentials: readonly CredentialDefinition[];
  /** The zod schema of the binding's arguments (`providers.<id>(args)`), parsed when called. */
  readonly args: Args;
  /**
   * The records the provider needs for `domain` (MX, SPF, DKIM, verification, discovery), from
   * the parsed arguments once their values are known. Absent when only the binding's hook can
   * know them (Cloudflare reads the zone's records from its API).
   */
  dnsFacts?(args: z.output<Args>, domain: string): DnsFacts;
  /**
   * The endpoint the account resources carry in their `apiUrl` input (an API base URL, a store
   * locator), from the arguments; `undefined` for the vendor's default.
   */
  endpoint?(args: z.output<Args>): string | undefined;
  /**
   * The domain as the provider knows it, when the arguments can name another one.
   * @default the MailDomain's domain
   */
  accountDomain?(args: z.output<Args>): string | undefined;
  /**
   * The adapter maps a mailbox's profile name to a setting of its own (Google org units,
   * Microsoft 365 licences), so the account resources carry it. Elsewhere they do not: a
   * profile added to a declaration then changes nothing at the provider and previews no update.
   * @default false
   */
  readonly readsProfiles?: boolean;
  /**
   * Problems of one mailbox that depend on the binding's settings rather than on the provider
   * alone, found at preview: Google Workspace enforces 2-step verification only per org unit, so
   * `require2fa` needs a profile the binding maps to one. `endpoint` is what `endpoint(args)`
   * wrote (the resource's `apiUrl`).
   */
  mailboxProblems?(endpoint: string | undefined, mailbox: MailboxCheck): MailboxCheckProblem[];
  /**
   * Builds the adapter the runtime calls. Absent for a provider realised only by Pulumi
   * resources of its own (Cloudflare Email Routing): its binding hook creates them.
   */
  createAdapter?(settings: AdapterSettings): MailProvider;
}

/** Every capability off: a definition states only what its provider can do. */
export const NO_CAPABILITIES: MailProviderCapabilities = {
  mailboxes: false,
  aliasesPerMailbox: 0,
  standaloneAliases: false,
  groups: false,
  sharedMailboxes: false,
  suspend: false,
  quota: false,
  passwords: false,
  forceChangeAtLogin: false,
  require2fa: false,
  externalForward: false,
  catchAll: false,
  domainAliases: false,
  renameInPlace: false,
  groupSenders: false,
};

/** A provider's capabilities: those given, every other one "cannot". */
export function capabilities(
  can: Partial<MailProviderCapabilities>,
): Readonly<MailProviderCapabilities> {
  return Object.freeze({ ...NO_CAPABILITIES, ...can });
}

/**
 * Declares a mail provider. Checks what a typo would otherwise hide until a user hits it: the id
 * is a JavaScript identifier (it becomes `providers.<id>`), credentials have distinct names,
 * variables and config keys, and an adapter-less provider claims no account capability the
 * runtime would have to serve.
 */
export function defineMailProvider<Args extends z.ZodType>(
  definition: Omit<MailProviderDefinition<Args>, "capabilities"> & {
    /** What the provider can do; what is left out is "cannot". */
    capabilities: Partial<MailProviderCapabilities>;
  },
): MailProviderDefinition<Args> {
  const { id, credentials } = definition;
  if (!/^[a-z][A-Za-z0-9]*$/.test(id)) {
    throw new Error(
      `mail provider id ${JSON.stringify(id)} is not valid; allowed: a lower camelCase ` +
        `identifier such as migadu or googleWorkspace (it becomes providers.<id>)`,
    );
  }
  for (const field of ["name", "env", "configKey"] as const) {
    const seen = new Set<string>();
    for (const c of credentials) {
      if (seen.has(c[field])) {
        throw new Error(`mail provider ${id}: two credentials share the ${field} "${c[field]}"`);
      }
      seen.add(c[field]);
    }
  }
  return Object.freeze({ ...definition, capabilities: capabilities(definition.capabilities) });
}
