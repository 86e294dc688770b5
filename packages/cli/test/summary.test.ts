import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { encodeTxt } from "@mailplane/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  code,
  dmarcWeakening,
  parsePreview,
  renderSummary,
  summarise,
  summaryFromFiles,
  zoneFileRecords,
  type PreviewJson,
  type PreviewStep,
} from "../src/summary";

const MAILBOX = "pulumi-nodejs:dynamic/mailplane:Mailbox";
const ALIAS = "pulumi-nodejs:dynamic/mailplane:Alias";
const GROUP = "pulumi-nodejs:dynamic/mailplane:MailGroup";
const ZONE = "pulumi-nodejs:dynamic/ZoneFile:Resource";
const CF = "cloudflare:index/dnsRecord:DnsRecord";
const R53 = "aws:route53/record:Record";
const PDNS = "pulumi-nodejs:dynamic/mailplane:PowerDnsRecords";

const urn = (type: string, name: string, stack = "prod") =>
  `urn:pulumi:${stack}::mail::mailplane:index:MailDomain$${type}::${name}`;

/** Mailbox inputs as the Mailbox resource registers them (password printed as "[secret]"). */
const mb = (localPart: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  __provider: "exports.handler = __f0; /* serialized code */",
  mailProvider: "migadu",
  domain: "acme.com",
  localPart,
  name: `Person ${localPart}`,
  department: "Sales",
  suspended: false,
  changePasswordAtNextLogin: false,
  require2fa: false,
  aliases: [],
  forwardTo: [],
  onDelete: "suspend",
  allowRecreate: false,
  shared: false,
  password: "[secret]",
  ...over,
});

const step = (
  op: string,
  type: string,
  name: string,
  old?: Record<string, unknown>,
  neu?: Record<string, unknown>,
  extra: Partial<PreviewStep> = {},
): PreviewStep => ({
  op,
  urn: urn(type, name),
  ...(old ? { oldState: { inputs: old } } : {}),
  ...(neu ? { newState: { inputs: neu } } : {}),
  ...extra,
});

const preview = (...steps: PreviewStep[]): PreviewJson => ({ steps });
const md = (...steps: PreviewStep[]) => renderSummary([summarise(preview(...steps))]);

