/**
 * The plugin's wire-level pieces without the engine: the gRPC Diff response carries the runtime's
 * detailed diff, Read answers an import (a request without properties), secrets are unwrapped
 * for the runtime and marked again on the way out. The engine-level proof is
 * test/engine/provider-plugin.test.ts.
 */
import { describe, expect, it } from "vitest";
import { markSecrets, MailplaneProvider, typeOfUrn, unwrapSecrets } from "../../src/plugin/provider";
import { diffHandler, diffResponse, readHandler } from "../../src/plugin/serve";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";
const URN = "urn:pulumi:dev::acme::mailplane:index:Mailbox::ali";

/** Calls a gRPC handler with a fake call; resolves with (err, response). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped generated protobuf message
type Message = { toObject(): any };
function invoke(
  handler: (call: unknown, cb: (err: unknown, resp?: unknown) => void) => Promise<void>,
  request: Record<string, unknown>,
): Promise<{ err: unknown; resp: Message }> {
  return new Promise((resolve) => {
    void handler({ request }, (err, resp) => resolve({ err, resp: resp as Message }));
  });
}

const struct = (v: Record<string, unknown>) => ({ toJavaScript: () => v });

describe("diffResponse", () => {
  it("carries every field of the detailed diff with its kind, and the replaces", () => {
    const resp = diffResponse({
      changes: true,
      replaces: ["localPart"],
      deleteBeforeReplace: false,
      detailedDiff: {
        localPart: { kind: "update-replace", inputDiff: true },
        department: { kind: "add", inputDiff: true },
        "aliases[0]": { kind: "delete", inputDiff: false },
      },
    }).toObject();
    expect(resp.changes).toBe(2); // DIFF_SOME
    expect(resp.replacesList).toEqual(["localPart"]);
    expect(resp.hasdetaileddiff).toBe(true);
    expect(resp.diffsList).toEqual(["localPart", "department", "aliases"]);
    expect(Object.fromEntries(resp.detaileddiffMap)).toEqual({
      localPart: { kind: 5, inputdiff: true }, // UPDATE_REPLACE
      department: { kind: 0, inputdiff: true }, // ADD
      "aliases[0]": { kind: 2, inputdiff: false }, // DELETE
    });
  });

  it("says no change with no detailed diff entries", () => {
    const resp = diffResponse({ changes: false, replaces: [], detailedDiff: {} }).toObject();
    expect(resp.changes).toBe(1); // DIFF_NONE
    expect(resp.replacesList).toEqual([]);
    expect(resp.detaileddiffMap).toEqual([]);
  });
});

describe("the plugin's gRPC handlers", () => {
  const provider = new MailplaneProvider("0.0.0-test");

  it("Diff answers with the runtime's field-level diff of a Mailbox", async () => {
    const olds = {
      mailProvider: "migadu",
      domain: "acme.com",
      localPart: "ali",
      name: "Ali Alavi",
      suspended: false,
      aliases: [],
      forwardTo: [],
      onDelete: "suspend",
    };
    const { err, resp } = await invoke(diffHandler(provider), {
      getId: () => "migadu/acme.com/ali",
      getUrn: () => URN,
      getOlds: () => struct(olds),
      getNews: () => struct({ ...olds, name: "Ali Alavi-Rostami" }),
    });
    expect(err).toBeUndefined();
    const o = resp.toObject();
    expect(o.changes).toBe(2);
    expect(Object.fromEntries(o.detaileddiffMap)).toEqual({
      name: { kind: 4, inputdiff: true }, // UPDATE
    });
  });

  it("Diff refuses a rename Migadu cannot make, with the runtime's message", async () => {
    const olds = { mailProvider: "migadu", domain: "acme.com", localPart: "ali", name: "A" };
    const { err } = await invoke(diffHandler(provider), {
      getId: () => "migadu/acme.com/ali",
      getUrn: () => URN,
      getOlds: () => struct(olds),
      getNews: () => struct({ ...olds, localPart: "ali.alavi" }),
    });
    expect((err as { details: string }).details).toMatch(
      /^mailbox ali@acme\.com at migadu: migadu cannot rename a mailbox in place \(ali@acme\.com at migadu → ali\.alavi@acme\.com at migadu\)\. Nothing was changed\./,
    );
  });

  it("Read of an unknown type fails naming the type and what the plugin serves", async () => {
    const { err } = await invoke(readHandler(provider), {
      getId: () => "x",
      getUrn: () => "urn:pulumi:dev::acme::mailplane:index:Nope::x",
      getProperties: () => undefined, // an import: no properties
    });
    expect((err as { details: string }).details).toBe(
      'the mailplane provider has no resource type "mailplane:index:Nope"; it serves: ' +
        "mailplane:index:Mailbox, mailplane:index:Alias, mailplane:index:MailGroup, " +
        "mailplane:index:CatchAll, mailplane:index:DomainAlias, mailplane:index:ZoneFile, " +
        "mailplane:index:DkimKey, mailplane:index:PowerDnsRecords",
    );
  });
});

describe("secrets", () => {
  it("unwraps nested secrets and names the top-level properties that held one", () => {
    const { plain, secret } = unwrapSecrets({
      password: { [SIG]: SECRET, value: "Pa55" },
      members: ["a@x.org", { [SIG]: SECRET, value: "b@x.org" }],
      name: "Ali",
    });
    expect(plain).toEqual({ password: "Pa55", members: ["a@x.org", "b@x.org"], name: "Ali" });
    expect([...secret].sort()).toEqual(["members", "password"]);
  });

  it("marks the password, its fingerprint and the given properties secret, nothing else", () => {
    expect(
      markSecrets(
        { password: "Pa55", passwordHash: "ab", members: ["b@x.org"], name: "Ali" },
        new Set(["members"]),
      ),
    ).toEqual({
      password: { [SIG]: SECRET, value: "Pa55" },
      passwordHash: { [SIG]: SECRET, value: "ab" },
      members: { [SIG]: SECRET, value: ["b@x.org"] },
      name: "Ali",
    });
  });

  it("reads the type token of a URN, also under a parent", () => {
    expect(typeOfUrn(URN)).toBe("mailplane:index:Mailbox");
    expect(
      typeOfUrn("urn:pulumi:dev::acme::mailplane:index:MailDomain$mailplane:index:Mailbox::a"),
    ).toBe("mailplane:index:Mailbox");
  });
});
