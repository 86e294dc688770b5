/**
 * `providers.selfHosted` with `dns.powerDns` under Pulumi mocks: a small domain's exact children
 * (types, names, inputs), the DKIM key's secret output, and the refusal of a PostgreSQL
 * connection string that carries a password.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { MailDomain, dns, providers, type MailDomainArgs } from "../src/index";
import { postgres, sqlite } from "../src/providers/self-hosted";
import { captureRegisterRequests, valueOf, type RegisterRequest } from "./dns-mocks";

let captured: RegisterRequest[] = [];
const PUBLIC_KEY = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtestkey";
const PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nnot-a-real-key\n-----END PRIVATE KEY-----\n";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

beforeAll(async () => {
  // The raw register requests show the parent, secrets as secrets and additionalSecretOutputs.
  captured = await captureRegisterRequests(
    {},
    {
      "mailplane:index:DkimKey": () => ({
        publicKey: PUBLIC_KEY,
        privateKeyPem: PRIVATE_KEY,
      }),
    },
  );
});

/** Unwraps a secret as the register request carries it, marking it. */
function shown(v: unknown): unknown {
  if (typeof v === "object" && v !== null && SECRET_SIG in v) {
    return { secret: (v as unknown as { value: unknown }).value };
  }
  if (Array.isArray(v)) return v.map(shown);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shown(x)]));
  }
  return v;
}

const STORE = "sqlite:///var/lib/mailplane/mail.sqlite";
const PDNS = "http://127.0.0.1:8081";

function small(): MailDomainArgs {
  return {
    domain: "acme.test",
    domainAliases: ["acme.co"],
    dns: dns.powerDns({ apiUrl: PDNS }),
    provider: providers.selfHosted({
      store: sqlite({ path: "/var/lib/mailplane/mail.sqlite" }),
      mx: "mx.acme.test",
      dkim: { selector: "s2026", keepSelectors: ["s2025"] },
    }),
    mailboxes: {
      ali: { name: "Ali Alavi", quotaMb: 2048, password: pulumi.secret("ali-Secret-1") },
      zhangsan: { name: "Zhang San", aliases: ["san.zhang"] },
    },
    shared: { info: { members: ["ali", "zhangsan"] } },
    groups: { team: { members: ["ali", "zhangsan"] } },
    postmaster: "ali",
    abuse: "ali",
    catchAll: "ali",
    now: new Date("2026-06-01T00:00:00Z"),
  };
}

