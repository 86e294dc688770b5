import { beforeAll, describe, expect, it } from "vitest";
import { MailDomain, dns, providers } from "@mailplane/pulumi";
import { children, installMocks, runExample, type Registered } from "./dns-mocks";

// The example is a real program: it runs here under Pulumi mocks, so anything MailDomain
// refuses in it fails this test, not a user's preview.
const DKIM = "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAexample";
const VERIFICATION = "zoho-verification=zb12345678.zmverify.zoho.eu";
const ENDPOINT =
  "zoho:?dc=eu&org=60012345&moderators=%7B%22support%22%3A%5B%22sara%40acme.eu%22%5D%7D";
const PASSWORDS = { zhangsan: "Zs-Pa55-0123", sara: "Sr-Pa55-0123", zoe: "Zo-Pa55-0123" };
let registered: Registered[];
let exported: Record<string, unknown>;
beforeAll(async () => {
  registered = await installMocks();
  exported = await runExample(
    "zoho",
    {
      zoneId: "Z0ACME",
      organizationId: "60012345",
      zohoVerification: VERIFICATION,
      zohoDkim: DKIM,
      passwords: JSON.stringify(PASSWORDS),
    },
    ["passwords"],
  );
});

describe("examples/zoho under Pulumi mocks", () => {
  it("creates its users and groups at Zoho Mail and Zoho's EU records in Route 53", () => {
    const all = children(registered);
    expect(all).toHaveLength(17);
    const accounts = all
      .filter((r) => r.type.startsWith("mailplane:index:") && r.type !== "mailplane:index:ZoneFile")
      .map((r) => [
        r.type.split(":").pop(),
        r.name,
        r.inputs.mailProvider,
        r.inputs.apiUrl,
        r.inputs.name,
        r.inputs.members ?? r.inputs.aliases,
      ]);
    expect(accounts).toEqual([
      ["MailGroup", "acme-group-abuse", "zoho", ENDPOINT, "abuse", ["zoe@acme.eu"]],
      ["MailGroup", "acme-group-dmarc-reports", "zoho", ENDPOINT, "dmarc-reports", ["zoe@acme.eu"]],
      ["MailGroup", "acme-group-postmaster", "zoho", ENDPOINT, "postmaster", ["zoe@acme.eu"]],
      [
        "MailGroup",
        "acme-group-support",
        "zoho",
        ENDPOINT,
        "support",
        ["sara@acme.eu", "zoe@acme.eu"],
      ],
      ["Mailbox", "acme-mailbox-sara", "zoho", ENDPOINT, "سارا رضایی", []],
      ["Mailbox", "acme-mailbox-zhangsan", "zoho", ENDPOINT, "张三", ["san.zhang"]],
      ["Mailbox", "acme-mailbox-zoe", "zoho", ENDPOINT, "Zoë Ångström-Ñúñez", []],
    ]);
    const sara = all.find((r) => r.name === "acme-mailbox-sara")!.inputs;
    expect([sara.changePasswordAtNextLogin, sara.onDelete, sara.require2fa]).toEqual([
      true,
      "suspend",
      false,
    ]);
    const records = all
      .filter((r) => r.type === "aws:route53/record:Record")
      .map((r) => [r.name, r.inputs.zoneId, r.inputs.type, r.inputs.name, r.inputs.records]);
    expect(records).toEqual([
      ["acme-dkim-zmail", "Z0ACME", "TXT", "zmail._domainkey.acme.eu", [DKIM]],
      [
        "acme-dmarc",
        "Z0ACME",
        "TXT",
        "_dmarc.acme.eu",
        ["v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@acme.eu"],
      ],
      ["acme-mx", "Z0ACME", "MX", "acme.eu", ["10 mx.zoho.eu", "20 mx2.zoho.eu", "50 mx3.zoho.eu"]],
      ["acme-srv-imap", "Z0ACME", "SRV", "_imap._tcp.acme.eu", ["0 0 0 ."]],
      ["acme-srv-imaps", "Z0ACME", "SRV", "_imaps._tcp.acme.eu", ["0 1 993 imap.zoho.eu"]],
      ["acme-srv-pop3", "Z0ACME", "SRV", "_pop3._tcp.acme.eu", ["0 0 0 ."]],
      ["acme-srv-pop3s", "Z0ACME", "SRV", "_pop3s._tcp.acme.eu", ["0 0 0 ."]],
      ["acme-srv-submission", "Z0ACME", "SRV", "_submission._tcp.acme.eu", ["0 0 0 ."]],
      [
        "acme-srv-submissions",
        "Z0ACME",
        "SRV",
        "_submissions._tcp.acme.eu",
        ["0 1 465 smtp.zoho.eu"],
      ],
      [
        "acme-txt-apex",
        "Z0ACME",
        "TXT",
        "acme.eu",
        ["v=spf1 include:zohomail.eu -all", VERIFICATION],
      ],
    ]);
    const inputs = JSON.stringify(
      all.filter((r) => !r.type.includes("Mailbox")).map((r) => r.inputs),
    );
    for (const p of Object.values(PASSWORDS)) expect(inputs).not.toContain(p);
  });

  it("exports Zoho's EU MX hosts, the one SPF record and DMARC", () => {
    expect(exported.mxHosts).toEqual(["mx.zoho.eu", "mx2.zoho.eu", "mx3.zoho.eu"]);
    expect(exported.spf).toBe("v=spf1 include:zohomail.eu -all");
    expect(exported.dmarc).toBe("v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@acme.eu");
    expect((exported.records as unknown[]).length).toBe(13);
  });
});

describe("providers.zoho", () => {
  const args = { dataCenter: "eu" as const, organizationId: "60012345" };

  it("refuses bad arguments in the declaration's style", () => {
    expect(() => providers.zoho({ ...args, dataCenter: "us" as never })).toThrow(
      'providers.zoho.dataCenter: "us" is not a Zoho data centre (got "us"; allowed: com, eu, in, com.au, jp, com.cn, ca',
    );
    expect(() => providers.zoho({ ...args, organizationId: "acme" })).toThrow(
      'providers.zoho.organizationId: "acme" is not an organization id',
    );
    expect(() => providers.zoho({ ...args, verification: "zb123" })).toThrow(
      'providers.zoho.verification: "zb123" is not a Zoho verification record',
    );
  });

  it("refuses at preview what Zoho Mail's API cannot do: 2FA enforcement and shared mailboxes", () => {
    const declare = (extra: Record<string, unknown>) => () =>
      new MailDomain("refused", {
        domain: "acme.eu",
        dns: dns.zoneFile({ path: "/tmp/unused.zone" }),
        provider: providers.zoho(args),
        mailboxes: { ali: { name: "Ali" } },
        postmaster: "ali",
        abuse: "ali",
        ...extra,
      });
    expect(declare({ mailboxes: { ali: { name: "Ali", require2fa: true } } })).toThrow(
      /mailboxes\.ali\.require2fa: provider "zoho" cannot enforce two-factor authentication per user; remove require2fa and enforce it in the provider's admin console/,
    );
    expect(declare({ shared: { info: { members: ["ali"], kind: "sharedMailbox" } } })).toThrow(
      /shared\.info\.kind: provider "zoho" has no shared mailboxes/,
    );
    expect(declare({ mailboxes: { ali: { name: "Ali", quotaMb: 1024 } } })).toThrow(
      /mailboxes\.ali\.quotaMb: provider "zoho" does not set mailbox quotas/,
    );
  });
});
