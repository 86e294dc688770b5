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
