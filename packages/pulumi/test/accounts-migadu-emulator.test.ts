import { describe, expect, it } from "vitest";
import type { MigaduEmulator } from "../../../test/emulators/migadu";
import {
  alias,
  mailbox,
  migaduAdapterEntry,
  registerMailAdapter,
  resetConnections,
  forgetClaims,
} from "../src/runtime/index";
import { useMigaduEmulator } from "./migadu-emulator-setup";

let emu: MigaduEmulator;
let apiUrl: string;
useMigaduEmulator("emulator-key-4f1d9c", (e, url) => {
  emu = e;
  apiUrl = url;
});

async function checked(news: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { inputs, failures } = await mailbox.check({}, news);
  expect(failures).toEqual([]);
  return inputs;
}

describe("Mailbox provider against the Migadu emulator over HTTP", () => {
  const base = {
    mailProvider: "migadu",
    domain: "acme.com",
    name: "Alice Liddell",
    recoveryEmail: "it@acme.org",
  };

  it("creates, refreshes from one list, updates, suspends on removal, deletes only on request", async () => {
    const inputs = await checked({
      ...base,
      apiUrl,
      localPart: "alice",
      aliases: ["liddell"],
      password: "Str0ng-initial-pass",
    });
    const { id, outs } = await mailbox.create(inputs);
    expect(id).toBe("migadu/acme.com/alice");
    expect(emu.mailbox("acme.com", "alice")?.name).toBe("Alice Liddell");
    expect(emu.passwordOf("acme.com", "alice")).toBe("Str0ng-initial-pass");
    expect(outs).toMatchObject({
      address: "alice@acme.com",
      aliases: ["liddell"],
      suspended: false,
    });
    expect(JSON.stringify(outs)).not.toContain("Str0ng-initial-pass");

    const bob = await mailbox.create(
      await checked({ ...base, apiUrl, localPart: "bob", name: "Bob" }),
    );
    resetConnections();
    registerMailAdapter(
      "migadu",
      migaduAdapterEntry({ budget: { ratePerSecond: 1000, burst: 1000 } }),
    );
    emu.resetLog();
    const reads = await Promise.all([
      mailbox.read(id, { ...outs }),
      mailbox.read(bob.id, { ...bob.outs }),
    ]);
    expect(reads.map((r) => r.props?.address)).toEqual(["alice@acme.com", "bob@acme.com"]);
    // One refresh of both: the list endpoints, never one GET per mailbox.
    expect(Object.keys(emu.countsByRoute()).filter((r) => r.includes(":local_part"))).toEqual([]);

    const renamed = await checked({
      ...base,
      apiUrl,
      localPart: "alice",
      name: "Alice L.",
      aliases: ["liddell"],
    });
    const { outs: updated } = await mailbox.update(id, { ...outs }, renamed);
    expect(updated.name).toBe("Alice L.");
    expect(emu.mailbox("acme.com", "alice")?.name).toBe("Alice L.");

    forgetClaims(); // removed from code in a later deployment
    await mailbox.delete(id, { ...updated });
    expect(emu.mailbox("acme.com", "alice")).toMatchObject({
      may_send: false,
      may_access_imap: false,
      may_receive: true,
    });

    await mailbox.delete(bob.id, { ...bob.outs, onDelete: "delete" });
    expect(emu.mailbox("acme.com", "bob")).toBeUndefined();
  });

  it("adopts an identical mailbox and reports a different one as a Conflict", async () => {
    const inputs = await checked({ ...base, apiUrl, localPart: "carol", name: "Carol" });
    await mailbox.create(inputs);
    resetConnections();
    registerMailAdapter(
      "migadu",
      migaduAdapterEntry({ budget: { ratePerSecond: 1000, burst: 1000 } }),
    );
    expect((await mailbox.create(inputs)).id).toBe("migadu/acme.com/carol");
    resetConnections();
    registerMailAdapter(
      "migadu",
      migaduAdapterEntry({ budget: { ratePerSecond: 1000, burst: 1000 } }),
    );
    await expect(mailbox.create({ ...inputs, name: "Caroline" })).rejects.toThrow(
      'mailbox carol@acme.com already exists at migadu and differs from the declaration: name "Carol" at the provider, "Caroline" declared. Nothing was changed. Make the declaration match what exists (create then adopts it without writing, or `pulumi import` adopts it by id) and change it in a later update.',
    );
  });

  it("refuses a rename at preview (Migadu cannot rename a mailbox)", async () => {
    const inputs = await checked({ ...base, apiUrl, localPart: "dave", name: "Dave" });
    const { outs } = await mailbox.create(inputs);
    await expect(
      mailbox.diff("migadu/acme.com/dave", { ...outs }, { ...inputs, localPart: "david" }),
    ).rejects.toThrow("migadu cannot rename a mailbox in place");
  });

  it("offboards on removal: suspended, forwarding kept", async () => {
    const inputs = await checked({
      ...base,
      apiUrl,
      localPart: "erin",
      name: "Erin",
      suspended: true,
      forwardTo: ["boss@acme.com"],
      keepUntil: "2027-03-31",
    });
    const { outs } = await mailbox.create(inputs);
    expect(outs.forwardTo).toEqual(["boss@acme.com"]);
    forgetClaims(); // removed from code in a later deployment
    await mailbox.delete("migadu/acme.com/erin", { ...outs });
    expect(emu.mailbox("acme.com", "erin")).toMatchObject({ may_send: false, may_receive: true });
    expect(emu.forwardings("acme.com", "erin").map((f) => f.address)).toEqual(["boss@acme.com"]);
  });

  it("aliases round-trip", async () => {
    const { inputs } = await alias.check(
      {},
      {
        mailProvider: "migadu",
        apiUrl,
        domain: "acme.com",
        localPart: "info",
        destinations: ["alice@acme.com"],
      },
    );
    const { id, outs } = await alias.create(inputs);
    expect(
      emu
        .aliases("acme.com")
        .filter((a) => a.local_part === "info")
        .map((a) => [a.local_part, a.destinations]),
    ).toEqual([["info", ["alice@acme.com"]]]);
    forgetClaims(); // removed from code in a later deployment
    await alias.delete(id, { ...outs });
    expect(emu.aliases("acme.com").filter((a) => a.local_part === "info")).toEqual([]);
  });
});
