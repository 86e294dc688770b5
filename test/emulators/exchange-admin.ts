import { randomUUID } from "node:crypto";
import type { EmulatorRequest, EmulatorResponse } from "./framework";

/**
 * Exchange Online's undocumented `InvokeCommand` route, a subset, in memory:
 * `POST /adminapi/beta/{tenant}/InvokeCommand` with `{"CmdletInput":{"CmdletName","Parameters"}}`.
 * Written from what public callers show of the route, not from Mailplane's adapter:
 *
 * - CIPP's `New-ExoRequest` (KelvinTegelaar/CIPP-API): a token for the resource
 *   `https://outlook.office365.com` (scope `…/.default`), headers `X-AnchorMailbox` and
 *   `Prefer: odata.maxpagesize=1000`; the answer is `{ value: [...] }`, followed through
 *   `@odata.nextLink` by POSTing the same body to it; `@adminapi.warnings` holds a cmdlet's
 *   warnings ("completed successfully but no settings … have been modified"); errors are
 *   `{ error: { code, message, details: [{ message }], innererror: { internalexception } } }`
 *   whose message carries the Exchange exception (`…|ManagementObjectNotFoundException|…`).
 *   Hashtable parameters (`-EmailAddresses @{add=…}`) travel as
 *   `{ "@odata.type": "#Exchange.GenericHashTable", Add: [...] }`.
 * - michev.info ("All you need to know about Exchange Online Admin API"): the route proxies the
 *   classic cmdlets; unsupported by Microsoft.
 * - Exchange's cmdlet reference for parameter and object names (`EmailAddresses` with `SMTP:`
 *   primary / `smtp:` secondary, `ForwardingSmtpAddress`, `RecipientTypeDetails`,
 *   `Selector1CNAME`). A shared mailbox is a user object with sign-in blocked and no licence.
 *
 * UNCONFIRMED (no primary source): the HTTP status of cmdlet errors (400 here), the exact
 * error `code`, and the status of a token for another audience (401 here).
 */

/** A directory user as Exchange sees it (the Graph emulator's record, shared, mutable). */
export interface DirectoryUser {
  id: string;
  userPrincipalName: string;
  mailNickname: string;
  displayName: string;
  accountEnabled: boolean;
  mail: string | null;
  proxyAddresses: string[];
}

/** A distribution group as the directory holds it (Graph lists it; only Exchange writes it). */
export interface DirectoryGroup {
  id: string;
  displayName: string;
  mailNickname: string;
  mail: string | null;
  /** Member user ids. */
  members: string[];
}

/** What the Exchange emulator needs of the directory (the Graph emulator implements it). */
export interface ExchangeDirectory {
  readonly tenantId: string;
  /** Accepted domains, lower-case. */
  readonly domains: readonly string[];
  /** Live users that have a mailbox (`mail` set). */
  mailboxUsers(): DirectoryUser[];
  /** Whether an address is any live object's proxy address or UPN (except `exceptId`'s). */
  addressTaken(address: string, exceptId?: string): boolean;
  /** Creates the user object of a shared mailbox (sign-in blocked, no licence). */
  createSharedUser(alias: string, displayName: string, primary: string): DirectoryUser;
  /** Live distribution groups (mail-enabled, not security, not Microsoft 365 groups). */
  distributionGroups(): DirectoryGroup[];
  /** Creates a distribution group in the directory. */
  createDistributionGroup(alias: string, displayName: string, primary: string): DirectoryGroup;
  /** Deletes a group. */
  removeGroup(id: string): void;
}

interface Permission {
  user: string;
  accessRights: string[];
}

interface ExchangeState {
  recipientTypeDetails: "UserMailbox" | "SharedMailbox";
  exchangeGuid: string;
  forwardingSmtpAddress: string | null;
  deliverToMailboxAndForward: boolean;
  permissions: Permission[];
}

/** One cmdlet: returns the objects of `value`, or an error response. */
type Cmdlet = (params: Record<string, unknown>) => unknown[] | EmulatorResponse;

