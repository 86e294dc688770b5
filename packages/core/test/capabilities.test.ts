import { describe, expect, it } from "vitest";
import {
  assertCapabilities,
  checkCapabilities,
  parseMailDomain,
  type MailDomainInput,
  type MailProviderCapabilities,
} from "../src/index";
import { acme, errorOf, fullCapabilities as full, noCapabilities } from "./fixtures";

/** A forwarding-only service like Cloudflare Email Routing. */
const forwardOnly: MailProviderCapabilities = {
  ...noCapabilities,
  standaloneAliases: true,
  externalForward: true,
  catchAll: true,
};

const lines = (input: MailDomainInput, caps: MailProviderCapabilities, provider?: string) =>
  checkCapabilities(parseMailDomain(input), caps, provider === undefined ? {} : { provider }).map(
    (p) => `${p.path} [${p.feature}]: ${p.message}`,
  );

describe("checkCapabilities", () => {
  it("finds nothing when the provider can do everything", () => {
    expect(lines(acme, full)).toEqual([]);
  });

  it("explains a forwarding-only provider", () => {
    expect(lines(acme, forwardOnly, "cloudflareEmailRouting")).toMatchInlineSnapshot(`
      [
        "mailboxes.zhangsan [mailboxes]: provider "cloudflareEmailRouting" forwards only and has no mailboxes; declare the address as an alias to a mailbox elsewhere instead, e.g. aliases: { zhangsan: "zhangsan@elsewhere.example" }",
        "mailboxes.ali [mailboxes]: provider "cloudflareEmailRouting" forwards only and has no mailboxes; declare the address as an alias to a mailbox elsewhere instead, e.g. aliases: { "ali.alavi": "ali@elsewhere.example" }",
        "mailboxes.leaver [mailboxes]: provider "cloudflareEmailRouting" forwards only and has no mailboxes; declare the address as an alias to a mailbox elsewhere instead, e.g. aliases: { leaver: "leaver@elsewhere.example" }",
        "groups.all-staff [groups]: provider "cloudflareEmailRouting" has no groups; declare an alias to the same members instead, e.g. aliases: { "all-staff": ["ali", "zhangsan"] }",
        "domainAliases [domainAliases]: provider "cloudflareEmailRouting" has no domain aliases; declare a separate MailDomain for each alias domain (acme.co)",
      ]
    `);
  });

  it("words the forwarding-only case as the brief does", () => {
    const spec = parseMailDomain({
      domain: "acme.com",
      mailboxes: { ali: { name: "Ali" } },
      catchAll: "x@else.example",
    });
    expect(
      errorOf(() => assertCapabilities(spec, forwardOnly, { provider: "cloudflareEmailRouting" })),
    ).toBe(
      'mailboxes.ali: provider "cloudflareEmailRouting" forwards only and has no mailboxes; declare the address as an alias to a mailbox elsewhere instead, e.g. aliases: { ali: "ali@elsewhere.example" }',
    );
    expect(
      lines(
        { domain: "acme.com", mailboxes: { ali: { name: "Ali" } }, catchAll: "x@else.example" },
        { ...forwardOnly, standaloneAliases: false },
      ),
    ).toEqual([
      "mailboxes.ali [mailboxes]: the mail provider has no mailboxes; use another provider",
    ]);
  });

  it("reports a profile shared by several mailboxes once", () => {
    const input: MailDomainInput = {
      domain: "acme.com",
      profiles: { staff: { quotaMb: 10 } },
      mailboxes: { a: { name: "A", profile: "staff" }, b: { name: "B", profile: "staff" } },
      catchAll: "a",
    };
    expect(lines(input, { ...full, quota: false })).toEqual([
      "profiles.staff.quotaMb [quota]: the mail provider does not set mailbox quotas; remove quotaMb and manage quotas in the provider's admin console",
    ]);
  });

  it("explains mailbox features the provider lacks", () => {
    const input: MailDomainInput = {
      domain: "acme.com",
      profiles: { exec: { quotaMb: 100, require2fa: true, changePasswordAtNextLogin: true } },
      mailboxes: {
        ali: { name: "A", profile: "exec", aliases: ["a1", "a2", "a3"], password: "s3cret" },
        bob: {
          name: "B",
          quotaMb: 5,
          require2fa: true,
          changePasswordAtNextLogin: true,
          suspended: true,
        },
        old: { name: "O", offboard: { forwardTo: "ali" } },
      },
      postmaster: "ali",
      abuse: "ali",
    };
    const none = {
      ...full,
      aliasesPerMailbox: 2,
      suspend: false,
      quota: false,
      passwords: false,
      forceChangeAtLogin: false,
      require2fa: false,
    };
    const out = lines(input, none, "zoho");
    expect(out.join("\n")).not.toContain("s3cret");
    expect(out).toMatchInlineSnapshot(`
      [
        "mailboxes.ali.aliases [aliasesPerMailbox]: provider "zoho" allows at most 2 aliases per mailbox (got 3); move the rest to aliases, e.g. aliases: { "a3": "ali" }",
        "profiles.exec.quotaMb [quota]: provider "zoho" does not set mailbox quotas; remove quotaMb and manage quotas in the provider's admin console",
        "mailboxes.ali.password [passwords]: provider "zoho" does not accept initial passwords; remove password and let the person set one through the provider's invitation",
        "profiles.exec.changePasswordAtNextLogin [forceChangeAtLogin]: provider "zoho" cannot force a password change at the next login; remove changePasswordAtNextLogin",
        "profiles.exec.require2fa [require2fa]: provider "zoho" cannot enforce two-factor authentication per user; remove require2fa and enforce it in the provider's admin console",
        "mailboxes.bob.quotaMb [quota]: provider "zoho" does not set mailbox quotas; remove quotaMb and manage quotas in the provider's admin console",
        "mailboxes.bob.suspended [suspend]: provider "zoho" cannot suspend a mailbox; remove suspended, or set onDelete: "delete" and remove the mailbox from code",
        "mailboxes.bob.changePasswordAtNextLogin [forceChangeAtLogin]: provider "zoho" cannot force a password change at the next login; remove changePasswordAtNextLogin",
        "mailboxes.bob.require2fa [require2fa]: provider "zoho" cannot enforce two-factor authentication per user; remove require2fa and enforce it in the provider's admin console",
        "mailboxes.old.offboard [suspend]: provider "zoho" cannot suspend a mailbox; set suspended: false to keep it active while it forwards, or use another provider",
      ]
    `);
    expect(lines(input, { ...none, standaloneAliases: false })[0]).toMatchInlineSnapshot(
      `"mailboxes.ali.aliases [aliasesPerMailbox]: the mail provider allows at most 2 aliases per mailbox (got 3); remove the rest"`,
    );
  });

  it("explains mailbox aliases without aliases per mailbox or standalone aliases", () => {
    const input: MailDomainInput = {
      domain: "acme.com",
      mailboxes: { ali: { name: "A", aliases: ["hr"] } },
      catchAll: "ali",
    };
    const caps = { ...full, aliasesPerMailbox: 0, standaloneAliases: false };
    expect(lines(input, caps)).toMatchInlineSnapshot(`
      [
        "mailboxes.ali.aliases [aliasesPerMailbox]: the mail provider cannot give a mailbox extra addresses; use groups with this mailbox as the only member, e.g. groups: { "hr": { members: ["ali"] } }",
      ]
    `);
    expect(lines(input, { ...caps, groups: false })).toMatchInlineSnapshot(`
      [
        "mailboxes.ali.aliases [aliasesPerMailbox]: the mail provider cannot give a mailbox extra addresses; remove aliases or use another provider",
      ]
    `);
    expect(lines(input, { ...full, aliasesPerMailbox: 0 })).toEqual([]);
  });

  it("explains shared kinds and suggests the ones the provider has", () => {
    const input: MailDomainInput = {
      domain: "acme.com",
      mailboxes: { ali: { name: "A" } },
      shared: {
        a: { members: ["ali"], kind: "alias" },
        g: { members: ["ali"], kind: "group" },
        s: { members: ["ali"], kind: "sharedMailbox" },
        auto: { members: ["ali"] },
      },
      catchAll: "ali",
    };
    expect(
      lines(input, { ...full, standaloneAliases: false, groups: false, sharedMailboxes: false }),
    ).toMatchInlineSnapshot(`
      [
        "shared.a.kind [standaloneAliases]: the mail provider has no standalone aliases; use another provider",
        "shared.g.kind [groups]: the mail provider has no groups; use another provider",
        "shared.s.kind [sharedMailboxes]: the mail provider has no shared mailboxes; use another provider",
        "shared.auto [standaloneAliases]: the mail provider has no aliases, groups or shared mailboxes for a shared address; use another provider",
      ]
    `);
    expect(lines(input, { ...full, standaloneAliases: false })).toMatchInlineSnapshot(`
      [
        "shared.a.kind [standaloneAliases]: the mail provider has no standalone aliases; use kind: "group" or kind: "sharedMailbox"",
      ]
    `);
    expect(lines(input, { ...full, groups: false, sharedMailboxes: false })).toMatchInlineSnapshot(`
      [
        "shared.g.kind [groups]: the mail provider has no groups; use kind: "alias"",
        "shared.s.kind [sharedMailboxes]: the mail provider has no shared mailboxes; use kind: "alias"",
      ]
    `);
  });

  it("explains aliases, groups and role addresses", () => {
    const input: MailDomainInput = {
      domain: "acme.com",
      mailboxes: { ali: { name: "A" } },
      aliases: { hr: ["ali"] },
      groups: { team: { members: ["ali"], externalMembers: ["x@partner.example"] } },
      postmaster: "ali",
      abuse: "ali",
    };
    const noAliases = { ...full, standaloneAliases: false };
    expect(lines(input, noAliases)).toMatchInlineSnapshot(`
      [
        "aliases.hr [standaloneAliases]: the mail provider has no standalone aliases; declare a group with the same members instead, e.g. groups: { "hr": { members: ["ali"] } }",
        "postmaster [standaloneAliases]: the mail provider has no standalone aliases to route postmaster@; remove postmaster and add "postmaster" to a mailbox's aliases",
        "abuse [standaloneAliases]: the mail provider has no standalone aliases to route abuse@; remove abuse and add "abuse" to a mailbox's aliases",
      ]
    `);
    expect(lines(input, { ...noAliases, aliasesPerMailbox: 0 })).toMatchInlineSnapshot(`
      [
        "aliases.hr [standaloneAliases]: the mail provider has no standalone aliases; declare a group with the same members instead, e.g. groups: { "hr": { members: ["ali"] } }",
        "postmaster [standaloneAliases]: the mail provider has no standalone aliases to route postmaster@; remove postmaster and declare groups: { postmaster: { members: ["ali"] } }",
        "abuse [standaloneAliases]: the mail provider has no standalone aliases to route abuse@; remove abuse and declare groups: { abuse: { members: ["ali"] } }",
      ]
    `);
    expect(lines(input, { ...noAliases, aliasesPerMailbox: 0, groups: false }))
      .toMatchInlineSnapshot(`
      [
        "aliases.hr [standaloneAliases]: the mail provider has no standalone aliases; add the address to a mailbox's aliases or use another provider",
        "postmaster [standaloneAliases]: the mail provider has no standalone aliases to route postmaster@; remove postmaster and declare a mailbox named postmaster",
        "abuse [standaloneAliases]: the mail provider has no standalone aliases to route abuse@; remove abuse and declare a mailbox named abuse",
        "groups.team [groups]: the mail provider has no groups; use another provider",
      ]
    `);
    expect(lines(input, { ...full, groups: false, standaloneAliases: false })).toContain(
      "groups.team [groups]: the mail provider has no groups; use another provider",
    );
  });

  it("explains external forwarding, skipping a shared mailbox's readers", () => {
    const input: MailDomainInput = {
      domain: "acme.com",
      domainAliases: ["acme.co"],
      mailboxes: { ali: { name: "A", offboard: { forwardTo: ["boss@else.example"] } } },
      shared: {
        desk: { members: ["ali"], externalMembers: ["temp@agency.example"], kind: "sharedMailbox" },
      },
      aliases: { hr: ["ali@acme.co", "hr@outsourced.example"] },
      postmaster: "ali",
      abuse: "ali",
    };
    expect(lines(input, { ...full, externalForward: false })).toMatchInlineSnapshot(`
      [
        "mailboxes.ali.offboard.forwardTo[0] [externalForward]: the mail provider cannot forward to addresses outside acme.com, acme.co; remove "boss@else.example" or use another provider",
        "aliases.hr.to[1] [externalForward]: the mail provider cannot forward to addresses outside acme.com, acme.co; remove "hr@outsourced.example" or use another provider",
      ]
    `);
  });

  it("throws every problem at once with assertCapabilities", () => {
    const spec = parseMailDomain(acme);
    expect(() => assertCapabilities(spec, full)).not.toThrow();
    expect(
      checkCapabilities(parseMailDomain({ domain: "acme.com", catchAll: "x@else.example" }), {
        ...full,
        catchAll: false,
      }),
    ).toEqual([
      {
        path: "catchAll",
        feature: "catchAll",
        message: "the mail provider has no catch-all; declare each address instead",
      },
    ]);
    expect(
      errorOf(() => assertCapabilities(spec, { ...full, domainAliases: false, require2fa: false })),
    ).toMatchInlineSnapshot(`
      "profiles.executive.require2fa: the mail provider cannot enforce two-factor authentication per user; remove require2fa and enforce it in the provider's admin console
      domainAliases: the mail provider has no domain aliases; declare a separate MailDomain for each alias domain (acme.co)"
    `);
  });
});
