import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GraphEmulator, SKU_E3, SKU_POWER_BI_PRO } from "./microsoft-graph";

/*
 * The Graph emulator against what Microsoft documents (facts §2), over plain fetch: the emulator
 * is what is under test here, not an adapter.
 */

let emu: GraphEmulator;
let url: string;
let token: string;

interface Res {
  status: number;
  headers: Headers;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function call(method: string, path: string, body?: unknown, auth = token): Promise<Res> {
  const res = await fetch(path.startsWith("http") ? path : `${url}/v1.0${path}`, {
    method,
    headers: { authorization: `Bearer ${auth}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, data: text ? JSON.parse(text) : undefined };
}

async function getToken(secret = emu.clientSecret): Promise<Res> {
  const res = await fetch(`${url}/${emu.tenantId}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      client_id: emu.clientId,
      client_secret: secret,
      scope: "https://graph.microsoft.com/.default",
      grant_type: "client_credentials",
    }).toString(),
  });
  return { status: res.status, headers: res.headers, data: await res.json() };
}

const newUser = (lp: string, extra: Record<string, unknown> = {}) => ({
  accountEnabled: true,
  displayName: `User ${lp}`,
  mailNickname: lp,
  userPrincipalName: `${lp}@contoso.test`,
  passwordProfile: { password: "Pw-0123456789!", forceChangePasswordNextSignIn: true },
  ...extra,
});

beforeEach(async () => {
  emu = new GraphEmulator({ maxPageSize: 999 });
  url = await emu.start();
  token = (await getToken()).data.access_token;
});
afterEach(() => emu.stop());

describe("token endpoint", () => {
  it("issues a bearer token with its lifetime for the client credentials", async () => {
    const res = await getToken();
    expect(res.status).toBe(200);
    expect(res.data).toEqual({
      token_type: "Bearer",
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: expect.stringMatching(/^emu\./),
    });
  });

  it("refuses a wrong client secret with AADSTS7000215", async () => {
    const res = await getToken("not-the-secret");
    expect(res.status).toBe(401);
    expect(res.data.error).toBe("invalid_client");
    expect(res.data.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided\./);
  });

  it("answers 401 InvalidAuthenticationToken to an expired or unknown token", async () => {
    emu.tokenLifetimeSeconds = 0;
    const expired = (await getToken()).data.access_token as string;
    const res = await call("GET", "/users", undefined, expired);
    expect(res.status).toBe(401);
    expect(res.data.error.code).toBe("InvalidAuthenticationToken");
    expect(res.data.error.message).toBe("Lifetime validation failed, the token is expired.");
    expect(emu.expiredTokenUses).toBe(1);
    expect((await call("GET", "/users", undefined, "forged")).status).toBe(401);
  });
});

