import { describe, expect, it } from "vitest";
import type { MigaduEmulator } from "../../../test/emulators/migadu";
import {
  group,
  migaduAdapterEntry,
  registerMailAdapter,
  resetConnections,
} from "../src/runtime/index";
import { useMigaduEmulator } from "./migadu-emulator-setup";

// The MailGroup runtime with a provider that stores no group name: Migadu, over HTTP.
let emu: MigaduEmulator;
let apiUrl: string;
useMigaduEmulator(
  "emulator-key-group-7c2e",
  (e, url) => {
    emu = e;
    apiUrl = url;
  },
  { readCacheTtlMs: 0 },
);

async function checked(news: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { inputs, failures } = await group.check({}, news);
  expect(failures).toEqual([]);
  return inputs;
}

describe("MailGroup runtime with a provider that stores no group name (Migadu)", () => {
  it("keeps the declared name: no refresh drift, no diff, no Conflict on re-create", async () => {
    const inputs = await checked({
      mailProvider: "migadu",
      apiUrl,
      domain: "acme.com",
      localPart: "all-staff",
      name: "All Staff",
      members: ["zhangsan@acme.com", "ali@acme.com"],
    });
    const { id, outs } = await group.create(inputs);
    expect(id).toBe("migadu/acme.com/all-staff");
    expect(outs).toEqual({
      mailProvider: "migadu",
      apiUrl,
      domain: "acme.com",
      localPart: "all-staff",
      address: "all-staff@acme.com",
      name: "All Staff",
      members: ["ali@acme.com", "zhangsan@acme.com"],
      nameStored: false,
    });
    expect(emu.aliases("acme.com").map((a) => [a.local_part, a.destinations])).toEqual([
      ["all-staff", ["ali@acme.com", "zhangsan@acme.com"]],
    ]);

    // Refresh: the state keeps the name, so nothing drifts.
    resetConnections({ listingTtlMs: 0 });
    registerMailAdapter("migadu", migaduAdapterEntry({ readCacheTtlMs: 0 }));
    const refreshed = await group.read(id, { ...outs });
    expect(refreshed).toEqual({ id, props: outs });
    expect(await group.diff(id, { ...refreshed.props }, inputs)).toEqual({
      changes: false,
      replaces: [],
      detailedDiff: {},
      deleteBeforeReplace: false,
    });

    // A new name alone is not a change the provider could make.
    const renamed = await checked({ ...inputs, name: "Everyone" });
    expect((await group.diff(id, { ...outs }, renamed)).changes).toBe(false);

    // Re-create over the existing alias (lost state): adopted, not a Conflict.
    const again = await group.create(renamed);
    expect(again.outs).toEqual({ ...outs, name: "Everyone" });

    // Members still diff and update; the name is not sent, the declared one is kept.
    const fewer = await checked({ ...renamed, members: ["ali@acme.com", "hr@acme.com"] });
    const diff = await group.diff(id, { ...again.outs }, fewer);
    expect(Object.keys(diff.detailedDiff)).toEqual(["members"]);
    emu.resetLog();
    const { outs: updated } = await group.update(id, { ...again.outs }, fewer);
    expect(updated).toEqual({ ...again.outs, members: ["ali@acme.com", "hr@acme.com"] });
    expect(emu.log.map((r) => `${r.route} ${r.status}`)).toEqual([
      "PUT /domains/:domain/aliases/:local_part 200",
    ]);

    // A conflict is still reported for members that differ, and says nothing about the name.
    const other = await checked({ ...renamed, members: ["someone@acme.com", "else@acme.com"] });
    await expect(group.create(other)).rejects.toThrow(
      'group all-staff@acme.com already exists at migadu and differs from the declaration: members ["ali@acme.com","hr@acme.com"] at the provider, ["else@acme.com","someone@acme.com"] declared. Nothing was changed.',
    );
  });

  it("imports with the local part as name and heals an older state that held another name", async () => {
    emu.putAlias("acme.com", "sales", ["a@acme.com", "b@acme.com"]);
    // An import has no apiUrl in its props: the endpoint comes from MIGADU_API_URL.
    const previous = process.env.MIGADU_API_URL;
    process.env.MIGADU_API_URL = apiUrl;
    let imported: Awaited<ReturnType<typeof group.read>>;
    try {
      imported = await group.read("migadu/acme.com/sales", {});
    } finally {
      if (previous === undefined) delete process.env.MIGADU_API_URL;
      else process.env.MIGADU_API_URL = previous;
    }
    expect(imported).toEqual({
      id: "migadu/acme.com/sales",
      props: {
        mailProvider: "migadu",
        domain: "acme.com",
        localPart: "sales",
        address: "sales@acme.com",
        name: "sales",
        members: ["a@acme.com", "b@acme.com"],
        nameStored: false,
      },
      inputs: {
        mailProvider: "migadu",
        domain: "acme.com",
        localPart: "sales",
        name: "sales",
        members: ["a@acme.com", "b@acme.com"],
      },
    });

    // State written before names were known to be unstored: one update settles it.
    const { nameStored: _n, ...older } = imported.props!;
    const declared = await checked({ ...imported.inputs, name: "Sales team" });
    expect(Object.keys((await group.diff("x", older, declared)).detailedDiff)).toEqual(["name"]);
    emu.resetLog();
    const { outs } = await group.update("x", { ...older, apiUrl }, { ...declared, apiUrl });
    expect(outs).toEqual({ ...imported.props, apiUrl, name: "Sales team" });
    expect(emu.log.map((r) => `${r.route} ${r.status}`)).toEqual([
      "GET /domains/:domain/aliases 200",
    ]);
    expect((await group.diff("x", { ...outs }, { ...declared, apiUrl })).changes).toBe(false);
  });
});
