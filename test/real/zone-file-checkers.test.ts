/*
 * core's zone file, read by two independent DNS implementations: BIND's named-checkzone and
 * named-compilezone (Debian bind9-utils) and Knot's kzonecheck (knot-dnssecutils), all
 * installed by scripts/install-servers. (Moved from packages/core/test/zone-file.test.ts so
 * that the unit tier needs no installed tool.)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planDnsRecords } from "../../packages/core/src/dns-plan";
import { policySchema } from "../../packages/core/src/policy";
import { googleDnsFacts } from "../../packages/core/src/presets";
import { decodeTxt } from "../../packages/core/src/txt";
import { renderZoneFile } from "../../packages/core/src/zone-file";
import { requireTool } from "./servers/util";

const PACKAGES: Record<string, string> = {
  "named-checkzone": "bind9-utils",
  "named-compilezone": "bind9-utils",
  kzonecheck: "knot-dnssecutils",
};
const tool = (name: string): string => requireTool(name, name, PACKAGES[name]!);

describe("renderZoneFile, read by BIND and Knot", () => {
  it("is accepted by named-checkzone and kzonecheck for a full planned domain", () => {
    const policy = policySchema.parse({
      spf: { include: ["_spf.salesforce.com"], all: "-all" },
      dmarc: { policy: "reject", rua: ["dmarc@acme.com"] },
      mtaSts: { mode: "enforce", policyHost: "sts.hosting.example" },
      tlsRpt: { rua: ["tls@acme.com"] },
      dkim: { google: { publicKey: "A".repeat(392) } },
    });
    const records = planDnsRecords(
      { domain: "acme.com", domainAliases: [], policy },
      googleDnsFacts({ legacy: true, verification: ['google-site-verification=a"b\\c é'] }),
    );
    const text = renderZoneFile(records, "acme.com", { serial: 7 });
    const dir = mkdtempSync(join(tmpdir(), "mailplane-zone-"));
    const file = join(dir, "acme.com.zone");
    writeFileSync(file, text);
    const bind = execFileSync(tool("named-checkzone"), ["-i", "local", "acme.com", file], {
      encoding: "utf8",
    });
    expect(bind).toContain("loaded serial 7");
    expect(bind.trim().endsWith("OK")).toBe(true);
    execFileSync(tool("kzonecheck"), ["-o", "acme.com", file], { encoding: "utf8" });
    // Round trip: BIND re-reads the TXT values; read ours back through decodeTxt.
    const dkimLine = text.split("\n").find((l) => l.startsWith("google._domainkey"))!;
    expect(decodeTxt(dkimLine.split("\t")[4]!, "zonefile")).toBe(
      `v=DKIM1; k=rsa; p=${"A".repeat(392)}`,
    );
    const canonical = execFileSync(
      tool("named-compilezone"),
      ["-q", "-s", "full", "-o", "-", "acme.com", file],
      {
        encoding: "utf8",
      },
    );
    expect(canonical).toContain('"google-site-verification=a\\"b\\\\c \\195\\169"');
  });
});
