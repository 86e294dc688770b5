import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { children, installMocks, runProgram, type Registered } from "./dns-mocks";
import { readmeProgram } from "./readme-program";

// The example at the top of packages/pulumi/README.md, run under Pulumi mocks; the snippet's
// `zoneId` is the one thing it leaves to the reader.
let registered: Registered[];
let cleanup: (() => void) | undefined;

beforeAll(async () => {
  const program = readmeProgram("packages/pulumi/README.md", 'const zoneId = "Z0ACME";\n');
  cleanup = program.cleanup;
  registered = await installMocks(
    {},
    {
      "aws:sesv2/emailIdentity:EmailIdentity": () => ({
        dkimSigningAttributes: { tokens: ["tok1", "tok2", "tok3"] },
      }),
    },
  );
  await runProgram(program.file);
});

afterAll(() => cleanup?.());

describe("the @mailplane/pulumi README's example", () => {
  it("runs and creates its Route 53 records, SES identity and Migadu accounts", () => {
    const record = (name: string) => `aws:route53/record:Record acme-${name}`;
    const account = (kind: string, name: string) => `mailplane:index:${kind} acme-${name}`;
    expect(children(registered).map((r) => `${r.type} ${r.name}`)).toEqual([
      account("Alias", "alias-abuse"),
      account("Alias", "alias-hr"),
      account("Alias", "alias-postmaster"),
      record("autoconfig"),
      record("autodiscover"),
      record("dkim-key1"),
      record("dkim-key2"),
      record("dkim-key3"),
      record("dkim-ses-1"),
      record("dkim-ses-2"),
      record("dkim-ses-3"),
      record("dmarc"),
      account("Mailbox", "mailbox-ali"),
      record("mx"),
      "aws:sesv2/emailIdentity:EmailIdentity acme-ses-identity",
      "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes acme-ses-mail-from",
      record("ses-mail-from-mx"),
      record("ses-mail-from-spf"),
      record("spf"),
      record("srv-imap"),
      record("srv-imaps"),
      record("srv-pop3"),
      record("srv-pop3s"),
      record("srv-submission"),
      record("srv-submissions"),
    ]);
    // SES sends with its own MAIL FROM (bounce.acme.com, which has its own SPF), so the apex
    // SPF needs no amazonses.com include.
    const spf = children(registered).find((r) => r.name === "acme-spf")!.inputs;
    expect(spf.records).toEqual(["v=spf1 include:spf.migadu.com -all"]);
    const mailFrom = children(registered).find((r) => r.name === "acme-ses-mail-from-spf")!;
    expect([mailFrom.inputs.name, mailFrom.inputs.records]).toEqual([
      "bounce.acme.com",
      ["v=spf1 include:amazonses.com ~all"],
    ]);
  });
});
