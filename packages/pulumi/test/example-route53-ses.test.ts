import { beforeAll, describe, expect, it } from "vitest";
import { children, installMocks, runExample, type Registered } from "./dns-mocks";

// The example is a real program: it runs here under Pulumi mocks, so a declaration its provider
// cannot honour (or any other error MailDomain raises) fails this test, not a user's preview.
let registered: Registered[];
let exported: Record<string, unknown>;
beforeAll(async () => {
  registered = await installMocks(
    {},
    {
      "aws:sesv2/emailIdentity:EmailIdentity": () => ({
        dkimSigningAttributes: { tokens: ["tok1", "tok2", "tok3"] },
      }),
      "aws:route53/zone:Zone": () => ({ zoneId: "Z0ACME", nameServers: ["ns-1.example"] }),
    },
  );
  exported = await runExample(
    "route53-ses",
    { migaduVerification: "abcd1234", aliPassword: "s3cret-pw" },
    ["aliPassword"],
  );
});

describe("examples/route53-ses under Pulumi mocks", () => {
  it("creates exactly the Route 53 record sets its README lists", () => {
    const records = children(registered)
      .filter((r) => r.type === "aws:route53/record:Record")
      .map((r) => [r.name, r.inputs.zoneId, r.inputs.name, r.inputs.type, r.inputs.records]);
    expect(records).toEqual([
      ["acme-autoconfig", "Z0ACME", "autoconfig.acme.com", "CNAME", ["autoconfig.migadu.com"]],
      [
        "acme-autodiscover",
        "Z0ACME",
        "autodiscover.acme.com",
        "CNAME",
        ["autodiscover.migadu.com"],
      ],
      [
        "acme-dkim-key1",
        "Z0ACME",
        "key1._domainkey.acme.com",
        "CNAME",
        ["key1.acme.com._domainkey.migadu.com"],
      ],
      [
        "acme-dkim-key2",
        "Z0ACME",
        "key2._domainkey.acme.com",
        "CNAME",
        ["key2.acme.com._domainkey.migadu.com"],
      ],
      [
        "acme-dkim-key3",
        "Z0ACME",
        "key3._domainkey.acme.com",
        "CNAME",
        ["key3.acme.com._domainkey.migadu.com"],
      ],
      [
        "acme-dkim-ses-1",
        "Z0ACME",
        "tok1._domainkey.acme.com",
        "CNAME",
        ["tok1.dkim.amazonses.com"],
      ],
      [
        "acme-dkim-ses-2",
        "Z0ACME",
        "tok2._domainkey.acme.com",
        "CNAME",
        ["tok2.dkim.amazonses.com"],
      ],
      [
        "acme-dkim-ses-3",
        "Z0ACME",
        "tok3._domainkey.acme.com",
        "CNAME",
        ["tok3.dkim.amazonses.com"],
      ],
      [
        "acme-dmarc",
        "Z0ACME",
        "_dmarc.acme.com",
        "TXT",
        ["v=DMARC1; p=reject; rua=mailto:dmarc@acme.com"],
      ],
      [
        "acme-mta-sts",
        "Z0ACME",
        "_mta-sts.acme.com",
        "TXT",
        ["v=STSv1; id=cfe9b981695316e21a2ef0aa93ede9ba"],
      ],
      ["acme-mx", "Z0ACME", "acme.com", "MX", ["10 aspmx1.migadu.com", "20 aspmx2.migadu.com"]],
      [
        "acme-ses-mail-from-mx",
        "Z0ACME",
        "bounce.acme.com",
        "MX",
        ["10 feedback-smtp.eu-west-1.amazonses.com"],
      ],
      [
        "acme-ses-mail-from-spf",
        "Z0ACME",
        "bounce.acme.com",
        "TXT",
        ["v=spf1 include:amazonses.com ~all"],
      ],
      ["acme-srv-imap", "Z0ACME", "_imap._tcp.acme.com", "SRV", ["0 0 0 ."]],
      ["acme-srv-imaps", "Z0ACME", "_imaps._tcp.acme.com", "SRV", ["0 1 993 imap.migadu.com"]],
      ["acme-srv-pop3", "Z0ACME", "_pop3._tcp.acme.com", "SRV", ["0 0 0 ."]],
      ["acme-srv-pop3s", "Z0ACME", "_pop3s._tcp.acme.com", "SRV", ["0 1 995 pop.migadu.com"]],
      ["acme-srv-submission", "Z0ACME", "_submission._tcp.acme.com", "SRV", ["0 0 0 ."]],
      [
        "acme-srv-submissions",
        "Z0ACME",
        "_submissions._tcp.acme.com",
        "SRV",
        ["0 1 465 smtp.migadu.com"],
      ],
      [
        "acme-tls-rpt",
        "Z0ACME",
        "_smtp._tls.acme.com",
        "TXT",
        ["v=TLSRPTv1; rua=mailto:tls-reports@acme.com"],
      ],
      [
        "acme-txt-apex",
        "Z0ACME",
        "acme.com",
        "TXT",
        [
          "hosted-email-verify=abcd1234",
          "v=spf1 include:spf.migadu.com include:_spf.salesforce.com -all",
        ],
      ],
    ]);
  });

  it("creates the SES identity, the zone and the Migadu accounts, and exports the policy", () => {
    const others = children(registered)
      .filter((r) => r.type !== "aws:route53/record:Record")
      .map((r) => `${r.type} ${r.name}`);
    expect(others).toEqual([
      "aws:route53/zone:Zone acme",
      "mailplane:index:Alias acme-alias-abuse",
      "mailplane:index:Alias acme-alias-dmarc",
      "mailplane:index:Alias acme-alias-hr",
      "mailplane:index:Alias acme-alias-info",
      "mailplane:index:Alias acme-alias-postmaster",
      "mailplane:index:Alias acme-alias-tls-reports",
      "mailplane:index:Mailbox acme-mailbox-ali",
      "mailplane:index:Mailbox acme-mailbox-zhangsan",
      "aws:sesv2/emailIdentity:EmailIdentity acme-ses-identity",
      "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes acme-ses-mail-from",
    ]);
    expect(exported.nameServers).toEqual(["ns-1.example"]);
    expect(exported.mtaStsPolicy).toBe(
      "version: STSv1\r\nmode: testing\r\nmx: *.migadu.com\r\nmax_age: 604800\r\n",
    );
  });
});
