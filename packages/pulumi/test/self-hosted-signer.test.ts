/**
 * `providers.selfHosted(...).openDkim()` and `.mtaStsSite()` under Pulumi mocks: OpenDKIM's
 * files for the domain and its alias, the key files as a secret Output, the next selector
 * published before it signs and signing from its `signFrom` on, and the MTA-STS site.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { MailDomain, dns, providers } from "../src/index";
import { sqlite } from "../src/providers/self-hosted";
import { captureRegisterRequests, valueOf, type RegisterRequest } from "./dns-mocks";

let captured: RegisterRequest[] = [];
const pem = (s: string) => `-----BEGIN PRIVATE KEY-----\nkey-of-${s}\n-----END PRIVATE KEY-----\n`;

beforeAll(async () => {
  captured = await captureRegisterRequests(
    {},
    {
      "mailplane:index:DkimKey": (inputs) => ({
        publicKey: `PUB${String(inputs.selector)}`,
        privateKeyPem: pem(String(inputs.selector)),
      }),
    },
  );
});

function domainWith(now: Date) {
  const binding = providers.selfHosted(
    {
      store: sqlite({ path: "/var/lib/mailplane/mail.sqlite" }),
      mx: "mx.acme.test",
      dkim: { selector: "s2026", next: { selector: "s2027", signFrom: "2027-01-01" } },
    },
    { now },
  );
  const domain = new MailDomain(`acme-${now.getTime()}`, {
    domain: "acme.test",
    domainAliases: ["acme.co"],
    dns: dns.powerDns({ apiUrl: "http://127.0.0.1:8081" }),
    provider: binding,
    policy: { dmarc: { policy: "reject" }, mtaSts: { mode: "enforce" } },
    mailboxes: { ali: { name: "Ali Alavi" } },
    postmaster: "ali",
    abuse: "ali",
    now,
  });
  return { binding, domain };
}

describe("selfHosted signer outputs (mocks)", () => {
  it("before signFrom: both selectors published, the current one signs, keys are a secret", async () => {
    const { binding, domain } = domainWith(new Date("2026-12-31T23:59:59Z"));
    const records = await valueOf(domain.records);
    expect(
      records.filter((r) => r.name.includes("_domainkey")).map((r) => [r.name, r.value]),
    ).toEqual([
      ["s2026._domainkey.acme.co", "v=DKIM1; k=rsa; p=PUBs2026"],
      ["s2026._domainkey.acme.test", "v=DKIM1; k=rsa; p=PUBs2026"],
      ["s2027._domainkey.acme.co", "v=DKIM1; k=rsa; p=PUBs2027"],
      ["s2027._domainkey.acme.test", "v=DKIM1; k=rsa; p=PUBs2027"],
    ]);
    const signer = binding.openDkim({ configDir: "/etc/opendkim" });
    expect(binding.signingSelector).toBe("s2026");
    expect(signer.signingSelector).toBe("s2026");
    expect(signer.files["/etc/opendkim/SigningTable"]).toBe(
      "*@acme.test s2026._domainkey.acme.test\n*@acme.co s2026._domainkey.acme.co\n",
    );
    expect(await signer.keyFiles.isSecret).toBe(true);
    expect(await valueOf(signer.keyFiles)).toEqual({
      "/etc/opendkim/keys/s2026.private": pem("s2026"),
      "/etc/opendkim/keys/s2027.private": pem("s2027"),
    });
    // The DkimKey resources keep their private key a secret output.
    const keys = captured.filter((c) => c.type === "mailplane:index:DkimKey");
    expect(keys.map((k) => [k.name, k.additionalSecretOutputs])).toEqual([
      ["acme-1798761599000-dkim-s2026", ["privateKeyPem"]],
      ["acme-1798761599000-dkim-s2027", ["privateKeyPem"]],
    ]);
  });

  it("from signFrom on: the next selector signs, the old one stays in the KeyTable and DNS", async () => {
    const { binding, domain } = domainWith(new Date("2027-01-01T00:00:00Z"));
    const records = await valueOf(domain.records);
    expect(records.filter((r) => r.name.includes("_domainkey")).length).toBe(4);
    const signer = binding.openDkim({ configDir: "/etc/opendkim" });
    expect(signer.signingSelector).toBe("s2027");
    expect(signer.files["/etc/opendkim/SigningTable"]).toBe(
      "*@acme.test s2027._domainkey.acme.test\n*@acme.co s2027._domainkey.acme.co\n",
    );
    expect(signer.files["/etc/opendkim/KeyTable"]).toBe(
      "s2026._domainkey.acme.test acme.test:s2026:/etc/opendkim/keys/s2026.private\n" +
        "s2027._domainkey.acme.test acme.test:s2027:/etc/opendkim/keys/s2027.private\n" +
        "s2026._domainkey.acme.co acme.co:s2026:/etc/opendkim/keys/s2026.private\n" +
        "s2027._domainkey.acme.co acme.co:s2027:/etc/opendkim/keys/s2027.private\n",
    );
  });

  it("the MTA-STS site serves MailDomain's policy", async () => {
    const { binding, domain } = domainWith(new Date("2026-06-01T00:00:00Z"));
    const site = await valueOf(
      binding.mtaStsSite(domain, {
        certificatePath: "/etc/ssl/sts.pem",
        certificateKeyPath: "/etc/ssl/sts.key",
      }),
    );
    expect(site?.files).toEqual({
      "/var/www/mta-sts.acme.test/.well-known/mta-sts.txt":
        "version: STSv1\r\nmode: enforce\r\nmx: mx.acme.test\r\nmax_age: 604800\r\n",
    });
    expect(site?.serverBlock).toContain("    server_name mta-sts.acme.test;\n");
  });

  it("openDkim before any MailDomain is refused, naming the order", () => {
    const binding = providers.selfHosted({
      store: sqlite({ path: "/m.sqlite" }),
      mx: "mx.acme.test",
    });
    expect(() => binding.openDkim()).toThrow(
      new Error(
        "providers.selfHosted.openDkim: no domain yet; call it after new MailDomain(...) with this binding as its provider",
      ),
    );
  });
});

void pulumi;
