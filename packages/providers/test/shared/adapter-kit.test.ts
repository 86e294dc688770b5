import { afterEach, describe, expect, it } from "vitest";
import { ConflictError, NotFoundError, ProviderError } from "../../src/errors";
import { sharedReadCache } from "../../src/http/read-cache";
import {
  AddressCheck,
  adoptionConflict,
  DomainCache,
  failFor,
  lower,
  sameList,
  sorted,
} from "../../src/mail/shared/adapter-kit";

const thrown = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a throw");
};

describe("list helpers", () => {
  it("sorts distinct values, lower-cases and trims, compares in order", () => {
    expect(sorted(["b", "a", "b"])).toEqual(["a", "b"]);
    expect(lower([" Bo@Acme.com", "al@acme.com", "AL@acme.com "])).toEqual([
      "al@acme.com",
      "bo@acme.com",
    ]);
    expect(sameList(["a", "b"], ["a", "b"])).toBe(true);
    expect(sameList(["a", "b"], ["b", "a"])).toBe(false);
    expect(sameList(["a"], ["a", "a"])).toBe(false);
  });
});

describe("failFor", () => {
  it("throws a ProviderError '<provider> <operation>: <message>'", () => {
    const e = thrown(() => failFor("zoho")("createMailbox", "ali@acme.com has no password"));
    expect(e).toBeInstanceOf(ProviderError);
    expect(e.message).toBe("zoho createMailbox: ali@acme.com has no password");
    expect((e as ProviderError).operation).toBe("createMailbox");
    expect((e as ProviderError).provider).toBe("zoho");
  });
});

describe("adoptionConflict", () => {
  it("is a ConflictError with the vendor's status that ends with how to resolve it", () => {
    const e = adoptionConflict("zoho", "createMailbox", 400, "ali@acme.com already exists");
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.status).toBe(400);
    expect(e.message).toBe(
      "zoho createMailbox: ali@acme.com already exists; declare it as it exists " +
        "(Mailplane adopts identical accounts) or choose another address",
    );
  });
});

describe("AddressCheck", () => {
  it("returns the lower-case domain, local part and address", () => {
    const check = new AddressCheck("migadu", "acme.com");
    expect(check.address(" Acme.COM ", "Ali.Alavi", "getMailbox")).toEqual({
      d: "acme.com",
      lp: "ali.alavi",
      address: "ali.alavi@acme.com",
    });
  });

  it("refuses another domain than the configured one, naming both", () => {
    const e = thrown(() =>
      new AddressCheck("migadu", "acme.com").domain("other.com", "listAliases"),
    );
    expect(e.message).toBe(
      'migadu listAliases: domain "other.com" is not the configured domain "acme.com"',
    );
  });

  it("refuses a domain that is not punycode, and checks it before the local part", () => {
    const check = new AddressCheck("googleWorkspace", undefined);
    expect(thrown(() => check.address("bücher.de", "bad local", "createGroup")).message).toBe(
      'googleWorkspace createGroup: domain "bücher.de" is not a punycode domain name',
    );
  });

  it("takes a display name with something besides spaces", () => {
    const check = new AddressCheck("zoho", undefined);
    expect(check.name("updateMailbox", "ali@acme.com", "Ali")).toBe("Ali");
    for (const bad of ["", "  ", undefined]) {
      expect(thrown(() => check.name("updateMailbox", "ali@acme.com", bad)).message).toBe(
        "zoho updateMailbox: ali@acme.com: name must be a non-empty display name",
      );
    }
  });

  it("refuses a local part in the provider's wording", () => {
    expect(
      thrown(() => new AddressCheck("migadu", undefined).localPart("a b", "getAlias")).message,
    ).toBe('migadu getAlias: local part "a b" is not an RFC 5321 dot-atom');
    expect(
      thrown(() =>
        new AddressCheck("zoho", undefined, "a valid local part").localPart(".x", "getGroup"),
      ).message,
    ).toBe('zoho getGroup: local part ".x" is not a valid local part');
  });
});

describe("DomainCache and its lists", () => {
  const cache = new DomainCache("kit-test", 60_000);
  afterEach(() => sharedReadCache.invalidate("kit-test"));

  it("loads a domain's list once, keyed, and writes through puts, renames and removals", async () => {
    const users = cache.list<{ email: string; n: number }>("users", (u) => u.email.toLowerCase());
    let loads = 0;
    const load = async () => {
      loads += 1;
      return [
        { email: "Ali@acme.com", n: 1 },
        { email: "bo@acme.com", n: 2 },
      ];
    };
    const [a, b] = await Promise.all([users.get("acme.com", load), users.get("acme.com", load)]);
    expect(a).toBe(b);
    expect([...a.keys()]).toEqual(["ali@acme.com", "bo@acme.com"]);
    users.put("acme.com", { email: "cy@acme.com", n: 3 }, "bo@acme.com");
    users.remove("acme.com", "ali@acme.com");
    const after = await users.get("acme.com", load);
    expect([...after.entries()]).toEqual([["cy@acme.com", { email: "cy@acme.com", n: 3 }]]);
    expect(loads).toBe(1);
    expect(sharedReadCache.peek("kit-test acme.com users")).toBeDefined();
    users.invalidate("acme.com");
    expect(users.peek("acme.com")).toBeUndefined();
    await users.get("acme.com", load);
    expect(loads).toBe(2);
  });

  it("deletes: NotFound counts as done and keeps the list; another failure drops it and throws", async () => {
    const groups = cache.list<string>("groups", (g) => g);
    await groups.get("acme.com", async () => ["a@acme.com"]);
    const gone = new NotFoundError({ provider: "kit", operation: "deleteGroup", status: 404 });
    await groups.deleting("acme.com", () => Promise.reject(gone));
    expect(groups.peek("acme.com")).toBeDefined();
    const boom = new ProviderError({ provider: "kit", operation: "deleteGroup", status: 500 });
    await expect(groups.deleting("acme.com", () => Promise.reject(boom))).rejects.toBe(boom);
    expect(groups.peek("acme.com")).toBeUndefined();
  });

  it("keeps single values under '<prefix> <domain> <what>' and never caches a put without a read", async () => {
    cache.set("acme.com", "members g@acme.com", ["x@acme.com"]);
    expect(sharedReadCache.peek("kit-test acme.com members g@acme.com")).toBeUndefined();
    const got = await cache.value("acme.com", "members g@acme.com", async () => ["a@acme.com"]);
    expect(got).toEqual(["a@acme.com"]);
    cache.set("acme.com", "members g@acme.com", ["b@acme.com"]);
    expect(await cache.value("acme.com", "members g@acme.com", async () => [])).toEqual([
      "b@acme.com",
    ]);
    cache.invalidate("acme.com", "members g@acme.com");
    expect(sharedReadCache.peek("kit-test acme.com members g@acme.com")).toBeUndefined();
  });
});
