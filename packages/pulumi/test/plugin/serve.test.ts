/**
 * The plugin's gRPC server without a socket: each ResourceProvider handler called with a real
 * request message (built with the generated modules @pulumi/pulumi ships) and a callback, as
 * grpc-js calls it. Secrets are unwrapped for the runtime and marked again on the way out. The
 * same server over a real connection: serve.emulator.test.ts; through the engine:
 * test/engine/provider-plugin.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  markSecrets,
  MailplaneProvider,
  typeOfUrn,
  unwrapSecrets,
} from "../../src/plugin/provider";
import {
  diffConfigResponse,
  diffResponse,
  providerService,
  toStruct,
  wire,
  type DetailedDiffProvider,
} from "../../src/plugin/serve";

const { provproto, plugproto, provrpc, grpc } = wire;
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const URN = "urn:pulumi:dev::acme::mailplane:index:Mailbox::ali";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- generated messages' toObject()
type Message = { toObject(): any };
type Status = { code: number; details: string };
type Handler = (call: { request: unknown }, cb: (err: Status | null, r?: unknown) => void) => void;

/** Calls a unary handler as grpc-js does; resolves with (err, response). */
function invoke(
  handler: unknown,
  request: unknown,
): Promise<{ err: Status | null; resp: Message }> {
  return new Promise((resolve) => {
    (handler as Handler)({ request }, (err, resp) => resolve({ err, resp: resp as Message }));
  });
}

/** A provider that records its calls and answers `answers`. */
function recorder(answers: Partial<DetailedDiffProvider> = {}) {
  const calls: unknown[][] = [];
  const record =
    (name: string, answer: unknown) =>
    async (...args: unknown[]) => {
      calls.push([name, ...args]);
      if (answer instanceof Error) throw answer;
      return answer;
    };
  const provider = {
    version: "1.2.3",
    schema: '{"name":"mailplane"}',
    configure: record("configure", undefined),
    check: record("check", { inputs: { checked: true }, failures: [] }),
    create: record("create", { id: "new-id", outs: { made: true } }),
    read: record("read", { id: "read-id", props: { live: true } }),
    update: record("update", { outs: { updated: true } }),
    delete: record("delete", undefined),
    cancel: record("cancel", undefined),
    ...answers,
  } as DetailedDiffProvider;
  return { provider, calls, service: providerService(provider) };
}

const mailbox = {
  mailProvider: "migadu",
  domain: "acme.com",
  localPart: "ali",
  name: "Ali Alavi",
  suspended: false,
  aliases: [],
  forwardTo: [],
  onDelete: "suspend",
};

function diffRequest(olds: Record<string, unknown>, news: Record<string, unknown>) {
  const req = new provproto.DiffRequest();
  req.setId("migadu/acme.com/ali");
  req.setUrn(URN);
  req.setOlds(toStruct(olds));
  req.setNews(toStruct(news));
  return req;
}

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
        "aliases[1]": { kind: "delete", inputDiff: false },
      },
    }).toObject();
    expect(resp.changes).toBe(2); // DIFF_SOME
    expect(resp.replacesList).toEqual(["localPart"]);
    expect(resp.hasdetaileddiff).toBe(true);
    expect(resp.deletebeforereplace).toBe(false);
    // Each top-level property once, however many of its elements changed.
    expect(resp.diffsList).toEqual(["localPart", "department", "aliases"]);
    expect(Object.fromEntries(resp.detaileddiffMap)).toEqual({
      localPart: { kind: 5, inputdiff: true }, // UPDATE_REPLACE
      department: { kind: 0, inputdiff: true }, // ADD
      "aliases[0]": { kind: 2, inputdiff: false }, // DELETE
      "aliases[1]": { kind: 2, inputdiff: false },
    });
  });

  it("says no change with no detailed diff entries", () => {
    const resp = diffResponse({ changes: false, replaces: [], detailedDiff: {} }).toObject();
    expect(resp.changes).toBe(1); // DIFF_NONE
    expect(resp.replacesList).toEqual([]);
    expect(resp.detaileddiffMap).toEqual([]);
    expect(resp.hasdetaileddiff).toBe(true);
  });

  it("says unknown without a verdict, and carries deleteBeforeReplace", () => {
    const resp = diffResponse({ deleteBeforeReplace: true }).toObject();
    expect(resp.changes).toBe(0); // DIFF_UNKNOWN
    expect(resp.deletebeforereplace).toBe(true);
    expect(resp.hasdetaileddiff).toBe(false);
  });
});

