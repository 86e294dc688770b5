import { describe, expect, expectTypeOf, it } from "vitest";
import { acme, errorOf } from "./fixtures";
import { z as zod, type z } from "zod";
import {
  formatIssue,
  formatPath,
  formatZodIssues,
  zodErrorMap,
  MailplaneConfigError,
  mailDomainSchema,
  parseMailDomain,
  showValue,
  type MailDomainInput,
  type MailDomainSpec,
} from "../src/index";

describe("parseMailDomain", () => {
  it("parses the DESIGN.md example with defaults applied", () => {
    const spec = parseMailDomain(acme);
    expect(spec.domain).toBe("acme.com");
    expect(spec.domainAliases).toEqual(["acme.co"]);
    expect(spec.mailboxes).toEqual({
      zhangsan: {
        name: "Zhang San",
        department: "Sales",
        profile: "staff",
        aliases: ["san.zhang"],
        onDelete: "suspend",
        allowRecreate: false,
      },
      ali: {
        name: "Ali Alavi",
        profile: "executive",
        localPart: "ali.alavi",
        aliases: [],
        onDelete: "suspend",
        allowRecreate: false,
      },
      leaver: {
        name: "Old Hand",
        offboard: { forwardTo: ["ali"], keepUntil: "2027-03-31" },
        aliases: [],
        onDelete: "suspend",
        allowRecreate: false,
      },
    });
    expect(spec.shared).toEqual({
      info: { members: ["ali", "zhangsan"], externalMembers: [], kind: "auto" },
      support: { members: ["zhangsan"], externalMembers: [], kind: "auto" },
    });
    expect(spec.aliases).toEqual({
      hr: { to: ["ali"] },
      "launch-2026": { to: ["zhangsan"], expires: "2026-12-31" },
    });
    expect(spec.groups).toEqual({
      "all-staff": { members: ["ali", "zhangsan"], externalMembers: [] },
    });
    expect(spec.postmaster).toEqual(["ali"]);
    expect(spec.abuse).toEqual(["ali", "security@partner.example"]);
    expect(spec.catchAll).toBeUndefined();
    expect(spec.policy.spf).toEqual({ all: "~all" });
    expect(spec.policy.dmarc?.policy).toBe("reject");
  });

  it("applies policy defaults when policy is left out", () => {
    const spec = parseMailDomain({ domain: "acme.com", catchAll: "ops@elsewhere.example" });
    expect(spec).toEqual({
      domain: "acme.com",
      domainAliases: [],
      policy: {
        spf: { all: "~all" },
        dkim: {},
        dmarcReportsFor: [],
        noMail: false,
        clientDiscovery: true,
        ttl: 3600,
      },
      profiles: {},
      mailboxes: {},
      shared: {},
      aliases: {},
      groups: {},
      catchAll: ["ops@elsewhere.example"],
    });
  });

  it("accepts every field form", () => {
    const spec = parseMailDomain({
      domain: "bücher.de",
      profiles: { locked: { changePasswordAtNextLogin: true } },
      mailboxes: {
        "E-1001": {
          name: "Erika",
          localPart: "Erika.Muster",
          title: "CTO",
          profile: "locked",
          quotaMb: 1048576,
          suspended: false,
          changePasswordAtNextLogin: false,
          require2fa: true,
          onDelete: "delete",
          password: { secret: "never shown" },
        },
      },
      shared: {
        sales: {
          localPart: "sales",
          name: "Sales team",
          externalMembers: ["A@B.example"],
          kind: "sharedMailbox",
        },
      },
      aliases: { team: ["E-1001", "sales"], promo: { to: "sales", localPart: "promo-2026" } },
      groups: { all: { name: "Everyone", localPart: "all", members: ["erika.muster@BÜCHER.de"] } },
      postmaster: "E-1001",
      abuse: "E-1001",
      catchAll: ["E-1001"],
    });
    expect(spec.domain).toBe("xn--bcher-kva.de");
    expect(spec.mailboxes["E-1001"]!.password).toEqual({ secret: "never shown" });
    expect(spec.shared.sales!.externalMembers).toEqual(["a@b.example"]);
    expect(spec.aliases).toEqual({
      team: { to: ["E-1001", "sales"] },
      promo: { to: ["sales"], localPart: "promo-2026" },
    });
    expect(spec.groups.all!.members).toEqual(["erika.muster@xn--bcher-kva.de"]);
  });

  it("parses allowRecreate and a normalised recoveryEmail, and rejects bad ones", () => {
    const spec = parseMailDomain({
      domain: "acme.com",
      postmaster: "ali",
      abuse: "ali",
      mailboxes: {
        ali: { name: "Ali", allowRecreate: true, recoveryEmail: "Ali@Home.Example" },
      },
    });
    expect(spec.mailboxes.ali).toEqual({
      name: "Ali",
      aliases: [],
      onDelete: "suspend",
      allowRecreate: true,
      recoveryEmail: "ali@home.example",
    });
    expect(
      errorOf(() =>
        parseMailDomain({
          domain: "acme.com",
          postmaster: "ali",
          abuse: "ali",
          mailboxes: {
            ali: { name: "Ali", allowRecreate: "yes", recoveryEmail: "ali at home" },
            bob: { name: "Bob", recoveryEmail: "" },
          },
        }),
      ),
    ).toMatchInlineSnapshot(`
      "mailboxes.ali.allowRecreate: is not true or false (got "yes"; allowed: true or false)
      mailboxes.ali.recoveryEmail: "ali at home" is not an e-mail address (got "ali at home"; allowed: local-part@domain)
      mailboxes.bob.recoveryEmail: "" is not an e-mail address (got ""; allowed: local-part@domain)"
    `);
  });

  it("lists every schema problem, one per line, with path, value and what is allowed", () => {
    expect(
      errorOf(() =>
        parseMailDomain({
          domain: "acme..com",
          domainAliases: "acme.co",
          policy: { spf: { all: "+all" } },
          profiles: { staff: { quotaMb: 0 } },
          mailboxes: {
            zhangsan: {
              name: "",
              localPart: "zhang san",
              quota: 5,
              quotaMb: -5,
              aliases: ["san+zhang"],
              onDelete: "destroy",
              password: "hunter2",
              offboard: { forwardTo: [], keepUntil: "2027-02-30" },
            },
            ali: {},
            bob: "Bob",
          },
          shared: { info: { members: "ali", kind: "list" } },
          aliases: { a: { to: ["x", 3] }, b: 5, c: [], d: "", e: "bad address@acme.com" },
          groups: { g: { members: ["a"], externalMembers: ["nobody"] } },
          postmaster: true,
          extra: 1,
        }),
      ),
    ).toMatchInlineSnapshot(`
      "domain: "acme..com" is not a valid domain name (got "acme..com"; allowed: a domain name of at least two labels, each 1–63 letters, digits or hyphens, not starting or ending with a hyphen, at most 253 characters in all; Unicode (IDN) or punycode)
      domainAliases: is not a list (got "acme.co"; allowed: a list)
      policy.spf.all: must be "-all", "~all" or "?all" (got "+all")
      profiles.staff.quotaMb: 0 is not a valid quota (got 0; allowed: a whole number of MiB from 1 to 1048576)
      mailboxes.zhangsan.name: is empty (got ""; allowed: a non-empty string)
      mailboxes.zhangsan.localPart: "zhang san" is not a valid local part (got "zhang san"; allowed: RFC 5321 dot-atom: letters, digits and !#$%&'*+-/=?^_\`{|}~, dots not leading, trailing or doubled)
      mailboxes.zhangsan.quotaMb: -5 is not a valid quota (got -5; allowed: a whole number of MiB from 1 to 1048576)
      mailboxes.zhangsan.aliases[0]: "san+zhang" contains "+", which starts a plus-address tag (got "san+zhang"; allowed: a local part without "+": plus-addressing is automatic, san+anything@ is delivered to san@)
      mailboxes.zhangsan.offboard.forwardTo: is empty (got []; allowed: at least 1 entry)
      mailboxes.zhangsan.offboard.keepUntil: "2027-02-30" is not a valid date (got "2027-02-30"; allowed: an ISO date YYYY-MM-DD)
      mailboxes.zhangsan.onDelete: "destroy" is not one of the allowed values (got "destroy"; allowed: "suspend", "delete")
      mailboxes.zhangsan.quota: is not a known field (got "quota"; allowed: "name", "givenName", "familyName", "localPart", "department", "title", "profile", "quotaMb", "aliases", "suspended", "changePasswordAtNextLogin", "require2fa", "password", "offboard", "onDelete", "allowRecreate", "recoveryEmail")
      mailboxes.ali.name: is required (got nothing; allowed: a string)
      mailboxes.bob: is not an object (got "Bob"; allowed: an object)
      shared.info.members: is not a list (got "ali"; allowed: a list)
      shared.info.kind: "list" is not one of the allowed values (got "list"; allowed: "auto", "group", "alias", "sharedMailbox")
      aliases.a.to[1]: is not a string (got 3; allowed: a string)
      aliases.b: is not a string, a list or an object (got 5; allowed: a string, a list or an object)
      aliases.c: is empty (got []; allowed: at least 1 entry)
      aliases.d: is empty (got ""; allowed: a handle (a key of mailboxes, shared, aliases or groups) or an address containing "@")
      aliases.e: "bad address@acme.com" has an invalid local part: "bad address" is not a valid local part (got "bad address"; allowed: RFC 5321 dot-atom: letters, digits and !#$%&'*+-/=?^_\`{|}~, dots not leading, trailing or doubled)
      groups.g.externalMembers[0]: "nobody" is not an e-mail address (got "nobody"; allowed: local-part@domain)
      postmaster: is not a string or a list (got true; allowed: a string or a list)
      extra: is not a known field (got "extra"; allowed: "domain", "domainAliases", "policy", "profiles", "mailboxes", "shared", "aliases", "groups", "postmaster", "abuse", "catchAll")"
    `);
  });

  it("never shows a password, even when the mailbox itself is wrong", () => {
    const message = errorOf(() =>
      parseMailDomain({
        domain: "acme.com",
        mailboxes: { ali: { name: 5, password: "hunter2", pasword: "hunter2" } },
        aliases: { x: ["y", { password: "hunter2" }] },
      }),
    );
    expect(message).not.toContain("hunter2");
    expect(message).toMatchInlineSnapshot(`
      "mailboxes.ali.name: is not a string (got 5; allowed: a string)
      mailboxes.ali.pasword: is not a known field (got "pasword"; allowed: "name", "givenName", "familyName", "localPart", "department", "title", "profile", "quotaMb", "aliases", "suspended", "changePasswordAtNextLogin", "require2fa", "password", "offboard", "onDelete", "allowRecreate", "recoveryEmail")
      aliases.x[1]: is not a string (got {"password":"[secret]"}; allowed: a string)"
    `);
  });

  it("reports a declaration that is not an object at the root", () => {
    expect(errorOf(() => parseMailDomain("acme.com"))).toMatchInlineSnapshot(
      `"(root): is not an object (got "acme.com"; allowed: an object)"`,
    );
    expect(errorOf(() => parseMailDomain({}))).toMatchInlineSnapshot(
      `"domain: is required (got nothing; allowed: a string)"`,
    );
  });

  it("carries the problems as data", () => {
    let error: unknown;
    try {
      parseMailDomain({ domain: "acme.com", mailboxes: { "a.b": { name: "x", localPart: ".x" } } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MailplaneConfigError);
    expect((error as MailplaneConfigError).name).toBe("MailplaneConfigError");
    expect((error as MailplaneConfigError).issues).toMatchInlineSnapshot(`
      [
        {
          "message": "".x" is not a valid local part (got ".x"; allowed: RFC 5321 dot-atom: letters, digits and !#$%&'*+-/=?^_\`{|}~, dots not leading, trailing or doubled)",
          "path": "mailboxes["a.b"].localPart",
        },
      ]
    `);
  });
});

describe("zodErrorMap", () => {
  const run = (schema: z.ZodType, value: unknown) => {
    const r = schema.safeParse(value, { error: zodErrorMap, reportInput: true });
    return r.success ? [] : formatZodIssues(r.error.issues).map(formatIssue);
  };
  it.each<[string, z.ZodType, unknown, string[]]>([
    [
      "a number below its minimum",
      zod.object({ n: zod.number().min(3) }),
      { n: 1 },
      ["n: is too small (got 1; allowed: at least 3)"],
    ],
    [
      "a number above its maximum",
      zod.object({ n: zod.number().max(3) }),
      { n: 5 },
      ["n: is too big (got 5; allowed: at most 3)"],
    ],
    [
      "a list too long",
      zod.object({ l: zod.array(zod.string()).max(1) }),
      { l: ["a", "b"] },
      ['l: is too big (got ["a","b"]; allowed: at most 1)'],
    ],
    [
      "a string too long",
      zod.object({ s: zod.string().max(2) }),
      { s: "abc" },
      ["s: is too long (got 3 characters; allowed: at most 2)"],
    ],
    [
      "a malformed e-mail",
      zod.object({ e: zod.email() }),
      { e: "x" },
      ['e: "x" is not a valid email (got "x")'],
    ],
    [
      "an unknown code falls back to zod's message",
      zod.object({ n: zod.number().multipleOf(2) }),
      { n: 3 },
      ["n: Invalid number: must be a multiple of 2 (got 3)"],
    ],
    [
      "a union none of whose branches fits",
      zod.union([zod.object({ a: zod.string() }), zod.object({ b: zod.string() })]),
      { c: 1 },
      ['(root): is not an object or an object (got {"c":1}; allowed: an object or an object)'],
    ],
  ])("%s", (_, schema, value, expected) => {
    expect(run(schema, value)).toEqual(expected);
  });

  it("reports a too long display name", () => {
    expect(
      errorOf(() =>
        parseMailDomain({ domain: "acme.com", mailboxes: { a: { name: "n".repeat(300) } } }),
      ),
    ).toBe("mailboxes.a.name: is too long (got 300 characters; allowed: at most 256)");
  });
});

describe("formatting helpers", () => {
  it("formats paths like code", () => {
    expect(formatPath(["mailboxes", "ali", "aliases", 0])).toBe("mailboxes.ali.aliases[0]");
    expect(formatPath(["aliases", "san.zhang", "to", 1])).toBe('aliases["san.zhang"].to[1]');
    expect(formatPath(["mailboxes", "Zhang San"])).toBe('mailboxes["Zhang San"]');
    expect(formatPath([0])).toBe("[0]");
    expect(formatPath([])).toBe("");
  });

  it("shows values briefly and without secrets", () => {
    expect(showValue(undefined)).toBe("nothing");
    expect(showValue(null)).toBe("null");
    expect(showValue("a")).toBe('"a"');
    expect(showValue(5)).toBe("5");
    expect(showValue(true)).toBe("true");
    expect(showValue(5n)).toBe("5n");
    expect(showValue(() => 1)).toBe("a function");
    expect(showValue(Symbol("x"))).toBe("a symbol");
    expect(showValue([1, "a"])).toBe('[1,"a"]');
    expect(showValue({ name: "A", password: "hunter2" })).toBe(
      '{"name":"A","password":"[secret]"}',
    );
    expect(showValue({ f: () => 1, n: 1n, m: new Map() })).toBe(
      '{"f":"[function]","n":"[bigint]","m":"[Map]"}',
    );
    expect(showValue(Object.create(null))).toBe("{}");
    expect(showValue({ a: { b: { c: { d: { e: { f: 1 } } } } } })).toBe(
      '{"a":{"b":{"c":{"d":{"e":"[…]"}}}}}',
    );
    expect(showValue("x".repeat(100))).toBe(`"${"x".repeat(60)}"…(100 chars)`);
    expect(showValue("y".repeat(60))).toBe(`"${"y".repeat(60)}"`);
    expect(showValue({ k: "z".repeat(100) })).toBe(`{"k":"${"z".repeat(73)}…(108 chars)`);
    expect(formatIssue({ path: "", message: "m" })).toBe("(root): m");
  });
});

describe("types", () => {
  it("derives input and output types from the schema", () => {
    expectTypeOf<MailDomainInput>().toEqualTypeOf<z.input<typeof mailDomainSchema>>();
    expectTypeOf<MailDomainSpec>().toEqualTypeOf<z.output<typeof mailDomainSchema>>();
    expectTypeOf<MailDomainInput["mailboxes"]>().toEqualTypeOf<
      Record<string, NonNullable<MailDomainInput["mailboxes"]>[string]> | undefined
    >();
    expectTypeOf<MailDomainSpec["postmaster"]>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<MailDomainSpec["aliases"][string]["to"]>().toEqualTypeOf<string[]>();
    expectTypeOf<NonNullable<MailDomainInput["aliases"]>[string]>().toEqualTypeOf<
      | string
      | string[]
      | { to: string | string[]; expires?: string | undefined; localPart?: string | undefined }
    >();
  });
});
