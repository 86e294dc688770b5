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
import { mailbox } from "../src/runtime/index";
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
      .filter((r) => r.type.startsWith("mailplane:index:") && r.type !== "mailplane:index:ZoneFile")
      .map((r) => [r.type, r.name, r.inputs.mailProvider, r.inputs.apiUrl, r.inputs.localPart]);
    const group = "mailplane:index:MailGroup";
    const mailbox = "mailplane:index:Mailbox";
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

  it("carries orgUnits in the endpoint and each mailbox's profile, names given apart, and refuses require2fa outside a mapped org unit at preview", async () => {
    const domain = new MailDomain("gwou", {
      domain: "acme.com",
      dns: dns.zoneFile({ path: "/tmp/mailplane-test/gwou/acme.com.zone" }),
      provider: providers.googleWorkspace({
        ...args,
        orgUnits: { staff: "/Staff", executive: "/Staff/Executives" },
      }),
      profiles: { staff: {}, executive: { require2fa: true }, contractor: {} },
      mailboxes: {
        zhangsan: { name: "Zhang San", givenName: "San", familyName: "Zhang", profile: "staff" },
        ceo: { name: "Maria Garcia", profile: "executive" },
        temp: { name: "Temp Worker", profile: "contractor" },
        plain: { name: "No Profile" },
      },
      groups: { postmaster: { members: ["ceo"] }, abuse: { members: ["ceo"] } },
    });
    await registeredAll(Object.values(domain.accounts.mailboxes));
    const endpoint =
      "https://admin.googleapis.com/admin/directory/v1#admin=admin%40acme.com&customer=C01abc234" +
      "&ou=%7B%22executive%22%3A%22%2FStaff%2FExecutives%22%2C%22staff%22%3A%22%2FStaff%22%7D";
    const boxes = children(registered).filter(
      (r) => r.type === "mailplane:index:Mailbox" && r.name.startsWith("gwou-"),
    );
    expect(
      boxes.map((r) => [
        r.name,
        r.inputs.apiUrl,
        r.inputs.profile,
        r.inputs.givenName,
        r.inputs.familyName,
        r.inputs.require2fa,
      ]),
    ).toEqual([
      ["gwou-mailbox-ceo", endpoint, "executive", undefined, undefined, true],
      ["gwou-mailbox-plain", endpoint, undefined, undefined, undefined, false],
      ["gwou-mailbox-temp", endpoint, "contractor", undefined, undefined, false],
      ["gwou-mailbox-zhangsan", endpoint, "staff", "San", "Zhang", false],
    ]);
    // The runtime's check (preview): require2fa only where the profile maps an org unit.
    const ceo = boxes[0]!.inputs;
    expect((await mailbox.check({}, { ...ceo })).failures).toEqual([]);
    const failures = (await mailbox.check({}, { ...ceo, profile: "contractor" })).failures;
    expect(failures).toEqual([
      {
        property: "require2fa",
        reason:
          'mailProvider "googleWorkspace" cannot enforce 2-step verification per user (the Directory API has no such setting) and its profile "contractor" is not in orgUnits; give the mailbox a profile that providers.googleWorkspace({ orgUnits }) maps to an org unit, and enforce 2-step verification on that org unit in the Admin console (Security > Authentication > 2-Step Verification)',
      },
    ]);
  });

  it("profiles reach only providers that read them: a Migadu mailbox with a profile carries none", async () => {
    const domain = new MailDomain("mgp", {
      domain: "acme.com",
      dns: dns.zoneFile({ path: "/tmp/mailplane-test/mgp/acme.com.zone" }),
      provider: providers.migadu({ domain: "acme.com" }),
      profiles: { staff: {} },
      mailboxes: {
        ali: { name: "Ali Alavi", profile: "staff", recoveryEmail: "ali@home.example" },
      },
      postmaster: "ali",
      abuse: "ali",
    });
    await registeredAll(Object.values(domain.accounts.mailboxes));
    const ali = children(registered).find((r) => r.name === "mgp-mailbox-ali")!;
    expect(Object.keys(ali.inputs)).not.toContain("profile");
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
