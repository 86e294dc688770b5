/**
 * Quickstart: Example Co's mail on the embedded defaults — its DNS records in an RFC 1035 zone
 * file and its accounts in the self-hosted (Postfix + Dovecot) sqlite store. Nothing leaves the
 * machine. `scripts/quickstart` runs it; both files land in `MAILPLANE_QUICKSTART_DIR`
 * (`examples/quickstart/.mailplane` by default).
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { MailDomain, dns, providers } from "@mailplane/pulumi";

const config = new pulumi.Config();
const dir = path.resolve(
  process.env.MAILPLANE_QUICKSTART_DIR ?? path.join(__dirname, ".mailplane"),
);
// Initial passwords: one secret (`pulumi config set --secret passwords '{"ava": "…"}'`).
const passwords = config.requireSecretObject<Record<string, string>>("passwords");
const password = (key: string) => passwords.apply((p) => p[key] ?? "");

const people = {
  ava: { name: "Ava Patel", department: "Sales", profile: "lead" },
  ben: { name: "Ben Okafor", department: "Sales", profile: "staff" },
  chloe: { name: "Chloé Martin", department: "Sales", profile: "staff" },
  dan: { name: "Dan Kowalski", department: "Support", profile: "lead" },
  eve: { name: "Eve Lindqvist", department: "Support", profile: "staff", aliases: ["eve.l"] },
};

const company = new MailDomain("example", {
  domain: "example.com",
  dns: dns.zoneFile({ path: path.join(dir, "example.com.zone") }),
  provider: providers.selfHosted({
    store: providers.sqlite({ path: path.join(dir, "mail.sqlite") }),
    mx: "mx.example.com",
    imap: { host: "mail.example.com", port: 993 },
    submission: { host: "mail.example.com", port: 465 },
  }),
  policy: {
    dmarc: { policy: "quarantine", rua: ["dmarc-reports@example.com"] },
    mtaSts: { mode: "testing" },
  },
  profiles: { lead: { quotaMb: 20480 }, staff: { quotaMb: 10240 } },
  mailboxes: Object.fromEntries(
    Object.entries(people).map(([key, p]) => [key, { ...p, password: password(key) }]),
  ),
  shared: {
    info: { members: ["ava", "dan"] },
    sales: { members: ["ava", "ben", "chloe"] },
    support: { members: ["dan", "eve"] },
  },
  aliases: {
    billing: "ava",
    "spring-sale": { to: ["sales"], expires: "2027-06-30" },
  },
  postmaster: "dan",
  abuse: "dan",
});

export const zoneFile = path.join(dir, "example.com.zone");
export const mailStore = path.join(dir, "mail.sqlite");
export const records = company.records.apply((rs) => rs.map((r) => `${r.name} ${r.type}`));
export const mtaStsPolicy = company.mtaStsPolicy;