const SERVER = "AM0PR01A001DC01.EURPR01A001.prod.outlook.com";

/** The error body the route answers, with the Exchange exception in its messages. */
export function exchangeError(status: number, exception: string, text: string): EmulatorResponse {
  const full = `|Microsoft.Exchange.${exception}|${text}`;
  return {
    status,
    body: {
      error: {
        code: status === 429 ? "TooManyRequests" : "BadRequest",
        message: full,
        details: [{ code: "Context", target: "", message: `Ex${randomUUID().slice(0, 6)}${full}` }],
        innererror: {
          message: full,
          type: "Microsoft.Exchange.Admin.OData.Core.ODataServiceException",
          internalexception: { message: text, type: `Microsoft.Exchange.${exception}` },
        },
      },
    },
  };
}

const notFound = (identity: string): EmulatorResponse =>
  exchangeError(
    400,
    "Configuration.Tasks.ManagementObjectNotFoundException",
    `The operation couldn't be performed because object '${identity}' couldn't be found on '${SERVER}'.`,
  );

const invalidParameter = (text: string): EmulatorResponse =>
  exchangeError(400, "Management.Tasks.ParameterBindingException", text);

const isError = (v: unknown): v is EmulatorResponse =>
  typeof v === "object" && v !== null && "status" in v && !Array.isArray(v);

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** `Add`/`Remove` of a `#Exchange.GenericHashTable` (keys case-insensitive), or undefined. */
function hashtable(v: unknown): { add: string[]; remove: string[] } | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  const entries = Object.entries(v as Record<string, unknown>);
  const list = (key: string): string[] => {
    const found = entries.find(([k]) => k.toLowerCase() === key)?.[1];
    if (found === undefined || found === null) return [];
    return (Array.isArray(found) ? found : [found]).map(String);
  };
  return { add: list("add"), remove: list("remove") };
}

/** The Exchange Online admin route's emulator, over a directory's users. */
export class ExchangeAdminEmulator {
  /** Cmdlets invoked, in order (name and parameters), for tests. */
  readonly invoked: { cmdlet: string; parameters: Record<string, unknown> }[] = [];
  /** `X-AnchorMailbox` headers received. */
  readonly anchors: string[] = [];
  /** The most objects one page holds whatever `Prefer: odata.maxpagesize` asks. */
  maxPageSize = 1000;
  /**
   * Provisioning lag: a mailbox Exchange just provisioned (a licence assigned) is not found by
   * this many cmdlets that name it (ManagementObjectNotFoundException). @default 0
   */
  mailboxLag: number;
  /** Cmdlets answered "couldn't be found" because of the provisioning lag. */
  laggedAnswers = 0;
  private readonly state = new Map<string, ExchangeState>();
  private readonly lagging = new Map<string, number>();
  private readonly dkim = new Map<string, { enabled: boolean }>();
  private readonly cmdlets: Record<string, Cmdlet>;

  constructor(
    private readonly directory: ExchangeDirectory,
    options: { mailboxLag?: number } = {},
  ) {
    this.mailboxLag = options.mailboxLag ?? 0;
    this.cmdlets = {
      "Get-Mailbox": (p) => this.getMailbox(p),
      "Set-Mailbox": (p) => this.setMailbox(p),
      "New-Mailbox": (p) => this.newMailbox(p),
      "Get-MailboxPermission": (p) => this.getMailboxPermission(p),
      "Add-MailboxPermission": (p) => this.changeMailboxPermission(p, "add"),
      "Remove-MailboxPermission": (p) => this.changeMailboxPermission(p, "remove"),
      "Get-DkimSigningConfig": (p) => this.getDkim(p),
      "New-DistributionGroup": (p) => this.newDistributionGroup(p),
      "Get-DistributionGroup": (p) => this.getDistributionGroup(p),
      "Get-DistributionGroupMember": (p) => this.getDistributionGroupMember(p),
      "Add-DistributionGroupMember": (p) => this.changeDistributionGroupMember(p, "add"),
      "Remove-DistributionGroupMember": (p) => this.changeDistributionGroupMember(p, "remove"),
      "Set-DistributionGroup": (p) => this.setDistributionGroup(p),
      "Remove-DistributionGroup": (p) => this.removeDistributionGroup(p),
    };
  }

