import * as pulumi from "@pulumi/pulumi";
import { migaduDnsFacts, type AccountPlan, type DnsFacts } from "@mailplane/core";
import { beforeAll, describe, expect, it } from "vitest";
import { microsoft365Capabilities, migaduCapabilities } from "@mailplane/providers";
import { Mailbox, createAccountResources, providers } from "../src/index";
import { captureRegisterRequests, type RegisterRequest } from "./dns-mocks";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
let captured: RegisterRequest[] = [];

beforeAll(async () => {
  // Record the raw register requests: they show secrets as secrets, and the aliases.
  captured = await captureRegisterRequests();
});

class Parent extends pulumi.ComponentResource {
  constructor(name: string) {
    super("test:index:Parent", name);
  }
}

const plan: AccountPlan = {
  domain: "acme.com",
  domainAliases: [],
  mailboxes: [
    {
      key: "alice",
      localPart: "alice",
      address: "alice@acme.com",
      name: "Alice Liddell",
      department: "Sales",
      quotaMb: 10240,
      suspended: false,
      changePasswordAtNextLogin: true,
      require2fa: false,
      aliases: ["liddell"],
      onDelete: "suspend",
      allowRecreate: true,
      recoveryEmail: "alice@home.example",
      shared: false,
    },
    {
      key: "leaver",
      localPart: "old.hand",
      address: "old.hand@acme.com",
      name: "Old Hand",
      suspended: false,
      changePasswordAtNextLogin: false,
      require2fa: false,
      aliases: [],
      onDelete: "suspend",
      allowRecreate: false,
      offboard: { forwardTo: ["alice@acme.com"], keepUntil: "2027-03-31" },
      shared: false,
    },
  ],
  aliases: [
    {
      key: "info",
      localPart: "info",
      address: "info@acme.com",
      destinations: ["alice@acme.com"],
      source: "shared",
    },
  ],
  groups: [
    {
      key: "all-staff",
      localPart: "all-staff",
      address: "all-staff@acme.com",
      name: "All staff",
      members: ["alice@acme.com", "old.hand@acme.com"],
      source: "group",
    },
  ],
  notices: [],
};

const PASSWORD = "pw-Alice-7f3e-Secret";

async function settle(resources: pulumi.Resource[]): Promise<string[]> {
  return Promise.all(resources.map((r) => new Promise<string>((res) => r.urn.apply(res))));
}

function unwrap(v: unknown): unknown {
  return typeof v === "object" && v !== null && SECRET_SIG in v
    ? (v as unknown as { value: unknown }).value
    : v;
}

