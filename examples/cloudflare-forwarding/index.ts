import * as pulumi from "@pulumi/pulumi";
import { MailDomain, dns, providers } from "@mailplane/pulumi";

const config = new pulumi.Config();
const zoneId = config.require("zoneId");
const accountId = config.require("accountId");

// example.org receives mail only to forward it: Cloudflare Email Routing, one destination per
// address. Cloudflare's MX set and SPF include are read from Cloudflare at preview.
const example = new MailDomain("example", {
  domain: "example.org",
  dns: dns.cloudflare({ zoneId }),
  provider: providers.cloudflareEmailRouting({ accountId, zoneId }),
  policy: {
    spf: { all: "-all" },
    dmarc: { policy: "quarantine", rua: ["dmarc-reports@example.org"] },
    tlsRpt: { rua: ["tls-reports@example.org"] },
  },
  aliases: {
    hello: "owner@gmail.com",
    "dmarc-reports": "owner@gmail.com",
    "tls-reports": "owner@gmail.com",
  },
  shared: { info: { externalMembers: ["team@fastmail.com"] } },
  postmaster: "owner@gmail.com",
  abuse: "owner@gmail.com",
});

export const records = example.records;
export const mxHosts = example.mxHosts;
export const spf = example.spf;
export const dmarc = example.dmarc;
