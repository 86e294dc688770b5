/*
 * Adopting an existing Migadu mailbox needs no password: `mailplane import` declares the
 * mailboxes it finds without one (it cannot read passwords), and `pulumi up` must adopt them
 * with no write request. Creating a missing one without a password or recoveryEmail is still
 * refused, before any write.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MigaduEmulator } from "../../../../test/emulators/migadu";
import { createMigaduProvider } from "../../src";

const DOMAIN = "adopt.test";
const USER = "admin@adopt.test";
const KEY = "mk_live_adoptKey_0123456789";
let emu: MigaduEmulator;
let url: string;

const provider = () =>
  createMigaduProvider({
    baseUrl: url,
    user: USER,
    apiKey: KEY,
    budget: { ratePerSecond: 1000, burst: 1000 },
    readCacheTtlMs: 0,
  });
const base = {
  domain: DOMAIN,
  suspended: false,
  aliases: [] as string[],
  forwardTo: [] as string[],
};

beforeEach(async () => {
  emu = new MigaduEmulator({ user: USER, apiKey: KEY, domains: [DOMAIN], rateLimit: false });
  url = await emu.start();
});
afterEach(async () => {
  await emu.stop();
});

describe("Migadu createMailbox without a password", () => {
  it("adopts an identical existing mailbox with reads only", async () => {
    await provider().createMailbox({
      ...base,
      localPart: "ali",
      name: "Ali",
      password: "Pa55-word-1",
    });
    emu.resetLog();
    const adopted = await provider().createMailbox({ ...base, localPart: "ali", name: "Ali" });
    expect(adopted).toEqual({ ...base, localPart: "ali", name: "Ali" });
    expect(emu.log.filter((l) => l.method !== "GET")).toEqual([]);
    expect(emu.passwordOf(DOMAIN, "ali")).toBe("Pa55-word-1");
  });

  it("refuses to create a missing one, before any write", async () => {
    emu.resetLog();
    await expect(
      provider().createMailbox({ ...base, localPart: "new", name: "New" }),
    ).rejects.toThrow(
      "new@adopt.test has no password; Migadu's invitation flow needs recoveryEmail (the address the invitation is sent to)",
    );
    expect(emu.log.filter((l) => l.method !== "GET")).toEqual([]);
    expect(emu.mailbox(DOMAIN, "new")).toBeUndefined();
  });
});
