import { JWT } from "google-auth-library";
import type { z } from "zod";
import { AuthError } from "../../errors";
import { HttpClient, type HttpRequest } from "../../http/client";
import type { BudgetConfig } from "../../http/budget";
import type { RetryPolicy } from "../../http/retry";
import {
  googleGroupListSchema,
  googleGroupSchema,
  googleGroupSettingsSchema,
  googleMemberListSchema,
  googleUserAliasSchema,
  googleUserListSchema,
  googleUserSchema,
  type GoogleGroup,
  type GoogleUser,
  type GoogleUserWrite,
} from "./schema";

/** The Directory API's documented base URL. */
export const GOOGLE_DIRECTORY_URL = "https://admin.googleapis.com/admin/directory/v1";
/** Google's OAuth token endpoint (also the JWT's `aud`, whatever URL the request goes to). */
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";

/** The scopes the adapter asks for (each must be granted to the client id in domain-wide delegation). */
export const GOOGLE_WORKSPACE_SCOPES = [
  "https://www.googleapis.com/auth/admin.directory.user",
  "https://www.googleapis.com/auth/admin.directory.group",
] as const;

/** The Groups Settings API's base URL (another host than the Directory's). */
export const GOOGLE_GROUPS_SETTINGS_URL = "https://www.googleapis.com/groups/v1/groups";
/**
 * The Groups Settings scope, asked for in a token of its own, only when a collaborative inbox is
 * written: a tenant that never declares one need not delegate it (Google refuses a token request
 * naming any scope not delegated).
 */
export const GOOGLE_GROUPS_SETTINGS_SCOPE = "https://www.googleapis.com/auth/apps.groups.settings";

/**
 * The Groups Settings base URL for a Directory base URL: Google's, or the same origin as an
 * overridden one (an emulator serving both).
 */
export function groupsSettingsUrlFor(apiUrl: string | undefined): string {
  return apiUrl === undefined
    ? GOOGLE_GROUPS_SETTINGS_URL
    : `${new URL(apiUrl).origin}/groups/v1/groups`;
}

/** Page sizes: the documented maxima. */
export const GOOGLE_USERS_PAGE = 500;
export const GOOGLE_GROUPS_PAGE = 200;
export const GOOGLE_MEMBERS_PAGE = 200;

/**
 * Default request budget: Google allows 2,400 queries per minute per user and project (40/s);
 * 36/s with a burst of 10 stays under it with room for jitter.
 */
export const googleDefaultBudget: BudgetConfig = { ratePerSecond: 36, burst: 10 };

/** The fields of a service account key file (JSON) the adapter uses. */
export interface GoogleServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
}

/** Connection settings of the Directory client. The key stays inside the client. */
export interface GoogleWorkspaceClientConfig {
  serviceAccountKey: GoogleServiceAccountKey;
  /** The super admin the service account impersonates (`sub`). */
  adminEmail: string;
  /** @default "https://admin.googleapis.com/admin/directory/v1" */
  apiUrl?: string;
  /** Where the token request is sent (an emulator in tests). @default Google's */
  tokenUrl?: string;
  budget?: BudgetConfig;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
}

const RATE_REASONS = new Set(["userRateLimitExceeded", "quotaExceeded", "rateLimitExceeded"]);

/** True for Google's rate-limit answers: 403 whose `error.errors[].reason` names a limit. */
export function isGoogleRateLimited(status: number, body: unknown): boolean {
  if (status !== 403 || !body || typeof body !== "object") return false;
  const errors = (body as { error?: { errors?: unknown } }).error?.errors;
  return (
    Array.isArray(errors) &&
    errors.some((e) => RATE_REASONS.has(String((e as { reason?: unknown })?.reason)))
  );
}

const seg = encodeURIComponent;

/** Typed calls of the Directory API on the HTTP kit, with a service-account bearer token. */
export class GoogleDirectoryClient {
  readonly http: HttpClient;
  /** Set after a 401: the next request gets a fresh token. */
  private renew = false;
  /** List requests sent, by collection (for the paging figures). */
  readonly listRequests = { users: 0, groups: 0, members: 0 };

