/**
 * The README's quickstart command, exactly as a newcomer runs it: `scripts/quickstart` (preview
 * then up of examples/quickstart on a local file backend), here into a temp folder through
 * MAILPLANE_QUICKSTART_DIR. Checks the zone file and the sqlite store it writes, that the random
 * initial passwords never reach the state in plaintext, and that a second run changes nothing.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openStore } from "@mailplane/providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PulumiWorkspace } from "./pulumi-cli";

const ROOT = path.resolve(__dirname, "..", "..");
const LONG = 300_000;
const MIB = 1024 * 1024;
/** The campaign alias `spring-sale@` expires on 2027-06-30: after that day it is not planned. */
const CAMPAIGN_LIVE = new Date() < new Date("2027-07-01T00:00:00Z");
const RESOURCES = CAMPAIGN_LIVE ? 16 : 15;

let tmp: string;
/** UTC days (YYYYMMDD) around the first run: the zone's SOA serial is the day of the up. */
const upDays: string[] = [];
const utcDay = () => new Date().toISOString().slice(0, 10).replaceAll("-", "");
let first: { code: number; out: string };

function quickstart(): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      [path.join(ROOT, "scripts", "quickstart")],
      {
        cwd: ROOT,
        timeout: LONG,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          ...process.env,
          // The test run is set up already: no scripts/setup (pnpm install, build) mid-run.
          MAILPLANE_SKIP_SETUP: "1",
          MAILPLANE_QUICKSTART_DIR: tmp,
          PULUMI_HOME: path.join(tmp, "home"),
          PULUMI_CONFIG_PASSPHRASE: "quickstart-test-passphrase",
          NO_COLOR: "1",
        },
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, out: `${stdout}\n${stderr}` });
      },
    );
  });
}

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-quickstart-"));
  upDays.push(utcDay());
  first = await quickstart();
  upDays.push(utcDay());
}, LONG);

