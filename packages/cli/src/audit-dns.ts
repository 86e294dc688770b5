/* eslint-disable @typescript-eslint/no-require-imports -- mailauth's record parsers are CommonJS
   modules without type declarations of their own (only its top-level API is typed) */
import { createHash } from "node:crypto";
import { Resolver } from "node:dns/promises";
import { readFile } from "node:fs/promises";
import https from "node:https";
import { isIP } from "node:net";
import tls from "node:tls";
import type { DnsRecord } from "@mailplane/core";
import type { Finding } from "./findings";

/** mailauth's parsers (lib/…): the library the receiving MTAs we test against also use. */
interface MtaStsPolicyParsed {
  version?: string;
  mode: string;
  maxAge: number;
  mx?: string[];
}
export const mtaSts = require("mailauth/lib/mta-sts") as {
  resolvePolicy(domain: string, opts: { resolver: ResolveFn }): Promise<string | false>;
  parsePolicy(text: string): MtaStsPolicyParsed;
};
const getDmarcRecord = require("mailauth/lib/dmarc/get-dmarc-record") as (
  domain: string,
  resolver: ResolveFn,
) => Promise<Record<string, unknown> | false>;
const { spf } = require("mailauth/lib/spf") as {
  spf(opts: {
    sender: string;
    ip: string;
    helo: string;
    mta: string;
    resolver: ResolveFn;
  }): Promise<{
    status: { result: string; comment?: string | false };
    lookups?: { count: number; limit: number; void: number };
  }>;
};
const parseTags = require("mailauth/lib/parse-dkim-headers") as (text: string) => {
  parsed?: Record<string, { value: string }>;
};

/** `dns.promises.resolve`'s shape, which mailauth takes as its resolver. */
type ResolveFn = (name: string, type: string) => Promise<unknown>;

/** What {@link auditDns} needs besides the records. */
export interface DnsAuditOptions {
  /** The resolver to ask (the system's, or `--resolver`). */
  resolver: Resolver;
  /** Extra trusted CA certificates (PEM) for the MTA-STS policy's HTTPS server. */
  ca?: string;
  /** HTTPS port of `mta-sts.<domain>`. @default 443 */
  httpsPort?: number;
}

/** What the DNS audit of one domain found, could not check, and measured. */
export interface DnsAuditResult {
  findings: Finding[];
  failures: string[];
  /** What was checked and measured, e.g. the SPF lookup count. */
  notes: string[];
}

/** Parses `--resolver host[:port]` (IPv4, or `[IPv6]:port`) into a Resolver's server entry. */
export function resolverServer(value: string): string {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([0-9.]+))(?::(\d{1,5}))?$/.exec(value.trim());
  const host = m?.[1] ?? m?.[2];
  const port = m?.[3] === undefined ? 53 : Number(m[3]);
  if (m === null || host === undefined || isIP(host) === 0 || port < 1 || port > 65535) {
    throw new Error(
      `--resolver ${JSON.stringify(value)} is not a DNS server address (allowed: an IP address with an optional port, e.g. 127.0.0.1:5353 or [::1]:53)`,
    );
  }
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A resolver asking `server` (see {@link resolverServer}), or the system's when undefined. */
export function makeResolver(server: string | undefined): Resolver {
  const r = new Resolver({ timeout: 3000, tries: 2 });
  if (server !== undefined) r.setServers([resolverServer(server)]);
  return r;
}

/** The extra trusted CAs of `--ca <file>` (PEM), or undefined without the option. */
export async function readCaFile(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    throw new Error(`--ca ${file}: ${(e as Error).message} (allowed: a readable PEM file)`);
  }
}

const NO_DATA = new Set(["ENOTFOUND", "ENODATA"]);
const norm = (s: string) => s.replace(/\s+/g, " ").trim();
const lowerHost = (h: string) => (h === "" ? "." : h.toLowerCase().replace(/\.$/, ""));

