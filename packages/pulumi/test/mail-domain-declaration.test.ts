/*
 * MailDomain's `declaration` output (issue 16): what `mailplane audit` reads from the stack's
 * state. It is the parsed declaration and the provider's id, and never holds a password.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { MailDomain, dns, providers } from "@mailplane/pulumi";
import { installMocks } from "./dns-mocks";

beforeAll(async () => {
  await installMocks();
});

describe("MailDomain declaration output", () => {
  it("is the parsed declaration and the provider id, without the passwords", () => {
    const password = "S3cret-Initial-Pa55word";
    const d = new MailDomain("acme", {
      domain: "ACME.test",
      dns: dns.zoneFile({ path: "/tmp/mailplane-declaration-test.zone" }),
      provider: providers.selfHosted({
        store: providers.sqlite({ path: "/tmp/mailplane-declaration-test.sqlite" }),
        mx: "mx.acme.test",
      }),
      mailboxes: {
        ali: { name: "Ali Alavi", password: pulumi.secret(password), aliases: ["A.Alavi"] },
        leaver: { name: "Old Hand", offboard: { forwardTo: "ali", keepUntil: "2027-03-31" } },
      },
      aliases: { "launch-2026": { to: "ali", expires: "2026-12-31" } },
      postmaster: "ali",
      abuse: "ali",
    });
    expect(d.declaration.format).toBe("mailplane/declaration@1");
    expect(d.declaration.provider).toBe("selfHosted");
    expect(d.declaration.spec.domain).toBe("acme.test");
    expect(d.declaration.spec.mailboxes.ali).toMatchObject({
      name: "Ali Alavi",
      aliases: ["A.Alavi"],
    });
    expect(d.declaration.spec.mailboxes.ali!.password).toBeUndefined();
    expect(d.declaration.spec.mailboxes.leaver!.offboard).toEqual({
      forwardTo: ["ali"],
      keepUntil: "2027-03-31",
    });
    expect(d.declaration.spec.aliases["launch-2026"]).toEqual({
      to: ["ali"],
      expires: "2026-12-31",
    });
    const text = JSON.stringify(d.declaration);
    expect(text).not.toContain(password);
    expect(text).not.toContain("password");
  });
});
