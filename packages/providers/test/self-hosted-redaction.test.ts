/**
 * The redaction contract for the self-hosted store's errors: a postgres connection string's
 * password (raw, percent-encoded, or as a `password=` parameter) shows in no error. The
 * connections go to 127.0.0.1:1 (refused at once) or fail to parse; nothing listens.
 */
import { describe, expect, it } from "vitest";
import { MailProviderError } from "../src/errors";
import { connectionStringSecrets } from "../src/http/errors";
import { SelfHostedProvider } from "../src/mail/self-hosted/adapter";
import { expectNoSecrets } from "./contract/redaction";

describe("selfHosted: no connection-string password in store errors", () => {
  it.each([
    [
      "postgresql://mail:Pw%23S3cret%20x@127.0.0.1:1/mail",
      ["Pw#S3cret x"],
      "connect ECONNREFUSED 127.0.0.1:1",
    ],
    ["postgresql://mail:Pw S3cret#x@bad host:zz/mail", ["Pw S3cret#x"], "Invalid URL"],
    [
      "postgresql://mail@127.0.0.1:1/mail?password=S3cretQP",
      ["S3cretQP"],
      "connect ECONNREFUSED 127.0.0.1:1",
    ],
  ])("%s", async (connectionString, passwords, apiMessage) => {
    const provider = new SelfHostedProvider({ type: "postgres", connectionString });
    try {
      const err = await provider.listDomainAliases("acme.test").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MailProviderError);
      expect((err as MailProviderError).message).toBe(
        `selfHosted listDomainAliases failed: ProviderError: ${apiMessage}`,
      );
      expect((err as MailProviderError).cause).toBeUndefined();
      expectNoSecrets(err, [...passwords, ...connectionStringSecrets(connectionString)]);
    } finally {
      await provider.close().catch(() => undefined);
    }
  });
});
