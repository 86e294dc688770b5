import { describe, expect, it } from "vitest";
import { parseMailDomain, type MailDomainInput } from "../src/index";
import { buildIndex, checkGraph, referenceSites, resolveReference } from "../src/graph";
import { mailDomainSchema } from "../src/spec";
import { acme, errorOf } from "./fixtures";

/** Parses with the schema only, then runs the graph checks. */
function problems(input: MailDomainInput): string[] {
  return checkGraph(mailDomainSchema.parse(input)).map((i) => `${i.path}: ${i.message}`);
}

const base = { domain: "acme.com", postmaster: "ali", abuse: "ali" } as const;
const ali = { ali: { name: "Ali" } };

describe("checkGraph", () => {
  it("accepts the DESIGN.md example", () => {
    expect(problems(acme)).toEqual([]);
  });

  it.each<[string, MailDomainInput, string[]]>([
    [
      "a key that cannot be a local part",
      { ...base, mailboxes: { ...ali, "Zhang San": { name: "Z" } } },
      [
        `mailboxes["Zhang San"]: needs localPart: the key is the local part, and "Zhang San" is not a valid local part (got "Zhang San"; allowed: RFC 5321 dot-atom: letters, digits and !#$%&'*+-/=?^_\`{|}~, dots not leading, trailing or doubled)`,
      ],
    ],
    [
      "a key with + and no localPart",
      { ...base, mailboxes: ali, aliases: { "ali+x": "ali" } },
      [
        `aliases.ali+x: needs localPart: the key is the local part, and "ali+x" contains "+", which starts a plus-address tag (got "ali+x"; allowed: a local part without "+": plus-addressing is automatic, ali+anything@ is delivered to ali@)`,
      ],
    ],
    [
      "a key that is fine because localPart is set",
      { ...base, mailboxes: { ...ali, "E 1": { name: "E", localPart: "erika" } } },
      [],
    ],
    [
      "an alias equal to a mailbox's alias, case-insensitively",
      { ...base, mailboxes: { ali: { name: "Ali", aliases: ["HR"] } }, aliases: { hr: "ali" } },
      [
        `aliases.hr: hr@acme.com is already declared at mailboxes.ali.aliases[0] (got "hr"; allowed: each address once)`,
      ],
    ],
    [
      "the same local part on the domain and its alias domain",
      {
        ...base,
        domainAliases: ["acme.co", "acme.net"],
        mailboxes: { ali: { name: "Ali" }, a2: { name: "A", localPart: "Ali" } },
      },
      [
        `mailboxes.a2.localPart: ali@acme.com is already declared at mailboxes.ali (got "ali"; allowed: each address once; a local part is one address on acme.com and its domain aliases acme.co, acme.net)`,
      ],
    ],
    [
      "a handle used twice and a mailbox alias used twice",
      {
        ...base,
        mailboxes: { ali: { name: "Ali", aliases: ["x", "x"] } },
        groups: { ali: { members: ["bob@else.example"], localPart: "team" } },
      },
      [
        `mailboxes.ali.aliases[1]: x@acme.com is already declared at mailboxes.ali.aliases[0] (got "x"; allowed: each address once)`,
        `groups.ali: handle "ali" is already used at mailboxes.ali (got "ali"; allowed: handles unique across mailboxes, shared, aliases and groups)`,
      ],
    ],
    [
      "postmaster declared twice",
      { ...base, mailboxes: { ...ali, pm: { name: "PM", localPart: "postmaster" } } },
      [
        `postmaster: postmaster@acme.com is already declared at mailboxes.pm.localPart (got "postmaster"; allowed: each address once)`,
      ],
    ],
    [
      "a domain alias equal to the domain or repeated",
      { ...base, mailboxes: ali, domainAliases: ["ACME.com", "acme.co", "acme.co."] },
      [
        `domainAliases[0]: "acme.com" is already declared at domain (got "acme.com"; allowed: each domain once)`,
        `domainAliases[2]: "acme.co" is already declared at domainAliases[1] (got "acme.co"; allowed: each domain once)`,
      ],
    ],
    [
      "an undefined profile",
      {
        ...base,
        profiles: { staff: {}, executive: {} },
        mailboxes: { ali: { name: "A", profile: "exec" } },
      },
      [
        `mailboxes.ali.profile: "exec" is not a defined profile (got "exec"; allowed: "staff", "executive")`,
      ],
    ],
    [
      "a profile when none are defined",
      { ...base, mailboxes: { ali: { name: "A", profile: "staff" } } },
      [
        `mailboxes.ali.profile: "staff" is not a defined profile (got "staff"; allowed: none defined; add it under profiles)`,
      ],
    ],
    [
      "references to nothing",
      {
        ...base,
        domainAliases: ["acme.co"],
        mailboxes: { ...ali, old: { name: "O", offboard: { forwardTo: ["boss"] } } },
        shared: { info: { members: ["ali", "bob"] } },
        aliases: { hr: ["nobody@ACME.co", "ali+hr@acme.co", "x@partner.example"] },
        groups: { g: { members: ["ghost"] } },
        catchAll: "void",
      },
      [
        `mailboxes.old.offboard.forwardTo[0]: "boss" is not a declared handle (got "boss"; allowed: a handle (a key of mailboxes, shared, aliases or groups) or a full address containing "@")`,
        `shared.info.members[1]: "bob" is not a declared handle (got "bob"; allowed: a handle (a key of mailboxes, shared, aliases or groups) or a full address containing "@")`,
        `groups.g.members[0]: "ghost" is not a declared handle (got "ghost"; allowed: a handle (a key of mailboxes, shared, aliases or groups) or a full address containing "@")`,
        `catchAll[0]: "void" is not a declared handle (got "void"; allowed: a handle (a key of mailboxes, shared, aliases or groups) or a full address containing "@")`,
      ],
    ],
    [
      "an undeclared address on the domain without a catch-all",
      { ...base, mailboxes: ali, aliases: { hr: ["nobody@acme.com"] } },
      [
        `aliases.hr.to[0]: "nobody@acme.com" is not declared on acme.com (got "nobody@acme.com"; allowed: a handle (a key of mailboxes, shared, aliases or groups) or a full address containing "@")`,
      ],
    ],
    [
      "the leaver forwarding to himself, by handle, address or alias",
      {
        ...base,
        mailboxes: {
          ...ali,
          old: {
            name: "O",
            aliases: ["oldie"],
            offboard: { forwardTo: ["old", "OLD@acme.com", "oldie@acme.com", "ali"] },
          },
        },
      },
      [
        `mailboxes.old.offboard.forwardTo[0]: forwards the leaver's mail to the leaver's own mailbox (got "old"; allowed: another mailbox, alias, group or an external address)`,
        `mailboxes.old.offboard.forwardTo[1]: forwards the leaver's mail to the leaver's own mailbox (got "old@acme.com"; allowed: another mailbox, alias, group or an external address)`,
        `mailboxes.old.offboard.forwardTo[2]: forwards the leaver's mail to the leaver's own mailbox (got "oldie@acme.com"; allowed: another mailbox, alias, group or an external address)`,
      ],
    ],
    [
      "groups and shared addresses with nobody in them",
      { ...base, mailboxes: ali, shared: { info: {} }, groups: { g: { members: [] } } },
      [
        "shared.info.members: has no members (got []; allowed: at least one entry in members or externalMembers)",
        "groups.g.members: has no members (got []; allowed: at least one entry in members or externalMembers)",
      ],
    ],
    [
      "alias and group loops, each reported once",
      {
        ...base,
        mailboxes: ali,
        aliases: { a: "b", b: ["c", "ali"], c: "a@acme.com", self: "self" },
        groups: { g: { members: ["h"] }, h: { members: ["g", "ali"] } },
      },
      [
        "aliases.a: is part of a forwarding loop (got aliases.a → aliases.b → aliases.c → aliases.a; allowed: forwarding that ends at a mailbox or an external address)",
        "aliases.self: is part of a forwarding loop (got aliases.self → aliases.self; allowed: forwarding that ends at a mailbox or an external address)",
        "groups.g: is part of a forwarding loop (got groups.g → groups.h → groups.g; allowed: forwarding that ends at a mailbox or an external address)",
      ],
    ],
    [
      "a loop through an offboarded mailbox and the role addresses",
      {
        domain: "acme.com",
        mailboxes: { ...ali, old: { name: "O", offboard: { forwardTo: "team" } } },
        aliases: { team: ["old", "postmaster@acme.com"] },
        postmaster: "team",
        abuse: "ali",
      },
      [
        "mailboxes.old: is part of a forwarding loop (got mailboxes.old → aliases.team → mailboxes.old; allowed: forwarding that ends at a mailbox or an external address)",
        "aliases.team: is part of a forwarding loop (got aliases.team → postmaster → aliases.team; allowed: forwarding that ends at a mailbox or an external address)",
      ],
    ],
    [
      "no loop through a shared mailbox (its members read it)",
      {
        ...base,
        mailboxes: ali,
        shared: { desk: { kind: "sharedMailbox", members: ["team"] } },
        aliases: { team: ["desk", "ali"] },
      },
      [],
    ],
    [
      "postmaster and abuse that deliver nowhere",
      { domain: "acme.com", mailboxes: ali },
      [
        `postmaster: postmaster@acme.com does not deliver anywhere; RFC 2142 requires it (got nothing; allowed: postmaster: "<handle or address>", a mailbox, alias or shared address named postmaster, or a catchAll)`,
        `abuse: abuse@acme.com does not deliver anywhere; RFC 2142 requires it (got nothing; allowed: abuse: "<handle or address>", a mailbox, alias or shared address named abuse, or a catchAll)`,
      ],
    ],
    [
      "postmaster and abuse delivered by declared addresses",
      {
        domain: "acme.com",
        mailboxes: { ali: { name: "A", aliases: ["postmaster"] } },
        shared: { abuse: { members: ["ali"] } },
      },
      [],
    ],
    [
      "postmaster and abuse delivered by the catch-all",
      { domain: "acme.com", catchAll: "ops@else.example" },
      [],
    ],
  ])("%s", (_, input, expected) => {
    expect(problems(input)).toEqual(expected);
  });

  it("runs inside parseMailDomain with every problem together", () => {
    expect(
      errorOf(() =>
        parseMailDomain({
          domain: "acme.com",
          mailboxes: { ali: { name: "A", profile: "x" } },
          aliases: { a: "a" },
        }),
      ),
    ).toMatchInlineSnapshot(`
      "mailboxes.ali.profile: "x" is not a defined profile (got "x"; allowed: none defined; add it under profiles)
      aliases.a: is part of a forwarding loop (got aliases.a → aliases.a; allowed: forwarding that ends at a mailbox or an external address)
      postmaster: postmaster@acme.com does not deliver anywhere; RFC 2142 requires it (got nothing; allowed: postmaster: "<handle or address>", a mailbox, alias or shared address named postmaster, or a catchAll)
      abuse: abuse@acme.com does not deliver anywhere; RFC 2142 requires it (got nothing; allowed: abuse: "<handle or address>", a mailbox, alias or shared address named abuse, or a catchAll)"
    `);
  });
});

