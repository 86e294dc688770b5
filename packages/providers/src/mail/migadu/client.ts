import type { z } from "zod";
import { HttpClient, type HttpClientConfig } from "../../http/client";
import type { BudgetConfig } from "../../http/budget";
import type { RetryPolicy } from "../../http/retry";
import {
  migaduAliasListSchema,
  migaduAliasSchema,
  migaduForwardingListSchema,
  migaduForwardingSchema,
  migaduIdentityListSchema,
  migaduMailboxListSchema,
  migaduMailboxSchema,
  type MigaduAlias,
  type MigaduForwarding,
  type MigaduMailbox,
  type MigaduMailboxWrite,
} from "./schema";

/** Migadu's documented API endpoint. */
export const MIGADU_API_URL = "https://api.migadu.com/v1";

/**
 * Default request budget: Migadu allows roughly 60 requests per 2 minutes and answers 403
 * (possibly blocking the IP for a while) beyond that; 0.45/s with a burst of 5 stays under it.
 */
export const migaduDefaultBudget: BudgetConfig = { ratePerSecond: 0.45, burst: 5 };

/** Connection settings of the Migadu HTTP client. Credentials stay inside the client. */
export interface MigaduClientConfig {
  /** @default "https://api.migadu.com/v1" */
  baseUrl?: string;
  /** Admin email address of the Migadu account (HTTP Basic user). */
  user: string;
  /** Migadu API key (HTTP Basic password). */
  apiKey: string;
  /**
   * Process-wide request budget for this endpoint.
   * @default migaduDefaultBudget ({ ratePerSecond: 0.45, burst: 5 })
   */
  budget?: BudgetConfig;
  /** @default 30000 */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
}

const seg = encodeURIComponent;
const domainPath = (domain: string, below: string) => `/domains/${seg(domain)}${below}`;
const mailboxPath = (domain: string, localPart: string, below = "") =>
  domainPath(domain, `/mailboxes/${seg(localPart)}${below}`);
const aliasPath = (domain: string, localPart: string) =>
  domainPath(domain, `/aliases/${seg(localPart)}`);

/** True for Migadu's rate-limit answer: 403 whose message talks about rates or limits. */
export function isMigaduRateLimited(status: number, body: unknown, text: string): boolean {
  if (status !== 403) return false;
  const message =
    body && typeof body === "object" && typeof (body as { error?: unknown }).error === "string"
      ? (body as { error: string }).error
      : text;
  return /rate|limit|too many|slow down/i.test(message);
}

/** Typed calls of the Migadu API; every call goes through the HTTP kit. */
export class MigaduClient {
  readonly http: HttpClient;

  constructor(config: MigaduClientConfig) {
    const http: HttpClientConfig = {
      provider: "migadu",
      baseUrl: config.baseUrl ?? MIGADU_API_URL,
      auth: { username: config.user, password: config.apiKey },
      budget: config.budget ?? migaduDefaultBudget,
      timeoutMs: config.timeoutMs,
      retry: config.retry,
      isRateLimited: isMigaduRateLimited,
    };
    this.http = new HttpClient(http);
  }

  /** A GET of `path`, its answer parsed by `schema`. */
  private get<T>(operation: string, path: string, schema: z.ZodType<T>): Promise<T> {
    return this.http.request({ operation, method: "GET", path, schema });
  }

  /** A DELETE of `path`. */
  private async delete(operation: string, path: string): Promise<void> {
    await this.http.request({ operation, method: "DELETE", path });
  }

  /** Every mailbox of a domain (Migadu does not page). */
  async listMailboxes(domain: string, operation = "listMailboxes"): Promise<MigaduMailbox[]> {
    return (await this.get(operation, domainPath(domain, "/mailboxes"), migaduMailboxListSchema))
      .mailboxes;
  }

  /** One mailbox; throws NotFoundError when absent. */
  getMailbox(domain: string, localPart: string, operation = "getMailbox"): Promise<MigaduMailbox> {
    return this.get(operation, mailboxPath(domain, localPart), migaduMailboxSchema);
  }

