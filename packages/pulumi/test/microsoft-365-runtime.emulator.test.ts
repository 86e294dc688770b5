/**
 * The runtime dispatching a Mailbox of `providers.microsoft365(...)` to the adapter, against
 * the Graph emulator, with the client secret read from MICROSOFT365_CLIENT_SECRET at call time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { microsoft365Endpoint } from "@mailplane/providers";
import { GraphEmulator, SKU_E3 } from "../../../test/emulators/microsoft-graph";
import * as runtime from "../src/runtime/index";

const TENANT = "00000000-0000-4000-8000-00000000feed";
const CLIENT = "11111111-1111-4111-8111-111111111111";
const args = {
  tenantId: TENANT,
  clientId: CLIENT,
  domain: "acme.com",
  usageLocation: "DE",
  licences: { default: SKU_E3 },
};

describe("the runtime on microsoft365", () => {
  let emu: GraphEmulator;
  let url: string;
  beforeAll(async () => {
    emu = new GraphEmulator({
      tenantId: TENANT,
      clientId: CLIENT,
      clientSecret: "runtime~secret~0123456789",
      domains: ["acme.com"],
    });
    url = await emu.start();
  });
  afterAll(async () => {
    delete process.env.MICROSOFT365_CLIENT_SECRET;
    await emu.stop();
  });

  it("creates a licensed user from a Mailbox's inputs, reading the secret at call time", async () => {
    process.env.MICROSOFT365_CLIENT_SECRET = "runtime~secret~0123456789";
    runtime.resetConnections();
    const inputs = {
      mailProvider: "microsoft365",
      apiUrl: microsoft365Endpoint({ ...args, apiUrl: `${url}/v1.0`, authorityUrl: url }),
      domain: "acme.com",
      localPart: "ali",
      name: "Ali Alavi",
      password: "Secret-Pw-123",
    };
    const { inputs: checked, failures } = await runtime.mailbox.check({}, inputs);
    expect(failures).toEqual([]);
    const { id } = await runtime.mailbox.create(checked);
    expect(id).toBe("microsoft365/acme.com/ali");
    const u = emu.user("ali@acme.com")!;
    expect([u.displayName, u.usageLocation, u.mail]).toEqual(["Ali Alavi", "DE", "ali@acme.com"]);
    expect(u.assignedLicenses).toEqual([{ skuId: SKU_E3, disabledPlans: [] }]);
  });

  it("a shared Mailbox: refused at check without the Exchange opt-in; with it, New-Mailbox -Shared and its readers", async () => {
    process.env.MICROSOFT365_CLIENT_SECRET = "runtime~secret~0123456789";
    runtime.resetConnections();
    emu.putUser("ali@acme.com", "Ali", SKU_E3);
    emu.putUser("bob@acme.com", "Bob", SKU_E3);
    const inputs = (exchange: boolean) => ({
      mailProvider: "microsoft365",
      apiUrl: microsoft365Endpoint({
        ...args,
        apiUrl: `${url}/v1.0`,
        authorityUrl: url,
        ...(exchange ? { exchange: { invokeCommand: true, apiUrl: `${url}/adminapi/beta` } } : {}),
      }),
      domain: "acme.com",
      localPart: "info",
      name: "Info desk",
      shared: true,
      members: ["bob@acme.com", "ali@acme.com"],
      onDelete: "suspend",
    });
    const refused = await runtime.mailbox.check({}, inputs(false));
    expect(refused.failures).toEqual([
      {
        property: "shared",
        reason:
          'mailProvider "microsoft365" shared mailboxes live in Exchange Online, which Microsoft Graph cannot write; set exchange: { invokeCommand: true } on providers.microsoft365 to manage them through Exchange Online\'s admin route (undocumented by Microsoft: see the provider README), or remove them',
      },
    ]);
    const { inputs: checked, failures } = await runtime.mailbox.check({}, inputs(true));
    expect(failures).toEqual([]);
    const { id, outs } = await runtime.mailbox.create(checked);
    expect(id).toBe("microsoft365/acme.com/info");
    expect(outs).toMatchObject({ name: "Info desk", suspended: false, aliases: [] });
    expect(emu.exchange.mailbox("info@acme.com")).toMatchObject({
      RecipientTypeDetails: "SharedMailbox",
      DisplayName: "Info desk",
    });
    expect(emu.exchange.readers("info@acme.com")).toEqual(["ali@acme.com", "bob@acme.com"]);
    // Refresh in a new process reads it back unchanged.
    runtime.resetConnections();
    const read = await runtime.mailbox.read(id, { ...checked, ...outs });
    expect(read.props).toMatchObject({ name: "Info desk", suspended: false, shared: true });
  });

  it("with a certificate thumbprint and neither credential set, names both, sending nothing", async () => {
    delete process.env.MICROSOFT365_CLIENT_SECRET;
    delete process.env.MICROSOFT365_CLIENT_CERTIFICATE_KEY;
    runtime.resetConnections();
    emu.resetLog();
    const thumbprint = "ab".repeat(32);
    const inputs = {
      mailProvider: "microsoft365",
      apiUrl: microsoft365Endpoint({
        ...args,
        certificateThumbprint: thumbprint,
        apiUrl: `${url}/v1.0`,
        authorityUrl: url,
      }),
      domain: "acme.com",
      localPart: "carl",
      name: "Carl",
      password: "Secret-Pw-123",
    };
    const { inputs: checked } = await runtime.mailbox.check({}, inputs);
    await expect(runtime.mailbox.create(checked)).rejects.toThrow(
      `microsoft365 token: no credential; set MICROSOFT365_CLIENT_CERTIFICATE_KEY or mailplane:microsoft365ClientCertificateKey (the PEM private key of certificate ${thumbprint}), or MICROSOFT365_CLIENT_SECRET (values not shown)`,
    );
    expect(emu.log).toEqual([]);
  });
});
