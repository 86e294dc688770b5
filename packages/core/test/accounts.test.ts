import { describe, expect, it } from "vitest";
import {
  MailplaneConfigError,
  parseMailDomain,
  planAccounts,
  resolveMailboxSettings,
  resolveSharedKind,
  type MailDomainInput,
  type MailProviderCapabilities,
} from "../src/index";
import { mailDomainSchema } from "../src/spec";
import { acme, errorOf, fullCapabilities as full } from "./fixtures";

const now = new Date("2026-06-01T12:00:00Z");

describe("planAccounts", () => {
  it("plans the DESIGN.md example", () => {
    expect(planAccounts(parseMailDomain(acme), { now })).toEqual({
      domain: "acme.com",
      domainAliases: ["acme.co"],
      mailboxes: [
        {
          key: "zhangsan",
          localPart: "zhangsan",
          address: "zhangsan@acme.com",
          name: "Zhang San",
          department: "Sales",
          profile: "staff",
          quotaMb: 10240,
          suspended: false,
          changePasswordAtNextLogin: false,
          require2fa: false,
          aliases: ["san.zhang"],
          onDelete: "suspend",
          allowRecreate: false,
          shared: false,
        },
        {
          key: "ali",
          localPart: "ali.alavi",
          address: "ali.alavi@acme.com",
          name: "Ali Alavi",
          profile: "executive",
          quotaMb: 51200,
          suspended: false,
          changePasswordAtNextLogin: false,
          require2fa: true,
          aliases: [],
          onDelete: "suspend",
          allowRecreate: false,
          shared: false,
        },
        {
          key: "leaver",
          localPart: "leaver",
          address: "leaver@acme.com",
          name: "Old Hand",
          suspended: true,
          changePasswordAtNextLogin: false,
          require2fa: false,
          aliases: [],
          onDelete: "suspend",
          allowRecreate: false,
          offboard: { forwardTo: ["ali.alavi@acme.com"], keepUntil: "2027-03-31" },
          shared: false,
        },
      ],
      aliases: [
        {
          key: "info",
          localPart: "info",
          address: "info@acme.com",
          destinations: ["ali.alavi@acme.com", "zhangsan@acme.com"],
          source: "shared",
        },
        {
          key: "support",
          localPart: "support",
          address: "support@acme.com",
          destinations: ["zhangsan@acme.com"],
          source: "shared",
        },
        {
          key: "hr",
          localPart: "hr",
          address: "hr@acme.com",
          destinations: ["ali.alavi@acme.com"],
          source: "alias",
        },
        {
          key: "launch-2026",
          localPart: "launch-2026",
          address: "launch-2026@acme.com",
          destinations: ["zhangsan@acme.com"],
          expires: "2026-12-31",
          source: "alias",
        },
        {
          key: "postmaster",
          localPart: "postmaster",
          address: "postmaster@acme.com",
          destinations: ["ali.alavi@acme.com"],
          source: "postmaster",
        },
        {
          key: "abuse",
          localPart: "abuse",
          address: "abuse@acme.com",
          destinations: ["ali.alavi@acme.com", "security@partner.example"],
          source: "abuse",
        },
      ],
      groups: [
        {
          key: "all-staff",
          localPart: "all-staff",
          address: "all-staff@acme.com",
          name: "all-staff",
          members: ["ali.alavi@acme.com", "zhangsan@acme.com"],
          source: "group",
        },
      ],
      notices: [],
    });
  });

  it("leaves out expired aliases and references to them, with notices", () => {
    const spec = parseMailDomain({
      ...acme,
      groups: {
        "all-staff": { members: ["ali", "launch-2026"], externalMembers: ["launch-2026@acme.co"] },
      },
      catchAll: ["ali", "launch-2026"],
    });
    const plan = planAccounts(spec, { now: new Date("2027-01-01T00:00:00Z") });
    expect(plan.aliases.map((a) => a.key)).toEqual([
      "info",
      "support",
      "hr",
      "postmaster",
      "abuse",
    ]);
    expect(plan.groups[0]!.members).toEqual(["ali.alavi@acme.com"]);
    expect(plan.catchAll).toEqual(["ali.alavi@acme.com"]);
    expect(plan.notices).toEqual([
      "aliases.launch-2026: expired on 2026-12-31; left out",
      'groups.all-staff.members[1]: "launch-2026" expired on 2026-12-31; left out of the members',
      'groups.all-staff.externalMembers[0]: "launch-2026@acme.co" expired on 2026-12-31; left out of the members',
      'catchAll[1]: "launch-2026" expired on 2026-12-31; left out of the catch-all',
    ]);
  });

  it("keeps an alias on its expiry day and drops it the day after (UTC)", () => {
    const spec = parseMailDomain({ ...acme });
    expect(
      planAccounts(spec, { now: new Date("2026-12-31T23:59:59Z") }).aliases.some(
        (a) => a.key === "launch-2026",
      ),
    ).toBe(true);
    expect(
      planAccounts(spec, { now: new Date("2027-01-01T00:00:00Z") }).aliases.some(
        (a) => a.key === "launch-2026",
      ),
    ).toBe(false);
  });

  it("fails when expiry leaves something delivering nowhere", () => {
    const spec = parseMailDomain({
      domain: "acme.com",
      mailboxes: { ali: { name: "A" }, old: { name: "O", offboard: { forwardTo: "temp" } } },
      shared: { info: { members: ["temp"] } },
      aliases: { temp: { to: "ali", expires: "2026-01-31" }, hr: ["temp"] },
      groups: { g: { members: ["temp"] } },
      postmaster: "temp",
      abuse: "ali",
      catchAll: "temp",
    });
    expect(errorOf(() => planAccounts(spec, { now }))).toMatchInlineSnapshot(`
      "mailboxes.old.offboard.forwardTo: delivers nowhere once expired addresses are left out (got ["temp"]; allowed: at least one destination that has not expired)
      shared.info.members: delivers nowhere once expired addresses are left out (got ["temp"]; allowed: at least one destination that has not expired)
      aliases.hr.to: delivers nowhere once expired addresses are left out (got ["temp"]; allowed: at least one destination that has not expired)
      groups.g.members: delivers nowhere once expired addresses are left out (got ["temp"]; allowed: at least one destination that has not expired)
      postmaster: delivers nowhere once expired addresses are left out (got ["temp"]; allowed: at least one destination that has not expired)
      catchAll: delivers nowhere once expired addresses are left out (got ["temp"]; allowed: at least one destination that has not expired)"
    `);
  });

  it("notices an offboarded mailbox past its retention date", () => {
    const spec = parseMailDomain({
      ...acme,
      mailboxes: {
        ...acme.mailboxes,
        leaver: { name: "Old Hand", offboard: { keepUntil: "2026-05-31" } },
      },
    });
    const plan = planAccounts(spec, { now });
    expect(plan.mailboxes.find((m) => m.key === "leaver")!.offboard).toEqual({
      forwardTo: [],
      keepUntil: "2026-05-31",
    });
    expect(plan.notices).toEqual([
      'mailboxes.leaver: kept until 2026-05-31, which has passed; to delete it, set onDelete: "delete" and remove it from code',
    ]);
  });

  it("realises shared addresses by kind and capabilities", () => {
    const input: MailDomainInput = {
      domain: "acme.com",
      mailboxes: { ali: { name: "A" } },
      shared: {
        auto: { members: ["ali"] },
        alias: { members: ["ali"], kind: "alias" },
        group: {
          members: ["ali"],
          externalMembers: ["x@partner.example"],
          kind: "group",
          name: "The group",
        },
        desk: { members: ["ali"], kind: "sharedMailbox", name: "Front desk", localPart: "Desk" },
      },
      postmaster: "ali",
      abuse: "ali",
    };
    const spec = parseMailDomain(input);
    const shape = (caps?: MailProviderCapabilities) => {
      const plan = planAccounts(spec, { now, ...(caps ? { capabilities: caps } : {}) });
      return {
        aliases: plan.aliases.filter((a) => a.source === "shared").map((a) => a.key),
        groups: plan.groups.map((g) => g.key),
        mailboxes: plan.mailboxes.filter((m) => m.shared).map((m) => m.key),
      };
    };
    expect(shape()).toEqual({ aliases: ["auto", "alias"], groups: ["group"], mailboxes: ["desk"] });
    expect(shape({ ...full, standaloneAliases: false })).toEqual({
      aliases: ["alias"],
      groups: ["auto", "group"],
      mailboxes: ["desk"],
    });
    expect(shape({ ...full, standaloneAliases: false, groups: false })).toEqual({
      aliases: ["alias"],
      groups: ["group"],
      mailboxes: ["auto", "desk"],
    });
    const plan = planAccounts(spec, { now });
    expect(plan.groups).toEqual([
      {
        key: "group",
        localPart: "group",
        address: "group@acme.com",
        name: "The group",
        members: ["ali@acme.com", "x@partner.example"],
        source: "shared",
      },
    ]);
    expect(plan.mailboxes[1]).toEqual({
      key: "desk",
      localPart: "desk",
      address: "desk@acme.com",
      name: "Front desk",
      suspended: false,
      changePasswordAtNextLogin: false,
      require2fa: false,
      aliases: [],
      onDelete: "suspend",
      allowRecreate: false,
      shared: true,
      members: ["ali@acme.com"],
    });
  });

  it("carries allowRecreate and recoveryEmail onto the planned mailbox", () => {
    const plan = planAccounts(
      parseMailDomain({
        domain: "acme.com",
        postmaster: "ali",
        abuse: "ali",
        mailboxes: {
          ali: { name: "Ali", allowRecreate: true, recoveryEmail: "Ali@Home.Example" },
          bob: { name: "Bob" },
        },
      }),
      { now },
    );
    expect(plan.mailboxes).toEqual([
      {
        key: "ali",
        localPart: "ali",
        address: "ali@acme.com",
        name: "Ali",
        suspended: false,
        changePasswordAtNextLogin: false,
        require2fa: false,
        aliases: [],
        onDelete: "suspend",
        allowRecreate: true,
        recoveryEmail: "ali@home.example",
        shared: false,
      },
      {
        key: "bob",
        localPart: "bob",
        address: "bob@acme.com",
        name: "Bob",
        suspended: false,
        changePasswordAtNextLogin: false,
        require2fa: false,
        aliases: [],
        onDelete: "suspend",
        allowRecreate: false,
        shared: false,
      },
    ]);
  });

  it("turns mailbox aliases into aliases when the provider has none per mailbox", () => {
    const spec = parseMailDomain(acme);
    const plan = planAccounts(spec, { now, capabilities: { ...full, aliasesPerMailbox: 0 } });
    expect(plan.mailboxes[0]!.aliases).toEqual([]);
    expect(plan.aliases[0]).toEqual({
      key: "zhangsan/san.zhang",
      localPart: "san.zhang",
      address: "san.zhang@acme.com",
      destinations: ["zhangsan@acme.com"],
      source: "mailboxAlias",
    });
    expect(planAccounts(spec, { now, capabilities: full }).mailboxes[0]!.aliases).toEqual([
      "san.zhang",
    ]);
  });

  it("keeps plus tags and domain aliases in addresses, deduplicates destinations", () => {
    const spec = parseMailDomain({
      ...acme,
      aliases: { hr: ["ali", "Ali.Alavi@ACME.com", "ali.alavi+hr@acme.co", "x@Partner.Example"] },
    });
    expect(planAccounts(spec, { now }).aliases.find((a) => a.key === "hr")!.destinations).toEqual([
      "ali.alavi@acme.com",
      "ali.alavi+hr@acme.co",
      "x@partner.example",
    ]);
  });

  it("keeps undeclared addresses on the domain when a catch-all takes them", () => {
    const spec = parseMailDomain({
      domain: "acme.com",
      mailboxes: { ali: { name: "A" } },
      aliases: { hr: "new@acme.com" },
      catchAll: "ali",
    });
    const plan = planAccounts(spec, { now });
    expect(plan.aliases).toEqual([
      {
        key: "hr",
        localPart: "hr",
        address: "hr@acme.com",
        destinations: ["new@acme.com"],
        source: "alias",
      },
    ]);
    expect(plan.catchAll).toEqual(["ali@acme.com"]);
  });

  it("fails on references it cannot resolve (a spec not from parseMailDomain)", () => {
    const spec = mailDomainSchema.parse({ domain: "acme.com", aliases: { hr: "ghost" } });
    const error = (() => {
      try {
        planAccounts(spec, { now });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MailplaneConfigError);
    expect((error as MailplaneConfigError).message).toBe(
      `aliases.hr.to[0]: "ghost" is not a declared handle or address (got "ghost"; allowed: a key of mailboxes, shared, aliases or groups, or a full address containing "@")`,
    );
  });
});

describe("resolveMailboxSettings", () => {
  const spec = parseMailDomain({
    domain: "acme.com",
    profiles: { exec: { quotaMb: 500, require2fa: true, changePasswordAtNextLogin: true } },
    catchAll: "x@else.example",
  });
  it.each([
    [{ name: "A" }, { require2fa: false, changePasswordAtNextLogin: false, suspended: false }],
    [
      { name: "A", profile: "exec" },
      { quotaMb: 500, require2fa: true, changePasswordAtNextLogin: true, suspended: false },
    ],
    [
      {
        name: "A",
        profile: "exec",
        quotaMb: 1,
        require2fa: false,
        changePasswordAtNextLogin: false,
      },
      { quotaMb: 1, require2fa: false, changePasswordAtNextLogin: false, suspended: false },
    ],
    [
      { name: "A", offboard: {} },
      { require2fa: false, changePasswordAtNextLogin: false, suspended: true },
    ],
    [
      { name: "A", offboard: {}, suspended: false },
      { require2fa: false, changePasswordAtNextLogin: false, suspended: false },
    ],
    [
      { name: "A", profile: "missing" },
      { require2fa: false, changePasswordAtNextLogin: false, suspended: false },
    ],
  ])("%j", (mailbox, settings) => {
    const parsed = mailDomainSchema.shape.mailboxes.parse({ m: mailbox }).m!;
    expect(resolveMailboxSettings(spec, parsed)).toEqual(settings);
  });
});

describe("resolveSharedKind", () => {
  it.each<
    [Parameters<typeof resolveSharedKind>[0], Partial<MailProviderCapabilities> | undefined, string]
  >([
    ["group", undefined, "group"],
    ["sharedMailbox", { sharedMailboxes: false }, "sharedMailbox"],
    ["auto", undefined, "alias"],
    ["auto", {}, "alias"],
    ["auto", { standaloneAliases: false }, "group"],
    ["auto", { standaloneAliases: false, groups: false }, "sharedMailbox"],
    ["auto", { standaloneAliases: false, groups: false, sharedMailboxes: false }, "alias"],
  ])("%s with %j → %s", (kind, caps, expected) => {
    expect(resolveSharedKind(kind, caps === undefined ? undefined : { ...full, ...caps })).toBe(
      expected,
    );
  });
});
