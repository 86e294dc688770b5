/**
 * Real-server test of the PowerDNS backend: pdns_server (gsqlite3) from Debian packages on
 * 127.0.0.1 high ports. Records planned by core from the self-hosted provider's DNS facts
 * (with a freshly generated DKIM key) are reconciled through the PowerDNS HTTP API by the same
 * provider functions `dns.powerDns` runs, then read back with `dig` on loopback.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMailDomain, planDnsRecords } from "@mailplane/core";
import {
  dkimPublicKeyOf,
  forgetClaims,
  generateDkimKeyPair,
  PowerDnsClient,
  powerDnsRecordsProvider,
  selfHostedDnsFacts,
  toPowerDnsRRsets,
  type DkimKeyPair,
} from "@mailplane/providers";
import { serverTempDir, startPowerDns, type PowerDnsServer } from "./servers";

let pdns: PowerDnsServer;
let dir: string;
let setupMs = 0;
const previousKey = process.env.PDNS_API_KEY;

beforeAll(async () => {
  const t0 = Date.now();
  dir = serverTempDir("pdns");
  pdns = await startPowerDns(dir);
  setupMs = Date.now() - t0;
  process.env.PDNS_API_KEY = pdns.apiKey;
});

afterAll(async () => {
  await pdns?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (previousKey === undefined) delete process.env.PDNS_API_KEY;
  else process.env.PDNS_API_KEY = previousKey;
  console.log(`[real] pdns_server set-up time: ${setupMs} ms`);
});

/** `dig +short` against the private server: one line per record. */
function dig(type: string, name: string): string[] {
  const out = execFileSync(
    "dig",
    [
      "@127.0.0.1",
      "-p",
      String(pdns.dnsPort),
      "+short",
      "+norecurse",
      "+time=2",
      "+tries=2",
      type,
      name,
    ],
    { encoding: "utf8" },
  );
  return out
    .split("\n")
    .filter((l) => l !== "")
    .sort();
}

/** Reassembles one TXT record as dig prints it (`"part1" "part2"`): strings joined with ''. */
function txtValue(line: string): string {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)]
    .map((m) => m[1]!.replace(/\\(.)/g, "$1"))
    .join("");
}

const spec = parseMailDomain({
  domain: "acme.test",
  mailboxes: { ali: { name: "Ali" } },
  postmaster: "ali",
  abuse: "ali",
  policy: { spf: { include: ["_spf.partner.test"], all: "-all" }, dmarc: { policy: "reject" } },
});

function plan(keys: DkimKeyPair[]) {
  const facts = selfHostedDnsFacts({
    mx: [{ host: "mx.acme.test", priority: 10 }],
    dkim: keys.map((k) => ({ selector: k.selector, publicKey: k.publicKey })),
    imap: { host: "mail.acme.test", port: 993 },
    submission: { host: "mail.acme.test", port: 465 },
  });
  return toPowerDnsRRsets(planDnsRecords(spec, facts));
}