describe("users", () => {
  it("creates a user (201) and refuses a duplicate UPN with Graph's ObjectConflict body", async () => {
    const created = await call("POST", "/users", newUser("ali"));
    expect(created.status).toBe(201);
    expect(created.data.userPrincipalName).toBe("ali@contoso.test");
    expect(created.data.mail).toBeNull();
    const dup = await call("POST", "/users", newUser("ali"));
    expect(dup.status).toBe(400);
    expect(dup.data.error.code).toBe("Request_BadRequest");
    expect(dup.data.error.message).toBe(
      "Another object with the same value for property userPrincipalName already exists.",
    );
    expect(dup.data.error.details).toEqual([
      { target: "userPrincipalName", code: "ObjectConflict" },
    ]);
  });

  it("answers 404 Request_ResourceNotFound for a missing user, by id or UPN", async () => {
    const res = await call("GET", "/users/nobody@contoso.test");
    expect(res.status).toBe(404);
    expect(res.data.error.code).toBe("Request_ResourceNotFound");
    expect(res.data.error.message).toBe(
      "Resource 'nobody@contoso.test' does not exist or one of its queried reference-property objects are not present.",
    );
  });

  it("refuses proxyAddresses as read-only, on create and on update", async () => {
    const res = await call(
      "POST",
      "/users",
      newUser("ali", { proxyAddresses: ["smtp:a@contoso.test"] }),
    );
    expect(res.status).toBe(400);
    expect(res.data.error.message).toBe(
      "Property 'proxyAddresses' is read-only and cannot be set.",
    );
    await call("POST", "/users", newUser("ali"));
    const patch = await call("PATCH", "/users/ali@contoso.test", {
      proxyAddresses: ["smtp:x@contoso.test"],
    });
    expect(patch.status).toBe(400);
    expect(emu.user("ali@contoso.test")!.proxyAddresses).toEqual([]);
  });

  it("refuses a licence without usageLocation; a mailbox exists only with an Exchange licence", async () => {
    const u = (await call("POST", "/users", newUser("ali"))).data;
    const refused = await call("POST", `/users/${u.id}/assignLicense`, {
      addLicenses: [{ skuId: SKU_E3, disabledPlans: [] }],
      removeLicenses: [],
    });
    expect(refused.status).toBe(400);
    expect(refused.data.error.message).toBe(
      "License assignment cannot be done for user with invalid usage location.",
    );
    expect((await call("PATCH", `/users/${u.id}`, { usageLocation: "DE" })).status).toBe(204);
    const bi = await call("POST", `/users/${u.id}/assignLicense`, {
      addLicenses: [{ skuId: SKU_POWER_BI_PRO, disabledPlans: [] }],
      removeLicenses: [],
    });
    expect([bi.status, bi.data.mail]).toEqual([200, null]);
    const e3 = await call("POST", `/users/${u.id}/assignLicense`, {
      addLicenses: [{ skuId: SKU_E3, disabledPlans: [] }],
      removeLicenses: [SKU_POWER_BI_PRO],
    });
    expect([e3.status, e3.data.mail, e3.data.proxyAddresses]).toEqual([
      200,
      "ali@contoso.test",
      ["SMTP:ali@contoso.test"],
    ]);
  });

  it("pages with $top and @odata.nextLink, and refuses $top above 999", async () => {
    for (let i = 0; i < 5; i++) emu.putUser(`u${i}@contoso.test`, `U${i}`);
    const first = await call("GET", "/users?$top=2");
    expect(first.data.value).toHaveLength(2);
    const second = await call("GET", first.data["@odata.nextLink"]);
    const third = await call("GET", second.data["@odata.nextLink"]);
    expect(third.data.value).toHaveLength(1);
    expect(third.data["@odata.nextLink"]).toBeUndefined();
    const all = [...first.data.value, ...second.data.value, ...third.data.value];
    expect(new Set(all.map((u: { id: string }) => u.id)).size).toBe(5);
    expect((await call("GET", "/users?$top=1000")).status).toBe(400);
  });

  it("soft-deletes a user and restores it", async () => {
    const u = (await call("POST", "/users", newUser("ali"))).data;
    expect((await call("DELETE", `/users/${u.id}`)).status).toBe(204);
    expect((await call("GET", `/users/${u.id}`)).status).toBe(404);
    expect(emu.deletedUsers().map((d) => d.id)).toEqual([u.id]);
    expect((await call("POST", `/directory/deletedItems/${u.id}/restore`)).status).toBe(200);
    expect((await call("GET", `/users/${u.id}`)).status).toBe(200);
  });
});

