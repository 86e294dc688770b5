/*
 * `mailplane audit`'s DNS part against a real DNS server: Knot DNS (Debian `knot`) serving
 * acme.test on 127.0.0.1, asked through node:dns's Resolver (`--resolver 127.0.0.1:<port>`), and
 * the MTA-STS policy served over HTTPS by a local server whose certificate a test CA signed
 * (`--ca`). The planned records come from core's planner (self-hosted facts with a real RSA DKIM
 * key); the zone is rendered by renderZoneFile. One zone is served as planned, a second with
 * planted faults — two SPF records, a wrong DKIM key, a stale `_mta-sts` id, a policy file that
 * differs — and each fault must be reported exactly once.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash, generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  parseMailDomain,
  planDnsRecords,
  planMtaStsPolicy,
  renderZoneFile,
  type DnsRecord,
} from "@mailplane/core";
import {
  auditDns,
  generateProgram,
  main,
  makeResolver,
  readLiveDnsPolicy,
} from "../../packages/cli/src";
import { SELF_HOSTED_CAPABILITIES, selfHostedDnsFacts } from "@mailplane/providers";

function which(tool: string): string {
  for (const dir of (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/usr/bin"])) {
    if (existsSync(join(dir, tool))) return join(dir, tool);
  }
  throw new Error(
    `test/real/audit-dns.test.ts needs ${tool} (Debian packages knot, openssl); run scripts/install-servers`,
  );
}

const D = "acme.test";
const key = () =>
  generateKeyPairSync("rsa", { modulusLength: 1024 })
    .publicKey.export({ type: "spki", format: "der" })
    .toString("base64");
const DKIM_KEY = key();
const OTHER_KEY = key();

const spec = parseMailDomain({
  domain: D,
  policy: {
    spf: { include: ["_spf.partner.acme.test"], all: "-all" },
    dmarc: { policy: "reject", rua: ["dmarc@acme.test"] },
    mtaSts: { mode: "testing", maxAge: 86400 },
    tlsRpt: { rua: ["tls-reports@acme.test"] },
  },
  mailboxes: { ali: { name: "Ali Alavi" } },
  postmaster: "ali",
  abuse: "ali",
});
const facts = selfHostedDnsFacts({
  mx: [{ host: "mx.acme.test", priority: 10 }],
  dkim: [{ selector: "mail", publicKey: DKIM_KEY }],
});
const planned: DnsRecord[] = planDnsRecords(spec, facts);
const policy = planMtaStsPolicy(spec, facts)!;

/** Records the zone needs besides the plan: the partner's nested SPF, hosts' addresses. */
const host = (name: string, value: string, type: "A" | "TXT" = "A"): DnsRecord => ({
  name,
  type,
  ttl: 300,
  value,
  role: `extra-${name}-${value.length}`,
});
const support = (mtaStsIp: string): DnsRecord[] => [
  host(
    "_spf.partner.acme.test",
    "v=spf1 include:_spf2.partner.acme.test ip4:198.51.100.0/24 -all",
    "TXT",
  ),
  host("_spf2.partner.acme.test", "v=spf1 ip4:203.0.113.0/24 -all", "TXT"),
  host("mx.acme.test", "127.0.0.1"),
  host("mta-sts.acme.test", mtaStsIp),
];

const CLEAN_IP = "127.77.0.1";
const FAULTY_IP = "127.77.0.2";

/** The planted faults, applied to the planned records. */
function faulty(records: DnsRecord[]): DnsRecord[] {
  const out = records.map((r) => {
    if (r.role === "dkim-mail") return { ...r, value: `v=DKIM1; k=rsa; p=${OTHER_KEY}` };
    if (r.role === "mta-sts") return { ...r, value: "v=STSv1; id=20250101000000" };
    return r;
  });
  out.push({
    ...records.find((r) => r.role === "spf")!,
    value: "v=spf1 include:spf.old-host.example ~all",
    role: "spf-old",
  });
  return out;
}

let dir: string;
const knots: ChildProcess[] = [];
const servers: https.Server[] = [];
let cleanPort: number;
let faultyPort: number;
let tooManyPort: number;
let caFile: string;
let caPem: string;

