import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { mailProviders } from "@mailplane/providers";
import { main } from "../src/program";
import { targetsFromState } from "../src/targets";

/** The registered provider ids, as errors list them. */
const ALLOWED = Object.keys(mailProviders).join(", ");

/** Runs the command in-process; nothing here opens a socket (bad flags fail first). */
async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env,
    cwd: os.tmpdir(),
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe("mailplane: errors name the flag, the value and what is allowed (exit 2)", () => {
  it("--resolver", async () => {
    expect(await run(["audit", "--declaration", "x.json", "--resolver", "dns.example:53"])).toEqual(
      {
        code: 2,
        stdout: "",
        stderr:
          'mailplane audit: --resolver "dns.example:53" is not a DNS server address (allowed: an IP address with an optional port, e.g. 127.0.0.1:5353 or [::1]:53)\n',
      },
    );
  });

  it("--date", async () => {
    const r = await run(["audit", "--date", "01/12/2026"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: option '--date <date>' argument '01/12/2026' is invalid. --date "01/12/2026" is not a date (allowed: YYYY-MM-DD or an ISO time in UTC, e.g. 2026-12-01)\n`,
    );
  });

  it("--provider of import", async () => {
    expect(await run(["import", "--provider", "mailchimp", "--domain", "acme.com"])).toEqual({
      code: 2,
      stdout: "",
      stderr: `mailplane import: provider "mailchimp" is not a registered mail provider (allowed: ${ALLOWED})\n`,
    });
  });

  it("--domain of import", async () => {
    const r = await run(["import", "--provider", "migadu", "--domain", "acme com"]);
    expect(r.stderr).toBe(
      'mailplane import: --domain "acme com" is not a domain name (allowed: an ASCII or punycode domain such as acme.com)\n',
    );
    expect(r.code).toBe(2);
  });

  it("missing credentials name the variables, never a value", async () => {
    const r = await run(["import", "--provider", "migadu", "--domain", "acme.com"], {
      MIGADU_USER: "admin@acme.com",
    });
    expect(r.stderr).toBe(
      "mailplane import: provider migadu needs the environment variables MIGADU_API_KEY (an API key from My Account > API Keys)\n",
    );
  });

  it("a declaration file with an unknown provider or a bad declaration", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "mailplane-cli-"));
    const file = path.join(dir, "d.json");
    const declaration = {
      domain: "acme.com",
      mailboxes: { ali: { name: "Ali" } },
      postmaster: "ali",
      abuse: "ali",
    };
    writeFileSync(file, JSON.stringify({ provider: "nope", declaration }));
    const r = await run(["audit", "--declaration", file, "--no-dns"]);
    expect(r.stderr).toBe(
      `mailplane audit: --declaration ${file}: provider "nope" is not a registered mail provider (allowed: ${ALLOWED})\n`,
    );
    writeFileSync(
      file,
      JSON.stringify({ provider: "migadu", declaration: { ...declaration, mailbox: {} } }),
    );
    const bad = await run(["audit", "--declaration", file, "--no-dns"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      `mailplane audit: --declaration ${file}: declaration: mailbox: is not a known field`,
    );
  });
});

describe("targetsFromState", () => {
  it("reads each MailDomain's declaration, records, policy and its accounts' endpoint", () => {
    const spec = { domain: "acme.com", mailboxes: {} };
    const urn = "urn:pulumi:dev::p::mailplane:index:MailDomain::acme";
    expect(
      targetsFromState({
        deployment: {
          resources: [
            { urn: "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", type: "pulumi:pulumi:Stack" },
            {
              urn,
              type: "mailplane:index:MailDomain",
              outputs: {
                declaration: { format: "mailplane/declaration@1", provider: "migadu", spec },
                records: [
                  {
                    name: "acme.com",
                    type: "MX",
                    ttl: 3600,
                    priority: 10,
                    value: "mx",
                    role: "mx",
                  },
                ],
                mtaStsPolicy: "version: STSv1\r\n",
              },
            },
            {
              urn: "urn:pulumi:dev::p::mailplane:index:MailDomain$pulumi-nodejs:dynamic:Resource::acme-mailbox-ali",
              type: "pulumi-nodejs:dynamic:Resource",
              parent: urn,
              inputs: {
                mailProvider: "migadu",
                apiUrl: "http://127.0.0.1:1/v1",
                domain: "acme.com",
              },
            },
          ],
        },
      }),
    ).toEqual([
      {
        name: "acme",
        provider: "migadu",
        spec,
        records: [
          { name: "acme.com", type: "MX", ttl: 3600, priority: 10, value: "mx", role: "mx" },
        ],
        mtaStsPolicy: "version: STSv1\r\n",
        apiUrl: "http://127.0.0.1:1/v1",
        accountDomain: "acme.com",
      },
    ]);
  });

  it("a MailDomain without a declaration output (deployed before it existed) says what to do", () => {
    expect(() =>
      targetsFromState({
        deployment: {
          resources: [
            {
              urn: "urn:pulumi:dev::p::mailplane:index:MailDomain::old",
              type: "mailplane:index:MailDomain",
              outputs: {},
            },
          ],
        },
      }),
    ).toThrow(
      "MailDomain old has no declaration output in the stack's state; run pulumi up with @mailplane/pulumi 0.1 or later so it publishes one",
    );
  });
});
