import { z } from "zod";

/**
 * zod schemas of the Admin SDK Directory API responses
 * (https://developers.google.com/workspace/admin/directory/reference/rest). Objects are loose:
 * fields Mailplane does not use pass through unchecked, fields it uses must have the documented
 * type. Empty lists are omitted by Google (`users`, `groups`, `members`, `aliases` absent).
 */

/** One entry of a user's `organizations` (department and title live here). */
export const googleOrganizationSchema = z.looseObject({
  title: z.string().optional(),
  department: z.string().optional(),
  primary: z.boolean().optional(),
});

/** A user (`admin#directory#user`); passwords are never returned. */
export const googleUserSchema = z.looseObject({
  id: z.string(),
  primaryEmail: z.string(),
  name: z
    .looseObject({
      givenName: z.string().optional(),
      familyName: z.string().optional(),
      fullName: z.string().optional(),
      displayName: z.string().optional(),
    })
    .optional(),
  suspended: z.boolean().optional(),
  changePasswordAtNextLogin: z.boolean().optional(),
  isEnforcedIn2Sv: z.boolean().optional(),
  orgUnitPath: z.string().optional(),
  organizations: z.array(googleOrganizationSchema).nullish(),
  aliases: z.array(z.string()).optional(),
  etag: z.string().optional(),
});
/** A Directory user. */
export type GoogleUser = z.infer<typeof googleUserSchema>;

/** `GET /users`: one page. */
export const googleUserListSchema = z.looseObject({
  users: z.array(googleUserSchema).optional(),
  nextPageToken: z.string().optional(),
});

/** A user alias (`admin#directory#alias`). */
export const googleUserAliasSchema = z.looseObject({
  alias: z.string(),
  primaryEmail: z.string().optional(),
});

/** A group (`admin#directory#group`). */
export const googleGroupSchema = z.looseObject({
  id: z.string(),
  email: z.string(),
  name: z.string().optional(),
  description: z.string().optional(),
  aliases: z.array(z.string()).optional(),
});
/** A Directory group. */
export type GoogleGroup = z.infer<typeof googleGroupSchema>;

/** A group's settings (Groups Settings API): every value a string, booleans "true"/"false". */
export const googleGroupSettingsSchema = z
  .record(z.string(), z.unknown())
  .transform((o) =>
    Object.fromEntries(
      Object.entries(o).filter((e): e is [string, string] => typeof e[1] === "string"),
    ),
  );

/** `GET /groups`: one page. */
export const googleGroupListSchema = z.looseObject({
  groups: z.array(googleGroupSchema).optional(),
  nextPageToken: z.string().optional(),
});

/** A member of a group; `email` is absent for the `CUSTOMER` type (everyone in the account). */
export const googleMemberSchema = z.looseObject({
  id: z.string().optional(),
  email: z.string().optional(),
  role: z.string().optional(),
  type: z.string().optional(),
});

/** `GET /groups/{key}/members`: one page. */
export const googleMemberListSchema = z.looseObject({
  members: z.array(googleMemberSchema).optional(),
  nextPageToken: z.string().optional(),
});

/** Body of a user insert or update. */
export interface GoogleUserWrite {
  primaryEmail?: string;
  name?: { givenName?: string; familyName?: string; displayName?: string };
  password?: string;
  hashFunction?: "SHA-1" | "MD5" | "crypt";
  changePasswordAtNextLogin?: boolean;
  suspended?: boolean;
  orgUnitPath?: string;
  organizations?: { title?: string; department?: string; primary: boolean }[] | null;
}
