/*
 * Generated hostile settings for every binding (issue 11 §3), shared by the unit-tier fuzz test
 * (bindings-fuzz.test.ts, a few hundred runs) and the longer script test/fuzz/bindings.ts.
 *
 * Each property feeds newlines, quotes, backslashes, `$INCLUDE`, `;`, NUL, spaces, Unicode and
 * NaN/Infinity/negative numbers into one binding's arguments and asserts: either a
 * `MailplaneConfigError` whose every line names a field of that binding, or a result that an
 * independent parser accepts with exactly the intended records. The zone-file judge is the npm
 * `dns-zonefile` parser (Knot's kzonecheck judges the real-server tier, test/real).
 */
import fc from "fast-check";
import zonefile from "dns-zonefile";
import {
  MailplaneConfigError,
  normalizeHostname,
  parseMailDomain,
  planDnsRecords,
  renderZoneFile,
  type DnsRecord,
  type ZoneFileOptions,
} from "@mailplane/core";
import { mailServerConfig, selfHostedDnsFacts } from "@mailplane/providers";
import { dns, providers, ses } from "../src/index";

/** Strings an attacker or a typo might put in a setting. */
const HOSTILE = [
  "\n",
  "\r\n",
  '"',
  "'",
  "\\",
  "\n$INCLUDE /etc/passwd",
  "$INCLUDE x",
  ";",
  "\0",
  " ",
  "\t",
  "%u",
  "é",
  "例え",
  "..",
  "/",
  "@",
  "(",
  "\u2028",
  "",
];

/** A string near a valid one: a good value with hostile pieces inserted, or arbitrary text. */
export function hostile(good: string): fc.Arbitrary<string> {
  const piece = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 4 }));
  // Mostly the good value, so runs where every other field is fine reach the renderer.
  return fc.oneof(
    { arbitrary: fc.constant(good), weight: 24 },
    fc.tuple(fc.nat(good.length), piece).map(([i, p]) => good.slice(0, i) + p + good.slice(i)),
    fc.tuple(piece, piece).map(([a, b]) => `${a}${good}${b}`),
    fc.string({ maxLength: 20 }),
    fc.string({ unit: "binary", maxLength: 12 }),
  );
}

/** Numbers a setting should refuse, and some it should take. */
export function hostileNumber(good: number): fc.Arbitrary<number> {
  return fc.oneof(
    { arbitrary: fc.constant(good), weight: 12 },
    fc.constantFrom(NaN, Infinity, -Infinity, -1, 0.5, 65536, 2 ** 32, 2 ** 31, 0),
    fc.integer({ min: -10, max: 100000 }),
    fc.double(),
  );
}

/** What one run found. */
export type Outcome = "refused" | "accepted";

