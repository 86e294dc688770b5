/**
 * MailDomainArgs is core's declaration type plus the component's own fields: a field added to
 * the schema cannot be missing from the component's arguments or dropped on the way to the
 * parser. The type assertions fail `pnpm typecheck` when the two drift; the tests show an unknown
 * field refused by name instead of ignored.
 */
import { describe, expect, it } from "vitest";
import type { MailDomainInput } from "@mailplane/core";
import { MailDomain, dns, providers, type MailDomainArgs } from "@mailplane/pulumi";
import { installMocks } from "./dns-mocks";

type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type ComponentFields = "dns" | "provider" | "sending" | "records" | "now";

// Every declaration field, and nothing else but the component's own.
const sameKeys: Equals<
  Exclude<keyof MailDomainArgs, ComponentFields>,
  keyof MailDomainInput
> = true;
// Each with the schema's own input type (mailboxes differ only by the secret password).
const sameTypes: Equals<
  Omit<MailDomainArgs, ComponentFields | "mailboxes">,
  Omit<MailDomainInput, "mailboxes">
> = true;
const sameMailbox: Equals<
  Omit<NonNullable<MailDomainArgs["mailboxes"]>[string], "password">,
  Omit<NonNullable<MailDomainInput["mailboxes"]>[string], "password">
> = true;

describe("MailDomainArgs", () => {
  it("is the schema's input type (checked by tsc above)", () => {
    expect([sameKeys, sameTypes, sameMailbox]).toEqual([true, true, true]);
  });

  it("refuses a field the declaration does not have, by name, instead of dropping it", async () => {
    await installMocks();
    const args = {
      domain: "acme.com",
      dns: dns.zoneFile({ path: "/tmp/mailplane-test/args/acme.com.zone" }),
      provider: providers.migadu(),
      mailboxes: { ali: { name: "Ali" } },
      postmaster: "ali",
      abuse: "ali",
      mailbox: { zhangsan: { name: "Zhang San" } },
    } as unknown as MailDomainArgs;
    expect(() => new MailDomain("typo", args)).toThrow(
      'MailDomain typo: mailbox: is not a known field (got "mailbox"; allowed: "domain", ' +
        '"domainAliases", "policy", "profiles", "mailboxes", "shared", "aliases", "groups", ' +
        '"postmaster", "abuse", "catchAll")',
    );
  });
});