describe("mailboxes", () => {
  it("a removal with onDelete suspend reads as suspended, never deleted", () => {
    const text = md(
      step("delete", MAILBOX, "acme-mailbox-omar", {
        ...mb("omar"),
        forwardTo: ["ali@acme.com"],
        keepUntil: "2027-03-31",
      }),
    );
    expect(text).toBe(
      [
        "## Mail changes: stack `prod`",
        "",
        "mailboxes: 1 suspended.",
        "",
        "### Mailboxes",
        "",
        "| Mailbox | Change | Details |",
        "| --- | --- | --- |",
        "| `omar@acme.com` | suspended | removed from code: suspended, its mail kept; forwards to ali@acme.com; kept until 2027-03-31 |",
        "",
      ].join("\n"),
    );
    expect(text.toLowerCase()).not.toContain("delete");
  });

  it('only onDelete "delete" reads as **DELETED**, with a warning', () => {
    const s = summarise(
      preview(step("delete", MAILBOX, "m-temp", mb("temp", { onDelete: "delete" }))),
    );
    expect(s.mailboxes).toEqual([
      {
        kind: "deleted",
        address: "temp@acme.com",
        details: ['onDelete "delete": the mailbox and its mail are destroyed'],
      },
    ]);
    expect(s.warnings).toEqual([
      '**DELETED** mailbox temp@acme.com (onDelete "delete"): its mail is destroyed',
    ]);
  });

  it("the mailplane provider plugin's types (mailplane:index:Mailbox) read the same", () => {
    const s = summarise(
      preview(
        step("delete", "mailplane:index:Mailbox", "m-omar", mb("omar")),
        step("delete", "mailplane:index:Mailbox", "m-temp", mb("temp", { onDelete: "delete" })),
        step(
          "update",
          "mailplane:index:MailGroup",
          "g",
          { domain: "acme.com", localPart: "all", members: ["a@acme.com"] },
          { domain: "acme.com", localPart: "all", members: [] },
        ),
      ),
    );
    expect(s.mailboxes.map((m) => `${m.kind} ${m.address}`)).toEqual([
      "suspended omar@acme.com",
      "deleted temp@acme.com",
    ]);
    expect(s.routing.map((r) => `${r.kind} ${r.what} ${r.details.join("")}`)).toEqual([
      "changed group − a@acme.com",
    ]);
    expect(s.other).toEqual([]);
  });

  it("the runtime's onDelete is read from the last applied outputs when inputs lack it", () => {
    const s = summarise(
      preview({
        op: "delete",
        urn: urn(MAILBOX, "m-x"),
        oldState: { outputs: { ...mb("x"), onDelete: "delete" } },
      }),
    );
    expect(s.mailboxes[0]!.kind).toBe("deleted");
  });

  it("changed fields old → new; list fields as + and −; secrets never shown", () => {
    const s = summarise(
      preview(
        step(
          "update",
          MAILBOX,
          "m-ali",
          mb("ali", { quotaMb: 10240, aliases: ["a", "b"], recoveryEmail: "[secret]" }),
          mb("ali", { quotaMb: 51200, aliases: ["b", "c"], recoveryEmail: "[secret]" }),
        ),
      ),
    );
    expect(s.mailboxes).toEqual([
      {
        kind: "changed",
        address: "ali@acme.com",
        details: ["quotaMb: 10240 → 51200", "aliases: + c, − a"],
      },
    ]);
  });

  it("a password set where there was none is named, its value never shown", () => {
    const { password: _none, ...old } = mb("ali");
    const s = summarise(preview(step("update", MAILBOX, "m-ali", old, mb("ali"))));
    expect(s.mailboxes[0]!.details).toEqual(["password: set (secret, not shown)"]);
  });

  it("a new mailbox lists what it is; its password is only said to be set", () => {
    const s = summarise(
      preview(
        step(
          "create",
          MAILBOX,
          "m-maria",
          undefined,
          mb("maria", { quotaMb: 10240, changePasswordAtNextLogin: true }),
        ),
      ),
    );
    expect(s.mailboxes[0]).toEqual({
      kind: "added",
      address: "maria@acme.com",
      details: [
        'name "Person maria"',
        'department "Sales"',
        "quota 10240 MB",
        "initial password set (secret, not shown)",
        "must change password at first login",
      ],
    });
  });

  it("an in-place rename and a suspension by update", () => {
    const s = summarise(
      preview(
        step(
          "update",
          MAILBOX,
          "m-zs",
          mb("zhangsan"),
          mb("san.zhang", { name: "Person zhangsan" }),
        ),
        step("update", MAILBOX, "m-old", mb("old"), mb("old", { suspended: true })),
      ),
    );
    expect(s.mailboxes).toEqual([
      {
        kind: "renamed",
        address: "zhangsan@acme.com",
        newAddress: "san.zhang@acme.com",
        details: ["renamed in place (same mailbox)"],
      },
      { kind: "suspended", address: "old@acme.com", details: [] },
    ]);
  });

  it("a rename by recreate warns, and says what happens to the old mailbox", () => {
    const s = summarise(
      preview(
        step(
          "replace",
          MAILBOX,
          "m-zs",
          mb("zhangsan"),
          mb("san.zhang", { name: "Person zhangsan", allowRecreate: true }),
          {
            replaceReasons: ["localPart"],
          },
        ),
      ),
    );
    expect(s.mailboxes[0]).toEqual({
      kind: "renamed",
      address: "zhangsan@acme.com",
      newAddress: "san.zhang@acme.com",
      details: [
        "recreated as a new mailbox (localPart); the old mailbox zhangsan@acme.com is suspended, its mail kept there",
      ],
    });
    expect(s.warnings).toEqual([
      "Recreate: mailbox zhangsan@acme.com → san.zhang@acme.com is a new mailbox; the old mailbox zhangsan@acme.com is suspended, its mail kept there",
    ]);
  });

  it("a handle renamed in code (delete + create of one address) is the same mailbox", () => {
    const s = summarise(
      preview(
        step("delete", MAILBOX, "acme-mailbox-temp", mb("temp", { onDelete: "delete" })),
        step(
          "create",
          MAILBOX,
          "acme-mailbox-contractor",
          undefined,
          mb("temp", { onDelete: "delete" }),
        ),
      ),
    );
    expect(s.mailboxes).toEqual([
      {
        kind: "handle",
        address: "temp@acme.com",
        details: [
          "handle acme-mailbox-temp → acme-mailbox-contractor: same mailbox, nothing recreated",
        ],
      },
    ]);
    expect(s.warnings).toEqual([]);
  });
});

