import { z } from "zod";

/**
 * zod schemas of the Migadu API responses (https://migadu.com/api). Objects are loose: fields
 * Mailplane does not use pass through unchecked, fields it uses must have the documented type.
 */

/** A mailbox as Migadu returns it. Passwords are never returned. */
export const migaduMailboxSchema = z.looseObject({
  local_part: z.string(),
  domain_name: z.string().optional(),
  address: z.string(),
  name: z.string(),
  is_internal: z.boolean(),
  may_send: z.boolean(),
  may_receive: z.boolean(),
  may_access_imap: z.boolean(),
  may_access_pop3: z.boolean(),
  may_access_managesieve: z.boolean(),
  password_method: z.string().nullish(),
  password_recovery_email: z.string().nullish(),
  storage_usage: z.number().nullish(),
});
/** A Migadu mailbox. */
export type MigaduMailbox = z.infer<typeof migaduMailboxSchema>;

/** `GET /domains/{domain}/mailboxes`: every mailbox of the domain, unpaged. */
export const migaduMailboxListSchema = z.looseObject({ mailboxes: z.array(migaduMailboxSchema) });

/** An alias: destinations are an array on read (a comma-separated string on write). */
export const migaduAliasSchema = z.looseObject({
  local_part: z.string(),
  domain_name: z.string().optional(),
  address: z.string(),
  destinations: z.array(z.string()),
  is_internal: z.boolean().optional(),
});
/** A Migadu alias. */
export type MigaduAlias = z.infer<typeof migaduAliasSchema>;

/** `GET /domains/{domain}/aliases`: every alias of the domain under `address_aliases`, unpaged. */
export const migaduAliasListSchema = z.looseObject({ address_aliases: z.array(migaduAliasSchema) });

/** A forwarding of a mailbox's mail to another address. */
export const migaduForwardingSchema = z.looseObject({
  address: z.string(),
  is_active: z.boolean().optional(),
});
/** A Migadu forwarding. */
export type MigaduForwarding = z.infer<typeof migaduForwardingSchema>;

/** `GET /domains/{domain}/mailboxes/{local_part}/forwardings`. */
export const migaduForwardingListSchema = z.looseObject({
  forwardings: z.array(migaduForwardingSchema),
});

/** A send-as identity of a mailbox. */
export const migaduIdentitySchema = z.looseObject({
  local_part: z.string(),
  address: z.string(),
  name: z.string(),
  may_send: z.boolean(),
  may_receive: z.boolean(),
});

/** `GET /domains/{domain}/mailboxes/{local_part}/identities`. */
export const migaduIdentityListSchema = z.looseObject({
  identities: z.array(migaduIdentitySchema),
});

/** Body of a create (POST) or update (PUT) of a mailbox. */
export interface MigaduMailboxWrite {
  local_part?: string;
  name?: string;
  password_method?: "password" | "invitation";
  password?: string;
  password_recovery_email?: string;
  is_internal?: boolean;
  may_send?: boolean;
  may_receive?: boolean;
  may_access_imap?: boolean;
  may_access_pop3?: boolean;
  may_access_managesieve?: boolean;
}
