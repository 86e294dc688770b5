import { defineMailProvider, type AdapterSettings } from "../definition";
import {
  createTencentExmailProvider,
  exmailFieldProblems,
  tencentExmailCapabilities,
  type TencentExmailProvider,
  type TencentExmailProviderConfig,
} from "./adapter";
import { tencentExmailArgsSchema, type TencentExmailArgs } from "./args";
import { tencentExmailFacts } from "./dns";

export * from "./adapter";
export * from "./args";
export * from "./dns";
export { EXMAIL_API_URL, ExmailClient, exmailDefaultBudget, exmailErrcodeError } from "./client";

const SCHEME = "tencentExmail:";

/**
 * The locator the account resources carry as their endpoint: every non-secret setting the
 * adapter needs (`tencentExmail:?corp=…[&api=…][&rate=…&burst=…]`). Never the corp secret.
 */
export function tencentExmailEndpoint(args: TencentExmailArgs): string {
  const q = new URLSearchParams({ corp: args.corpId });
  if (args.apiUrl !== undefined) q.set("api", args.apiUrl);
  if (args.budget !== undefined) {
    q.set("rate", String(args.budget.ratePerSecond));
    q.set("burst", String(args.budget.burst));
  }
  return `${SCHEME}?${q.toString()}`;
}

/** Reads a locator written by {@link tencentExmailEndpoint}; throws naming what is wrong. */
export function tencentExmailSettingsFromEndpoint(
  endpoint: string | undefined,
): Omit<TencentExmailProviderConfig, "corpSecret"> {
  if (endpoint === undefined || !endpoint.startsWith(`${SCHEME}?`)) {
    throw new Error(
      `tencentExmail: apiUrl must be the locator providers.tencentExmail(...) writes ` +
        `(tencentExmail:?corp=…), got ${JSON.stringify(endpoint ?? null)}`,
    );
  }
  const q = new URLSearchParams(endpoint.slice(SCHEME.length + 1));
  const corpId = q.get("corp");
  if (!corpId) throw new Error("tencentExmail: the endpoint locator lacks corp");
  const rate = q.get("rate");
  const burst = q.get("burst");
  return {
    corpId,
    ...(q.get("api") === null ? {} : { apiUrl: q.get("api")! }),
    ...(rate === null || burst === null
      ? {}
      : { budget: { ratePerSecond: Number(rate), burst: Number(burst) } }),
  };
}

/**
 * The Exmail adapter for the runtime, from the resource's endpoint locator and the corp secret
 * read at call time. `overrides` (retries, token margin) are for tests and benchmarks.
 */
export function tencentExmailAdapter(
  overrides: Partial<Omit<TencentExmailProviderConfig, "corpSecret">> = {},
): (settings: AdapterSettings) => TencentExmailProvider {
  return ({ apiUrl, credentials }) =>
    createTencentExmailProvider({
      ...tencentExmailSettingsFromEndpoint(apiUrl),
      ...overrides,
      corpSecret: () => credentials.corpSecret ?? "",
    });
}

/**
 * Tencent Exmail (腾讯企业邮) through its management API: users with up to 5 aliases, departments
 * created on demand, mail groups with who may send to them, suspension and initial passwords.
 * 2-step verification, quotas, standalone aliases, shared mailboxes and forwarding are not in
 * the API and are refused at preview.
 */
export const tencentExmailDefinition = defineMailProvider({
  id: "tencentExmail",
  capabilities: tencentExmailCapabilities,
  credentials: [
    {
      name: "corpSecret",
      env: "TENCENT_EXMAIL_CORP_SECRET",
      configKey: "tencentExmailCorpSecret",
      description:
        "the corp secret of the contacts app (通讯录管理), Exmail console > 工具箱 > 应用中心",
    },
  ],
  args: tencentExmailArgsSchema,
  dnsFacts: tencentExmailFacts,
  endpoint: tencentExmailEndpoint,
  // Exmail's byte limits on names, titles and department names, refused at preview.
  mailboxProblems: (_endpoint, mailbox) =>
    exmailFieldProblems({
      ...(mailbox.name === undefined ? {} : { name: mailbox.name }),
      ...(mailbox.title === undefined ? {} : { title: mailbox.title }),
      ...(mailbox.department === undefined ? {} : { department: mailbox.department }),
    }).map((p) => ({ field: p.field, message: `refuses it: ${p.message}` })),
  createAdapter: tencentExmailAdapter(),
});
