/**
 * Cloudflare Email Routing: an address moved between kinds (an alias ↔ a shared address; it has
 * no groups) keeps its
 * `EmailRoutingRule`. The rule's child name follows the kind, so each rule names the other kinds'
 * names as Pulumi aliases: the engine then takes the old rule for the new name (same inputs: no
 * change at Cloudflare) instead of creating a second rule and deleting the first. The Cloudflare
 * plugin cannot run here, so this reads the aliases from the register requests the program sends.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, expect, it } from "vitest";
import { MailDomain, dns, providers } from "@mailplane/pulumi";
import { CLOUDFLARE_ROUTING_DNS } from "./dns-fixtures";
import { valueOf } from "./dns-mocks";

const rules = new Map<string, { aliases: string[]; inputs: Record<string, unknown> }>();

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
      call: (args) => {
        if (args.token !== "cloudflare:index/getEmailRoutingDns:getEmailRoutingDns") {
          throw new Error(`unexpected invoke ${args.token}`);
        }
        return CLOUDFLARE_ROUTING_DNS;
      },
    },
    "mailplane",
    "test",
    false,
  );
  const monitor = (
    pulumi.runtime as unknown as { getMonitor(): Record<string, unknown> }
  ).getMonitor();
  const register = (monitor.registerResource as (...a: unknown[]) => unknown).bind(monitor);
  monitor.registerResource = (
    req: {
      getType(): string;
      getName(): string;
      getObject(): { toJavaScript(): Record<string, unknown> };
      getAliasesList(): Array<{ getSpec(): { getName(): string } | undefined }>;
    },
    ...rest: unknown[]
  ) => {
    if (req.getType() === "cloudflare:index/emailRoutingRule:EmailRoutingRule") {
      rules.set(req.getName(), {
        aliases: req.getAliasesList().map((a) => a.getSpec()?.getName() ?? "?"),
        inputs: req.getObject().toJavaScript(),
      });
    }
    return register(req, ...rest);
  };
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
  expect(rules.get("a-alias-team")?.aliases).toEqual(["a-group-team", "a-shared-team"]);
  expect(rules.get("s-shared-team")?.aliases).toEqual(["s-alias-team", "s-group-team"]);
  expect(rules.get("a-shared-info")?.aliases).toEqual(["a-alias-info", "a-group-info"]);
  // The rule an alias becomes is the same rule: only the name differs.
  const { zoneId: _a, ...asAlias } = rules.get("a-alias-team")!.inputs;
  const { zoneId: _s, ...asShared } = rules.get("s-shared-team")!.inputs;
  expect(asShared).toEqual(asAlias);
});