describe("providers.migadu createAccounts", () => {
  it("creates the children with stable names, types, parent and flat inputs", async () => {
    const parent = new Parent("acme");
    const binding = providers.migadu({ apiUrl: "http://127.0.0.1:9/v1" });
    const children = binding.createAccounts(plan, {
      name: "acme",
      parent,
      passwords: { alice: pulumi.secret(PASSWORD) },
    });
    const urns = await settle([
      ...Object.values(children.mailboxes),
      ...Object.values(children.aliases),
      ...Object.values(children.groups),
    ]);
    expect(urns).toEqual([
      "urn:pulumi:test::mailplane::test:index:Parent$mailplane:index:Mailbox::acme-mailbox-alice",
      "urn:pulumi:test::mailplane::test:index:Parent$mailplane:index:Mailbox::acme-mailbox-leaver",
      "urn:pulumi:test::mailplane::test:index:Parent$mailplane:index:Alias::acme-alias-info",
      "urn:pulumi:test::mailplane::test:index:Parent$mailplane:index:MailGroup::acme-group-all-staff",
    ]);
    const mine = captured.filter((c) => c.type.startsWith("mailplane:index:"));
    const inputs = mine.map(({ type, name, custom, inputs: props, additionalSecretOutputs }) => ({
      type,
      name,
      custom,
      additionalSecretOutputs,
      props: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, unwrap(v)])),
    }));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(inputs.sort(byName)).toEqual(
      [
        {
          type: "mailplane:index:Mailbox",
          custom: true,
          name: "acme-mailbox-alice",
          additionalSecretOutputs: ["passwordHash"],
          props: {
            mailProvider: "migadu",
            apiUrl: "http://127.0.0.1:9/v1",
            domain: "acme.com",
            localPart: "alice",
            name: "Alice Liddell",
            department: "Sales",
            quotaMb: 10240,
            suspended: false,
            changePasswordAtNextLogin: true,
            require2fa: false,
            aliases: ["liddell"],
            forwardTo: [],
            recoveryEmail: "alice@home.example",
            onDelete: "suspend",
            allowRecreate: true,
            shared: false,
            password: PASSWORD,
          },
        },
        {
          type: "mailplane:index:Mailbox",
          custom: true,
          name: "acme-mailbox-leaver",
          additionalSecretOutputs: ["passwordHash"],
          props: {
            mailProvider: "migadu",
            apiUrl: "http://127.0.0.1:9/v1",
            domain: "acme.com",
            localPart: "old.hand",
            name: "Old Hand",
            suspended: true,
            changePasswordAtNextLogin: false,
            require2fa: false,
            aliases: [],
            forwardTo: ["alice@acme.com"],
            keepUntil: "2027-03-31",
            onDelete: "suspend",
            allowRecreate: false,
            shared: false,
          },
        },
        {
          type: "mailplane:index:Alias",
          custom: true,
          name: "acme-alias-info",
          additionalSecretOutputs: [],
          props: {
            mailProvider: "migadu",
            apiUrl: "http://127.0.0.1:9/v1",
            domain: "acme.com",
            localPart: "info",
            destinations: ["alice@acme.com"],
          },
        },
        {
          type: "mailplane:index:MailGroup",
          custom: true,
          name: "acme-group-all-staff",
          additionalSecretOutputs: [],
          props: {
            mailProvider: "migadu",
            apiUrl: "http://127.0.0.1:9/v1",
            domain: "acme.com",
            localPart: "all-staff",
            name: "All staff",
            members: ["alice@acme.com", "old.hand@acme.com"],
          },
        },
      ].sort(byName),
    );
  });

  it("keeps the password a secret input, even when given as plain text, and nowhere else in the request", async () => {
    const mb = new Mailbox("plain-password", {
      mailProvider: "migadu",
      domain: "acme.com",
      localPart: "carol",
      name: "Carol",
      password: PASSWORD,
    });
    await settle([mb]);
    const reg = captured.find((c) => c.name === "plain-password")!;
    expect(reg.inputs.password).toEqual({
      [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270",
      value: PASSWORD,
    });
    expect(reg.additionalSecretOutputs).toEqual(["passwordHash"]);
    // The plugin's resources carry no serialized provider code: nothing but the secret input
    // holds the password.
    expect(Object.keys(reg.inputs)).not.toContain("__provider");
    const { password: _pw, ...rest } = reg.inputs;
    expect(JSON.stringify({ ...reg, inputs: rest })).not.toContain(PASSWORD);
  });

  it("registers the plugin's custom resources with no __provider input, each aliased to its old dynamic type", async () => {
    const byType = new Map<string, RegisterRequest>();
    for (const c of captured) if (c.type.startsWith("mailplane:index:")) byType.set(c.type, c);
    expect([...byType.keys()].sort()).toEqual([
      "mailplane:index:Alias",
      "mailplane:index:MailGroup",
      "mailplane:index:Mailbox",
    ]);
    expect(
      [...byType.values()]
        .map((c) => [c.type, c.custom, c.aliases, c.aliasTypes, "__provider" in c.inputs])
        .sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)),
    ).toEqual([
      ["mailplane:index:Alias", true, [""], ["pulumi-nodejs:dynamic/mailplane:Alias"], false],
      [
        "mailplane:index:MailGroup",
        true,
        [""],
        ["pulumi-nodejs:dynamic/mailplane:MailGroup"],
        false,
      ],
      ["mailplane:index:Mailbox", true, [""], ["pulumi-nodejs:dynamic/mailplane:Mailbox"], false],
    ]);
    expect(captured.filter((c) => "__provider" in c.inputs).map((c) => c.name)).toEqual([]);
  });

  it("keeps the caller's aliases and secret outputs next to its own", async () => {
    const mb = new Mailbox(
      "with-opts",
      { mailProvider: "migadu", domain: "acme.com", localPart: "dave", name: "Dave" },
      { aliases: [{ name: "old-dave" }], additionalSecretOutputs: ["address"] },
    );
    await settle([mb]);
    const reg = captured.find((c) => c.name === "with-opts")!;
    expect([reg.aliases, reg.aliasTypes, reg.additionalSecretOutputs]).toEqual([
      ["old-dave", ""],
      ["", "pulumi-nodejs:dynamic/mailplane:Mailbox"],
      ["address", "passwordHash"],
    ]);
  });
});

describe("providers.migadu dnsFacts", () => {
  it("has Migadu's MX, SPF include, DKIM CNAMEs and client discovery; verification when given", async () => {
    const binding = providers.migadu({ verificationCode: "abc123" });
    expect(binding.kind).toBe("migadu");
    expect(binding.capabilities.renameInPlace).toBe(false);
    const facts = await new Promise((res) =>
      pulumi
        .output(
          binding.dnsFacts("acme.com", { name: "acme", parent: new Parent("f"), passwords: {} }),
        )
        .apply(res),
    );
    // The binding hands over core's Migadu preset unchanged (core's presets test pins its values).
    expect(facts).toEqual(migaduDnsFacts({ domain: "acme.com", verificationCode: "abc123" }));
    expect((facts as DnsFacts).verification).toEqual(["hosted-email-verify=abc123"]);
  });
});