describe("providers.selfHosted with dns.powerDns (mocks)", () => {
  it("creates exactly these children: DKIM keys, PowerDnsRecords per zone, accounts, catch-all, domain alias", async () => {
    const start = captured.length;
    const domain = new MailDomain("acme", small());
    await valueOf(domain.records);
    await valueOf(domain.urn);
    // Let every child finish registering.
    await new Promise((r) => setTimeout(r, 50));
    const mine = captured.slice(start).sort((a, b) => a.name.localeCompare(b.name));
    const parentUrn = await valueOf(domain.urn);
    expect(mine.map((c) => [c.type, c.name, c.parent === parentUrn])).toEqual([
      ["mailplane:index:MailDomain", "acme", false],
      ["mailplane:index:Alias", "acme-alias-abuse", true],
      ["mailplane:index:Alias", "acme-alias-info", true],
      ["mailplane:index:Alias", "acme-alias-postmaster", true],
      ["mailplane:index:CatchAll", "acme-catch-all", true],
      ["mailplane:index:DkimKey", "acme-dkim-s2025", true],
      ["mailplane:index:DkimKey", "acme-dkim-s2026", true],
      ["mailplane:index:DomainAlias", "acme-domain-alias-acme.co", true],
      ["mailplane:index:MailGroup", "acme-group-team", true],
      ["mailplane:index:Mailbox", "acme-mailbox-ali", true],
      ["mailplane:index:Mailbox", "acme-mailbox-zhangsan", true],
      ["mailplane:index:PowerDnsRecords", "acme-powerdns", true],
      ["mailplane:index:PowerDnsRecords", "acme-powerdns-acme.co", true],
    ]);
    // Each child is the plugin's custom resource, aliased to the dynamic type it had before the
    // plugin (so a stack created then upgrades in place).
    expect([
      ...new Set(mine.map((c) => `${c.type} ${c.custom} <- ${c.aliasTypes.join(",")}`)),
    ]).toEqual([
      "mailplane:index:MailDomain false <- ",
      "mailplane:index:Alias true <- pulumi-nodejs:dynamic/mailplane:Alias",
      "mailplane:index:CatchAll true <- pulumi-nodejs:dynamic/mailplane:CatchAll",
      "mailplane:index:DkimKey true <- pulumi-nodejs:dynamic/mailplane:DkimKey",
      "mailplane:index:DomainAlias true <- pulumi-nodejs:dynamic/mailplane:DomainAlias",
      "mailplane:index:MailGroup true <- pulumi-nodejs:dynamic/mailplane:MailGroup",
      "mailplane:index:Mailbox true <- pulumi-nodejs:dynamic/mailplane:Mailbox",
      "mailplane:index:PowerDnsRecords true <- pulumi-nodejs:dynamic/mailplane:PowerDnsRecords",
    ]);
    const byName = Object.fromEntries(mine.map((c) => [c.name, c]));
    const conn = { mailProvider: "selfHosted", apiUrl: STORE, domain: "acme.test" };
    expect(shown(byName["acme-mailbox-ali"]!.inputs)).toEqual({
      ...conn,
      localPart: "ali",
      name: "Ali Alavi",
      quotaMb: 2048,
      suspended: false,
      changePasswordAtNextLogin: false,
      require2fa: false,
      aliases: [],
      forwardTo: [],
      onDelete: "suspend",
      allowRecreate: false,
      shared: false,
      password: { secret: "ali-Secret-1" },
    });
    expect(byName["acme-mailbox-ali"]!.additionalSecretOutputs).toEqual(["passwordHash"]);
    expect(byName["acme-mailbox-zhangsan"]!.inputs).toEqual({
      ...conn,
      localPart: "zhangsan",
      name: "Zhang San",
      suspended: false,
      changePasswordAtNextLogin: false,
      require2fa: false,
      aliases: ["san.zhang"],
      forwardTo: [],
      onDelete: "suspend",
      allowRecreate: false,
      shared: false,
    });
    expect(byName["acme-alias-info"]!.inputs).toEqual({
      ...conn,
      localPart: "info",
      destinations: ["ali@acme.test", "zhangsan@acme.test"],
    });
    expect(byName["acme-alias-postmaster"]!.inputs).toEqual({
      ...conn,
      localPart: "postmaster",
      destinations: ["ali@acme.test"],
    });
    expect(byName["acme-group-team"]!.inputs).toEqual({
      ...conn,
      localPart: "team",
      name: "team",
      members: ["ali@acme.test", "zhangsan@acme.test"],
    });
    expect(byName["acme-catch-all"]!.inputs).toEqual({ ...conn, destinations: ["ali@acme.test"] });
    expect(byName["acme-domain-alias-acme.co"]!.inputs).toEqual({
      ...conn,
      aliasDomain: "acme.co",
    });
    expect(byName["acme-dkim-s2026"]!.inputs).toEqual({ selector: "s2026" });
    expect(byName["acme-dkim-s2026"]!.additionalSecretOutputs).toEqual(["privateKeyPem"]);
    expect(byName["acme-dkim-s2025"]!.additionalSecretOutputs).toEqual(["privateKeyPem"]);

    const pdns = byName["acme-powerdns"]!.inputs;
    expect(Object.keys(pdns).sort()).toEqual(["apiUrl", "rrsets", "serverId", "zone"]);
    expect([pdns.apiUrl, pdns.serverId, pdns.zone]).toEqual([PDNS, "localhost", "acme.test"]);
    const rrsets = pdns.rrsets as Array<{ name: string; type: string; records: string[] }>;
    expect(rrsets.map((r) => `${r.type} ${r.name} ${r.records.join(" | ")}`).sort()).toEqual([
      "MX acme.test. 10 mx.acme.test.",
      'TXT _dmarc.acme.test. "v=DMARC1; p=none"',
      'TXT acme.test. "v=spf1 mx ~all"',
      `TXT s2025._domainkey.acme.test. "v=DKIM1; k=rsa; p=${PUBLIC_KEY}"`,
      `TXT s2026._domainkey.acme.test. "v=DKIM1; k=rsa; p=${PUBLIC_KEY}"`,
    ]);
    // The alias domain's records live in its own zone; its mail is signed with the same keys,
    // so it publishes them under the same selectors.
    const alias = byName["acme-powerdns-acme.co"]!.inputs;
    expect(alias.zone).toBe("acme.co");
    expect(
      (alias.rrsets as Array<{ name: string; type: string; records: string[] }>)
        .map((r) => `${r.type} ${r.name} ${r.records.join(" | ")}`)
        .sort(),
    ).toEqual([
      "MX acme.co. 10 mx.acme.test.",
      'TXT _dmarc.acme.co. "v=DMARC1; p=none"',
      'TXT acme.co. "v=spf1 mx ~all"',
      `TXT s2025._domainkey.acme.co. "v=DKIM1; k=rsa; p=${PUBLIC_KEY}"`,
      `TXT s2026._domainkey.acme.co. "v=DKIM1; k=rsa; p=${PUBLIC_KEY}"`,
    ]);
  });

  it("keeps the DKIM private key a secret output and out of the DNS records", async () => {
    const binding = providers.selfHosted({
      store: sqlite({ path: "/srv/mail.sqlite" }),
      mx: [{ host: "mx1.shop.test", priority: 5 }],
    });
    const start = captured.length;
    new MailDomain("shop", {
      domain: "shop.test",
      dns: dns.powerDns({ apiUrl: PDNS, serverId: "ns1", zone: "shop.test" }),
      provider: binding,
      postmaster: "ops@example.org",
      abuse: "ops@example.org",
    });
    const key = binding.dkimKeys.mail!;
    expect(Object.keys(binding.dkimKeys)).toEqual(["mail"]);
    expect(await valueOf(key.privateKeyPem)).toBe(PRIVATE_KEY);
    await new Promise((r) => setTimeout(r, 50));
    const mine = captured.slice(start);
    const dkim = mine.find((c) => c.name === "shop-dkim-mail")!;
    expect([dkim.type, dkim.inputs, dkim.additionalSecretOutputs]).toEqual([
      "mailplane:index:DkimKey",
      { selector: "mail" },
      ["privateKeyPem"],
    ]);
    const pdns = mine.find((c) => c.name === "shop-powerdns")!.inputs;
    expect([pdns.serverId, pdns.zone]).toEqual(["ns1", "shop.test"]);
    expect(JSON.stringify(mine)).not.toContain("not-a-real-key");
    expect(JSON.stringify(mine.map((c) => c.inputs))).not.toContain("PRIVATE KEY");
  });

  it("refuses a postgres connection string that carries a password, naming the fix", async () => {
    expect(() =>
      providers.selfHosted({
        store: postgres({ connectionString: "postgresql://mailplane:hunter2@db.internal/mail" }),
        mx: "mx.acme.test",
      }),
    ).toThrow(
      "selfHosted store: the postgres connection string carries a password, which would be stored in plaintext in state; put it in an environment variable and give connectionStringEnv (default MAILPLANE_PG_URL) instead",
    );
    // Without a password it is accepted; the default reads MAILPLANE_PG_URL at call time.
    const start = captured.length;
    new MailDomain("pg", {
      domain: "pg.test",
      dns: dns.powerDns({ apiUrl: PDNS }),
      provider: providers.selfHosted({ store: postgres(), mx: "mx.pg.test" }),
      postmaster: "ops@example.org",
      abuse: "ops@example.org",
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(
      captured
        .slice(start)
        .filter((c) => c.type === "mailplane:index:Alias")
        .map((c) => [c.name, c.inputs.apiUrl]),
    ).toEqual([
      ["pg-alias-postmaster", "postgresql+env://MAILPLANE_PG_URL"],
      ["pg-alias-abuse", "postgresql+env://MAILPLANE_PG_URL"],
    ]);
  });
});