/**
 * Compares a domain's live DNS, through a real resolver, with the records its MailDomain manages:
 * the MX set; exactly one SPF record, equal to the planned one, and its live DNS lookup count
 * with nested includes and redirects followed (mailauth's SPF evaluator, limit 10); each DKIM
 * record's key (or CNAME target); DMARC's tags (mailauth's parser); the `_mta-sts` id and the
 * policy served over HTTPS at `mta-sts.<domain>` (mailauth's parser; redirects are not
 * followed); TLS-RPT; and the other records (client discovery SRV/CNAME, verification TXT).
 */
export async function auditDns(
  domain: string,
  records: readonly DnsRecord[],
  mtaStsPolicy: string | undefined,
  opts: DnsAuditOptions,
): Promise<DnsAuditResult> {
  const findings: Finding[] = [];
  const failures: string[] = [];
  const notes: string[] = [];
  const add = (f: Omit<Finding, "domain">) => findings.push({ domain, ...f });
  const r = opts.resolver;
  const resolveFn: ResolveFn = (name, type) => r.resolve(name, type as "TXT");

  /** Runs one lookup; no data is `[]`; any other DNS error is a failure to check. */
  async function ask<T>(what: string, q: () => Promise<T[]>): Promise<T[] | undefined> {
    try {
      return await q();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== undefined && NO_DATA.has(code)) return [];
      failures.push(`${domain}: ${what}: ${code ?? (e as Error).message}`);
      return undefined;
    }
  }
  const txt = (name: string) =>
    ask(`TXT ${name}`, async () => (await r.resolveTxt(name)).map((parts) => parts.join("")));

  const planned = (pred: (rec: DnsRecord) => boolean) => records.filter(pred);
  const handled = new Set<DnsRecord>();

  // MX
  const mx = planned((x) => x.type === "MX" && x.name === domain);
  mx.forEach((x) => handled.add(x));
  if (mx.length > 0) {
    const live = await ask(`MX ${domain}`, () => r.resolveMx(domain));
    if (live !== undefined) {
      const want = mx.map((x) => `${x.priority ?? 0} ${lowerHost(x.value)}`).sort();
      const got = live.map((x) => `${x.priority} ${lowerHost(x.exchange)}`).sort();
      if (JSON.stringify(want) !== JSON.stringify(got)) {
        add({
          severity: "error",
          kind: "mxMismatch",
          subject: `MX ${domain}`,
          message: `declared [${want.join(", ")}], live [${got.join(", ")}]`,
          declared: want,
          live: got,
        });
      }
    }
  }

  // TXT at names with one record per kind: SPF at the apex (and any name it is planned for).
  const spfPlanned = planned((x) => x.type === "TXT" && /^v=spf1(\s|$)/i.test(x.value));
  for (const rec of spfPlanned) {
    handled.add(rec);
    const live = await txt(rec.name);
    if (live === undefined) continue;
    const spfs = live.filter((t) => /^v=spf1(\s|$)/i.test(t.trim()));
    const subject = `SPF ${rec.name}`;
    if (spfs.length === 0) {
      add({
        severity: "error",
        kind: "spfMissing",
        subject,
        message: "no v=spf1 record",
        declared: rec.value,
      });
      continue;
    }
    if (spfs.length > 1) {
      add({
        severity: "error",
        kind: "spfMultiple",
        subject,
        message: `${spfs.length} v=spf1 records (RFC 7208: more than one is a permerror for every receiver)`,
        declared: rec.value,
        live: spfs,
      });
      continue;
    }
    if (norm(spfs[0]!).toLowerCase() !== norm(rec.value).toLowerCase()) {
      add({
        severity: "warning",
        kind: "spfMismatch",
        subject,
        message: `declared "${rec.value}", live "${spfs[0]}"`,
        declared: rec.value,
        live: spfs[0],
      });
    }
    // The live lookup count, nested includes followed, from an address no SPF authorises.
    const result = await spf({
      sender: `postmaster@${rec.name}`,
      ip: "192.0.2.1",
      helo: rec.name,
      mta: "mailplane-audit",
      resolver: resolveFn,
    });
    const count = result.lookups?.count ?? 0;
    const comment = typeof result.status.comment === "string" ? result.status.comment : "";
    if (result.status.result === "temperror") {
      failures.push(`${domain}: SPF ${rec.name} lookups: ${comment}`);
    } else if (count > 10 || /Too many DNS requests/i.test(comment)) {
      add({
        severity: "error",
        kind: "spfLookups",
        subject,
        message: `more than 10 DNS lookups with nested includes followed (RFC 7208 4.6.4): every receiver answers permerror`,
        live: { lookups: count },
      });
    } else if ((result.lookups?.void ?? 0) > 2 || result.status.result === "permerror") {
      add({
        severity: "error",
        kind: "spfLookups",
        subject,
        message: `evaluates to permerror: ${comment}`,
        live: { lookups: count, void: result.lookups?.void ?? 0 },
      });
    } else {
      notes.push(`${subject}: ${count} DNS lookups of 10, nested includes followed`);
    }
  }

  // DKIM
  for (const rec of planned((x) => x.role.startsWith("dkim") && x.name.includes("._domainkey."))) {
    handled.add(rec);
    const subject = `DKIM ${rec.name}`;
    if (rec.type === "CNAME") {
      const live = await ask(`CNAME ${rec.name}`, () => r.resolveCname(rec.name));
      if (live === undefined) continue;
      if (live.length === 0) {
        add({
          severity: "error",
          kind: "dkimMissing",
          subject,
          message: "no CNAME record",
          declared: rec.value,
        });
      } else if (lowerHost(live[0]!) !== lowerHost(rec.value)) {
        add({
          severity: "error",
          kind: "dkimMismatch",
          subject,
          message: `CNAME declared ${rec.value}, live ${live[0]}`,
          declared: rec.value,
          live: live[0],
        });
      }
      continue;
    }
    const live = await txt(rec.name);
    if (live === undefined) continue;
    const keys = live.filter((t) => /(^|;)\s*p\s*=/.test(t));
    const tags = (t: string) => parseTags(t).parsed ?? {};
    const want = tags(rec.value);
    const wantKey = (want.p?.value ?? "").replace(/\s+/g, "");
    if (keys.length === 0) {
      add({
        severity: "error",
        kind: "dkimMissing",
        subject,
        message: "no DKIM key record",
        declared: rec.value,
      });
    } else if (
      keys.length > 1 ||
      (tags(keys[0]!).p?.value ?? "").replace(/\s+/g, "") !== wantKey ||
      (tags(keys[0]!).k?.value ?? "rsa").toLowerCase() !== (want.k?.value ?? "rsa").toLowerCase()
    ) {
      // A key is shown by its SHA-256 fingerprint: two RSA keys share their first and last bytes.
      const short = (t: string) => {
        const p = (tags(t).p?.value ?? "").replace(/\s+/g, "");
        return `key sha256:${createHash("sha256").update(p).digest("hex").slice(0, 16)}`;
      };
      add({
        severity: "error",
        kind: "dkimMismatch",
        subject,
        message:
          keys.length > 1
            ? `${keys.length} key records at one selector (one DKIM key per record)`
            : `key differs from the declared one: declared ${short(rec.value)}, live ${short(keys[0]!)}`,
        declared: rec.value,
        live: keys,
      });
    }
  }

  // DMARC
  for (const rec of planned((x) => x.type === "TXT" && x.name === `_dmarc.${domain}`)) {
    handled.add(rec);
    const subject = `DMARC _dmarc.${domain}`;
    const live = await txt(rec.name);
    if (live === undefined) continue;
    const dmarcs = live.filter((t) => /^v\s*=\s*DMARC1/i.test(t.trim()));
    if (dmarcs.length === 0) {
      add({
        severity: "error",
        kind: "dmarcMissing",
        subject,
        message: "no v=DMARC1 record",
        declared: rec.value,
      });
      continue;
    }
    const clean = (p: Record<string, unknown> | false) => {
      if (p === false) return {};
      const { rr: _rr, isOrgRecord: _o, ...tags } = p;
      return tags;
    };
    const want = clean(await getDmarcRecord(domain, async () => [[rec.value]]));
    const got =
      dmarcs.length === 1
        ? clean(await getDmarcRecord(domain, async () => [[dmarcs[0]!]]))
        : undefined;
    if (got === undefined || JSON.stringify(sortKeys(want)) !== JSON.stringify(sortKeys(got))) {
      add({
        severity: dmarcs.length > 1 ? "error" : "warning",
        kind: "dmarcMismatch",
        subject,
        message:
          dmarcs.length > 1
            ? `${dmarcs.length} v=DMARC1 records (receivers then apply none)`
            : `declared "${rec.value}", live "${dmarcs[0]}"`,
        declared: rec.value,
        live: dmarcs,
      });
    }
  }

  // MTA-STS: the id in DNS, and the policy over HTTPS.
  for (const rec of planned((x) => x.type === "TXT" && x.name === `_mta-sts.${domain}`)) {
    handled.add(rec);
    const wantId = /id=([A-Za-z0-9]+)/.exec(rec.value)?.[1];
    let liveId: string | false | undefined;
    try {
      liveId = await mtaSts.resolvePolicy(domain, { resolver: resolveFn });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "multi_sts_records") liveId = false;
      else failures.push(`${domain}: TXT _mta-sts.${domain}: ${code ?? (e as Error).message}`);
      if (code !== "multi_sts_records") continue;
    }
    if (liveId !== wantId) {
      add({
        severity: "error",
        kind: "mtaStsIdMismatch",
        subject: `MTA-STS _mta-sts.${domain}`,
        message:
          liveId === false
            ? `no single v=STSv1 record (declared id=${wantId})`
            : `id declared ${wantId}, live ${liveId} (senders keep a cached policy until the id changes)`,
        declared: wantId,
        live: liveId,
      });
    }
  }
  if (mtaStsPolicy !== undefined) {
    const subject = `MTA-STS https://mta-sts.${domain}/.well-known/mta-sts.txt`;
    const fetched = await fetchPolicyText(domain, opts);
    if ("error" in fetched) {
      add({
        severity: "error",
        kind: "mtaStsPolicyUnreachable",
        subject,
        message: fetched.error,
      });
    } else {
      let want: MtaStsPolicyParsed | undefined;
      let got: MtaStsPolicyParsed | string;
      try {
        want = mtaSts.parsePolicy(mtaStsPolicy);
      } catch {
        want = undefined;
      }
      try {
        got = mtaSts.parsePolicy(fetched.text);
      } catch (e) {
        got = `not a valid policy: ${(e as Error).message}`;
      }
      const key = (p: MtaStsPolicyParsed) =>
        JSON.stringify({ mode: p.mode, maxAge: p.maxAge, mx: [...(p.mx ?? [])].sort() });
      if (typeof got === "string" || want === undefined || key(want) !== key(got)) {
        const show = (p: MtaStsPolicyParsed) =>
          `mode ${p.mode}, max_age ${p.maxAge}, mx ${[...(p.mx ?? [])].sort().join(" ")}`;
        add({
          severity: "error",
          kind: "mtaStsPolicyMismatch",
          subject,
          message:
            typeof got === "string"
              ? got
              : `declared ${want === undefined ? "(unparsable)" : show(want)}; served ${show(got)}`,
          declared: mtaStsPolicy,
          live: fetched.text,
        });
      }
    }
  }

  // TLS-RPT
  for (const rec of planned((x) => x.type === "TXT" && x.name === `_smtp._tls.${domain}`)) {
    handled.add(rec);
    const live = await txt(rec.name);
    if (live === undefined) continue;
    const rpts = live.filter((t) => /^v=TLSRPTv1/i.test(t.trim()));
    const tagsOf = (t: string) =>
      t
        .split(";")
        .map((s) => s.trim())
        .filter((s) => s !== "")
        .sort()
        .join("; ");
    if (rpts.length !== 1 || tagsOf(rpts[0]!) !== tagsOf(rec.value)) {
      add({
        severity: "warning",
        kind: "tlsRptMismatch",
        subject: `TLS-RPT _smtp._tls.${domain}`,
        message:
          rpts.length === 0
            ? "no v=TLSRPTv1 record"
            : `declared "${rec.value}", live "${rpts.join(" | ")}"`,
        declared: rec.value,
        live: rpts,
      });
    }
  }

  // Everything else: SRV, CNAME and A/AAAA sets by name, TXT values present at their name.
  const rest = records.filter((x) => !handled.has(x) && x.value !== "" && !x.value.includes("${"));
  const byKey = new Map<string, DnsRecord[]>();
  for (const x of rest)
    byKey.set(`${x.type} ${x.name}`, [...(byKey.get(`${x.type} ${x.name}`) ?? []), x]);
  for (const [key, group] of byKey) {
    const [type, name] = key.split(" ") as [DnsRecord["type"], string];
    let want: string[];
    let got: string[] | undefined;
    if (type === "TXT") {
      const live = await txt(name);
      if (live === undefined) continue;
      const missing = group.filter((x) => !live.includes(x.value));
      if (missing.length === 0) continue;
      want = missing.map((x) => x.value);
      got = live;
    } else if (type === "SRV") {
      want = group.map((x) => `${x.priority} ${x.weight} ${x.port} ${lowerHost(x.value)}`).sort();
      got = (await ask(key, () => r.resolveSrv(name)))?.map(
        (s) => `${s.priority} ${s.weight} ${s.port} ${lowerHost(s.name)}`,
      );
    } else if (type === "CNAME") {
      want = group.map((x) => lowerHost(x.value)).sort();
      got = (await ask(key, () => r.resolveCname(name)))?.map(lowerHost);
    } else if (type === "A" || type === "AAAA") {
      want = group.map((x) => x.value).sort();
      got = await ask(key, () => (type === "A" ? r.resolve4(name) : r.resolve6(name)));
    } else continue;
    if (got === undefined) continue;
    got = [...got].sort();
    if (type !== "TXT" && JSON.stringify(want) === JSON.stringify(got)) continue;
    add({
      severity: "warning",
      kind: "recordMismatch",
      subject: key,
      message: `declared [${want.join(", ")}], live [${got.join(", ")}]`,
      declared: want,
      live: got,
    });
  }
  return { findings, failures, notes };
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Fetches `https://mta-sts.<domain>/.well-known/mta-sts.txt` as RFC 8461 3.3 says: the host's
 * address from the resolver, the certificate checked for `mta-sts.<domain>`, redirects not
 * followed, a 2xx `text/plain` answer.
 */
