/* eslint-disable @typescript-eslint/no-require-imports -- mailauth's record parsers are CommonJS */
import { readFile } from "node:fs/promises";
import zonefile from "dns-zonefile";
import { decodeTxt, parseMailDomain, type MailProviderCapabilities } from "@mailplane/core";
import type { AliasState, GroupState, MailboxState, MailProvider } from "@mailplane/providers";
import * as prettier from "prettier";
import { fetchPolicyText, makeResolver, mtaSts, readCaFile } from "./audit-dns";
import { importFileOf, type PulumiImportFile } from "./import-file";
import { adapterFor } from "./targets";

const getDmarcRecord = require("mailauth/lib/dmarc/get-dmarc-record") as (
  domain: string,
  resolver: (name: string, type: string) => Promise<unknown>,
) => Promise<Record<string, unknown> | false>;

/** What a live provider holds for a domain, as the import reads it. */
export interface LiveDomain {
  domain: string;
  mailboxes: MailboxState[];
  aliases: AliasState[];
  groups: GroupState[];
  domainAliases: string[];
  catchAll?: string[];
}

/** The live DNS records the import recognises a policy from (plain text, joined). */
export interface LiveDnsPolicy {
  /** The apex's `v=spf1` record, when exactly one. */
  spf?: string;
  /** The `_dmarc` record. */
  dmarc?: string;
  /** The `_smtp._tls` record. */
  tlsRpt?: string;
  /** The MTA-STS mode from the `_mta-sts` record's policy, when known. */
  mtaStsMode?: "enforce" | "testing" | "none";
  /** The MTA-STS policy's `max_age`, when known. */
  mtaStsMaxAge?: number;
  /** What could not be read (an unreachable policy), written as notes. */
  problems?: string[];
  /** MX hosts, by preference. */
  mx?: string[];
}

/** How the generated program binds the provider. */
export interface ImportBinding {
  /** The provider id, e.g. `migadu`. */
  provider: string;
  /** The endpoint: Migadu's `apiUrl`, the self-hosted store locator (`sqlite:///path`). */
  apiUrl?: string;
}

/** A program `generateProgram` wrote, and what it declares. */
export interface GeneratedProgram {
  code: string;
  /** One line: counts of what was declared. */
  summary: string;
  /** The declaration object the program passes to MailDomain (without `dns` and `provider`). */
  declaration: Record<string, unknown>;
  /** What could not be expressed, also written as comments in the program. */
  notes: string[];
}

/** SPF include domains a provider adds itself (its DNS facts), not to be declared again. */
const PROVIDER_INCLUDES: Record<string, string[]> = {
  migadu: ["spf.migadu.com"],
  googleWorkspace: ["_spf.google.com"],
  microsoft365: ["spf.protection.outlook.com"],
  cloudflareEmailRouting: ["_spf.mx.cloudflare.net"],
};

/** Local parts read as role addresses (DESIGN: info, sales, support, hr, marketing…). */
const ROLE_ADDRESSES = new Set([
  "info",
  "sales",
  "support",
  "hr",
  "marketing",
  "billing",
  "contact",
  "office",
  "press",
  "jobs",
  "service",
  "customerservice",
]);

/** A JavaScript identifier that needs no quotes as an object key. */
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Renders a value as a TypeScript literal; `comments` are written above the keys they name. */
function literal(value: unknown, comments: Map<unknown, string[]> = new Map()): string {
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, comments)).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(
      ([, v]) => v !== undefined,
    );
    const notes = comments.get(value) ?? [];
    const lines = entries.map(([k, v]) => {
      const key = IDENT.test(k) ? k : JSON.stringify(k);
      return `${key}: ${literal(v, comments)},`;
    });
    return `{\n${[...notes.map((n) => `// ${n}`), ...lines].join("\n")}\n}`;
  }
  return JSON.stringify(value);
}