describe("diffConfigResponse", () => {
  it("DIFF_NONE for the same configuration, and no replacement ever", () => {
    const cfg = { migaduUser: "admin@acme.com", migaduApiKey: "k" };
    expect(diffConfigResponse(cfg, { ...cfg }).toObject()).toMatchObject({
      changes: 1, // DIFF_NONE
      diffsList: [],
      replacesList: [],
      deletebeforereplace: false,
    });
  });

  it("DIFF_SOME naming the changed keys (added, removed, changed), still no replacement", () => {
    const resp = diffConfigResponse(
      { migaduUser: "a@acme.com", migaduApiKey: "k", region: "eu" },
      { migaduUser: "b@acme.com", migaduApiKey: "k", zone: "x" },
    ).toObject();
    expect(resp).toMatchObject({
      changes: 2, // DIFF_SOME
      diffsList: ["migaduUser", "region", "zone"],
      replacesList: [],
    });
  });
});

describe("the ResourceProvider handlers", () => {
  it("implement every method of the service this @pulumi/pulumi's proto declares", () => {
    expect(Object.keys(providerService(recorder().provider)).sort()).toEqual(
      Object.keys(provrpc.ResourceProviderService).sort(),
    );
  });

  it("Handshake accepts secrets, resources and output values, nothing else", async () => {
    const { resp, err } = await invoke(
      recorder().service.handshake,
      new provproto.ProviderHandshakeRequest(),
    );
    expect(err).toBeNull();
    expect(resp.toObject()).toEqual({
      acceptSecrets: true,
      acceptResources: true,
      acceptOutputs: true,
      supportsAutonamingConfiguration: false,
      acceptsByteString: false,
    });
  });

  it("GetPluginInfo answers the provider's version", async () => {
    const { resp } = await invoke(recorder().service.getPluginInfo, {});
    expect((resp as unknown as InstanceType<typeof plugproto.PluginInfo>).getVersion()).toBe(
      "1.2.3",
    );
  });

  it("GetSchema answers the schema for version 0 and refuses any other version", async () => {
    const { service } = recorder();
    const req = new provproto.GetSchemaRequest();
    expect((await invoke(service.getSchema, req)).resp.toObject()).toEqual({
      schema: '{"name":"mailplane"}',
    });
    req.setVersion(1);
    const { err, resp } = await invoke(service.getSchema, req);
    expect(resp).toBeUndefined();
    expect(err).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details: "GetSchema: version must be 0, got 1",
    });
  });

  it("CheckConfig accepts the new configuration as it is, secrets included", async () => {
    const req = new provproto.CheckRequest();
    const news = { migaduUser: "admin@acme.com", migaduApiKey: { [SIG]: SECRET, value: "k" } };
    req.setOlds(toStruct({}));
    req.setNews(toStruct(news));
    const { err, resp } = await invoke(recorder().service.checkConfig, req);
    expect(err).toBeNull();
    const o = resp.toObject();
    expect(o.failuresList).toEqual([]);
    expect(
      (resp as unknown as InstanceType<typeof provproto.CheckResponse>).getInputs()?.toJavaScript(),
    ).toEqual(news);
  });

  it("DiffConfig compares the old outputs with the new inputs", async () => {
    const req = new provproto.DiffRequest();
    req.setOldInputs(toStruct({ migaduUser: "old@acme.com" }));
    req.setOlds(toStruct({ migaduUser: "a@acme.com" }));
    req.setNews(toStruct({ migaduUser: "a@acme.com" }));
    const { service } = recorder();
    expect((await invoke(service.diffConfig, req)).resp.toObject()).toMatchObject({
      changes: 1,
      diffsList: [],
    });
    req.setNews(toStruct({ migaduUser: "b@acme.com" }));
    expect((await invoke(service.diffConfig, req)).resp.toObject()).toMatchObject({
      changes: 2,
      diffsList: ["migaduUser"],
      replacesList: [],
    });
  });

  it("Configure hands the provider its variables and accepts secrets, resources, outputs, previews", async () => {
    const { service, calls } = recorder();
    const req = new provproto.ConfigureRequest();
    req.getVariablesMap().set("mailplane:config:migaduUser", "admin@acme.com");
    req.getVariablesMap().set("mailplane:config:migaduApiKey", "k");
    const { err, resp } = await invoke(service.configure, req);
    expect(err).toBeNull();
    expect(calls).toEqual([
      [
        "configure",
        { "mailplane:config:migaduUser": "admin@acme.com", "mailplane:config:migaduApiKey": "k" },
      ],
    ]);
    expect(resp.toObject()).toEqual({
      acceptsecrets: true,
      acceptresources: true,
      acceptoutputs: true,
      supportspreview: true,
      supportsAutonamingConfiguration: false,
    });
  });

  it("Check passes olds and news and answers the provider's inputs and failures", async () => {
    const { service, calls } = recorder({
      check: async (urn: string, olds: unknown, news: unknown) => {
        calls.push(["check", urn, olds, news]);
        return {
          inputs: { localPart: "Ali" },
          failures: [{ property: "localPart", reason: "localPart must be lower case, got Ali" }],
        };
      },
    });
    const req = new provproto.CheckRequest();
    req.setUrn(URN);
    req.setOlds(toStruct({}));
    req.setNews(toStruct({ localPart: "Ali", password: { [SIG]: SECRET, value: "p" } }));
    req.setRandomseed("c2VlZA==");
    const { err, resp } = await invoke(service.check, req);
    expect(err).toBeNull();
    expect(calls).toEqual([
      ["check", URN, {}, { localPart: "Ali", password: { [SIG]: SECRET, value: "p" } }],
    ]);
    expect(resp.toObject().failuresList).toEqual([
      { property: "localPart", reason: "localPart must be lower case, got Ali" },
    ]);
    expect(
      (resp as unknown as InstanceType<typeof provproto.CheckResponse>).getInputs()?.toJavaScript(),
    ).toEqual({ localPart: "Ali" });
  });

  it("Diff answers with the runtime's field-level diff of a Mailbox", async () => {
    const service = providerService(new MailplaneProvider("0.0.0-test"));
    const { err, resp } = await invoke(
      service.diff,
      diffRequest(mailbox, { ...mailbox, name: "Ali Alavi-Rostami" }),
    );
    expect(err).toBeNull();
    const o = resp.toObject();
    expect(o.changes).toBe(2);
    expect(o.diffsList).toEqual(["name"]);
    expect(o.replacesList).toEqual([]);
    expect(Object.fromEntries(o.detaileddiffMap)).toEqual({
      name: { kind: 4, inputdiff: true }, // UPDATE
    });
  });

  it("Diff passes id, URN, old outputs, new inputs, and the old inputs when the engine sent them", async () => {
    const seen: unknown[][] = [];
    const { service } = recorder({
      diff: async (...args: unknown[]) => {
        seen.push(args);
        return { changes: false };
      },
    });
    const req = diffRequest({ name: "live" }, { name: "new" });
    await invoke(service.diff, req);
    req.setOldInputs(toStruct({ name: "declared" }));
    const { resp } = await invoke(service.diff, req);
    expect(seen).toEqual([
      ["migadu/acme.com/ali", URN, { name: "live" }, { name: "new" }, undefined],
      ["migadu/acme.com/ali", URN, { name: "live" }, { name: "new" }, { name: "declared" }],
    ]);
    expect(resp.toObject().changes).toBe(1); // DIFF_NONE
  });

  it("Diff refuses a rename Migadu cannot make, with the runtime's message", async () => {
    const service = providerService(new MailplaneProvider("0.0.0-test"));
    const olds = { mailProvider: "migadu", domain: "acme.com", localPart: "ali", name: "A" };
    const { err } = await invoke(
      service.diff,
      diffRequest(olds, { ...olds, localPart: "ali.alavi" }),
    );
    expect(err?.code).toBe(grpc.status.UNKNOWN);
    expect(err?.details).toMatch(
      /^mailbox ali@acme\.com at migadu: migadu cannot rename a mailbox in place \(ali@acme\.com at migadu → ali\.alavi@acme\.com at migadu\)\. Nothing was changed\./,
    );
  });

  it("Create in a preview answers the inputs (unknowns and secrets as sent) without creating", async () => {
    const { service, calls } = recorder();
    const inputs = { localPart: "ali", name: UNKNOWN, password: { [SIG]: SECRET, value: "p" } };
    const req = new provproto.CreateRequest();
    req.setUrn(URN);
    req.setProperties(toStruct(inputs));
    req.setPreview(true);
    const { err, resp } = await invoke(service.create, req);
    expect(err).toBeNull();
    expect(calls).toEqual([]);
    const r = resp as unknown as InstanceType<typeof provproto.CreateResponse>;
    expect(r.getId()).toBe("");
    expect(r.getProperties()?.toJavaScript()).toEqual(inputs);
  });

  it("Create answers the provider's id and outputs, leaving out undefined values", async () => {
    const { service, calls } = recorder({
      create: async (urn: string, inputs: unknown) => {
        calls.push(["create", urn, inputs]);
        return { id: "migadu/acme.com/ali", outs: { a: 1, gone: undefined, list: [undefined] } };
      },
    });
    const req = new provproto.CreateRequest();
    req.setUrn(URN);
    req.setProperties(toStruct({ localPart: "ali" }));
    const { err, resp } = await invoke(service.create, req);
    expect(err).toBeNull();
    expect(calls).toEqual([["create", URN, { localPart: "ali" }]]);
    const r = resp as unknown as InstanceType<typeof provproto.CreateResponse>;
    expect(r.getId()).toBe("migadu/acme.com/ali");
    expect(r.getProperties()?.toJavaScript()).toEqual({ a: 1, list: [null] });
  });

  it("a provider's error is the call's status: UNKNOWN with its message, nothing else", async () => {
    const { service } = recorder({
      create: async () => {
        throw new Error("mailbox ali@acme.com at migadu: quota exceeded. Nothing was changed.");
      },
      delete: async () => {
        throw "a string"; // not an Error
      },
    });
    const req = new provproto.CreateRequest();
    req.setUrn(URN);
    req.setProperties(toStruct({}));
    expect(await invoke(service.create, req)).toEqual({
      err: {
        code: grpc.status.UNKNOWN,
        details: "mailbox ali@acme.com at migadu: quota exceeded. Nothing was changed.",
      },
      resp: undefined,
    });
    const del = new provproto.DeleteRequest();
    del.setId("x");
    del.setUrn(URN);
    expect((await invoke(service.delete, del)).err).toEqual({
      code: grpc.status.UNKNOWN,
      details: "a string",
    });
  });

  it("Read of an import (no properties) passes {} and answers id, outputs and inputs", async () => {
    const { service, calls } = recorder({
      read: async (id: string, urn: string, props?: unknown) => {
        calls.push(["read", id, urn, props]);
        return { id, props: { name: "Bob" }, inputs: { name: "Bob", localPart: "bob" } };
      },
    });
    const req = new provproto.ReadRequest();
    req.setId("migadu/acme.com/bob");
    req.setUrn(URN);
    const { err, resp } = await invoke(service.read, req);
    expect(err).toBeNull();
    expect(calls).toEqual([["read", "migadu/acme.com/bob", URN, {}]]);
    const r = resp as unknown as InstanceType<typeof provproto.ReadResponse>;
    expect(r.getId()).toBe("migadu/acme.com/bob");
    expect(r.getProperties()?.toJavaScript()).toEqual({ name: "Bob" });
    expect(r.getInputs()?.toJavaScript()).toEqual({ name: "Bob", localPart: "bob" });
  });

  it("Read of an unknown type fails naming the type and what the plugin serves", async () => {
    const service = providerService(new MailplaneProvider("0.0.0-test"));
    const req = new provproto.ReadRequest();
    req.setId("x");
    req.setUrn("urn:pulumi:dev::acme::mailplane:index:Nope::x");
    const { err } = await invoke(service.read, req);
    expect(err?.details).toBe(
      'the mailplane provider has no resource type "mailplane:index:Nope"; it serves: ' +
        "mailplane:index:Mailbox, mailplane:index:Alias, mailplane:index:MailGroup, " +
        "mailplane:index:CatchAll, mailplane:index:DomainAlias, mailplane:index:ZoneFile, " +
        "mailplane:index:DkimKey, mailplane:index:PowerDnsRecords",
    );
  });

  it("Update in a preview answers the new inputs without updating; otherwise the provider's outputs", async () => {
    const { service, calls } = recorder();
    const req = new provproto.UpdateRequest();
    req.setId("migadu/acme.com/ali");
    req.setUrn(URN);
    req.setOlds(toStruct({ name: "A" }));
    req.setNews(toStruct({ name: UNKNOWN }));
    req.setPreview(true);
    const preview = await invoke(service.update, req);
    expect(calls).toEqual([]);
    expect(
      (preview.resp as unknown as InstanceType<typeof provproto.UpdateResponse>)
        .getProperties()
        ?.toJavaScript(),
    ).toEqual({ name: UNKNOWN });
    req.setPreview(false);
    req.setNews(toStruct({ name: "B" }));
    const real = await invoke(service.update, req);
    expect(calls).toEqual([["update", "migadu/acme.com/ali", URN, { name: "A" }, { name: "B" }]]);
    expect(
      (real.resp as unknown as InstanceType<typeof provproto.UpdateResponse>)
        .getProperties()
        ?.toJavaScript(),
    ).toEqual({ updated: true });
  });

  it("Update in a preview answers the provider's previewUpdate when it has one, never updating", async () => {
    const { service, calls } = recorder({
      previewUpdate: async (id: string, urn: string, olds: unknown, news: unknown) => {
        calls.push(["previewUpdate", id, urn, olds, news]);
        return { outs: { name: "A", publicKey: "MIIB", gone: undefined } };
      },
    });
    const req = new provproto.UpdateRequest();
    req.setId("dkim/acme.com");
    req.setUrn(URN);
    req.setOlds(toStruct({ name: "A", publicKey: "MIIB", __provider: "exports.handler = …" }));
    req.setNews(toStruct({ name: "A" }));
    req.setPreview(true);
    const { err, resp } = await invoke(service.update, req);
    expect(err).toBeNull();
    expect(calls).toEqual([
      [
        "previewUpdate",
        "dkim/acme.com",
        URN,
        { name: "A", publicKey: "MIIB", __provider: "exports.handler = …" },
        { name: "A" },
      ],
    ]);
    expect(
      (resp as unknown as InstanceType<typeof provproto.UpdateResponse>)
        .getProperties()
        ?.toJavaScript(),
    ).toEqual({ name: "A", publicKey: "MIIB" });
  });

  it("Delete passes the id, URN and outputs; Cancel reaches the provider", async () => {
    const { service, calls } = recorder();
    const req = new provproto.DeleteRequest();
    req.setId("migadu/acme.com/ali");
    req.setUrn(URN);
    req.setProperties(toStruct({ address: "ali@acme.com" }));
    expect((await invoke(service.delete, req)).err).toBeNull();
    expect((await invoke(service.cancel, {})).err).toBeNull();
    expect(calls).toEqual([
      ["delete", "migadu/acme.com/ali", URN, { address: "ali@acme.com" }],
      ["cancel"],
    ]);
  });

  it("GetMapping and GetMappings have no mappings; Attach is accepted", async () => {
    const { service } = recorder();
    expect(
      (await invoke(service.getMapping, new provproto.GetMappingRequest())).resp.toObject(),
    ).toEqual({
      provider: "",
      data: "",
    });
    expect(
      (await invoke(service.getMappings, new provproto.GetMappingsRequest())).resp.toObject(),
    ).toEqual({ providersList: [] });
    expect((await invoke(service.attach, new plugproto.PluginAttach())).err).toBeNull();
  });

  it("Invoke, Call, Construct and Parameterize are UNIMPLEMENTED, saying what is missing", async () => {
    const { service } = recorder();
    const inv = new provproto.InvokeRequest();
    inv.setTok("mailplane:index:getMailbox");
    const call = new provproto.CallRequest();
    call.setTok("mailplane:index:Mailbox/suspend");
    const con = new provproto.ConstructRequest();
    con.setType("mailplane:index:MailDomain");
    const U = grpc.status.UNIMPLEMENTED;
    expect((await invoke(service.invoke, inv)).err).toEqual({
      code: U,
      details:
        'Invoke is not implemented: the provider has no functions (asked for "mailplane:index:getMailbox")',
    });
    expect((await invoke(service.call, call)).err).toEqual({
      code: U,
      details:
        'Call is not implemented: the provider has no methods (asked for "mailplane:index:Mailbox/suspend")',
    });
    expect((await invoke(service.construct, con)).err).toEqual({
      code: U,
      details:
        'Construct is not implemented: the provider has no component resources (asked for "mailplane:index:MailDomain")',
    });
    expect((await invoke(service.parameterize, new provproto.ParameterizeRequest())).err).toEqual({
      code: U,
      details: "Parameterize is not implemented: the provider takes no parameters",
    });
    const emitted: unknown[] = [];
    service.list({ emit: (...a: unknown[]) => void emitted.push(a) });
    expect(emitted).toEqual([
      ["error", { code: U, details: "List is not implemented: the provider lists no resources" }],
    ]);
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
