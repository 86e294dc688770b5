/**
 * `providers.googleWorkspace(...)` under Pulumi mocks: derived from the registry line alone, its
 * arguments checked in the declaration's style, its accounts carrying the endpoint (Directory
 * URL, admin and customer; never the key), its DNS records from Google's preset with the
 * console's DKIM key and verification value. The runtime's dispatch to the adapter is in
 * google-workspace-runtime.emulator.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { MailDomain, dns, providers } from "@mailplane/pulumi";
import { googleWorkspaceEndpoint } from "@mailplane/providers";
import { children, installMocks, registeredAll, valueOf, type Registered } from "./dns-mocks";

const DKIM = "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAabc123";
const args = {
  customerId: "C01abc234",
  adminEmail: "admin@acme.com",
  dkim: DKIM,
  verification: "google-site-verification=abcdefghijklmnop_1234",
};

describe("providers.googleWorkspace under Pulumi mocks", () => {
  let registered: Registered[];
  beforeAll(async () => {
    registered = await installMocks();
  });

  it("creates Mailbox and MailGroup children carrying the endpoint, and Google's records", async () => {
    const domain = new MailDomain("gw", {
      domain: "acme.com",
      dns: dns.zoneFile({ path: "/tmp/mailplane-test/gw/acme.com.zone" }),
      provider: providers.googleWorkspace(args),
      mailboxes: {
        ali: { name: "Ali Alavi", aliases: ["a.alavi"] },
        zhangsan: { name: "张三" },
      },
      groups: {
        team: { members: ["ali", "zhangsan"] },
        postmaster: { members: ["ali"] },
        abuse: { members: ["ali"] },
      },
    });
    await registeredAll([
      ...Object.values(domain.accounts.mailboxes),
      ...Object.values(domain.accounts.groups),
    ]);
    const endpoint = googleWorkspaceEndpoint({
      adminEmail: "admin@acme.com",
      customerId: "C01abc234",
    });
    expect(endpoint).toBe(
      "https://admin.googleapis.com/admin/directory/v1#admin=admin%40acme.com&customer=C01abc234",
    );
    const accounts = children(registered)
      .filter((r) => r.type.includes("dynamic/mailplane"))
      .map((r) => [r.type, r.name, r.inputs.mailProvider, r.inputs.apiUrl, r.inputs.localPart]);
    const group = "pulumi-nodejs:dynamic/mailplane:MailGroup";
    const mailbox = "pulumi-nodejs:dynamic/mailplane:Mailbox";
    expect(accounts).toEqual([
      [group, "gw-group-abuse", "googleWorkspace", endpoint, "abuse"],
      [group, "gw-group-postmaster", "googleWorkspace", endpoint, "postmaster"],
      [group, "gw-group-team", "googleWorkspace", endpoint, "team"],
      [mailbox, "gw-mailbox-ali", "googleWorkspace", endpoint, "ali"],
      [mailbox, "gw-mailbox-zhangsan", "googleWorkspace", endpoint, "zhangsan"],
    ]);
    const records = await valueOf(domain.records);
    expect(records.filter((r) => r.type === "MX")).toEqual([
      {
        name: "acme.com",
        type: "MX",
        ttl: 3600,
        priority: 1,
        value: "smtp.google.com",
        role: "mx",
      },
    ]);
    const txt = records.filter((r) => r.type === "TXT").map((r) => [r.name, r.value]);
    expect(txt).toContainEqual(["google._domainkey.acme.com", DKIM]);
    expect(txt).toContainEqual(["acme.com", "google-site-verification=abcdefghijklmnop_1234"]);
    expect(txt.filter(([n, v]) => n === "acme.com" && v!.startsWith("v=spf1"))).toEqual([
      ["acme.com", "v=spf1 include:_spf.google.com ~all"],
    ]);
  });

  it("refuses bad arguments in the declaration's style", () => {
    expect(() => providers.googleWorkspace({ ...args, adminEmail: "Admin" })).toThrow(
      'providers.googleWorkspace.adminEmail: "Admin" is not an email address',
    );
    expect(() => providers.googleWorkspace({ ...args, dkim: "p=abc" })).toThrow(
      'providers.googleWorkspace.dkim: "p=abc" is not a DKIM record',
    );
    expect(() =>
      providers.googleWorkspace({ ...args, orgUnits: { staff: "Staff/Engineering" } }),
    ).toThrow(
      'providers.googleWorkspace.orgUnits.staff: "Staff/Engineering" is not an org unit path',
    );
  });
});