/**
 * The declaration of a live domain: every mailbox under its local part as handle, forwarding
 * addresses as aliases (or groups where the provider keeps real groups), postmaster/abuse,
 * domain aliases, catch-all, and the DNS policy recognised from the live records. References to
 * the domain's own addresses become handles. Returns notes for what it could not express.
 */
export function buildDeclaration(
  live: LiveDomain,
  capabilities: MailProviderCapabilities,
  provider: string,
  dns: LiveDnsPolicy = {},
): { declaration: Record<string, unknown>; notes: string[]; comments: Map<unknown, string[]> } {
  const d = live.domain;
  const notes: string[] = [];
  const comments = new Map<unknown, string[]>();
  const handles = new Map<string, string>();
  for (const m of live.mailboxes) handles.set(`${m.localPart}@${d}`, m.localPart);
  // Role addresses (postmaster@, info@…) belong to the company, not a person: where a provider
  // reports one as a mailbox's own alias (Migadu cannot tell a one-destination alias from a
  // mailbox alias), it is declared as the role address delivering to that mailbox.
  const isRole = (lp: string) => lp === "postmaster" || lp === "abuse" || ROLE_ADDRESSES.has(lp);
  const ownAliases = (m: MailboxState) => m.aliases.filter((a) => !isRole(a));
  const mailboxAliasOf = new Map<string, string>();
  for (const m of live.mailboxes) {
    for (const a of ownAliases(m)) mailboxAliasOf.set(`${a}@${d}`, `${m.localPart}@${d}`);
  }
  const listed = new Set(live.aliases.map((a) => a.localPart));
  const roleAliases: AliasState[] = live.mailboxes.flatMap((m) =>
    m.aliases
      .filter((a) => isRole(a) && !listed.has(a))
      .map((a) => ({ domain: d, localPart: a, destinations: [`${m.localPart}@${d}`] })),
  );
  const aliasAddresses = new Set(live.aliases.map((a) => `${a.localPart}@${d}`));
  // Groups a provider keeps as aliases (Migadu) are listed by both: declared once, as an alias.
  const realGroups = live.groups.filter((g) => !aliasAddresses.has(`${g.localPart}@${d}`));
  const forwards = [...live.aliases, ...roleAliases].filter((a) => {
    const address = `${a.localPart}@${d}`;
    const owner = mailboxAliasOf.get(address);
    // A mailbox's own alias is declared on the mailbox.
    return !(owner !== undefined && a.destinations.length === 1 && a.destinations[0] === owner);
  });
  for (const a of forwards) handles.set(`${a.localPart}@${d}`, a.localPart);
  for (const g of realGroups) handles.set(`${g.localPart}@${d}`, g.localPart);
  const ref = (address: string) => handles.get(address.toLowerCase()) ?? address.toLowerCase();
  const refs = (xs: readonly string[]) => [...xs].sort().map(ref);

  const mailboxes: Record<string, unknown> = {};
  for (const m of [...live.mailboxes].sort((a, b) => a.localPart.localeCompare(b.localPart))) {
    const entry: Record<string, unknown> = {
      name: m.name,
      ...(m.department === undefined || m.department === "" ? {} : { department: m.department }),
      ...(m.title === undefined || m.title === "" ? {} : { title: m.title }),
      ...(m.quotaMb === undefined || !capabilities.quota ? {} : { quotaMb: m.quotaMb }),
      ...(ownAliases(m).length === 0 ? {} : { aliases: [...ownAliases(m)].sort() }),
    };
    if (m.forwardTo.length > 0) {
      entry.offboard = { forwardTo: refs(m.forwardTo) };
      if (!m.suspended) entry.suspended = false;
    } else if (m.suspended) entry.suspended = true;
    if (m.suspended) comments.set(entry, ["suspended at the provider when imported"]);
    mailboxes[m.localPart] = entry;
  }

  const aliases: Record<string, unknown> = {};
  const shared: Record<string, unknown> = {};
  let postmaster: string[] | undefined;
  let abuse: string[] | undefined;
  for (const a of [...forwards].sort((x, y) => x.localPart.localeCompare(y.localPart))) {
    const to = refs(a.destinations.filter((t) => t !== `${a.localPart}@${d}`));
    if (a.localPart === "postmaster") postmaster = to;
    else if (a.localPart === "abuse") abuse = to;
    else if (ROLE_ADDRESSES.has(a.localPart)) {
      // A role address belongs to the company: declared as shared, delivered to its members.
      const internal = to.filter((t) => !t.includes("@"));
      const external = to.filter((t) => t.includes("@"));
      shared[a.localPart] = {
        members: internal,
        ...(external.length === 0 ? {} : { externalMembers: external }),
      };
    } else aliases[a.localPart] = to.length === 1 ? to[0] : to;
  }
  const groups: Record<string, unknown> = {};
  for (const g of [...realGroups].sort((x, y) => x.localPart.localeCompare(y.localPart))) {
    const internal = g.members.filter((m) => m.endsWith(`@${d}`));
    const external = g.members.filter((m) => !m.endsWith(`@${d}`));
    groups[g.localPart] = {
      ...(g.name === undefined || g.name === g.localPart ? {} : { name: g.name }),
      members: refs(internal),
      ...(external.length === 0 ? {} : { externalMembers: [...external].sort() }),
    };
  }

  const hasRole = (lp: string) => Object.hasOwn(mailboxes, lp) || mailboxAliasOf.has(`${lp}@${d}`);
  const declaration: Record<string, unknown> = { domain: d };
  if (live.domainAliases.length > 0) declaration.domainAliases = [...live.domainAliases].sort();
  const policy = recognisePolicy(dns, provider, notes);
  if (Object.keys(policy).length > 0) declaration.policy = policy;
  if (Object.keys(mailboxes).length > 0) declaration.mailboxes = mailboxes;
  if (Object.keys(shared).length > 0) declaration.shared = shared;
  if (Object.keys(aliases).length > 0) declaration.aliases = aliases;
  if (Object.keys(groups).length > 0) declaration.groups = groups;
  if (postmaster !== undefined)
    declaration.postmaster = postmaster.length === 1 ? postmaster[0] : postmaster;
  if (abuse !== undefined) declaration.abuse = abuse.length === 1 ? abuse[0] : abuse;
  if (live.catchAll !== undefined && live.catchAll.length > 0) {
    declaration.catchAll = refs(live.catchAll);
  }
  for (const role of ["postmaster", "abuse"] as const) {
    if (declaration[role] === undefined && !hasRole(role) && declaration.catchAll === undefined) {
      notes.push(
        `${role}@${d} does not exist at the provider; RFC 2142 needs it: set ${role} (a handle) before the first pulumi up`,
      );
    }
  }
  return { declaration, notes, comments };
}

