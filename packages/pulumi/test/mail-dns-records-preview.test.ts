/**
 * The first `pulumi preview` of a fresh stack, under Pulumi mocks in preview mode: a DKIM key
 * generated at deployment (the self-hosted binding's DkimKey) is unknown, yet MailDomain
 * registers its DNS children — the zone file with `providers.selfHosted`, one Cloudflare record
 * per role with MailDnsRecords — under the same names a deployment gives them.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { MailDnsRecords, MailDomain, dns, providers } from "@mailplane/pulumi";
import { sqlite } from "../src/providers/self-hosted";
import { valueOf } from "./dns-mocks";

interface Seen {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
const seen: Seen[] = [];
/** How the mocks receive an input that is unknown at preview. */
const UNKNOWN = expect.objectContaining({ __pulumiUnknown: true });

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      // Outputs mirror inputs: a DkimKey's publicKey (an input left undefined) stays unknown.
      newResource(args) {
        seen.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: undefined, state: args.inputs };
      },
      call: () => ({}),
    },
    "mailplane",
    "test",
    true, // preview
  );
});

/** Whether an Output is known (in a preview, a pending value is not). */
function isKnown(o: pulumi.Output<unknown>): Promise<boolean> {
  return (o as unknown as { isKnown: Promise<boolean> }).isKnown;
}

describe("DNS facts with values unknown at preview (mocks, preview mode)", () => {
  it("MailDomain on providers.selfHosted registers the zone file in the first preview", async () => {
    const provider = providers.selfHosted({
      store: sqlite({ path: "/var/lib/mailplane/mail.sqlite" }),
      mx: "mx.globex.com",
    });
    const globex = new MailDomain("globex", {
      domain: "globex.com",
      dns: dns.zoneFile({ path: "/tmp/mailplane-preview/globex.com.zone" }),
      provider,
      mailboxes: { ali: { name: "Ali Alavi" } },
      postmaster: "ali",
      abuse: "ali",
    });
    // Created at construction, before any Output is known.
    expect(Object.keys(globex.recordResources)).toEqual(["globex-zone-file"]);
    await valueOf(globex.recordResources["globex-zone-file"]!.urn);
    expect(await isKnown(provider.dkimKeys.mail!.publicKey)).toBe(false);
    const zone = seen.filter((s) => s.name === "globex-zone-file");
    expect(zone.map((z) => z.type)).toEqual(["mailplane:index:ZoneFile"]);
    expect(Object.keys(zone[0]!.inputs).sort()).toEqual(["content", "path"]);
    expect(zone[0]!.inputs.path).toBe("/tmp/mailplane-preview/globex.com.zone");
    // The file's text waits for the key: unknown in the preview, not a placeholder.
    expect(zone[0]!.inputs.content).toEqual(UNKNOWN);
    expect(await isKnown(globex.records)).toBe(false);
    // What does not depend on the key is known at preview.
    expect(await valueOf(globex.spf)).toBe("v=spf1 mx ~all");
    expect(await valueOf(globex.mxHosts)).toEqual(["mx.globex.com"]);
  });

  it("MailDnsRecords registers every Cloudflare record, the pending DKIM one with an unknown value", async () => {
    const provider = providers.selfHosted({
      store: sqlite({ path: "/var/lib/mailplane/other.sqlite" }),
      mx: "mx.initech.com",
      dkim: { selector: "s2026", keepSelectors: ["s2025"] },
    });
    const parent = new pulumi.ComponentResource("test:index:Owner", "owner");
    const facts = provider.dnsFacts("initech.com", { name: "initech", parent, passwords: {} });
    const recs = new MailDnsRecords("initech", {
      domain: "initech.com",
      dns: dns.cloudflare({ zoneId: "zone-9" }),
      facts,
      policy: { dmarc: { policy: "quarantine" } },
    });
    const names = Object.keys(recs.recordResources).sort();
    expect(names).toEqual([
      "initech-dkim-s2025",
      "initech-dkim-s2026",
      "initech-dmarc",
      "initech-mx",
      "initech-spf",
    ]);
    await Promise.all(Object.values(recs.recordResources).map((r) => valueOf(r.urn)));
    const records = seen
      .filter((s) => s.type === "cloudflare:index/dnsRecord:DnsRecord")
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(records.map((r) => [r.name, r.inputs])).toEqual([
      [
        "initech-dkim-s2025",
        {
          zoneId: "zone-9",
          name: "s2025._domainkey.initech.com",
          content: UNKNOWN,
          type: "TXT",
          ttl: 1,
        },
      ],
      [
        "initech-dkim-s2026",
        {
          zoneId: "zone-9",
          name: "s2026._domainkey.initech.com",
          content: UNKNOWN,
          type: "TXT",
          ttl: 1,
        },
      ],
      [
        "initech-dmarc",
        {
          zoneId: "zone-9",
          name: "_dmarc.initech.com",
          type: "TXT",
          ttl: 1,
          content: '"v=DMARC1; p=quarantine"',
        },
      ],
      [
        "initech-mx",
        {
          zoneId: "zone-9",
          name: "initech.com",
          type: "MX",
          ttl: 1,
          content: "mx.initech.com",
          priority: 10,
        },
      ],
      [
        "initech-spf",
        { zoneId: "zone-9", name: "initech.com", type: "TXT", ttl: 1, content: '"v=spf1 mx ~all"' },
      ],
    ]);
    expect(await valueOf(recs.dmarc)).toBe("v=DMARC1; p=quarantine");
  });
});
