import { describe, expect, it } from "vitest";
import { parseMailDomain } from "@mailplane/core";
import {
  migaduCapabilities,
  type AliasState,
  type GroupState,
  type MailboxState,
} from "@mailplane/providers";
import { auditAccounts, type LiveAccounts } from "../src/audit-accounts";
import { exitCode, renderReport } from "../src/findings";

const D = "acme.test";
const NOW = new Date("2026-12-01T12:00:00Z");

const spec = parseMailDomain({
  domain: D,
  profiles: { executive: { quotaMb: 51200, require2fa: true } },
  mailboxes: {
    ali: { name: "Ali Alavi", profile: "executive", aliases: ["a.alavi"] },
    zhangsan: { name: "Zhang San", department: "Sales" },
    leaver: { name: "Old Hand", offboard: { forwardTo: "ali", keepUntil: "2026-11-30" } },
  },
  shared: { info: { members: ["ali", "zhangsan"] } },
  aliases: {
    hr: "ali",
    "launch-2026": { to: ["zhangsan"], expires: "2026-11-15" },
    "sale-2027": { to: ["zhangsan"], expires: "2027-01-31" },
  },
  groups: { "all-staff": { members: ["ali", "zhangsan"] } },
  postmaster: "ali",
  abuse: "ali",
});

const mailbox = (localPart: string, m: Partial<MailboxState>): MailboxState => ({
  domain: D,
  localPart,
  name: "",
  suspended: false,
  aliases: [],
  forwardTo: [],
  ...m,
});
const alias = (localPart: string, destinations: string[]): AliasState => ({
  domain: D,
  localPart,
  destinations: destinations.map((d) => `${d}@${D}`),
});

/** The live state a clean `pulumi up` leaves at Migadu (groups are aliases there). */
function cleanLive(): LiveAccounts {
  const aliases = [
    alias("a.alavi", ["ali"]),
    alias("info", ["ali", "zhangsan"]),
    alias("hr", ["ali"]),
    alias("sale-2027", ["zhangsan"]),
    alias("all-staff", ["ali", "zhangsan"]),
    alias("postmaster", ["ali"]),
    alias("abuse", ["ali"]),
  ];
  return {
    mailboxes: [
      // Migadu lists every one-destination alias among the mailbox's aliases.
      mailbox("ali", { name: "Ali Alavi", aliases: ["a.alavi", "abuse", "hr", "postmaster"] }),
      mailbox("zhangsan", { name: "Zhang San", department: "Sales" }),
      mailbox("leaver", { name: "Old Hand", suspended: true, forwardTo: [`ali@${D}`] }),
    ],
    aliases,
    groups: aliases
      .filter((a) => a.destinations.length > 1)
      .map((a) => ({ domain: D, localPart: a.localPart, members: a.destinations }) as GroupState),
  };
}

const audit = (live: LiveAccounts, now = NOW) =>
  auditAccounts({ spec, capabilities: migaduCapabilities, now, live });
const kinds = (fs: ReturnType<typeof audit>) =>
  fs.map((f) => `${f.severity} ${f.kind} ${f.subject}`);

