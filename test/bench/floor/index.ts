/**
 * The floor program of `pnpm bench:engine`: `count` resources of the floor provider
 * (`floor:index:Thing`, provider.ts), each with the inputs a Mailbox of the bulk benchmark stack
 * (test/engine/fixtures/bulk) sends its provider: the same fields, values of the same length
 * (six strings, a secret password derived from the secret `seed`, five booleans, two lists).
 */
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const count = config.requireNumber("count");
const seed = config.requireSecret("seed");

/** The floor provider's one resource type. */
class Thing extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs) {
    super("floor:index:Thing", name, props);
  }
}

for (let i = 0; i < count; i++) {
  const key = `u${String(i).padStart(4, "0")}`;
  new Thing(`bulk-mailbox-${key}`, {
    mailProvider: "migadu",
    domain: "acme.com",
    localPart: key,
    name: `User ${i}`,
    department: i % 2 === 0 ? "Sales" : "Support",
    suspended: false,
    changePasswordAtNextLogin: false,
    require2fa: false,
    aliases: [],
    forwardTo: [],
    onDelete: "suspend",
    allowRecreate: false,
    shared: false,
    password: seed.apply((s) => `${s}-${key}`),
  });
}
