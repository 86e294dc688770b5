/**
 * Generated display names (any Unicode, right-to-left and combining marks included) of 1–64
 * UTF-8 bytes round-trip byte for byte through the adapter and the emulator; longer ones are
 * refused before any request with the byte count.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TencentExmailEmulator } from "../../../../test/emulators/tencent-exmail";
import type { TencentExmailProvider } from "../../src/mail/tencent-exmail";
import { tencentExmailSetup } from "./harness";

let emu: TencentExmailEmulator;
let provider: TencentExmailProvider;
let domain: string;
beforeAll(async () => {
  ({ emu, provider, domain } = await tencentExmailSetup());
});
afterAll(() => emu.stop());

const bytes = (s: string) => Buffer.byteLength(s, "utf8");
/** Names from several scripts, without control characters or lone surrogates. */
const name = fc
  .array(
    fc.oneof(
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 }),
      fc.constantFrom("张三", "علی", "Zoë", "Åström", "Núñez", "מרים", "ท", "e\u0301", " "),
    ),
    { minLength: 1, maxLength: 10 },
  )
  .map((parts) => parts.join(""))
  .filter((s) => s.trim() !== "" && !/\p{Cc}/u.test(s) && !/[\uD800-\uDFFF]/u.test(s));

describe("tencentExmail names (generated)", () => {
  it("round-trips every name of 1–64 bytes and refuses longer ones before a request", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(name, async (value) => {
        const localPart = `u${n++}`;
        const input = {
          domain,
          localPart,
          name: value,
          suspended: false,
          aliases: [],
          forwardTo: [],
          password: "Pw0123456789",
        };
        const before = emu.count("POST /user/create");
        if (bytes(value) > 64) {
          await expect(provider.createMailbox(input)).rejects.toThrow(
            `name ${JSON.stringify(value)} is ${bytes(value)} bytes in UTF-8`,
          );
          expect(emu.count("POST /user/create")).toBe(before);
          return;
        }
        await provider.createMailbox(input);
        const stored = emu.user(`${localPart}@${domain}`)!.name;
        const read = (await provider.getMailbox(domain, localPart))!.name;
        expect(Buffer.from(stored).equals(Buffer.from(value))).toBe(true);
        expect(Buffer.from(read).equals(Buffer.from(value))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