afterAll(() => {
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe("scripts/quickstart (the README's quickstart command)", () => {
  it("previews, then creates every resource and says where the files are", () => {
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain("==> pulumi preview");
    expect(first.out).toContain(`+ ${RESOURCES} to create`);
    expect(first.out).toContain(`+ ${RESOURCES} created`);
    expect(first.out).toContain(`zone file : ${tmp}/example.com.zone`);
    expect(first.out).toContain(`mail store: ${tmp}/mail.sqlite   (self-hosted store, sqlite)`);
    expect(first.out).toContain(`state     : ${tmp}/state`);
    const ms = /pulumi up took (\d+\.\d{3})s/.exec(first.out);
    expect(ms).not.toBeNull();
    console.log(`quickstart: pulumi up took ${ms![1]} s for ${RESOURCES} resources`);
  });

  it("writes the zone file: MX, one SPF, DMARC, MTA-STS, client discovery", () => {
    const lines = readFileSync(path.join(tmp, "example.com.zone"), "utf8").split("\n");
    const soa = (day: string) =>
      `@\t3600\tIN\tSOA\tns1.example.com. hostmaster.example.com. ${day}01 7200 3600 1209600 3600`;
    expect(upDays.map(soa)).toContain(lines[2]);
    expect(lines.filter((l) => !l.startsWith("mail._domainkey"))).toEqual([
      "$ORIGIN example.com.",
      "$TTL 3600",
      lines[2],
      "@\t3600\tIN\tNS\tns1.example.com.",
      "@\t3600\tIN\tMX\t10 mx.example.com.",
      '@\t3600\tIN\tTXT\t"v=spf1 mx ~all"',
      '_dmarc\t3600\tIN\tTXT\t"v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.com"',
      '_mta-sts\t3600\tIN\tTXT\t"v=STSv1; id=862e2bab291cfe999cbbf2c298cebc64"',
      "_imap._tcp\t3600\tIN\tSRV\t0 0 0 .",
      "_imaps._tcp\t3600\tIN\tSRV\t0 1 993 mail.example.com.",
      "_pop3._tcp\t3600\tIN\tSRV\t0 0 0 .",
      "_pop3s._tcp\t3600\tIN\tSRV\t0 0 0 .",
      "_submission._tcp\t3600\tIN\tSRV\t0 0 0 .",
      "_submissions._tcp\t3600\tIN\tSRV\t0 1 465 mail.example.com.",
      "ns1\t3600\tIN\tA\t127.0.0.1",
      "",
    ]);
    // One DKIM record, its 2048-bit key split into two character-strings.
    const dkim = lines.filter((l) => l.startsWith("mail._domainkey"));
    expect(dkim).toHaveLength(1);
    expect(dkim[0]).toMatch(/^mail\._domainkey\t3600\tIN\tTXT\t"v=DKIM1; k=rsa; p=[^"]+" "[^"]+"$/);
  });

  it("writes the people, shared addresses and aliases to the sqlite store, passwords hashed", async () => {
    const store = await openStore({ type: "sqlite", path: path.join(tmp, "mail.sqlite") });
    try {
      const mailboxes = await store.query(
        "SELECT username, name, quota, active, password FROM mailbox ORDER BY username",
      );
      expect(
        mailboxes.map((r) => [r.username, r.name, Number(r.quota) / MIB, Number(r.active)]),
      ).toEqual([
        ["ava@example.com", "Ava Patel", 20480, 1],
        ["ben@example.com", "Ben Okafor", 10240, 1],
        ["chloe@example.com", "Chloé Martin", 10240, 1],
        ["dan@example.com", "Dan Kowalski", 20480, 1],
        ["eve@example.com", "Eve Lindqvist", 10240, 1],
      ]);
      for (const r of mailboxes) expect(String(r.password)).toMatch(/^\{ARGON2ID\}\$argon2id\$/);
      const aliases = await store.query(
        "SELECT address, goto FROM alias WHERE address <> goto AND active = 1 ORDER BY address",
      );
      expect(Object.fromEntries(aliases.map((r) => [r.address, r.goto]))).toEqual({
        "abuse@example.com": "dan@example.com",
        "billing@example.com": "ava@example.com",
        "eve.l@example.com": "eve@example.com",
        "info@example.com": "ava@example.com,dan@example.com",
        "postmaster@example.com": "dan@example.com",
        "sales@example.com": "ava@example.com,ben@example.com,chloe@example.com",
        ...(CAMPAIGN_LIVE ? { "spring-sale@example.com": "sales@example.com" } : {}),
        "support@example.com": "dan@example.com,eve@example.com",
      });
    } finally {
      await store.close();
    }
  });

  it(
    "keeps the initial passwords out of the state and the store in plaintext",
    async () => {
      const ws = new PulumiWorkspace(path.join(ROOT, "examples", "quickstart"), tmp, {
        PULUMI_BACKEND_URL: `file://${path.join(tmp, "state")}`,
        PULUMI_CONFIG_PASSPHRASE: "quickstart-test-passphrase",
      });
      const cfg = ["--config-file", path.join(tmp, "Pulumi.quickstart.yaml")];
      const passwords = JSON.parse(
        (await ws.ok(["config", "get", "passwords", "--stack", "quickstart", ...cfg])).trim(),
      ) as Record<string, string>;
      expect(Object.keys(passwords).sort()).toEqual(["ava", "ben", "chloe", "dan", "eve"]);
      const files = filesUnder(tmp).filter((f) => !f.includes(`${path.sep}home${path.sep}`));
      expect(files.length).toBeGreaterThan(3);
      for (const file of files) {
        const bytes = readFileSync(file).toString("latin1");
        for (const pw of Object.values(passwords)) {
          expect(pw.length).toBe(16);
          expect(bytes.includes(pw), `${file} contains a plaintext password`).toBe(false);
        }
      }
    },
    LONG,
  );

  it(
    "a second run changes nothing",
    async () => {
      const again = await quickstart();
      expect(again.code, again.out).toBe(0);
      expect(again.out).toContain(`${RESOURCES} unchanged`);
      expect(again.out).not.toMatch(/\d+ (to create|created|to update|updated|to delete|deleted)/);
    },
    LONG,
  );
});
