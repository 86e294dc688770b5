/**
 * The standalone stack of `pnpm bench:engine`: `count` Mailbox resources (no MailDomain, no DNS)
 * with the inputs MailDomain gives the mailboxes of the bulk stack (test/engine/fixtures/bulk):
 * u0000…, "User <i>", alternating departments, a password derived from the secret `seed`.
 */
import * as pulumi from "@pulumi/pulumi";
import { Mailbox } from "@mailplane/pulumi";

const config = new pulumi.Config();
const count = config.requireNumber("count");
const seed = config.requireSecret("seed");
for (let i = 0; i < count; i++) {
  const key = `u${String(i).padStart(4, "0")}`;
  new Mailbox(`bulk-mailbox-${key}`, {
    mailProvider: "migadu",
    domain: "acme.com",
    localPart: key,
    name: `User ${i}`,
    department: i % 2 === 0 ? "Sales" : "Support",
    password: seed.apply((s) => `${s}-${key}`),
  });
}