describe("PowerDNS backend against a real pdns_server", () => {
  const first = generateDkimKeyPair("mail2026");
  const second = generateDkimKeyPair("mail2027");
  const inputs = (keys: DkimKeyPair[]) => ({
    apiUrl: pdns.apiUrl,
    serverId: "localhost",
    zone: "acme.test",
    rrsets: plan(keys),
  });

  it("generates a DKIM key pair whose public key matches its private key", () => {
    expect(dkimPublicKeyOf(first.privateKeyPem)).toBe(first.publicKey);
    expect(first.privateKeyPem.startsWith("-----BEGIN PRIVATE KEY-----\n")).toBe(true);
    expect(first.publicKey.length).toBe(392); // RSA 2048 SPKI, base64
  });

  it("serves the planned MX, one SPF, the DKIM key and the SRV records", async () => {
    const client = new PowerDnsClient({ apiUrl: pdns.apiUrl, zone: "acme.test" });
    expect(await client.zoneExists()).toBe(false);
    await client.createZone(["ns1.acme.test"]);
    const created = await powerDnsRecordsProvider.create(inputs([first]));
    expect(created.id).toBe("localhost/acme.test");

    expect(dig("MX", "acme.test")).toEqual(["10 mx.acme.test."]);
    const apexTxt = dig("TXT", "acme.test").map(txtValue);
    expect(apexTxt.filter((t) => t.startsWith("v=spf1"))).toEqual([
      "v=spf1 mx include:_spf.partner.test -all",
    ]);
    const dkim = dig("TXT", "mail2026._domainkey.acme.test");
    expect(dkim).toHaveLength(1);
    expect(dkim[0]!.split('" "')).toHaveLength(2); // > 255 bytes: two strings, ONE record
    expect(txtValue(dkim[0]!)).toBe(`v=DKIM1; k=rsa; p=${first.publicKey}`);
    expect(dig("TXT", "_dmarc.acme.test").map(txtValue)).toEqual(["v=DMARC1; p=reject"]);
    expect(dig("SRV", "_imaps._tcp.acme.test")).toEqual(["0 1 993 mail.acme.test."]);
    expect(dig("SRV", "_submissions._tcp.acme.test")).toEqual(["0 1 465 mail.acme.test."]);

    // The API holds exactly what was planned for the owned RRsets.
    const read = await powerDnsRecordsProvider.read(created.id, created.outs);
    expect(read.props.rrsets).toEqual(created.outs.rrsets);
  });

  it("rotates the DKIM selector: both keys while the old one is kept, then only the new one", async () => {
    const both = inputs([first, second]);
    const one = inputs([first]);
    expect((await powerDnsRecordsProvider.diff("localhost/acme.test", one, both)).changes).toBe(
      true,
    );
    await powerDnsRecordsProvider.update("localhost/acme.test", one, both);
    expect(dig("TXT", "mail2026._domainkey.acme.test").map(txtValue)).toEqual([
      `v=DKIM1; k=rsa; p=${first.publicKey}`,
    ]);
    expect(dig("TXT", "mail2027._domainkey.acme.test").map(txtValue)).toEqual([
      `v=DKIM1; k=rsa; p=${second.publicKey}`,
    ]);
    const onlyNew = inputs([second]);
    await powerDnsRecordsProvider.update("localhost/acme.test", both, onlyNew);
    expect(dig("TXT", "mail2026._domainkey.acme.test")).toEqual([]);
    expect(txtValue(dig("TXT", "mail2027._domainkey.acme.test")[0]!)).toBe(
      `v=DKIM1; k=rsa; p=${second.publicKey}`,
    );
  });

  it("keeps the RRsets a renamed MailDomain's new records resource wrote in this deployment", async () => {
    forgetClaims(); // the rename happens in a later deployment
    // Pulumi creates the records resource under its new name, then deletes the old one.
    await powerDnsRecordsProvider.create(inputs([second]));
    await powerDnsRecordsProvider.delete("localhost/acme.test", inputs([second]));
    expect(dig("MX", "acme.test")).toEqual(["10 mx.acme.test."]);
    expect(dig("TXT", "mail2027._domainkey.acme.test").map(txtValue)).toEqual([
      `v=DKIM1; k=rsa; p=${second.publicKey}`,
    ]);
  });

  it("deletes every owned RRset and leaves the zone's own SOA and NS", async () => {
    forgetClaims(); // removed from code in a later deployment
    await powerDnsRecordsProvider.delete("localhost/acme.test", inputs([second]));
    expect(dig("MX", "acme.test")).toEqual([]);
    expect(dig("TXT", "mail2027._domainkey.acme.test")).toEqual([]);
    expect(dig("NS", "acme.test")).toEqual(["ns1.acme.test."]);
  });

  it("reports a wrong API key as an AuthError without echoing the key", async () => {
    process.env.PDNS_API_KEY = "wrong-key-123";
    try {
      const err = await new PowerDnsClient({ apiUrl: pdns.apiUrl, zone: "acme.test" })
        .listRRsets()
        .catch((e: Error) => e);
      expect((err as Error).message).toBe(
        "powerdns listRRsets failed: Auth (HTTP 401): Unauthorized",
      );
      expect((err as Error).message).not.toContain("wrong-key-123");
    } finally {
      process.env.PDNS_API_KEY = pdns.apiKey;
    }
  });
});
