import { spawn } from "node:child_process";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MigaduEmulator } from "./migadu";

const USER = "admin@acme.com";
const KEY = "emu-key-123456";
let emu: MigaduEmulator;
let url: string;

interface Res {
  status: number;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A minimal JSON client over fetch (the emulator is what is under test here). */
function api(auth = { username: USER, password: KEY }, base?: string) {
  const call = async (method: string, p: string, body?: unknown): Promise<Res> => {
    const res = await fetch(`${base ?? url}${p}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`,
        "content-type": "application/json",
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, data: text ? JSON.parse(text) : undefined };
  };
  return {
    get: (p: string) => call("GET", p),
    post: (p: string, body: unknown) => call("POST", p, body),
  };
}

beforeEach(async () => {
  emu = new MigaduEmulator({ user: USER, apiKey: KEY, domains: ["acme.com"] });
  url = await emu.start();
});
afterEach(() => emu.stop());

describe("Migadu emulator", () => {
  it("answers 401 to bad Basic auth and 404 for an unknown domain, with Migadu's error body", async () => {
    const bad = await api({ username: USER, password: "nope" }).get("/domains/acme.com/mailboxes");
    expect([bad.status, bad.data]).toEqual([401, { error: "Unauthorized" }]);
    const unknown = await api().get("/domains/other.org/mailboxes");
    expect([unknown.status, unknown.data]).toEqual([404, { error: "Domain not found" }]);
  });

  it("creates mailboxes with documented fields and validates them with 422", async () => {
    const created = await api().post("/domains/acme.com/mailboxes", {
      local_part: "ali",
      name: "Ali",
      password: "long-enough",
    });
    expect(created.status).toBe(200);
    expect(created.data).toMatchObject({
      local_part: "ali",
      domain_name: "acme.com",
      address: "ali@acme.com",
      password_method: "password",
      may_receive: true,
      storage_usage: 0,
    });
    expect(created.data).not.toHaveProperty("password");
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { local_part: "ali", name: "x", password: "long-enough" },
        "Address ali@acme.com has already been taken",
      ],
      [{ local_part: "b c", name: "x", password: "long-enough" }, 'local_part is invalid: "b c"'],
      [
        { local_part: "bo", name: "x", password: "short" },
        "password is too short (minimum is 8 characters)",
      ],
      [
        { local_part: "bo", name: "x", password_method: "invitation" },
        "password_recovery_email is required for the invitation method",
      ],
    ];
    for (const [body, message] of cases) {
      const res = await api().post("/domains/acme.com/mailboxes", body);
      expect([res.status, res.data]).toEqual([422, { error: message }]);
    }
    expect(emu.mailboxes("acme.com").map((m) => m.local_part)).toEqual(["ali"]);
  });

  it("takes alias destinations comma-separated and returns them as an array under address_aliases", async () => {
    const res = await api().post("/domains/acme.com/aliases", {
      local_part: "info",
      destinations: "a@acme.com, b@example.net",
    });
    expect(res.data.destinations).toEqual(["a@acme.com", "b@example.net"]);
    const list = await api().get("/domains/acme.com/aliases");
    expect(list.data.address_aliases.map((a: { address: string }) => a.address)).toEqual([
      "info@acme.com",
    ]);
    const missing = await api().get("/domains/acme.com/aliases/nope");
    expect([missing.status, missing.data]).toEqual([404, { error: "Alias not found" }]);
  });

  it("serves identities, forwardings and rewrites", async () => {
    emu.putMailbox("acme.com", { local_part: "ali", name: "Ali" });
    await api().post("/domains/acme.com/mailboxes/ali/identities", {
      local_part: "ceo",
      name: "CEO",
    });
    expect(emu.mailbox("acme.com", "ali")!.identities).toEqual(["ceo@acme.com"]);
    const fw = await api().post("/domains/acme.com/mailboxes/ali/forwardings", {
      address: "x@example.net",
    });
    expect(fw.data).toMatchObject({ address: "x@example.net", is_active: false });
    const rw = await api().post("/domains/acme.com/rewrites", {
      name: "demo",
      local_part_rule: "demo-*",
      destinations: "ali@acme.com",
    });
    expect(rw.data).toEqual({
      name: "demo",
      domain_name: "acme.com",
      local_part_rule: "demo-*",
      order_num: 0,
      destinations: ["ali@acme.com"],
    });
    expect(emu.countsByRoute()).toEqual({
      "POST /domains/:domain/mailboxes/:local_part/identities": 1,
      "POST /domains/:domain/mailboxes/:local_part/forwardings": 1,
      "POST /domains/:domain/rewrites": 1,
    });
  });

  it("snapshot() is the whole store as sorted JSON; seed() restores it in another emulator", async () => {
    await api().post("/domains/acme.com/mailboxes", {
      local_part: "zs",
      name: "Zhang San",
      password: "Zs-secret-1",
    });
    emu.putMailbox("acme.com", { local_part: "ali", name: "Ali" });
    await api().post("/domains/acme.com/mailboxes/ali/forwardings", { address: "x@example.net" });
    emu.putAlias("acme.com", "hr", ["ali@acme.com"]);
    const snap = emu.snapshot();
    expect(Object.keys(snap)).toEqual(["acme.com"]);
    expect(Object.keys(snap["acme.com"]!.mailboxes)).toEqual(["ali", "zs"]);
    expect(snap["acme.com"]!.passwords).toEqual({ zs: "Zs-secret-1" });
    expect(Object.keys(snap["acme.com"]!.forwardings.ali!)).toEqual(["x@example.net"]);
    expect(snap["acme.com"]!.aliases.hr!.destinations).toEqual(["ali@acme.com"]);

    const other = new MigaduEmulator({ user: USER, apiKey: KEY, domains: ["other.org"] });
    const otherUrl = await other.start();
    try {
      other.seed(JSON.parse(JSON.stringify(snap)));
      expect(JSON.stringify(other.snapshot())).toBe(JSON.stringify(snap));
      // Served from the seeded store; the snapshot's domains replace the hosted ones.
      const list = await api(undefined, otherUrl).get("/domains/acme.com/mailboxes");
      expect(list.data.mailboxes.map((m: { address: string }) => m.address)).toEqual([
        "ali@acme.com",
        "zs@acme.com",
      ]);
      const gone = await api(undefined, otherUrl).get("/domains/other.org/mailboxes");
      expect([gone.status, gone.data]).toEqual([404, { error: "Domain not found" }]);
      // A copy: changing the seeded emulator leaves the snapshot as it was.
      other.patchMailbox("acme.com", "ali", { name: "Changed" });
      expect(snap["acme.com"]!.mailboxes.ali!.name).toBe("Ali");
    } finally {
      await other.stop();
    }
  });

  it("answers 403 over its rate limit (60 per 2 minutes by default)", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 62; i++)
      statuses.push((await api().get("/domains/acme.com/mailboxes")).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses.slice(60)).toEqual([403, 403]);
  });

  it("runs as a process and prints its URL", async () => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        path.join(__dirname, "migadu-server.ts"),
        "--domain",
        "acme.com",
        "--rate-limit",
        "off",
      ],
      {
        env: { ...process.env, MIGADU_USER: USER, MIGADU_API_KEY: KEY },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          const m = /MIGADU_API_URL=(\S+)/.exec(d.toString());
          if (m) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`exited ${code}`)));
      });
      expect(line).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const res = await api(undefined, line).get("/domains/acme.com/mailboxes");
      expect(res.data).toEqual({ mailboxes: [] });
    } finally {
      child.kill("SIGTERM");
    }
  });
});