/** The `policy` field recognised from live DNS: SPF includes and `all`, DMARC tags, MTA-STS, TLS-RPT. */
function recognisePolicy(
  dns: LiveDnsPolicy,
  provider: string,
  notes: string[],
): Record<string, unknown> {
  const policy: Record<string, unknown> = {};
  if (dns.spf !== undefined) {
    const terms = dns.spf.trim().split(/\s+/).slice(1);
    const own = PROVIDER_INCLUDES[provider] ?? [];
    const include: string[] = [];
    const ip4: string[] = [];
    const ip6: string[] = [];
    let all: string | undefined;
    for (const t of terms) {
      const m = /^([+?~-]?)(include|ip4|ip6|all|mx|a)(?::(.+))?$/i.exec(t);
      const q = m?.[1] ?? "";
      const mech = m?.[2]?.toLowerCase();
      if (mech === "include" && q === "" && m?.[3] !== undefined) {
        if (!own.includes(m[3].toLowerCase())) include.push(m[3].toLowerCase());
      } else if (mech === "ip4" && q === "" && m?.[3] !== undefined) ip4.push(m[3]);
      else if (mech === "ip6" && q === "" && m?.[3] !== undefined) ip6.push(m[3]);
      else if (mech === "all" && q !== "" && q !== "+") all = `${q}all`;
      else if (
        (mech === "mx" || mech === "a") &&
        q === "" &&
        m?.[3] === undefined &&
        provider === "selfHosted"
      ) {
        // The self-hosted binding's default term (`mx`).
      } else notes.push(`SPF term "${t}" is not recognised; add it to policy.spf by hand`);
    }
    policy.spf = {
      ...(include.length === 0 ? {} : { include }),
      ...(ip4.length === 0 ? {} : { ip4 }),
      ...(ip6.length === 0 ? {} : { ip6 }),
      ...(all === undefined ? {} : { all }),
    };
    if (Object.keys(policy.spf as object).length === 0) delete policy.spf;
  }
  if (dns.dmarc !== undefined) {
    const tags = Object.fromEntries(
      dns.dmarc
        .split(";")
        .map((s) => s.trim())
        .filter((s) => s.includes("="))
        .map((s) => [
          s.slice(0, s.indexOf("=")).trim().toLowerCase(),
          s.slice(s.indexOf("=") + 1).trim(),
        ]),
    );
    const uris = (v: string | undefined) =>
      v === undefined ? [] : v.split(",").map((u) => u.trim().replace(/^mailto:/i, ""));
    const dmarc: Record<string, unknown> = { policy: String(tags.p ?? "none").toLowerCase() };
    if (tags.sp !== undefined) dmarc.subdomainPolicy = tags.sp.toLowerCase();
    if (tags.np !== undefined) dmarc.nonExistentPolicy = tags.np.toLowerCase();
    if (tags.t?.toLowerCase() === "y") dmarc.testing = true;
    if (uris(tags.rua).length > 0) dmarc.rua = uris(tags.rua);
    if (uris(tags.ruf).length > 0) dmarc.ruf = uris(tags.ruf);
    if (tags.adkim !== undefined) dmarc.adkim = tags.adkim.toLowerCase();
    if (tags.aspf !== undefined) dmarc.aspf = tags.aspf.toLowerCase();
    if (tags.fo !== undefined) dmarc.fo = tags.fo.split(":");
    if (tags.pct !== undefined) dmarc.legacy = { pct: Number(tags.pct) };
    const known = new Set([
      "v",
      "p",
      "sp",
      "np",
      "t",
      "rua",
      "ruf",
      "adkim",
      "aspf",
      "fo",
      "pct",
      "psd",
    ]);
    if (tags.psd !== undefined) dmarc.psd = tags.psd.toLowerCase();
    for (const k of Object.keys(tags)) {
      if (!known.has(k))
        notes.push(`DMARC tag ${k}=${tags[k]} is not expressible (RFC 9989 removed it); left out`);
    }
    policy.dmarc = dmarc;
  }
  if (dns.mtaStsMode !== undefined) {
    policy.mtaSts = {
      mode: dns.mtaStsMode,
      ...(dns.mtaStsMaxAge === undefined || dns.mtaStsMaxAge === 604800
        ? {}
        : { maxAge: dns.mtaStsMaxAge }),
    };
  }
  notes.push(...(dns.problems ?? []));
  if (dns.tlsRpt !== undefined) {
    const rua = /rua=([^;]+)/i.exec(dns.tlsRpt)?.[1];
    if (rua !== undefined) {
      policy.tlsRpt = { rua: rua.split(",").map((u) => u.trim().replace(/^mailto:/i, "")) };
    }
  }
  return policy;
}