  // ---------------- test API ----------------

  /** Exchange provisioned a mailbox for this user (the directory calls it). */
  provisioned(userId: string): void {
    if (this.mailboxLag > 0) this.lagging.set(userId, this.mailboxLag);
  }

  /** A mailbox as `Get-Mailbox` returns it, by address; undefined when absent. */
  mailbox(address: string): Record<string, unknown> | undefined {
    const u = this.findUser(address);
    return u && this.present(u);
  }

  /** The FullAccess holders of a mailbox other than itself, sorted. */
  readers(address: string): string[] {
    const u = this.findUser(address);
    if (!u) return [];
    return this.stateOf(u)
      .permissions.filter((p) => p.accessRights.includes("FullAccess"))
      .map((p) => p.user)
      .sort();
  }

  /** Enables DKIM signing of a domain (the admin centre's switch). */
  enableDkim(domain: string): void {
    this.dkim.set(domain.toLowerCase(), { enabled: true });
  }

  /** The selector CNAME targets Exchange gives a domain (stable per domain and tenant). */
  dkimTargets(domain: string): { selector1: string; selector2: string } {
    const d = domain.toLowerCase();
    const initial = `${d.split(".")[0]}.onmicrosoft.com`;
    const label = d.replace(/\./g, "-");
    return {
      selector1: `selector1-${label}._domainkey.${initial}`,
      selector2: `selector2-${label}._domainkey.${initial}`,
    };
  }

  // ---------------- the route ----------------

  /** Serves `POST /adminapi/beta/{tenant}/InvokeCommand`. */
  handle(req: EmulatorRequest, selfUrl: string): EmulatorResponse {
    if (req.params.tenant !== this.directory.tenantId) {
      return exchangeError(
        404,
        "Data.Directory.TenantNotFoundException",
        `Tenant '${req.params.tenant}' could not be found.`,
      );
    }
    const anchor = req.headers["x-anchormailbox"];
    if (typeof anchor === "string") this.anchors.push(anchor);
    const input = (req.body as { CmdletInput?: { CmdletName?: unknown; Parameters?: unknown } })
      ?.CmdletInput;
    const name = str(input?.CmdletName);
    if (name === undefined) {
      return exchangeError(
        400,
        "Admin.OData.Core.ODataServiceException",
        "CmdletInput is missing.",
      );
    }
    const params = (input?.Parameters ?? {}) as Record<string, unknown>;
    const cmdlet = Object.entries(this.cmdlets).find(
      ([k]) => k.toLowerCase() === name.toLowerCase(),
    )?.[1];
    // A page after the first repeats the cmdlet: it is logged once.
    const skip = Number(req.query.get("$skiptoken") ?? "0");
    if (skip === 0) this.invoked.push({ cmdlet: name, parameters: params });
    if (cmdlet === undefined) {
      return exchangeError(
        400,
        "Admin.OData.Core.CmdletNotFoundException",
        `The term '${name}' is not recognized as a name of a cmdlet.`,
      );
    }
    const result = cmdlet(params);
    if (isError(result)) return result;
    const prefer = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(String(req.headers.prefer ?? ""));
    const size = Math.min(prefer ? Number(prefer[1]) : this.maxPageSize, this.maxPageSize);
    const value = result.slice(skip, skip + size);
    const body: Record<string, unknown> = {
      "@odata.context": `${selfUrl}/adminapi/beta/$metadata#Collection(Exchange.GenericHashTable)`,
      "adminapi.warnings@odata.type": "#Collection(String)",
      "@adminapi.warnings": this.warnings.splice(0),
      value,
    };
    if (skip + size < result.length) {
      body["@odata.nextLink"] =
        `${selfUrl}/adminapi/beta/${this.directory.tenantId}/InvokeCommand?$skiptoken=${skip + size}`;
    }
    return { status: 200, body };
  }

  private warnings: string[] = [];

