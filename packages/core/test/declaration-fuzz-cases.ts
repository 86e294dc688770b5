/*
 * Generated hostile MailDomain declarations (issue 11 §4), shared by the unit-tier fuzz test
 * (declaration-fuzz.test.ts) and the longer script test/fuzz/declaration.ts. Every input must
 * either parse and plan (DNS records, every TXT value encoded for each backend, accounts) or
 * fail with a MailplaneConfigError whose every issue names a path; anything else is a crash.
 */
import fc from "fast-check";
import {
  encodeTxt,
  MailplaneConfigError,
  parseMailDomain,
  planAccounts,
  planDnsRecords,
  type DnsFacts,
} from "../src/index";

/** Strings that broke, or could break, parsing, planning or a provider. */
const HOSTILE = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\n",
  "line\r\nbreak",
  '"',
  "'",
  "\\",
  ";",
  ",",
  "%",
  "%{d}",
  "?",
  "#",
  "{",
  "\uD800",
  "\uDC00",
  "x\uD83D",
  "😀",
  "Zhang San",
  "__proto__",
  "constructor",
  "toString",
  "prototype",
  "hasOwnProperty",
  "valueOf",
  "ali",
  "info",
  "postmaster",
  "abuse",
  "acme.com",
  "ali@acme.com",
  "x@partner.example",
  "a?b@acme.com",
  "mailto:a%3Fb@acme.com",
  "https://r.example/r?x=1,2;y",
  "https://acme.com/logo.svg",
  "v=DKIM1; k=rsa; p=MIIB",
  "192.0.2.1",
  "192.0.2.0/33",
  "2001:db8::/129",
  "_spf.example.com",
  "foo.123",
];

/** A long string: up to 70 KB, now and then 1 MB. */
const huge = fc
  .tuple(
    fc.constantFrom("x", "A", "\u0000", "é", "\uD800", "a."),
    fc.integer({ min: 65, max: 70_000 }),
  )
  .map(([c, n]) => c.repeat(n));
const megabyte = fc.constant("y".repeat(1 << 20));

/** Hostile text: fixed nasties, generated text of nasty characters, long strings. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE), weight: 120 },
  {
    arbitrary: fc.string({
      unit: fc.constantFrom(..."ab.-_@%,; é".split(""), "\u0000", "\n", '"', "\uD800", "\uDC00"),
      maxLength: 20,
    }),
    weight: 80,
  },
  { arbitrary: fc.string({ unit: "binary", maxLength: 12 }), weight: 40 },
  {
    // A plausible start with a hostile end: reaches the checks behind a prefix test.
    arbitrary: fc
      .tuple(
        fc.constantFrom("https://r.example/", "mailto:", "v=DKIM1; p=", "ali", "x@", "a.", "_spf."),
        fc.constantFrom("\uD800", "\u0000", "\n", ",", ";", "%", '"', "é", ".svg", "@acme.com"),
        fc.constantFrom("", ".svg", "@acme.com", ".com"),
      )
      .map((parts) => parts.join("")),
    weight: 40,
  },
  { arbitrary: huge, weight: 10 },
  { arbitrary: megabyte, weight: 1 },
);

/** A plausible value or, now and then, any other JSON-ish thing (a wrong type). */
function mostly<T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: good, weight: 8 },
    { arbitrary: hostileString, weight: 2 },
    {
      arbitrary: fc.constantFrom<unknown>(null, 0, -5, 1.5, true, [], {}, [null], { a: 1 }),
      weight: 1,
    },
  );
}

const localPart = fc.oneof(
  fc.constantFrom(
    "ali",
    "info",
    "sales",
    "zhang.san",
    "postmaster",
    "abuse",
    "hr",
    "a-b",
    "__proto__",
  ),
  hostileString,
);
const ref = fc.oneof(
  fc.constantFrom("ali", "info", "sales", "hr", "x@partner.example", "ali@acme.com", "nobody"),
  hostileString,
);
const refs = fc.oneof(ref, fc.array(ref, { maxLength: 4 }));

