/**
 * What the contract harnesses share: the leak test's mailbox create, made after the harness told
 * its test double to answer with an error that echoes the secrets.
 */
import type { MailProvider } from "../../src/adapter";
import type { MailProviderError } from "../../src/errors";

/** A password with a quote, a slash and a non-ASCII character (the leak tests' default). */
export const LEAKY_PASSWORD = 'Pw"with/€-and-more';

/**
 * Creates the mailbox `leaky` with `password`; returns what it threw (undefined when it
 * succeeded) with the secrets the error must not show.
 */
export async function createLeaky(
  provider: MailProvider,
  domain: string,
  password: string,
  secrets: string[],
): Promise<{ error: unknown; secrets: string[] }> {
  const error = await provider
    .createMailbox({
      domain,
      localPart: "leaky",
      name: "Leaky",
      suspended: false,
      aliases: [],
      forwardTo: [],
      password,
    })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  return { error, secrets };
}

/**
 * A person's mailbox input: named `Person <localPart>`, active, without aliases or forwarding,
 * with the password `Pw-<localPart>-0123456789`; `extra` overrides any field.
 */
export const mailboxInput = (
  domain: string,
  localPart: string,
  extra: Record<string, unknown> = {},
) => ({
  domain,
  localPart,
  name: `Person ${localPart}`,
  suspended: false,
  aliases: [] as string[],
  forwardTo: [] as string[],
  password: `Pw-${localPart}-0123456789`,
  ...extra,
});

/** What a promise rejects with; the test fails when it resolves. */
export const failure = <E = MailProviderError>(p: Promise<unknown>): Promise<E> =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e as E,
  );
