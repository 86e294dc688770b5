import {
  MailplaneConfigError,
  type MailDomainInput,
  type MailProviderCapabilities,
} from "../src/index";

/** The DESIGN.md example, as a user writes it. */
export const acme = {
  domain: "Acme.COM.",
  domainAliases: ["acme.co"],
  policy: { dmarc: { policy: "reject", rua: ["dmarc@acme.com"] } },
  profiles: { executive: { quotaMb: 51200, require2fa: true }, staff: { quotaMb: 10240 } },
  mailboxes: {
    zhangsan: { name: "Zhang San", department: "Sales", profile: "staff", aliases: ["san.zhang"] },
    ali: { name: "Ali Alavi", profile: "executive", localPart: "ali.alavi" },
    leaver: { name: "Old Hand", offboard: { forwardTo: "ali", keepUntil: "2027-03-31" } },
  },
  shared: {
    info: { members: ["ali", "zhangsan"] },
    support: { members: ["zhangsan"], kind: "auto" },
  },
  aliases: { hr: "ali", "launch-2026": { to: ["zhangsan"], expires: "2026-12-31" } },
  groups: { "all-staff": { members: ["ali", "zhangsan"] } },
  postmaster: "ali",
  abuse: ["ali", "Security@Partner.Example"],
} satisfies MailDomainInput;

/** A provider that can do everything Mailplane can ask of one. */
export const fullCapabilities: MailProviderCapabilities = {
  mailboxes: true,
  aliasesPerMailbox: Infinity,
  standaloneAliases: true,
  groups: true,
  sharedMailboxes: true,
  suspend: true,
  quota: true,
  passwords: true,
  forceChangeAtLogin: true,
  require2fa: true,
  externalForward: true,
  catchAll: true,
  domainAliases: true,
  renameInPlace: true,
  groupSenders: true,
};

/** A provider that can do nothing: every capability of {@link fullCapabilities} off. */
export const noCapabilities = Object.fromEntries(
  Object.entries(fullCapabilities).map(([name, can]) => [
    name,
    typeof can === "number" ? 0 : false,
  ]),
) as unknown as MailProviderCapabilities;

/** The message of what `fn` throws. */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof MailplaneConfigError) return e.message;
    throw e;
  }
  throw new Error("expected a MailplaneConfigError");
}
