import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  AuthError,
  ConflictError,
  NotFoundError,
  ProviderError,
  RateLimitedError,
} from "../../src/errors";
import {
  API_MESSAGE_MAX,
  Redactor,
  apiErrorMessage,
  connectionStringSecrets,
  cutText,
  isCredentialKey,
  redact,
  redactValue,
  secretForms,
  secretsInBody,
} from "../../src/http/errors";
import { expectNoSecrets } from "../contract/redaction";

describe("secretForms", () => {
  it("lists every echo form of a secret once", () => {
    expect(secretForms('é/"')).toEqual([
      'é/"',
      'é/\\"',
      'é\\/\\"',
      '\\u00e9/\\"',
      '\\u00E9/\\"',
      '\\u00e9\\/\\"',
      'é/\\\\\\"',
      "%C3%A9%2F%22",
      "%c3%a9%2f%22",
      "w6kvIg==",
      "w6kvIg",
    ]);
    expect(secretForms("")).toEqual([]);
    // A lone surrogate does not throw (encodeURIComponent alone would): encoded as U+FFFD.
    expect(secretForms("\ud800x")).toContain("%EF%BF%BDx");
  });
});

describe("Redactor.text", () => {
  it("redacts a long secret everywhere, a short one only where it stands as a word", () => {
    expect(redact('Password "ab" is too short; about abc, ab.', ["ab"])).toBe(
      'Password "[redacted]" is too short; about abc, [redacted].',
    );
    // The price of a one-letter password: the word "a" goes too (documented policy).
    expect(redact("a password is a must", ["a"])).toBe("[redacted] password is [redacted] must");
    expect(redact("pass word password", ["pass"])).toBe("[redacted] word [redacted]word");
  });

  it("catches credential fields in text by name, leaving prose alone", () => {
    const r = new Redactor([]);
    expect(r.text("GET /x?api_key=abc123&b=2 failed")).toBe("GET /x?api_key=[redacted]&b=2 failed");
    expect(r.text("dsn host=db sslpassword=xyz user=mail")).toBe(
      "dsn host=db sslpassword=[redacted] user=mail",
    );
    expect(r.text('got {"token":"zzz","a":1,"password_method":"password"}')).toBe(
      'got {"token":"[redacted]","a":1,"password_method":"password"}',
    );
    expect(r.text("password: can't be blank; password_method=password; bypass=1")).toBe(
      "password: can't be blank; password_method=password; bypass=1",
    );
  });

  it("redacts Basic and Bearer tokens it does not know, not the word after Basic", () => {
    const r = new Redactor([]);
    expect(r.text("Authorization: Bearer eyJhbGciOi.abc")).toBe("Authorization: Bearer [redacted]");
    expect(r.text("Authorization: Basic dXNlcjpwYXNz")).toBe("Authorization: Basic [redacted]");
    expect(r.text("Basic authentication required")).toBe("Basic authentication required");
  });

  it("repeats until a secret formed by a replacement is gone too", () => {
    expect(redact("x] y", ["x", "]"])).toBe("[redacted][redacted] y");
  });
});

describe("Redactor.value", () => {
  it("replaces credential fields whole, walks error lists, and redacts keys and numbers", () => {
    expect(
      redactValue(
        {
          password: "anything",
          password_method: "password",
          password_recovery_email: "r@x.org",
          apiKey: "k",
          "X-API-Key": "k2",
          token_type: "bearer",
          errors: { password: ["is too short"] },
          nested: [{ client_secret: "s", empty: "" }],
          pin: 1234,
          note: "pin 1234 refused",
          "1234": "as a key",
        },
        ["1234"],
      ),
    ).toEqual({
      password: "[redacted]",
      password_method: "password",
      password_recovery_email: "r@x.org",
      apiKey: "[redacted]",
      "X-API-Key": "[redacted]",
      token_type: "bearer",
      errors: { password: ["is too short"] },
      nested: [{ client_secret: "[redacted]", empty: "" }],
      pin: "[redacted]",
      note: "pin [redacted] refused",
      "[redacted]": "as a key",
    });
  });

  it("replaces a short secret that is a whole value", () => {
    expect(redactValue({ given: ["7", "x7y", 7] }, ["7"])).toEqual({
      given: ["[redacted]", "x7y", "[redacted]"],
    });
  });
});

