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

  /** Every mailbox of a domain (Migadu does not page). */
  async listMailboxes(domain: string, operation = "listMailboxes"): Promise<MigaduMailbox[]> {
    const res = await this.http.request({
      operation,
      method: "GET",
      path: `/domains/${seg(domain)}/mailboxes`,
      schema: migaduMailboxListSchema,
    });
    return res.mailboxes;
  }

  /** One mailbox; throws NotFoundError when absent. */
  getMailbox(domain: string, localPart: string, operation = "getMailbox"): Promise<MigaduMailbox> {
    return this.http.request({
      operation,
      method: "GET",
      path: `/domains/${seg(domain)}/mailboxes/${seg(localPart)}`,
      schema: migaduMailboxSchema,
    });
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
      path: `/domains/${seg(domain)}/mailboxes`,
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
      path: `/domains/${seg(domain)}/mailboxes/${seg(localPart)}`,
      body,
      schema: migaduMailboxSchema,
    });
  }

  /** Deletes a mailbox and its stored mail. */
  async deleteMailbox(domain: string, localPart: string): Promise<void> {
    await this.http.request({
      operation: "deleteMailbox",
      method: "DELETE",
      path: `/domains/${seg(domain)}/mailboxes/${seg(localPart)}`,
    });
  }

  /** Every alias of a domain (Migadu does not page). */
  async listAliases(domain: string, operation = "listAliases"): Promise<MigaduAlias[]> {
    const res = await this.http.request({
      operation,
      method: "GET",
      path: `/domains/${seg(domain)}/aliases`,
      schema: migaduAliasListSchema,
    });
    return res.address_aliases;
  }

  /** One alias; throws NotFoundError when absent. */
  getAlias(domain: string, localPart: string, operation = "getAlias"): Promise<MigaduAlias> {
    return this.http.request({
      operation,
      method: "GET",
      path: `/domains/${seg(domain)}/aliases/${seg(localPart)}`,
      schema: migaduAliasSchema,
    });
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
      path: `/domains/${seg(domain)}/aliases`,
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
      path: `/domains/${seg(domain)}/aliases/${seg(localPart)}`,
      body: { destinations: destinations.join(",") },
      schema: migaduAliasSchema,
    });
  }

  /** Deletes an alias. */
  async deleteAlias(domain: string, localPart: string, operation = "deleteAlias"): Promise<void> {
    await this.http.request({
      operation,
      method: "DELETE",
      path: `/domains/${seg(domain)}/aliases/${seg(localPart)}`,
    });
  }

  /** A mailbox's forwardings. */
  async listForwardings(
    domain: string,
    localPart: string,
    operation: string,
  ): Promise<MigaduForwarding[]> {
    const res = await this.http.request({
      operation,
      method: "GET",
      path: `/domains/${seg(domain)}/mailboxes/${seg(localPart)}/forwardings`,
      schema: migaduForwardingListSchema,
    });
    return res.forwardings;
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
      path: `/domains/${seg(domain)}/mailboxes/${seg(localPart)}/forwardings`,
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
    await this.http.request({
      operation,
      method: "DELETE",
      path: `/domains/${seg(domain)}/mailboxes/${seg(localPart)}/forwardings/${seg(address)}`,
    });
  }

  /** A mailbox's send-as identities (read-only use in Mailplane: reported by `doctor`). */
  async listIdentities(domain: string, localPart: string): Promise<string[]> {
    const res = await this.http.request({
      operation: "listIdentities",
      method: "GET",
      path: `/domains/${seg(domain)}/mailboxes/${seg(localPart)}/identities`,
      schema: migaduIdentityListSchema,
    });
    return res.identities.map((i) => i.address);
  }
}
