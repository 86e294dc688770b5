import crypto from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GOOGLE_TOKEN_AUDIENCE, GoogleDirectoryEmulator, SCOPES } from "./google-directory";

const SA = "mailplane@acme-project.iam.gserviceaccount.com";
const ADMIN = "admin@acme.com";
const keys = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const privatePem = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const publicPem = keys.publicKey.export({ type: "spki", format: "pem" }).toString();

let emu: GoogleDirectoryEmulator;
let url: string;

/** A JWT signed here with node:crypto (independent of the adapter's google-auth-library). */
function jwt(claims: Record<string, unknown>, key: crypto.KeyObject | string = privatePem): string {
  const now = Math.floor(Date.now() / 1000);
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const head = enc({ alg: "RS256", typ: "JWT" });
  const body = enc({
    iss: SA,
    sub: ADMIN,
    scope: Object.values(SCOPES).join(" "),
    aud: GOOGLE_TOKEN_AUDIENCE,
    iat: now,
    exp: now + 3600,
    ...claims,
  });
  const sig = crypto.sign("RSA-SHA256", Buffer.from(`${head}.${body}`), key).toString("base64url");
  return `${head}.${body}.${sig}`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON under test
async function token(assertion: string): Promise<{ status: number; data: any }> {
  const res = await fetch(emu.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      assertion,
    }).toString(),
  });
  return { status: res.status, data: await res.json() };
}

let bearer = "";
async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, data: text ? JSON.parse(text) : undefined };
}

const user = (email: string, extra: Record<string, unknown> = {}) => ({
  primaryEmail: email,
  name: { givenName: "Given", familyName: "Family" },
  password: "Secret-0123456789",
  ...extra,
});

beforeEach(async () => {
  emu = new GoogleDirectoryEmulator({
    domains: ["acme.com"],
    serviceAccountEmail: SA,
    publicKey: publicPem,
    admins: [ADMIN],
  });
  url = await emu.start();
  bearer = (await token(jwt({}))).data.access_token;
});
afterEach(() => emu.stop());

describe("Google Directory emulator: token endpoint", () => {
  it("exchanges a JWT signed with the service account key for a bearer token", async () => {
    const res = await token(jwt({}));
    expect(res.status).toBe(200);
    expect(res.data.token_type).toBe("Bearer");
    expect(res.data.expires_in).toBe(3599);
    expect(res.data.access_token).toMatch(/^ya29\./);
  });

  it("refuses a JWT signed with another key, another sub, another audience or a long life", async () => {
    const other = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    expect(await token(jwt({}, other))).toEqual({
      status: 400,
      data: { error: "invalid_grant", error_description: "Invalid JWT Signature." },
    });
    expect((await token(jwt({ sub: "someone@acme.com" }))).data.error).toBe("unauthorized_client");
    expect((await token(jwt({ aud: "https://example.org/token" }))).data).toEqual({
      error: "invalid_grant",
      error_description: "Invalid JWT: Failed audience check.",
    });
    const now = Math.floor(Date.now() / 1000);
    expect((await token(jwt({ iat: now, exp: now + 7200 }))).status).toBe(400);
  });

  it("requires the bearer token on Directory routes", async () => {
    bearer = "ya29.forged";
    const res = await call("GET", "/users?domain=acme.com");
    expect(res.status).toBe(401);
    expect(res.data.error.errors[0].reason).toBe("authError");
  });

  it("refuses a token without the route's scope with 403 insufficientPermissions", async () => {
    bearer = (await token(jwt({ scope: SCOPES.group }))).data.access_token;
    const res = await call("GET", "/users?domain=acme.com");
    expect(res.status).toBe(403);
    expect(res.data.error.message).toBe("Request had insufficient authentication scopes.");
  });
});

