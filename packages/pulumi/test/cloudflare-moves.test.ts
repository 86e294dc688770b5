/**
 * Cloudflare Email Routing: an address moved between kinds (an alias ↔ a shared address; it has
 * no groups) keeps its
 * `EmailRoutingRule`. The rule's child name follows the kind, so each rule names the other kinds'
 * names as Pulumi aliases: the engine then takes the old rule for the new name (same inputs: no
 * change at Cloudflare) instead of creating a second rule and deleting the first. The Cloudflare
 * plugin cannot run here, so this reads the aliases from the register requests the program sends.
 */
import { beforeAll, expect, it } from "vitest";
import { MailDomain, dns, providers } from "@mailplane/pulumi";
import { CLOUDFLARE_ROUTING_DNS } from "./dns-fixtures";
import { captureRegisterRequests, valueOf, type RegisterRequest } from "./dns-mocks";

let requests: RegisterRequest[] = [];

beforeAll(async () => {
  requests = await captureRegisterRequests({
    "cloudflare:index/getEmailRoutingDns:getEmailRoutingDns": () => CLOUDFLARE_ROUTING_DNS,
  });
});

it("names the other kinds' child names as aliases of every rule, with the same inputs", async () => {
  const declare = (name: string, asShared: boolean) =>
    new MailDomain(name, {
      domain: "example.org",
      dns: dns.cloudflare({ zoneId: "ZEX" }),
      provider: providers.cloudflareEmailRouting({ accountId: "ACC", zoneId: "ZEX" }),
      aliases: {
        ...(asShared ? {} : { team: "owner@gmail.com" }),
        postmaster: "owner@gmail.com",
        abuse: "owner@gmail.com",
      },
      shared: {
        info: { externalMembers: ["team@fastmail.com"] },
        ...(asShared ? { team: { externalMembers: ["owner@gmail.com"] } } : {}),
      },
    });
  await valueOf(declare("a", false).records);
  await valueOf(declare("s", true).records);
  await new Promise((r) => setTimeout(r, 50));
  const rules = new Map(
    requests
      .filter((r) => r.type === "cloudflare:index/emailRoutingRule:EmailRoutingRule")
      .map((r) => [r.name, r]),
  );
  expect(rules.get("a-alias-team")?.aliases).toEqual(["a-group-team", "a-shared-team"]);
  expect(rules.get("s-shared-team")?.aliases).toEqual(["s-alias-team", "s-group-team"]);
  expect(rules.get("a-shared-info")?.aliases).toEqual(["a-alias-info", "a-group-info"]);
  // The rule an alias becomes is the same rule: only the name differs.
  const { zoneId: _a, ...asAlias } = rules.get("a-alias-team")!.inputs;
  const { zoneId: _s, ...asShared } = rules.get("s-shared-team")!.inputs;
  expect(asShared).toEqual(asAlias);
});