/**
 * A map whose keys may be `__proto__`, `constructor` and other hostile strings: own properties
 * defined as JSON.parse would, so `__proto__` is a key, not the prototype.
 */
function map<V>(key: fc.Arbitrary<string>, value: fc.Arbitrary<V>, maxLength = 5) {
  return fc.array(fc.tuple(key, value), { maxLength }).map((entries) => {
    const out: Record<string, V> = {};
    for (const [k, v] of entries) {
      Object.defineProperty(out, k, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  });
}

const key = fc.oneof(localPart, fc.constantFrom("toString", "constructor", "__proto__"));

const mailbox = fc.record(
  {
    name: mostly(fc.constantFrom("Ali Alavi", "Zhang San", "Chloé")),
    localPart: mostly(localPart),
    department: mostly(fc.constantFrom("Sales", "Support")),
    title: mostly(fc.constantFrom("CEO")),
    profile: mostly(fc.constantFrom("staff", "toString", "constructor", "__proto__")),
    quotaMb: mostly(fc.integer({ min: -5, max: 2_000_000 })),
    aliases: mostly(fc.array(localPart, { maxLength: 3 })),
    offboard: mostly(
      fc.record(
        { forwardTo: refs, keepUntil: fc.constantFrom("2027-01-01", "2020-13-40") },
        { requiredKeys: [] },
      ),
    ),
    password: fc.constantFrom(undefined, "hunter2"),
  },
  { requiredKeys: ["name"] },
);

const policy = fc.record(
  {
    spf: mostly(
      fc.record(
        {
          include: fc.array(mostly(fc.constantFrom("_spf.google.com", "foo.123", "a..b.com")), {
            maxLength: 3,
          }),
          ip4: fc.array(mostly(fc.constantFrom("192.0.2.1", "192.0.2.0/24", "1.2.3.4/33")), {
            maxLength: 2,
          }),
          ip6: fc.array(mostly(fc.constantFrom("2001:db8::/32", "::1")), { maxLength: 2 }),
          a: mostly(
            fc.oneof(
              fc.constant(true),
              fc.array(fc.constantFrom("mail.acme.com", "foo-bar"), { minLength: 1, maxLength: 2 }),
            ),
          ),
          all: mostly(fc.constantFrom("-all", "~all", "?all", "+all")),
        },
        { requiredKeys: [] },
      ),
    ),
    dmarc: mostly(
      fc.record(
        {
          policy: mostly(fc.constantFrom("none", "quarantine", "reject")),
          rua: fc.array(
            mostly(
              fc.constantFrom(
                "dmarc@acme.com",
                "a?b@acme.com",
                "mailto:x%2C@acme.com",
                "h#x@acme.com",
              ),
            ),
            { maxLength: 3 },
          ),
          ruf: fc.array(mostly(fc.constantFrom("{ops}@acme.com", "100%@acme.com")), {
            maxLength: 2,
          }),
          fo: mostly(fc.constantFrom(["1"], ["0", "d"], [])),
        },
        { requiredKeys: ["policy"] },
      ),
    ),
    dkim: map(
      fc.oneof(fc.constantFrom("google", "s1", "__proto__", "constructor"), hostileString),
      mostly(
        fc.oneof(
          fc.record({ value: mostly(fc.constantFrom("v=DKIM1; k=rsa; p=MIIBIjAN")) }),
          fc.record({
            publicKey: mostly(
              fc.constantFrom(
                "MIIBIjAN",
                "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
              ),
            ),
          }),
        ),
      ),
      2,
    ),
    mtaSts: mostly(fc.record({ mode: mostly(fc.constantFrom("enforce", "testing", "none")) })),
    tlsRpt: mostly(
      fc.record({
        rua: fc.array(
          mostly(
            fc.constantFrom(
              "tls@acme.com",
              "https://r.example/r?x=1,2",
              "https://r.example/\uD800",
            ),
          ),
          { minLength: 1, maxLength: 2 },
        ),
      }),
    ),
    bimi: mostly(
      fc.record({
        logoUrl: mostly(
          fc.constantFrom("https://acme.com/logo.svg", "https://acme.com/\uDC00.svg"),
        ),
      }),
    ),
    noMail: mostly(fc.boolean()),
    ttl: mostly(fc.integer({ min: 0, max: 700_000 })),
  },
  { requiredKeys: [] },
);

/** A chain of aliases a0 → a1 → … → aN that ends outside or loops back. */
const chain = fc.tuple(fc.integer({ min: 50, max: 3000 }), fc.boolean()).map(([n, loop]) => {
  const aliases: Record<string, string> = {};
  for (let i = 0; i < n; i++) aliases[`a${i}`] = `a${i + 1}`;
  aliases[`a${n}`] = loop ? "a0" : "x@partner.example";
  return aliases;
});

/** Sets an own property the way JSON.parse does (`__proto__` stays a key). */
function put(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** The object at `o[k]`, created when missing or not an object. */
function child(o: Record<string, unknown>, k: string): Record<string, unknown> {
  const v = Object.hasOwn(o, k) ? o[k] : undefined;
  if (v !== null && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  const fresh: Record<string, unknown> = {};
  put(o, k, fresh);
  return fresh;
}

/** A well-formed declaration whose keys include Object.prototype names, and its handles. */
const validBase = (maxChain: number) =>
  fc
    .record({
      people: fc.uniqueArray(
        fc.constantFrom("ali", "bob", "zhang.san", "constructor", "toString", "valueOf", "eve"),
        { minLength: 1, maxLength: 5 },
      ),
      profile: fc.constantFrom("staff", "toString", "constructor"),
      chain: fc.oneof(
        { arbitrary: fc.constant(null), weight: 15 },
        { arbitrary: fc.integer({ min: 10, max: maxChain }), weight: 1 },
      ),
      dmarc: fc.constantFrom("none", "quarantine", "reject"),
      rua: fc.constantFrom(
        "dmarc@acme.com",
        "a?b@acme.com",
        "{ops}@acme.com",
        "h#x@partner.example",
      ),
      tls: fc.constantFrom("tls@acme.com", "https://r.example/r?x=1,2;y", "mailto:t%3F@acme.com"),
    })
    .map(({ people, profile, chain, dmarc, rua, tls }) => {
      const mailboxes: Record<string, unknown> = {};
      for (const p of people)
        put(mailboxes, p, { name: `Person ${p}`, profile, department: "Sales" });
      const profiles: Record<string, unknown> = {};
      put(profiles, profile, { quotaMb: 1024 });
      const aliases: Record<string, unknown> = { hr: people[0], ext: "x@partner.example" };
      if (chain !== null) {
        for (let i = 0; i < chain; i++) aliases[`c${i}`] = `c${i + 1}`;
        aliases[`c${chain}`] = people[0];
      }
      return {
        domain: "acme.com",
        domainAliases: ["acme.co"],
        profiles,
        mailboxes,
        shared: { info: { members: people.slice(0, 2) } },
        aliases,
        groups: { team: { members: people } },
        postmaster: people[0],
        abuse: "x@partner.example",
        policy: {
          spf: { include: ["_spf.partner.example"], ip4: ["192.0.2.0/24"], a: ["mail.acme.com"] },
          dmarc: { policy: dmarc, rua: [rua] },
          dkim: { s1: { value: "v=DKIM1; k=rsa; p=MIIBIjANBgkq" } },
          mtaSts: { mode: "testing" },
          tlsRpt: { rua: [tls] },
          ...(dmarc === "none" ? {} : { bimi: { logoUrl: "https://acme.com/logo.svg" } }),
        },
      } as Record<string, unknown>;
    });

type Mutation = (d: Record<string, unknown>, v: unknown, k: string) => void;

/** Where a hostile value goes in a well-formed declaration. */
const MUTATIONS: Mutation[] = [
  (d, v) => put(d, "domain", v),
  (d, v) => put(child(d, "mailboxes"), "ali", { name: v }),
  (d, v) => put(child(d, "mailboxes"), "bob", { name: "Bob", department: v }),
  (d, v) => put(child(d, "mailboxes"), "eve", { name: "Eve", title: v, localPart: v }),
  (d, v) => put(child(d, "mailboxes"), "eve", { name: "Eve", profile: v }),
  (d, v) => put(child(d, "mailboxes"), "eve", { name: "Eve", aliases: [v] }),
  (d, v, k) => put(child(d, "mailboxes"), k, { name: "Keyed", localPart: "keyed" }),
  (d, v, k) => put(child(d, "mailboxes"), k, { name: "Keyed" }),
  (d, v, k) => put(child(d, "profiles"), k, { quotaMb: 5 }),
  (d, v, k) => put(child(d, "aliases"), k, v),
  (d, v) => put(child(d, "aliases"), "fw", v),
  (d, v) => put(child(d, "groups"), "g", { members: [v] }),
  (d, v) => put(child(d, "shared"), "s", { members: ["x@partner.example"], name: v }),
  (d, v) => put(d, "postmaster", v),
  (d, v) => put(d, "catchAll", v),
  (d, v) => put(child(child(d, "policy"), "dkim"), "s2", { value: v }),
  (d, v) => put(child(child(d, "policy"), "dkim"), "s3", { publicKey: v }),
  (d, v, k) => put(child(child(d, "policy"), "dkim"), k, { value: "v=DKIM1; p=AAAA" }),
  (d, v) => put(child(d, "policy"), "tlsRpt", { rua: [v] }),
  (d, v) => put(child(d, "policy"), "bimi", { logoUrl: v }),
  (d, v) => put(child(d, "policy"), "dmarc", { policy: "reject", rua: [v], ruf: [v] }),
  (d, v) => put(child(d, "policy"), "spf", { include: [v] }),
  (d, v) => put(child(d, "policy"), "spf", { ip4: [v], ip6: [v], a: [v], mx: [v] }),
  (d, v) => put(child(d, "policy"), "mtaSts", { mode: "enforce", mx: [v] }),
  (d, v, k) => put(d, k, v),
  (d, v) => put(d, "policy", v),
];

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 8 },
  { arbitrary: fc.array(hostileString, { maxLength: 3 }), weight: 1 },
  {
    arbitrary: fc.constantFrom<unknown>(null, 0, -5, 1.5, true, [], {}, [null], { a: 1 }),
    weight: 1,
  },
);

/** A well-formed declaration with 0–3 hostile values or keys put in. */
const mutated = (maxChain: number) =>
  fc
    .tuple(
      validBase(maxChain),
      fc.array(fc.tuple(fc.integer({ min: 0, max: MUTATIONS.length - 1 }), anyValue, key), {
        maxLength: 3,
      }),
    )
    .map(([base, changes]) => {
      for (const [i, v, k] of changes) MUTATIONS[i]!(base, v, k);
      return base as unknown;
    });

/**
 * A whole declaration: mostly well-formed, with hostile strings, keys and types mixed in, and
 * now and then an alias chain of up to `maxChain` entries.
 */
export const declaration = (maxChain = 3000): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 30, arbitrary: mutated(maxChain) },
    {
      weight: 10,
      arbitrary: fc.record(
        {
          domain: mostly(fc.constantFrom("acme.com", "Acme.COM.", "bücher.de")),
          domainAliases: mostly(
            fc.array(mostly(fc.constantFrom("acme.co", "acme.com")), { maxLength: 2 }),
          ),
          policy: mostly(policy),
          profiles: map(
            key,
            mostly(
              fc.record({ quotaMb: mostly(fc.integer({ min: 1, max: 99 })) }, { requiredKeys: [] }),
            ),
            3,
          ),
          mailboxes: map(key, mostly(mailbox)),
          shared: map(
            key,
            mostly(
              fc.record(
                { members: fc.array(ref, { maxLength: 3 }), localPart: mostly(localPart) },
                { requiredKeys: ["members"] },
              ),
            ),
            3,
          ),
          aliases: fc.oneof(
            { arbitrary: map(key, mostly(refs)), weight: 9 },
            { arbitrary: chain, weight: 1 },
          ),
          groups: map(key, mostly(fc.record({ members: fc.array(ref, { maxLength: 3 }) })), 3),
          postmaster: mostly(refs),
          abuse: mostly(refs),
          catchAll: mostly(refs),
        },
        { requiredKeys: ["domain"] },
      ),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(hostileString, fc.constantFrom<unknown>(null, 42, [], "acme.com")),
    },
  );

