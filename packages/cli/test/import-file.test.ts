import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AliasState, GroupState, MailboxState } from "@mailplane/providers";
import {
  importFileOf,
  importFileProblem,
  importFileSummary,
  renderImportFile,
} from "../src/import-file";
import type { LiveDomain } from "../src/import";
import { main } from "../src/program";

const D = "acme.test";
const a = (localPart: string, to: string[]): AliasState => ({
  domain: D,
  localPart,
  destinations: to.map((t) => (t.includes("@") ? t : `${t}@${D}`)),
});
const m = (localPart: string, aliases: string[] = []): MailboxState => ({
  domain: D,
  localPart,
  name: localPart.toUpperCase(),
  suspended: false,
  aliases,
  forwardTo: [],
});

/** A Migadu domain as its API lists it: one-destination aliases are the mailbox's, groups are aliases. */
function migaduLive(): LiveDomain {
  const aliases = [
    a("a.alavi", ["ali"]),
    a("info", ["ali", "zhangsan"]),
    a("postmaster", ["ali"]),
    a("launch", ["agency@example.com", "maria"]),
    a("press", ["agency@example.com"]),
  ];
  return {
    domain: D,
    // Listed out of order: the file is sorted by local part.
    mailboxes: [m("zhangsan"), m("ali", ["a.alavi", "postmaster"]), m("maria")],
    aliases,
    groups: aliases
      .filter((x) => x.destinations.length > 1)
      .map((x): GroupState => ({ domain: D, localPart: x.localPart, members: x.destinations })),
    domainAliases: [],
  };
}

describe("importFileOf: the file pulumi import --file takes", () => {
  it("Migadu: a Mailbox each (with its own aliases), an Alias for every other alias, groups once as aliases", () => {
    const file = importFileOf(migaduLive(), "migadu");
    expect(renderImportFile(file)).toBe(
      JSON.stringify(
        {
          resources: [
            {
              type: "mailplane:index:Mailbox",
              name: "acme-test-mailbox-ali",
              id: "migadu/acme.test/ali",
            },
            {
              type: "mailplane:index:Mailbox",
              name: "acme-test-mailbox-maria",
              id: "migadu/acme.test/maria",
            },
            {
              type: "mailplane:index:Mailbox",
              name: "acme-test-mailbox-zhangsan",
              id: "migadu/acme.test/zhangsan",
            },
            {
              type: "mailplane:index:Alias",
              name: "acme-test-alias-info",
              id: "migadu/acme.test/info",
            },
            {
              type: "mailplane:index:Alias",
              name: "acme-test-alias-launch",
              id: "migadu/acme.test/launch",
            },
            {
              type: "mailplane:index:Alias",
              name: "acme-test-alias-press",
              id: "migadu/acme.test/press",
            },
          ],
        },
        null,
        2,
      ) + "\n",
    );
    expect(importFileSummary(file)).toBe("6 resources (3 Mailbox, 3 Alias)");
  });

  it("real groups, a catch-all and domain aliases (a provider that keeps them apart)", () => {
    const live: LiveDomain = {
      domain: D,
      mailboxes: [m("ali", ["ali.alavi"])],
      aliases: [a("hr", ["ali"])],
      groups: [{ domain: D, localPart: "all-staff", name: "All staff", members: [`ali@${D}`] }],
      domainAliases: ["acme.org", "acme.co"],
      catchAll: [`ali@${D}`],
    };
    expect(importFileOf(live, "selfHosted").resources).toEqual([
      {
        type: "mailplane:index:Mailbox",
        name: "acme-test-mailbox-ali",
        id: "selfHosted/acme.test/ali",
      },
      { type: "mailplane:index:Alias", name: "acme-test-alias-hr", id: "selfHosted/acme.test/hr" },
      {
        type: "mailplane:index:MailGroup",
        name: "acme-test-group-all-staff",
        id: "selfHosted/acme.test/all-staff",
      },
      { type: "mailplane:index:CatchAll", name: "acme-test-catch-all", id: "selfHosted/acme.test" },
      {
        type: "mailplane:index:DomainAlias",
        name: "acme-test-domain-alias-acme-co",
        id: "selfHosted/acme.test/acme.co",
      },
      {
        type: "mailplane:index:DomainAlias",
        name: "acme-test-domain-alias-acme-org",
        id: "selfHosted/acme.test/acme.org",
      },
    ]);
    expect(importFileSummary(importFileOf(live, "selfHosted"))).toBe(
      "6 resources (1 Mailbox, 1 Alias, 1 MailGroup, 1 CatchAll, 2 DomainAlias)",
    );
  });

  it("an empty catch-all and an empty domain give no entries", () => {
    const live: LiveDomain = {
      domain: D,
      mailboxes: [],
      aliases: [],
      groups: [],
      domainAliases: [],
      catchAll: [],
    };
    expect(importFileOf(live, "selfHosted")).toEqual({ resources: [] });
    expect(importFileSummary({ resources: [] })).toBe("0 resources");
    expect(renderImportFile({ resources: [] })).toBe('{\n  "resources": []\n}\n');
  });

  it("names stay unique: a local part that needed no change keeps its name, the others get -2, -3", () => {
    const live: LiveDomain = {
      domain: "xn--bcher-kva.example",
      // a.b, a+b and a_b all read as a-b; a-b itself keeps the plain name, whatever the order.
      mailboxes: [m("a.b"), m("a+b"), m("a-b"), m("a_b"), m("a-b-2")],
      aliases: [],
      groups: [],
      domainAliases: [],
    };
    expect(importFileOf(live, "migadu").resources.map((r) => [r.id.split("/")[2], r.name])).toEqual(
      [
        ["a+b", "xn--bcher-kva-example-mailbox-a-b-3"],
        ["a-b", "xn--bcher-kva-example-mailbox-a-b"],
        ["a-b-2", "xn--bcher-kva-example-mailbox-a-b-2"],
        ["a.b", "xn--bcher-kva-example-mailbox-a-b-4"],
        ["a_b", "xn--bcher-kva-example-mailbox-a-b-5"],
      ],
    );
  });

  it("is refused for selfHosted, whose reads need the store locator an id does not hold", () => {
    expect(importFileProblem("migadu")).toBeUndefined();
    expect(importFileProblem("selfHosted")).toBe(
      "--import-file: selfHosted accounts cannot be imported by id (an id holds no store locator, and selfHosted reads need one); leave out --import-file and use the program mailplane import writes: its first pulumi up adopts every identical account without a write",
    );
  });
});