describe("aliases and groups", () => {
  it("member changes, a new temporary alias, a removal (warned)", () => {
    const a = (lp: string, dest: string[], extra: Record<string, unknown> = {}) => ({
      domain: "acme.com",
      localPart: lp,
      destinations: dest,
      ...extra,
    });
    const g = (lp: string, members: string[]) => ({
      domain: "acme.com",
      localPart: lp,
      name: lp,
      members,
    });
    const s = summarise(
      preview(
        step(
          "create",
          ALIAS,
          "a-launch",
          undefined,
          a("launch-2026", ["zs@acme.com"], { expires: "2026-12-31" }),
        ),
        step("delete", ALIAS, "a-old", a("old", ["x@acme.com"])),
        step(
          "update",
          GROUP,
          "g-all",
          g("all", ["a@acme.com", "b@acme.com"]),
          g("all", ["b@acme.com", "c@acme.com"]),
        ),
      ),
    );
    expect(s.routing).toEqual([
      {
        kind: "added",
        what: "alias",
        address: "launch-2026@acme.com",
        details: ["→ zs@acme.com", "expires 2026-12-31"],
      },
      { kind: "removed", what: "alias", address: "old@acme.com", details: [] },
      {
        kind: "changed",
        what: "group",
        address: "all@acme.com",
        details: ["+ c@acme.com, − a@acme.com"],
      },
    ]);
    expect(s.warnings).toEqual(["Removed alias old@acme.com: mail to it is no longer delivered"]);
  });
});