const facts: DnsFacts = {
  provider: "fuzz",
  mx: [{ priority: 10, host: "mx.provider.example" }],
  spfInclude: ["_spf.provider.example"],
  dkim: [],
  verification: [],
};

/** What one input did. */
export type Outcome = { kind: "planned" } | { kind: "refused" } | { kind: "crash"; why: string };

/** Runs one input through parse and plan; a crash is any error that does not name a path. */
export function judge(input: unknown): Outcome {
  try {
    const spec = parseMailDomain(input);
    for (const r of planDnsRecords(spec, facts)) {
      if (r.type !== "TXT") continue;
      for (const target of ["cloudflare", "route53", "zonefile"] as const)
        encodeTxt(r.value, target);
    }
    planAccounts(spec, { now: new Date("2026-12-01T00:00:00Z") });
    return { kind: "planned" };
  } catch (e) {
    if (!(e instanceof MailplaneConfigError)) {
      return {
        kind: "crash",
        why: `${(e as Error)?.constructor?.name ?? typeof e}: ${String((e as Error)?.message ?? e).slice(0, 200)}`,
      };
    }
    const isObject = input !== null && typeof input === "object" && !Array.isArray(input);
    const unnamed = e.issues.filter(
      (i) => typeof i.path !== "string" || (i.path === "" && isObject),
    );
    if (e.issues.length === 0 || unnamed.length > 0) {
      return {
        kind: "crash",
        why: `MailplaneConfigError without a path: ${e.message.slice(0, 200)}`,
      };
    }
    if (e.message.length > 20_000) {
      return {
        kind: "crash",
        why: `message of ${e.message.length} characters (values not truncated)`,
      };
    }
    return { kind: "refused" };
  }
}

/** Figures of a run. */
export interface Figures {
  tried: number;
  planned: number;
  refused: number;
  crashes: { why: string; input: string }[];
  seconds: number;
}

/** Shows an input for a crash report: JSON with long strings cut. */
function showInput(input: unknown): string {
  return JSON.stringify(input, (_k, v: unknown) =>
    typeof v === "string" && v.length > 80 ? `${v.slice(0, 40)}…(${v.length} chars)` : v,
  ).slice(0, 2000);
}

/** Runs `runs` generated declarations (fast-check, `seed`) and counts the outcomes. */
export function runDeclarations(runs: number, seed: number, maxChain = 3000): Figures {
  const figures: Figures = { tried: 0, planned: 0, refused: 0, crashes: [], seconds: 0 };
  const start = performance.now();
  fc.assert(
    fc.property(declaration(maxChain), (input) => {
      figures.tried++;
      const outcome = judge(input);
      if (outcome.kind === "crash")
        figures.crashes.push({ why: outcome.why, input: showInput(input) });
      else figures[outcome.kind]++;
    }),
    { numRuns: runs, seed },
  );
  figures.seconds = (performance.now() - start) / 1000;
  return figures;
}