  /**
   * @param api Another Google API with the same credentials and a token of its own (the Groups
   *   Settings API); the Directory API by default.
   */
  constructor(
    config: GoogleWorkspaceClientConfig,
    api: { baseUrl: string; scopes: readonly string[] } = {
      baseUrl: config.apiUrl ?? GOOGLE_DIRECTORY_URL,
      scopes: GOOGLE_WORKSPACE_SCOPES,
    },
  ) {
    const key = config.serviceAccountKey;
    const tokenUrl = config.tokenUrl;
    const makeJwt = (): JWT => {
      const jwt = new JWT({
        email: key.client_email,
        key: key.private_key,
        ...(key.private_key_id ? { keyId: key.private_key_id } : {}),
        scopes: [...api.scopes],
        subject: config.adminEmail,
      });
      if (tokenUrl !== undefined && tokenUrl !== GOOGLE_TOKEN_URL) {
        jwt.transporter.interceptors.request.add({
          resolved: async (options) => {
            if (String(options.url) === GOOGLE_TOKEN_URL) options.url = new URL(tokenUrl);
            return options;
          },
        });
      }
      return jwt;
    };
    let jwt = makeJwt();
    const subject = config.adminEmail;
    const secretLines = key.private_key
      .split(/\r?\n/)
      .filter((l) => l.length >= 16 && !l.startsWith("-----"));
    this.http = new HttpClient({
      provider: "googleWorkspace",
      baseUrl: api.baseUrl,
      budget: config.budget ?? googleDefaultBudget,
      timeoutMs: config.timeoutMs,
      retry: config.retry,
      secrets: [key.private_key, ...secretLines],
      isRateLimited: isGoogleRateLimited,
      authorization: async () => {
        try {
          if (this.renew) {
            // Google answered 401 to the cached token (revoked, or expired early): a new
            // client, so a new assertion and token (the JWT client caches until expiry).
            this.renew = false;
            jwt = makeJwt();
          }
          const { token } = await jwt.getAccessToken();
          if (!token) throw new Error("no access token in the answer");
          return `Bearer ${token}`;
        } catch (e) {
          // Only the OAuth error's code and description: gaxios errors hold the request (the
          // signed assertion) and must never be kept.
          const data = (e as { response?: { data?: unknown } }).response?.data as
            { error?: unknown; error_description?: unknown } | undefined;
          const reason =
            data && typeof data.error === "string"
              ? `${data.error}: ${String(data.error_description ?? "")}`
              : String((e as { code?: unknown }).code ?? "token request failed");
          throw new AuthError(
            { provider: "googleWorkspace", operation: "token" },
            `googleWorkspace token: the service account ${key.client_email} could not act as ` +
              `${subject} (${reason}); check domain-wide delegation of its client id for the ` +
              `scopes ${api.scopes.join(" ")}`,
          );
        }
      },
    });
  }

  /**
   * One request; a 401 (the cached token was revoked or expired early; Terraform's Google
   * provider retries "Login Required" too) is retried once with a fresh token.
   */
  private async call<T>(req: HttpRequest<T>): Promise<T> {
    try {
      return await this.http.request(req);
    } catch (e) {
      if (!(e instanceof AuthError) || e.status !== 401) throw e;
      this.renew = true;
      return this.http.request(req);
    }
  }

  private get<T>(operation: string, path: string, schema: z.ZodType<T>): Promise<T> {
    return this.call({ operation, method: "GET", path, schema });
  }