  // ---------------- helpers ----------------

  private stateOf(u: DirectoryUser): ExchangeState {
    let s = this.state.get(u.id);
    if (s === undefined) {
      s = {
        recipientTypeDetails: "UserMailbox",
        exchangeGuid: randomUUID(),
        forwardingSmtpAddress: null,
        deliverToMailboxAndForward: false,
        permissions: [],
      };
      this.state.set(u.id, s);
    }
    return s;
  }

  private findUser(identity: string): DirectoryUser | undefined {
    const key = identity.toLowerCase();
    return this.directory
      .mailboxUsers()
      .find(
        (u) =>
          u.id === key ||
          u.userPrincipalName.toLowerCase() === key ||
          u.mailNickname.toLowerCase() === key ||
          this.stateOf(u).exchangeGuid === key ||
          u.proxyAddresses.some((p) => p.slice(5).toLowerCase() === key),
      );
  }

  /** The mailbox named by `Identity`, or the error Exchange answers (lag included). */
  private mailboxOf(params: Record<string, unknown>): DirectoryUser | EmulatorResponse {
    const identity = str(params.Identity);
    if (identity === undefined) {
      return invalidParameter(
        'Cannot process argument because the value of argument "Identity" is null.',
      );
    }
    const u = this.findUser(identity);
    if (!u) return notFound(identity);
    const left = this.lagging.get(u.id) ?? 0;
    if (left > 0) {
      if (left === 1) this.lagging.delete(u.id);
      else this.lagging.set(u.id, left - 1);
      this.laggedAnswers += 1;
      return notFound(identity);
    }
    return u;
  }

  private present(u: DirectoryUser): Record<string, unknown> {
    const s = this.stateOf(u);
    const primary = u.proxyAddresses.find((p) => p.startsWith("SMTP:"))?.slice(5) ?? u.mail;
    return {
      Identity: u.mailNickname,
      Name: u.mailNickname,
      Alias: u.mailNickname,
      DisplayName: u.displayName,
      Guid: s.exchangeGuid,
      ExchangeGuid: s.exchangeGuid,
      ExternalDirectoryObjectId: u.id,
      UserPrincipalName: u.userPrincipalName,
      PrimarySmtpAddress: primary,
      EmailAddresses: [...u.proxyAddresses],
      RecipientTypeDetails: s.recipientTypeDetails,
      ForwardingSmtpAddress: s.forwardingSmtpAddress,
      DeliverToMailboxAndForward: s.deliverToMailboxAndForward,
      AccountDisabled: !u.accountEnabled,
    };
  }

  /** An SMTP address in an accepted domain, or the error Exchange answers. */
  private checkAddress(address: string): EmulatorResponse | undefined {
    const m = /^[^@\s]+@([^@\s]+)$/.exec(address);
    if (m === null) {
      return exchangeError(
        400,
        "Data.DataValidationException",
        `The address '${address}' is invalid: it isn't a valid SMTP address.`,
      );
    }
    if (!this.directory.domains.includes(m[1]!.toLowerCase())) {
      return exchangeError(
        400,
        "Data.DataValidationException",
        `The domain '${m[1]}' isn't an accepted domain for your organization.`,
      );
    }
    return undefined;
  }

  /** `-Name`, `-Alias` and `-PrimarySmtpAddress` of a New-* cmdlet, defaulted and checked. */
  private newRecipient(
    params: Record<string, unknown>,
  ): { name: string; alias: string; primary: string } | EmulatorResponse {
    const name = str(params.Name);
    if (name === undefined || name === "") {
      return invalidParameter(
        "Cannot validate argument on parameter 'Name'. The argument is null or empty.",
      );
    }
    const alias = (str(params.Alias) ?? name).toLowerCase();
    const primary = (
      str(params.PrimarySmtpAddress) ?? `${alias}@${this.directory.domains[0]}`
    ).toLowerCase();
    return this.checkAddress(primary) ?? { name, alias, primary };
  }

  // ---------------- cmdlets ----------------

