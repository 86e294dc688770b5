/**
 * `pulumi import` of a CatchAll and a DomainAlias as the engine calls the runtime: `read(id, {})`
 * with no properties. Only the self-hosted adapter has catch-alls and domain aliases; its endpoint
 * (the store locator) is the resource's `apiUrl`, which an id does not hold. So the reads are
 * tested through a provider kind whose endpoint comes from its environment, as Migadu's does
 * (`storeFromEnv`: the self-hosted adapter on a sqlite file, reached without an `apiUrl`), and the
 * `selfHosted` kind's refusal is asserted as it is.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { SELF_HOSTED_CAPABILITIES, SelfHostedProvider } from "@mailplane/providers";
import { catchAll, domainAlias, registerMailAdapter, resetConnections } from "../src/runtime/index";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailplane-import-settings-"));
const store = new SelfHostedProvider({ type: "sqlite", path: path.join(dir, "mail.sqlite") });

afterAll(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  resetConnections();
  registerMailAdapter("storeFromEnv", {
    capabilities: SELF_HOSTED_CAPABILITIES,
    credentials: () => ({}),
    create: () => store,
  });
});

const noChange = { changes: false, replaces: [], deleteBeforeReplace: false, detailedDiff: {} };

describe("import by id alone (read with no properties)", () => {
  it("CatchAll: <provider>/<domain> rebuilds the sorted destinations; none set: no id", async () => {
    await store.setCatchAll("shop.test", ["zed@acme.test", "ali@acme.test"]);
    const imported = await catchAll.read("storeFromEnv/shop.test", {});
    expect(imported).toEqual({
      id: "storeFromEnv/shop.test",
      props: {
        mailProvider: "storeFromEnv",
        domain: "shop.test",
        address: "@shop.test",
        destinations: ["ali@acme.test", "zed@acme.test"],
      },
      inputs: {
        mailProvider: "storeFromEnv",
        domain: "shop.test",
        destinations: ["ali@acme.test", "zed@acme.test"],
      },
    });
    // Declared as imported (any order): no change.
    const declared = await catchAll.check(
      {},
      { ...imported.inputs, destinations: ["zed@acme.test", "ali@acme.test"] },
    );
    expect(declared.failures).toEqual([]);
    expect(await catchAll.diff(imported.id!, imported.props!, declared.inputs)).toEqual(noChange);
    // A domain without a catch-all: nothing to import.
    expect(await catchAll.read("storeFromEnv/empty.test", {})).toEqual({});
    expect(await store.getCatchAll("empty.test")).toBeUndefined();
  });

  it("CatchAll: an id not <provider>/<domain> names the id and the form", async () => {
    for (const id of ["storeFromEnv/shop.test/x", "storeFromEnv", "/shop.test", "s/Shop.test"]) {
      await expect(catchAll.read(id, {})).rejects.toThrow(
        `CatchAll id ${JSON.stringify(id)} is not <provider>/<domain>, e.g. selfHosted/acme.com`,
      );
    }
  });

  it("DomainAlias: <provider>/<domain>/<aliasDomain> rebuilds the link; another domain's alias: no id", async () => {
    await store.addDomainAlias("acme.test", "acme.co");
    const imported = await domainAlias.read("storeFromEnv/acme.test/acme.co", {});
    const link = { mailProvider: "storeFromEnv", domain: "acme.test", aliasDomain: "acme.co" };
    expect(imported).toEqual({ id: "storeFromEnv/acme.test/acme.co", props: link, inputs: link });
    expect(await domainAlias.diff(imported.id!, imported.props!, { ...link })).toEqual(noChange);
    // acme.co is an alias of acme.test, not of other.test; acme.org is no alias at all.
    expect(await domainAlias.read("storeFromEnv/other.test/acme.co", {})).toEqual({});
    expect(await domainAlias.read("storeFromEnv/acme.test/acme.org", {})).toEqual({});
  });

  it("DomainAlias: an id not <provider>/<domain>/<aliasDomain> names the id and the form", async () => {
    for (const id of [
      "storeFromEnv/acme.test",
      "storeFromEnv/acme.test/Acme.co",
      "/a.test/b.test",
    ]) {
      await expect(domainAlias.read(id, {})).rejects.toThrow(
        `DomainAlias id ${JSON.stringify(id)} is not <provider>/<domain>/<aliasDomain>, e.g. selfHosted/acme.com/acme.co`,
      );
    }
  });

  it("selfHosted: an id holds no store locator, so the read by id alone is refused", async () => {
    const refusal =
      "selfHosted: apiUrl must be the store locator, e.g. sqlite:///var/lib/mailplane/mail.sqlite";
    await expect(catchAll.read("selfHosted/shop.test", {})).rejects.toThrow(refusal);
    await expect(domainAlias.read("selfHosted/acme.test/acme.co", {})).rejects.toThrow(refusal);
  });
});