describe("mailplane import --import-file (command line)", () => {
  it("selfHosted is refused before anything is read (exit 2, the reason on stderr)", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
      [
        "import",
        "--provider",
        "selfHosted",
        "--domain",
        "acme.test",
        "--api-url",
        "sqlite:///nonexistent/mail.sqlite",
        "--import-file",
        "import.json",
      ],
      { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, cwd: "/nonexistent" },
    );
    expect({ code, stdout: out.join(""), stderr: err.join("") }).toEqual({
      code: 2,
      stdout: "",
      stderr: `mailplane import: ${importFileProblem("selfHosted")}\n`,
    });
  });
});

describe("importFileOf: names for any local parts (fast-check)", () => {
  it("are unique, made of a-z 0-9 -, and plain for local parts that need no change", () => {
    const char = fc.constantFrom(..."abz09!#$%&'*+/=?^_`{|}~-.".split(""));
    const localPart = fc.array(char, { minLength: 1, maxLength: 6 }).map((cs) => cs.join(""));
    fc.assert(
      fc.property(
        fc.uniqueArray(localPart, { minLength: 1, maxLength: 30 }),
        fc.uniqueArray(localPart, { maxLength: 10 }),
        (boxes, aliasParts) => {
          const live: LiveDomain = {
            domain: D,
            mailboxes: boxes.map((lp) => m(lp)),
            aliases: aliasParts.map((lp) => a(lp, ["x@example.com"])),
            groups: [],
            domainAliases: [],
          };
          const { resources } = importFileOf(live, "migadu");
          const names = resources.map((r) => r.name);
          expect(new Set(names).size).toBe(names.length);
          for (const n of names) expect(n).toMatch(/^[a-z0-9-]+$/);
          for (const r of resources) {
            const lp = r.id.split("/").slice(2).join("/");
            const kind = r.type === "mailplane:index:Mailbox" ? "mailbox" : "alias";
            if (/^[a-z0-9-]+$/.test(lp)) expect(r.name).toBe(`acme-test-${kind}-${lp}`);
          }
          // Mailboxes here have no aliases of their own: every alias is an entry.
          expect(resources.length).toBe(boxes.length + aliasParts.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
