import * as pulumi from "@pulumi/pulumi";
import { MailDomain, dns, providers } from "@mailplane/pulumi";

const config = new pulumi.Config();
// Zoho adds users with an initial password only: one per mailbox, kept secret in the stack.
const passwords = config.requireSecretObject<Record<string, string>>("passwords");
const password = (key: string) => passwords.apply((p) => p[key] ?? "");

// acme.eu's mail is Zoho Mail in the EU data centre (mail.zoho.eu, accounts.zoho.eu): users with
// their aliases and groups through the organisation API. The OAuth client and an admin's refresh
// token are read at call time from ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN (or
// the secret stack config mailplane:zohoClientId / zohoClientSecret / zohoRefreshToken). DNS
// (Zoho's MX, SPF, DKIM, verification) is in Route 53.
const acme = new MailDomain("acme", {
  domain: "acme.eu",
  dns: dns.route53({ zoneId: config.require("zoneId") }),
  provider: providers.zoho({
    dataCenter: "eu",
    organizationId: config.require("organizationId"),
    verification: config.require("zohoVerification"),
    dkim: { selector: "zmail", value: config.require("zohoDkim") },
    // Moderators approve posts to moderated groups; every other member is a plain member.
    moderators: { support: ["sara@acme.eu"] },
  }),
  policy: {
    spf: { all: "-all" },
    dmarc: { policy: "quarantine", rua: ["dmarc-reports@acme.eu"] },
  },
  mailboxes: {
    zhangsan: { name: "张三", aliases: ["san.zhang"], password: password("zhangsan") },
    sara: { name: "سارا رضایی", password: password("sara"), changePasswordAtNextLogin: true },
    zoe: { name: "Zoë Ångström-Ñúñez", password: password("zoe") },
  },
  groups: {
    support: { members: ["sara", "zoe"] },
    "dmarc-reports": { members: ["zoe"] },
    postmaster: { members: ["zoe"] },
    abuse: { members: ["zoe"] },
  },
});

export const records = acme.records;
export const mxHosts = acme.mxHosts;
export const spf = acme.spf;
export const dmarc = acme.dmarc;
