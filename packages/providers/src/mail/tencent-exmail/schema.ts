import { z } from "zod";

/**
 * zod schemas of the Tencent Exmail management API's answers
 * (exmail.qq.com/qy_mng_logic/doc#10008–10025). Every answer, failures included, is HTTP 200 with
 * `{errcode, errmsg}`: a non-zero errcode is a failure whatever the status. Objects are loose:
 * fields Mailplane does not use pass through unchecked.
 */

/** The envelope of every answer. */
export const exmailEnvelopeSchema = z.looseObject({
  errcode: z.number().int(),
  errmsg: z.string().optional(),
});

/** `GET /gettoken`: a token valid `expires_in` seconds (7,200). */
export const exmailTokenSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
});

/** A user (`user/get`, an entry of `user/list`); passwords are never returned. */
export const exmailUserSchema = z.looseObject({
  userid: z.string(),
  name: z.string(),
  department: z.array(z.number().int()).default([]),
  position: z.string().optional(),
  slaves: z.array(z.string()).optional(),
  /** 1 enabled, 0 disabled; absent on lists of some tenants (enabled). */
  enable: z.number().int().optional(),
});
/** A user as read. */
export type ExmailUser = z.output<typeof exmailUserSchema>;

/** `user/list`: every user of the department, without paging. */
export const exmailUserListSchema = z.looseObject({
  userlist: z.array(exmailUserSchema).default([]),
});

/** One department of `department/list`. */
export const exmailDepartmentSchema = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  parentid: z.number().int(),
});
/** A department as read. */
export type ExmailDepartment = z.output<typeof exmailDepartmentSchema>;

/** `department/list?id=`: the department and every descendant. */
export const exmailDepartmentListSchema = z.looseObject({
  department: z.array(exmailDepartmentSchema).default([]),
});

/** `department/create`: the new department's id. */
export const exmailDepartmentCreatedSchema = z.looseObject({ id: z.number().int() });

/** A mail group (`group/get`). */
export const exmailGroupSchema = z.looseObject({
  groupid: z.string(),
  groupname: z.string(),
  userlist: z.array(z.string()).default([]),
  grouplist: z.array(z.string()).default([]),
  department: z.array(z.number().int()).default([]),
  allow_type: z.number().int(),
  allow_userlist: z.array(z.string()).default([]),
});
/** A mail group as read. */
export type ExmailGroup = z.output<typeof exmailGroupSchema>;

/** `user/batchcheck`: the account type of each address (3 = mail group). */
export const exmailBatchCheckSchema = z.looseObject({
  list: z.array(z.looseObject({ user: z.string(), type: z.number().int() })).default([]),
});
