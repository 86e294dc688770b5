/**
 * One capability check with one set of messages: the runtime's `check` of every account resource
 * refuses, at preview, a kind its provider cannot realise with core's `accountKindProblem`
 * wording, the same that MailDomain and createAccountResources use.
 */
import { accountKindProblem, type AccountKind } from "@mailplane/core";
import { capabilities } from "@mailplane/providers";
import { beforeAll, describe, expect, it } from "vitest";
import * as runtime from "../src/runtime/index";

const none = capabilities({});
const common = { apiUrl: "http://127.0.0.1:1", domain: "acme.com" };
const inputs: Record<AccountKind, Record<string, unknown>> = {
  mailbox: { ...common, localPart: "ali", name: "Ali" },
  alias: { ...common, localPart: "hr", destinations: ["ali@acme.com"] },
  group: { ...common, localPart: "team", name: "Team", members: ["ali@acme.com"] },
  catchAll: { ...common, destinations: ["ali@acme.com"] },
  domainAlias: { ...common, aliasDomain: "acme.co" },
};
const resources = {
  mailbox: runtime.mailbox,
  alias: runtime.alias,
  group: runtime.group,
  catchAll: runtime.catchAll,
  domainAlias: runtime.domainAlias,
} as const;

beforeAll(() => {
  const never = () => {
    throw new Error("no adapter is built at check time");
  };
  runtime.registerMailAdapter("nothing", {
    capabilities: none,
    credentials: () => ({}),
    create: never,
  });
  runtime.registerMailAdapter("everything", {
    capabilities: capabilities({
      mailboxes: true,
      aliasesPerMailbox: Infinity,
      standaloneAliases: true,
      groups: true,
      catchAll: true,
      domainAliases: true,
    }),
    credentials: () => ({}),
    create: never,
  });
});

describe.each(Object.keys(resources) as AccountKind[])("%s check", (kind) => {
  it("refuses a provider without the capability, in core's wording", async () => {
    const { failures } = await resources[kind].check(
      {},
      { ...inputs[kind], mailProvider: "nothing" },
    );
    expect(failures).toEqual([
      {
        property: "mailProvider",
        reason: `mailProvider "nothing" ${accountKindProblem(kind, none)!.message}`,
      },
    ]);
  });

  it("accepts a provider that has it", async () => {
    const { failures } = await resources[kind].check(
      {},
      { ...inputs[kind], mailProvider: "everything" },
    );
    expect(failures).toEqual([]);
  });
});

it("words each kind once", () => {
  expect(
    Object.fromEntries(
      (Object.keys(resources) as AccountKind[]).map((k) => [
        k,
        accountKindProblem(k, none)?.message,
      ]),
    ),
  ).toEqual({
    mailbox: "has no mailboxes; use another provider",
    alias:
      "has no standalone aliases; add the address to a mailbox's aliases or use another provider",
    group: "has no groups; use another provider",
    catchAll: "has no catch-all; declare each address instead",
    domainAlias: "has no domain aliases; declare a separate MailDomain for each alias domain",
  });
});