/** Runs `f`; a refusal must be a MailplaneConfigError whose every line starts with `prefix`. */
function refusedOr(prefix: string, f: () => void): Outcome {
  try {
    f();
    return "accepted";
  } catch (err) {
    if (!(err instanceof MailplaneConfigError)) {
      throw new Error(`not a MailplaneConfigError: ${(err as Error).stack ?? String(err)}`);
    }
    for (const line of err.message.split("\n")) {
      if (
        !line.startsWith(prefix) ||
        !/\(got .*allowed: |is not a known field|is empty/s.test(line)
      ) {
        throw new Error(`error line does not name a field of ${prefix}: ${line}`);
      }
    }
    return "refused";
  }
}

const SPEC = parseMailDomain({
  domain: "acme.com",
  postmaster: "ops@example.org",
  abuse: "ops@example.org",
});

interface Parsed {
  soa?: { mname: string; rname: string; serial: number };
  ns?: Array<{ host: string }>;
  a?: Array<{ name: string; ip: string }>;
  aaaa?: Array<{ name: string; ip: string }>;
  mx?: Array<{ name: string; preference: number; host: string }>;
  txt?: unknown[];
  srv?: Array<{ name: string; target: string; port: number; priority: number }>;
  cname?: unknown[];
}

const abs = (h: string) => `${normalizeHostname(h)}.`;

/**
 * Renders the zone and has the independent parser read it back: exactly the SOA, the NS, the
 * glue and the planned records, with the intended hosts, addresses and numbers.
 */
export function judgeZone(records: DnsRecord[], opts: ZoneFileOptions): void {
  const text = renderZoneFile(records, "acme.com", opts);
  const nameServers = opts.nameServers ?? [{ host: "ns1.acme.com", ipv4: "127.0.0.1" }];
  const glue = nameServers.flatMap((ns) =>
    [ns.ipv4, ns.ipv6].filter((ip): ip is string => ip !== undefined),
  );
  const lines = text.split("\n").filter((l) => l !== "");
  const expectLines = 3 + nameServers.length + glue.length + records.length;
  if (lines.length !== expectLines) {
    throw new Error(`zone has ${lines.length} lines, expected ${expectLines}:\n${text}`);
  }
  const parsed = zonefile.parse(text) as Parsed;
  const fail = (what: string) => {
    throw new Error(`dns-zonefile read ${what}:\n${text}\n${JSON.stringify(parsed)}`);
  };
  if (parsed.soa === undefined) fail("no SOA");
  if (parsed.soa!.mname !== abs(nameServers[0]!.host)) fail("another SOA MNAME");
  if (opts.serial !== undefined && parsed.soa!.serial !== opts.serial) fail("another serial");
  if ((parsed.ns ?? []).map((n) => n.host).join() !== nameServers.map((n) => abs(n.host)).join()) {
    fail("other NS records");
  }
  const count = (type: DnsRecord["type"]) => records.filter((r) => r.type === type).length;
  const ips = [...(parsed.a ?? []), ...(parsed.aaaa ?? [])].map((a) => a.ip).sort();
  const wantIps = [
    ...glue,
    ...records.filter((r) => r.type === "A" || r.type === "AAAA").map((r) => r.value),
  ].sort();
  if (ips.join() !== wantIps.join()) fail("other addresses");
  const mx = (parsed.mx ?? []).map((m) => `${m.preference} ${m.host}`).sort();
  const wantMx = records
    .filter((r) => r.type === "MX")
    .map((r) => `${r.priority ?? 0} ${r.value === "." ? "." : abs(r.value)}`)
    .sort();
  if (mx.join() !== wantMx.join()) fail("other MX records");
  const srv = (parsed.srv ?? []).map((s) => `${s.priority} ${s.port} ${s.target}`).sort();
  const wantSrv = records
    .filter((r) => r.type === "SRV")
    .map((r) => `${r.priority ?? 0} ${r.port ?? 0} ${r.value === "." ? "." : abs(r.value)}`)
    .sort();
  if (srv.join() !== wantSrv.join()) fail("other SRV records");
  if ((parsed.txt ?? []).length !== count("TXT")) fail("another number of TXT records");
  if ((parsed.cname ?? []).length !== count("CNAME")) fail("another number of CNAME records");
}

/** One property per binding: name, arbitrary, and the check of one generated input. */
export interface BindingProperty {
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- heterogeneous properties
  arb: fc.Arbitrary<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- heterogeneous properties
  check(input: any): Outcome;
}

const sqliteStore = { type: "sqlite" as const, path: "/var/lib/mailplane/mail.sqlite" };

export const PROPERTIES: BindingProperty[] = [
  {
    name: "providers.selfHosted (mx, imap, submission, spfTerms, dkim, store) → zone file",
    arb: fc.record({
      host: hostile("mx.acme.com"),
      priority: hostileNumber(10),
      imapHost: hostile("imap.acme.com"),
      imapPort: hostileNumber(993),
      spf: hostile("ip4:192.0.2.10"),
      selector: hostile("mail"),
      path: hostile("/var/lib/mailplane/mail.sqlite"),
    }),
    check(i) {
      const args = {
        store: { type: "sqlite" as const, path: i.path },
        mx: [{ host: i.host, priority: i.priority }],
        imap: { host: i.imapHost, port: i.imapPort },
        spfTerms: [i.spf],
        dkim: { selector: i.selector },
      };
      const outcome = refusedOr("providers.selfHosted.", () => providers.selfHosted(args));
      if (outcome === "accepted") {
        const facts = selfHostedDnsFacts({
          mx: args.mx,
          dkim: [
            { selector: i.selector, publicKey: "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" },
          ],
          imap: args.imap,
          spfTerms: args.spfTerms,
        });
        judgeZone(planDnsRecords(SPEC, facts), {});
      }
      return outcome;
    },
  },
  {
    name: "dns.zoneFile (name servers, addresses, hostmaster, timers, serial) → zone file",
    arb: fc.record({
      host: hostile("ns1.acme.com"),
      ipv4: hostile("192.0.2.1"),
      ipv6: hostile("2001:db8::1"),
      hostmaster: hostile("hostmaster@acme.com"),
      ttl: hostileNumber(3600),
      refresh: hostileNumber(7200),
      serial: hostileNumber(2026050101),
      path: hostile("acme.com.zone"),
    }),
    check(i) {
      const zone: ZoneFileOptions = {
        nameServers: [{ host: i.host, ipv4: i.ipv4, ipv6: i.ipv6 }],
        hostmaster: i.hostmaster,
        ttl: i.ttl,
        serial: i.serial,
        soaTimers: { refresh: i.refresh, retry: 3600, expire: 1209600, minimum: 3600 },
      };
      const outcome = refusedOr("dns.zoneFile.", () => dns.zoneFile({ path: i.path, zone }));
      if (outcome === "accepted") {
        const records: DnsRecord[] = [
          {
            name: "acme.com",
            type: "MX",
            ttl: 3600,
            priority: 10,
            value: "mx.acme.com",
            role: "mx",
          },
        ];
        // An out-of-zone name server gets no glue.
        const inZone = normalizeHostname(i.host).endsWith(".acme.com");
        judgeZone(records, inZone ? zone : { ...zone, nameServers: [{ host: i.host }] });
      }
      return outcome;
    },
  },
  {
    name: "renderZoneFile without any schema (records straight from a caller)",
    arb: fc.record({
      name: hostile("mail.acme.com"),
      value: hostile("mx.acme.com"),
      ip: hostile("192.0.2.7"),
      priority: hostileNumber(10),
      port: hostileNumber(993),
      ttl: hostileNumber(300),
      txt: fc.oneof(
        fc.string({ unit: "grapheme", maxLength: 300 }),
        fc.string({ unit: "binary", maxLength: 300 }),
      ),
    }),
    check(i) {
      const records: DnsRecord[] = [
        { name: i.name, type: "MX", ttl: i.ttl, priority: i.priority, value: i.value, role: "mx" },
        { name: "a.acme.com", type: "A", ttl: 60, value: i.ip, role: "a" },
        {
          name: "_imaps._tcp.acme.com",
          type: "SRV",
          ttl: 60,
          priority: 0,
          weight: 1,
          port: i.port,
          value: i.value,
          role: "srv",
        },
        { name: "acme.com", type: "TXT", ttl: 60, value: i.txt, role: "txt" },
      ];
      try {
        renderZoneFile(records, "acme.com");
      } catch (err) {
        const m = (err as Error).message;
        if (
          !/^zone acme\.com: (records\[\d\]|nameServers|\d+ record\(s\) outside the zone)|^TXT value contains a lone/.test(
            m,
          )
        ) {
          throw new Error(`unclear renderer error: ${m}`);
        }
        return "refused";
      }
      judgeZone(records, {});
      return "accepted";
    },
  },
  {
    name: "dns.powerDns / dns.cloudflare / dns.route53",
    arb: fc.record({
      apiUrl: hostile("http://ns1.internal:8081"),
      zone: hostile("acme.com"),
      serverId: hostile("localhost"),
      zoneId: hostile("023e105f4ecef8ad9ca31a8372d0c353"),
      ttl: hostileNumber(300),
    }),
    check(i) {
      const a = refusedOr("dns.powerDns.", () =>
        dns.powerDns({ apiUrl: i.apiUrl, zone: i.zone, serverId: i.serverId }),
      );
      const b = refusedOr("dns.cloudflare.", () =>
        dns.cloudflare({ zoneId: i.zoneId, ttl: i.ttl }),
      );
      const c = refusedOr("dns.route53.", () => dns.route53({ zoneId: i.zoneId }));
      return a === "accepted" && b === "accepted" && c === "accepted" ? "accepted" : "refused";
    },
  },
  {
    name: "sending.ses / providers.migadu / providers.cloudflareEmailRouting",
    arb: fc.record({
      region: hostile("eu-west-1"),
      sub: hostile("bounce"),
      domain: hostile("acme.com"),
      code: hostile("abc123"),
      accountId: hostile("023e105f4ecef8ad9ca31a8372d0c353"),
    }),
    check(i) {
      const a = refusedOr("sending.ses.", () =>
        ses({ region: i.region, mailFromSubdomain: i.sub }),
      );
      const b = refusedOr("providers.migadu.", () =>
        providers.migadu({ domain: i.domain, verificationCode: i.code }),
      );
      const c = refusedOr("providers.cloudflareEmailRouting.", () =>
        providers.cloudflareEmailRouting({ accountId: i.accountId }),
      );
      return a === "accepted" && b === "accepted" && c === "accepted" ? "accepted" : "refused";
    },
  },
  {
    name: "mailServerConfig (sqlite path, postgres access, map dir, mail root) → Postfix/Dovecot",
    arb: fc.record({
      path: hostile("/var/lib/mailplane/mail.sqlite"),
      mailRoot: hostile("/var/vmail"),
      host: hostile("db.internal"),
      port: hostileNumber(5432),
      user: hostile("postfix"),
      pg: fc.boolean(),
    }),
    check(i) {
      const store = i.pg
        ? { type: "postgres" as const, host: i.host, port: i.port, dbname: "mail", user: i.user }
        : { type: "sqlite" as const, path: i.path };
      let config: ReturnType<typeof mailServerConfig> | undefined;
      const outcome = refusedOr("mailServerConfig.", () => {
        config = mailServerConfig({
          store,
          postfixMapDir: "/etc/postfix/sql",
          mailRoot: i.mailRoot,
        });
      });
      if (config !== undefined) {
        // Judge: every Postfix map is exactly its connection lines and one query; Dovecot's
        // user_query keeps its quotes balanced and no `%` other than %u.
        for (const [file, text] of Object.entries(config.postfixMaps)) {
          const keys = text
            .trimEnd()
            .split("\n")
            .map((l) => l.split(" = ")[0]);
          const want = i.pg ? ["hosts", "user", "dbname", "query"] : ["dbpath", "query"];
          if (keys.join() !== want.join()) throw new Error(`${file} has lines ${keys.join()}`);
        }
        const userQuery = config.dovecotSqlConf
          .split("\n")
          .find((l) => l.startsWith("user_query"))!;
        if ((userQuery.match(/'/g) ?? []).length % 2 !== 0 || /%(?!u')/.test(userQuery)) {
          throw new Error(`user_query is not safe: ${userQuery}`);
        }
        if (config.dovecotSqlConf.trimEnd().split("\n").length !== 6) {
          throw new Error(`dovecot-sql.conf.ext has extra lines:\n${config.dovecotSqlConf}`);
        }
      }
      return outcome;
    },
  },
];

/** Every binding's property, as fast-check properties that count outcomes. */
export function runAll(numRuns: number, seed?: number) {
  const figures: Array<{
    name: string;
    tried: number;
    refused: number;
    accepted: number;
    crashes: string[];
  }> = [];
  for (const p of PROPERTIES) {
    const f = { name: p.name, tried: 0, refused: 0, accepted: 0, crashes: [] as string[] };
    const result = fc.check(
      fc.property(p.arb, (input) => {
        f.tried++;
        const outcome = p.check(input);
        f[outcome]++;
      }),
      { numRuns, ...(seed === undefined ? {} : { seed }) },
    );
    if (result.failed) {
      f.crashes.push(
        `counterexample ${fc.stringify(result.counterexample)}: ${String((result.errorInstance as Error)?.message ?? result.errorInstance)}`,
      );
    }
    figures.push(f);
  }
  return figures;
}

export { sqliteStore };
