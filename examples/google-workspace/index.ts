import * as pulumi from "@pulumi/pulumi";
import { MailDomain, dns, providers } from "@mailplane/pulumi";

const config = new pulumi.Config();

// acme.com's mail is Google Workspace: users, their aliases and Google Groups through the Admin
// SDK Directory API, as a service account with domain-wide delegation acting as adminEmail. Its
// JSON key is read at call time from GOOGLE_SERVICE_ACCOUNT_KEY or the secret stack config
// mailplane:googleServiceAccountKey. DNS (Google's MX, SPF, DKIM, verification) is in Cloudflare.
const acme = new MailDomain("acme", {
  domain: "acme.com",
  dns: dns.cloudflare({ zoneId: config.require("zoneId") }),
  provider: providers.googleWorkspace({
    customerId: config.require("customerId"),
    adminEmail: config.require("adminEmail"),
    dkim: config.require("googleDkim"),
    verification: config.require("googleVerification"),
  }),
  policy: {
    spf: { all: "-all" },
    dmarc: { policy: "quarantine", rua: ["dmarc-reports@acme.com"] },
  },
  mailboxes: {
    ali: { name: "Ali Alavi", aliases: ["a.alavi"] },
    zhangsan: { name: "张三" },
  },
  groups: {
    team: { members: ["ali", "zhangsan"] },
    "dmarc-reports": { members: ["ali"] },
    postmaster: { members: ["ali"] },
    abuse: { members: ["ali"] },
  },
});

export const records = acme.records;
export const mxHosts = acme.mxHosts;
export const spf = acme.spf;
export const dmarc = acme.dmarc;
