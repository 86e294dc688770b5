/**
 * MtaStsWorker under Pulumi mocks (the Cloudflare plugin cannot run here): the exact
 * WorkersScript and WorkersCustomDomain, and the Worker's script run for real in Node's
 * fetch-API runtime (Request/Response, as in Workers): the policy at its path, 404 elsewhere.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { mtaStsWorkerScript } from "@mailplane/providers";
import { MailDomain, MtaStsWorker, dns, providers } from "../src/index";
import { children, installMocks, registeredAll, type Registered } from "./dns-mocks";

const POLICY = "version: STSv1\r\nmode: testing\r\nmx: mx.acme.test\r\nmax_age: 86400\r\n";
let registered: Registered[];

beforeAll(async () => {
  registered = await installMocks(
    {},
    {
      "mailplane:index:DkimKey": () => ({ publicKey: "PUB", privateKeyPem: "x" }),
    },
  );
});

/** Imports the generated ES module (a temp file) and returns its fetch handler. */
async function workerOf(script: string): Promise<(r: Request) => Promise<Response>> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mta-sts-worker-")), "w.mjs");
  fs.writeFileSync(file, script);
  const mod = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as {
    default: { fetch(r: Request): Promise<Response> };
  };
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return (r) => mod.default.fetch(r);
}

describe("MtaStsWorker (mocks)", () => {
  it("creates the Worker with the policy and binds mta-sts.<domain> to it", async () => {
    const binding = providers.selfHosted({
      store: providers.sqlite({ path: "/m.sqlite" }),
      mx: "mx.acme.test",
    });
    const acme = new MailDomain("acme", {
      domain: "acme.test",
      dns: dns.zoneFile({ path: path.join(os.tmpdir(), "unused.zone") }),
      provider: binding,
      policy: { mtaSts: { mode: "testing", maxAge: 86400 } },
      mailboxes: { ali: { name: "Ali" } },
      postmaster: "ali",
      abuse: "ali",
    });
    // The domain's own children register first, so what follows `start` is the Worker's alone.
    const { mailboxes, aliases, groups } = acme.accounts;
    await registeredAll([
      ...Object.values(binding.dkimKeys),
      ...Object.values(acme.recordResources),
      ...[mailboxes, aliases, groups].flatMap((kind) => Object.values(kind)),
    ]);
    expect(
      registered
        .map((r) => r.name)
        .filter((n) => n.startsWith("acme-"))
        .sort(),
    ).toEqual([
      "acme-alias-abuse",
      "acme-alias-postmaster",
      "acme-dkim-mail",
      "acme-mailbox-ali",
      "acme-zone-file",
    ]);
    const start = registered.length;
    const worker = new MtaStsWorker("acme-mta-sts", {
      domain: acme,
      accountId: "ACC",
      zoneId: "Z1",
    });
    await registeredAll([worker.script, worker.customDomain]);
    expect(worker.policyUrl).toBe("https://mta-sts.acme.test/.well-known/mta-sts.txt");
    expect(children(registered.slice(start)).map((r) => [r.type, r.name, r.inputs])).toEqual([
      [
        "cloudflare:index/workersCustomDomain:WorkersCustomDomain",
        "acme-mta-sts-domain",
        {
          accountId: "ACC",
          hostname: "mta-sts.acme.test",
          service: "mta-sts-acme-test",
          zoneId: "Z1",
        },
      ],
      [
        "cloudflare:index/workersScript:WorkersScript",
        "acme-mta-sts-script",
        {
          accountId: "ACC",
          compatibilityDate: "2026-01-01",
          content: mtaStsWorkerScript(POLICY),
          mainModule: "mta-sts.mjs",
          scriptName: "mta-sts-acme-test",
        },
      ],
    ]);
  });

  it("the Worker answers the policy as text/plain at its path only, never a redirect", async () => {
    const fetch = await workerOf(mtaStsWorkerScript(POLICY));
    const url = "https://mta-sts.acme.test/.well-known/mta-sts.txt";
    const ok = await fetch(new Request(url));
    expect([ok.status, ok.headers.get("content-type"), await ok.text()]).toEqual([
      200,
      "text/plain; charset=utf-8",
      POLICY,
    ]);
    const head = await fetch(new Request(url, { method: "HEAD" }));
    expect([head.status, await head.text()]).toEqual([200, ""]);
    for (const other of [
      new Request("https://mta-sts.acme.test/"),
      new Request("https://mta-sts.acme.test/.well-known/mta-sts.txt/"),
      new Request(url, { method: "POST", body: "x" }),
    ]) {
      const r = await fetch(other);
      expect([r.status, r.headers.get("location")]).toEqual([404, null]);
    }
  });

  it("refuses a text that is not a policy file", () => {
    let message = "";
    try {
      mtaStsWorkerScript("version: STSv1\nmode: testing\n");
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      'mtaStsWorkerScript.policy: "version: STSv1\\nmode: testing\\n" is not an MTA-STS policy (got "version: STSv1\\nmode: testing\\n"; allowed: the text of MailDomain\'s mtaStsPolicy, starting with version: STSv1, CRLF lines)',
    );
  });
});

void pulumi;
