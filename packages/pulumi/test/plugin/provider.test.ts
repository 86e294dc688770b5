/**
 * The plugin's provider object without the engine, on the resource types that need no network
 * (zone file in a temp folder, DKIM key): the field-level diff it computes where a runtime
 * reports none, drift marked as such, and the upgrade of state written by the dynamic resources
 * of earlier releases (an update that rewrites only state).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inputsDiff, MailplaneProvider } from "../../src/plugin/provider";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";
const ZONE_URN = "urn:pulumi:dev::acme::mailplane:index:MailDomain$mailplane:index:ZoneFile::z";
const DKIM_URN = "urn:pulumi:dev::acme::mailplane:index:DkimKey::acme-dkim-mail";
const provider = new MailplaneProvider("0.1.0");
const tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-plugin-provider-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const zone = (mx: string) =>
  `$ORIGIN acme.com.\n@ 3600 IN SOA ns1.acme.com. hostmaster.acme.com. 1 7200 3600 1209600 3600\n@ 3600 IN MX 10 ${mx}.\n`;

describe("the plugin's field-level diff", () => {
  it("lists the changed inputs of a runtime that reports none, -replace for replacing ones", () => {
    expect(
      inputsDiff(
        ["path", "content", "onDelete"],
        { path: "/a", content: "x", serial: 7 },
        { path: "/b", content: "y", onDelete: "delete" },
        ["path"],
      ),
    ).toEqual({
      path: { kind: "update-replace", inputDiff: true },
      content: { kind: "update", inputDiff: true },
      onDelete: { kind: "add", inputDiff: true },
    });
  });

  it("a zone file whose content changed in code: an input diff of content", async () => {
    const file = path.join(tmp, "acme.com.zone");
    const olds = { path: file, content: zone("mx1.acme.com"), serial: 2026120101 };
    const news = { path: file, content: zone("mx2.acme.com") };
    const d = await provider.diff(file, ZONE_URN, olds, news, {
      path: file,
      content: olds.content,
    });
    expect(d).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
      detailedDiff: { content: { kind: "update", inputDiff: true } },
    });
  });

  it("drift (refresh found the file changed, the declaration did not): inputDiff false", async () => {
    const file = path.join(tmp, "acme.com.zone");
    const declared = zone("mx1.acme.com");
    const d = await provider.diff(
      file,
      ZONE_URN,
      { path: file, content: zone("evil.example"), serial: 2026120101 },
      { path: file, content: declared },
      { path: file, content: declared },
    );
    expect(d.detailedDiff).toEqual({ content: { kind: "update", inputDiff: false } });
    expect(d.changes).toBe(true);
  });
});

describe("state of an earlier release's dynamic resources", () => {
  const code = "exports.handler = __f0; function __f0() { /* 4 KB of serialized provider */ }";

  it("an unchanged zone file with a serialized provider is an update of __provider only", async () => {
    const file = path.join(tmp, "old.zone");
    const content = zone("mx1.acme.com");
    const d = await provider.diff(
      file,
      ZONE_URN,
      { __provider: code, path: file, content, serial: 2026120101 },
      { path: file, content },
    );
    expect(d).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
      detailedDiff: { __provider: { kind: "delete", inputDiff: false } },
    });
  });

  it("its update writes nothing (no file) and keeps the outputs without the code", async () => {
    const file = path.join(tmp, "never-written.zone");
    const content = zone("mx1.acme.com");
    const r = await provider.update(
      file,
      ZONE_URN,
      { __provider: code, path: file, content, serial: 2026120105 },
      { path: file, content },
    );
    expect(r.outs).toEqual({ path: file, content, serial: 2026120105 });
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
  });

  it("a DKIM key keeps its key pair, the private key secret, and loses the code", async () => {
    const olds = {
      __provider: code,
      selector: "mail",
      publicKey: "MIIBIjAN",
      privateKeyPem: { [SIG]: SECRET, value: "-----BEGIN PRIVATE KEY-----\nk\n" },
    };
    const news = { selector: "mail" };
    expect((await provider.diff("mail", DKIM_URN, olds, news)).detailedDiff).toEqual({
      __provider: { kind: "delete", inputDiff: false },
    });
    const r = await provider.update("mail", DKIM_URN, olds, news);
    expect(r.outs).toEqual({
      selector: "mail",
      publicKey: "MIIBIjAN",
      privateKeyPem: { [SIG]: SECRET, value: "-----BEGIN PRIVATE KEY-----\nk\n" },
    });
  });

  it("a preview's update of it knows the outputs (the zone file printing the key stays known)", async () => {
    const olds = { __provider: code, selector: "mail", publicKey: "MIIBIjAN", privateKeyPem: "k" };
    expect(await provider.previewUpdate("mail", DKIM_URN, olds, { selector: "mail" })).toEqual({
      outs: {
        selector: "mail",
        publicKey: "MIIBIjAN",
        privateKeyPem: { [SIG]: SECRET, value: "k" },
      },
    });
    // Without the serialized provider, a preview's update answers the new inputs.
    expect(
      await provider.previewUpdate(
        "mail",
        DKIM_URN,
        { selector: "mail", publicKey: "p" },
        {
          selector: "mail",
        },
      ),
    ).toEqual({ outs: { selector: "mail" } });
  });

  it("an upgrade-only update writes the old outputs only, never an input such as the password", async () => {
    const file = path.join(tmp, "pw.zone");
    const content = zone("mx1.acme.com");
    const r = await provider.update(
      file,
      ZONE_URN,
      { __provider: code, path: file, content },
      { path: file, content, password: "Never-in-outputs-1" },
    );
    expect(r.outs).toEqual({ path: file, content });
  });

  it("a new DKIM selector still replaces the key (the runtime's replaces)", async () => {
    const d = await provider.diff(
      "mail",
      DKIM_URN,
      { __provider: code, selector: "mail", publicKey: "p" },
      { selector: "mail2" },
    );
    expect(d.replaces).toEqual(["selector"]);
    expect(d.detailedDiff).toEqual({
      selector: { kind: "update-replace", inputDiff: true },
      __provider: { kind: "delete", inputDiff: false },
    });
  });
});
