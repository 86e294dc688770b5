/*
 * The zone file MailDomain writes by default is served by a real DNS server: Knot DNS from
 * Debian (`knot`, `knot-dnsutils`; installed by scripts/install-servers). The file is written
 * by the zone-file dynamic provider, checked with kzonecheck, loaded by knotd listening on
 * 127.0.0.1 on a high port, and queried with kdig.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderZoneFile } from "@mailplane/core";
import { forgetClaims } from "@mailplane/providers";
import { zoneFileProviderWithClock, type ZoneFileOutputs } from "@mailplane/pulumi";
import { acmeRecords, DKIM_KEY } from "../../packages/pulumi/test/dns-fixtures";

const TOOLS = ["knotd", "kzonecheck", "kdig"];

function which(tool: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/usr/bin"])) {
    if (existsSync(join(dir, tool))) return join(dir, tool);
  }
  return undefined;
}

const missing = TOOLS.filter((t) => which(t) === undefined);
if (missing.length > 0) {
  throw new Error(
    `test/real/zone-file.test.ts needs ${missing.join(", ")} (Debian packages knot and knot-dnsutils); ` +
      `run scripts/install-servers`,
  );
}

let dir: string;
let zonePath: string;
let port: number;
let knotd: ChildProcess | undefined;
let knotLog = "";
let outs: ZoneFileOutputs;
// The provider `pulumi up` uses, on a fixed clock so the SOA serials are exact.
let now = new Date("2026-04-01T10:00:00Z");
const zoneFileProvider = zoneFileProviderWithClock(() => now);

async function waitForServer(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      const soa = dig("acme.com", "SOA");
      if (soa.length > 0) return;
    } catch {
      // not listening yet
    }
    if (knotd?.exitCode !== null) throw new Error(`knotd exited early:\n${knotLog}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`knotd did not answer on 127.0.0.1@${port}:\n${knotLog}`);
}

/** Answer section values for `name type`, one line per record, `+short` form. */
function dig(name: string, type: string): string[] {
  const out = execFileSync(
    which("kdig")!,
    [
      `@127.0.0.1`,
      "-p",
      String(port),
      "+short",
      "+norecurse",
      "+timeout=2",
      "+retry=0",
      name,
      type,
    ],
    { encoding: "utf8" },
  );
  return out
    .split("\n")
    .filter((l) => l !== "")
    .sort();
}

/** Joins the quoted character-strings of one TXT answer line (`"a" "b"` → `ab`). */
function joinTxt(line: string): string {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)]
    .map((m) => m[1].replace(/\\(.)/g, "$1"))
    .join("");
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mailplane-knot-"));
  zonePath = join(dir, "zones", "acme.com.zone");
  const content = renderZoneFile(
    acmeRecords.filter((r) => r.name === "acme.com" || r.name.endsWith(".acme.com")),
    "acme.com",
  );
  // Written exactly as `pulumi up` writes it: through the zone-file dynamic provider.
  outs = (await zoneFileProvider.create!({ path: zonePath, content })).outs!;
  port = 20000 + Math.floor(Math.random() * 20000);
  writeFileSync(
    join(dir, "knot.conf"),
    [
      "server:",
      `  listen: 127.0.0.1@${port}`,
      `  rundir: "${dir}"`,
      `  pidfile: "${join(dir, "knot.pid")}"`,
      "database:",
      `  storage: "${join(dir, "db")}"`,
      "log:",
      "  - target: stderr",
      "    any: info",
      "zone:",
      "  - domain: acme.com",
      `    file: "${zonePath}"`,
      "    zonefile-sync: -1",
      "    journal-content: none",
      "",
    ].join("\n"),
  );
  knotd = spawn(which("knotd")!, ["-c", join(dir, "knot.conf")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  knotd.stdout!.on("data", (d) => (knotLog += d));
  knotd.stderr!.on("data", (d) => (knotLog += d));
  await waitForServer();
});

