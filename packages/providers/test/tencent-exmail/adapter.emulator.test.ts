import { afterEach, describe, expect, it } from "vitest";
import type { TencentExmailEmulator } from "../../../../test/emulators/tencent-exmail";
import {
  createTencentExmailProvider,
  type TencentExmailProvider,
} from "../../src/mail/tencent-exmail";
import { failure, mailboxInput } from "../contract/harness-kit";
import { expectNoSecrets } from "../contract/redaction";
import { CORP_ID, CORP_SECRET, tencentExmailSetup } from "./harness";

let emu: TencentExmailEmulator;
let provider: TencentExmailProvider;
let domain: string;
afterEach(() => emu?.stop());

async function setup(): Promise<void> {
  ({ emu, provider, domain } = await tencentExmailSetup());
}

/** Another process on the same tenant: a new adapter with no cache of its own. */
function otherProcess(): TencentExmailProvider {
  return createTencentExmailProvider({
    corpId: CORP_ID,
    corpSecret: CORP_SECRET,
    apiUrl: emu.url,
    budget: { ratePerSecond: 100_000, burst: 100_000 },
    retry: { baseDelayMs: 2, maxDelayMs: 10 },
  });
}

const person = (localPart: string, extra: Record<string, unknown> = {}) =>
  mailboxInput(domain, localPart, { password: "Pw0123456789", ...extra });

