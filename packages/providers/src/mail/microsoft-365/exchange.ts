import { z } from "zod";
import { MailProviderError, ProviderError } from "../../errors";
import { HttpClient } from "../../http/client";
import {
  GraphTokenSource,
  nextLinkPath,
  retryWhile,
  withFreshTokenOn401,
  type Microsoft365ClientConfig,
} from "./client";

/**
 * Exchange Online's `InvokeCommand` route: `POST {apiUrl}/{tenant}/InvokeCommand` with
 * `{"CmdletInput":{"CmdletName":"Set-Mailbox","Parameters":{...}}}`, the route the Exchange admin
 * centre and CIPP use to run Exchange cmdlets over HTTPS. It is NOT a documented API: Microsoft
 * may change or close it without notice. Mailplane calls it only when the binding opts in with
 * `exchange: { invokeCommand: true }`.
 */
export const EXCHANGE_ADMIN_URL = "https://outlook.office365.com/adminapi/beta";
/** The scope of tokens for Exchange Online (resource `https://outlook.office365.com`). */
export const EXCHANGE_SCOPE = "https://outlook.office365.com/.default";
/** The routing hint the route's callers send: the tenant's system mailbox for app tokens. */
export const exchangeAnchor = (tenantId: string): string =>
  `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${tenantId}`;

const PROVIDER = "microsoft365";

/** A mailbox as `Get-Mailbox` returns it (the fields Mailplane reads). */
export const exchangeMailboxSchema = z.looseObject({
  ExternalDirectoryObjectId: z.string().nullish(),
  UserPrincipalName: z.string().nullish(),
  PrimarySmtpAddress: z.string(),
  EmailAddresses: z.array(z.string()).nullish(),
  RecipientTypeDetails: z.string().nullish(),
  ForwardingSmtpAddress: z.string().nullish(),
  DeliverToMailboxAndForward: z.boolean().nullish(),
});
/** An Exchange mailbox. */
export type ExchangeMailbox = z.infer<typeof exchangeMailboxSchema>;

/** One access entry of `Get-MailboxPermission`. */
export const exchangePermissionSchema = z.looseObject({
  User: z.string(),
  AccessRights: z.array(z.string()).nullish(),
  IsInherited: z.boolean().nullish(),
  Deny: z.boolean().nullish(),
});

/** A domain's DKIM configuration as `Get-DkimSigningConfig` returns it. */
export const exchangeDkimSchema = z.looseObject({
  Domain: z.string().nullish(),
  Enabled: z.boolean().nullish(),
  Selector1CNAME: z.string().nullish(),
  Selector2CNAME: z.string().nullish(),
});

const pageSchema = z.looseObject({
  value: z.array(z.unknown()).nullish(),
  "@odata.nextLink": z.string().optional(),
  "@adminapi.warnings": z.array(z.string()).nullish(),
});

/**
 * The route's error text: the cmdlet's exception as CIPP's `New-ExoRequest` reads it (the
 * details' message, else the inner exception's, else the error's), shortened to
 * `ExceptionName: text`.
 */
export function exchangeApiMessage(body: unknown, text: string): string | undefined {
  const e = (body as { error?: Record<string, unknown> } | undefined)?.error;
  if (e && typeof e === "object") {
    const details = Array.isArray(e.details) ? (e.details as { message?: unknown }[]) : [];
    const inner = (e.innererror ?? e.innerError) as
      | { internalexception?: { message?: unknown }; internalException?: { message?: unknown } }
      | undefined;
    const raw = [
      details[0]?.message,
      inner?.internalexception?.message ?? inner?.internalException?.message,
      e.message,
    ].find((m): m is string => typeof m === "string" && m !== "");
    if (raw !== undefined) {
      const parts = raw.split("|");
      if (parts.length >= 3) {
        const exception = parts[parts.length - 2]!.split(".").pop();
        return `${exception}: ${parts[parts.length - 1]}`;
      }
      return raw;
    }
  }
  const t = text.trim();
  return t === "" ? undefined : t;
}