function startKnot(name: string, records: DnsRecord[]): Promise<number> {
  const base = join(dir, name);
  mkdirSync(join(base, "db"), { recursive: true });
  const zonePath = join(base, `${D}.zone`);
  writeFileSync(zonePath, renderZoneFile(records, D));
  const port = 20000 + Math.floor(Math.random() * 20000);
  writeFileSync(
    join(base, "knot.conf"),
    [
      "server:",
      `  listen: 127.0.0.1@${port}`,
      `  rundir: "${base}"`,
      `  pidfile: "${join(base, "knot.pid")}"`,
      "database:",
      `  storage: "${join(base, "db")}"`,
      "log:",
      "  - target: stderr",
      "    any: warning",
      "zone:",
      `  - domain: ${D}`,
      `    file: "${zonePath}"`,
      "    zonefile-sync: -1",
      "    journal-content: none",
      "",
    ].join("\n"),
  );
  let log = "";
  const child = spawn(which("knotd"), ["-c", join(base, "knot.conf")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  knots.push(child);
  const resolver = makeResolver(`127.0.0.1:${port}`);
  return (async () => {
    for (let i = 0; i < 100; i++) {
      try {
        await resolver.resolveSoa(D);
        return port;
      } catch {
        if (child.exitCode !== null) throw new Error(`knotd exited:\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`knotd did not answer on 127.0.0.1@${port}:\n${log}`);
  })();
}

/** A test CA and a certificate for mta-sts.acme.test signed by it (openssl). */
function makeCertificates(): { key: string; cert: string } {
  const openssl = which("openssl");
  const f = (n: string) => join(dir, n);
  execFileSync(
    openssl,
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      f("ca.key"),
      "-out",
      f("ca.pem"),
      "-days",
      "2",
      "-subj",
      "/CN=Mailplane test CA",
    ],
    { stdio: "ignore" },
  );
  execFileSync(
    openssl,
    [
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      f("leaf.key"),
      "-out",
      f("leaf.csr"),
      "-subj",
      `/CN=mta-sts.${D}`,
    ],
    { stdio: "ignore" },
  );
  writeFileSync(f("san.ext"), `subjectAltName=DNS:mta-sts.${D}\n`);
  execFileSync(
    openssl,
    [
      "x509",
      "-req",
      "-in",
      f("leaf.csr"),
      "-CA",
      f("ca.pem"),
      "-CAkey",
      f("ca.key"),
      "-CAcreateserial",
      "-out",
      f("leaf.pem"),
      "-days",
      "2",
      "-extfile",
      f("san.ext"),
    ],
    { stdio: "ignore" },
  );
  return { key: readFileSync(f("leaf.key"), "utf8"), cert: readFileSync(f("leaf.pem"), "utf8") };
}

function serve(ip: string, body: string, tlsFiles: { key: string; cert: string }): Promise<void> {
  const server = https.createServer(tlsFiles, (req, res) => {
    if (req.url === "/.well-known/mta-sts.txt" && req.headers.host === `mta-sts.${D}`) {
      res.writeHead(200, { "content-type": "text/plain" }).end(body);
    } else res.writeHead(404).end();
  });
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(443, ip, () => resolve());
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mailplane-audit-dns-"));
  const tlsFiles = makeCertificates();
  caFile = join(dir, "ca.pem");
  caPem = readFileSync(caFile, "utf8");
  cleanPort = await startKnot("clean", [...planned, ...support(CLEAN_IP)]);
  faultyPort = await startKnot("faulty", [...faulty(planned), ...support(FAULTY_IP)]);
  // The SPF record as declared, but the partner's include grew to ten nested includes.
  const chain = Array.from({ length: 10 }, (_, i) =>
    host(`s${i}.partner.acme.test`, `v=spf1 ip4:198.51.100.${i} -all`, "TXT"),
  );
  tooManyPort = await startKnot("toomany", [
    ...planned,
    ...support(CLEAN_IP).filter((r) => r.name !== "_spf.partner.acme.test"),
    host(
      "_spf.partner.acme.test",
      `v=spf1 ${chain.map((c) => `include:${c.name}`).join(" ")} -all`,
      "TXT",
    ),
    ...chain,
  ]);
  await serve(CLEAN_IP, policy.text, tlsFiles);
  // The faulty server's policy: enforce instead of testing, another max_age.
  await serve(
    FAULTY_IP,
    policy.text
      .replace("mode: testing", "mode: enforce")
      .replace("max_age: 86400", "max_age: 604800"),
    tlsFiles,
  );
});

afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  for (const k of knots) {
    if (k.exitCode === null) {
      const exited = new Promise((r) => k.once("exit", r));
      k.kill("SIGTERM");
      await exited;
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("auditDns against Knot DNS on loopback", () => {
  it("the zone as planned: no finding, SPF's live lookup count with nested includes followed", async () => {
    const result = await auditDns(D, planned, policy.text, {
      resolver: makeResolver(`127.0.0.1:${cleanPort}`),
      ca: caPem,
    });
    expect(result.failures).toEqual([]);
    expect(result.findings).toEqual([]);
    // mx (1) + include:_spf.partner (1) + its include:_spf2.partner (1).
    expect(result.notes).toEqual([`SPF ${D}: 3 DNS lookups of 10, nested includes followed`]);
  });

  it("planted faults: each reported exactly once", async () => {
    const result = await auditDns(D, planned, policy.text, {
      resolver: makeResolver(`127.0.0.1:${faultyPort}`),
      ca: caPem,
    });
    expect(result.failures).toEqual([]);
    const dkimP = (v: string) => createHash("sha256").update(v).digest("hex").slice(0, 16);
    expect(
      result.findings.map((f) => `${f.severity} ${f.kind} ${f.subject}: ${f.message}`),
    ).toEqual([
      `error spfMultiple SPF ${D}: 2 v=spf1 records (RFC 7208: more than one is a permerror for every receiver)`,
      `error dkimMismatch DKIM mail._domainkey.${D}: key differs from the declared one: declared key sha256:${dkimP(DKIM_KEY)}, live key sha256:${dkimP(OTHER_KEY)}`,
      `error mtaStsIdMismatch MTA-STS _mta-sts.${D}: id declared ${policy.id}, live 20250101000000 (senders keep a cached policy until the id changes)`,
      `error mtaStsPolicyMismatch MTA-STS https://mta-sts.${D}/.well-known/mta-sts.txt: declared mode testing, max_age 86400, mx mx.${D}; served mode enforce, max_age 604800, mx mx.${D}`,
    ]);
  });

  it("an SPF record equal to the declared one whose nested includes need more than 10 lookups", async () => {
    const result = await auditDns(D, planned, policy.text, {
      resolver: makeResolver(`127.0.0.1:${tooManyPort}`),
      ca: caPem,
    });
    expect(result.failures).toEqual([]);
    expect(result.notes).toEqual([]);
    expect(result.findings).toEqual([
      {
        domain: D,
        severity: "error",
        kind: "spfLookups",
        subject: `SPF ${D}`,
        message:
          "more than 10 DNS lookups with nested includes followed (RFC 7208 4.6.4): every receiver answers permerror",
        live: { lookups: 11 },
      },
    ]);
  });

  it("the policy server's certificate is checked: without --ca the policy is unreachable", async () => {
    const result = await auditDns(D, planned, policy.text, {
      resolver: makeResolver(`127.0.0.1:${cleanPort}`),
    });
    expect(result.findings.map((f) => f.kind)).toEqual(["mtaStsPolicyUnreachable"]);
    // Node adds a hint about --use-system-ca to the TLS error.
    expect(result.findings[0]!.message).toMatch(
      /^mta-sts\.acme\.test: unable to verify the first certificate\b/,
    );
  });

  it("a resolver that does not answer is a failure to check (exit 2), not a finding", async () => {
    const result = await auditDns(D, planned, undefined, {
      resolver: makeResolver("127.0.0.1:9"),
    });
    expect(result.findings).toEqual([]);
    expect(result.failures[0]).toMatch(/^acme\.test: MX acme\.test: (ECONNREFUSED|ETIMEOUT)$/);
  });

  it("import reads the DNS policy back from the server: the declared policy, exactly", async () => {
    const live = await readLiveDnsPolicy(D, `127.0.0.1:${cleanPort}`, caPem);
    expect(live).toEqual({
      spf: "v=spf1 mx include:_spf.partner.acme.test -all",
      dmarc: "v=DMARC1; p=reject; rua=mailto:dmarc@acme.test",
      tlsRpt: "v=TLSRPTv1; rua=mailto:tls-reports@acme.test",
      mtaStsMode: "testing",
      mtaStsMaxAge: 86400,
      mx: ["mx.acme.test"],
    });
    const g = await generateProgram(
      { domain: D, mailboxes: [], aliases: [], groups: [], domainAliases: [] },
      SELF_HOSTED_CAPABILITIES,
      { provider: "selfHosted", apiUrl: "sqlite:///var/lib/mail.sqlite" },
      live,
    );
    expect(g.declaration.policy).toEqual({
      spf: { include: ["_spf.partner.acme.test"], all: "-all" },
      dmarc: { policy: "reject", rua: ["dmarc@acme.test"] },
      mtaSts: { mode: "testing", maxAge: 86400 },
      tlsRpt: { rua: ["tls-reports@acme.test"] },
    });
    // The records planned from the imported policy are the ones the server serves.
    const reimported = parseMailDomain({ ...g.declaration, catchAll: "someone@example.com" });
    expect(
      planDnsRecords(reimported, facts).filter(
        (r) => r.type === "TXT" && !r.role.startsWith("dkim"),
      ),
    ).toEqual(planned.filter((r) => r.type === "TXT" && !r.role.startsWith("dkim")));
    // Without the CA the policy cannot be read: a note says so.
    const noCa = await readLiveDnsPolicy(D, `127.0.0.1:${cleanPort}`);
    expect(noCa.mtaStsMode).toBeUndefined();
    expect(noCa.problems?.[0]).toMatch(
      /^_mta-sts\.acme\.test is published but its policy could not be read \(mta-sts\.acme\.test: unable to verify the first certificate/,
    );
  });

  it("the command: mailplane audit --declaration … --resolver … --ca … --no-accounts", async () => {
    const file = join(dir, "declaration.json");
    writeFileSync(
      file,
      JSON.stringify({
        provider: "selfHosted",
        declaration: { ...spec, mailboxes: { ali: { name: "Ali Alavi" } } },
        records: planned,
        mtaStsPolicy: policy.text,
      }),
    );
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      env: {},
      cwd: dir,
    };
    const args = ["audit", "--declaration", file, "--ca", caFile, "--no-accounts", "--resolver"];
    expect(await main([...args, `127.0.0.1:${cleanPort}`], io)).toBe(0);
    expect(err.join("")).toBe(`[1/1] ${D}: checking DNS…\n`);
    expect(out.join("")).toBe(
      [
        `mailplane audit (read-only: nothing was changed) — declaration ${file}: 1 domain (${D}); DNS checked`,
        "",
        "No findings.",
        "",
        "0 error, 0 warning, 0 info; 0 not checked",
        "",
        "Checked:",
        `  SPF ${D}: 3 DNS lookups of 10, nested includes followed`,
        "",
      ].join("\n"),
    );
    out.length = 0;
    expect(await main([...args, `127.0.0.1:${faultyPort}`, "--json"], io)).toBe(1);
    const json = JSON.parse(out.join("")) as {
      readOnly: boolean;
      exitCode: number;
      findings: Array<{ kind: string }>;
    };
    expect(json.readOnly).toBe(true);
    expect(json.exitCode).toBe(1);
    expect(json.findings.map((f) => f.kind)).toEqual([
      "dkimMismatch",
      "mtaStsIdMismatch",
      "mtaStsPolicyMismatch",
      "spfMultiple",
    ]);
    out.length = 0;
    await main([...args, `127.0.0.1:${faultyPort}`], io);
    // Printed for the README's "Periodic review" section.
    console.log(out.join(""));
  });
});