  /** Creates a mailbox; `verify` adopts a create that took effect before the connection dropped. */
  createMailbox(
    domain: string,
    body: MigaduMailboxWrite,
    verify: () => Promise<MigaduMailbox | undefined>,
  ): Promise<MigaduMailbox> {
    return this.http.request({
      operation: "createMailbox",
      method: "POST",
      path: domainPath(domain, "/mailboxes"),
      body,
      schema: migaduMailboxSchema,
      verify,
    });
  }

  /** Updates the given fields of a mailbox. */
  updateMailbox(
    domain: string,
    localPart: string,
    body: MigaduMailboxWrite,
  ): Promise<MigaduMailbox> {
    return this.http.request({
      operation: "updateMailbox",
      method: "PUT",
      path: mailboxPath(domain, localPart),
      body,
      schema: migaduMailboxSchema,
    });
  }

  /** Deletes a mailbox and its stored mail. */
  async deleteMailbox(domain: string, localPart: string): Promise<void> {
    await this.delete("deleteMailbox", mailboxPath(domain, localPart));
  }

  /** Every alias of a domain (Migadu does not page). */
  async listAliases(domain: string, operation = "listAliases"): Promise<MigaduAlias[]> {
    return (await this.get(operation, domainPath(domain, "/aliases"), migaduAliasListSchema))
      .address_aliases;
  }

  /** One alias; throws NotFoundError when absent. */
  getAlias(domain: string, localPart: string, operation = "getAlias"): Promise<MigaduAlias> {
    return this.get(operation, aliasPath(domain, localPart), migaduAliasSchema);
  }

  /** Creates an alias; destinations are sent comma-separated as documented. */
  createAlias(
    domain: string,
    localPart: string,
    destinations: string[],
    verify: () => Promise<MigaduAlias | undefined>,
    operation = "createAlias",
  ): Promise<MigaduAlias> {
    return this.http.request({
      operation,
      method: "POST",
      path: domainPath(domain, "/aliases"),
      body: { local_part: localPart, destinations: destinations.join(",") },
      schema: migaduAliasSchema,
      verify,
    });
  }

  /** Replaces an alias's destinations. */
  updateAlias(
    domain: string,
    localPart: string,
    destinations: string[],
    operation = "updateAlias",
  ): Promise<MigaduAlias> {
    return this.http.request({
      operation,
      method: "PUT",
      path: aliasPath(domain, localPart),
      body: { destinations: destinations.join(",") },
      schema: migaduAliasSchema,
    });
  }

  /** Deletes an alias. */
  async deleteAlias(domain: string, localPart: string, operation = "deleteAlias"): Promise<void> {
    await this.delete(operation, aliasPath(domain, localPart));
  }

  /** A mailbox's forwardings. */
  async listForwardings(
    domain: string,
    localPart: string,
    operation: string,
  ): Promise<MigaduForwarding[]> {
    const path = mailboxPath(domain, localPart, "/forwardings");
    return (await this.get(operation, path, migaduForwardingListSchema)).forwardings;
  }

  /** Adds a forwarding (external destinations wait for the recipient's confirmation). */
  createForwarding(
    domain: string,
    localPart: string,
    address: string,
    operation: string,
  ): Promise<MigaduForwarding> {
    return this.http.request({
      operation,
      method: "POST",
      path: mailboxPath(domain, localPart, "/forwardings"),
      body: { address },
      schema: migaduForwardingSchema,
      verify: async () => {
        const list = await this.listForwardings(domain, localPart, operation);
        return list.find((f) => f.address.toLowerCase() === address);
      },
    });
  }

  /** Removes a forwarding. */
  async deleteForwarding(
    domain: string,
    localPart: string,
    address: string,
    operation: string,
  ): Promise<void> {
    await this.delete(operation, mailboxPath(domain, localPart, `/forwardings/${seg(address)}`));
  }

  /** A mailbox's send-as identities (read-only use in Mailplane: reported by `doctor`). */
  async listIdentities(domain: string, localPart: string): Promise<string[]> {
    const path = mailboxPath(domain, localPart, "/identities");
    const res = await this.get("listIdentities", path, migaduIdentityListSchema);
    return res.identities.map((i) => i.address);
  }
}
