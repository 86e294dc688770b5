import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { MailDomain, dns, providers } from "@mailplane/pulumi";

const config = new pulumi.Config();

// The hosted zone of acme.com, managed in this stack.
const zone = new aws.route53.Zone("acme", { name: "acme.com" });

// acme.com's mail is Microsoft 365: each mailbox is an Entra ID user licensed with the SKU of
// its profile (a user has an Exchange mailbox only once such a licence is assigned), groups are
// Microsoft 365 groups. The app registration's client secret is read at call time from
// MICROSOFT365_CLIENT_SECRET or the secret stack config mailplane:microsoft365ClientSecret.
// The MX host and the DKIM CNAME targets are the ones the admin center shows for the domain.
const acme = new MailDomain("acme", {
  domain: "acme.com",
  dns: dns.route53({ zoneId: zone.zoneId }),
  provider: providers.microsoft365({
    tenantId: config.require("tenantId"),
    clientId: config.require("clientId"),
    domain: "acme.com",
    usageLocation: "DE",
    licences: { default: config.require("staffSku"), executive: config.require("executiveSku") },
    mx: config.require("mxHost"),
    dkim: {
      selector1: config.require("dkimSelector1"),
      selector2: config.require("dkimSelector2"),
    },
    verification: config.require("msVerification"),
  }),
  policy: {
    spf: { all: "-all" },
    dmarc: { policy: "quarantine", rua: ["dmarc-reports@acme.com"] },
  },
  mailboxes: {
    ali: {
      name: "Ali Alavi",
      department: "Sales",
      title: "Account Executive",
      password: config.requireSecret("aliPassword"),
      changePasswordAtNextLogin: true,
    },
    zhangsan: {
      name: "Zhang San",
      profile: "executive",
      password: config.requireSecret("zhangsanPassword"),
    },
  },
  profiles: { executive: {} },
  // Microsoft Graph has no aliases (they live in Exchange Online): every shared address is a
  // Microsoft 365 group.
  groups: {
    team: { members: ["ali", "zhangsan"] },
    "dmarc-reports": { members: ["ali"] },
    postmaster: { members: ["ali"] },
    abuse: { members: ["ali"] },
  },
});

export const nameServers = zone.nameServers;
export const records = acme.records;
export const mxHosts = acme.mxHosts;
