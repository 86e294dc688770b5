import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { googleDisplayName, googleNameParts } from "../../src/mail/google-workspace";

const latinWord = fc.stringMatching(/^[A-Za-zÀ-ÿ'-]{1,12}$/);
const hanName = fc
  .array(fc.integer({ min: 0x4e00, max: 0x9fa5 }), { minLength: 2, maxLength: 4 })
  .map((cps) => String.fromCodePoint(...cps));

describe("googleWorkspace name parts", () => {
  it("a name of several words reads back from its parts alone (a user made in the console)", () => {
    fc.assert(
      fc.property(fc.array(latinWord, { minLength: 2, maxLength: 5 }), (words) => {
        const name = words.join(" ");
        const parts = googleNameParts(name);
        expect(parts.familyName).toBe(words.at(-1));
        expect(googleDisplayName({ name: parts })).toBe(name);
      }),
      { numRuns: 2000 },
    );
  });

  it("a Han name of 2–4 characters is family name first and reads back from its parts", () => {
    fc.assert(
      fc.property(hanName, (name) => {
        const parts = googleNameParts(name);
        expect(parts.familyName + parts.givenName).toBe(name);
        expect([...parts.familyName]).toHaveLength([...name].length === 4 ? 2 : 1);
        expect(googleDisplayName({ name: parts })).toBe(name);
      }),
      { numRuns: 2000 },
    );
  });

  it("the display name, when Google holds one, wins over the parts", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60 }), (name) => {
        const parts = googleNameParts(name.trim() === "" ? "x" : name);
        expect(googleDisplayName({ name: { ...parts, displayName: name } })).toBe(name);
      }),
    );
  });

  it("one word is both parts (Google requires both); a repeated word stays two words", () => {
    expect(googleNameParts("Ali")).toEqual({ givenName: "Ali", familyName: "Ali" });
    expect(googleDisplayName({ name: { givenName: "Ali", familyName: "Ali" } })).toBe("Ali Ali");
    expect(
      googleDisplayName({ name: { givenName: "Ali", familyName: "Ali", displayName: "Ali" } }),
    ).toBe("Ali");
  });
});
