import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as prettier from "prettier";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { parseMailDomain } from "@mailplane/core";
import {
  migaduCapabilities,
  SELF_HOSTED_CAPABILITIES,
  type AliasState,
  type GroupState,
} from "@mailplane/providers";
import { auditAccounts } from "../src/audit-accounts";
import { generateProgram, readZoneFilePolicy, type LiveDomain } from "../src/import";

const D = "acme.test";
const ROOT = path.resolve(__dirname, "..", "..", "..");
const a = (localPart: string, to: string[]): AliasState => ({
  domain: D,
  localPart,
  destinations: to.map((t) => (t.includes("@") ? t : `${t}@${D}`)),
});

/** A Migadu domain as its API lists it: groups are aliases with several destinations. */
function migaduLive(): LiveDomain {
  const aliases = [
    a("a.alavi", ["ali"]),
    a("info", ["ali", "zhangsan"]),
    a("hr", ["ali"]),
    a("postmaster", ["ali"]),
    a("abuse", ["ali"]),
    a("launch", ["agency@example.com", "info"]),
  ];
  return {
    domain: D,
    mailboxes: [
      {
        domain: D,
        localPart: "ali",
        name: "Ali Alavi",
        suspended: false,
        // Migadu lists every one-destination alias among the mailbox's aliases.
        aliases: ["a.alavi", "abuse", "hr", "postmaster"],
        forwardTo: [],
      },
      {
        domain: D,
        localPart: "zhangsan",
        name: "Zhang San",
        department: "Sales",
        suspended: false,
        aliases: [],
        forwardTo: [],
      },
      {
        domain: D,
        localPart: "leaver",
        name: "Old Hand",
        suspended: true,
        aliases: [],
        forwardTo: [`ali@${D}`],
      },
    ],
    aliases,
    groups: aliases
      .filter((x) => x.destinations.length > 1)
      .map((x): GroupState => ({ domain: D, localPart: x.localPart, members: x.destinations })),
    domainAliases: [],
  };
}

const DNS = {
  spf: "v=spf1 include:spf.migadu.com include:_spf.salesforce.com -all",
  dmarc: "v=DMARC1; p=reject; rua=mailto:dmarc@acme.test; ri=3600",
  tlsRpt: "v=TLSRPTv1; rua=mailto:tls@acme.test",
};

/**
 * Type-checks generated programs with the TypeScript compiler against @mailplane/pulumi's built
 * declarations (one compiler program for all of them); returns each one's errors.
 */
function typeErrors(codes: string[]): string[][] {
  const dir = path.join(ROOT, "packages", "cli", "test");
  const files = codes.map((_, i) => path.join(dir, `__generated_${i}__.ts`));
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ["node"],
    esModuleInterop: true,
    paths: { "@mailplane/pulumi": [path.join(ROOT, "packages", "pulumi", "dist", "index.d.ts")] },
  };
  const host = ts.createCompilerHost(options);
  const virtual = new Map(files.map((f, i) => [f, codes[i]!]));
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => virtual.get(path.resolve(f)) ?? readFile(f);
  host.fileExists = (f) => virtual.has(path.resolve(f)) || fileExists(f);
  host.getSourceFile = (f, lang, ...rest) => {
    const code = virtual.get(path.resolve(f));
    return code === undefined
      ? getSourceFile(f, lang, ...rest)
      : ts.createSourceFile(f, code, lang);
  };
  const program = ts.createProgram(files, options, host);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  return files.map((file) =>
    diagnostics
      .filter((d) => d.file !== undefined && path.resolve(d.file.fileName) === file)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")),
  );
}

