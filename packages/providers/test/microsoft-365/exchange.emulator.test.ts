/**
 * The Microsoft 365 adapter with `exchange: { invokeCommand: true }`, against the Graph
 * emulator's Exchange Online InvokeCommand route (test/emulators/exchange-admin.ts): the exact
 * cmdlets sent, the Exchange token, the provisioning lag after a licence, shared mailboxes with
 * their readers, forwarding, DKIM targets, paging, throttling and Exchange's errors.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SKU_E3 } from "../../../../test/emulators/microsoft-graph";
import { failure, graphSetup, person, type GraphSetup } from "./harness";

const INVOKE = "POST /adminapi/beta/:tenant/InvokeCommand";
const TOKEN = "POST /:tenant/oauth2/v2.0/token";

let s: GraphSetup | undefined;
afterEach(async () => {
  await s?.emu.stop();
  s = undefined;
});

/** The cmdlets the emulator received, with their parameters. */
const cmdlets = (setup: GraphSetup) => setup.emu.exchange.invoked.map((c) => c.cmdlet);

describe("microsoft365 with the Exchange opt-in", () => {
  it("adds secondary addresses after the licence, waiting out Exchange's provisioning", async () => {
    s = await graphSetup({}, { exchangeMailboxLag: 2 }, true);
    const state = await s.provider.createMailbox(person("ali", { aliases: ["a.alavi", "ceo"] }));
    expect(state.aliases).toEqual(["a.alavi", "ceo"]);
    expect(s.emu.user("ali@acme.test")!.proxyAddresses).toEqual([
      "SMTP:ali@acme.test",
      "smtp:a.alavi@acme.test",
      "smtp:ceo@acme.test",
    ]);
    // One Set-Mailbox, sent 3 times: twice "couldn't be found" while Exchange provisions.
    expect(s.emu.exchange.laggedAnswers).toBe(2);
    expect(s.emu.count(INVOKE)).toBe(3);
    expect(s.emu.exchange.invoked).toEqual(
      Array.from({ length: 3 }, () => ({
        cmdlet: "Set-Mailbox",
        parameters: {
          Identity: "ali@acme.test",
          EmailAddresses: {
            "@odata.type": "#Exchange.GenericHashTable",
            Add: ["smtp:a.alavi@acme.test", "smtp:ceo@acme.test"],
          },
        },
      })),
    );
    expect(s.emu.count("POST /v1.0/users")).toBe(1);
    // One Graph token and one Exchange token; the route's routing hint is the tenant's.
    expect(s.emu.count(TOKEN)).toBe(2);
    expect(s.provider.exchange!.tokens.tokenRequests).toBe(1);
    expect(new Set(s.emu.exchange.anchors)).toEqual(
      new Set([`APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${s.emu.tenantId}`]),
    );
    expect(await s.provider.getMailbox("acme.test", "ali")).toMatchObject({
      aliases: ["a.alavi", "ceo"],
      forwardTo: [],
    });
  });

  it("changes aliases as a diff, keeps keepAliases, and sets and clears forwarding", async () => {
    s = await graphSetup({}, {}, true);
    s.emu.putUser("ali@acme.test", "Ali", "6fd2c87f-b296-42f0-b197-1e91e994b900");
    s.emu.putUser("bob@acme.test", "Bob", "6fd2c87f-b296-42f0-b197-1e91e994b900");
    await s.provider.updateMailbox("acme.test", "bob", { aliases: ["b1", "b2", "legacy"] });
    s.emu.exchange.invoked.length = 0;
    const after = await s.provider.updateMailbox("acme.test", "bob", {
      aliases: ["b2", "b3"],
      keepAliases: ["legacy"],
      forwardTo: ["ali@acme.test"],
      suspended: true,
    });
    expect(after).toMatchObject({
      aliases: ["b2", "b3", "legacy"],
      forwardTo: ["ali@acme.test"],
      suspended: true,
    });
    expect(s.emu.exchange.invoked.filter((c) => c.cmdlet === "Set-Mailbox")).toEqual([
      {
        cmdlet: "Set-Mailbox",
        parameters: {
          Identity: "bob@acme.test",
          EmailAddresses: {
            "@odata.type": "#Exchange.GenericHashTable",
            Add: ["smtp:b3@acme.test"],
            Remove: ["smtp:b1@acme.test"],
          },
          ForwardingSmtpAddress: "ali@acme.test",
          DeliverToMailboxAndForward: true,
        },
      },
    ]);
    expect(s.emu.exchange.mailbox("bob@acme.test")).toMatchObject({
      ForwardingSmtpAddress: "smtp:ali@acme.test",
      DeliverToMailboxAndForward: true,
    });
    expect(await s.provider.getMailbox("acme.test", "bob")).toMatchObject({
      aliases: ["b2", "b3", "legacy"],
      forwardTo: ["ali@acme.test"],
    });
    await s.provider.updateMailbox("acme.test", "bob", { forwardTo: [] });
    expect(s.emu.exchange.mailbox("bob@acme.test")).toMatchObject({
      ForwardingSmtpAddress: null,
      DeliverToMailboxAndForward: false,
    });
    // Nothing to change: no Set-Mailbox at all.
    const before = s.emu.exchange.invoked.length;
    await s.provider.updateMailbox("acme.test", "bob", { aliases: ["b2", "b3", "legacy"] });
    expect(s.emu.exchange.invoked.slice(before).map((c) => c.cmdlet)).toEqual(["Get-Mailbox"]);
  });

  it("creates a shared mailbox with its readers, and changes them as a diff", async () => {
    s = await graphSetup({}, {}, true);
    for (const lp of ["ali", "bob", "cem"]) {
      s.emu.putUser(`${lp}@acme.test`, lp, "6fd2c87f-b296-42f0-b197-1e91e994b900");
    }
    const created = await s.provider.createMailbox({
      domain: "acme.test",
      localPart: "info",
      name: "Info desk",
      suspended: false,
      aliases: ["hello"],
      forwardTo: [],
      shared: true,
      members: ["bob@acme.test", "ali@acme.test"],
    });
    expect(created).toEqual({
      domain: "acme.test",
      localPart: "info",
      name: "Info desk",
      suspended: false,
      aliases: ["hello"],
      forwardTo: [],
    });
    expect(cmdlets(s)).toEqual([
      "Get-Mailbox",
      "New-Mailbox",
      "Set-Mailbox",
      "Add-MailboxPermission",
      "Add-MailboxPermission",
    ]);
    expect(s.emu.exchange.invoked[1]!.parameters).toEqual({
      Shared: true,
      Name: "info",
      Alias: "info",
      DisplayName: "Info desk",
      PrimarySmtpAddress: "info@acme.test",
    });
    expect(s.emu.exchange.readers("info@acme.test")).toEqual(["ali@acme.test", "bob@acme.test"]);
    // A shared mailbox has no licence and no password, and its blocked sign-in is no suspension.
    const user = s.emu.user("info@acme.test")!;
    expect([user.accountEnabled, user.assignedLicenses]).toEqual([false, []]);
    expect(await s.provider.getMailbox("acme.test", "info")).toMatchObject({
      name: "Info desk",
      suspended: false,
      aliases: ["hello"],
    });
    await s.provider.updateMailbox("acme.test", "info", {
      members: ["cem@acme.test", "bob@acme.test"],
      suspended: false,
    } as never);
    expect(s.emu.exchange.readers("info@acme.test")).toEqual(["bob@acme.test", "cem@acme.test"]);
    expect(s.emu.user("info@acme.test")!.accountEnabled).toBe(false);
    // Adopted when it exists: no second New-Mailbox.
    s.emu.exchange.invoked.length = 0;
    await s.provider.createMailbox({
      domain: "acme.test",
      localPart: "info",
      name: "Info desk",
      suspended: false,
      aliases: ["hello"],
      forwardTo: [],
      shared: true,
      members: ["bob@acme.test", "cem@acme.test"],
    });
    expect(cmdlets(s)).toEqual(["Get-Mailbox", "Get-MailboxPermission"]);
  });

  it("answers Conflict for an address another recipient holds, naming Exchange's reason", async () => {
    s = await graphSetup({}, {}, true);
    s.emu.putUser("ali@acme.test", "Ali", "6fd2c87f-b296-42f0-b197-1e91e994b900");
    s.emu.putUser("bob@acme.test", "Bob", "6fd2c87f-b296-42f0-b197-1e91e994b900");
    await s.provider.updateMailbox("acme.test", "ali", { aliases: ["sales"] });
    const e = await failure(s.provider.updateMailbox("acme.test", "bob", { aliases: ["sales"] }));
    expect([(e as { kind?: string }).kind, e.message]).toEqual([
      "Conflict",
      'microsoft365 updateMailbox: Set-Mailbox bob@acme.test: an address is taken by another recipient of the tenant (ADObjectAlreadyExistsException: The proxy address "SMTP:sales@acme.test" is already being used by the proxy addresses or LegacyExchangeDN. Please choose another proxy address.)',
    ]);
    expect(s.emu.user("bob@acme.test")!.proxyAddresses).toEqual(["SMTP:bob@acme.test"]);
  });

  it("reads every mailbox in pages of @odata.nextLink, and retries a throttled cmdlet", async () => {
    s = await graphSetup({}, {}, true);
    s.emu.exchange.maxPageSize = 2;
    for (let i = 0; i < 5; i++) {
      s.emu.putUser(`p${i}@acme.test`, `P ${i}`, "6fd2c87f-b296-42f0-b197-1e91e994b900");
    }
    s.emu.inject({
      kind: "status",
      status: 429,
      route: "/adminapi/beta/:tenant/InvokeCommand",
      headers: { "Retry-After": "1" },
      body: { error: { code: "TooManyRequests", message: "Too many requests." } },
    });
    const started = Date.now();
    const list = await s.provider.listMailboxes("acme.test");
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(list.map((m) => m.localPart)).toEqual(["p0", "p1", "p2", "p3", "p4"]);
    // One 429 (before the cmdlet ran), then the 3 pages of one Get-Mailbox.
    expect(s.emu.log.filter((r) => r.route === INVOKE).map((r) => r.status)).toEqual([
      429, 200, 200, 200,
    ]);
    expect(s.emu.exchange.invoked).toEqual([
      { cmdlet: "Get-Mailbox", parameters: { ResultSize: "Unlimited" } },
    ]);
  });

  it("gets a new Exchange token once when the route rejects a revoked one", async () => {
    s = await graphSetup({}, {}, true);
    await s.provider.dkimTargets("acme.test");
    s.emu.tokens.clear(); // revoked: every token issued so far is unknown now
    await s.provider.dkimTargets("acme.test");
    expect(s.emu.log.filter((r) => r.route === INVOKE).map((r) => r.status)).toEqual([
      200, 401, 200,
    ]);
    expect(s.provider.exchange!.tokens.tokenRequests).toBe(2);
  });

  it("makes a group on a domain other than the default one a distribution list, written by Exchange", async () => {
    s = await graphSetup({}, { domains: ["acme.onmicrosoft.test", "acme.test"] }, true);
    for (const lp of ["ali", "bob", "cem"]) s.emu.putUser(`${lp}@acme.test`, lp, SKU_E3);
    const created = await s.provider.createGroup({
      domain: "acme.test",
      localPart: "sales",
      name: "Sales",
      members: ["bob@acme.test", "ali@acme.test"],
    });
    expect(created).toEqual({
      domain: "acme.test",
      localPart: "sales",
      name: "Sales",
      members: ["ali@acme.test", "bob@acme.test"],
    });
    expect(s.emu.exchange.invoked).toEqual([
      {
        cmdlet: "New-DistributionGroup",
        parameters: {
          Name: "sales",
          Alias: "sales",
          DisplayName: "Sales",
          PrimarySmtpAddress: "sales@acme.test",
          Type: "Distribution",
          Members: ["ali@acme.test", "bob@acme.test"],
        },
      },
    ]);
    // Graph lists it (mail-enabled, no groupTypes) and reads its members; no Unified group made.
    expect(s.emu.count("POST /v1.0/groups")).toBe(0);
    expect(s.emu.groupDeliveries()).toEqual({
      "sales@acme.test": ["ali@acme.test", "bob@acme.test"],
    });
    expect(await s.provider.getGroup("acme.test", "sales")).toEqual(created);
    s.emu.exchange.invoked.length = 0;
    await s.provider.updateGroup("acme.test", "sales", {
      name: "Sales team",
      members: ["bob@acme.test", "cem@acme.test"],
    });
    expect(
      s.emu.exchange.invoked.map((c) => [
        c.cmdlet,
        c.parameters.Member ?? c.parameters.DisplayName,
      ]),
    ).toEqual([
      ["Set-DistributionGroup", "Sales team"],
      ["Add-DistributionGroupMember", "cem@acme.test"],
      ["Remove-DistributionGroupMember", "ali@acme.test"],
    ]);
    expect(await s.provider.listGroups("acme.test")).toEqual([
      {
        domain: "acme.test",
        localPart: "sales",
        name: "Sales team",
        members: ["bob@acme.test", "cem@acme.test"],
      },
    ]);
    await s.provider.deleteGroup("acme.test", "sales");
    expect(s.emu.groupDeliveries()).toEqual({});
    // The default domain's groups stay Microsoft 365 groups (one GET /domains per adapter).
    expect(s.emu.count("GET /v1.0/domains")).toBe(1);
  });

  it("reads the DKIM targets from Get-DkimSigningConfig", async () => {
    s = await graphSetup({}, {}, true);
    expect(await s.provider.dkimTargets("acme.test")).toEqual({
      selector1: "selector1-acme-test._domainkey.acme.onmicrosoft.com",
      selector2: "selector2-acme-test._domainkey.acme.onmicrosoft.com",
    });
    expect(s.emu.exchange.invoked).toEqual([
      { cmdlet: "Get-DkimSigningConfig", parameters: { Identity: "acme.test" } },
    ]);
  });

  it("refuses forwarding to two addresses before any request", async () => {
    s = await graphSetup({}, {}, true);
    const e = await failure(
      s.provider.createMailbox(person("ali", { forwardTo: ["a@acme.test", "b@acme.test"] })),
    );
    expect(e.message).toBe(
      'microsoft365 createMailbox: ali@acme.test: forwardTo ["a@acme.test","b@acme.test"]: Exchange forwards a mailbox to one address (ForwardingSmtpAddress); allowed: at most 1, got 2',
    );
    expect(s.emu.log.length).toBe(0);
  });

  it("reports a missing mailbox with Exchange's own message once the wait is over", async () => {
    s = await graphSetup({ replicationWaitMs: 300 }, {}, true);
    s.emu.putUser("ali@acme.test", "Ali", "6fd2c87f-b296-42f0-b197-1e91e994b900");
    s.emu.exchange.mailboxLag = 1000;
    s.emu.exchange.provisioned(s.emu.user("ali@acme.test")!.id);
    const e = await failure(s.provider.updateMailbox("acme.test", "ali", { aliases: ["x"] }));
    expect(e.message).toBe(
      "microsoft365 updateMailbox failed: ProviderError (HTTP 400): ManagementObjectNotFoundException: The operation couldn't be performed because object 'ali@acme.test' couldn't be found on 'AM0PR01A001DC01.EURPR01A001.prod.outlook.com'.",
    );
    expect(s.emu.user("ali@acme.test")!.proxyAddresses).toEqual(["SMTP:ali@acme.test"]);
  });
});