export async function fetchPolicyText(
  domain: string,
  opts: Pick<DnsAuditOptions, "resolver" | "ca" | "httpsPort">,
): Promise<{ text: string } | { error: string }> {
  const host = `mta-sts.${domain}`;
  let addrs: string[] = [];
  try {
    addrs = await opts.resolver.resolve4(host);
  } catch {
    try {
      addrs = await opts.resolver.resolve6(host);
    } catch (e) {
      return {
        error: `${host} has no address: ${(e as { code?: string }).code ?? (e as Error).message}`,
      };
    }
  }
  if (addrs.length === 0) return { error: `${host} has no address` };
  return new Promise((resolve) => {
    const req = https.request(
      {
        host: addrs[0],
        port: opts.httpsPort ?? 443,
        path: "/.well-known/mta-sts.txt",
        method: "GET",
        servername: host,
        headers: { host },
        ...(opts.ca === undefined ? {} : { ca: [...tls.rootCertificates, opts.ca] }),
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          if (status >= 300 && status < 400) {
            resolve({ error: `answered ${status} (a redirect; RFC 8461 forbids following it)` });
          } else if (status < 200 || status >= 300) {
            resolve({ error: `answered HTTP ${status}` });
          } else if (!/^text\/plain\b/i.test(res.headers["content-type"] ?? "")) {
            resolve({
              error: `answered Content-Type ${JSON.stringify(res.headers["content-type"] ?? "")} (RFC 8461: text/plain)`,
            });
          } else resolve({ text: Buffer.concat(chunks).toString("utf8") });
        });
        res.on("error", (e) => resolve({ error: e.message }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out after 10 s")));
    req.on("error", (e) => resolve({ error: `${host}: ${e.message}` }));
    req.end();
  });
}