describe("generateProgram", () => {
  it("writes one MailDomain for a Migadu domain, formatted, with notes for what it cannot express", async () => {
    const g = await generateProgram(migaduLive(), migaduCapabilities, { provider: "migadu" }, DNS, {
      date: "2026-12-01",
    });
    expect(g.code)
      .toBe(`// Imported by \`mailplane import\` from migadu on 2026-12-01: acme.test, 3 mailboxes, 2 shared addresses, 1 aliases, 0 groups.
// Review it, choose the DNS backend, then run \`pulumi preview\`: every account is adopted as it is.
// NOTE: DMARC tag ri=3600 is not expressible (RFC 9989 removed it); left out
import { MailDomain, dns, providers } from "@mailplane/pulumi";

const acme = new MailDomain("acme", {
  domain: "acme.test",
  dns: dns.zoneFile({ path: "acme.test.zone" }),
  provider: providers.migadu(),
  policy: {
    spf: {
      include: ["_spf.salesforce.com"],
      all: "-all",
    },
    dmarc: {
      policy: "reject",
      rua: ["dmarc@acme.test"],
    },
    tlsRpt: {
      rua: ["tls@acme.test"],
    },
  },
  mailboxes: {
    ali: {
      name: "Ali Alavi",
      aliases: ["a.alavi"],
    },
    leaver: {
      // suspended at the provider when imported
      name: "Old Hand",
      offboard: {
        forwardTo: ["ali"],
      },
    },
    zhangsan: {
      name: "Zhang San",
      department: "Sales",
    },
  },
  shared: {
    hr: {
      members: ["ali"],
    },
    info: {
      members: ["ali", "zhangsan"],
    },
  },
  aliases: {
    launch: ["agency@example.com", "info"],
  },
  postmaster: "ali",
  abuse: "ali",
});

export const records = acme.records;
`);
    expect(g.notes).toEqual([
      "DMARC tag ri=3600 is not expressible (RFC 9989 removed it); left out",
    ]);
    // Formatted as the repository formats code.
    expect(
      await prettier.format(g.code, {
        parser: "typescript",
        printWidth: 100,
        trailingComma: "all",
      }),
    ).toBe(g.code);
  });

  it("the generated program typechecks against @mailplane/pulumi", async () => {
    const g = await generateProgram(
      migaduLive(),
      migaduCapabilities,
      { provider: "migadu", apiUrl: "http://127.0.0.1:8080/v1" },
      DNS,
    );
    const selfHosted = await generateProgram(
      {
        ...migaduLive(),
        aliases: [],
        groups: [],
        catchAll: [`ali@${D}`],
        domainAliases: ["acme.example"],
      },
      SELF_HOSTED_CAPABILITIES,
      { provider: "selfHosted", apiUrl: "sqlite:///var/lib/mail.sqlite" },
    );
    // A program with a mistake does not typecheck (the check can fail).
    const broken = g.code.replace('name: "Zhang San"', 'nmae: "Zhang San"');
    const [migaduErrors, selfHostedErrors, brokenErrors] = typeErrors([
      g.code,
      selfHosted.code,
      broken,
    ]);
    expect(migaduErrors).toEqual([]);
    expect(selfHostedErrors).toEqual([]);
    expect(brokenErrors).toHaveLength(1);
    expect(brokenErrors[0]).toMatch(/'nmae' does not exist/);
  }, 120_000);

  it("its declaration, planned today, matches the live accounts: nothing to create or change", async () => {
    const live = migaduLive();
    const g = await generateProgram(live, migaduCapabilities, { provider: "migadu" }, DNS);
    const findings = auditAccounts({
      spec: parseMailDomain(g.declaration),
      capabilities: migaduCapabilities,
      now: new Date(),
      live,
    });
    expect(findings.map((f) => `${f.severity} ${f.kind} ${f.subject}`)).toEqual([
      `info suspended leaver@${D}`,
    ]);
  });

  it("self-hosted: real groups with names and external members, the store as binding", async () => {
    const live: LiveDomain = {
      domain: D,
      mailboxes: [
        {
          domain: D,
          localPart: "ali",
          name: "Ali",
          suspended: false,
          aliases: [],
          forwardTo: [],
          quotaMb: 2048,
        },
      ],
      aliases: [a("postmaster", ["ali"])],
      groups: [
        { domain: D, localPart: "team", name: "The Team", members: [`ali@${D}`, "x@example.com"] },
      ],
      domainAliases: ["acme.example"],
      catchAll: [`ali@${D}`],
    };
    const g = await generateProgram(
      live,
      SELF_HOSTED_CAPABILITIES,
      { provider: "selfHosted", apiUrl: "sqlite:///var/lib/mail.sqlite" },
      { mx: ["mx.acme.test"] },
    );
    expect(g.declaration).toEqual({
      domain: D,
      domainAliases: ["acme.example"],
      mailboxes: { ali: { name: "Ali", quotaMb: 2048 } },
      groups: { team: { name: "The Team", members: ["ali"], externalMembers: ["x@example.com"] } },
      postmaster: "ali",
      catchAll: ["ali"],
    });
    expect(g.code).toContain(
      [
        "  provider: providers.selfHosted({",
        '    store: providers.sqlite({ path: "/var/lib/mail.sqlite" }),',
        '    mx: "mx.acme.test",',
        "  }),",
      ].join("\n"),
    );
    expect(g.notes).toEqual([]);
  });

  it("a domain without postmaster@ gets a note saying what to set", async () => {
    const live = migaduLive();
    live.aliases = live.aliases.filter((x) => x.localPart !== "postmaster");
    live.mailboxes[0]!.aliases = live.mailboxes[0]!.aliases.filter((x) => x !== "postmaster");
    const g = await generateProgram(live, migaduCapabilities, { provider: "migadu" });
    expect(g.notes).toEqual([
      "postmaster@acme.test does not exist at the provider; RFC 2142 needs it: set postmaster (a handle) before the first pulumi up",
      'the imported declaration needs a hand before pulumi up: postmaster: postmaster@acme.test does not deliver anywhere; RFC 2142 requires it (got nothing; allowed: postmaster: "<handle or address>", a mailbox, alias or shared address named postmaster, or a catchAll)',
    ]);
    expect(g.code).toContain("// NOTE: postmaster@acme.test does not exist at the provider;");
  });

  it("reads the DNS policy from a zone file (dns-zonefile; TXT strings joined as DNS does)", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "mailplane-import-zone-"));
    const file = path.join(dir, "acme.test.zone");
    writeFileSync(
      file,
      [
        "$ORIGIN acme.test.",
        "$TTL 3600",
        "@\tIN\tSOA\tns1.acme.test. hostmaster.acme.test. 1 7200 3600 1209600 3600",
        "@\tIN\tNS\tns1.acme.test.",
        "@\tIN\tMX\t20 aspmx2.migadu.com.",
        "@\tIN\tMX\t10 aspmx1.migadu.com.",
        '@\tIN\tTXT\t"hosted-email-verify=abc"',
        '@\tIN\tTXT\t"v=spf1 include:spf.migadu.com include:_spf.salesforce.com " "ip4:192.0.2.0/24 ~all"',
        '_dmarc\tIN\tTXT\t"v=DMARC1; p=quarantine; sp=reject; rua=mailto:dmarc@acme.test; pct=25"',
        '_smtp._tls.acme.test.\tIN\tTXT\t"v=TLSRPTv1; rua=mailto:tls@acme.test"',
        '_mta-sts\tIN\tTXT\t"v=STSv1; id=20260101"',
        "ns1\tIN\tA\t127.0.0.1",
        "",
      ].join("\n"),
    );
    const live = await readZoneFilePolicy(file, D);
    expect(live).toEqual({
      spf: "v=spf1 include:spf.migadu.com include:_spf.salesforce.com ip4:192.0.2.0/24 ~all",
      dmarc: "v=DMARC1; p=quarantine; sp=reject; rua=mailto:dmarc@acme.test; pct=25",
      tlsRpt: "v=TLSRPTv1; rua=mailto:tls@acme.test",
      mx: ["aspmx1.migadu.com", "aspmx2.migadu.com"],
      problems: [
        "_mta-sts.acme.test is published; its mode is in the policy served at https://mta-sts.acme.test/.well-known/mta-sts.txt: set policy.mtaSts by hand (or import with --resolver)",
      ],
    });
    const g = await generateProgram(migaduLive(), migaduCapabilities, { provider: "migadu" }, live);
    expect(g.declaration.policy).toEqual({
      spf: { include: ["_spf.salesforce.com"], ip4: ["192.0.2.0/24"], all: "~all" },
      dmarc: {
        policy: "quarantine",
        subdomainPolicy: "reject",
        rua: ["dmarc@acme.test"],
        legacy: { pct: 25 },
      },
      tlsRpt: { rua: ["tls@acme.test"] },
    });
    expect(g.notes).toEqual([live.problems![0]]);
    await expect(readZoneFilePolicy(path.join(dir, "missing.zone"), D)).rejects.toThrow(
      `--zone-file ${path.join(dir, "missing.zone")}: ENOENT: no such file or directory`,
    );
  });
});