describe("DNS records", () => {
  const zone = (spf: string, dmarc: string, mx = "10 aspmx1.migadu.com.") =>
    [
      "$ORIGIN acme.com.",
      "$TTL 3600",
      "@\t3600\tIN\tSOA\tns1.acme.com. hostmaster.acme.com. 1 7200 3600 1209600 3600",
      `@\t3600\tIN\tMX\t${mx}`,
      `@\t3600\tIN\tTXT\t${encodeTxt(spf, "zonefile")}`,
      `_dmarc\t3600\tIN\tTXT\t${encodeTxt(dmarc, "zonefile")}`,
      `google._domainkey\t3600\tIN\tTXT\t${encodeTxt(`v=DKIM1; k=rsa; p=${"A".repeat(300)}`, "zonefile")}`,
      "",
    ].join("\n");

  it("zone-file records: names absolute, TXT chunks joined, SOA left out", () => {
    expect(zoneFileRecords(zone("v=spf1 -all", "v=DMARC1; p=reject"))).toEqual([
      { name: "acme.com", type: "MX", value: "10 aspmx1.migadu.com" },
      { name: "acme.com", type: "TXT", value: "v=spf1 -all" },
      { name: "_dmarc.acme.com", type: "TXT", value: "v=DMARC1; p=reject" },
      {
        name: "google._domainkey.acme.com",
        type: "TXT",
        value: `v=DKIM1; k=rsa; p=${"A".repeat(300)}`,
      },
    ]);
  });

  it.each([ZONE, "mailplane:index:ZoneFile"])(
    "a zone-file change (%s): MX, SPF with its lookup count and DMARC weakened are warned",
    (ZONE) => {
      const old = zone("v=spf1 include:spf.migadu.com -all", "v=DMARC1; p=reject");
      const neu = zone(
        `v=spf1 ${Array.from({ length: 11 }, (_, i) => `include:s${i}.example`).join(" ")} -all`,
        "v=DMARC1; p=none",
        "10 mx.other.example.",
      );
      const s = summarise(
        preview(step("update", ZONE, "acme-zone-file", { content: old }, { content: neu })),
      );
      expect(s.dns.map((d) => `${d.name} ${d.type}`)).toEqual([
        "_dmarc.acme.com TXT",
        "acme.com MX",
        "acme.com TXT",
      ]);
      expect(s.warnings).toEqual([
        "DMARC weakened at _dmarc.acme.com: p=reject → p=none",
        "MX of acme.com changes: 10 aspmx1.migadu.com → 10 mx.other.example",
        "SPF of acme.com changes: 11 DNS lookups, was 1 (RFC 7208 allows 10; includes counted once, not followed) — over the limit, receivers will fail SPF",
      ]);
    },
  );

  it('Cloudflare quoted chunks, Route 53 `""` joins and PowerDNS RRsets read as one value', () => {
    const long = `v=DKIM1; k=rsa; p=${"B".repeat(400)}`;
    const s = summarise(
      preview(
        step("create", CF, "acme-txt-dkim", undefined, {
          name: "sel._domainkey.acme.com",
          type: "TXT",
          content: encodeTxt(long, "cloudflare"),
        }),
        step("create", CF, "acme-mx-1", undefined, {
          name: "acme.com",
          type: "MX",
          content: "mx1.example.com",
          priority: 0,
        }),
        step("create", R53, "acme-txt-apex", undefined, {
          name: "acme.com",
          type: "TXT",
          records: [encodeTxt(long.replace("B", "C"), "route53")],
        }),
        step("create", PDNS, "acme-powerdns", undefined, {
          rrsets: [
            { name: "_dmarc.acme.com.", type: "TXT", ttl: 3600, records: ['"v=DMARC1; p=reject"'] },
          ],
        }),
      ),
    );
    expect(s.dns).toEqual([
      { name: "_dmarc.acme.com", type: "TXT", old: [], new: ["v=DMARC1; p=reject"] },
      { name: "acme.com", type: "MX", old: [], new: ["0 mx1.example.com"] },
      { name: "acme.com", type: "TXT", old: [], new: [long.replace("B", "C")] },
      { name: "sel._domainkey.acme.com", type: "TXT", old: [], new: [long] },
    ]);
  });

  it("MTA-STS: a mode change in a published policy; an id change alone says the mode is not shown", () => {
    const policy = (mode: string) =>
      `version: STSv1\r\nmode: ${mode}\r\nmx: *.migadu.com\r\nmax_age: 604800\r\n`;
    const s = summarise(
      preview(
        step(
          "update",
          "pulumi-nodejs:dynamic/WebFile:Resource",
          "sts",
          { content: policy("enforce") },
          { content: policy("testing") },
        ),
      ),
    );
    expect(s.warnings).toEqual([
      "MTA-STS mode changes: enforce → testing (weaker) (policy in sts)",
    ]);
    expect(s.other).toEqual(["update WebFile:Resource sts"]);
    // A component (custom: false) is not listed: its children are.
    const c = summarise(
      preview({
        op: "create",
        urn: urn("mailplane:index:MailDomain", "acme"),
        newState: { custom: false, inputs: {} },
      }),
    );
    expect(c.other).toEqual([]);
    const z = (id: string) => `$ORIGIN acme.com.\n_mta-sts\t3600\tIN\tTXT\t"v=STSv1; id=${id}"\n`;
    const t = summarise(
      preview(step("update", ZONE, "z", { content: z("a1") }, { content: z("b2") })),
    );
    expect(t.warnings).toEqual([
      "MTA-STS policy of acme.com changes (new id); its mode is not in this preview",
    ]);
  });

  it.each([
    ["v=DMARC1; p=reject", "v=DMARC1; p=quarantine", "p=reject → p=quarantine"],
    ["v=DMARC1; p=quarantine", "v=DMARC1; p=reject", undefined],
    ["v=DMARC1; p=reject", "v=DMARC1; p=reject; t=y", "t=y (testing) added"],
    ["v=DMARC1; p=reject; sp=reject", "v=DMARC1; p=reject; sp=none", "sp=reject → sp=none"],
    ["v=DMARC1; p=reject", "v=DMARC1; p=reject; pct=50", "pct=100 → pct=50"],
    ["v=DMARC1; p=reject", undefined, "the DMARC record (p=reject) is removed"],
    [undefined, "v=DMARC1; p=none", undefined],
  ])("DMARC %s → %s: %s", (a, b, want) => {
    expect(dmarcWeakening(a, b)).toBe(want);
  });

  it("any TXT value, encoded for any backend, reads back as itself (fast-check)", () => {
    const text = fc.string({
      unit: fc.constantFrom("a", "b", " ", ";", '"', "\\", "=", "é", "漢"),
      maxLength: 600,
    });
    fc.assert(
      fc.property(text, (v) => {
        const s = summarise(
          preview(
            step("create", CF, "c", undefined, {
              name: "c.acme.com",
              type: "TXT",
              content: encodeTxt(v, "cloudflare"),
            }),
            step("create", R53, "r", undefined, {
              name: "r.acme.com",
              type: "TXT",
              records: [encodeTxt(v, "route53")],
            }),
            step("create", ZONE, "z", undefined, {
              content: `$ORIGIN acme.com.\nz\t60\tIN\tTXT\t${encodeTxt(v, "zonefile")}\n`,
            }),
          ),
        );
        expect(s.dns.map((d) => d.new)).toEqual([[v], [v], [v]]);
      }),
      { numRuns: 200 },
    );
  });
});

