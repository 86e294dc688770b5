import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GraphEmulator, SKU_E3 } from "./microsoft-graph";

/*
 * The Exchange Online InvokeCommand emulator against what its public callers show (CIPP's
 * New-ExoRequest, michev.info; see exchange-admin.ts), over plain fetch: the emulator is what is
 * under test here, not an adapter.
 */

let emu: GraphEmulator;
let url: string;
let exo: string;

interface Res {
  status: number;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function token(scope: string): Promise<string> {
  const res = await fetch(`${url}/${emu.tenantId}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      client_id: emu.clientId,
      client_secret: emu.clientSecret,
      scope,
      grant_type: "client_credentials",
    }).toString(),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function invoke(
  cmdlet: string,
  parameters: Record<string, unknown> = {},
  options: { auth?: string; at?: string; pageSize?: number } = {},
): Promise<Res> {
  const res = await fetch(options.at ?? `${url}/adminapi/beta/${emu.tenantId}/InvokeCommand`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${options.auth ?? exo}`,
      "content-type": "application/json",
      "x-anchormailbox": `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${emu.tenantId}`,
      ...(options.pageSize === undefined
        ? {}
        : { prefer: `odata.maxpagesize=${options.pageSize}` }),
    },
    body: JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } }),
  });
  const text = await res.text();
  return { status: res.status, data: text ? JSON.parse(text) : undefined };
}

beforeEach(async () => {
  emu = new GraphEmulator();
  url = await emu.start();
  exo = await token("https://outlook.office365.com/.default");
  emu.putUser("ali@contoso.test", "Ali", SKU_E3);
  emu.putUser("bob@contoso.test", "Bob", SKU_E3);
  emu.putUser("nolicence@contoso.test", "No licence");
});
afterEach(() => emu.stop());

