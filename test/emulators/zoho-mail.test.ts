import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ACCESS_DENIED, ZohoMailEmulator, type ZohoMailEmulatorOptions } from "./zoho-mail";

const CREDS = {
  clientId: "1000.CLIENT",
  clientSecret: "client-secret-1",
  refreshToken: "1000.rt.1",
};
let emu: ZohoMailEmulator;
let now = 0;
const start = async (extra: Partial<ZohoMailEmulatorOptions> = {}) => {
  emu = new ZohoMailEmulator({ domains: ["acme.test"], ...CREDS, clock: () => now, ...extra });
  await emu.start();
};
beforeEach(() => {
  now = 1_000_000;
});
afterEach(() => emu?.stop());

const mint = async (form: Record<string, string> = {}) => {
  const res = await fetch(emu.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "refresh_token",
      client_id: CREDS.clientId,
      client_secret: CREDS.clientSecret,
      refresh_token: CREDS.refreshToken,
      ...form,
    }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const api = async (token: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${emu.url}/api/organization/${emu.organizationId}${path}`, {
    method,
    headers: { authorization: `Zoho-oauthtoken ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { status: unknown; data: Data } };
};
/** The envelope's `data`, read loosely by the tests. */
type Data = Record<string, unknown> & { errorCode?: string; zgid?: number; zuid?: number };
const token = async () => (await mint()).body.access_token as string;

