/**
 * The proof that a mail provider is one folder and one registry line: the in-memory provider of
 * packages/providers/test/fixtures/memory is added to a registry with one line, and from that
 * registry come its `providers.memory(...)` binding, the runtime's dispatch and the credential
 * config key `configure` reads. It passes the same contract suite as every provider, and a
 * MailDomain on it creates the same children as on a built-in provider.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mailProviders } from "@mailplane/providers";
import { MailDomain, deriveBindings, dns } from "@mailplane/pulumi";
import {
  memoryDefinition,
  memoryStore,
  MemoryProvider,
} from "../../providers/test/fixtures/memory";
import { mailProviderContract } from "../../providers/test/contract/mail-provider";
import * as runtime from "../src/runtime/index";
import { children, installMocks, registeredAll, valueOf, type Registered } from "./dns-mocks";

/** The one registry line. */
const registry = { ...mailProviders, memory: memoryDefinition };

const providers = deriveBindings(registry);
runtime.registerMailProviders(registry);

let n = 0;
mailProviderContract("memory (one folder, one registry line)", async () => {
  const name = `contract-${++n}`;
  const domain = "acme.test";
  const s = memoryStore(name);
  return {
    provider: new MemoryProvider(name),
    domain,
    deliveries: async () =>
      Object.fromEntries(
        [...s.entries]
          .filter(([, e]) => e.kind !== "mailbox")
          .map(([a, e]) => [a, [...(e as { goto: string[] }).goto].sort()]),
      ),
    mailboxCount: async (lp) => (s.entries.get(`${lp}@${domain}`)?.kind === "mailbox" ? 1 : 0),
    handMade: async (lp, goto) => {
      s.entries.set(`${lp}@${domain}`, { kind: "alias", goto: [...goto].sort() });
    },
    close: async () => {
      s.entries.clear();
    },
  };
});

describe("a MailDomain on the registered in-memory provider", () => {
  let registered: Registered[];
  beforeAll(async () => {
    registered = await installMocks();
    process.env.MEMORY_TOKEN = "t0ken";
  });
  afterAll(() => {
    delete process.env.MEMORY_TOKEN;
  });

  it("creates its accounts as Mailbox/Alias/MailGroup children carrying the provider's endpoint", async () => {
    const domain = new MailDomain("mem", {
      domain: "acme.com",
      dns: dns.zoneFile({ path: "/tmp/mailplane-test/memory/acme.com.zone" }),
      provider: providers.memory({ store: "acme" }),
      mailboxes: { ali: { name: "Ali Alavi", aliases: ["a.alavi"] } },
      groups: { team: { members: ["ali"] } },
      aliases: { hr: "ali" },
      postmaster: "ali",
      abuse: "ali",
    });
    await registeredAll([
      ...Object.values(domain.accounts.mailboxes),
      ...Object.values(domain.accounts.aliases),
      ...Object.values(domain.accounts.groups),
    ]);
    const accounts = children(registered).filter((r) => !r.type.includes("ZoneFile"));
    expect(
      accounts.map((r) => [
        r.type,
        r.name,
        r.inputs.mailProvider,
        r.inputs.apiUrl,
        r.inputs.localPart,
      ]),
    ).toEqual([
      ["mailplane:index:Alias", "mem-alias-abuse", "memory", "memory://acme", "abuse"],
      ["mailplane:index:Alias", "mem-alias-hr", "memory", "memory://acme", "hr"],
      ["mailplane:index:Alias", "mem-alias-postmaster", "memory", "memory://acme", "postmaster"],
      ["mailplane:index:MailGroup", "mem-group-team", "memory", "memory://acme", "team"],
      ["mailplane:index:Mailbox", "mem-mailbox-ali", "memory", "memory://acme", "ali"],
    ]);
    const records = await valueOf(domain.records);
    expect(records.filter((r) => r.type === "MX")).toEqual([
      { name: "acme.com", type: "MX", ttl: 3600, priority: 10, value: "mx.acme.com", role: "mx" },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const zone = children(registered).find((r) => r.type.includes("ZoneFile"))!;
    expect(String(zone.inputs.content)).toContain("@\t3600\tIN\tMX\t10 mx.acme.com.");
    expect(String(zone.inputs.content)).toContain('"memory-verification=acme"');
  });

  it("refuses bad arguments in the declaration's style, naming providers.memory", () => {
    expect(() => providers.memory({ store: "Bad Store" })).toThrow("providers.memory.store");
  });

  it("dispatches the runtime to its adapter, with its credential read at call time", async () => {
    runtime.resetConnections();
    const inputs = {
      mailProvider: "memory",
      apiUrl: "memory://dispatch",
      domain: "acme.com",
      localPart: "ali",
      name: "Ali Alavi",
      password: "Secret-Pw-123",
    };
    const { inputs: checked, failures } = await runtime.mailbox.check({}, inputs);
    expect(failures).toEqual([]);
    const { id } = await runtime.mailbox.create(checked);
    expect(id).toBe("memory/acme.com/ali");
    expect(memoryStore("dispatch").entries.get("ali@acme.com")?.kind).toBe("mailbox");
    delete process.env.MEMORY_TOKEN;
    runtime.resetConnections();
    await runtime.configure({
      config: { get: (k) => (k === "mailplane:memoryToken" ? "cfg" : undefined) },
    });
    // A refresh in a process whose credential comes from `mailplane:memoryToken`.
    const refreshed = await runtime.mailbox.read("memory/acme.com/ali", {
      mailProvider: "memory",
      apiUrl: "memory://dispatch",
      domain: "acme.com",
      localPart: "ali",
    });
    expect(refreshed.props?.name).toBe("Ali Alavi");
    process.env.MEMORY_TOKEN = "t0ken";
  });
});
