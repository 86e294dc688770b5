/**
 * The runtime dispatching a Mailbox and a MailGroup of `providers.googleWorkspace(...)` to the
 * adapter, against the Directory emulator, with the service account key read from
 * GOOGLE_SERVICE_ACCOUNT_KEY at call time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { googleWorkspaceEndpoint } from "@mailplane/providers";
import { GoogleDirectoryEmulator } from "../../../test/emulators/google-directory";
import {
  SERVICE_ACCOUNT,
  serviceAccountKeyPair,
} from "../../providers/test/contract/google-workspace-harness";
import * as runtime from "../src/runtime/index";

describe("the runtime on googleWorkspace", () => {
  let emu: GoogleDirectoryEmulator;
  let endpoint: string;
  beforeAll(async () => {
    const { privatePem, publicPem } = serviceAccountKeyPair();
    emu = new GoogleDirectoryEmulator({
      domains: ["acme.com"],
      serviceAccountEmail: SERVICE_ACCOUNT,
      publicKey: publicPem,
      admins: ["admin@acme.com"],
      consistencyLag: 1,
    });
    await emu.start();
    endpoint = googleWorkspaceEndpoint({
      apiUrl: emu.url,
      tokenUrl: emu.tokenUrl,
      adminEmail: "admin@acme.com",
      customerId: "my_customer",
    });
    process.env.GOOGLE_SERVICE_ACCOUNT_KEY = JSON.stringify({
      type: "service_account",
      client_email: SERVICE_ACCOUNT,
      private_key: privatePem,
    });
  });
  afterAll(async () => {
    delete process.env.GOOGLE_SERVICE_ACCOUNT_KEY;
    await emu.stop();
  });

  it("creates a user from a Mailbox's inputs and a group from a MailGroup's", async () => {
    runtime.resetConnections();
    const inputs = {
      mailProvider: "googleWorkspace",
      apiUrl: endpoint,
      domain: "acme.com",
      localPart: "zhangsan",
      name: "张三",
      password: "Secret-Pw-123",
    };
    const { inputs: checked, failures } = await runtime.mailbox.check({}, inputs);
    expect(failures).toEqual([]);
    const { id } = await runtime.mailbox.create(checked);
    expect(id).toBe("googleWorkspace/acme.com/zhangsan");
    const u = emu.user("zhangsan@acme.com")!;
    expect(u.name).toEqual({
      givenName: "三",
      familyName: "张",
      fullName: "三 张",
      displayName: "张三",
    });
    const group = await runtime.group.check(
      {},
      {
        mailProvider: "googleWorkspace",
        apiUrl: endpoint,
        domain: "acme.com",
        localPart: "team",
        name: "Team",
        members: ["zhangsan@acme.com", "ext@example.org"],
      },
    );
    expect(group.failures).toEqual([]);
    const created = await runtime.group.create(group.inputs);
    expect(created.outs).toMatchObject({
      address: "team@acme.com",
      name: "Team",
      members: ["ext@example.org", "zhangsan@acme.com"],
    });
    expect(emu.allGroups().map((g) => [g.email, g.name, g.memberEmails])).toEqual([
      ["team@acme.com", "Team", ["ext@example.org", "zhangsan@acme.com"]],
    ]);
    expect(emu.grants.map((g) => g.sub)).toEqual(["admin@acme.com"]);
  });
});
