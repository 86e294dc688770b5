import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { MailDomain, dns, providers, ses } from "@mailplane/pulumi";

const config = new pulumi.Config();

// The hosted zone of acme.com, managed in this stack.
const zone = new aws.route53.Zone("acme", { name: "acme.com" });

// People's mailboxes at Migadu; transactional mail (receipts, password resets) through SES with
// Easy DKIM and a custom MAIL FROM (bounce.acme.com). DKIM CNAMEs come from the SES identity's
// tokens: unknown at the first preview, published on `pulumi up`.
const acme = new MailDomain("acme", {
  domain: "acme.com",
  dns: dns.route53({ zoneId: zone.zoneId }),
  provider: providers.migadu({ verificationCode: config.require("migaduVerification") }),
  sending: ses({ region: "eu-west-1", mailFromSubdomain: "bounce" }),
  policy: {
    spf: { include: ["_spf.salesforce.com"], all: "-all" },
    dmarc: { policy: "reject", rua: ["dmarc@acme.com"] },
    mtaSts: { mode: "testing" },
    tlsRpt: { rua: ["tls-reports@acme.com"] },
  },
  mailboxes: {
    zhangsan: { name: "Zhang San", department: "Sales", aliases: ["san.zhang"] },
    ali: {
      name: "Ali Alavi",
      localPart: "ali.alavi",
      password: config.requireSecret("aliPassword"),
    },
  },
  shared: { info: { members: ["ali", "zhangsan"] } },
  aliases: { hr: "ali", dmarc: "ali", "tls-reports": "ali" },
  postmaster: "ali",
  abuse: "ali",
});

export const nameServers = zone.nameServers;
export const records = acme.records;
export const mtaStsPolicy = acme.mtaStsPolicy;
