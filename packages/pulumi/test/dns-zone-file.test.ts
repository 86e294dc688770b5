import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderZoneFile, type DnsRecord } from "@mailplane/core";
import { zoneFileProviderWithClock } from "@mailplane/pulumi";

// The zone-file provider assigns the SOA serial at write time; the clock is injected.
let now = new Date("2026-03-14T23:59:59Z");
const provider = zoneFileProviderWithClock(() => now);
let dir: string;

const records = (spf: string): DnsRecord[] =>
  [
    { name: "acme.com", type: "MX", ttl: 3600, priority: 10, value: "aspmx1.migadu.com" },
    { name: "acme.com", type: "TXT", ttl: 3600, value: spf },
  ] as DnsRecord[];
const render = (spf = "v=spf1 include:spf.migadu.com ~all", serial?: number) =>
  renderZoneFile(records(spf), "acme.com", serial === undefined ? {} : { serial });
const soaSerial = (text: string) => /\tSOA\t\S+ \S+ (\d+) /.exec(text)![1];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mailplane-zone-serial-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("zone-file provider: SOA serial assigned at write time", () => {
  it("creates with YYYYMMDD01 (UTC), bumps on content changes, keeps it on refresh", async () => {
    const path = join(dir, "acme.com.zone");
    const content = render();
    expect(soaSerial(content)).toBe("1");

    now = new Date("2026-03-14T23:59:59Z");
    const created = await provider.create!({ path, content });
    expect(created).toEqual({ id: path, outs: { path, content, serial: 2026031401 } });
    const written = readFileSync(path, "utf8");
    expect(written.split("\n")[2]).toBe(
      "@\t3600\tIN\tSOA\tns1.acme.com. hostmaster.acme.com. 2026031401 7200 3600 1209600 3600",
    );
    expect(written).toBe(content.replace(" 1 7200 ", " 2026031401 7200 "));

    // Preview: the same declaration is no change; a changed record is.
    const unchanged = { changes: false, replaces: [], deleteBeforeReplace: false };
    expect(await provider.diff!(path, created.outs!, { path, content: render() })).toEqual(
      unchanged,
    );
    const next = render("v=spf1 include:spf.migadu.com -all");
    expect(await provider.diff!(path, created.outs!, { path, content: next })).toEqual({
      ...unchanged,
      changes: true,
    });
    // A state that holds the written text (older versions) is compared without its serial too.
    expect(await provider.diff!(path, { path, content: written }, { path, content })).toEqual(
      unchanged,
    );

    // Refresh: the file's serial is kept, the content is the template; no drift.
    expect(await provider.read!(path, created.outs!)).toEqual({ id: path, props: created.outs! });

    // Same day: old + 1. Next day: the new date. Behind a serial from the future: old + 1.
    const u1 = await provider.update!(path, created.outs!, { path, content: next });
    expect(u1.outs).toEqual({ path, content: next, serial: 2026031402 });
    expect(soaSerial(readFileSync(path, "utf8"))).toBe("2026031402");
    now = new Date("2026-03-15T00:00:00Z");
    const u2 = await provider.update!(path, u1.outs!, { path, content });
    expect(u2.outs).toEqual({ path, content, serial: 2026031501 });
    const future = { path, content: next, serial: 2026031599 };
    expect((await provider.update!(path, future, { path, content })).outs).toEqual({
      path,
      content,
      serial: 2026031600,
    });
    expect(await provider.read!(path, { path, content })).toEqual({
      id: path,
      props: { path, content, serial: 2026031600 },
    });
  });

  it("never moves an existing file's serial backwards on create (a renamed resource)", async () => {
    now = new Date("2026-03-14T08:00:00Z");
    const path = join(dir, "existing.zone");
    const content = render();
    writeFileSync(path, content.replace(/ 1 7200 /, " 2026031405 7200 "));
    // The same zone keeps its serial; a different one gets the next.
    expect((await provider.create!({ path, content })).outs).toEqual({
      path,
      content,
      serial: 2026031405,
    });
    const next = content.replace("~all", "-all");
    expect((await provider.create!({ path, content: next })).outs).toEqual({
      path,
      content: next,
      serial: 2026031406,
    });
    expect(readFileSync(path, "utf8")).toBe(next.replace(/ 1 7200 /, " 2026031406 7200 "));
  });

  it("reports an edited file as drift and treats the declared serial as a floor", async () => {
    now = new Date("2026-03-14T08:00:00Z");
    const path = join(dir, "floor.zone");
    const pinned = render(undefined, 2030010100);
    expect((await provider.create!({ path, content: pinned })).outs).toEqual({
      path,
      content: pinned,
      serial: 2030010100,
    });
    writeFileSync(path, readFileSync(path, "utf8").replace("~all", "+all"));
    const refreshed = await provider.read!(path, { path, content: pinned, serial: 2030010100 });
    expect(refreshed.props).toEqual({
      path,
      content: pinned.replace("~all", "+all"),
      serial: 2030010100,
    });
    expect((await provider.diff!(path, refreshed.props!, { path, content: pinned })).changes).toBe(
      true,
    );
    expect(
      (await provider.update!(path, refreshed.props!, { path, content: pinned })).outs,
    ).toEqual({ path, content: pinned, serial: 2030010101 });
  });

  it("refuses a serial beyond 2^32 - 1 and writes content without SOA verbatim", async () => {
    const path = join(dir, "max.zone");
    await expect(
      provider.update!(
        path,
        { path, content: render(), serial: 4294967295 },
        {
          path,
          content: render("v=spf1 -all"),
        },
      ),
    ).rejects.toThrow(
      `zone file ${path}: the next SOA serial 4294967296 is not allowed; allowed: an integer 0–4294967295 (lower the zone's serial option)`,
    );
    const plain = join(dir, "plain.txt");
    expect(await provider.create!({ path: plain, content: "no soa here\n" })).toEqual({
      id: plain,
      outs: { path: plain, content: "no soa here\n" },
    });
    expect(readFileSync(plain, "utf8")).toBe("no soa here\n");
  });
});
