/**
 * The certificate credential: MSAL signs a client assertion with the certificate's private key
 * (read at call time), and the emulator's token endpoint verifies its signature against the
 * registered certificate (RS256 with a SHA-1 thumbprint, PS256 with SHA-256). The key and
 * certificate are made by openssl for each run.
 */
import { execFileSync } from "node:child_process";
import { X509Certificate, randomUUID, sign } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SKU_E3 } from "../../../../test/emulators/microsoft-graph";
import {
  microsoft365Adapter,
  microsoft365ArgsSchema,
  microsoft365Endpoint,
} from "../../src/mail/microsoft-365";
import { failure, graphSetup, providerOn, type GraphSetup } from "./harness";

let dir: string;
let key: string;
let otherKey: string;
let cert: string;
let sha1: string;
let sha256: string;

function makeCertificate(name: string): { key: string; cert: string } {
  const k = path.join(dir, `${name}.key`);
  const c = path.join(dir, `${name}.crt`);
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=mailplane-test",
      "-days",
      "1",
      "-keyout",
      k,
      "-out",
      c,
    ],
    { stdio: "ignore" },
  );
  return { key: readFileSync(k, "utf8"), cert: readFileSync(c, "utf8") };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "mailplane-m365-cert-"));
  ({ key, cert } = makeCertificate("app"));
  otherKey = makeCertificate("other").key;
  const x509 = new X509Certificate(cert);
  sha1 = x509.fingerprint.replace(/:/g, "");
  sha256 = x509.fingerprint256.replace(/:/g, "");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let s: GraphSetup | undefined;
afterEach(async () => {
  await s?.emu.stop();
  s = undefined;
});

describe("microsoft365 certificate credential", () => {
  it("signs a PS256 client assertion for a SHA-256 thumbprint, the key read at the first request", async () => {
    s = await graphSetup({}, { clientCertificate: cert });
    let reads = 0;
    const provider = providerOn(s, {
      clientSecret: "",
      clientCertificate: {
        thumbprint: sha256,
        privateKey: () => {
          reads += 1;
          return key;
        },
      },
    });
    expect(reads).toBe(0);
    await provider.createMailbox({
      domain: "acme.test",
      localPart: "ali",
      name: "Ali",
      suspended: false,
      aliases: [],
      forwardTo: [],
      password: "Pw-ali-0123456789",
    });
    expect(reads).toBeGreaterThan(0);
    expect(s.emu.assertionsAccepted).toBe(1);
    expect(s.emu.assertionHeaders.map((h) => [h.alg, h["x5t#S256"], h.x5t])).toEqual([
      ["PS256", Buffer.from(sha256, "hex").toString("base64url"), undefined],
    ]);
    expect(s.emu.user("ali@acme.test")!.assignedLicenses.map((l) => l.skuId)).toEqual([SKU_E3]);
  });

  it("signs RS256 with x5t for a SHA-1 thumbprint", async () => {
    s = await graphSetup({}, { clientCertificate: cert });
    const provider = providerOn(s, {
      clientSecret: "",
      clientCertificate: { thumbprint: sha1, privateKey: key },
    });
    await provider.listMailboxes("acme.test");
    expect(s.emu.assertionHeaders.map((h) => [h.alg, h.x5t])).toEqual([
      ["RS256", Buffer.from(sha1, "hex").toString("base64url")],
    ]);
    expect(s.emu.assertionsAccepted).toBe(1);
  });

  it("is refused when signed by another key, as Auth, never showing the key", async () => {
    s = await graphSetup({}, { clientCertificate: cert });
    const provider = providerOn(s, {
      clientSecret: "",
      clientCertificate: { thumbprint: sha256, privateKey: otherKey },
    });
    const e = await failure(provider.listMailboxes("acme.test"));
    expect((e as { kind?: string }).kind).toBe("Auth");
    expect(e.message).toContain(
      "AADSTS700027: Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value.]",
    );
    const body = otherKey.split("\n")[1]!;
    expect(e.message).not.toContain(body);
    expect(JSON.stringify(e)).not.toContain(body);
    expect(s.emu.assertionsAccepted).toBe(0);
    expect(s.emu.log.filter((r) => r.route.startsWith("GET")).length).toBe(0);
  });

  it("names both credentials when neither is set", async () => {
    s = await graphSetup({}, { clientCertificate: cert });
    const provider = providerOn(s, {
      clientSecret: "",
      clientCertificate: { thumbprint: sha256, privateKey: () => undefined },
    });
    const e = await failure(provider.listMailboxes("acme.test"));
    expect(e.message).toBe(
      `microsoft365 token: no credential; set MICROSOFT365_CLIENT_CERTIFICATE_KEY or mailplane:microsoft365ClientCertificateKey (the PEM private key of certificate ${sha256}), or MICROSOFT365_CLIENT_SECRET (values not shown)`,
    );
    expect(s.emu.log).toEqual([]);
  });

  it("reaches the runtime's adapter through the locator's thumbprint and the key credential", async () => {
    s = await graphSetup({}, { clientCertificate: cert });
    const args = microsoft365ArgsSchema.parse({
      tenantId: s.emu.tenantId,
      clientId: s.emu.clientId,
      domain: "acme.test",
      usageLocation: "DE",
      licences: { default: SKU_E3 },
      certificateThumbprint: x509Colons(sha256),
      apiUrl: `${s.emu.url}/v1.0`,
      authorityUrl: s.emu.url,
    });
    const locator = microsoft365Endpoint(args);
    expect(locator).toContain(`&thumbprint=${sha256.toLowerCase()}`);
    expect(locator).not.toContain("PRIVATE");
    const adapter = microsoft365Adapter()({
      apiUrl: locator,
      credentials: { clientCertificateKey: key },
    });
    expect(await adapter.listMailboxes("acme.test")).toEqual([]);
    expect(s.emu.assertionsAccepted).toBe(1);
  });
});

