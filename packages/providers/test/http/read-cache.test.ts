import { describe, expect, it } from "vitest";
import { ReadCache } from "../../src/http/read-cache";

describe("ReadCache", () => {
  it("coalesces concurrent loads and serves the value for the TTL", async () => {
    const cache = new ReadCache();
    let loads = 0;
    const load = async () => {
      loads += 1;
      await new Promise((r) => setTimeout(r, 10));
      return loads;
    };
    expect(await Promise.all([1, 2, 3].map(() => cache.get("k", 1000, load)))).toEqual([1, 1, 1]);
    expect(await cache.get("k", 1000, load)).toBe(1);
    expect(loads).toBe(1);
  });

  it("does not cache failures or loads invalidated while in flight", async () => {
    const cache = new ReadCache();
    await expect(cache.get("k", 1000, () => Promise.reject(new Error("boom")))).rejects.toThrow(
      "boom",
    );
    expect(cache.size).toBe(0);
    const first = cache.get("a b", 1000, async () => "old");
    cache.invalidate("a ");
    expect(await first).toBe("old");
    expect(await cache.get("a b", 1000, async () => "new")).toBe("new");
  });

  it("reloads after the TTL", async () => {
    const cache = new ReadCache();
    expect(await cache.get("k", 0, async () => 1)).toBe(1);
    await new Promise((r) => setTimeout(r, 2));
    expect(await cache.get("k", 0, async () => 2)).toBe(2);
  });
});

describe("ReadCache write-through", () => {
  it("applies a write to the cached value, and to a load in flight when it arrives", async () => {
    const cache = new ReadCache();
    const loaded = await cache.get("k", 60_000, async () => new Map([["a", 1]]));
    cache.update<Map<string, number>>("k", (m) => {
      m.set("b", 2);
    });
    expect([...(await cache.get("k", 60_000, async () => new Map<string, number>()))]).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
    expect(loaded.get("b")).toBe(2);

    let release!: (m: Map<string, number>) => void;
    const inFlight = cache.get(
      "f",
      60_000,
      () => new Promise<Map<string, number>>((r) => (release = r)),
    );
    cache.update<Map<string, number>>("f", (m) => {
      m.delete("gone");
    });
    cache.update<string[]>("l", () => ["never cached"]);
    release(
      new Map([
        ["gone", 1],
        ["kept", 2],
      ]),
    );
    expect([...(await inFlight).keys()]).toEqual(["kept"]);
    expect([...(await cache.peek<Map<string, number>>("f"))!.keys()]).toEqual(["kept"]);
    expect(cache.peek("l")).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it("replaces a value, ignores expired entries and keeps a failed load uncached", async () => {
    const cache = new ReadCache();
    await cache.get("list", 60_000, async () => ["x"]);
    cache.update<string[]>("list", () => ["y"]);
    expect(await cache.peek("list")).toEqual(["y"]);

    await cache.get("old", 0, async () => [1]);
    await new Promise((r) => setTimeout(r, 2));
    cache.update<number[]>("old", (v) => [...v, 2]);
    expect(cache.peek("old")).toBeUndefined();

    const failing = cache.get<string[]>("bad", 60_000, () => Promise.reject(new Error("boom")));
    cache.update<string[]>("bad", (v) => [...v, "z"]);
    await expect(failing).rejects.toThrow("boom");
    await new Promise((r) => setTimeout(r, 0));
    expect(cache.peek("bad")).toBeUndefined();
  });
});
