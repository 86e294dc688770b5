import { z } from "zod";

/**
 * zod schemas of Zoho Mail's organisation API responses (https://www.zoho.com/mail/help/api/).
 * Every answer is the envelope `{"status":{"code","description"},"data"}`. Objects are loose:
 * fields Mailplane does not read pass through unchecked. Zoho's ids are 64-bit: `accountId`
 * and (in some answers) `zuid`/`zgid` come as strings or numbers; both are read as strings, so
 * no id loses digits to a JavaScript number.
 */

/** An id Zoho sends as a number or a string of digits, kept as the string of digits. */
export const zohoIdSchema = z
  .union([z.string().regex(/^\d+$/), z.number().int().nonnegative()])
  .transform(String);

/** The envelope around `data`. */
export function zohoEnvelope<T extends z.ZodType>(data: T) {
  return z.looseObject({
    status: z.looseObject({ code: z.number(), description: z.string().optional() }),
    data,
  });
}

/** One address of a user: the primary one or an alias. */
export const zohoEmailAddressSchema = z.looseObject({
  mailId: z.string(),
  isPrimary: z.boolean().optional(),
  isAlias: z.boolean().optional(),
});

/** A user of the organisation (`GET /accounts`, `GET /accounts/{zuid}`); no password. */
export const zohoUserSchema = z.looseObject({
  zuid: zohoIdSchema,
  accountId: zohoIdSchema,
  primaryEmailAddress: z.string(),
  displayName: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  mailboxStatus: z.string().optional(),
  emailAddress: z.array(zohoEmailAddressSchema).optional(),
});
/** A Zoho Mail user. */
export type ZohoUser = z.infer<typeof zohoUserSchema>;

/** A member of a group. */
export const zohoGroupMemberSchema = z.looseObject({
  memberEmailId: z.string(),
  role: z.string().optional(),
});
/** A Zoho Mail group member. */
export type ZohoGroupMember = z.infer<typeof zohoGroupMemberSchema>;

/** A group; `mailGroupMemberList` when one group is read. */
export const zohoGroupSchema = z.looseObject({
  zgid: zohoIdSchema,
  emailId: z.string(),
  name: z.string().optional(),
  mailGroupMemberList: z.array(zohoGroupMemberSchema).optional(),
});
/** A Zoho Mail group. */
export type ZohoGroup = z.infer<typeof zohoGroupSchema>;

/** The answer of Zoho Accounts' token endpoint: a token, or `{error}` (with HTTP 200). */
export const zohoTokenSchema = z.looseObject({
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});
