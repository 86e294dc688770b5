import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { children, installMocks, runProgram, type Registered } from "./dns-mocks";
import { readmeProgram } from "./readme-program";

// The example at the top of the repository's README is a program too: it runs here under Pulumi
// mocks, exactly as written (only its import is pointed at this package's source).
let registered: Registered[];
let exported: Record<string, unknown>;
let cleanup: (() => void) | undefined;

beforeAll(async () => {
  const program = readmeProgram("README.md");
  cleanup = program.cleanup;
  registered = await installMocks();
  exported = await runProgram(program.file);
});

afterAll(() => cleanup?.());

describe("the README's example", () => {
  it("runs and creates its Cloudflare records and Migadu accounts", () => {
    const dns = (name: string) => `cloudflare:index/dnsRecord:DnsRecord acme-${name}`;
    const account = (kind: string, name: string) => `mailplane:index:${kind} acme-${name}`;
    expect(children(registered).map((r) => `${r.type} ${r.name}`)).toEqual([
      account("Alias", "alias-abuse"),
      account("Alias", "alias-hr"),
      account("Alias", "alias-info"),
      account("Alias", "alias-postmaster"),
      dns("autoconfig"),
      dns("autodiscover"),
      dns("dkim-key1"),
      dns("dkim-key2"),
      dns("dkim-key3"),
      dns("dmarc"),
      account("Mailbox", "mailbox-ali"),
      account("Mailbox", "mailbox-zhangsan"),
      dns("mta-sts"),
      dns("mx-aspmx1.migadu.com"),
      dns("mx-aspmx2.migadu.com"),
      dns("spf"),
      dns("srv-imap"),
      dns("srv-imaps"),
      dns("srv-pop3"),
      dns("srv-pop3s"),
      dns("srv-submission"),
      dns("srv-submissions"),
    ]);
    const records = exported.records as Array<{ name: string; type: string; value: string }>;
    expect(records.filter((r) => r.type === "TXT").map((r) => `${r.name} ${r.value}`)).toEqual([
      "_dmarc.acme.com v=DMARC1; p=reject; rua=mailto:dmarc@acme.com",
      "_mta-sts.acme.com v=STSv1; id=cfe9b981695316e21a2ef0aa93ede9ba",
      "acme.com v=spf1 include:spf.migadu.com ~all",
    ]);
  });
});
