import { beforeAll, describe, expect, it } from "vitest";
import { microsoft365Endpoint } from "@mailplane/providers";
import { children, installMocks, runExample, type Registered } from "./dns-mocks";

// examples/microsoft-365 is a real program: it runs here under Pulumi mocks, so a declaration
// Microsoft 365 cannot honour fails this test, not a user's preview.
const config = {
  tenantId: "00000000-0000-4000-8000-00000000feed",
  clientId: "11111111-1111-4111-8111-111111111111",
  staffSku: "6fd2c87f-b296-42f0-b197-1e91e994b900",
  executiveSku: "06ebc4ee-1bb5-47dd-8120-11324bc54e06",
  mxHost: "acme-com.mail.protection.outlook.com",
  dkimSelector1: "selector1-acme-com._domainkey.acme.onmicrosoft.com",
  dkimSelector2: "selector2-acme-com._domainkey.acme.onmicrosoft.com",
  msVerification: "MS=ms12345678",
  aliPassword: "s3cret-pw-ali",
  zhangsanPassword: "s3cret-pw-zs",
};
let registered: Registered[];
beforeAll(async () => {
  registered = await installMocks(
    {},
    { "aws:route53/zone:Zone": () => ({ zoneId: "Z0ACME", nameServers: ["ns-1.example"] }) },
  );
  await runExample("microsoft-365", config, ["aliPassword", "zhangsanPassword"]);
});

describe("examples/microsoft-365 under Pulumi mocks", () => {
  it("creates the Mailbox and MailGroup resources, carrying the locator and no secret", () => {
    const locator = microsoft365Endpoint({
      tenantId: config.tenantId,
      clientId: config.clientId,
      domain: "acme.com",
      usageLocation: "DE",
      licences: { default: config.staffSku, executive: config.executiveSku },
    });
    const accounts = children(registered)
      .filter((r) => r.type.startsWith("mailplane:index:") && r.type !== "mailplane:index:ZoneFile")
      .map((r) => [r.type.split(":").pop(), r.inputs.localPart, r.inputs.apiUrl]);
    expect(accounts).toEqual([
      ["MailGroup", "abuse", locator],
      ["MailGroup", "dmarc-reports", locator],
      ["MailGroup", "postmaster", locator],
      ["MailGroup", "team", locator],
      ["Mailbox", "ali", locator],
      ["Mailbox", "zhangsan", locator],
    ]);
    expect(JSON.stringify(accounts)).not.toContain("s3cret");
  });

  it("creates exactly Microsoft 365's Route 53 record sets", () => {
    const records = children(registered)
      .filter((r) => r.type === "aws:route53/record:Record")
      .map((r) => [r.inputs.name, r.inputs.type, r.inputs.records]);
    expect(records).toEqual([
      ["autodiscover.acme.com", "CNAME", ["autodiscover.outlook.com"]],
      [
        "selector1._domainkey.acme.com",
        "CNAME",
        ["selector1-acme-com._domainkey.acme.onmicrosoft.com"],
      ],
      [
        "selector2._domainkey.acme.com",
        "CNAME",
        ["selector2-acme-com._domainkey.acme.onmicrosoft.com"],
      ],
      ["_dmarc.acme.com", "TXT", ["v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@acme.com"]],
      ["acme.com", "MX", ["0 acme-com.mail.protection.outlook.com"]],
      ["acme.com", "TXT", ["MS=ms12345678", "v=spf1 include:spf.protection.outlook.com -all"]],
    ]);
  });
});
