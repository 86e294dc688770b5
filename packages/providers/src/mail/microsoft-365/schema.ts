import { z } from "zod";

/**
 * zod schemas of the Microsoft Graph v1.0 responses Mailplane reads
 * (https://learn.microsoft.com/graph/api/resources/user, .../group). Objects are loose: fields
 * Mailplane does not use pass through unchecked.
 */

/** A user as `GET /users/{id}` returns it with Mailplane's `$select`. */
export const graphUserSchema = z.looseObject({
  id: z.string(),
  userPrincipalName: z.string(),
  mailNickname: z.string().nullish(),
  displayName: z.string().nullish(),
  department: z.string().nullish(),
  jobTitle: z.string().nullish(),
  accountEnabled: z.boolean().nullish(),
  usageLocation: z.string().nullish(),
  /** Set once Exchange provisioned a mailbox (a licence with Exchange is assigned). */
  mail: z.string().nullish(),
  proxyAddresses: z.array(z.string()).nullish(),
  assignedLicenses: z
    .array(z.looseObject({ skuId: z.string(), disabledPlans: z.array(z.string()).nullish() }))
    .nullish(),
});
/** A Graph user. */
export type GraphUser = z.infer<typeof graphUserSchema>;

/** A group (Mailplane writes only Microsoft 365 groups: `groupTypes` holds `Unified`). */
export const graphGroupSchema = z.looseObject({
  id: z.string(),
  displayName: z.string().nullish(),
  mailNickname: z.string().nullish(),
  mail: z.string().nullish(),
  mailEnabled: z.boolean().nullish(),
  securityEnabled: z.boolean().nullish(),
  groupTypes: z.array(z.string()).nullish(),
});
/** A Graph group. */
export type GraphGroup = z.infer<typeof graphGroupSchema>;

/** A member of a group: a directory object; users carry their addresses. */
export const graphMemberSchema = z.looseObject({
  "@odata.type": z.string().optional(),
  id: z.string(),
  userPrincipalName: z.string().nullish(),
  mail: z.string().nullish(),
});
/** A group member. */
export type GraphMember = z.infer<typeof graphMemberSchema>;

/** One page of a collection: `value` and, when more follow, `@odata.nextLink`. */
export function graphPageSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    value: z.array(item),
    "@odata.nextLink": z.string().optional(),
  });
}

/** One inner response of `POST /$batch`. */
export const graphBatchResponseSchema = z.looseObject({
  id: z.string(),
  status: z.number().int(),
  headers: z.record(z.string(), z.string()).nullish(),
  body: z.unknown().optional(),
});
/** An inner response of a batch. */
export type GraphBatchResponse = z.infer<typeof graphBatchResponseSchema>;

/** `POST /$batch`'s answer. */
export const graphBatchSchema = z.looseObject({ responses: z.array(graphBatchResponseSchema) });

/** One request of a `$batch` (URL relative to the version root, e.g. `/groups/{id}/members/$ref`). */
export interface GraphBatchRequest {
  id: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A DNS record Graph lists for a domain (`serviceConfigurationRecords`, `verificationDnsRecords`). */
export const graphDomainRecordSchema = z.looseObject({
  recordType: z.string(),
  label: z.string(),
  supportedService: z.string().nullish(),
  mailExchange: z.string().nullish(),
  preference: z.number().nullish(),
  text: z.string().nullish(),
  canonicalName: z.string().nullish(),
});
/** A Graph domain DNS record. */
export type GraphDomainRecord = z.infer<typeof graphDomainRecordSchema>;

/** A Conditional Access policy (the fields Mailplane reads). */
export const graphPolicySchema = z.looseObject({
  id: z.string(),
  displayName: z.string().nullish(),
  state: z.string().nullish(),
});

/** A domain of the tenant as `GET /domains` lists it. */
export const graphDomainSchema = z.looseObject({
  id: z.string(),
  isDefault: z.boolean().nullish(),
});