afterAll(async () => {
  if (knotd && knotd.exitCode === null) {
    const exited = new Promise((r) => knotd!.once("exit", r));
    knotd.kill("SIGTERM");
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("zone file served by Knot DNS", () => {
  it("passes kzonecheck", () => {
    const out = execFileSync(which("kzonecheck")!, ["-o", "acme.com", zonePath], {
      encoding: "utf8",
    });
    expect(out).toBe("");
    expect(readFileSync(zonePath, "utf8")).toContain("google._domainkey");
  });

  it("serves the serial assigned at write time", () => {
    expect(outs.serial).toBe(2026040101);
    expect(dig("acme.com", "SOA")).toEqual([
      "ns1.acme.com. hostmaster.acme.com. 2026040101 7200 3600 1209600 3600",
    ]);
  });

  it("answers MX", () => {
    expect(dig("acme.com", "MX")).toEqual(["1 smtp.google.com."]);
  });

  it("answers TXT: one SPF, and the 2048-bit DKIM key as one record that reassembles to the key", () => {
    const apex = dig("acme.com", "TXT").map(joinTxt);
    expect(apex).toEqual([
      "google-site-verification=abc123",
      "v=spf1 include:_spf.google.com include:_spf.salesforce.com -all",
    ]);
    const dkim = dig("google._domainkey.acme.com", "TXT");
    expect(dkim).toHaveLength(1);
    expect(dkim[0].match(/"/g)).toHaveLength(4); // two character-strings, one record
    const text = joinTxt(dkim[0]);
    expect(text).toBe(`v=DKIM1; k=rsa; p=${DKIM_KEY}`);
    expect(/p=(.*)$/.exec(text)![1]).toBe(DKIM_KEY);
    expect(dig("_dmarc.acme.com", "TXT").map(joinTxt)).toEqual([
      "v=DMARC1; p=reject; rua=mailto:dmarc@acme.com",
    ]);
  });

  it("answers SRV", () => {
    expect(dig("_imaps._tcp.acme.com", "SRV")).toEqual(["0 1 993 imap.gmail.com."]);
    expect(dig("_submission._tcp.acme.com", "SRV")).toEqual(["0 1 587 smtp.gmail.com."]);
  });

  it('rewrites the file on update with the next serial, keeps it on delete unless onDelete is "delete"', async () => {
    const next = outs.content.replace("abc123", "def456");
    const diff = await zoneFileProvider.diff!(zonePath, outs, { path: zonePath, content: next });
    expect(diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    now = new Date("2026-04-01T18:00:00Z");
    const updated = await zoneFileProvider.update!(zonePath, outs, {
      path: zonePath,
      content: next,
    });
    expect(updated.outs).toEqual({ path: zonePath, content: next, serial: 2026040102 });
    expect(readFileSync(zonePath, "utf8")).toBe(next.replace(" 1 7200 ", " 2026040102 7200 "));
    const check = execFileSync(which("kzonecheck")!, ["-o", "acme.com", zonePath], {
      encoding: "utf8",
    });
    expect(check).toBe("");
    const copy = join(dir, "copy.zone");
    await zoneFileProvider.create!({ path: copy, content: next });
    forgetClaims(); // removed from code in a later deployment
    await zoneFileProvider.delete!(copy, { path: copy, content: next });
    expect(existsSync(copy)).toBe(true); // kept: onDelete defaults to "keep"
    await zoneFileProvider.delete!(copy, { path: copy, content: next, onDelete: "delete" });
    expect(existsSync(copy)).toBe(false);
  });

  it("keeps the file when a renamed MailDomain's new zone-file child wrote it in this deployment", async () => {
    const file = join(dir, "renamed.zone");
    const content = outs.content;
    const old = await zoneFileProvider.create!({ path: file, content });
    forgetClaims(); // the rename happens in a later deployment
    // Pulumi creates the child under its new name, then deletes the old one.
    await zoneFileProvider.create!({ path: file, content });
    await zoneFileProvider.delete!(old.id, old.outs!);
    expect(existsSync(file)).toBe(true);
    expect(execFileSync(which("kzonecheck")!, ["-o", "acme.com", file], { encoding: "utf8" })).toBe(
      "",
    );
  });
});
