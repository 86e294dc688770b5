/**
 * The runtime dispatching MailGroup and Mailbox resources of `providers.tencentExmail(...)` to the
 * adapter on the Exmail emulator, with the corp secret read from TENCENT_EXMAIL_CORP_SECRET at
 * call time: `allowSenders` checked against the provider's capability (refused for Google
 * Workspace, naming the field and value), written as `allow_type`, diffed only when declared; a
 * group refreshed in a new process although Exmail has no group list (`unlistedGroups`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tencentExmailEndpoint } from "@mailplane/providers";
import { TencentExmailEmulator } from "../../../test/emulators/tencent-exmail";
import * as runtime from "../src/runtime/index";

const CORP = "wwacme0123456789";
const SECRET = "Exmail-runtime-SECRET-0123456789";

describe("the runtime on tencentExmail", () => {
  let emu: TencentExmailEmulator;
  let endpoint: string;
  beforeAll(async () => {
    emu = new TencentExmailEmulator({ corpId: CORP, corpSecret: SECRET, domains: ["acme.com"] });
    const url = await emu.start();
    endpoint = tencentExmailEndpoint({ corpId: CORP, apiUrl: url });
    process.env.TENCENT_EXMAIL_CORP_SECRET = SECRET;
  });
  afterAll(async () => {
    delete process.env.TENCENT_EXMAIL_CORP_SECRET;
    await emu.stop();
  });

  const group = (extra: Record<string, unknown> = {}) => ({
    mailProvider: "tencentExmail",
    apiUrl: endpoint,
    domain: "acme.com",
    localPart: "team",
    name: "团队",
    members: ["zs@acme.com"],
    ...extra,
  });

  it("refuses allowSenders where the provider cannot enforce it, and accepts it on Exmail", async () => {
    const google = await runtime.group.check(
      {},
      group({ mailProvider: "googleWorkspace", allowSenders: "members" }),
    );
    expect(google.failures).toEqual([
      {
        property: "allowSenders",
        reason: `mailProvider "googleWorkspace" cannot restrict who may send to a group (allowSenders: "members"); remove allowSenders and set it in the provider's admin console`,
      },
    ]);
    const bad = await runtime.group.check({}, group({ allowSenders: "everyone" }));
    expect(bad.failures.map((f) => f.property)).toEqual(["allowSenders"]);
    const ok = await runtime.group.check({}, group({ allowSenders: "members" }));
    expect(ok.failures).toEqual([]);
  });

  it("refuses at preview a name, title or department Exmail cannot store, before any request", async () => {
    emu.resetLog();
    const { failures } = await runtime.mailbox.check(
      {},
      {
        mailProvider: "tencentExmail",
        apiUrl: endpoint,
        domain: "acme.com",
        localPart: "long",
        name: "张".repeat(22),
        department: "R&D: Labs",
        title: "t".repeat(65),
      },
    );
    expect(failures).toEqual([
      {
        property: "name",
        reason: `mailProvider "tencentExmail" refuses it: name "${"张".repeat(22)}" is 66 bytes in UTF-8; allowed: 1–64 bytes (21 Chinese characters)`,
      },
      {
        property: "title",
        reason: `mailProvider "tencentExmail" refuses it: title is 65 bytes in UTF-8; allowed: at most 64 bytes`,
      },
      {
        property: "department",
        reason: `mailProvider "tencentExmail" refuses it: department "R&D: Labs" is not an Exmail department name; allowed: 1–64 bytes in UTF-8 without \\ : * ? " < > |`,
      },
    ]);
    const ok = await runtime.mailbox.check(
      {},
      {
        mailProvider: "tencentExmail",
        apiUrl: endpoint,
        domain: "acme.com",
        localPart: "ok",
        name: "张".repeat(21),
        department: "销售部",
      },
    );
    expect(ok.failures).toEqual([]);
    expect(emu.count()).toBe(0);
  });

  it("creates, refreshes in a new process, updates and diffs allowSenders only when declared", async () => {
    runtime.resetConnections();
    const mailbox = await runtime.mailbox.check(
      {},
      {
        mailProvider: "tencentExmail",
        apiUrl: endpoint,
        domain: "acme.com",
        localPart: "zs",
        name: "张三",
        department: "销售部",
        password: "Secret-Pw-123",
      },
    );
    expect(mailbox.failures).toEqual([]);
    await runtime.mailbox.create(mailbox.inputs);
    const { inputs } = await runtime.group.check({}, group({ allowSenders: "members" }));
    const { id, outs } = await runtime.group.create(inputs);
    expect(id).toBe("tencentExmail/acme.com/team");
    expect(outs).toMatchObject({ members: ["zs@acme.com"], allowSenders: "members" });
    expect(emu.allGroups()).toEqual([
      {
        groupid: "team@acme.com",
        groupname: "团队",
        userlist: ["zs@acme.com"],
        grouplist: [],
        department: [],
        allow_type: 2,
        allow_userlist: [],
      },
    ]);
    // A new provider process: no connection, no list; the group is read by address.
    runtime.resetConnections();
    const read = await runtime.group.read(id, { ...outs });
    expect(read.props).toMatchObject({ name: "团队", allowSenders: "members" });
    const { inputs: next } = await runtime.group.check({}, group({ allowSenders: "organisation" }));
    const diff = await runtime.group.diff(id, { ...outs }, next);
    expect(diff.detailedDiff).toEqual({ allowSenders: { kind: "update", inputDiff: true } });
    const updated = await runtime.group.update(id, { ...outs }, next);
    expect(updated.outs.allowSenders).toBe("organisation");
    expect(emu.allGroups()[0]!.allow_type).toBe(0);
    // A group declared without allowSenders records none and previews no change.
    const { inputs: plain } = await runtime.group.check({}, group({ localPart: "info" }));
    const created = await runtime.group.create(plain);
    expect("allowSenders" in created.outs).toBe(false);
    expect((await runtime.group.diff("x", { ...created.outs }, plain)).changes).toBe(false);
    expect(emu.allGroups().find((g) => g.groupid === "info@acme.com")?.allow_type).toBe(1);
    runtime.resetConnections();
    const refreshed = await runtime.group.read("tencentExmail/acme.com/info", { ...created.outs });
    expect(refreshed.props && "allowSenders" in refreshed.props).toBe(false);
  });
});
