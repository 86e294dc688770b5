/*
 * Issue 11 §3: the bindings' settings are checked when the binding function is called, with the
 * declaration's error style (`path: VALUE is not … (got VALUE; allowed: …)`); pending values
 * (Outputs) are checked when they resolve and fail the deployment with the same message. Before
 * the fix every call below was accepted and the value reached the zone file, PowerDNS or the
 * Postfix/Dovecot configuration.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, describe, expect, it } from "vitest";
import { checkResolved, httpUrlProblem, MailplaneConfigError } from "@mailplane/core";
import { dns, providers, ses, zoneFileProviderWithClock } from "@mailplane/pulumi";

const { sqlite } = providers;

const sqliteStore = { type: "sqlite" as const, path: "/var/lib/mailplane/mail.sqlite" };
const message = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(MailplaneConfigError);
    return (err as Error).message;
  }
  throw new Error("expected an error");
};
/** The value a pending (Output) setting resolves to, or its error. */
const resolved = (o: unknown): Promise<unknown> => (o as { promise(): Promise<unknown> }).promise();

describe("providers.selfHosted settings", () => {
  it("refuses a newline in the MX host (it would add records to the zone)", () => {
    expect(
      message(() => providers.selfHosted({ store: sqliteStore, mx: "mx.acme.com\nevil" })),
    ).toBe(
      'providers.selfHosted.mx: "mx.acme.com\\nevil" is not a host name (got "mx.acme.com\\nevil"; ' +
        "allowed: a host name such as mx.acme.com (ASCII/punycode labels))",
    );
    expect(
      message(() =>
        providers.selfHosted({
          store: sqliteStore,
          mx: [{ host: "mx.acme.com\nevil", priority: NaN }],
        }),
      ),
    ).toBe(
      'providers.selfHosted.mx[0].host: "mx.acme.com\\nevil" is not a host name (got "mx.acme.com\\nevil"; ' +
        "allowed: a host name such as mx.acme.com (ASCII/punycode labels))\n" +
        "providers.selfHosted.mx[0].priority: NaN is not a priority (got NaN; allowed: a whole number from 0 to 65535)",
    );
  });

  it("refuses endpoints, SPF terms, selectors and store paths that cannot be written", () => {
    expect(
      message(() =>
        providers.selfHosted({
          store: { type: "sqlite", path: "/var/lib/m\n.sqlite" },
          mx: "mx.acme.com",
          imap: { host: "imap.acme.com\t", port: NaN },
          submission: { host: "smtp.acme.com", port: 70000 },
          spfTerms: ["mx; rm"],
          dkim: { selector: "Mail 1" },
        }),
      ).split("\n"),
    ).toEqual([
      'providers.selfHosted.store.path: "/var/lib/m\\n.sqlite" is not a safe absolute path (got "/var/lib/m\\n.sqlite"; allowed: an absolute path of letters, digits and . _ - / + @ = , : such as /var/lib/mailplane/mail.sqlite)',
      'providers.selfHosted.dkim.selector: "Mail 1" is not a DKIM selector (got "Mail 1"; allowed: one lower-case DNS label (letters, digits, inner hyphens; at most 63 characters), e.g. mail2026)',
      'providers.selfHosted.imap.host: "imap.acme.com\\t" is not a host name (got "imap.acme.com\\t"; allowed: a host name such as mx.acme.com (ASCII/punycode labels))',
      "providers.selfHosted.imap.port: NaN is not a port (got NaN; allowed: a whole number from 1 to 65535)",
      "providers.selfHosted.submission.port: 70000 is not a port (got 70000; allowed: a whole number from 1 to 65535)",
      'providers.selfHosted.spfTerms[0]: "mx; rm" is not an SPF term (got "mx; rm"; allowed: an SPF mechanism such as mx, a, ip4:192.0.2.10 or include:_spf.acme.com)',
    ]);
    expect(message(() => sqlite({ path: "/var/mail'x.sqlite" }))).toBe(
      `sqlite.path: "/var/mail'x.sqlite" is not a safe absolute path (got "/var/mail'x.sqlite"; allowed: an absolute path of letters, digits and . _ - / + @ = , : such as /var/lib/mailplane/mail.sqlite)`,
    );
    expect(
      message(() => providers.selfHosted({ store: { type: "mongo" } as never, mx: "mx.acme.com" })),
    ).toBe(
      'providers.selfHosted.store.type: "mongo" is not one of the allowed values (got "mongo"; allowed: "sqlite", "postgres")',
    );
  });

  it("accepts good settings", () => {
    expect(
      providers.selfHosted({
        store: sqliteStore,
        mx: [{ host: "mx1.acme.com", priority: 0 }, { host: "mx2.acme.com." }],
        imap: { host: "imap.acme.com", port: 993, tls: "implicit" },
        spfTerms: ["mx", "ip4:192.0.2.0/24", "-all"],
        dkim: { selector: "mail2026", keepSelectors: ["mail"] },
      }).kind,
    ).toBe("selfHosted");
  });
});