describe("Zoho Mail emulator", () => {
  it("mints at most 10 access tokens per refresh token in 10 minutes, then answers Access Denied with 200", async () => {
    await start();
    for (let i = 0; i < 10; i++) {
      const r = await mint();
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ expires_in: 3600, token_type: "Bearer" });
    }
    expect(await mint()).toEqual({ status: 200, body: ACCESS_DENIED });
    now += 599_999;
    expect((await mint()).body).toEqual(ACCESS_DENIED);
    now += 1;
    expect((await mint()).body.access_token).toMatch(/^1000\./);
    expect([emu.minted, emu.mintsDenied]).toEqual([11, 2]);
    expect((await mint({ client_secret: "wrong" })).body).toEqual({ error: "invalid_client" });
    expect((await mint({ refresh_token: "wrong" })).body).toEqual({ error: "invalid_code" });
  });

  it("answers the envelope; an expired token is INVALID_OAUTHTOKEN", async () => {
    await start({ tokenLifetimeSec: 60 });
    const t = await token();
    expect(await api(t, "GET", "/accounts")).toEqual({
      status: 200,
      body: { status: { code: 200, description: "success" }, data: [] },
    });
    now += 60_000;
    expect(await api(t, "GET", "/accounts")).toEqual({
      status: 400,
      body: {
        status: { code: 400, description: "Invalid Input" },
        data: {
          errorCode: "INVALID_OAUTHTOKEN",
          moreInfo: "The access token is invalid or expired",
        },
      },
    });
  });

  it("wants each id where its endpoint wants it: zuid for aliases, accountId for disable", async () => {
    await start();
    const t = await token();
    const created = await api(t, "POST", "/accounts", {
      primaryEmailAddress: "ali@acme.test",
      password: "Pw-ali-0123",
      displayName: "علی علوی",
    });
    expect(created.status).toBe(201);
    const { zuid, accountId } = created.body.data as { zuid: number; accountId: string };
    expect(accountId).toMatch(/^\d{19}$/);
    const alias = { zuid, mode: "addEmailAlias", emailAlias: ["a.alavi@acme.test"] };
    expect((await api(t, "PUT", `/accounts/${accountId}`, alias)).body.data.errorCode).toBe(
      "USER_NOT_FOUND",
    );
    expect((await api(t, "PUT", `/accounts/${zuid}`, alias)).status).toBe(200);
    const disable = { zuid, mode: "disableUser" };
    expect((await api(t, "PUT", `/accounts/${zuid}`, disable)).body.data.errorCode).toBe(
      "ACCOUNT_NOT_FOUND",
    );
    expect((await api(t, "PUT", `/accounts/${accountId}`, { ...disable, zuid: 1 })).status).toBe(
      400,
    );
    expect((await api(t, "PUT", `/accounts/${accountId}`, disable)).status).toBe(200);
    expect(emu.user("ali@acme.test")).toMatchObject({
      displayName: "علی علوی",
      mailboxStatus: "disabled",
      emailAddress: [
        { mailId: "ali@acme.test", isPrimary: true, isAlias: false, isConfirmed: true },
        { mailId: "a.alavi@acme.test", isPrimary: false, isAlias: true, isConfirmed: true },
      ],
    });
    const enable = { zuid, mode: "enableUser" };
    expect((await api(t, "PUT", `/accounts/${accountId}`, enable)).body.data).toEqual({
      errorCode: "INVALID_INPUT",
      moreInfo: "unblockIncoming is mandatory",
    });
  });

  it("limits aliases per user and refuses an address already in use", async () => {
    await start({ aliasLimit: 2 });
    const t = await token();
    const { zuid } = (
      await api(t, "POST", "/accounts", { primaryEmailAddress: "a@acme.test", password: "x1" })
    ).body.data;
    const add = (emailAlias: string[]) =>
      api(t, "PUT", `/accounts/${zuid}`, { zuid, mode: "addEmailAlias", emailAlias });
    expect((await add(["a1@acme.test", "a2@acme.test", "a3@acme.test"])).body.data).toEqual({
      errorCode: "ALIAS_LIMIT_EXCEEDED",
      moreInfo: "A user can have at most 2 aliases",
    });
    expect((await add(["a@acme.test"])).body.data.errorCode).toBe("EMAIL_ALREADY_EXISTS");
    expect((await add(["a1@other.test"])).status).toBe(400);
    expect(emu.user("a@acme.test")!.emailAddress).toHaveLength(1);
  });

  it("pages users with start and limit (default 10)", async () => {
    await start();
    const t = await token();
    for (let i = 0; i < 12; i++) {
      await api(t, "POST", "/accounts", { primaryEmailAddress: `u${i}@acme.test`, password: "x" });
    }
    expect((await api(t, "GET", "/accounts")).body.data).toHaveLength(10);
    const page = (await api(t, "GET", "/accounts?start=10&limit=5")).body.data as unknown as {
      primaryEmailAddress: string;
    }[];
    expect(page.map((u) => u.primaryEmailAddress)).toEqual(["u10@acme.test", "u11@acme.test"]);
  });

  it("locks every API request out once the limit is passed, until the lock ends", async () => {
    await start({ rateLimit: { limit: 3, windowMs: 60_000, lockMs: 300_000 } });
    const t = await token();
    for (let i = 0; i < 3; i++) expect((await api(t, "GET", "/groups")).status).toBe(200);
    const refused = await api(t, "GET", "/groups");
    expect(refused.status).toBe(429);
    expect(refused.body.data.errorCode).toBe("TOO_MANY_REQUESTS");
    now += 120_000; // the window has room again, but the lock holds
    expect((await api(t, "GET", "/groups")).status).toBe(429);
    expect((await mint()).status).toBe(200); // the token endpoint is not counted
    now += 180_000;
    expect((await api(t, "GET", "/groups")).status).toBe(200);
    expect([emu.lockouts, emu.throttled]).toEqual([1, 2]);
  });

  it("keeps groups with members and moderators; member modes refuse what does not apply", async () => {
    await start();
    const t = await token();
    const g = await api(t, "POST", "/groups", {
      emailId: "team@acme.test",
      name: "团队",
      mailGroupMemberList: [
        { memberEmailId: "a@acme.test", role: "moderator" },
        { memberEmailId: "b@acme.test" },
      ],
    });
    expect(g.status).toBe(201);
    const zgid = g.body.data.zgid as number;
    const put = (mode: string, list: object[]) =>
      api(t, "PUT", `/groups/${zgid}`, { mode, mailGroupMemberList: list });
    expect((await put("addMailGroupMember", [{ memberEmailId: "b@acme.test" }])).status).toBe(400);
    expect((await put("deleteMailGroupMember", [{ memberEmailId: "z@acme.test" }])).status).toBe(
      400,
    );
    await put("changeMemberRole", [{ memberEmailId: "b@acme.test", role: "moderator" }]);
    await put("deleteMailGroupMember", [{ memberEmailId: "a@acme.test" }]);
    expect((await api(t, "GET", `/groups/${zgid}`)).body.data).toMatchObject({
      emailId: "team@acme.test",
      name: "团队",
      mailGroupMemberList: [{ memberEmailId: "b@acme.test", role: "moderator" }],
    });
    expect((await api(t, "GET", "/groups")).body.data).toEqual([
      {
        zgid,
        emailId: "team@acme.test",
        name: "团队",
        groupDescription: "",
        accessType: "Public",
        mailGroupMemberCount: 1,
      },
    ]);
    expect((await api(t, "DELETE", `/groups/${zgid}`)).status).toBe(200);
    expect((await api(t, "GET", `/groups/${zgid}`)).status).toBe(404);
  });
});