describe("the emulator's token endpoint with a client assertion", () => {
  /** An RS256 client assertion signed with `privateKey`, with claims overridden by `claims`. */
  const assertion = (privateKey: string, claims: Record<string, unknown> = {}): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = {
      alg: "RS256",
      typ: "JWT",
      x5t: Buffer.from(sha1, "hex").toString("base64url"),
    };
    const payload = {
      aud: `${s!.emu.url}/${s!.emu.tenantId}/oauth2/v2.0/token`,
      iss: s!.emu.clientId,
      sub: s!.emu.clientId,
      jti: randomUUID(),
      nbf: now,
      exp: now + 600,
      ...claims,
    };
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const data = `${enc(header)}.${enc(payload)}`;
    return `${data}.${sign("sha256", Buffer.from(data), privateKey).toString("base64url")}`;
  };
  const token = async (clientAssertion: string) => {
    const r = await fetch(`${s!.emu.url}/${s!.emu.tenantId}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: s!.emu.clientId,
        scope: "https://graph.microsoft.com/.default",
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: clientAssertion,
      }),
    });
    const body = (await r.json()) as { access_token?: string; error_description?: string };
    return [r.status, body.access_token === undefined ? body.error_description : "token"];
  };

  it("accepts a valid RS256 assertion and refuses a forged, tampered, expired or foreign one", async () => {
    s = await graphSetup({}, { clientCertificate: cert });
    expect(await token(assertion(key))).toEqual([200, "token"]);
    const signature =
      "AADSTS700027: Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value.]";
    expect(await token(assertion(otherKey))).toEqual([401, signature]);
    const [h, , sig] = assertion(key).split(".");
    const forged = Buffer.from(
      JSON.stringify({ aud: "x", iss: s.emu.clientId, sub: s.emu.clientId, exp: 9e9 }),
    ).toString("base64url");
    expect(await token(`${h}.${forged}.${sig}`)).toEqual([401, signature]);
    expect(await token(assertion(key, { exp: Math.floor(Date.now() / 1000) - 10 }))).toEqual([
      401,
      "AADSTS700024: Client assertion is not within its valid time range.",
    ]);
    expect(await token(assertion(key, { iss: "someone-else" }))).toEqual([
      401,
      "AADSTS700021: Client assertion application identifier doesn't match 'client_id' parameter.",
    ]);
    expect(
      await token(assertion(key, { aud: "https://login.example/other/oauth2/v2.0/token" })),
    ).toEqual([
      401,
      `AADSTS700016: Client assertion audience 'https://login.example/other/oauth2/v2.0/token' is not the token endpoint of tenant '${s.emu.tenantId}'.`,
    ]);
    expect(s.emu.assertionsAccepted).toBe(1);
  });
});

/** A thumbprint as the portal may show it: upper case with colons. */
function x509Colons(hex: string): string {
  return hex.toUpperCase().match(/../g)!.join(":");
}