describe("Google Directory emulator: users, aliases, groups", () => {
  it("pages users 500 at a time with pageToken", async () => {
    for (let i = 0; i < 1203; i++) emu.putUser(`u${String(i).padStart(4, "0")}@acme.com`, "A", "B");
    const sizes: number[] = [];
    let pageToken: string | undefined;
    do {
      const q = `/users?domain=acme.com&maxResults=1000${pageToken ? `&pageToken=${pageToken}` : ""}`;
      const res = await call("GET", q);
      sizes.push(res.data.users.length);
      pageToken = res.data.nextPageToken;
    } while (pageToken);
    expect(sizes).toEqual([500, 500, 203]);
    expect((await call("GET", "/users?domain=acme.com")).data.users.length).toBe(100);
  });

  it("answers Google's exact 409 duplicate and 404 notFound bodies", async () => {
    expect((await call("POST", "/users", user("ali@acme.com"))).status).toBe(200);
    expect(await call("POST", "/users", user("ali@acme.com"))).toEqual({
      status: 409,
      data: {
        error: {
          code: 409,
          message: "Entity already exists.",
          errors: [{ domain: "global", reason: "duplicate", message: "Entity already exists." }],
        },
      },
    });
    expect(await call("GET", "/users/nobody@acme.com")).toEqual({
      status: 404,
      data: {
        error: {
          code: 404,
          message: "Resource Not Found: userKey",
          errors: [
            { domain: "global", reason: "notFound", message: "Resource Not Found: userKey" },
          ],
        },
      },
    });
    expect((await call("POST", "/users", user("x@other.com"))).status).toBe(403);
    const notAHash = await call("POST", "/users", user("h@acme.com", { hashFunction: "crypt" }));
    expect([notAHash.status, notAHash.data.error.message]).toEqual([400, "Invalid Password"]);
    const hash =
      "$6$abcdefgh$rlfS3BcfN4.x8CUHVVnR42HeZvaFxDovwClfwxXzqIlAeOutXYbKw972eZskMXovtakuC1UYOaamfvfyK0Iv..";
    const hashed = await call(
      "POST",
      "/users",
      user("h@acme.com", { hashFunction: "crypt", password: hash }),
    );
    expect(hashed.status).toBe(200);
    expect(emu.passwordOf("h@acme.com")).toEqual({ password: hash, hashFunction: "crypt" });
  });

  it("renames primaryEmail in place, keeping the old address as an alias", async () => {
    await call("POST", "/users", user("omar@acme.com"));
    const res = await call("PUT", "/users/omar@acme.com", { primaryEmail: "omar.h@acme.com" });
    expect(res.data.primaryEmail).toBe("omar.h@acme.com");
    expect(res.data.aliases).toEqual(["omar@acme.com"]);
    expect((await call("GET", "/users/omar@acme.com")).data.primaryEmail).toBe("omar.h@acme.com");
  });

  it("holds at most 30 aliases per user", async () => {
    await call("POST", "/users", user("zs@acme.com"));
    for (let i = 0; i < 30; i++) {
      expect(
        (await call("POST", "/users/zs@acme.com/aliases", { alias: `a${i}@acme.com` })).status,
      ).toBe(201);
    }
    const res = await call("POST", "/users/zs@acme.com/aliases", { alias: "a30@acme.com" });
    expect(res.status).toBe(400);
    expect(res.data.error.message).toBe("Too many aliases for this user.");
    expect((await call("GET", "/users/zs@acme.com/aliases")).data.aliases).toHaveLength(30);
    expect((await call("DELETE", "/users/zs@acme.com/aliases/a0@acme.com")).status).toBe(204);
  });

  it("adds, refuses twice and removes group members", async () => {
    await call("POST", "/groups", { email: "team@acme.com", name: "Team" });
    expect((await call("POST", "/groups/team@acme.com/members", { email: "a@x.org" })).status).toBe(
      200,
    );
    const again = await call("POST", "/groups/team@acme.com/members", { email: "a@x.org" });
    expect(again.status).toBe(409);
    expect(again.data.error.message).toBe("Member already exists.");
    expect(
      (await call("GET", "/groups/team@acme.com/members")).data.members.map(
        (m: { email: string }) => m.email,
      ),
    ).toEqual(["a@x.org"]);
    expect((await call("DELETE", "/groups/team@acme.com/members/a@x.org")).status).toBe(204);
    expect(emu.allGroups()[0]!.memberEmails).toEqual([]);
  });

  it("answers 404 for N reads after a write when eventual consistency is on", async () => {
    emu.consistencyLag(2);
    await call("POST", "/users", user("new@acme.com"));
    await call("POST", "/groups", { email: "g@acme.com" });
    expect((await call("GET", "/users/new@acme.com")).status).toBe(404);
    expect(
      (await call("POST", "/groups/g@acme.com/members", { email: "new@acme.com" })).status,
    ).toBe(404);
    expect((await call("GET", "/users/new@acme.com")).status).toBe(200);
    expect(
      (await call("POST", "/groups/g@acme.com/members", { email: "new@acme.com" })).status,
    ).toBe(200);
  });

  it("serves group settings with string booleans, JSON only with alt=json, NONE_CAN_POST only archived", async () => {
    await call("POST", "/groups", { email: "inbox@acme.com", name: "Inbox" });
    const settings = `${url.replace(/\/admin\/directory\/v1$/, "")}/groups/v1/groups/inbox%40acme.com`;
    const at = async (method: string, query: string, body?: unknown) => {
      const res = await fetch(`${settings}${query}`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
    };
    expect((await at("GET", "")).type).toBe("application/atom+xml; charset=UTF-8");
    const json = JSON.parse((await at("GET", "?alt=json")).text);
    expect([json.enableCollaborativeInbox, json.archiveOnly, json.whoCanPostMessage]).toEqual([
      "false",
      "false",
      "ANYONE_CAN_POST",
    ]);
    const boolean = await at("PATCH", "?alt=json", { enableCollaborativeInbox: true });
    expect([boolean.status, JSON.parse(boolean.text).error.message]).toEqual([
      400,
      "Invalid Value: enableCollaborativeInbox must be a string",
    ]);
    const none = await at("PATCH", "?alt=json", { whoCanPostMessage: "NONE_CAN_POST" });
    expect([none.status, JSON.parse(none.text).error.message]).toEqual([
      400,
      "Invalid Value: whoCanPostMessage NONE_CAN_POST requires archiveOnly",
    ]);
    const archived = await at("PATCH", "?alt=json", {
      whoCanPostMessage: "NONE_CAN_POST",
      archiveOnly: "true",
      enableCollaborativeInbox: "true",
    });
    expect(archived.status).toBe(200);
    expect(JSON.parse(archived.text).enableCollaborativeInbox).toBe("true");
  });

  it("answers 403 userRateLimitExceeded beyond the rate limit", async () => {
    emu.setRateLimit(GoogleDirectoryEmulator.rateLimitOf({ limit: 2, windowMs: 60_000 }));
    await call("GET", "/users?domain=acme.com");
    await call("GET", "/users?domain=acme.com");
    const res = await call("GET", "/users?domain=acme.com");
    expect(res.status).toBe(403);
    expect(res.data.error.errors[0].reason).toBe("userRateLimitExceeded");
  });
});
