import * as pulumi from "@pulumi/pulumi";
import { migaduDnsFacts, type AccountPlan, type DnsFacts } from "@mailplane/core";
import { beforeAll, describe, expect, it } from "vitest";
import { microsoft365Capabilities, migaduCapabilities } from "@mailplane/providers";
import { Mailbox, createAccountResources, providers } from "../src/index";
import * as runtime from "../src/runtime/index";
import { captureRegisterRequests, type RegisterRequest } from "./dns-mocks";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
let captured: RegisterRequest[] = [];

beforeAll(async () => {
  // Record the raw register requests: they show secrets as secrets and the serialized provider.
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
      "urn:pulumi:test::mailplane::test:index:Parent$pulumi-nodejs:dynamic/mailplane:Mailbox::acme-mailbox-alice",
      "urn:pulumi:test::mailplane::test:index:Parent$pulumi-nodejs:dynamic/mailplane:Mailbox::acme-mailbox-leaver",
      "urn:pulumi:test::mailplane::test:index:Parent$pulumi-nodejs:dynamic/mailplane:Alias::acme-alias-info",
      "urn:pulumi:test::mailplane::test:index:Parent$pulumi-nodejs:dynamic/mailplane:MailGroup::acme-group-all-staff",
    ]);
    const mine = captured.filter((c) => c.type.startsWith("pulumi-nodejs:dynamic/mailplane:"));
    const inputs = mine.map(({ type, name, inputs: props, additionalSecretOutputs }) => ({
      type,
      name,
      additionalSecretOutputs,
      props: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, unwrap(v)])),
    }));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(inputs.sort(byName)).toEqual(
      [
        {
          type: "pulumi-nodejs:dynamic/mailplane:Mailbox",
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
          type: "pulumi-nodejs:dynamic/mailplane:Mailbox",
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
          type: "pulumi-nodejs:dynamic/mailplane:Alias",
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
          type: "pulumi-nodejs:dynamic/mailplane:MailGroup",
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

  it("keeps the password a secret input, even when given as plain text, and out of the provider code", async () => {
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
    const serialized = JSON.stringify(reg.provider);
    expect(serialized).not.toContain(PASSWORD);
    for (const c of captured) expect(String(unwrap(c.provider))).not.toContain(PASSWORD);
  });

  it("serializes a thin shim of about 2 KB per resource that requires the runtime at call time", async () => {
    const texts = new Map<string, string>();
    for (const c of captured) {
      if (c.type.startsWith("pulumi-nodejs:dynamic/"))
        texts.set(c.type, String(unwrap(c.provider)));
    }
    expect([...texts.keys()].sort()).toEqual([
      "pulumi-nodejs:dynamic/mailplane:Alias",
      "pulumi-nodejs:dynamic/mailplane:MailGroup",
      "pulumi-nodejs:dynamic/mailplane:Mailbox",
    ]);
    for (const [type, text] of texts) {
      // ~2 KB: 7 one-line methods; about 1.2 KB of it is Pulumi's per-function wrapper.
      expect(Buffer.byteLength(text), type).toBeLessThan(2100);
      expect(text).toContain('require("@mailplane/pulumi/runtime")');
      expect(text).not.toMatch(/axios|MailProvider|zod|__awaiter|this\./);
      // Load the shim the way the provider process does, with the runtime behind `require`.
      const required: string[] = [];
      const mod = { exports: {} as { handler(): pulumi.dynamic.ResourceProvider } };
      new Function("exports", "require", "module", text)(
        mod.exports,
        (id: string) => {
          required.push(id);
          return runtime;
        },
        mod,
      );
      const shim = mod.exports.handler();
      expect(Object.keys(shim).sort()).toEqual([
        "check",
        "configure",
        "create",
        "delete",
        "diff",
        "read",
        "update",
      ]);
      const result = await shim.check!({}, { mailProvider: "migadu", domain: "Not A Domain" });
      expect(result.failures?.[0]?.property).toBe("domain");
      expect(required).toEqual(["@mailplane/pulumi/runtime"]);
    }
    console.log(
      `serialized provider bytes: ${[...texts].map(([t, s]) => `${t.split(":").pop()} ${Buffer.byteLength(s)}`).join(", ")}`,
    );
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
