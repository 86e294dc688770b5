import type {
  AliasState,
  GroupState,
  MailProvider,
  MailboxInput,
  MailboxPatch,
  MailboxState,
} from "@mailplane/providers";
import { capabilities, ConflictError, NO_CAPABILITIES, NotFoundError } from "@mailplane/providers";
import type { MailProviderCapabilities } from "@mailplane/core";
import { builtinMailProviders } from "../src/runtime/index";

/** The provider kinds the runtime knows: the registry's with an adapter, plus the test's own. */
export function knownProviders(...own: string[]): string {
  return [...builtinMailProviders, ...own].sort().join(", ");
}

/** Every capability on, with no limit on aliases per mailbox. */
export const allCapabilities = capabilities({
  ...Object.fromEntries(Object.keys(NO_CAPABILITIES).map((name) => [name, true])),
  aliasesPerMailbox: Infinity,
});

/** Capabilities of the in-process fake: all but renaming in place. */
export const fakeCapabilities = capabilities({ ...allCapabilities, renameInPlace: false });

/**
 * An in-memory MailProvider for runtime tests: records every call (the "requests") and the
 * passwords it was given, so tests can assert call counts and that nothing leaks.
 */
export class FakeMailProvider implements MailProvider {
  readonly name = "fake";
  readonly capabilities: MailProviderCapabilities;
  readonly calls: string[] = [];
  readonly passwords = new Map<string, string>();
  readonly mailboxes = new Map<string, MailboxState>();
  readonly aliases = new Map<string, AliasState>();
  readonly groups = new Map<string, GroupState>();
  renameMailbox?: (domain: string, from: string, to: string) => Promise<MailboxState>;

  constructor(capabilities: Partial<MailProviderCapabilities> = {}) {
    this.capabilities = { ...fakeCapabilities, ...capabilities };
    if (this.capabilities.renameInPlace) {
      this.renameMailbox = async (domain, from, to) => {
        this.calls.push(`renameMailbox ${from}@${domain} ${to}`);
        const m = this.mustGet(this.mailboxes, domain, from, "renameMailbox");
        this.mailboxes.delete(`${from}@${domain}`);
        const renamed = { ...m, localPart: to };
        this.mailboxes.set(`${to}@${domain}`, renamed);
        return structuredClone(renamed);
      };
    }
  }

  private mustGet<T>(map: Map<string, T>, domain: string, lp: string, op: string): T {
    const v = map.get(`${lp}@${domain}`);
    if (v === undefined) throw new NotFoundError({ provider: "fake", operation: op, status: 404 });
    return v;
  }

  async listMailboxes(domain: string): Promise<MailboxState[]> {
    this.calls.push(`listMailboxes ${domain}`);
    return [...this.mailboxes.values()]
      .filter((m) => m.domain === domain)
      .map((m) => structuredClone(m));
  }
  async getMailbox(domain: string, localPart: string): Promise<MailboxState | undefined> {
    this.calls.push(`getMailbox ${localPart}@${domain}`);
    const m = this.mailboxes.get(`${localPart}@${domain}`);
    return m && structuredClone(m);
  }
  async createMailbox(input: MailboxInput): Promise<MailboxState> {
    this.calls.push(`createMailbox ${input.localPart}@${input.domain}`);
    const key = `${input.localPart}@${input.domain}`;
    if (this.mailboxes.has(key)) {
      throw new ConflictError({ provider: "fake", operation: "createMailbox", status: 409 });
    }
    const { password, changePasswordAtNextLogin: _c, require2fa: _r, ...state } = input;
    if (password !== undefined) this.passwords.set(key, password);
    const stored = JSON.parse(JSON.stringify(state)) as MailboxState;
    this.mailboxes.set(key, stored);
    return structuredClone(stored);
  }
  async updateMailbox(
    domain: string,
    localPart: string,
    patch: MailboxPatch,
  ): Promise<MailboxState> {
    this.calls.push(`updateMailbox ${localPart}@${domain} ${Object.keys(patch).sort().join(",")}`);
    const m = this.mustGet(this.mailboxes, domain, localPart, "updateMailbox");
    const { password, changePasswordAtNextLogin: _c, require2fa: _r, keepAliases, ...rest } = patch;
    if (password !== undefined) this.passwords.set(`${localPart}@${domain}`, password);
    const kept = m.aliases.filter((a) => (keepAliases ?? []).includes(a));
    Object.assign(m, rest);
    if (rest.aliases !== undefined) m.aliases = [...new Set([...rest.aliases, ...kept])].sort();
    return structuredClone(m);
  }
  async deleteMailbox(domain: string, localPart: string): Promise<void> {
    this.calls.push(`deleteMailbox ${localPart}@${domain}`);
    this.mustGet(this.mailboxes, domain, localPart, "deleteMailbox");
    this.mailboxes.delete(`${localPart}@${domain}`);
  }

