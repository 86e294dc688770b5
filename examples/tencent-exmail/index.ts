import * as pulumi from "@pulumi/pulumi";
import { MailDomain, dns, providers } from "@mailplane/pulumi";

const config = new pulumi.Config();

// acme.com's mail is Tencent Exmail (腾讯企业邮): users, their aliases (at most 5 each) and mail
// groups through the management API. The corp secret of the contacts app is read at call time
// from TENCENT_EXMAIL_CORP_SECRET or the secret stack config mailplane:tencentExmailCorpSecret.
// Departments are created under the root on demand. DNS (Exmail's MX, SPF, DKIM) is in Cloudflare.
const acme = new MailDomain("acme", {
  domain: "acme.com",
  dns: dns.cloudflare({ zoneId: config.require("zoneId") }),
  provider: providers.tencentExmail({
    corpId: config.require("corpId"),
    dkim: { selector: "s1", value: config.require("exmailDkim") },
  }),
  policy: {
    spf: { all: "-all" },
    dmarc: { policy: "quarantine", rua: ["dmarc-reports@acme.com"] },
  },
  mailboxes: {
    zhangsan: {
      name: "张三",
      department: "销售部",
      title: "销售经理",
      aliases: ["san.zhang", "dmarc-reports"],
    },
    ali: { name: "علی علوی", department: "Engineering", aliases: ["postmaster", "abuse"] },
    zoe: { name: "Zoë Åström-Núñez", department: "Engineering", changePasswordAtNextLogin: true },
  },
  shared: {
    // Exmail has no standalone aliases: a role address is a mail group anyone may write to.
    sales: { members: ["zhangsan"], kind: "group", allowSenders: "anyone" },
  },
  groups: {
    "all-staff": {
      name: "全体员工",
      members: ["zhangsan", "ali", "zoe"],
      allowSenders: "organisation",
    },
    engineering: { members: ["ali", "zoe"], allowSenders: "members" },
  },
});

export const records = acme.records;
export const mxHosts = acme.mxHosts;
export const spf = acme.spf;
export const dmarc = acme.dmarc;