describe("dns.zoneFile settings", () => {
  it("refuses name-server addresses, hostmaster, timers and serials that would inject lines", () => {
    expect(
      message(() =>
        dns.zoneFile({
          path: "acme.com.zone",
          zone: {
            nameServers: [{ host: "ns1.acme.com", ipv4: "192.0.2.1\n$INCLUDE /etc/passwd" }],
            hostmaster: "a\nb@acme.com",
            serial: -1,
            ttl: 1.5,
            soaTimers: { refresh: Infinity, retry: 1, expire: 1, minimum: 1 },
          },
        }),
      ).split("\n"),
    ).toEqual([
      "dns.zoneFile.zone.serial: -1 is not an SOA serial (got -1; allowed: a whole number from 0 to 4294967295)",
      'dns.zoneFile.zone.nameServers[0].ipv4: "192.0.2.1\\n$INCLUDE /etc/passwd" is not an IPv4 address (got "192.0.2.1\\n$INCLUDE /etc/passwd"; allowed: an IPv4 address such as 192.0.2.10)',
      'dns.zoneFile.zone.hostmaster: "a\\nb@acme.com" is not a hostmaster (got "a\\nb@acme.com"; allowed: an address such as hostmaster@acme.com (letters, digits, . _ + - before @) or a host name)',
      "dns.zoneFile.zone.ttl: 1.5 is not a TTL (got 1.5; allowed: a whole number from 0 to 2147483647)",
      "dns.zoneFile.zone.soaTimers.refresh: Infinity is not a TTL (got Infinity; allowed: a whole number from 0 to 2147483647)",
    ]);
    expect(message(() => dns.zoneFile({ path: "a.zone", onDelete: "remove" as never }))).toBe(
      'dns.zoneFile.onDelete: "remove" is not one of the allowed values (got "remove"; allowed: "keep", "delete")',
    );
  });
});

