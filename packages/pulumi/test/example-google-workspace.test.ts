import { beforeAll, describe, expect, it } from "vitest";
import {
  children,
  cloudflareRecordRows,
  installMocks,
  runExample,
  srvData,
  type Registered,
} from "./dns-mocks";

// The example is a real program: it runs here under Pulumi mocks, so anything MailDomain
// refuses in it fails this test, not a user's preview.
const DKIM = "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAexample";
const VERIFICATION = "google-site-verification=abcdefghijklmnop_1234";
const ENDPOINT =
  "https://admin.googleapis.com/admin/directory/v1#admin=admin%40acme.com&customer=C01abc234" +
  "&ou=%7B%22executive%22%3A%22%2FStaff%2FExecutives%22%2C%22staff%22%3A%22%2FStaff%22%7D";
let registered: Registered[];
let exported: Record<string, unknown>;
beforeAll(async () => {
  registered = await installMocks();
  exported = await runExample("google-workspace", {
    zoneId: "ZGW",
    customerId: "C01abc234",
    adminEmail: "admin@acme.com",
    googleDkim: DKIM,
    googleVerification: VERIFICATION,
  });
});

describe("examples/google-workspace under Pulumi mocks", () => {
  it("creates its users and groups at Google and Google's records in Cloudflare", () => {
    const all = children(registered);
    const accounts = all
      .filter((r) => r.type.startsWith("mailplane:index:") && r.type !== "mailplane:index:ZoneFile")
      .map((r) => [
        r.type.split(":").pop(),
        r.name,
        r.inputs.mailProvider,
        r.inputs.apiUrl,
        r.inputs.name,
        r.inputs.members ?? r.inputs.aliases,
        r.inputs.profile,
      ]);
    expect(accounts).toEqual([
      [
        "MailGroup",
        "acme-group-abuse",
        "googleWorkspace",
        ENDPOINT,
        "abuse",
        ["ali@acme.com"],
        undefined,
      ],
      [
        "MailGroup",
        "acme-group-dmarc-reports",
        "googleWorkspace",
        ENDPOINT,
        "dmarc-reports",
        ["ali@acme.com"],
        undefined,
      ],
      [
        "MailGroup",
        "acme-group-postmaster",
        "googleWorkspace",
        ENDPOINT,
        "postmaster",
        ["ali@acme.com"],
        undefined,
      ],
      [
        "MailGroup",
        "acme-group-team",
        "googleWorkspace",
        ENDPOINT,
        "team",
        ["ali@acme.com", "zhangsan@acme.com"],
        undefined,
      ],
      [
        "Mailbox",
        "acme-mailbox-ali",
        "googleWorkspace",
        ENDPOINT,
        "Ali Alavi",
        ["a.alavi"],
        "executive",
      ],
      [
        "Mailbox",
        "acme-mailbox-support",
        "googleWorkspace",
        ENDPOINT,
        "Support",
        ["wangwei@acme.com", "zhangsan@acme.com"],
        undefined,
      ],
      ["Mailbox", "acme-mailbox-wangwei", "googleWorkspace", ENDPOINT, "Wang Wei", [], "staff"],
      ["Mailbox", "acme-mailbox-zhangsan", "googleWorkspace", ENDPOINT, "张三", [], "staff"],
    ]);
    const box = (n: string) => all.find((r) => r.name === `acme-mailbox-${n}`)!.inputs;
    expect([box("ali").require2fa, box("wangwei").givenName, box("wangwei").familyName]).toEqual([
      true,
      "Wei",
      "Wang",
    ]);
    expect([box("support").shared, box("zhangsan").shared]).toEqual([true, false]);
    const records = cloudflareRecordRows(all);
    expect(records).toEqual([
      ["acme-dkim-google", "TXT", "google._domainkey.acme.com", `"${DKIM}"`],
      [
        "acme-dmarc",
        "TXT",
        "_dmarc.acme.com",
        '"v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@acme.com"',
      ],
      ["acme-mx", "MX", "acme.com", "smtp.google.com"],
      ["acme-spf", "TXT", "acme.com", '"v=spf1 include:_spf.google.com -all"'],
      ["acme-srv-imap", "SRV", "_imap._tcp.acme.com", srvData(0, ".")],
      ["acme-srv-imaps", "SRV", "_imaps._tcp.acme.com", srvData(993, "imap.gmail.com")],
      ["acme-srv-pop3", "SRV", "_pop3._tcp.acme.com", srvData(0, ".")],
      ["acme-srv-pop3s", "SRV", "_pop3s._tcp.acme.com", srvData(0, ".")],
      ["acme-srv-submission", "SRV", "_submission._tcp.acme.com", srvData(0, ".")],
      ["acme-srv-submissions", "SRV", "_submissions._tcp.acme.com", srvData(465, "smtp.gmail.com")],
      ["acme-verification-5497f22a", "TXT", "acme.com", `"${VERIFICATION}"`],
    ]);
    expect(all.find((r) => r.name === "acme-mx")!.inputs.priority).toBe(1);
    expect(JSON.stringify(all.map((r) => r.inputs))).not.toContain("PRIVATE KEY");
  });

  it("exports Google's MX host, the one SPF record and DMARC", () => {
    expect(exported.mxHosts).toEqual(["smtp.google.com"]);
    expect(exported.spf).toBe("v=spf1 include:_spf.google.com -all");
    expect(exported.dmarc).toBe("v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@acme.com");
    expect((exported.records as unknown[]).length).toBe(11);
  });
});
