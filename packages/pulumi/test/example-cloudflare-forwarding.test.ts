import { beforeAll, describe, expect, it } from "vitest";
import { CLOUDFLARE_ROUTING_DNS } from "./dns-fixtures";
import { children, installMocks, runExample, type Registered } from "./dns-mocks";

// The example is a real program: it runs here under Pulumi mocks, so anything MailDomain
// refuses in it fails this test, not a user's preview.
let registered: Registered[];
let exported: Record<string, unknown>;
beforeAll(async () => {
  registered = await installMocks({
    "cloudflare:index/getEmailRoutingDns:getEmailRoutingDns": () => CLOUDFLARE_ROUTING_DNS,
  });
  exported = await runExample("cloudflare-forwarding", { zoneId: "ZEX", accountId: "ACC" });
});

describe("examples/cloudflare-forwarding under Pulumi mocks", () => {
  it("creates exactly the children its README lists, with Cloudflare's inputs", () => {
    const rule = (name: string, local: string, to: string) => [
      "emailRoutingRule:EmailRoutingRule",
      name,
      {
        actions: [{ type: "forward", values: [to] }],
        enabled: true,
        matchers: [{ field: "to", type: "literal", value: `${local}@example.org` }],
        name: `mailplane: ${local}@example.org`,
        zoneId: "ZEX",
      },
    ];
    const dnsRecord = (name: string, inputs: Record<string, unknown>) => [
      "dnsRecord:DnsRecord",
      name,
      { ttl: 1, zoneId: "ZEX", ...inputs },
    ];
    const mx = (host: string, priority: number) =>
      dnsRecord(`example-mx-${host}`, { content: host, name: "example.org", priority, type: "MX" });
    expect(
      children(registered).map((r) => [r.type.replace("cloudflare:index/", ""), r.name, r.inputs]),
    ).toEqual([
      rule("example-alias-abuse", "abuse", "owner@gmail.com"),
      rule("example-alias-dmarc-reports", "dmarc-reports", "owner@gmail.com"),
      rule("example-alias-hello", "hello", "owner@gmail.com"),
      rule("example-alias-postmaster", "postmaster", "owner@gmail.com"),
      rule("example-alias-tls-reports", "tls-reports", "owner@gmail.com"),
      [
        "emailRoutingAddress:EmailRoutingAddress",
        "example-destination-owner-gmail.com",
        { accountId: "ACC", email: "owner@gmail.com" },
      ],
      [
        "emailRoutingAddress:EmailRoutingAddress",
        "example-destination-team-fastmail.com",
        { accountId: "ACC", email: "team@fastmail.com" },
      ],
      dnsRecord("example-dmarc", {
        content: '"v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.org"',
        name: "_dmarc.example.org",
        type: "TXT",
      }),
      ["emailRoutingSettings:EmailRoutingSettings", "example-email-routing", { zoneId: "ZEX" }],
      mx("route1.mx.cloudflare.net", 0),
      mx("route2.mx.cloudflare.net", 37),
      mx("route3.mx.cloudflare.net", 86),
      rule("example-shared-info", "info", "team@fastmail.com"),
      dnsRecord("example-spf", {
        content: '"v=spf1 include:_spf.mx.cloudflare.net -all"',
        name: "example.org",
        type: "TXT",
      }),
      dnsRecord("example-tls-rpt", {
        content: '"v=TLSRPTv1; rua=mailto:tls-reports@example.org"',
        name: "_smtp._tls.example.org",
        type: "TXT",
      }),
    ]);
  });

  it("exports the MX hosts, the one SPF record and DMARC", () => {
    expect(exported.mxHosts).toEqual([
      "route1.mx.cloudflare.net",
      "route2.mx.cloudflare.net",
      "route3.mx.cloudflare.net",
    ]);
    expect(exported.spf).toBe("v=spf1 include:_spf.mx.cloudflare.net -all");
    expect(exported.dmarc).toBe("v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.org");
    expect((exported.records as unknown[]).length).toBe(6);
  });
});
