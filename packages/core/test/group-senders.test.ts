import { describe, expect, it } from "vitest";
import {
  checkCapabilities,
  groupSendersProblem,
  parseMailDomain,
  planAccounts,
  type MailDomainInput,
  type MailProviderCapabilities,
} from "../src/index";
import { errorOf, fullCapabilities as full } from "./fixtures";

/** Like Google Workspace: groups, no standalone aliases, senders not restricted through the API. */
const groupsOnly: MailProviderCapabilities = {
  ...full,
  standaloneAliases: false,
  sharedMailboxes: false,
  groupSenders: false,
};
/** Like Tencent Exmail: groups whose senders can be restricted. */
const exmailLike: MailProviderCapabilities = { ...groupsOnly, groupSenders: true };

const input: MailDomainInput = {
  domain: "acme.com",
  mailboxes: { ali: { name: "Ali", aliases: ["postmaster", "abuse"] }, zs: { name: "张三" } },
  groups: {
    team: { members: ["ali", "zs"], allowSenders: "members" },
    all: { members: ["ali", "zs"] },
  },
  shared: {
    info: { members: ["ali"], kind: "group", allowSenders: "anyone" },
    sales: { members: ["zs"], allowSenders: "organisation" },
  },
};

const lines = (i: MailDomainInput, caps: MailProviderCapabilities) =>
  checkCapabilities(parseMailDomain(i), caps, { provider: "p" }).map(
    (p) => `${p.path} [${p.feature}]: ${p.message}`,
  );

describe("allowSenders", () => {
  it("is refused where the provider cannot restrict senders, naming the field and value", () => {
    expect(lines(input, groupsOnly)).toEqual([
      `groups.team.allowSenders [groupSenders]: provider "p" cannot restrict who may send to a group (allowSenders: "members"); remove allowSenders and set it in the provider's admin console`,
      `shared.info.allowSenders [groupSenders]: provider "p" cannot restrict who may send to a group (allowSenders: "anyone"); remove allowSenders and set it in the provider's admin console`,
      `shared.sales.allowSenders [groupSenders]: provider "p" cannot restrict who may send to a group (allowSenders: "organisation"); remove allowSenders and set it in the provider's admin console`,
    ]);
    expect(groupSendersProblem("members", exmailLike)).toBeUndefined();
  });

  it("is refused on a shared address realised as an alias", () => {
    expect(lines({ ...input, groups: {}, shared: { sales: input.shared!.sales! } }, full)).toEqual([
      `shared.sales.allowSenders [groupSenders]: provider "p" realises it as an alias, which cannot restrict who may send to it (allowSenders: "organisation"); allowed only with kind: "group", else remove allowSenders`,
    ]);
  });

  it("passes where the provider enforces it, and the plan carries it only when declared", () => {
    const spec = parseMailDomain(input);
    expect(checkCapabilities(spec, exmailLike).filter((p) => p.feature === "groupSenders")).toEqual(
      [],
    );
    const plan = planAccounts(spec, { now: new Date("2026-12-01"), capabilities: exmailLike });
    expect(plan.groups.map((g) => [g.key, g.allowSenders ?? "(not declared)"]).sort()).toEqual([
      ["all", "(not declared)"],
      ["info", "anyone"],
      ["sales", "organisation"],
      ["team", "members"],
    ]);
    expect(Object.keys(plan.groups.find((g) => g.key === "all")!)).not.toContain("allowSenders");
  });

  it("accepts only the three values, with the path in the error", () => {
    expect(
      errorOf(() =>
        parseMailDomain({
          ...input,
          groups: { team: { members: ["ali"], allowSenders: "everyone" as never } },
        }),
      ),
    ).toContain("groups.team.allowSenders");
  });
});