  private getMailbox(params: Record<string, unknown>): unknown[] | EmulatorResponse {
    if (params.Identity !== undefined) {
      const u = this.mailboxOf(params);
      return isError(u) ? u : [this.present(u)];
    }
    const type = str(params.RecipientTypeDetails);
    return this.directory
      .mailboxUsers()
      .filter((u) => type === undefined || this.stateOf(u).recipientTypeDetails === type)
      .sort((a, b) => a.userPrincipalName.localeCompare(b.userPrincipalName))
      .map((u) => this.present(u));
  }

  private setMailbox(params: Record<string, unknown>): unknown[] | EmulatorResponse {
    const u = this.mailboxOf(params);
    if (isError(u)) return u;
    const s = this.stateOf(u);
    let changed = false;
    if (params.EmailAddresses !== undefined) {
      const next = [...u.proxyAddresses];
      const table = Array.isArray(params.EmailAddresses)
        ? undefined
        : hashtable(params.EmailAddresses);
      if (table === undefined && !Array.isArray(params.EmailAddresses)) {
        return invalidParameter(
          "Cannot process argument transformation on parameter 'EmailAddresses'.",
        );
      }
      const strip = (p: string) => p.replace(/^smtp:/i, "").toLowerCase();
      const adds = table ? table.add : (params.EmailAddresses as unknown[]).map(String);
      if (!table) next.splice(0, next.length);
      for (const raw of table ? table.remove : []) {
        const i = next.findIndex((p) => p.slice(5).toLowerCase() === strip(raw));
        if (i >= 0 && next[i]!.startsWith("SMTP:")) {
          return exchangeError(
            400,
            "Data.DataValidationException",
            `The primary SMTP address can't be removed: ${next[i]}.`,
          );
        }
        if (i >= 0) next.splice(i, 1);
      }
      for (const raw of adds) {
        const address = strip(raw);
        const bad = this.checkAddress(address);
        if (bad) return bad;
        if (next.some((p) => p.slice(5).toLowerCase() === address)) continue;
        if (this.directory.addressTaken(address, u.id)) {
          return exchangeError(
            400,
            "Data.Directory.ADObjectAlreadyExistsException",
            `The proxy address "SMTP:${address}" is already being used by the proxy addresses or LegacyExchangeDN. Please choose another proxy address.`,
          );
        }
        const primary = /^SMTP:/.test(raw);
        next.push(`${primary ? "SMTP" : "smtp"}:${address}`);
      }
      if (next.filter((p) => p.startsWith("SMTP:")).length !== 1) {
        return exchangeError(
          400,
          "Data.DataValidationException",
          "A recipient must have exactly one primary SMTP address (SMTP:).",
        );
      }
      if (next.join() !== u.proxyAddresses.join()) changed = true;
      u.proxyAddresses = next;
    }
    if ("ForwardingSmtpAddress" in params) {
      const raw = params.ForwardingSmtpAddress;
      const value =
        raw === null || raw === "" ? null : `smtp:${String(raw).replace(/^smtp:/i, "")}`;
      if (value !== null && !/^smtp:[^@\s]+@[^@\s]+$/.test(value)) {
        return invalidParameter(`"${String(raw)}" isn't a valid SMTP address.`);
      }
      if (value !== s.forwardingSmtpAddress) changed = true;
      s.forwardingSmtpAddress = value;
    }
    if (typeof params.DeliverToMailboxAndForward === "boolean") {
      if (params.DeliverToMailboxAndForward !== s.deliverToMailboxAndForward) changed = true;
      s.deliverToMailboxAndForward = params.DeliverToMailboxAndForward;
    }
    if (!changed) {
      this.warnings.push(
        `The command completed successfully but no settings of '${u.mailNickname}' have been modified.`,
      );
    }
    return [];
  }