  /** Every page of a list, following `nextPageToken`. */
  private async pages<T>(
    operation: string,
    path: string,
    schema: z.ZodType<{ nextPageToken?: string | undefined } & Record<string, unknown>>,
    field: string,
    counter: keyof GoogleDirectoryClient["listRequests"],
  ): Promise<T[]> {
    const out: T[] = [];
    let pageToken: string | undefined;
    do {
      const sep = path.includes("?") ? "&" : "?";
      const url = pageToken === undefined ? path : `${path}${sep}pageToken=${seg(pageToken)}`;
      this.listRequests[counter] += 1;
      const page = await this.get(operation, url, schema);
      out.push(...((page[field] as T[] | undefined) ?? []));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return out;
  }

  /** Every user of a domain, 500 a page. */
  listUsers(domain: string, operation = "listUsers"): Promise<GoogleUser[]> {
    return this.pages(
      operation,
      `/users?domain=${seg(domain)}&maxResults=${GOOGLE_USERS_PAGE}`,
      googleUserListSchema,
      "users",
      "users",
    );
  }

  /** One user by primary email, alias or id; NotFoundError when absent (or not yet visible). */
  getUser(key: string, operation = "getUser"): Promise<GoogleUser> {
    return this.get(operation, `/users/${seg(key)}`, googleUserSchema);
  }

  /**
   * Creates a user; `verify` adopts a create that took effect before the answer was lost.
   * `secrets`: the plain password when the body carries only its hash.
   */
  insertUser(
    body: GoogleUserWrite,
    verify: () => Promise<GoogleUser | undefined>,
    operation = "createMailbox",
    secrets: readonly string[] = [],
  ): Promise<GoogleUser> {
    return this.call({
      operation,
      method: "POST",
      path: "/users",
      body,
      schema: googleUserSchema,
      verify,
      secrets,
    });
  }

  /** Updates a user (PUT: patch semantics, `null` clears). */
  updateUser(
    id: string,
    body: GoogleUserWrite,
    operation = "updateMailbox",
    secrets: readonly string[] = [],
  ): Promise<GoogleUser> {
    return this.call({
      operation,
      method: "PUT",
      path: `/users/${seg(id)}`,
      body,
      schema: googleUserSchema,
      secrets,
    });
  }

  /** Deletes a user (with its aliases). */
  async deleteUser(id: string, operation = "deleteMailbox"): Promise<void> {
    await this.call({ operation, method: "DELETE", path: `/users/${seg(id)}` });
  }

  /** Adds a user alias. */
  async insertUserAlias(userKey: string, alias: string, operation: string): Promise<void> {
    await this.call({
      operation,
      method: "POST",
      path: `/users/${seg(userKey)}/aliases`,
      body: { alias },
      schema: googleUserAliasSchema,
    });
  }

  /** Removes a user alias. */
  async deleteUserAlias(userKey: string, alias: string, operation: string): Promise<void> {
    await this.call({
      operation,
      method: "DELETE",
      path: `/users/${seg(userKey)}/aliases/${seg(alias)}`,
    });
  }

  /** Every group of a domain, 200 a page. */
  listGroups(domain: string, operation = "listGroups"): Promise<GoogleGroup[]> {
    return this.pages(
      operation,
      `/groups?domain=${seg(domain)}&maxResults=${GOOGLE_GROUPS_PAGE}`,
      googleGroupListSchema,
      "groups",
      "groups",
    );
  }

  /** One group; NotFoundError when absent. */
  getGroup(key: string, operation = "getGroup"): Promise<GoogleGroup> {
    return this.get(operation, `/groups/${seg(key)}`, googleGroupSchema);
  }

  /** Creates a group. */
  insertGroup(
    body: { email: string; name?: string; description?: string },
    verify: () => Promise<GoogleGroup | undefined>,
    operation = "createGroup",
  ): Promise<GoogleGroup> {
    return this.call({
      operation,
      method: "POST",
      path: "/groups",
      body,
      schema: googleGroupSchema,
      verify,
    });
  }

  /** Renames a group. */
  updateGroup(
    id: string,
    body: { name?: string; description?: string },
    operation = "updateGroup",
  ): Promise<GoogleGroup> {
    return this.call({
      operation,
      method: "PUT",
      path: `/groups/${seg(id)}`,
      body,
      schema: googleGroupSchema,
    });
  }

  /** Deletes a group. */
  async deleteGroup(id: string, operation = "deleteGroup"): Promise<void> {
    await this.call({ operation, method: "DELETE", path: `/groups/${seg(id)}` });
  }

  /** Every member address of a group (lower-case), 200 a page. */
  async listMembers(groupKey: string, operation = "listMembers"): Promise<string[]> {
    const members = await this.pages<{ email?: string }>(
      operation,
      `/groups/${seg(groupKey)}/members?maxResults=${GOOGLE_MEMBERS_PAGE}`,
      googleMemberListSchema,
      "members",
      "members",
    );
    return members.flatMap((m) => (m.email ? [m.email.toLowerCase()] : []));
  }

  /** Adds a member (role MEMBER). */
  async insertMember(groupKey: string, email: string, operation: string): Promise<void> {
    await this.call({
      operation,
      method: "POST",
      path: `/groups/${seg(groupKey)}/members`,
      body: { email, role: "MEMBER" },
    });
  }

  /**
   * A group's settings (Groups Settings API, on a client made for it): string values, booleans
   * as "true"/"false". `alt=json`, or the API answers Atom XML.
   */
  getGroupSettings(email: string, operation: string): Promise<Record<string, string>> {
    return this.get(operation, `/${seg(email)}?alt=json`, googleGroupSettingsSchema);
  }

  /** Changes the given settings (PATCH); returns them all. */
  patchGroupSettings(
    email: string,
    body: Record<string, string>,
    operation: string,
  ): Promise<Record<string, string>> {
    return this.call({
      operation,
      method: "PATCH",
      path: `/${seg(email)}?alt=json`,
      body,
      schema: googleGroupSettingsSchema,
    });
  }

  /** Removes a member. */
  async deleteMember(groupKey: string, email: string, operation: string): Promise<void> {
    await this.call({
      operation,
      method: "DELETE",
      path: `/groups/${seg(groupKey)}/members/${seg(email)}`,
    });
  }
}