/** The binding expression of the generated program for a provider. */
function bindingCode(
  b: ImportBinding,
  domain: string,
  dns: LiveDnsPolicy,
  notes: string[],
): string {
  if (b.provider === "selfHosted") {
    const path = b.apiUrl?.startsWith("sqlite://") ? b.apiUrl.slice("sqlite://".length) : undefined;
    const store =
      path !== undefined
        ? `providers.sqlite({ path: ${JSON.stringify(path)} })`
        : `providers.postgres({ connectionStringEnv: "MAILPLANE_PG_URL" })`;
    const mx = dns.mx?.[0] ?? `mx.${domain}`;
    if (dns.mx === undefined) notes.push(`selfHosted mx: "${mx}" is a guess; set your MX host`);
    return `providers.selfHosted({ store: ${store}, mx: ${JSON.stringify(mx)} })`;
  }
  const args = b.apiUrl === undefined ? "" : `{ apiUrl: ${JSON.stringify(b.apiUrl)} }`;
  return `providers.${b.provider}(${args})`;
}

/**
 * Writes the TypeScript program: one `new MailDomain(...)` for the live domain, prettier-formatted
 * (printWidth 100), with comments for what it could not express. The DNS backend is a zone file
 * next to the program until the user picks theirs.
 */
export async function generateProgram(
  live: LiveDomain,
  capabilities: MailProviderCapabilities,
  binding: ImportBinding,
  dns: LiveDnsPolicy = {},
  options: { name?: string; zonePath?: string; date?: string } = {},
): Promise<GeneratedProgram> {
  const { declaration, notes, comments } = buildDeclaration(
    live,
    capabilities,
    binding.provider,
    dns,
  );
  // The program must be one the schema accepts as it is (notes aside).
  try {
    parseMailDomain(declaration);
  } catch (e) {
    notes.push(
      `the imported declaration needs a hand before pulumi up: ${(e as Error).message.split("\n").join("; ")}`,
    );
  }
  const name = options.name ?? live.domain.split(".")[0]!.replace(/[^A-Za-z0-9_-]/g, "-");
  const variable = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : "domain";
  const binds = bindingCode(binding, live.domain, dns, notes);
  const body = literal(declaration, comments).replace(/^\{\n/, "");
  const zone = options.zonePath ?? `${live.domain}.zone`;
  const counts = [
    `${live.mailboxes.length} mailboxes`,
    `${Object.keys((declaration.shared as object | undefined) ?? {}).length} shared addresses`,
    `${Object.keys((declaration.aliases as object | undefined) ?? {}).length} aliases`,
    `${Object.keys((declaration.groups as object | undefined) ?? {}).length} groups`,
  ].join(", ");
  const header = [
    `// Imported by \`mailplane import\` from ${binding.provider}${options.date === undefined ? "" : ` on ${options.date}`}: ${live.domain}, ${counts}.`,
    "// Review it, choose the DNS backend, then run `pulumi preview`: every account is adopted as it is.",
    ...notes.map((n) => `// NOTE: ${n}`),
  ];
  const source = [
    ...header,
    `import { MailDomain, dns, providers } from "@mailplane/pulumi";`,
    "",
    `const ${variable} = new MailDomain(${JSON.stringify(name)}, {`,
    `domain: ${JSON.stringify(live.domain)},`,
    `dns: dns.zoneFile({ path: ${JSON.stringify(zone)} }),`,
    `provider: ${binds},`,
    body.replace(/^domain: .*\n/, ""),
    ");",
    "",
    `export const records = ${variable}.records;`,
    "",
  ].join("\n");
  const code = await prettier.format(source, {
    parser: "typescript",
    printWidth: 100,
    trailingComma: "all",
  });
  return { code, summary: counts, declaration, notes };
}

const RESERVED = new Set([
  "new",
  "class",
  "function",
  "delete",
  "default",
  "import",
  "export",
  "const",
  "let",
  "var",
  "in",
  "do",
  "if",
  "for",
  "while",
  "with",
  "return",
  "switch",
  "case",
  "this",
  "void",
  "typeof",
  "instanceof",
  "try",
  "catch",
  "finally",
  "throw",
  "break",
  "continue",
  "enum",
  "super",
  "yield",
  "await",
  "static",
  "package",
  "private",
  "public",
  "protected",
  "interface",
  "implements",
  "null",
  "true",
  "false",
  "dns",
  "providers",
  "MailDomain",
  "records",
]);

/** Reads what the import needs from a provider (list calls only). */
export async function readLiveDomain(
  adapter: MailProvider,
  caps: MailProviderCapabilities,
  domain: string,
): Promise<LiveDomain> {
  const [mailboxes, aliases, groups, domainAliases, catchAll] = await Promise.all([
    caps.mailboxes ? adapter.listMailboxes(domain) : [],
    caps.standaloneAliases ? adapter.listAliases(domain) : [],
    caps.groups ? adapter.listGroups(domain) : [],
    caps.domainAliases && adapter.listDomainAliases ? adapter.listDomainAliases(domain) : [],
    caps.catchAll && adapter.getCatchAll ? adapter.getCatchAll(domain) : undefined,
  ]);
  return {
    domain,
    mailboxes,
    aliases,
    groups,
    domainAliases,
    ...(catchAll === undefined ? {} : { catchAll }),
  };
}

/** Reads the policy records of a domain from a DNS server (or the system's resolver). */
export async function readLiveDnsPolicy(
  domain: string,
  server: string | undefined,
  ca?: string,
): Promise<LiveDnsPolicy> {
  const r = makeResolver(server);
  const txt = async (name: string) => {
    try {
      return (await r.resolveTxt(name)).map((p) => p.join(""));
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "ENOTFOUND" || code === "ENODATA") return [];
      throw new Error(`--resolver: TXT ${name}: ${code ?? (e as Error).message}`);
    }
  };
  const out: LiveDnsPolicy = {};
  const spf = (await txt(domain)).filter((t) => /^v=spf1(\s|$)/i.test(t));
  if (spf.length === 1) out.spf = spf[0]!;
  const dmarc = await getDmarcRecord(domain, async () =>
    (await txt(`_dmarc.${domain}`)).map((t) => [t]),
  );
  if (dmarc !== false && typeof dmarc.rr === "string") out.dmarc = dmarc.rr;
  const rpt = (await txt(`_smtp._tls.${domain}`)).filter((t) => /^v=TLSRPTv1/i.test(t));
  if (rpt.length === 1) out.tlsRpt = rpt[0]!;
  const sts = (await txt(`_mta-sts.${domain}`)).filter((t) => /^v=STSv1/i.test(t));
  if (sts.length === 1) {
    const fetched = await fetchPolicyText(domain, {
      resolver: r,
      ...(ca === undefined ? {} : { ca }),
    });
    try {
      if ("error" in fetched) throw new Error(fetched.error);
      const p = mtaSts.parsePolicy(fetched.text);
      out.mtaStsMode = p.mode as LiveDnsPolicy["mtaStsMode"];
      out.mtaStsMaxAge = p.maxAge;
    } catch (e) {
      out.problems = [
        `_mta-sts.${domain} is published but its policy could not be read (${(e as Error).message}); set policy.mtaSts by hand`,
      ];
    }
  }
  try {
    out.mx = (await r.resolveMx(domain))
      .sort((a, b) => a.priority - b.priority)
      .map((m) => m.exchange);
  } catch {
    // no MX
  }
  return out;
}