  private newMailbox(params: Record<string, unknown>): unknown[] | EmulatorResponse {
    if (params.Shared !== true) {
      return invalidParameter(
        "New-Mailbox over this route creates shared mailboxes only in the emulator (-Shared).",
      );
    }
    const named = this.newRecipient(params);
    if (isError(named)) return named;
    const { name, alias, primary } = named;
    if (
      this.directory.mailboxUsers().some((u) => u.mailNickname.toLowerCase() === name.toLowerCase())
    ) {
      return exchangeError(
        400,
        "Data.Directory.ADObjectAlreadyExistsException",
        `The name "${name}" is being used by another recipient object. Please specify a unique name.`,
      );
    }
    if (this.directory.addressTaken(primary)) {
      return exchangeError(
        400,
        "Data.Directory.ADObjectAlreadyExistsException",
        `The proxy address "SMTP:${primary}" is already being used by the proxy addresses or LegacyExchangeDN. Please choose another proxy address.`,
      );
    }
    const u = this.directory.createSharedUser(alias, str(params.DisplayName) ?? name, primary);
    this.stateOf(u).recipientTypeDetails = "SharedMailbox";
    return [this.present(u)];
  }

  private getMailboxPermission(params: Record<string, unknown>): unknown[] | EmulatorResponse {
    const u = this.mailboxOf(params);
    if (isError(u)) return u;
    return [
      {
        Identity: u.mailNickname,
        User: "NT AUTHORITY\\SELF",
        AccessRights: ["FullAccess", "ReadPermission"],
        IsInherited: false,
        Deny: false,
      },
      ...this.stateOf(u).permissions.map((p) => ({
        Identity: u.mailNickname,
        User: p.user,
        AccessRights: [...p.accessRights],
        IsInherited: false,
        Deny: false,
      })),
    ];
  }

  private changeMailboxPermission(
    params: Record<string, unknown>,
    change: "add" | "remove",
  ): unknown[] | EmulatorResponse {
    const u = this.mailboxOf(params);
    if (isError(u)) return u;
    const userParam = str(params.User);
    if (userParam === undefined) {
      return invalidParameter(
        'Cannot process argument because the value of argument "User" is null.',
      );
    }
    const who = this.findUser(userParam);
    if (!who) return notFound(userParam);
    const rights = (
      Array.isArray(params.AccessRights) ? params.AccessRights : [params.AccessRights]
    ).map(String);
    const user = (who.mail ?? who.userPrincipalName).toLowerCase();
    const s = this.stateOf(u);
    const existing = s.permissions.find((p) => p.user === user);
    if (change === "add") {
      if (existing) {
        for (const r of rights)
          if (!existing.accessRights.includes(r)) existing.accessRights.push(r);
      } else {
        s.permissions.push({ user, accessRights: rights });
      }
      return [
        {
          Identity: u.mailNickname,
          User: user,
          AccessRights: rights,
          IsInherited: false,
          Deny: false,
        },
      ];
    }
    if (!existing) {
      this.warnings.push(
        `Can't remove the access control entry on the object because no ACE for '${user}' exists.`,
      );
      return [];
    }
    existing.accessRights = existing.accessRights.filter((r) => !rights.includes(r));
    if (existing.accessRights.length === 0)
      s.permissions.splice(s.permissions.indexOf(existing), 1);
    return [];
  }

  private getDkim(params: Record<string, unknown>): unknown[] | EmulatorResponse {
    const identity = str(params.Identity)?.toLowerCase();
    const domains = identity === undefined ? this.directory.domains : [identity];
    const out: unknown[] = [];
    for (const d of domains) {
      if (!this.directory.domains.includes(d)) return notFound(d);
      const t = this.dkimTargets(d);
      const enabled = this.dkim.get(d)?.enabled ?? false;
      out.push({
        Identity: d,
        Domain: d,
        Enabled: enabled,
        Status: enabled ? "Valid" : "CnameMissing",
        Selector1CNAME: t.selector1,
        Selector2CNAME: t.selector2,
        Selector1KeySize: 2048,
        Selector2KeySize: 2048,
      });
    }
    return out;
  }

  private findGroup(identity: string): DirectoryGroup | undefined {
    const key = identity.toLowerCase();
    return this.directory
      .distributionGroups()
      .find(
        (g) =>
          g.id === key ||
          g.mailNickname.toLowerCase() === key ||
          g.displayName.toLowerCase() === key ||
          g.mail === key,
      );
  }