describe("InvokeCommand route", () => {
  it("takes only tokens for https://outlook.office365.com, and Graph only its own", async () => {
    const graph = await token("https://graph.microsoft.com/.default");
    expect((await invoke("Get-Mailbox", {}, { auth: graph })).status).toBe(401);
    const r = await fetch(`${url}/v1.0/users`, { headers: { authorization: `Bearer ${exo}` } });
    expect(r.status).toBe(401);
    expect((await invoke("Get-Mailbox")).status).toBe(200);
  });

  it("lists the mailboxes of licensed users as {value}, paged by @odata.nextLink", async () => {
    emu.putUser("cem@contoso.test", "Cem", SKU_E3);
    const first = await invoke("Get-Mailbox", { ResultSize: "Unlimited" }, { pageSize: 2 });
    expect(first.status).toBe(200);
    expect(
      first.data.value.map((m: { PrimarySmtpAddress: string }) => m.PrimarySmtpAddress),
    ).toEqual(["ali@contoso.test", "bob@contoso.test"]);
    expect(first.data["@odata.nextLink"]).toBe(
      `${url}/adminapi/beta/${emu.tenantId}/InvokeCommand?$skiptoken=2`,
    );
    const second = await invoke(
      "Get-Mailbox",
      { ResultSize: "Unlimited" },
      {
        pageSize: 2,
        at: first.data["@odata.nextLink"],
      },
    );
    expect(second.data.value).toHaveLength(1);
    expect(second.data.value[0]).toMatchObject({
      PrimarySmtpAddress: "cem@contoso.test",
      EmailAddresses: ["SMTP:cem@contoso.test"],
      RecipientTypeDetails: "UserMailbox",
      ForwardingSmtpAddress: null,
    });
    expect(second.data["@odata.nextLink"]).toBeUndefined();
    // The unlicensed user has no mailbox.
    const missing = await invoke("Get-Mailbox", { Identity: "nolicence@contoso.test" });
    expect(missing.status).toBe(400);
    expect(missing.data.error.details[0].message).toMatch(
      /^Ex[0-9a-f]{6}\|Microsoft\.Exchange\.Configuration\.Tasks\.ManagementObjectNotFoundException\|The operation couldn't be performed because object 'nolicence@contoso\.test' couldn't be found on '[^']+'\.$/,
    );
    expect(missing.data.error.innererror.internalexception.type).toBe(
      "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
    );
  });

  it("adds and removes secondary addresses through a GenericHashTable; Graph shows them", async () => {
    const add = await invoke("Set-Mailbox", {
      Identity: "ali@contoso.test",
      EmailAddresses: {
        "@odata.type": "#Exchange.GenericHashTable",
        Add: ["smtp:a1@contoso.test", "smtp:a2@contoso.test"],
      },
    });
    expect(add.status).toBe(200);
    expect(add.data.value).toEqual([]);
    expect(emu.user("ali@contoso.test")!.proxyAddresses).toEqual([
      "SMTP:ali@contoso.test",
      "smtp:a1@contoso.test",
      "smtp:a2@contoso.test",
    ]);
    await invoke("Set-Mailbox", {
      Identity: "ali@contoso.test",
      EmailAddresses: {
        "@odata.type": "#Exchange.GenericHashTable",
        remove: "smtp:a1@contoso.test",
      },
    });
    expect(emu.user("ali@contoso.test")!.proxyAddresses).toEqual([
      "SMTP:ali@contoso.test",
      "smtp:a2@contoso.test",
    ]);
    // The primary cannot be removed; an address elsewhere, or in a domain not accepted, is refused.
    const primary = await invoke("Set-Mailbox", {
      Identity: "ali@contoso.test",
      EmailAddresses: { Remove: ["smtp:ali@contoso.test"] },
    });
    expect([primary.status, primary.data.error.innererror.internalexception.message]).toEqual([
      400,
      "The primary SMTP address can't be removed: SMTP:ali@contoso.test.",
    ]);
    const taken = await invoke("Set-Mailbox", {
      Identity: "bob@contoso.test",
      EmailAddresses: { Add: ["smtp:a2@contoso.test"] },
    });
    expect(taken.data.error.innererror.internalexception.message).toBe(
      'The proxy address "SMTP:a2@contoso.test" is already being used by the proxy addresses or LegacyExchangeDN. Please choose another proxy address.',
    );
    const foreign = await invoke("Set-Mailbox", {
      Identity: "bob@contoso.test",
      EmailAddresses: { Add: ["smtp:b@elsewhere.test"] },
    });
    expect(foreign.data.error.innererror.internalexception.message).toBe(
      "The domain 'elsewhere.test' isn't an accepted domain for your organization.",
    );
    // Nothing changed: a warning, not an error.
    const same = await invoke("Set-Mailbox", {
      Identity: "ali@contoso.test",
      EmailAddresses: { Add: ["smtp:a2@contoso.test"] },
    });
    expect(same.data["@adminapi.warnings"]).toEqual([
      "The command completed successfully but no settings of 'ali' have been modified.",
    ]);
  });

  it("sets forwarding, creates shared mailboxes with FullAccess readers, and reports DKIM", async () => {
    await invoke("Set-Mailbox", {
      Identity: "bob@contoso.test",
      ForwardingSmtpAddress: "ali@contoso.test",
      DeliverToMailboxAndForward: true,
    });
    expect(emu.exchange.mailbox("bob@contoso.test")).toMatchObject({
      ForwardingSmtpAddress: "smtp:ali@contoso.test",
      DeliverToMailboxAndForward: true,
    });
    const shared = await invoke("New-Mailbox", {
      Shared: true,
      Name: "info",
      DisplayName: "Info",
      PrimarySmtpAddress: "info@contoso.test",
    });
    expect(shared.data.value[0]).toMatchObject({
      PrimarySmtpAddress: "info@contoso.test",
      RecipientTypeDetails: "SharedMailbox",
    });
    // Exchange made a user object: sign-in blocked, no licence, with a mailbox.
    expect(emu.user("info@contoso.test")).toMatchObject({
      accountEnabled: false,
      assignedLicenses: [],
      mail: "info@contoso.test",
    });
    const again = await invoke("New-Mailbox", { Shared: true, Name: "info" });
    expect(again.data.error.innererror.internalexception.message).toBe(
      'The name "info" is being used by another recipient object. Please specify a unique name.',
    );
    await invoke("Add-MailboxPermission", {
      Identity: "info@contoso.test",
      User: "ali@contoso.test",
      AccessRights: ["FullAccess"],
      InheritanceType: "All",
    });
    const perms = await invoke("Get-MailboxPermission", { Identity: "info@contoso.test" });
    expect(
      perms.data.value.map((p: { User: string; AccessRights: string[] }) => [
        p.User,
        p.AccessRights,
      ]),
    ).toEqual([
      ["NT AUTHORITY\\SELF", ["FullAccess", "ReadPermission"]],
      ["ali@contoso.test", ["FullAccess"]],
    ]);
    await invoke("Remove-MailboxPermission", {
      Identity: "info@contoso.test",
      User: "ali@contoso.test",
      AccessRights: ["FullAccess"],
    });
    expect(emu.exchange.readers("info@contoso.test")).toEqual([]);
    const dkim = await invoke("Get-DkimSigningConfig", { Identity: "contoso.test" });
    expect(dkim.data.value).toEqual([
      {
        Identity: "contoso.test",
        Domain: "contoso.test",
        Enabled: false,
        Status: "CnameMissing",
        Selector1CNAME: "selector1-contoso-test._domainkey.contoso.onmicrosoft.com",
        Selector2CNAME: "selector2-contoso-test._domainkey.contoso.onmicrosoft.com",
        Selector1KeySize: 2048,
        Selector2KeySize: 2048,
      },
    ]);
  });

  it("keeps distribution groups with members; refuses duplicates and unknown cmdlets", async () => {
    const g = await invoke("New-DistributionGroup", {
      Name: "Sales",
      Alias: "sales",
      PrimarySmtpAddress: "sales@contoso.test",
      Members: ["ali@contoso.test"],
    });
    expect(g.data.value[0]).toMatchObject({
      PrimarySmtpAddress: "sales@contoso.test",
      RecipientTypeDetails: "MailUniversalDistributionGroup",
    });
    await invoke("Add-DistributionGroupMember", { Identity: "sales", Member: "bob@contoso.test" });
    const dup = await invoke("Add-DistributionGroupMember", {
      Identity: "sales",
      Member: "bob@contoso.test",
    });
    expect(dup.data.error.innererror.internalexception.message).toBe(
      'The recipient "bob@contoso.test" is already a member of the group "Sales".',
    );
    // Graph lists the list but refuses to write its members: Exchange owns them.
    const graph = await token("https://graph.microsoft.com/.default");
    const viaGraph = await fetch(`${url}/v1.0/groups/${g.data.value[0].Guid}/members/$ref`, {
      method: "POST",
      headers: { authorization: `Bearer ${graph}`, "content-type": "application/json" },
      body: JSON.stringify({ "@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/x" }),
    });
    const refusal = (await viaGraph.json()) as { error: { message: string } };
    expect([viaGraph.status, refusal.error.message]).toEqual([
      400,
      "Cannot Update a mail-enabled security groups and or distribution list.",
    ]);
    await invoke("Remove-DistributionGroupMember", {
      Identity: "sales",
      Member: "ali@contoso.test",
    });
    const members = await invoke("Get-DistributionGroupMember", { Identity: "sales@contoso.test" });
    expect(
      members.data.value.map((m: { PrimarySmtpAddress: string }) => m.PrimarySmtpAddress),
    ).toEqual(["bob@contoso.test"]);
    const unknown = await invoke("Remove-Everything");
    expect([unknown.status, unknown.data.error.innererror.internalexception.message]).toEqual([
      400,
      "The term 'Remove-Everything' is not recognized as a name of a cmdlet.",
    ]);
  });

  it("misses a freshly provisioned mailbox for the configured number of cmdlets", async () => {
    emu.exchange.mailboxLag = 2;
    emu.putUser("new@contoso.test", "New", SKU_E3);
    const answers = [];
    for (let i = 0; i < 3; i++)
      answers.push((await invoke("Get-Mailbox", { Identity: "new@contoso.test" })).status);
    expect(answers).toEqual([400, 400, 200]);
    expect(emu.exchange.laggedAnswers).toBe(2);
  });
});
