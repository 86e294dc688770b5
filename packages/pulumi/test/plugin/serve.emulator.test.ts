/**
 * The plugin's gRPC server over a real connection: `listen` serves the MailplaneProvider on
 * 127.0.0.1 and a grpc-js client built from @pulumi/pulumi's generated `ResourceProviderClient`
 * calls it as the engine would. Credentials reach the provider only through `Configure`, and the
 * import's `Read` goes to the Migadu emulator with them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MigaduEmulator } from "../../../../test/emulators/migadu";
import { MailplaneProvider } from "../../src/plugin/provider";
import { listen, toStruct, wire, type Listening } from "../../src/plugin/serve";

const { grpc, provrpc, provproto } = wire;
type Client = InstanceType<typeof provrpc.ResourceProviderClient>;
type Status = { code: number; details: string };

const USER = "admin@acme.com";
const API_KEY = "emulator-api-key-5c0ffee42";
const URN = (type: string, name: string) =>
  `urn:pulumi:dev::acme::mailplane:index:${type}::${name}`;
const VERSION = "9.8.7-test";

let emu: MigaduEmulator;
let listening: Listening;
let client: Client;
const saved = { ...process.env };

/** A unary call of the client as a promise. */
function rpc<Res>(method: keyof Client, request: unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    const fn = client[method] as unknown as (
      r: unknown,
      cb: (err: Status | null, resp: Res) => void,
    ) => void;
    fn.call(client, request, (err, resp) => (err === null ? resolve(resp) : reject(err)));
  });
}

/** The status a failed call ended with (code and details only). */
async function failure(p: Promise<unknown>): Promise<Status> {
  try {
    await p;
  } catch (e) {
    const { code, details } = e as Status;
    return { code, details };
  }
  throw new Error("the call succeeded");
}

beforeAll(async () => {
  emu = new MigaduEmulator({
    user: USER,
    apiKey: API_KEY,
    domains: ["acme.com"],
    rateLimit: false,
  });
  process.env.MIGADU_API_URL = await emu.start();
  delete process.env.MIGADU_USER;
  delete process.env.MIGADU_API_KEY;
  listening = await listen(new MailplaneProvider(VERSION));
  client = new provrpc.ResourceProviderClient(
    `127.0.0.1:${listening.port}`,
    grpc.credentials.createInsecure() as never,
  );
});