describe("resolveReference", () => {
  const spec = parseMailDomain({
    ...acme,
    catchAll: "ali",
  });
  const index = buildIndex(spec);

  it.each([
    ["ali", "entry mailboxes.ali ali.alavi@acme.com"],
    ["info", "entry shared.info info@acme.com"],
    ["san.zhang@acme.co", "entry mailboxes.zhangsan san.zhang@acme.co"],
    ["hr+x@acme.com", "entry aliases.hr hr+x@acme.com"],
    ["postmaster@acme.com", "role postmaster postmaster@acme.com"],
    ["new@acme.com", "address internal new@acme.com"],
    ["x@partner.example", "address external x@partner.example"],
    ["nobody", "unknown"],
    ["bad address@x.example", "unknown"],
  ])("%s → %s", (ref, expected) => {
    const r = resolveReference(index, ref, true);
    const shown =
      r.kind === "entry"
        ? `entry ${r.entry.path} ${r.address}`
        : r.kind === "role"
          ? `role ${r.role} ${r.address}`
          : r.kind === "address"
            ? `address ${r.external ? "external" : "internal"} ${r.address}`
            : "unknown";
    expect(shown).toBe(expected);
  });

  it("treats an undeclared address on the domain as unknown without a catch-all", () => {
    expect(resolveReference(index, "new@acme.com", false)).toEqual({ kind: "unknown" });
  });

  it("lists reference sites in declaration order", () => {
    expect(referenceSites(spec).map((s) => `${s.from} ${s.path} ${s.ref}`)).toEqual([
      "mailboxes.leaver mailboxes.leaver.offboard.forwardTo[0] ali",
      "shared.info shared.info.members[0] ali",
      "shared.info shared.info.members[1] zhangsan",
      "shared.support shared.support.members[0] zhangsan",
      "aliases.hr aliases.hr.to[0] ali",
      "aliases.launch-2026 aliases.launch-2026.to[0] zhangsan",
      "groups.all-staff groups.all-staff.members[0] ali",
      "groups.all-staff groups.all-staff.members[1] zhangsan",
      "postmaster postmaster[0] ali",
      "abuse abuse[0] ali",
      "abuse abuse[1] security@partner.example",
      "catchAll catchAll[0] ali",
    ]);
  });
});
