export { Mailbox, type MailboxArgs } from "./mailbox";