/** Exchange's answer for a recipient it does not know (yet): ManagementObjectNotFound. */
export function isExchangeNotFound(e: unknown): boolean {
  return (
    e instanceof MailProviderError &&
    (e.status === 404 ||
      /ManagementObjectNotFoundException|couldn't be found/i.test(e.apiMessage ?? ""))
  );
}

/** Settings of the Exchange client: the Graph client's, plus the route's base URL. */
export interface ExchangeClientConfig extends Microsoft365ClientConfig {
  /** @default "https://outlook.office365.com/adminapi/beta" */
  exchangeApiUrl?: string;
}

/** Cmdlets through Exchange Online's InvokeCommand route, through the HTTP kit. */
export class ExchangeClient {
  readonly tokens: GraphTokenSource;
  readonly baseUrl: string;
  private client: HttpClient | undefined;

  constructor(private readonly config: ExchangeClientConfig) {
    this.baseUrl = (config.exchangeApiUrl ?? EXCHANGE_ADMIN_URL).replace(/\/+$/, "");
    this.tokens = new GraphTokenSource(config, EXCHANGE_SCOPE);
  }

  private get http(): HttpClient {
    this.client ??= new HttpClient({
      provider: PROVIDER,
      baseUrl: this.baseUrl,
      // Exchange's own throttling is per tenant and undocumented: the same pace as Graph writes.
      budget: this.config.budget ?? { ratePerSecond: 19.5, burst: 20 },
      timeoutMs: this.config.timeoutMs,
      retry: this.config.retry,
      apiMessage: exchangeApiMessage,
      secrets: [this.tokens.secret()],
      authorization: async () => `Bearer ${await this.tokens.token()}`,
      headers: {
        "X-AnchorMailbox": exchangeAnchor(this.config.tenantId),
        Prefer: "odata.maxpagesize=1000",
      },
    });
    return this.client;
  }

  /**
   * Runs one cmdlet and returns every object of its answer, following `@odata.nextLink` (the
   * same body POSTed to the next page's URL). Writes are sent once: a lost answer is an error
   * the caller resolves by reading.
   */
  async invoke<T>(
    operation: string,
    cmdlet: string,
    parameters: Record<string, unknown>,
    item: z.ZodType<T>,
  ): Promise<T[]> {
    const body = { CmdletInput: { CmdletName: cmdlet, Parameters: parameters } };
    const out: T[] = [];
    let path: string | undefined = `/${encodeURIComponent(this.config.tenantId)}/InvokeCommand`;
    while (path !== undefined) {
      const at: string = path;
      const page: z.infer<typeof pageSchema> = await withFreshTokenOn401(
        this.tokens,
        () =>
          this.http.request({
            operation,
            method: "POST",
            path: at,
            body,
            schema: pageSchema,
            // Cmdlets that change nothing twice (Set-Mailbox, Get-*) may be resent; New-* are not
            // resent blindly: the caller reads first.
            ...(cmdlet.startsWith("Get-") || cmdlet.startsWith("Set-")
              ? { verify: async () => undefined }
              : {}),
          }),
        // The route's 401 bodies are undocumented: any 401 gets one new token.
        () => true,
      );
      for (const v of page.value ?? []) {
        const parsed = item.safeParse(v);
        if (!parsed.success) {
          throw new ProviderError({
            provider: PROVIDER,
            operation,
            apiMessage: `${cmdlet} answered an object Mailplane cannot read: ${parsed.error.issues[0]?.message ?? "invalid"}`,
          });
        }
        out.push(parsed.data);
      }
      path = nextLinkPath(page["@odata.nextLink"], this.baseUrl, operation);
    }
    return out;
  }

  /** Runs `fn` while Exchange has not provisioned a mailbox yet, at most `waitMs`. */
  whileProvisioning<T>(waitMs: number, fn: () => Promise<T>): Promise<T> {
    return retryWhile(isExchangeNotFound, waitMs, fn);
  }
}