describe("tencentExmail adapter on the Exmail emulator", () => {
  it("treats an HTTP 200 with a non-zero errcode as an error, with the exact message", async () => {
    await setup();
    emu.inject({
      kind: "status",
      status: 200,
      route: "/user/create",
      body: { errcode: 60102, errmsg: "userid existed" },
    });
    emu.inject({
      kind: "status",
      status: 200,
      route: "/user/get",
      body: { errcode: 40058, errmsg: "invalid parameter: userid" },
    });
    const e = await failure(provider.createMailbox(person("ali")));
    expect(e.kind).toBe("ProviderError");
    expect(e.message).toBe(
      "tencentExmail getMailbox failed: ProviderError (HTTP 200): errcode 40058: invalid parameter: userid",
    );
    const conflict = await failure(
      (async () => {
        emu.inject({
          kind: "status",
          status: 200,
          route: "/group/update",
          body: { errcode: 60102, errmsg: "userid existed" },
        });
        await provider.createGroup({ domain, localPart: "g", name: "G", members: [`a@${domain}`] });
        return provider.updateGroup(domain, "g", { name: "G2" });
      })(),
    );
    expect(conflict.kind).toBe("Conflict");
    expect(conflict.message).toBe(
      "tencentExmail updateGroup failed: Conflict (HTTP 200): errcode 60102: userid existed",
    );
    expect(emu.allGroups().map((g) => g.groupname)).toEqual(["G"]);
  });

  it("retries system busy (-1) and the frequency limit (45009) and succeeds", async () => {
    await setup();
    emu.inject({
      kind: "status",
      status: 200,
      route: "/user/get",
      body: { errcode: -1, errmsg: "system busy" },
    });
    emu.inject({
      kind: "status",
      status: 200,
      route: "/user/get",
      body: { errcode: 45009, errmsg: "api freq out of limit" },
    });
    expect(await provider.getMailbox(domain, "nobody")).toBeUndefined();
    expect(emu.count("GET /user/get")).toBe(3);
  });

  it("mints one token for many operations and again once when it expired", async () => {
    await setup();
    for (const lp of ["a", "b", "c", "d", "e"]) await provider.createMailbox(person(lp));
    await provider.listMailboxes(domain);
    expect(emu.tokensIssued).toBe(1);
    expect(provider.client.tokenRequests).toBe(1);
    emu.expireTokens();
    expect((await provider.getMailbox(domain, "a"))?.name).toBe("Person a");
    expect(emu.tokensIssued).toBe(2);
    // 42001 once, then the same call with the new token: no third token.
    expect(emu.count("GET /gettoken")).toBe(2);
    expect(emu.count("GET /user/get")).toBe(2);
  });

  it("fails with Auth when a token is refused twice, and on a wrong secret, showing neither", async () => {
    await setup();
    emu.inject({
      kind: "status",
      status: 200,
      route: "/user/get",
      times: 2,
      body: { errcode: 40014, errmsg: "invalid access_token" },
    });
    const twice = await failure(provider.getMailbox(domain, "a"));
    expect(twice.message).toBe(
      "tencentExmail getMailbox failed: Auth (HTTP 200): errcode 40014: invalid access_token",
    );
    expect(emu.tokensIssued).toBe(2);
    const wrong = createTencentExmailProvider({
      corpId: CORP_ID,
      corpSecret: "Wrong-secret-0123456789",
      apiUrl: emu.url,
      retry: { baseDelayMs: 2, maxDelayMs: 10 },
    });
    const e = await failure(wrong.getMailbox(domain, "a"));
    expect(e.message).toBe(
      "tencentExmail gettoken failed: Auth (HTTP 200): errcode 40001: invalid credential",
    );
    expectNoSecrets(e, ["Wrong-secret-0123456789"]);
  });

  it("keeps the token in the query string out of a network error", async () => {
    await setup();
    const token = await provider.client.token();
    emu.inject({ kind: "drop", when: "before", route: "/user/get", times: 10 });
    const e = await failure(provider.getMailbox(domain, "ali"));
    expect(e.message).toMatch(/^tencentExmail getMailbox failed: ProviderError: /);
    expect(e.message).toContain("GET /user/get?userid=ali%40acme.test&access_token=[redacted])");
    expectNoSecrets(e, [token, CORP_SECRET]);
  });

  it("keeps the corp secret in gettoken's query string out of a network error", async () => {
    await setup();
    emu.inject({ kind: "drop", when: "before", route: "/gettoken", times: 10 });
    const e = await failure(provider.getMailbox(domain, "ali"));
    expect(e.message).toMatch(/^tencentExmail gettoken failed: ProviderError: /);
    expect(e.message).toContain(`GET /gettoken?corpid=${CORP_ID}&corpsecret=[redacted])`);
    expectNoSecrets(e, [CORP_SECRET]);
  });

  it("maps a department name to one Exmail department under the root, in every process", async () => {
    await setup();
    await Promise.all(
      ["a", "b", "c"].map((lp) => provider.createMailbox(person(lp, { department: "销售部" }))),
    );
    await otherProcess().createMailbox(person("d", { department: "销售部" }));
    expect(emu.allDepartments()).toEqual([
      { id: 1, name: "Acme", parentid: 0, order: 0 },
      { id: 2, name: "销售部", parentid: 1, order: 0 },
    ]);
    expect(emu.count("POST /department/create")).toBe(1);
    expect(emu.allUsers().map((u) => [u.userid, u.department])).toEqual([
      ["a@acme.test", [2]],
      ["b@acme.test", [2]],
      ["c@acme.test", [2]],
      ["d@acme.test", [2]],
    ]);
    expect((await otherProcess().getMailbox(domain, "a"))?.department).toBe("销售部");
    // A mailbox without a department lives in the root and reads with none.
    expect(await provider.createMailbox(person("e"))).toEqual({
      domain,
      localPart: "e",
      name: "Person e",
      suspended: false,
      aliases: [],
      forwardTo: [],
    });
    expect(emu.user("e@acme.test")?.department).toEqual([1]);
  });

  it("converges after an up killed between the department's create and the user's", async () => {
    await setup();
    // The first process created the department, then died before user/create.
    await provider.departmentId("Engineering");
    // The next up (a new process) finds it and creates only the user.
    const next = otherProcess();
    emu.resetLog();
    await next.createMailbox(person("ali", { department: "Engineering" }));
    expect(emu.count("POST /department/create")).toBe(0);
    expect(emu.allDepartments().map((d) => d.name)).toEqual(["Acme", "Engineering"]);
    // A department/create whose answer was lost is found again, not made twice.
    emu.inject({ kind: "drop", when: "after", route: "/department/create" });
    await next.createMailbox(person("zs", { department: "Sales" }));
    expect(emu.allDepartments().map((d) => d.name)).toEqual(["Acme", "Engineering", "Sales"]);
    // Another process created it between our lists and our create: 60008, found, used.
    emu.putDepartment("Legal");
    const root = { id: 1, name: "Acme", parentid: 0, order: 0 };
    emu.inject({
      kind: "status",
      status: 200,
      route: "/department/list",
      times: 2,
      body: { errcode: 0, errmsg: "ok", department: [root] },
    });
    emu.resetLog();
    await otherProcess().createMailbox(person("y", { department: "Legal" }));
    expect(emu.countsByRoute()).toMatchObject({
      "GET /department/list": 3,
      "POST /department/create": 1,
      "POST /user/create": 1,
    });
    const legal = emu.allDepartments().filter((d) => d.name === "Legal");
    expect(legal).toHaveLength(1);
    expect(emu.user("y@acme.test")?.department).toEqual([legal[0]!.id]);
  });

  it("round-trips Chinese, Persian and accented names byte for byte", async () => {
    await setup();
    const names = { zs: "张三丰", ali: "علی علوی", zoe: "Zoë Åström-Núñez" };
    for (const [lp, name] of Object.entries(names)) {
      expect((await provider.createMailbox(person(lp, { name }))).name).toBe(name);
    }
    for (const [lp, name] of Object.entries(names)) {
      const live = await otherProcess().getMailbox(domain, lp);
      expect(Buffer.from(live!.name, "utf8").equals(Buffer.from(name, "utf8"))).toBe(true);
      expect(Buffer.from(emu.user(`${lp}@acme.test`)!.name).equals(Buffer.from(name))).toBe(true);
    }
    // 22 Han characters are 66 bytes: refused before any request.
    emu.resetLog();
    const e = await failure(provider.updateMailbox(domain, "zs", { name: "张".repeat(22) }));
    expect(e.message).toBe(
      `tencentExmail updateMailbox zs@acme.test: name "${"张".repeat(22)}" is 66 bytes in UTF-8; allowed: 1–64 bytes (21 Chinese characters)`,
    );
    expect(emu.count("POST /user/update")).toBe(0);
  });

  it("keeps at most 5 aliases as slaves, refusing a sixth before any request", async () => {
    await setup();
    const five = ["a1", "a2", "a3", "a4", "a5"];
    const m = await provider.createMailbox(person("zs", { aliases: five }));
    expect(m.aliases).toEqual(five);
    expect(emu.user("zs@acme.test")?.slaves).toEqual(five.map((a) => `${a}@acme.test`));
    emu.resetLog();
    const e = await failure(provider.updateMailbox(domain, "zs", { aliases: [...five, "a6"] }));
    expect(e.message).toBe(
      "tencentExmail updateMailbox zs@acme.test: has 6 aliases; allowed: at most 5 (Exmail slaves)",
    );
    expect(emu.count("POST /user/update")).toBe(0);
  });

  it("suspends with enable 0 and keeps the user", async () => {
    await setup();
    await provider.createMailbox(person("leaver"));
    expect((await provider.updateMailbox(domain, "leaver", { suspended: true })).suspended).toBe(
      true,
    );
    expect(emu.user("leaver@acme.test")?.enable).toBe(0);
    const created = await provider.createMailbox(person("gone", { suspended: true }));
    expect(created.suspended).toBe(true);
    expect(emu.user("gone@acme.test")?.enable).toBe(0);
  });

  it("sets who may send to a group as allow_type, leaving it when not given", async () => {
    await setup();
    const g = await provider.createGroup({
      domain,
      localPart: "team",
      name: "团队",
      members: [`b@${domain}`, `a@${domain}`],
      allowSenders: "members",
    });
    expect(g).toEqual({
      domain,
      localPart: "team",
      name: "团队",
      members: ["a@acme.test", "b@acme.test"],
      allowSenders: "members",
    });
    expect(emu.allGroups()[0]!.allow_type).toBe(2);
    await provider.updateGroup(domain, "team", { name: "Team" });
    expect(emu.allGroups()[0]!.allow_type).toBe(2);
    await provider.updateGroup(domain, "team", { allowSenders: "organisation" });
    expect(emu.allGroups()[0]!.allow_type).toBe(0);
    await provider.createGroup({
      domain,
      localPart: "info",
      name: "Info",
      members: [`a@${domain}`],
    });
    expect((await provider.getGroup(domain, "info"))?.allowSenders).toBe("anyone");
    // A group member goes to grouplist.
    await provider.createGroup({
      domain,
      localPart: "all",
      name: "All",
      members: [`team@${domain}`, `c@${domain}`],
    });
    expect(emu.allGroups().find((x) => x.groupid === "all@acme.test")).toMatchObject({
      userlist: ["c@acme.test"],
      grouplist: ["team@acme.test"],
    });
    expect(await provider.listGroups(domain)).toEqual([]);
    expect(provider.unlistedGroups).toBe(true);
  });
});