describe("dns.powerDns, dns.cloudflare, dns.route53, sending.ses settings", () => {
  it("refuses plain values at the call", () => {
    expect(
      message(() => dns.powerDns({ apiUrl: "ftp://ns1", zone: "acme.com\n" })).split("\n"),
    ).toEqual([
      'dns.powerDns.apiUrl: "ftp://ns1" is not an http(s) URL (got "ftp://ns1"; allowed: an http(s) URL such as http://ns1.internal:8081)',
      'dns.powerDns.zone: "acme.com\\n" is not a zone name (got "acme.com\\n"; allowed: a DNS name such as acme.com)',
    ]);
    expect(message(() => dns.route53({ zoneId: "Z1/../x" }))).toBe(
      'dns.route53.zoneId: "Z1/../x" is not a Route 53 hosted zone id (got "Z1/../x"; allowed: letters, digits and . _ - (at most 32), such as Z0123456789ABCDEFGHIJ)',
    );
    expect(message(() => dns.cloudflare({ zoneId: "z", aliasZoneIds: { "acme co": "z" } }))).toBe(
      'dns.cloudflare.aliasZoneIds["acme co"]: "acme co" is not a valid domain name (got "acme co"; allowed: a domain name of at least two labels, each 1–63 letters, digits or hyphens, not starting or ending with a hyphen, at most 253 characters in all; Unicode (IDN) or punycode)',
    );
    expect(
      message(() => ses({ region: "eu-west-1\n", mailFromSubdomain: "Bounce" })).split("\n"),
    ).toEqual([
      'sending.ses.region: "eu-west-1\\n" is not an AWS region (got "eu-west-1\\n"; allowed: a region id such as eu-west-1)',
      'sending.ses.mailFromSubdomain: "Bounce" is not a subdomain (got "Bounce"; allowed: lower-case DNS labels such as "bounce" or "mail.out")',
    ]);
  });

  it("checks a pending value when it resolves, with the same message", async () => {
    // The check `apply` runs on the resolved value (a throw there fails the deployment).
    expect(() => checkResolved("ftp://ns1", httpUrlProblem, "dns.powerDns.apiUrl")).toThrow(
      new MailplaneConfigError([
        {
          path: "dns.powerDns.apiUrl",
          message:
            '"ftp://ns1" is not an http(s) URL (got "ftp://ns1"; allowed: an http(s) URL such as http://ns1.internal:8081)',
        },
      ]),
    );
    const pending = pulumi.output(Promise.resolve("http://ns1.internal:8081"));
    const good = dns.powerDns({ apiUrl: pending }) as unknown as { args: { apiUrl: unknown } };
    expect(good.args.apiUrl).not.toBe(pending); // wrapped in the check
    await expect(resolved(good.args.apiUrl)).resolves.toBe("http://ns1.internal:8081");
  });
});

describe("providers.migadu and providers.cloudflareEmailRouting settings", () => {
  it("refuses unknown fields and codes that cannot be a TXT token", () => {
    expect(
      message(() =>
        providers.migadu({
          verificationCode: "a b",
          apiUrl: "ftp://api.migadu.com",
          extra: 1,
        } as never),
      ).split("\n"),
    ).toEqual([
      'providers.migadu.apiUrl: "ftp://api.migadu.com" is not an http(s) URL (got "ftp://api.migadu.com"; allowed: an http(s) URL such as http://ns1.internal:8081)',
      'providers.migadu.verificationCode: "a b" is not a verification code (got "a b"; allowed: 1–255 printable ASCII characters without spaces)',
      'providers.migadu.extra: is not a known field (got "extra"; allowed: "domain", "apiUrl", "verificationCode")',
    ]);
    expect(message(() => providers.cloudflareEmailRouting({ accountId: "x\ny" }))).toBe(
      'providers.cloudflareEmailRouting.accountId: "x\\ny" is not a Cloudflare id (got "x\\ny"; allowed: letters, digits and . _ - (at most 64), such as 023e105f4ecef8ad9ca31a8372d0c353)',
    );
  });
});

describe("zone file onDelete (issue 11 §2)", () => {
  const dir = mkdtempSync(join(tmpdir(), "mailplane-zone-ondelete-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const provider = zoneFileProviderWithClock(() => new Date("2026-05-01T00:00:00Z"));
  const content = '$ORIGIN acme.com.\n@\t3600\tIN\tTXT\t"x"\n';

  it("keeps the file on delete by default", async () => {
    const path = join(dir, "keep.zone");
    const { outs } = await provider.create!({ path, content });
    expect(outs).toEqual({ path, content });
    const g = globalThis as { [k: symbol]: Set<string> | undefined };
    g[Symbol.for("mailplane.claims")]?.clear(); // a later deployment
    await provider.delete!(path, outs!);
    expect(readFileSync(path, "utf8")).toBe(content);
  });

  it("deletes it with onDelete: delete, and shows a changed onDelete as an update", async () => {
    const path = join(dir, "delete.zone");
    const { outs } = await provider.create!({ path, content, onDelete: "delete" });
    expect(outs).toEqual({ path, content, onDelete: "delete" });
    expect(
      await provider.diff!(path, { path, content }, { path, content, onDelete: "delete" }),
    ).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const g = globalThis as { [k: symbol]: Set<string> | undefined };
    g[Symbol.for("mailplane.claims")]?.clear();
    await provider.delete!(path, outs!);
    expect(existsSync(path)).toBe(false);
  });
});