describe("groups and $batch", () => {
  it("adds members by $ref, refuses a duplicate, removes them", async () => {
    const u = emu.putUser("ali@contoso.test", "Ali");
    const g = (
      await call("POST", "/groups", {
        displayName: "Team",
        mailEnabled: true,
        mailNickname: "team",
        securityEnabled: false,
        groupTypes: ["Unified"],
      })
    ).data;
    expect(g.mail).toBe("team@contoso.test");
    const ref = { "@odata.id": `https://graph.microsoft.com/v1.0/directoryObjects/${u.id}` };
    expect((await call("POST", `/groups/${g.id}/members/$ref`, ref)).status).toBe(204);
    const dup = await call("POST", `/groups/${g.id}/members/$ref`, ref);
    expect(dup.status).toBe(400);
    expect(dup.data.error.message).toBe(
      "One or more added object references already exist for the following modified properties: 'members'.",
    );
    expect(
      (await call("GET", `/groups/${g.id}/members`)).data.value.map((m: { id: string }) => m.id),
    ).toEqual([u.id]);
    expect((await call("DELETE", `/groups/${g.id}/members/${u.id}/$ref`)).status).toBe(204);
    expect((await call("GET", `/groups/${g.id}/members`)).data.value).toEqual([]);
  });

  it("refuses a mail-enabled non-Microsoft 365 group", async () => {
    const res = await call("POST", "/groups", {
      displayName: "DL",
      mailEnabled: true,
      mailNickname: "dl",
      securityEnabled: false,
      groupTypes: [],
    });
    expect(res.status).toBe(400);
  });

  it("answers each request of a batch with its own status, and refuses more than 20", async () => {
    emu.putUser("ali@contoso.test", "Ali");
    const res = await call("POST", "/$batch", {
      requests: [
        { id: "1", method: "GET", url: "/users/ali@contoso.test" },
        { id: "2", method: "GET", url: "/users/nobody@contoso.test" },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.data.responses.map((r: { id: string; status: number }) => [r.id, r.status])).toEqual(
      [
        ["1", 200],
        ["2", 404],
      ],
    );
    const many = Array.from({ length: 21 }, (_, i) => ({
      id: `${i}`,
      method: "GET",
      url: "/users",
    }));
    const refused = await call("POST", "/$batch", { requests: many });
    expect(refused.status).toBe(400);
    expect(refused.data.error.message).toBe("The number of requests in a batch cannot exceed 20.");
  });

  it("answers 429 with Retry-After inside a 200 batch when throttled", async () => {
    emu.throttleInBatch(1, 7);
    const res = await call("POST", "/$batch", {
      requests: [
        { id: "a", method: "GET", url: "/users" },
        { id: "b", method: "GET", url: "/users" },
      ],
    });
    expect(res.status).toBe(200);
    const [a, b] = res.data.responses;
    expect([a.status, a.headers["Retry-After"], a.body.error.code]).toEqual([
      429,
      "7",
      "TooManyRequests",
    ]);
    expect(b.status).toBe(200);
  });
});

describe("security groups and Conditional Access policies", () => {
  it("creates a security group without mail, with members; mail-enabled ones are refused", async () => {
    const g = await call("POST", "/groups", {
      displayName: "MFA",
      mailEnabled: false,
      mailNickname: "mfa",
      securityEnabled: true,
    });
    expect(g.status).toBe(201);
    expect(g.data).toMatchObject({ mail: null, groupTypes: [], securityEnabled: true });
    const mailSecurity = await call("POST", "/groups", {
      displayName: "X",
      mailEnabled: true,
      mailNickname: "x",
      securityEnabled: true,
    });
    expect([mailSecurity.status, mailSecurity.data.error.message]).toEqual([
      400,
      "A mail-enabled security group or distribution group cannot be created through Graph.",
    ]);
    const u = await call("POST", "/users", newUser("ali"));
    const add = await call("POST", `/groups/${g.data.id}/members/$ref`, {
      "@odata.id": `https://graph.microsoft.com/v1.0/directoryObjects/${u.data.id}`,
    });
    expect(add.status).toBe(204);
    expect(emu.memberUpns(g.data.id)).toEqual(["ali@contoso.test"]);
  });

  it("creates and lists policies by displayName; required fields and known groups checked", async () => {
    const g = await call("POST", "/groups", {
      displayName: "MFA",
      mailEnabled: false,
      mailNickname: "mfa",
      securityEnabled: true,
    });
    const policy = {
      displayName: "Require MFA",
      state: "enabled",
      conditions: {
        applications: { includeApplications: ["All"] },
        users: { includeGroups: [g.data.id] },
      },
      grantControls: { operator: "OR", builtInControls: ["mfa"] },
    };
    const created = await call("POST", "/identity/conditionalAccess/policies", policy);
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ ...policy, modifiedDateTime: null });
    const filter = encodeURIComponent("displayName eq 'Require MFA'");
    const list = await call("GET", `/identity/conditionalAccess/policies?$filter=${filter}`);
    expect(list.data.value.map((p: { id: string }) => p.id)).toEqual([created.data.id]);
    const none = await call(
      "GET",
      `/identity/conditionalAccess/policies?$filter=${encodeURIComponent("displayName eq 'x'")}`,
    );
    expect(none.data.value).toEqual([]);
    const bad = await call("POST", "/identity/conditionalAccess/policies", {
      ...policy,
      state: "on",
    });
    expect([bad.status, bad.data.error.message]).toEqual([
      400,
      "Invalid value 'on' for property 'state'.",
    ]);
    const ghost = await call("POST", "/identity/conditionalAccess/policies", {
      ...policy,
      conditions: { ...policy.conditions, users: { includeGroups: ["nope"] } },
    });
    expect(ghost.status).toBe(404);
    expect(emu.listPolicies()).toHaveLength(1);
  });
});
