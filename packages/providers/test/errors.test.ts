import { describe, expect, it } from "vitest";
import { ConflictError, MailProviderError, NotFoundError, RateLimitedError } from "../src/errors";
import { AuthError, ProviderError } from "../src/errors";

describe("typed provider errors", () => {
  it("formats provider, operation, status and the API message", () => {
    const err = new NotFoundError({
      provider: "migadu",
      operation: "getMailbox",
      status: 404,
      apiMessage: "Mailbox not found",
    });
    expect(err).toBeInstanceOf(MailProviderError);
    expect(err.kind).toBe("NotFound");
    expect(err.name).toBe("NotFoundError");
    expect(err.message).toBe("migadu getMailbox failed: NotFound (HTTP 404): Mailbox not found");
  });

  it("keeps retryAfterMs for rate limits and omits an absent status", () => {
    const err = new RateLimitedError({ provider: "migadu", operation: "list", retryAfterMs: 1500 });
    expect(err.retryAfterMs).toBe(1500);
    expect(err.message).toBe("migadu list failed: RateLimited");
  });

  it("accepts an explicit message", () => {
    const err = new ConflictError({ provider: "p", operation: "o" }, "exists; use pulumi import");
    expect(err.message).toBe("exists; use pulumi import");
  });

  it("gives each class its kind, name and instanceof, and no other class's", () => {
    const classes = [NotFoundError, ConflictError, RateLimitedError, AuthError, ProviderError];
    const details = { provider: "p", operation: "o" };
    expect(
      classes.map((C) => {
        const err = new C(details);
        return [
          C.name,
          err.kind,
          err.name,
          err instanceof Error && err instanceof MailProviderError,
          classes.filter((other) => err instanceof other).map((other) => other.name),
        ];
      }),
    ).toEqual([
      ["NotFoundError", "NotFound", "NotFoundError", true, ["NotFoundError"]],
      ["ConflictError", "Conflict", "ConflictError", true, ["ConflictError"]],
      ["RateLimitedError", "RateLimited", "RateLimitedError", true, ["RateLimitedError"]],
      ["AuthError", "Auth", "AuthError", true, ["AuthError"]],
      ["ProviderError", "ProviderError", "ProviderError", true, ["ProviderError"]],
    ]);
  });
});
