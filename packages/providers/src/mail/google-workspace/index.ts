import { AuthError } from "../../errors";
import { defineMailProvider, type AdapterSettings } from "../definition";
import {
  createGoogleWorkspaceProvider,
  googleWorkspaceCapabilities,
  type GoogleWorkspaceProviderConfig,
} from "./adapter";
import { googleWorkspaceArgsSchema } from "./args";
import type { GoogleServiceAccountKey } from "./client";
import { googleWorkspaceFacts } from "./dns";
import { googleTwoStepProblem } from "./adapter";

export * from "./adapter";
export * from "./args";
export * from "./client";
export * from "./dns";

/**
 * Parses the service account key (the JSON key file's content). Errors name what is missing,
 * never a value of the key.
 */
export function parseGoogleServiceAccountKey(text: string | undefined): GoogleServiceAccountKey {
  const where = "GOOGLE_SERVICE_ACCOUNT_KEY (or mailplane:googleServiceAccountKey)";
  let value: unknown;
  try {
    value = JSON.parse(text ?? "");
  } catch {
    throw new AuthError(
      { provider: "googleWorkspace", operation: "credentials" },
      `googleWorkspace credentials: ${where} must hold the service account's JSON key file (it is not JSON; value not shown)`,
    );
  }
  const key = value as Partial<GoogleServiceAccountKey> | null;
  const missing = ["client_email", "private_key"].filter(
    (f) => typeof (key as Record<string, unknown> | null)?.[f] !== "string",
  );
  if (missing.length > 0) {
    throw new AuthError(
      { provider: "googleWorkspace", operation: "credentials" },
      `googleWorkspace credentials: ${where} has no ${missing.join(" or ")}; use the JSON key ` +
        `file of a service account with domain-wide delegation (value not shown)`,
    );
  }
  return {
    client_email: key!.client_email!,
    private_key: key!.private_key!,
    ...(typeof key!.private_key_id === "string" ? { private_key_id: key!.private_key_id } : {}),
  };
}

/**
 * The adapter for the runtime. The resource's `apiUrl` carries the Directory base URL and the
 * token URL as `<apiUrl>#token=<tokenUrl>` when the binding overrides it (emulators); the admin
 * and customer come from the same place (`#admin=…&customer=…`).
 */
export function googleWorkspaceAdapter(
  overrides: Partial<Omit<GoogleWorkspaceProviderConfig, "serviceAccountKey">> = {},
): (settings: AdapterSettings) => ReturnType<typeof createGoogleWorkspaceProvider> {
  return ({ apiUrl, credentials }) => {
    const endpoint = parseGoogleWorkspaceEndpoint(apiUrl);
    return createGoogleWorkspaceProvider({
      ...endpoint,
      ...overrides,
      customerId: overrides.customerId ?? endpoint.customerId,
      adminEmail: overrides.adminEmail ?? endpoint.adminEmail,
      serviceAccountKey: parseGoogleServiceAccountKey(credentials.serviceAccountKey),
    });
  };
}

/**
 * The endpoint string the resources carry: `<apiUrl>#admin=…&customer=…[&token=…][&ou=…]`
 * (`ou`: the binding's `orgUnits` as JSON, only when it maps a profile).
 */
export function googleWorkspaceEndpoint(args: {
  apiUrl?: string;
  tokenUrl?: string;
  adminEmail: string;
  customerId: string;
  orgUnits?: Record<string, string>;
}): string {
  const fragment = new URLSearchParams({ admin: args.adminEmail, customer: args.customerId });
  if (args.tokenUrl !== undefined) fragment.set("token", args.tokenUrl);
  if (args.orgUnits !== undefined && Object.keys(args.orgUnits).length > 0) {
    const sortedUnits = Object.fromEntries(
      Object.entries(args.orgUnits).sort(([a], [b]) => a.localeCompare(b)),
    );
    fragment.set("ou", JSON.stringify(sortedUnits));
  }
  return `${args.apiUrl ?? "https://admin.googleapis.com/admin/directory/v1"}#${fragment.toString()}`;
}

/** Reads what {@link googleWorkspaceEndpoint} wrote. */
export function parseGoogleWorkspaceEndpoint(endpoint: string | undefined): {
  apiUrl?: string;
  tokenUrl?: string;
  adminEmail: string;
  customerId: string;
  orgUnits?: Record<string, string>;
} {
  const [base, fragment = ""] = (endpoint ?? "").split("#", 2);
  const f = new URLSearchParams(fragment);
  const tokenUrl = f.get("token") ?? undefined;
  const ou = f.get("ou");
  return {
    ...(base ? { apiUrl: base } : {}),
    ...(tokenUrl ? { tokenUrl } : {}),
    ...(ou ? { orgUnits: JSON.parse(ou) as Record<string, string> } : {}),
    adminEmail: f.get("admin") ?? "",
    customerId: f.get("customer") ?? "my_customer",
  };
}

/**
 * Google Workspace (Admin SDK Directory API): users, user aliases and Google Groups, as a service
 * account with domain-wide delegation acting as a super admin.
 */
export const googleWorkspaceDefinition = defineMailProvider({
  id: "googleWorkspace",
  capabilities: googleWorkspaceCapabilities,
  credentials: [
    {
      name: "serviceAccountKey",
      env: "GOOGLE_SERVICE_ACCOUNT_KEY",
      configKey: "googleServiceAccountKey",
      description:
        "the JSON key file of a service account whose client id has domain-wide delegation for the Directory scopes",
    },
  ],
  args: googleWorkspaceArgsSchema,
  dnsFacts: googleWorkspaceFacts,
  endpoint: (args) =>
    googleWorkspaceEndpoint({
      ...(args.apiUrl === undefined ? {} : { apiUrl: args.apiUrl }),
      ...(args.tokenUrl === undefined ? {} : { tokenUrl: args.tokenUrl }),
      adminEmail: args.adminEmail,
      customerId: args.customerId,
      ...(args.orgUnits === undefined ? {} : { orgUnits: args.orgUnits }),
    }),
  readsProfiles: true,
  mailboxProblems: (endpoint, mailbox) => {
    const problem = googleTwoStepProblem(
      parseGoogleWorkspaceEndpoint(endpoint).orgUnits ?? {},
      mailbox,
    );
    return problem === undefined ? [] : [{ field: "require2fa", message: problem }];
  },
  createAdapter: googleWorkspaceAdapter(),
});
