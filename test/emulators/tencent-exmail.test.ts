import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXMAIL_TOKEN_TTL_SECONDS, TencentExmailEmulator } from "./tencent-exmail";

const CORP = "wwcorp0123456789";
const SECRET = "corp-secret-0123456789abcdef";

let emu: TencentExmailEmulator;
let url: string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON under test
async function call(method: "GET" | "POST", path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(res.status).toBe(200); // Exmail answers 200 whatever happened
  return res.json();
}

async function token(): Promise<string> {
  const t = await call("GET", `/gettoken?corpid=${CORP}&corpsecret=${SECRET}`);
  return t.access_token as string;
}

beforeEach(async () => {
  emu = new TencentExmailEmulator({ corpId: CORP, corpSecret: SECRET, domains: ["acme.test"] });
  url = await emu.start();
});
afterEach(() => emu.stop());

describe("Tencent Exmail emulator", () => {
  it("issues 7,200 s tokens and answers bad credentials, bad and expired tokens with errcodes", async () => {
    const t = await call("GET", `/gettoken?corpid=${CORP}&corpsecret=${SECRET}`);
    expect(t).toEqual({
      errcode: 0,
      errmsg: "ok",
      access_token: expect.any(String),
      expires_in: EXMAIL_TOKEN_TTL_SECONDS,
    });
    expect(await call("GET", `/gettoken?corpid=${CORP}&corpsecret=nope`)).toEqual({
      errcode: 40001,
      errmsg: "invalid credential",
    });
    expect(await call("GET", `/gettoken?corpid=other&corpsecret=${SECRET}`)).toEqual({
      errcode: 40013,
      errmsg: "invalid corpid",
    });
    expect(await call("GET", "/user/get?userid=a@acme.test")).toEqual({
      errcode: 41001,
      errmsg: "access_token missing",
    });
    expect(await call("GET", "/user/get?userid=a@acme.test&access_token=forged")).toEqual({
      errcode: 40014,
      errmsg: "invalid access_token",
    });
    emu.expireTokens();
    expect(
      await call("GET", `/user/get?userid=a@acme.test&access_token=${t.access_token}`),
    ).toEqual({
      errcode: 42001,
      errmsg: "access_token expired",
    });
    expect(emu.tokensIssued).toBe(1);
  });

  it("creates users only in an existing department, with at most 5 slaves, names byte for byte", async () => {
    const q = `?access_token=${await token()}`;
    const base = { userid: "zs@acme.test", name: "张三", password: "Abc12345" };
    expect(await call("POST", `/user/create${q}`, base)).toEqual({
      errcode: 40058,
      errmsg: "invalid parameter: department",
    });
    expect(await call("POST", `/user/create${q}`, { ...base, department: [7] })).toEqual({
      errcode: 60003,
      errmsg: "department not found: 7",
    });
    const six = ["a", "b", "c", "d", "e", "f"].map((s) => `${s}@acme.test`);
    expect(
      await call("POST", `/user/create${q}`, { ...base, department: [1], slaves: six }),
    ).toEqual({ errcode: 40058, errmsg: "invalid parameter: slaves exceed limit 5" });
    const dept = await call("POST", `/department/create${q}`, { name: "销售部", parentid: 1 });
    expect(dept).toEqual({ errcode: 0, errmsg: "created", id: 2 });
    expect(await call("POST", `/department/create${q}`, { name: "销售部", parentid: 1 })).toEqual({
      errcode: 60008,
      errmsg: "department existed",
    });
    expect(
      await call("POST", `/user/create${q}`, { ...base, department: [2], slaves: six.slice(0, 5) }),
    ).toEqual({ errcode: 0, errmsg: "created" });
    expect(await call("POST", `/user/create${q}`, { ...base, department: [1] })).toEqual({
      errcode: 60102,
      errmsg: "userid existed",
    });
    const persian = "علی علوی";
    const diacritics = "Zoë Åström-Núñez";
    expect(
      await call("POST", `/user/update${q}`, { userid: "zs@acme.test", name: persian }),
    ).toEqual({ errcode: 0, errmsg: "updated" });
    expect((await call("GET", `/user/get${q}&userid=zs@acme.test`)).name).toBe(persian);
    await call("POST", `/user/update${q}`, { userid: "zs@acme.test", name: diacritics, enable: 0 });
    const got = await call("GET", `/user/get${q}&userid=zs@acme.test`);
    expect(got).toMatchObject({ errcode: 0, name: diacritics, enable: 0, department: [2] });
    // 22 Han characters of 3 bytes each: 66 bytes, over the 64-byte limit.
    expect(
      await call("POST", `/user/update${q}`, { userid: "zs@acme.test", name: "张".repeat(22) }),
    ).toEqual({ errcode: 40058, errmsg: "invalid parameter: name length 66" });
    const all = await call("GET", `/user/list${q}&department_id=1&fetch_child=1`);
    expect(all.userlist.map((u: { userid: string }) => u.userid)).toEqual(["zs@acme.test"]);
    const rootOnly = await call("GET", `/user/simplelist${q}&department_id=1&fetch_child=0`);
    expect(rootOnly.userlist).toEqual([]);
    expect(
      await call("POST", `/user/batchcheck${q}`, {
        userlist: ["zs@acme.test", "a@acme.test", "free@acme.test", "x@other.test"],
      }),
    ).toEqual({
      errcode: 0,
      errmsg: "ok",
      list: [
        { user: "zs@acme.test", type: 1 },
        { user: "a@acme.test", type: 2 },
        { user: "free@acme.test", type: 0 },
        { user: "x@other.test", type: -1 },
      ],
    });
  });

  it("creates mail groups with a required allow_type and members", async () => {
    const q = `?access_token=${await token()}`;
    const g = { groupid: "team@acme.test", groupname: "团队", userlist: ["a@acme.test"] };
    expect(await call("POST", `/group/create${q}`, g)).toEqual({
      errcode: 40058,
      errmsg: "invalid parameter: allow_type",
    });
    expect(await call("POST", `/group/create${q}`, { ...g, userlist: [], allow_type: 1 })).toEqual({
      errcode: 40058,
      errmsg: "invalid parameter: userlist, grouplist or department required",
    });
    expect(await call("POST", `/group/create${q}`, { ...g, allow_type: 2 })).toEqual({
      errcode: 0,
      errmsg: "created",
    });
    expect(await call("GET", `/group/get${q}&groupid=team@acme.test`)).toEqual({
      errcode: 0,
      errmsg: "ok",
      groupid: "team@acme.test",
      groupname: "团队",
      userlist: ["a@acme.test"],
      grouplist: [],
      department: [],
      allow_type: 2,
      allow_userlist: [],
    });
    expect(await call("GET", `/group/get${q}&groupid=none@acme.test`)).toEqual({
      errcode: 60111,
      errmsg: "userid not found",
    });
  });

  it("answers its rate limit and injected faults as errcodes in HTTP 200", async () => {
    const q = `?access_token=${await token()}`;
    emu.inject({
      kind: "status",
      status: 200,
      route: "/user/get",
      body: { errcode: -1, errmsg: "system busy" },
    });
    expect(await call("GET", `/user/get${q}&userid=a@acme.test`)).toEqual({
      errcode: -1,
      errmsg: "system busy",
    });
    emu.setRateLimit(TencentExmailEmulator.rateLimitOf({ limit: 1, windowMs: 60_000 }));
    await call("GET", `/user/get${q}&userid=a@acme.test`);
    expect(await call("GET", `/user/get${q}&userid=a@acme.test`)).toEqual({
      errcode: 45009,
      errmsg: "api freq out of limit",
    });
  });
});
