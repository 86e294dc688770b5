/**
 * The CatchAll and DomainAlias dynamic providers' runtime, called as the Pulumi engine calls it,
 * against the real self-hosted adapter on a sqlite file (the `selfHosted` kind the runtime
 * registers itself).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { migaduCapabilities, SelfHostedProvider, storeToUrl } from "@mailplane/providers";
import {
  alias,
  catchAll,
  domainAlias,
  mailbox,
  registerMailAdapter,
  resetConnections,
  UNKNOWN,
  forgetClaims,
} from "../src/runtime/index";
import { knownProviders } from "./accounts-fake";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailplane-domain-settings-"));
const dbPath = path.join(dir, "mail.sqlite");
const apiUrl = storeToUrl({ type: "sqlite", path: dbPath });
const store = new SelfHostedProvider({ type: "sqlite", path: dbPath });

afterAll(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  resetConnections();
  // A provider kind without catch-all or domain aliases (Migadu's capabilities).
  registerMailAdapter("nodomain", {
    capabilities: migaduCapabilities,
    credentials: () => ({}),
    create: () => store,
  });
});

type Props = Record<string, unknown>;

const shopCatchAll = {
  mailProvider: "selfHosted",
  apiUrl,
  domain: "shop.test",
  destinations: ["bob@acme.test", "ali@acme.test", "bob@acme.test"],
};

async function checkedCatchAll(news: Props = shopCatchAll): Promise<Props> {
  const { inputs, failures } = await catchAll.check({}, news);
  expect(failures).toEqual([]);
  return inputs;
}

describe("CatchAll runtime", () => {
  it("check normalises destinations and names every bad input, the provider kind included", async () => {
    expect(await checkedCatchAll()).toEqual({
      mailProvider: "selfHosted",
      apiUrl,
      domain: "shop.test",
      destinations: ["ali@acme.test", "bob@acme.test"],
    });
    expect(
      (
        await catchAll.check(
          {},
          { mailProvider: "nodomain", domain: "Shop.test", destinations: [] },
        )
      ).failures,
    ).toEqual([
      {
        property: "domain",
        reason:
          'domain must be a lower-case punycode domain name such as acme.com, got "Shop.test"',
      },
      { property: "destinations", reason: "destinations must list at least one address, got []" },
      {
        property: "mailProvider",
        reason: 'mailProvider "nodomain" has no catch-all; declare each address instead',
      },
    ]);
    expect(
      (await catchAll.check({}, { ...shopCatchAll, mailProvider: "gmail", localPart: "x" }))
        .failures,
    ).toEqual([
      {
        property: "localPart",
        reason:
          "localPart is not an input of this resource; allowed: mailProvider, apiUrl, domain, destinations",
      },
      {
        property: "mailProvider",
        reason: `mailProvider: "gmail" is not a known mail provider; known: ${knownProviders("nodomain")}`,
      },
    ]);
    // Preview: unknown values pass through.
    expect(
      await catchAll.check({}, { ...shopCatchAll, mailProvider: UNKNOWN, destinations: UNKNOWN }),
    ).toEqual({
      inputs: { apiUrl, domain: "shop.test", mailProvider: UNKNOWN, destinations: UNKNOWN },
      failures: [],
    });
  });

  it("create, refresh, diff, update, import, delete — against the store", async () => {
    const inputs = await checkedCatchAll();
    const { id, outs } = await catchAll.create(inputs);
    expect(id).toBe("selfHosted/shop.test");
    expect(outs).toEqual({
      mailProvider: "selfHosted",
      apiUrl,
      domain: "shop.test",
      destinations: ["ali@acme.test", "bob@acme.test"],
      address: "@shop.test",
    });
    expect(await store.getCatchAll("shop.test")).toEqual(["ali@acme.test", "bob@acme.test"]);
    // Creating again (a lost state) adopts the identical catch-all.
    expect(await catchAll.create(inputs)).toEqual({ id, outs });
    expect(await catchAll.read(id, { ...outs })).toEqual({ id, props: outs });

    const fewer = await checkedCatchAll({ ...shopCatchAll, destinations: ["bob@acme.test"] });
    expect(await catchAll.diff(id, { ...outs }, fewer)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
      detailedDiff: { destinations: { kind: "update", inputDiff: true } },
    });
    expect(
      await catchAll.diff(
        id,
        { ...outs },
        await checkedCatchAll({ ...shopCatchAll, domain: "x.test" }),
      ),
    ).toEqual({
      changes: true,
      replaces: ["domain"],
      deleteBeforeReplace: false,
      detailedDiff: { domain: { kind: "update-replace", inputDiff: true } },
    });
    expect((await catchAll.diff(id, { ...outs }, inputs)).changes).toBe(false);
    const { outs: updated } = await catchAll.update(id, { ...outs }, fewer);
    expect(updated.destinations).toEqual(["bob@acme.test"]);
    expect(await store.getCatchAll("shop.test")).toEqual(["bob@acme.test"]);

    // A catch-all that differs from the declaration is not taken over.
    await expect(catchAll.create(inputs)).rejects.toMatchObject({
      kind: "Conflict",
      message:
        'the catch-all of shop.test already exists at selfHosted and differs from the declaration: destinations ["bob@acme.test"] at the provider, ["ali@acme.test","bob@acme.test"] declared. Nothing was changed. To adopt it, declare its live destinations (create then adopts it without a write) and change them in a later update.',
    });

    // Reading by id alone rebuilds the inputs (apiUrl comes from the given props).
    expect(await catchAll.read("selfHosted/shop.test", { apiUrl })).toEqual({
      id: "selfHosted/shop.test",
      props: { ...updated },
      inputs: {
        mailProvider: "selfHosted",
        apiUrl,
        domain: "shop.test",
        destinations: ["bob@acme.test"],
      },
    });
    await expect(catchAll.read("shop.test", {})).rejects.toThrow(
      'CatchAll id "shop.test" is not <provider>/<domain>, e.g. selfHosted/acme.com',
    );

    forgetClaims(); // removed from code in a later deployment
    await catchAll.delete(id, { ...updated });
    expect(await store.getCatchAll("shop.test")).toBeUndefined();
    // Gone at the provider: refresh drops it; deleting again is not an error.
    expect(await catchAll.read(id, { ...updated })).toEqual({});
    await catchAll.delete(id, { ...updated });
  });

  it("refuses to run against a provider whose adapter has no catch-all", async () => {
    const noCatchAll = { ...store, getCatchAll: undefined, setCatchAll: undefined };
    registerMailAdapter("bare", {
      capabilities: { ...migaduCapabilities, catchAll: true },
      credentials: () => ({}),
      create: () => noCatchAll as unknown as SelfHostedProvider,
    });
    await expect(
      catchAll.create({ mailProvider: "bare", domain: "shop.test", destinations: ["a@b.test"] }),
    ).rejects.toThrow('mailProvider "bare" has no catch-all');
  });
});

const acmeCo = { mailProvider: "selfHosted", apiUrl, domain: "acme.test", aliasDomain: "acme.co" };

describe("DomainAlias runtime", () => {
  it("check refuses a self-alias, bad domains and providers without domain aliases", async () => {
    expect(await domainAlias.check({}, acmeCo)).toEqual({ inputs: acmeCo, failures: [] });
    expect((await domainAlias.check({}, { ...acmeCo, aliasDomain: "acme.test" })).failures).toEqual(
      [{ property: "aliasDomain", reason: 'aliasDomain must differ from domain, got "acme.test"' }],
    );
    expect(
      (
        await domainAlias.check(
          {},
          { mailProvider: "nodomain", domain: "acme.test", aliasDomain: "ACME.co" },
        )
      ).failures,
    ).toEqual([
      {
        property: "aliasDomain",
        reason:
          'aliasDomain must be a lower-case punycode domain name such as acme.com, got "ACME.co"',
      },
      {
        property: "mailProvider",
        reason:
          'mailProvider "nodomain" has no domain aliases; declare a separate MailDomain for each alias domain',
      },
    ]);
  });

  it("create (idempotent), refresh, diff (delete before replace), import, delete", async () => {
    const { id, outs } = await domainAlias.create(acmeCo);
    expect(id).toBe("selfHosted/acme.test/acme.co");
    expect(outs).toEqual(acmeCo);
    expect(await store.listDomainAliases("acme.test")).toEqual(["acme.co"]);
    expect(await domainAlias.create(acmeCo)).toEqual({ id, outs });
    expect(await domainAlias.read(id, { ...outs })).toEqual({ id, props: acmeCo });
    expect(await domainAlias.diff(id, { ...outs }, { ...acmeCo, domain: "acme.org" })).toEqual({
      changes: true,
      replaces: ["domain"],
      deleteBeforeReplace: true,
      detailedDiff: { domain: { kind: "update-replace", inputDiff: true } },
    });
    expect(await domainAlias.diff(id, { ...outs }, { ...acmeCo })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
      detailedDiff: {},
    });
    // Another domain's alias is not taken over.
    await expect(domainAlias.create({ ...acmeCo, domain: "other.test" })).rejects.toMatchObject({
      kind: "Conflict",
      message: "selfHosted addDomainAlias: acme.co is already an alias of acme.test",
    });
    expect(await domainAlias.read(id, { apiUrl })).toEqual({
      id,
      props: acmeCo,
      inputs: acmeCo,
    });
    await expect(domainAlias.read("selfHosted/acme.test", {})).rejects.toThrow(
      'DomainAlias id "selfHosted/acme.test" is not <provider>/<domain>/<aliasDomain>, e.g. selfHosted/acme.com/acme.co',
    );
    forgetClaims(); // removed from code in a later deployment
    await domainAlias.delete(id, { ...outs });
    expect(await store.listDomainAliases("acme.test")).toEqual([]);
    expect(await domainAlias.read(id, { ...outs })).toEqual({});
    await domainAlias.delete(id, { ...outs });
  });
});

describe("self-hosted store under the engine's concurrency", () => {
  it("runs many creates at once on one sqlite connection (transactions are queued)", async () => {
    const mailboxes = ["m1", "m2", "m3", "m4", "m5", "m6"].map((lp) => ({
      mailProvider: "selfHosted",
      apiUrl,
      domain: "busy.test",
      localPart: lp,
      name: lp.toUpperCase(),
      aliases: [`${lp}.alias`],
      password: `${lp}-password`,
    }));
    const checkedMailboxes = await Promise.all(
      mailboxes.map(async (m) => (await mailbox.check({}, m)).inputs),
    );
    const results = await Promise.all([
      ...checkedMailboxes.map((m) => mailbox.create(m)),
      alias.create({
        mailProvider: "selfHosted",
        apiUrl,
        domain: "busy.test",
        localPart: "team",
        destinations: ["m1@busy.test", "m2@busy.test"],
      }),
      catchAll.create({
        mailProvider: "selfHosted",
        apiUrl,
        domain: "busy.test",
        destinations: ["m1@busy.test"],
      }),
      domainAlias.create({
        mailProvider: "selfHosted",
        apiUrl,
        domain: "busy.test",
        aliasDomain: "busy.co",
      }),
      domainAlias.create({
        mailProvider: "selfHosted",
        apiUrl,
        domain: "busy.test",
        aliasDomain: "busy.io",
      }),
    ]);
    expect(results.map((r) => r.id)).toEqual([
      "selfHosted/busy.test/m1",
      "selfHosted/busy.test/m2",
      "selfHosted/busy.test/m3",
      "selfHosted/busy.test/m4",
      "selfHosted/busy.test/m5",
      "selfHosted/busy.test/m6",
      "selfHosted/busy.test/team",
      "selfHosted/busy.test",
      "selfHosted/busy.test/busy.co",
      "selfHosted/busy.test/busy.io",
    ]);
    expect((await store.listMailboxes("busy.test")).map((m) => [m.localPart, m.aliases])).toEqual([
      ["m1", ["m1.alias"]],
      ["m2", ["m2.alias"]],
      ["m3", ["m3.alias"]],
      ["m4", ["m4.alias"]],
      ["m5", ["m5.alias"]],
      ["m6", ["m6.alias"]],
    ]);
    expect(await store.listDomainAliases("busy.test")).toEqual(["busy.co", "busy.io"]);
    expect(await store.getCatchAll("busy.test")).toEqual(["m1@busy.test"]);
  });
});