  async listAliases(domain: string): Promise<AliasState[]> {
    this.calls.push(`listAliases ${domain}`);
    return [...this.aliases.values()]
      .filter((a) => a.domain === domain)
      .map((a) => structuredClone(a));
  }
  async getAlias(domain: string, localPart: string): Promise<AliasState | undefined> {
    this.calls.push(`getAlias ${localPart}@${domain}`);
    const a = this.aliases.get(`${localPart}@${domain}`);
    return a && structuredClone(a);
  }
  async createAlias(input: AliasState): Promise<AliasState> {
    this.calls.push(`createAlias ${input.localPart}@${input.domain}`);
    const key = `${input.localPart}@${input.domain}`;
    if (this.aliases.has(key)) {
      throw new ConflictError({ provider: "fake", operation: "createAlias", status: 409 });
    }
    this.aliases.set(key, structuredClone(input));
    return structuredClone(input);
  }
  async updateAlias(
    domain: string,
    localPart: string,
    destinations: string[],
  ): Promise<AliasState> {
    this.calls.push(`updateAlias ${localPart}@${domain}`);
    const a = this.mustGet(this.aliases, domain, localPart, "updateAlias");
    a.destinations = [...destinations];
    return structuredClone(a);
  }
  async deleteAlias(domain: string, localPart: string): Promise<void> {
    this.calls.push(`deleteAlias ${localPart}@${domain}`);
    this.mustGet(this.aliases, domain, localPart, "deleteAlias");
    this.aliases.delete(`${localPart}@${domain}`);
  }

  async listGroups(domain: string): Promise<GroupState[]> {
    this.calls.push(`listGroups ${domain}`);
    return [...this.groups.values()]
      .filter((g) => g.domain === domain)
      .map((g) => structuredClone(g));
  }
  async getGroup(domain: string, localPart: string): Promise<GroupState | undefined> {
    this.calls.push(`getGroup ${localPart}@${domain}`);
    const g = this.groups.get(`${localPart}@${domain}`);
    return g && structuredClone(g);
  }
  async createGroup(input: GroupState): Promise<GroupState> {
    this.calls.push(`createGroup ${input.localPart}@${input.domain}`);
    const key = `${input.localPart}@${input.domain}`;
    if (this.groups.has(key)) {
      throw new ConflictError({ provider: "fake", operation: "createGroup", status: 409 });
    }
    this.groups.set(key, structuredClone(input));
    return structuredClone(input);
  }
  async updateGroup(
    domain: string,
    localPart: string,
    patch: Partial<Pick<GroupState, "name" | "members">>,
  ): Promise<GroupState> {
    this.calls.push(`updateGroup ${localPart}@${domain} ${Object.keys(patch).sort().join(",")}`);
    const g = this.mustGet(this.groups, domain, localPart, "updateGroup");
    Object.assign(g, patch);
    return structuredClone(g);
  }
  async deleteGroup(domain: string, localPart: string): Promise<void> {
    this.calls.push(`deleteGroup ${localPart}@${domain}`);
    this.mustGet(this.groups, domain, localPart, "deleteGroup");
    this.groups.delete(`${localPart}@${domain}`);
  }
}