/**
 * Reads the policy records of a domain from an RFC 1035 zone file (parsed by dns-zonefile, TXT
 * strings decoded by core's zone-file decoder). The MTA-STS mode lives in the policy served over
 * HTTPS, not in the zone: with `_mta-sts` published, a note asks for it (or use `--resolver`).
 */
export async function readZoneFilePolicy(file: string, domain: string): Promise<LiveDnsPolicy> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new Error(
      `--zone-file ${file}: ${(e as Error).message} (allowed: a readable RFC 1035 zone file)`,
    );
  }
  let parsed: ReturnType<typeof zonefile.parse>;
  try {
    parsed = zonefile.parse(text);
  } catch (e) {
    throw new Error(`--zone-file ${file}: not a zone file: ${(e as Error).message}`);
  }
  const origin = (parsed.$origin ?? `${domain}.`).toLowerCase().replace(/\.$/, "");
  const fqdn = (name: string | undefined) => {
    const n = (name ?? "@").toLowerCase();
    if (n === "@" || n === "") return origin;
    return n.endsWith(".") ? n.slice(0, -1) : `${n}.${origin}`;
  };
  const txt = (name: string) =>
    (parsed.txt ?? [])
      .filter((r) => fqdn(r.name) === name)
      .map((r) => decodeTxt(String(r.txt), "zonefile"));
  const out: LiveDnsPolicy = {};
  const spf = txt(domain).filter((t) => /^v=spf1(\s|$)/i.test(t));
  if (spf.length === 1) out.spf = spf[0]!;
  const dmarc = txt(`_dmarc.${domain}`).filter((t) => /^v\s*=\s*DMARC1/i.test(t));
  if (dmarc.length === 1) out.dmarc = dmarc[0]!;
  const rpt = txt(`_smtp._tls.${domain}`).filter((t) => /^v=TLSRPTv1/i.test(t));
  if (rpt.length === 1) out.tlsRpt = rpt[0]!;
  if (txt(`_mta-sts.${domain}`).some((t) => /^v=STSv1/i.test(t))) {
    out.problems = [
      `_mta-sts.${domain} is published; its mode is in the policy served at https://mta-sts.${domain}/.well-known/mta-sts.txt: set policy.mtaSts by hand (or import with --resolver)`,
    ];
  }
  const mx = (parsed.mx ?? []).filter((r) => fqdn(r.name) === domain);
  if (mx.length > 0) {
    out.mx = mx
      .sort((a, b) => Number(a.preference) - Number(b.preference))
      .map((r) => String(r.host).toLowerCase().replace(/\.$/, ""));
  }
  return out;
}

