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
    // Mailboxes with these profiles are placed in these org units. 2-step verification is
    // enforced per org unit in the Admin console; require2fa is accepted only where it maps.
    orgUnits: { staff: "/Staff", executive: "/Staff/Executives" },
  }),
  profiles: { staff: {}, executive: { require2fa: true } },
  policy: {
    spf: { all: "-all" },
    dmarc: { policy: "quarantine", rua: ["dmarc-reports@acme.com"] },
  },
  mailboxes: {
    ali: { name: "Ali Alavi", aliases: ["a.alavi"], profile: "executive" },
    zhangsan: { name: "张三", profile: "staff" },
    // A Latin-script name written family name first: say which part is which.
    wangwei: { name: "Wang Wei", givenName: "Wei", familyName: "Wang", profile: "staff" },
  },
  // A collaborative inbox (a Google Group its readers share, through the Groups Settings API).
  shared: { support: { name: "Support", kind: "sharedMailbox", members: ["zhangsan", "wangwei"] } },
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