describe("createAccountResources catch-all and domain aliases", () => {
  it("refuses a catch-all or domain aliases the given capabilities lack, creating nothing", () => {
    const parent = new Parent("caps");
    const start = captured.length;
    const scope = { name: "caps", parent, passwords: {} };
    const conn = { mailProvider: "migadu", capabilities: migaduCapabilities };
    expect(() =>
      createAccountResources({ ...plan, catchAll: ["alice@acme.com"] }, scope, conn),
    ).toThrow('catchAll: provider "migadu" has no catch-all; declare each address instead');
    expect(() =>
      createAccountResources({ ...plan, domainAliases: ["acme.co", "acme.io"] }, scope, conn),
    ).toThrow(
      'domainAliases: provider "migadu" has no domain aliases; declare a separate MailDomain for each alias domain (acme.co, acme.io)',
    );
    expect(captured.slice(start).filter((c) => c.name.startsWith("caps-"))).toEqual([]);
  });
});

describe("createAccountResources ordering", () => {
  it("makes a mailbox wait for the aliases and groups that deliver only to it (moves between kinds)", async () => {
    const parent = new Parent("order");
    const children = providers
      .migadu()
      .createAccounts(plan, { name: "order", parent, passwords: {} });
    await settle([...Object.values(children.mailboxes), ...Object.values(children.aliases)]);
    const deps = (name: string) =>
      captured.filter((r) => r.name === name).map((r) => [...r.dependencies].sort());
    // info@ delivers only to alice: it may have been her alias, so she waits for it. all-staff
    // has two members and cannot have been anyone's alias; nothing delivers only to the leaver.
    expect(deps("order-mailbox-alice")).toEqual([["order-alias-info"]]);
    expect(deps("order-mailbox-leaver")).toEqual([[]]);
    expect(deps("order-alias-info")).toEqual([[]]);
  });
});

describe("createAccountResources ordering without mailbox aliases (Microsoft 365)", () => {
  it("makes each group wait for its member mailboxes (Graph adds only existing users)", async () => {
    const parent = new Parent("m365");
    const mailboxes = plan.mailboxes.map((m) => ({ ...m, aliases: [] }));
    const solo = {
      key: "solo",
      localPart: "solo",
      address: "solo@acme.com",
      name: "Solo",
      members: ["alice@acme.com"],
      source: "group" as const,
    };
    const children = createAccountResources(
      { ...plan, mailboxes, aliases: [], groups: [...plan.groups, solo] },
      { name: "m365", parent, passwords: {} },
      { mailProvider: "microsoft365", capabilities: microsoft365Capabilities },
    );
    await settle([...Object.values(children.mailboxes), ...Object.values(children.groups)]);
    const deps = (name: string) =>
      captured.filter((r) => r.name === name).map((r) => [...r.dependencies].sort());
    // No mailbox can have held a group's address as its alias: the mailboxes wait for nothing,
    // and each group waits for the mailboxes it adds as members.
    expect(deps("m365-mailbox-alice")).toEqual([[]]);
    expect(deps("m365-mailbox-leaver")).toEqual([[]]);
    expect(deps("m365-group-all-staff")).toEqual([["m365-mailbox-alice", "m365-mailbox-leaver"]]);
    expect(deps("m365-group-solo")).toEqual([["m365-mailbox-alice"]]);
  });
});

describe("createAccountResources ordering where a user alias is not a forwarding address (Google Workspace)", () => {
  it("makes each group wait for its member mailboxes, and no mailbox wait for a group", async () => {
    const parent = new Parent("gws");
    const solo = {
      key: "solo",
      localPart: "solo",
      address: "solo@acme.com",
      name: "Solo",
      members: ["alice@acme.com"],
      source: "group" as const,
    };
    const children = createAccountResources(
      { ...plan, aliases: [], groups: [...plan.groups, solo] },
      { name: "gws", parent, passwords: {} },
      {
        mailProvider: "googleWorkspace",
        capabilities: {
          ...microsoft365Capabilities,
          aliasesPerMailbox: 30,
          standaloneAliases: false,
        },
      },
    );
    await settle([...Object.values(children.mailboxes), ...Object.values(children.groups)]);
    const deps = (name: string) =>
      captured.filter((r) => r.name === name).map((r) => [...r.dependencies].sort());
    expect(deps("gws-mailbox-alice")).toEqual([[]]);
    expect(deps("gws-group-solo")).toEqual([["gws-mailbox-alice"]]);
    expect(deps("gws-group-all-staff")).toEqual([["gws-mailbox-alice", "gws-mailbox-leaver"]]);
  });
});