afterAll(async () => {
  client?.close();
  listening?.server.forceShutdown();
  await emu?.stop();
  for (const k of ["MIGADU_API_URL", "MIGADU_USER", "MIGADU_API_KEY"]) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe.sequential("the plugin's gRPC server, called by a grpc-js client", () => {
  it("listens on 127.0.0.1 at a port of its own", () => {
    expect(listening.port).toBeGreaterThan(0);
    expect(listening.port).toBeLessThan(65536);
  });

  it("Handshake and GetPluginInfo: secrets, resources and outputs accepted; the version", async () => {
    const hs = await rpc<InstanceType<typeof provproto.ProviderHandshakeResponse>>(
      "handshake",
      new provproto.ProviderHandshakeRequest(),
    );
    expect(hs.toObject()).toEqual({
      acceptSecrets: true,
      acceptResources: true,
      acceptOutputs: true,
      supportsAutonamingConfiguration: false,
      acceptsByteString: false,
    });
    const info = await rpc<{ getVersion(): string }>("getPluginInfo", new wire.emptyproto.Empty());
    expect(info.getVersion()).toBe(VERSION);
  });

  it("GetSchema answers the provider's schema for version 0, INVALID_ARGUMENT for 2", async () => {
    const req = new provproto.GetSchemaRequest();
    const resp = await rpc<{ getSchema(): string }>("getSchema", req);
    const schema = JSON.parse(resp.getSchema()) as { name: string; version: string };
    expect(resp.getSchema()).toBe(new MailplaneProvider(VERSION).schema);
    expect([schema.name, schema.version]).toEqual(["mailplane", VERSION]);
    req.setVersion(2);
    expect(await failure(rpc("getSchema", req))).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details: "GetSchema: version must be 0, got 2",
    });
  });

  it("CheckConfig returns the configuration unchanged; DiffConfig answers DIFF_NONE for it", async () => {
    const cfg = { migaduUser: USER, migaduApiKey: API_KEY };
    const check = new provproto.CheckRequest();
    check.setUrn("urn:pulumi:dev::acme::pulumi:providers:mailplane::default");
    check.setOlds(toStruct({}));
    check.setNews(toStruct(cfg));
    const checked = await rpc<InstanceType<typeof provproto.CheckResponse>>("checkConfig", check);
    expect(checked.getInputs()?.toJavaScript()).toEqual(cfg);
    expect(checked.getFailuresList()).toEqual([]);
    const diff = new provproto.DiffRequest();
    diff.setOlds(toStruct(cfg));
    diff.setNews(toStruct(cfg));
    const same = await rpc<InstanceType<typeof provproto.DiffResponse>>("diffConfig", diff);
    expect(same.toObject()).toMatchObject({
      changes: provproto.DiffResponse.DiffChanges.DIFF_NONE,
      replacesList: [],
      diffsList: [],
    });
    diff.setNews(toStruct({ ...cfg, migaduUser: "other@acme.com" }));
    const changed = await rpc<InstanceType<typeof provproto.DiffResponse>>("diffConfig", diff);
    expect(changed.toObject()).toMatchObject({
      changes: provproto.DiffResponse.DiffChanges.DIFF_SOME,
      replacesList: [],
      diffsList: ["migaduUser"],
    });
  });

  it("Read of an import before Configure fails with the runtime's missing-credentials message", async () => {
    const req = new provproto.ReadRequest();
    req.setId("migadu/acme.com/bob");
    req.setUrn(URN("Mailbox", "bob"));
    const f = await failure(rpc("read", req));
    expect(f.code).toBe(grpc.status.UNKNOWN);
    expect(f.details).toContain(
      "migadu credentials missing: set MIGADU_USER in the environment of `pulumi`, or run " +
        "`pulumi config set --secret mailplane:migaduUser <value>`",
    );
  });

  it("Configure passes the variables: the import's Read then reads the live mailbox with them", async () => {
    const conf = new provproto.ConfigureRequest();
    conf.getVariablesMap().set("mailplane:config:migaduUser", USER);
    conf.getVariablesMap().set("mailplane:config:migaduApiKey", API_KEY);
    const configured = await rpc<InstanceType<typeof provproto.ConfigureResponse>>(
      "configure",
      conf,
    );
    expect(configured.toObject()).toEqual({
      acceptsecrets: true,
      acceptresources: true,
      acceptoutputs: true,
      supportspreview: true,
      supportsAutonamingConfiguration: false,
    });
    emu.putMailbox("acme.com", { local_part: "bob", name: "Bob Builder" });
    emu.resetLog();
    // An import: no properties, no inputs.
    const req = new provproto.ReadRequest();
    req.setId("migadu/acme.com/bob");
    req.setUrn(URN("Mailbox", "bob"));
    const read = await rpc<InstanceType<typeof provproto.ReadResponse>>("read", req);
    expect(read.getId()).toBe("migadu/acme.com/bob");
    expect(read.getInputs()?.toJavaScript()).toEqual({
      mailProvider: "migadu",
      domain: "acme.com",
      localPart: "bob",
      name: "Bob Builder",
      suspended: false,
      changePasswordAtNextLogin: false,
      require2fa: false,
      aliases: [],
      forwardTo: [],
      onDelete: "suspend",
      allowRecreate: false,
      shared: false,
    });
    expect(read.getProperties()?.toJavaScript()).toMatchObject({
      address: "bob@acme.com",
      name: "Bob Builder",
    });
    expect(Object.keys(emu.countsByRoute()).filter((k) => !k.startsWith("GET"))).toEqual([]);
  });

  it("Check answers a failure as property and reason", async () => {
    const req = new provproto.CheckRequest();
    req.setUrn(URN("Mailbox", "ali"));
    req.setOlds(toStruct({}));
    req.setNews(
      toStruct({ mailProvider: "migadu", domain: "acme.com", localPart: "Ali Alavi", name: "A" }),
    );
    const resp = await rpc<InstanceType<typeof provproto.CheckResponse>>("check", req);
    expect(resp.toObject().failuresList).toEqual([
      {
        property: "localPart",
        reason:
          'localPart must be a lower-case RFC 5321 dot-atom (a-z 0-9 !#$%&\'*+/=?^_`{|}~- between dots), got "Ali Alavi"',
      },
    ]);
  });

  it("Diff answers the runtime's detailed diff of a Mailbox", async () => {
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
    const req = new provproto.DiffRequest();
    req.setId("migadu/acme.com/ali");
    req.setUrn(URN("Mailbox", "ali"));
    req.setOlds(toStruct(olds));
    req.setNews(toStruct({ ...olds, name: "Ali Alavi-Rostami", aliases: ["ali.alavi"] }));
    const resp = await rpc<InstanceType<typeof provproto.DiffResponse>>("diff", req);
    const o = resp.toObject();
    expect(o.changes).toBe(provproto.DiffResponse.DiffChanges.DIFF_SOME);
    expect(o.hasdetaileddiff).toBe(true);
    expect(o.replacesList).toEqual([]);
    expect(o.diffsList.sort()).toEqual(["aliases", "name"]);
    expect(Object.fromEntries(o.detaileddiffMap)).toEqual({
      aliases: { kind: provproto.PropertyDiff.Kind.UPDATE, inputdiff: true },
      name: { kind: provproto.PropertyDiff.Kind.UPDATE, inputdiff: true },
    });
  });

  it("an RPC the server does not serve is UNIMPLEMENTED: Invoke with its message, StreamInvoke by grpc-js", async () => {
    const inv = new provproto.InvokeRequest();
    inv.setTok("mailplane:index:getMailbox");
    expect(await failure(rpc("invoke", inv))).toEqual({
      code: grpc.status.UNIMPLEMENTED,
      details:
        'Invoke is not implemented: the provider has no functions (asked for "mailplane:index:getMailbox")',
    });
    const raw = client as unknown as {
      makeUnaryRequest(
        path: string,
        ser: (v: Buffer) => Buffer,
        de: (b: Buffer) => Buffer,
        arg: Buffer,
        cb: (err: Status | null) => void,
      ): void;
    };
    const unknown = await new Promise<Status | null>((resolve) =>
      raw.makeUnaryRequest(
        "/pulumirpc.ResourceProvider/StreamInvoke",
        (v) => v,
        (b) => b,
        Buffer.alloc(0),
        (err) => resolve(err),
      ),
    );
    expect(unknown?.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(unknown?.details).toBe(
      "The server does not implement the method /pulumirpc.ResourceProvider/StreamInvoke",
    );
  });
});