describe("Markdown", () => {
  it("several stacks combine into one comment with a section each", () => {
    const a = summarise(preview(step("delete", MAILBOX, "m", mb("omar"))), "acme-com");
    const b = summarise(preview({ op: "same", urn: urn(MAILBOX, "m", "beta") }));
    expect(renderSummary([a, b])).toBe(
      [
        "## Mail changes in 2 stacks",
        "",
        "Nothing to review specially.",
        "",
        "### Stack `acme-com`",
        "",
        "mailboxes: 1 suspended.",
        "",
        "#### Mailboxes",
        "",
        "| Mailbox | Change | Details |",
        "| --- | --- | --- |",
        "| `omar@acme.com` | suspended | removed from code: suspended, its mail kept |",
        "",
        "### Stack `beta`",
        "",
        "No mail changes.",
        "",
      ].join("\n"),
    );
  });

  it("preview errors (a policy violation) come first", () => {
    const s = summarise(
      {
        steps: [],
        diagnostics: [
          { severity: "error", message: "error: mailbox x: no department\nmore" },
          { severity: "info", message: "fine" },
        ],
      },
      "s",
    );
    expect(renderSummary([s])).toBe(
      "## Mail changes: stack `s`\n\nNo mail changes.\n\n### ❌ The preview failed\n\n- mailbox x: no department\n",
    );
  });

  it("inline code survives backticks; table cells escape pipes", () => {
    expect(code("a`b")).toBe("``a`b``");
    expect(code("`x`")).toBe("`` `x` ``");
    const s = summarise(
      preview(
        step("create", CF, "c", undefined, { name: "acme.com", type: "TXT", content: '"a|b"' }),
      ),
    );
    expect(renderSummary([s])).toContain("| `acme.com` | TXT | (none) | `a\\|b` |");
  });
});

describe("reading previews", () => {
  it.each([
    [
      "not json",
      "p.json: not the JSON of `pulumi preview --json` (Unexpected token 'o', \"not json\" is not valid JSON)",
    ],
    ["[]", "p.json: must be the object `pulumi preview --json` prints, got a list"],
    ['{"steps": 5}', "p.json: steps must be the list of steps of `pulumi preview --json`, got 5"],
    [
      '{"steps": [{"op": "create", "urn": 5}]}',
      "p.json: steps[0].urn must be a Pulumi URN string, got 5",
    ],
    [
      '{"steps": [{"urn": "urn:pulumi:a::b::c::d"}]}',
      "p.json: steps[0].op must be a string, got undefined",
    ],
  ])("%s", (text, message) => {
    expect(() => parsePreview(text, "p.json")).toThrow(message);
  });

  it("a preview that failed before planning has only diagnostics: its errors are shown", () => {
    const p = parsePreview(
      '{"diagnostics": [{"severity": "error", "message": "error: no such file"}]}',
      "p.json",
    );
    expect(renderSummary([summarise(p, "s")])).toBe(
      "## Mail changes: stack `s`\n\nNo mail changes.\n\n### ❌ The preview failed\n\n- no such file\n",
    );
  });

  it("summaryFromFiles: `stack=path`, stdin, and a missing file named", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "summary-"));
    const file = path.join(dir, "p.json");
    writeFileSync(file, JSON.stringify(preview(step("delete", MAILBOX, "m", mb("omar")))));
    expect(summaryFromFiles([`acme=${file}`]).split("\n")[0]).toBe("## Mail changes: stack `acme`");
    expect(summaryFromFiles(["-"], () => JSON.stringify(preview())).split("\n")[0]).toBe(
      "## Mail changes: stack `(unknown stack)`",
    );
    expect(() => summaryFromFiles([path.join(dir, "none.json")])).toThrow(
      `mailplane summary: cannot read ${path.join(dir, "none.json")}: ENOENT`,
    );
    expect(() => summaryFromFiles([])).toThrow(
      "mailplane summary: give at least one preview file (pulumi preview --json > pr.json)",
    );
  });
});
