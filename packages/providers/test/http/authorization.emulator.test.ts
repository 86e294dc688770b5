import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Emulator } from "../../../../test/emulators/framework";
import { HttpClient } from "../../src/http/client";

let emu: Emulator;
const seen: (string | undefined)[] = [];

beforeEach(async () => {
  seen.length = 0;
  emu = new Emulator({ name: "auth", basePath: "/api" });
  emu.route("GET", "/me", (req) => {
    seen.push(req.headers.authorization);
    return req.headers.authorization === "Bearer tok-2"
      ? { status: 200, body: { ok: true } }
      : { status: 503, body: { error: `token ${req.headers.authorization} not yet` } };
  });
  emu.route("GET", "/echo", (req) => ({
    status: 400,
    body: { error: `bad header ${req.headers.authorization}` },
  }));
  await emu.start();
});
afterEach(() => emu.stop());

describe("HttpClient authorization", () => {
  it("reads the Authorization header for each attempt, so a refreshed token is used on retry", async () => {
    let n = 0;
    const client = new HttpClient({
      provider: "test",
      baseUrl: emu.url,
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
      authorization: async () => `Bearer tok-${++n}`,
    });
    expect(await client.request({ operation: "me", method: "GET", path: "/me" })).toEqual({
      ok: true,
    });
    expect(seen).toEqual(["Bearer tok-1", "Bearer tok-2"]);
  });

  it("redacts the header value and the bare token from errors", async () => {
    const client = new HttpClient({
      provider: "test",
      baseUrl: emu.url,
      authorization: async () => "Bearer ya29.secret-token-value",
    });
    const error = await client
      .request({ operation: "echo", method: "GET", path: "/echo" })
      .catch((e: unknown) => e as Error);
    expect(String((error as Error).message)).not.toContain("secret-token-value");
    expect((error as Error).message).toContain("bad header");
  });
});
