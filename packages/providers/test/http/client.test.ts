import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { Emulator } from "../../../../test/emulators/framework";
import {
  AuthError,
  ConflictError,
  NotFoundError,
  ProviderError,
  RateLimitedError,
} from "../../src/errors";
import { HttpClient, type HttpClientConfig } from "../../src/http/client";

let emu: Emulator;
let calls = 0;
const SECRET = "tok_very_secret_value_42";

function client(extra: Partial<HttpClientConfig> = {}): HttpClient {
  return new HttpClient({
    provider: "test",
    baseUrl: emu.url,
    auth: { username: "ops@example.org", password: SECRET },
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...extra,
  });
}

beforeEach(async () => {
  calls = 0;
  emu = new Emulator({ name: "test", basePath: "/api" });
  emu.route("GET", "/things/:id", (req) =>
    req.params.id === "missing"
      ? { status: 404, body: { message: "no such thing" } }
      : { status: 200, body: { id: req.params.id } },
  );
  emu.route("POST", "/things", () => {
    calls += 1;
    return { status: 200, body: { id: String(calls) } };
  });
  emu.route("GET", "/status/:code", (req) => ({
    status: Number(req.params.code),
    body: { error: `status ${req.params.code}` },
  }));
  await emu.start();
});
afterEach(() => emu.stop());

const thing = z.object({ id: z.string() });

describe("HttpClient", () => {
  it("validates a JSON response with zod", async () => {
    expect(
      await client().request({ operation: "get", method: "GET", path: "/things/7", schema: thing }),
    ).toEqual({
      id: "7",
    });
  });

  it.each([
    [401, AuthError, "test op failed: Auth (HTTP 401): status 401"],
    [403, AuthError, "test op failed: Auth (HTTP 403): status 403"],
    [404, NotFoundError, "test op failed: NotFound (HTTP 404): status 404"],
    [409, ConflictError, "test op failed: Conflict (HTTP 409): status 409"],
    [422, ProviderError, "test op failed: ProviderError (HTTP 422): status 422"],
  ])("maps HTTP %i to a typed error without retrying", async (code, type, message) => {
    const err = await client()
      .request({ operation: "op", method: "GET", path: `/status/${code}` })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    expect((err as Error).message).toBe(message);
    expect(emu.count()).toBe(1);
  });

  it("honours Retry-After given as an HTTP date", async () => {
    const at = new Date(Date.now() + 2000);
    at.setMilliseconds(0);
    emu.inject({ kind: "status", status: 429, headers: { "retry-after": at.toUTCString() } });
    const started = Date.now();
    await client().request({ operation: "get", method: "GET", path: "/things/1" });
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime() - 5);
    expect(Date.now() - started).toBeLessThan(2600);
  });

  it("fails as RateLimited with retryAfterMs when Retry-After is longer than it will wait", async () => {
    emu.inject({ kind: "status", status: 429, headers: { "retry-after": "600" } });
    const err = await client()
      .request({ operation: "get", method: "GET", path: "/things/1" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(600_000);
  });

  it("gives up after maxAttempts of 5xx", async () => {
    emu.inject({ kind: "status", status: 503, times: 3, body: { error: "down" } });
    const err = await client({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 } })
      .request({ operation: "get", method: "GET", path: "/things/1" })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe("test get failed: ProviderError (HTTP 503): down");
    expect(emu.count()).toBe(3);
  });

  it("does not resend a POST after a dropped connection unless verify says it did not happen", async () => {
    emu.inject({ kind: "drop", when: "after", method: "POST" });
    const err = await client()
      .request({ operation: "create", method: "POST", path: "/things", body: { a: 1 } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as Error).message).toMatch(
      /^test create failed: ProviderError: ECONNRESET: socket hang up \(POST \/things\)$/,
    );
    expect(calls).toBe(1);

    emu.inject({ kind: "drop", when: "before", method: "POST" });
    const res = await client().request({
      operation: "create",
      method: "POST",
      path: "/things",
      schema: thing,
      verify: async () => undefined,
    });
    expect(res).toEqual({ id: "2" });
    expect(calls).toBe(2);
  });

  it("retries GETs after a dropped connection", async () => {
    emu.inject({ kind: "drop", when: "before", method: "GET", times: 2 });
    expect(
      await client().request({ operation: "get", method: "GET", path: "/things/3", schema: thing }),
    ).toEqual({
      id: "3",
    });
    expect(emu.log.map((r) => r.status)).toEqual(["dropped", "dropped", 200]);
  });

  it("keeps credentials out of network errors", async () => {
    await emu.stop();
    const err = await client({ retry: { maxAttempts: 1 } })
      .request({ operation: "get", method: "GET", path: "/things/1", body: { token: SECRET } })
      .catch((e: unknown) => e);
    for (const text of [(err as Error).message, JSON.stringify(err), inspect(err, { depth: 10 })]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(Buffer.from(`ops@example.org:${SECRET}`).toString("base64"));
    }
    expect(Object.keys(err as object).sort()).toEqual([
      "apiMessage",
      "kind",
      "name",
      "operation",
      "provider",
      "retryAfterMs",
      "status",
    ]);
  });
});