  private presentGroup(g: DirectoryGroup): Record<string, unknown> {
    return {
      Identity: g.mailNickname,
      Name: g.mailNickname,
      Alias: g.mailNickname,
      DisplayName: g.displayName,
      Guid: g.id,
      ExternalDirectoryObjectId: g.id,
      PrimarySmtpAddress: g.mail,
      EmailAddresses: [`SMTP:${g.mail}`],
      RecipientTypeDetails: "MailUniversalDistributionGroup",
    };
  }

  private newDistributionGroup(params: Record<string, unknown>): unknown[] | EmulatorResponse {
    const named = this.newRecipient(params);
    if (isError(named)) return named;
    const { name, alias, primary } = named;
    if (this.findGroup(alias) || this.directory.addressTaken(primary)) {
      return exchangeError(
        400,
        "Data.Directory.ADObjectAlreadyExistsException",
        `The name "${name}" or the address "${primary}" is being used by another recipient object.`,
      );
    }
    const members: string[] = [];
    for (const m of (Array.isArray(params.Members) ? params.Members : []).map(String)) {
      const u = this.findUser(m);
      if (!u) return notFound(m);
      members.push(u.id);
    }
    const g = this.directory.createDistributionGroup(
      alias,
      str(params.DisplayName) ?? name,
      primary,
    );
    g.members.push(...members);
    return [this.presentGroup(g)];
  }

  private getDistributionGroup(params: Record<string, unknown>): unknown[] | EmulatorResponse {
    const identity = str(params.Identity);
    if (identity === undefined) {
      return this.directory.distributionGroups().map((g) => this.presentGroup(g));
    }
    const g = this.findGroup(identity);
    return g ? [this.presentGroup(g)] : notFound(identity);
  }

  private setDistributionGroup(params: Record<string, unknown>): unknown[] | EmulatorResponse {
    const identity = str(params.Identity) ?? "";
    const g = this.findGroup(identity);
    if (!g) return notFound(identity);
    if (typeof params.DisplayName === "string") g.displayName = params.DisplayName;
    return [];
  }

  private removeDistributionGroup(params: Record<string, unknown>): unknown[] | EmulatorResponse {
    const identity = str(params.Identity) ?? "";
    const g = this.findGroup(identity);
    if (!g) return notFound(identity);
    this.directory.removeGroup(g.id);
    return [];
  }

  private getDistributionGroupMember(
    params: Record<string, unknown>,
  ): unknown[] | EmulatorResponse {
    const identity = str(params.Identity) ?? "";
    const g = this.findGroup(identity);
    if (!g) return notFound(identity);
    return g.members
      .map((id) => this.directory.mailboxUsers().find((u) => u.id === id))
      .filter((u): u is DirectoryUser => u !== undefined)
      .map((u) => ({
        Identity: u.mailNickname,
        Name: u.mailNickname,
        PrimarySmtpAddress: u.mail,
        RecipientType: "UserMailbox",
      }));
  }

  private changeDistributionGroupMember(
    params: Record<string, unknown>,
    change: "add" | "remove",
  ): unknown[] | EmulatorResponse {
    const identity = str(params.Identity) ?? "";
    const g = this.findGroup(identity);
    if (!g) return notFound(identity);
    const member = str(params.Member) ?? "";
    const u = this.findUser(member);
    if (!u) return notFound(member);
    const has = g.members.includes(u.id);
    if (change === "add") {
      if (has) {
        return exchangeError(
          400,
          "Management.Tasks.MemberAlreadyExistsException",
          `The recipient "${member}" is already a member of the group "${g.displayName}".`,
        );
      }
      g.members.push(u.id);
    } else {
      if (!has) {
        return exchangeError(
          400,
          "Management.Tasks.MemberNotFoundException",
          `The recipient "${member}" isn't a member of the group "${g.displayName}".`,
        );
      }
      g.members.splice(g.members.indexOf(u.id), 1);
    }
    return [];
  }
}
