import { beforeAll, describe, expect, it } from "vitest";
import { providers } from "../src";
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
const DKIM = "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCexample";
const ENDPOINT = "tencentExmail:?corp=wwacme0123456789";
let registered: Registered[];
let exported: Record<string, unknown>;
beforeAll(async () => {
  registered = await installMocks();
  exported = await runExample("tencent-exmail", {
    zoneId: "ZEX",
    corpId: "wwacme0123456789",
    exmailDkim: DKIM,
  });
});

describe("examples/tencent-exmail under Pulumi mocks", () => {
  it("is served by providers.tencentExmail, derived from the registry", () => {
    expect(typeof providers.tencentExmail).toBe("function");
  });

  it("creates its users and mail groups at Exmail, with departments, titles and who may send", () => {
    const all = children(registered);
    const accounts = all
      .filter((r) => r.type.startsWith("mailplane:index:") && r.type !== "mailplane:index:ZoneFile")
      .map((r) => [r.type.split(":").pop(), r.name, r.inputs]);
    const common = { mailProvider: "tencentExmail", apiUrl: ENDPOINT, domain: "acme.com" };
    const mailbox = {
      ...common,
      allowRecreate: false,
      changePasswordAtNextLogin: false,
      forwardTo: [],
      onDelete: "suspend",
      require2fa: false,
      shared: false,
      suspended: false,
    };
    expect(accounts).toEqual([
      [
        "MailGroup",
        "acme-group-all-staff",
        {
          ...common,
          localPart: "all-staff",
          name: "全体员工",
          members: ["zhangsan@acme.com", "ali@acme.com", "zoe@acme.com"],
          allowSenders: "organisation",
        },
      ],
      [
        "MailGroup",
        "acme-group-engineering",
        {
          ...common,
          localPart: "engineering",
          name: "engineering",
          members: ["ali@acme.com", "zoe@acme.com"],
          allowSenders: "members",
        },
      ],
      [
        "MailGroup",
        "acme-group-sales",
        {
          ...common,
          localPart: "sales",
          name: "sales",
          members: ["zhangsan@acme.com"],
          allowSenders: "anyone",
        },
      ],
      [
        "Mailbox",
        "acme-mailbox-ali",
        {
          ...mailbox,
          localPart: "ali",
          name: "علی علوی",
          department: "Engineering",
          aliases: ["postmaster", "abuse"],
        },
      ],
      [
        "Mailbox",
        "acme-mailbox-zhangsan",
        {
          ...mailbox,
          localPart: "zhangsan",
          name: "张三",
          department: "销售部",
          title: "销售经理",
          aliases: ["san.zhang", "dmarc-reports"],
        },
      ],
      [
        "Mailbox",
        "acme-mailbox-zoe",
        {
          ...mailbox,
          localPart: "zoe",
          name: "Zoë Åström-Núñez",
          department: "Engineering",
          aliases: [],
          changePasswordAtNextLogin: true,
        },
      ],
    ]);
    const records = cloudflareRecordRows(all);
    expect(records).toEqual([
      ["acme-dkim-s1", "TXT", "s1._domainkey.acme.com", `"${DKIM}"`],
      [
        "acme-dmarc",
        "TXT",
        "_dmarc.acme.com",
        '"v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@acme.com"',
      ],
      ["acme-mx-mxbiz1.qq.com", "MX", "acme.com", "mxbiz1.qq.com"],
      ["acme-mx-mxbiz2.qq.com", "MX", "acme.com", "mxbiz2.qq.com"],
      ["acme-spf", "TXT", "acme.com", '"v=spf1 include:spf.mail.qq.com -all"'],
      ["acme-srv-imap", "SRV", "_imap._tcp.acme.com", srvData(0, ".")],
      ["acme-srv-imaps", "SRV", "_imaps._tcp.acme.com", srvData(993, "imap.exmail.qq.com")],
      ["acme-srv-pop3", "SRV", "_pop3._tcp.acme.com", srvData(0, ".")],
      ["acme-srv-pop3s", "SRV", "_pop3s._tcp.acme.com", srvData(995, "pop.exmail.qq.com")],
      ["acme-srv-submission", "SRV", "_submission._tcp.acme.com", srvData(0, ".")],
      [
        "acme-srv-submissions",
        "SRV",
        "_submissions._tcp.acme.com",
        srvData(465, "smtp.exmail.qq.com"),
      ],
    ]);
    expect(all.find((r) => r.name === "acme-mx-mxbiz1.qq.com")!.inputs.priority).toBe(5);
    expect(all.find((r) => r.name === "acme-mx-mxbiz2.qq.com")!.inputs.priority).toBe(10);
    expect(all).toHaveLength(17);
  });

  it("exports Exmail's MX hosts, the one SPF record and DMARC", () => {
    expect(exported.mxHosts).toEqual(["mxbiz1.qq.com", "mxbiz2.qq.com"]);
    expect(exported.spf).toBe("v=spf1 include:spf.mail.qq.com -all");
    expect(exported.dmarc).toBe("v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@acme.com");
    expect((exported.records as unknown[]).length).toBe(11);
  });
});
