/**
 * `pulumi import` of the account resources other than Mailbox, as the engine calls the runtime:
 * `read(id, {})` with no properties, against the Migadu emulator over HTTP (the endpoint from
 * MIGADU_API_URL, as in a `pulumi import` run: an id holds none). Each import reads only, and its
 * inputs are the ones a program declares for a no-change preview (diff against the outputs).
 * Tests that change the emulator directly use a domain of their own: the Migadu adapter keeps a
 * domain's lists for 2 s in a process-wide cache.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MigaduEmulator } from "../../../test/emulators/migadu";
import { alias, group, mailbox } from "../src/runtime/index";
import { useMigaduEmulator } from "./migadu-emulator-setup";

let emu: MigaduEmulator;
let apiUrl: string;
useMigaduEmulator("emulator-key-import-5b2e", (e, url) => {
  emu = e;
  apiUrl = url;
});

let savedUrl: string | undefined;
beforeEach(() => {
  savedUrl = process.env.MIGADU_API_URL;
  process.env.MIGADU_API_URL = apiUrl;
});
afterEach(() => {
  if (savedUrl === undefined) delete process.env.MIGADU_API_URL;
  else process.env.MIGADU_API_URL = savedUrl;
});

/** The emulator's requests other than GET (an import must send none). */
const writes = () => emu.log.filter((r) => r.method !== "GET").map((r) => r.route);

describe("import by id alone (read with no properties)", () => {
  it("Alias: rebuilds mailProvider, domain, localPart and the sorted destinations", async () => {
    emu.putAlias("acme.com", "press", ["zed@acme.com", "agency@example.com"]);
    emu.resetLog();
    const imported = await alias.read("migadu/acme.com/press", {});
    expect(imported).toEqual({
      id: "migadu/acme.com/press",
      props: {
        mailProvider: "migadu",
        domain: "acme.com",
        localPart: "press",
        address: "press@acme.com",
        destinations: ["agency@example.com", "zed@acme.com"],
      },
      inputs: {
        mailProvider: "migadu",
        domain: "acme.com",
        localPart: "press",
        destinations: ["agency@example.com", "zed@acme.com"],
      },
    });
    expect(writes()).toEqual([]);
    expect(emu.countsByRoute()).toEqual({ "GET /domains/:domain/aliases": 1 });
    // Declared as imported: no change (check normalises the order of destinations).
    const declared = await alias.check(
      {},
      { ...imported.inputs, destinations: ["zed@acme.com", "agency@example.com"] },
    );
    expect(declared.failures).toEqual([]);
    expect(await alias.diff(imported.id!, imported.props!, declared.inputs)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
      detailedDiff: {},
    });
  });

  it("Alias (and Mailbox): one the provider does not hold returns no id; a bad id names the form", async () => {
    expect(await alias.read("migadu/acme.com/nobody", {})).toEqual({});
    expect(await mailbox.read("migadu/acme.com/nobody", {})).toEqual({});
    await expect(alias.read("migadu/acme.com", {})).rejects.toThrow(
      'Alias id "migadu/acme.com" is not <provider>/<domain>/<localPart>, e.g. migadu/acme.com/alice',
    );
    await expect(alias.read("migadu/ACME.com/press", {})).rejects.toThrow(
      'Alias id "migadu/ACME.com/press" is not <provider>/<domain>/<localPart>, e.g. migadu/acme.com/alice',
    );
    await expect(alias.read("/acme.com/press", {})).rejects.toThrow(
      'Alias id "/acme.com/press" is not <provider>/<domain>/<localPart>, e.g. migadu/acme.com/alice',
    );
    expect(writes()).toEqual([]);
  });

  it("MailGroup: a group not held returns no id (a one-destination alias is no group); a bad id names the form", async () => {
    emu.addDomain("groups.test");
    emu.putAlias("groups.test", "solo", ["ali@groups.test"]);
    emu.putAlias("groups.test", "pair", ["ali@groups.test", "zed@groups.test"]);
    expect(await group.read("migadu/groups.test/nobody", {})).toEqual({});
    expect(await group.read("migadu/groups.test/solo", {})).toEqual({});
    // The same read finds a two-destination alias (control: the lists were read).
    expect((await group.read("migadu/groups.test/pair", {})).inputs).toEqual({
      mailProvider: "migadu",
      domain: "groups.test",
      localPart: "pair",
      name: "pair",
      members: ["ali@groups.test", "zed@groups.test"],
    });
    await expect(group.read("migadu/acme.com/a/b", {})).rejects.toThrow(
      'MailGroup id "migadu/acme.com/a/b" is not <provider>/<domain>/<localPart>, e.g. migadu/acme.com/alice',
    );
    expect(writes()).toEqual([]);
  });

  it("an id naming a provider the runtime does not know is refused with the known ones", async () => {
    await expect(alias.read("mailchimp/acme.com/press", {})).rejects.toThrow(
      'mailProvider: "mailchimp" is not a known mail provider; known: ',
    );
  });

  it("Mailbox and Alias of the same domain share one read of the lists", async () => {
    emu.addDomain("both.test");
    emu.putMailbox("both.test", { local_part: "ali", name: "Ali Alavi" });
    emu.putAlias("both.test", "a.alavi", ["ali@both.test"]);
    emu.putAlias("both.test", "team", ["ali@both.test", "zed@both.test"]);
    emu.resetLog();
    const [box, team] = await Promise.all([
      mailbox.read("migadu/both.test/ali", {}),
      alias.read("migadu/both.test/team", {}),
    ]);
    // The mailbox's own alias (one destination: ali) is part of the Mailbox's import.
    expect(box.inputs?.aliases).toEqual(["a.alavi"]);
    expect(team.inputs?.destinations).toEqual(["ali@both.test", "zed@both.test"]);
    expect(emu.countsByRoute()).toEqual({
      "GET /domains/:domain/aliases": 1,
      "GET /domains/:domain/mailboxes": 1,
    });
  });
});
