/**
 * The runtime dispatching a Mailbox and a MailGroup of `providers.googleWorkspace(...)` to the
 * adapter, against the Directory emulator, with the service account key read from
 * GOOGLE_SERVICE_ACCOUNT_KEY at call time; and a mailbox's life through the runtime's functions
 * (what the engine calls): a field change diffed as an update, a rename in place, a refresh
 * (a new provider process: no connections, no cached lists) seeing a console change, and removal
 * suspending the user. Not the real engine yet (test/engine).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { googleWorkspaceEndpoint } from "@mailplane/providers";
import { GoogleDirectoryEmulator } from "../../../test/emulators/google-directory";
import {
  SERVICE_ACCOUNT,
  serviceAccountKeyPair,
} from "../../providers/test/contract/google-workspace-harness";
import { sharedReadCache } from "../../providers/src/http/read-cache";
import * as runtime from "../src/runtime/index";

/** Outputs as the runtime's functions take them (Pulumi hands them over as plain objects). */
const props = (outs: object): Record<string, unknown> => ({ ...outs });

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
    expect(props(created.outs)).toMatchObject({
      address: "team@acme.com",
      name: "Team",
      members: ["ext@example.org", "zhangsan@acme.com"],
    });
    expect(emu.allGroups().map((g) => [g.email, g.name, g.memberEmails])).toEqual([
      ["team@acme.com", "Team", ["ext@example.org", "zhangsan@acme.com"]],
    ]);
    expect(emu.grants.map((g) => g.sub)).toEqual(["admin@acme.com"]);
  });

  it("previews a field change as an update, renames in place, sees drift, suspends on removal", async () => {
    runtime.resetConnections();
    const base = {
      mailProvider: "googleWorkspace",
      apiUrl: endpoint,
      domain: "acme.com",
      localPart: "omar",
      name: "Omar Haddad",
      department: "Sales",
      password: "Omar-Pw-0123",
    };
    const created = await runtime.mailbox.create((await runtime.mailbox.check({}, base)).inputs);
    const id = emu.user("omar@acme.com")!.id;

    // A field change is an update, not a replacement.
    const renamedName = (await runtime.mailbox.check({}, { ...base, name: "Omar H." })).inputs;
    const diff = await runtime.mailbox.diff(created.id, props(created.outs), renamedName);
    expect([diff.changes, diff.replaces, Object.keys(diff.detailedDiff)]).toEqual([
      true,
      [],
      ["name"],
    ]);
    const updated = await runtime.mailbox.update(created.id, props(created.outs), renamedName);
    expect(emu.user("omar@acme.com")!.name.displayName).toBe("Omar H.");

    // A new local part is a rename in place: the same Google user, its mail kept.
    const moved = (
      await runtime.mailbox.check({}, { ...base, name: "Omar H.", localPart: "omar.haddad" })
    ).inputs;
    const movedDiff = await runtime.mailbox.diff(created.id, props(updated.outs), moved);
    expect(movedDiff.replaces).toEqual([]);
    const renamed = await runtime.mailbox.update(created.id, props(updated.outs), moved);
    expect(renamed.outs.address).toBe("omar.haddad@acme.com");
    expect(emu.user("omar.haddad@acme.com")!.id).toBe(id);
    expect(emu.allUsers().filter((u) => u.id === id)).toHaveLength(1);

    // A change made in the Admin console is seen by a refresh (a new provider process).
    emu.patchUser("omar.haddad@acme.com", { suspended: true });
    runtime.resetConnections();
    sharedReadCache.invalidate(""); // a new provider process
    const read = await runtime.mailbox.read(
      "googleWorkspace/acme.com/omar.haddad",
      props(renamed.outs),
    );
    expect(read.props?.suspended).toBe(true);
    emu.patchUser("omar.haddad@acme.com", { suspended: false });

    // Removal from the declaration suspends the user (onDelete defaults to "suspend").
    runtime.resetConnections();
    await runtime.mailbox.delete("googleWorkspace/acme.com/omar.haddad", props(renamed.outs));
    expect(emu.user("omar.haddad@acme.com")!.suspended).toBe(true);
  });
});