/** Options of {@link runImport}, as the command line gives them. */
export interface ImportOptions {
  provider: string;
  domain: string;
  apiUrl?: string;
  zoneFile?: string;
  resolver?: string;
  /** A PEM file of extra trusted CAs for the MTA-STS policy server (`--ca`). */
  ca?: string;
  name?: string;
  progress(line: string): void;
}

/**
 * `mailplane import`: reads the live domain (read-only) and returns the program's text, and the
 * Pulumi import file of every account it found (`--import-file`).
 */
export async function runImport(
  opts: ImportOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<GeneratedProgram & { importFile: PulumiImportFile }> {
  const domain = opts.domain.toLowerCase();
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) {
    throw new Error(
      `--domain ${JSON.stringify(opts.domain)} is not a domain name (allowed: an ASCII or punycode domain such as acme.com)`,
    );
  }
  if (opts.zoneFile !== undefined && opts.resolver !== undefined) {
    throw new Error(
      `--zone-file and --resolver both name where the DNS policy is read (allowed: one of them)`,
    );
  }
  const { adapter, capabilities } = adapterFor(opts.provider, opts.apiUrl, env);
  opts.progress(`reading ${domain} at ${opts.provider}…`);
  const live = await readLiveDomain(adapter, capabilities, domain);
  let dns: LiveDnsPolicy = {};
  if (opts.zoneFile !== undefined) {
    opts.progress(`reading ${domain}'s DNS policy from ${opts.zoneFile}…`);
    dns = await readZoneFilePolicy(opts.zoneFile, domain);
  }
  if (opts.resolver !== undefined) {
    opts.progress(`reading ${domain}'s DNS policy from ${opts.resolver}…`);
    dns = await readLiveDnsPolicy(domain, opts.resolver, await readCaFile(opts.ca));
  }
  const program = await generateProgram(
    live,
    capabilities,
    { provider: opts.provider, ...(opts.apiUrl === undefined ? {} : { apiUrl: opts.apiUrl }) },
    dns,
    {
      ...(opts.name === undefined ? {} : { name: opts.name }),
      date: new Date().toISOString().slice(0, 10),
    },
  );
  return { ...program, importFile: importFileOf(live, opts.provider) };
}
