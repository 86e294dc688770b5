import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MailProviderError, type ProviderErrorKind } from "../../src/errors";
import { MigaduClient } from "../../src/mail/migadu/client";
import { PowerDnsClient } from "../../src/dns/powerdns/client";
import {
  HOSTILE_API_KEY,
  HostileServer,
  expectNoSecrets,
  findSecrets,
  hostileCases,
  type HostileCase,
  type SecretRole,
  type SeenRequest,
} from "../contract/redaction";

const USER = "admin@example.org";
const basic = (key: string) => Buffer.from(`${USER}:${key}`).toString("base64");

let server: HostileServer;
beforeAll(async () => {
  server = new HostileServer();
  await server.start();
});
afterAll(() => server.stop());

const kindOf = (status: number): ProviderErrorKind =>
  status === 429
    ? "RateLimited"
    : status === 401 || status === 403
      ? "Auth"
      : status === 404
        ? "NotFound"
        : status === 409
          ? "Conflict"
          : "ProviderError";

/** One adapter client under the contract: how it plants each role's secret and calls. */
interface Runner {
  provider: string;
  roles: readonly SecretRole[];
  /** Sends one request planting `secret` in `role`; returns the operation name and the error. */
  call: (role: SecretRole, secret: string) => Promise<{ operation: string; err: unknown }>;
  /** Every secret in play for the call (the planted one and the fixed credentials). */
  secrets: (role: SecretRole, secret: string) => string[];
}

const migadu = (apiKey: string) =>
  new MigaduClient({
    baseUrl: `${server.url}/v1`,
    user: USER,
    apiKey,
    budget: { ratePerSecond: 1000, burst: 1000 },
    retry: { maxAttempts: 1 },
  });

const runners: Runner[] = [
  {
    provider: "migadu",
    roles: ["password", "apiKey"],
    secrets: (role, secret) =>
      role === "password"
        ? [secret, HOSTILE_API_KEY, basic(HOSTILE_API_KEY)]
        : [secret, basic(secret)],
    call: async (role, secret) => {
      if (role === "apiKey") {
        const err = await migadu(secret)
          .getMailbox("example.org", "zhangsan")
          .catch((e: unknown) => e);
        return { operation: "getMailbox", err };
      }
      const err = await migadu(HOSTILE_API_KEY)
        .createMailbox(
          "example.org",
          {
            local_part: "zhangsan",
            name: "Zhang San",
            password_method: "password",
            password: secret,
          },
          async () => undefined,
        )
        .catch((e: unknown) => e);
      return { operation: "createMailbox", err };
    },
  },
  {
    provider: "powerdns",
    roles: ["apiKey"],
    secrets: (_role, secret) => [secret],
    call: async (_role, secret) => {
      const saved = process.env.PDNS_API_KEY;
      process.env.PDNS_API_KEY = secret;
      try {
        const client = new PowerDnsClient({ apiUrl: server.url, zone: "acme.com" });
        const err = await client
          .patchRRsets([{ name: "acme.com", type: "TXT", ttl: 300, records: ['"v=spf1 -all"'] }])
          .catch((e: unknown) => e);
        return { operation: "patchRRsets", err };
      } finally {
        if (saved === undefined) delete process.env.PDNS_API_KEY;
        else process.env.PDNS_API_KEY = saved;
      }
    },
  },
];

afterEach(() => {
  server.seen.length = 0;
});

for (const runner of runners) {
  describe(`${runner.provider}: no secret survives a hostile error response`, () => {
    const cases = hostileCases.filter((c) => runner.roles.includes(c.role));
    it.each(cases.map((c): [string, HostileCase] => [c.name, c]))("%s", async (_name, c) => {
      server.reply = (req) => ({
        status: c.status,
        body: c.body(c.secret, req),
        headers: c.headers,
      });
      const { operation, err } = await runner.call(c.role, c.secret);
      const seen = server.seen.at(-1) as SeenRequest;
      expect(err).toBeInstanceOf(MailProviderError);
      expectNoSecrets(err, runner.secrets(c.role, c.secret), { partial: c.partial });
      const e = err as MailProviderError;
      const apiMessage = typeof c.apiMessage === "string" ? c.apiMessage : c.apiMessage(seen);
      expect(e.kind).toBe(kindOf(c.status));
      expect(e.message).toBe(
        `${runner.provider} ${operation} failed: ${e.kind} (HTTP ${c.status}): ${apiMessage}`,
      );
      expect(e.apiMessage).toBe(apiMessage);
      expect(e.cause).toBeUndefined();
    });

    it("a dropped connection leaves no request body or credential in the error", async () => {
      server.reply = () => ({ drop: true });
      const role = runner.roles[0]!;
      const secret = role === "password" ? "hunter2-xyz" : HOSTILE_API_KEY;
      const { err } = await runner.call(role, secret);
      expect(err).toBeInstanceOf(MailProviderError);
      expect((err as MailProviderError).cause).toBeUndefined();
      expectNoSecrets(err, runner.secrets(role, secret));
    });
  });
}

describe("expectNoSecrets", () => {
  it("finds a secret in the cause chain, a hidden property and a partial cut", () => {
    const inner = new Error("upstream said Basic c2VjcmV0LXZhbHVl");
    const err = new Error("outer", { cause: inner });
    expect(findSecrets(err, ["secret-value"])).toContain(
      'err.cause.message shows "c2VjcmV0LXZhbHVl"',
    );
    const hidden = new Error("clean");
    Object.defineProperty(hidden, "config", { value: { data: '{"password":"a\\"b12"}' } });
    expect(findSecrets(hidden, ['a"b12'])).toContain('err.config.data shows "a\\\\\\"b12"');
    expect(findSecrets(new Error("key abcdef…"), ["abcdefghij"], { partial: 6 })).toEqual([
      'err.message shows part "abcdef"',
      'err.stack shows part "abcdef"',
      'String(err) shows part "abcdef"',
      'inspect(err) shows part "abcdef"',
    ]);
  });

  it("checks a short secret as a word only", () => {
    expect(findSecrets(new Error("a password is required"), ["a"])).toEqual([
      'err.message shows "a"',
      'err.stack shows "a"',
      'String(err) shows "a"',
    ]);
    // JSON's own quotes are not a `"` password; the string itself is what counts.
    expect(findSecrets(new Error('say " hi'), ['"'])).toEqual([
      'err.message shows "\\""',
      'err.stack shows "\\""',
      'String(err) shows "\\""',
    ]);
    expect(findSecrets(new Error("x"), ['"'])).toEqual([]);
    expect(findSecrets(new Error("the password is required"), ["a"])).toEqual([]);
  });
});