describe("auditAccounts", () => {
  it("a domain as declared: only the offboarded mailbox's suspension, as info, before keepUntil", () => {
    const findings = audit(cleanLive(), new Date("2026-11-20T00:00:00Z"));
    expect(findings).toEqual([
      {
        domain: D,
        severity: "info",
        kind: "suspended",
        subject: `leaver@${D}`,
        message: "suspended (offboarded, kept until 2026-11-30)",
        declared: { suspended: true },
        live: { suspended: true },
      },
    ]);
    expect(exitCode(findings, [])).toBe(0);
  });

  it("keepUntil passed: one warning naming how to delete", () => {
    const findings = audit(cleanLive()).filter((f) => f.kind === "keepUntilPassed");
    expect(findings).toEqual([
      {
        domain: D,
        severity: "warning",
        kind: "keepUntilPassed",
        subject: `leaver@${D}`,
        message:
          'kept until 2026-11-30, which has passed; to delete it, set onDelete: "delete" on mailboxes.leaver and remove it from code',
        declared: { keepUntil: "2026-11-30" },
      },
    ]);
  });

  it("an alias past expires that is still live", () => {
    const live = cleanLive();
    live.aliases.push(alias("launch-2026", ["zhangsan"]));
    const findings = audit(live).filter((f) => f.kind === "aliasExpired");
    expect(findings).toEqual([
      {
        domain: D,
        severity: "error",
        kind: "aliasExpired",
        subject: `launch-2026@${D}`,
        message: `aliases.launch-2026 expired on 2026-11-15 but still delivers to [zhangsan@${D}]; run pulumi up to remove it`,
        declared: { expires: "2026-11-15" },
        live: { destinations: [`zhangsan@${D}`] },
      },
    ]);
    // Not also reported as undeclared.
    expect(kinds(audit(live)).filter((k) => k.includes("launch-2026"))).toEqual([
      `error aliasExpired launch-2026@${D}`,
    ]);
  });

  it("undeclared mailbox and alias, each once", () => {
    const live = cleanLive();
    live.mailboxes.push(mailbox("intern", { name: "Summer Intern", suspended: true }));
    live.aliases.push(alias("old-promo", ["zhangsan"]));
    const findings = audit(live, new Date("2026-11-20T00:00:00Z"));
    expect(findings.filter((f) => f.kind === "undeclared")).toEqual([
      {
        domain: D,
        severity: "warning",
        kind: "undeclared",
        subject: `intern@${D}`,
        message: 'present at the provider but not declared: mailbox "Summer Intern" (suspended)',
      },
      {
        domain: D,
        severity: "warning",
        kind: "undeclared",
        subject: `old-promo@${D}`,
        message: `present at the provider but not declared: forwards to [zhangsan@${D}]`,
      },
    ]);
    expect(exitCode(findings, [])).toBe(1);
  });

  it("declared but missing: a mailbox and a group", () => {
    const live = cleanLive();
    live.mailboxes = live.mailboxes.filter((m) => m.localPart !== "zhangsan");
    live.aliases = live.aliases.filter((a) => a.localPart !== "all-staff");
    live.groups = live.groups.filter((g) => g.localPart !== "all-staff");
    expect(
      audit(live)
        .filter((f) => f.kind === "missing")
        .map((f) => [f.subject, f.message]),
    ).toEqual([
      [`zhangsan@${D}`, "declared mailbox (mailboxes.zhangsan) does not exist at the provider"],
      [`all-staff@${D}`, "declared address (groups.all-staff) does not exist at the provider"],
    ]);
  });

  it("drift of fields, aliases, forwards, destinations and suspension", () => {
    const live = cleanLive();
    live.mailboxes[0] = mailbox("ali", { name: "Ali A.", aliases: ["a.alavi", "boss"] });
    live.mailboxes[1] = mailbox("zhangsan", {
      name: "Zhang San",
      department: "Marketing",
      suspended: true,
    });
    live.mailboxes[2] = mailbox("leaver", { name: "Old Hand", suspended: false, forwardTo: [] });
    live.aliases = live.aliases.map((a) => (a.localPart === "hr" ? alias("hr", ["zhangsan"]) : a));
    expect(
      audit(live, new Date("2026-11-20T00:00:00Z")).map(
        (f) => `${f.severity} ${f.kind} ${f.subject}: ${f.message}`,
      ),
    ).toEqual([
      `warning drift ali@${D}: name: declared "Ali Alavi", live "Ali A."`,
      `warning drift ali@${D}: aliases: declared [a.alavi], live [a.alavi, boss]`,
      `warning drift zhangsan@${D}: department: declared "Sales", live "Marketing"`,
      `warning suspended zhangsan@${D}: suspended at the provider, but declared active`,
      `warning drift leaver@${D}: forwardTo: declared [ali@${D}], live []`,
      `warning drift leaver@${D}: suspended: declared true, live false`,
      `warning drift hr@${D}: destinations: declared [ali@${D}], live [zhangsan@${D}]`,
    ]);
  });

  it("Migadu: a declared alias pointing elsewhere, listed among the other mailbox's aliases, is one finding", () => {
    const live = cleanLive();
    // hr@ now delivers to zhangsan: Migadu lists it among zhangsan's aliases, not ali's.
    live.mailboxes[0]!.aliases = ["a.alavi", "abuse", "postmaster"];
    live.mailboxes[1]!.aliases = ["hr"];
    live.aliases = live.aliases.map((x) => (x.localPart === "hr" ? alias("hr", ["zhangsan"]) : x));
    expect(
      audit(live, new Date("2026-11-20T00:00:00Z"))
        .filter((f) => f.severity !== "info")
        .map((f) => `${f.kind} ${f.subject}: ${f.message}`),
    ).toEqual([`drift hr@${D}: destinations: declared [ali@${D}], live [zhangsan@${D}]`]);
  });

  it("2FA not enforced where the provider reports it; unreported is not a finding", () => {
    const live = cleanLive();
    expect(audit(live).some((f) => f.kind === "twoFactorNotEnforced")).toBe(false);
    (live.mailboxes[0] as MailboxState & { twoFactorEnforced?: boolean }).twoFactorEnforced = false;
    (live.mailboxes[1] as MailboxState & { twoFactorEnforced?: boolean }).twoFactorEnforced = false;
    expect(audit(live).filter((f) => f.kind === "twoFactorNotEnforced")).toEqual([
      {
        domain: D,
        severity: "error",
        kind: "twoFactorNotEnforced",
        subject: `ali@${D}`,
        message: "require2fa is declared, but the provider reports 2-step sign-in not enforced",
        declared: { require2fa: true },
        live: { twoFactorEnforced: false },
      },
    ]);
  });

  it("a group realised as an alias, and a mailbox alias, are not undeclared", () => {
    expect(kinds(audit(cleanLive()))).toEqual([
      `info suspended leaver@${D}`,
      `warning keepUntilPassed leaver@${D}`,
    ]);
  });
});

describe("renderReport", () => {
  it("groups by severity, says it is read-only, counts", () => {
    const live = cleanLive();
    live.aliases.push(alias("launch-2026", ["zhangsan"]));
    const text = renderReport(audit(live), ["dns acme.test: resolver timed out"], "1 domain");
    expect(text).toBe(
      [
        "mailplane audit (read-only: nothing was changed) — 1 domain",
        "",
        "ERROR (1)",
        "  KIND          SUBJECT                DETAIL",
        `  aliasExpired  launch-2026@acme.test  aliases.launch-2026 expired on 2026-11-15 but still delivers to [zhangsan@acme.test]; run pulumi up to remove it`,
        "",
        "WARNING (1)",
        "  KIND             SUBJECT           DETAIL",
        '  keepUntilPassed  leaver@acme.test  kept until 2026-11-30, which has passed; to delete it, set onDelete: "delete" on mailboxes.leaver and remove it from code',
        "",
        "INFO (1)",
        "  KIND       SUBJECT           DETAIL",
        "  suspended  leaver@acme.test  suspended (offboarded, kept until 2026-11-30)",
        "",
        "COULD NOT CHECK (1)",
        "  dns acme.test: resolver timed out",
        "",
        "1 error, 1 warning, 1 info; 1 not checked",
        "",
      ].join("\n"),
    );
    expect(exitCode(audit(live), ["x"])).toBe(2);
  });
});