describe("isCredentialKey and secretsInBody", () => {
  it.each([
    ["password", true],
    ["passwd", true],
    ["sslpassword", true],
    ["api_key", true],
    ["apiKey", true],
    ["X-API-Key", true],
    ["client_secret", true],
    ["clientSecret", true],
    ["authorization", true],
    ["access_key", true],
    ["privateKey", true],
    ["refreshToken", true],
    ["password_method", false],
    ["password_recovery_email", false],
    ["token_type", false],
    ["auth_url", false],
    ["key", false],
    ["dkim_key", false],
    ["local_part", false],
    ["passage", false],
    ["bypass", false],
  ])("%s → %s", (key, expected) => {
    expect(isCredentialKey(key)).toBe(expected);
  });

  it("collects credential values of a request body at any depth", () => {
    expect(
      secretsInBody({
        password: "p",
        password_method: "password",
        password_recovery_email: "a@b.org",
        nested: { api_key: "k" },
        list: [{ token: "t" }],
      }),
    ).toEqual(["p", "k", "t"]);
  });
});

describe("connectionStringSecrets", () => {
  it("returns the password raw and decoded, and credential parameters", () => {
    expect(
      connectionStringSecrets("postgresql://mail:p%40ss%2Fw@db:5432/mail?sslpassword=xyz"),
    ).toEqual(["p%40ss%2Fw", "p@ss/w", "xyz"]);
    expect(connectionStringSecrets("postgresql://mail@db/mail")).toEqual([]);
    expect(connectionStringSecrets("postgresql://mail:p w@x@bad host/mail")).toEqual(["p w@x"]);
  });
});

describe("apiErrorMessage", () => {
  it("redacts before cutting, so no part of a secret near the cut shows", () => {
    const key = "K".repeat(5) + "0123456789abcdefghij";
    const text = `${"e".repeat(290)} ${key} tail`;
    expect(apiErrorMessage(text, new Redactor([key]))).toBe(`${"e".repeat(290)} [redacted…`);
    expect(cutText("😀".repeat(5), 3)).toBe("😀😀😀…");
    expect(API_MESSAGE_MAX).toBe(300);
  });

  it("takes an `error` object's message, else shows it as redacted JSON", () => {
    const r = new Redactor(["hunter22"]);
    expect(apiErrorMessage('{"error":{"code":409,"message":"Entity already exists."}}', r)).toBe(
      "Entity already exists.",
    );
    expect(apiErrorMessage('{"error":{"code":"x","given":"hunter22"}}', r)).toBe(
      '{"code":"x","given":"[redacted]"}',
    );
    expect(apiErrorMessage('{"status":{"code":500,"description":"hunter22"}}', r)).toBe(
      '{"status":{"code":500,"description":"[redacted]"}}',
    );
    expect(apiErrorMessage("   ", r)).toBeUndefined();
  });
});

describe("typed errors", () => {
  it.each([NotFoundError, ConflictError, RateLimitedError, AuthError, ProviderError])(
    "%o carries provider, operation, status and message only",
    (Type) => {
      const err = new Type({
        provider: "migadu",
        operation: "createMailbox",
        status: 400,
        apiMessage: "name can't be blank",
      });
      expect(JSON.parse(JSON.stringify(err))).toEqual({
        name: Type.name,
        kind: err.kind,
        provider: "migadu",
        operation: "createMailbox",
        status: 400,
        apiMessage: "name can't be blank",
      });
      expect(err.cause).toBeUndefined();
      expect(inspect(err)).toContain("name can't be blank");
      expectNoSecrets(err, ["hunter22"]);
    },
  );
});
