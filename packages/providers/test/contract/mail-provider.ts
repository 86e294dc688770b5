/**
 * The contract every mail provider passes: one data-driven set of tests, gated by capability
 * (dnscontrol's integration tests with `requires(CanUseAlias)` are the model). A provider adds
 * itself with one line: `mailProviderContract("name", () => harness)` in a test file of the tier
 * its test double needs (an emulator, a file, a server).
 *
 * What delivers where, and whether an object exists, is read from the test double itself
 * (`Harness.deliveries`, `Harness.mailboxCount`) wherever the check must not trust the adapter
 * under test.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MailProvider } from "../../src";
import { mailboxInput as person } from "./harness-kit";
import { expectNoSecrets } from "./redaction";

/** A provider under test with its test double. */
export interface Harness {
  provider: MailProvider;
  /** A domain the test double serves. */
  domain: string;
  /** Every address that forwards somewhere (mailboxes' own rows excluded), destinations sorted. */
  deliveries(): Promise<Record<string, string[]>>;
  /** How many mailboxes the test double holds at `localPart`: 0 or 1, never more. */
  mailboxCount(localPart: string): Promise<number>;
  /** Writes an alias directly into the test double, as an admin would by hand. */
  handMade(localPart: string, destinations: string[]): Promise<void>;
  /**
   * How many items one list page of the vendor API holds; the suite lists more than that.
   * @default 50 (for APIs without pagination: a list larger than any page)
   */
  pageSize?: number;
  /**
   * Makes the next write of `operation` fail after the test double applied it (the connection
   * dropped before the answer), when the double can inject faults: the adapter must retry or
   * verify without creating a duplicate.
   */
  dropAfterWrite?(operation: "createMailbox" | "createAlias" | "createGroup"): void;
  /**
   * Makes the test double answer the next write with an error body that echoes the secrets of
   * the request (the mailbox's password, the adapter's credential) in the shapes of
   * `./redaction.ts`, runs that write and returns what it threw, with the secrets in play.
   */
  leakSecrets?(): Promise<{ error: unknown; secrets: string[] }>;
  close(): Promise<void>;
}

const kindOf = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => "resolved",
    (e: unknown) => String((e as { kind?: unknown }).kind ?? (e as Error).name),
  );

/** Registers the contract for one provider. */
export function mailProviderContract(name: string, make: () => Promise<Harness>): void {
  describe(`mail provider contract: ${name}`, () => {
    let h: Harness;
    let p: MailProvider;
    let d: string;
    const at = (lp: string): string => `${lp}@${d}`;
    beforeEach(async () => {
      h = await make();
      p = h.provider;
      d = h.domain;
    });
    afterEach(() => h.close());
    const caps = () => p.capabilities;

    it("creates, reads, updates and deletes a mailbox; get of a missing one is undefined", async () => {
      if (!caps().mailboxes) return expect(caps().mailboxes).toBe(false);
      const created = await p.createMailbox(person(d, "ali", { name: "Ali Alavi" }));
      expect(created).toEqual({
        domain: d,
        localPart: "ali",
        name: "Ali Alavi",
        suspended: false,
        aliases: [],
        forwardTo: [],
        // Reported only by providers that know it (Google's isEnforcedIn2Sv): not enforced here.
        ...("twoFactorEnforced" in created ? { twoFactorEnforced: false } : {}),
      });
      expect(await p.getMailbox(d, "ali")).toEqual(created);
      expect(await p.getMailbox(d, "nobody")).toBeUndefined();
      const updated = await p.updateMailbox(d, "ali", { name: "Ali A." });
      expect(updated).toEqual({ ...created, name: "Ali A." });
      expect(await p.getMailbox(d, "ali")).toEqual(updated);
      await p.deleteMailbox(d, "ali");
      expect(await p.getMailbox(d, "ali")).toBeUndefined();
      expect(await h.mailboxCount("ali")).toBe(0);
      expect(["resolved", "NotFound"]).toContain(await kindOf(p.deleteMailbox(d, "ali")));
    });

    it("lists every mailbox across more than one page, sorted by local part", async () => {
      if (!caps().mailboxes) return;
      const n = (h.pageSize ?? 50) + 7;
      const names = Array.from({ length: n }, (_, i) => `user${String(i).padStart(3, "0")}`);
      for (const lp of names) await p.createMailbox(person(d, lp));
      const listed = await p.listMailboxes(d);
      expect(listed.map((m) => m.localPart).sort()).toEqual(names);
      expect(new Set(listed.map((m) => m.localPart)).size).toBe(n);
      // Creating a page and more (507 for Google, each password hashed with SHA-512 crypt on this
      // machine's two cores) takes more than the default 30 s when the machine is busy.
    }, 120_000);

    it("suspends and reactivates a mailbox, keeping it", async () => {
      if (!caps().mailboxes || !caps().suspend) return;
      await p.createMailbox(person(d, "leaver"));
      expect((await p.updateMailbox(d, "leaver", { suspended: true })).suspended).toBe(true);
      expect((await p.getMailbox(d, "leaver"))?.suspended).toBe(true);
      expect((await p.updateMailbox(d, "leaver", { suspended: false })).suspended).toBe(false);
      expect(await h.mailboxCount("leaver")).toBe(1);
    });

    it("renames a mailbox in place when it can, and has no rename otherwise", async () => {
      if (!caps().mailboxes) return;
      if (!caps().renameInPlace) return expect(p.renameMailbox).toBeUndefined();
      // A provider without mailbox aliases (Microsoft Graph) renames a mailbox that has none.
      const aliases = caps().aliasesPerMailbox > 0 ? ["o.h"] : [];
      await p.createMailbox(person(d, "omar", { aliases }));
      const renamed = await p.renameMailbox!(d, "omar", "omar.haddad");
      expect(renamed.localPart).toBe("omar.haddad");
      // The old address may stay as an alias where the provider keeps it (Google does), so mail
      // to it is not lost; no other alias appears or disappears.
      expect(renamed.aliases.filter((a) => a !== "omar")).toEqual(aliases);
      expect(await p.getMailbox(d, "omar")).toBeUndefined();
      expect(await h.mailboxCount("omar")).toBe(0);
      expect(await h.mailboxCount("omar.haddad")).toBe(1);
      if (aliases.length > 0) {
        expect((await h.deliveries())[at("o.h")]).toEqual([at("omar.haddad")]);
      }
    });

    it("adds, keeps and removes a mailbox's aliases", async () => {
      if (!caps().mailboxes || caps().aliasesPerMailbox < 2) return;
      await p.createMailbox(person(d, "zs", { aliases: ["san"] }));
      expect((await h.deliveries())[at("san")]).toEqual([at("zs")]);
      const two = await p.updateMailbox(d, "zs", { aliases: ["san", "zhang"] });
      expect(two.aliases).toEqual(["san", "zhang"]);
      const kept = await p.updateMailbox(d, "zs", { aliases: ["zhang"], keepAliases: ["san"] });
      expect(kept.aliases).toEqual(["san", "zhang"]);
      const one = await p.updateMailbox(d, "zs", { aliases: ["zhang"] });
      expect(one.aliases).toEqual(["zhang"]);
      expect(await h.deliveries()).toEqual({ [at("zhang")]: [at("zs")] });
    });

    it("creates, reads, updates and deletes a standalone alias", async () => {
      if (!caps().standaloneAliases) return;
      const a = await p.createAlias({
        domain: d,
        localPart: "hr",
        destinations: [at("b"), at("a")],
      });
      expect(a).toEqual({ domain: d, localPart: "hr", destinations: [at("a"), at("b")] });
      expect(await p.getAlias(d, "hr")).toEqual(a);
      expect(await p.getAlias(d, "nobody")).toBeUndefined();
      expect((await p.listAliases(d)).map((x) => x.localPart)).toContain("hr");
      const u = await p.updateAlias(d, "hr", [at("c")]);
      expect(u).toEqual({ domain: d, localPart: "hr", destinations: [at("c")] });
      expect(await h.deliveries()).toEqual({ [at("hr")]: [at("c")] });
      await p.deleteAlias(d, "hr");
      expect(await p.getAlias(d, "hr")).toBeUndefined();
      expect(await h.deliveries()).toEqual({});
    });

    it("creates a group, changes its members and deletes it", async () => {
      if (!caps().groups) return;
      const g = await p.createGroup({
        domain: d,
        localPart: "all-staff",
        name: "All staff",
        members: [at("b"), at("a")],
      });
      expect(g.members).toEqual([at("a"), at("b")]);
      expect((await p.getGroup(d, "all-staff"))?.members).toEqual([at("a"), at("b")]);
      const u = await p.updateGroup(d, "all-staff", { members: [at("a"), at("c")] });
      expect(u.members).toEqual([at("a"), at("c")]);
      expect(await h.deliveries()).toEqual({ [at("all-staff")]: [at("a"), at("c")] });
      await p.deleteGroup(d, "all-staff");
      expect(await p.getGroup(d, "all-staff")).toBeUndefined();
      expect(await h.deliveries()).toEqual({});
    });

    it("sets, replaces and removes the catch-all", async () => {
      if (!caps().catchAll) return expect(p.setCatchAll).toBeUndefined();
      expect(await p.getCatchAll!(d)).toBeUndefined();
      await p.setCatchAll!(d, [at("a")]);
      expect(await p.getCatchAll!(d)).toEqual([at("a")]);
      await p.setCatchAll!(d, [at("b"), at("a")]);
      expect(await p.getCatchAll!(d)).toEqual([at("a"), at("b")]);
      await p.setCatchAll!(d, undefined);
      expect(await p.getCatchAll!(d)).toBeUndefined();
      await p.setCatchAll!(d, undefined); // removing none is not an error
    });

    it("adds and removes a domain alias", async () => {
      if (!caps().domainAliases) return expect(p.addDomainAlias).toBeUndefined();
      const alias = `alias-${d}`;
      await p.addDomainAlias!(d, alias);
      await p.addDomainAlias!(d, alias); // already: nothing changes
      expect(await p.listDomainAliases!(d)).toEqual([alias]);
      await p.removeDomainAlias!(d, alias);
      expect(await p.listDomainAliases!(d)).toEqual([]);
      expect(await kindOf(p.removeDomainAlias!(d, alias))).toBe("NotFound");
    });

    it("answers Conflict for a different existing object and NotFound for a missing one, changing nothing", async () => {
      if (caps().mailboxes) {
        await p.createMailbox(person(d, "ali"));
        expect(await kindOf(p.createMailbox(person(d, "ali", { name: "Someone Else" })))).toBe(
          "Conflict",
        );
        expect((await p.getMailbox(d, "ali"))?.name).toBe("Person ali");
        expect(await kindOf(p.updateMailbox(d, "nobody", { name: "X" }))).toBe("NotFound");
        expect(await h.mailboxCount("ali")).toBe(1);
      }
      if (caps().standaloneAliases) {
        await p.createAlias({ domain: d, localPart: "hr", destinations: [at("a")] });
        const before = await h.deliveries();
        expect(
          await kindOf(p.createAlias({ domain: d, localPart: "hr", destinations: [at("z")] })),
        ).toBe("Conflict");
        expect(await kindOf(p.updateAlias(d, "nobody", [at("a")]))).toBe("NotFound");
        if (caps().mailboxes) {
          expect(
            await kindOf(p.createAlias({ domain: d, localPart: "ali", destinations: [at("a")] })),
          ).toBe("Conflict");
        }
        expect(await h.deliveries()).toEqual(before);
      }
    });

    it("adopts an identical existing account without a duplicate", async () => {
      if (caps().mailboxes) {
        const first = await p.createMailbox(person(d, "ali"));
        expect(await p.createMailbox(person(d, "ali"))).toEqual(first);
        expect(await h.mailboxCount("ali")).toBe(1);
      }
      if (caps().standaloneAliases) {
        const a = await p.createAlias({ domain: d, localPart: "hr", destinations: [at("a")] });
        expect(
          await p.createAlias({ domain: d, localPart: "hr", destinations: [at("a")] }),
        ).toEqual(a);
        expect(await h.deliveries()).toEqual({ [at("hr")]: [at("a")] });
      }
    });

    it("moves an address between kinds without it ever stopping to deliver", async () => {
      if (!caps().standaloneAliases || !caps().groups) return;
      await p.createAlias({ domain: d, localPart: "team", destinations: [at("a"), at("b")] });
      const before = await h.deliveries();
      await p.createGroup({ domain: d, localPart: "team", name: "T", members: [at("b"), at("a")] });
      expect((await p.getGroup(d, "team"))?.members).toEqual([at("a"), at("b")]);
      expect(await h.deliveries()).toEqual(before);
      await p.createAlias({ domain: d, localPart: "team", destinations: [at("a"), at("b")] });
      expect((await p.getAlias(d, "team"))?.destinations).toEqual([at("a"), at("b")]);
      expect(await h.deliveries()).toEqual(before);
      if (!caps().mailboxes || caps().aliasesPerMailbox < 1) return;
      await p.createMailbox(person(d, "ali"));
      await p.createAlias({ domain: d, localPart: "billing", destinations: [at("ali")] });
      const withBilling = await h.deliveries();
      expect((await p.updateMailbox(d, "ali", { aliases: ["billing"] })).aliases).toEqual([
        "billing",
      ]);
      expect(await h.deliveries()).toEqual(withBilling);
      await p.createGroup({ domain: d, localPart: "billing", name: "B", members: [at("ali")] });
      await p.updateMailbox(d, "ali", { aliases: [], keepAliases: ["billing"] });
      expect((await p.getGroup(d, "billing"))?.members).toEqual([at("ali")]);
      expect(await h.deliveries()).toEqual(withBilling);
    });

    it("deleting a mailbox leaves an alias made by hand that delivers only to it", async () => {
      if (!caps().mailboxes) return;
      const aliases = caps().aliasesPerMailbox > 0 ? ["m.g"] : [];
      await p.createMailbox(person(d, "maria", { aliases }));
      await h.handMade("legacy", [at("maria")]);
      // What the runtime does for onDelete: "delete": remove the aliases it declared, then delete.
      await p.updateMailbox(d, "maria", { aliases: [], keepAliases: ["legacy"] });
      await p.deleteMailbox(d, "maria");
      expect(await h.deliveries()).toEqual({ [at("legacy")]: [at("maria")] });
    });

    it("keeps every secret out of an error whose body echoes them", async () => {
      if (h.leakSecrets === undefined) return;
      const { error, secrets } = await h.leakSecrets();
      expect(error).toBeInstanceOf(Error);
      expect(secrets.length).toBeGreaterThan(0);
      expectNoSecrets(error, secrets);
    });

    it("retries a write whose answer was lost without creating a duplicate", async () => {
      if (h.dropAfterWrite === undefined) return;
      if (caps().mailboxes) {
        h.dropAfterWrite("createMailbox");
        const m = await p.createMailbox(person(d, "ali"));
        expect(m.localPart).toBe("ali");
        expect(await h.mailboxCount("ali")).toBe(1);
      }
      if (caps().standaloneAliases) {
        h.dropAfterWrite("createAlias");
        await p.createAlias({ domain: d, localPart: "hr", destinations: [at("a")] });
        expect(await h.deliveries()).toEqual({ [at("hr")]: [at("a")] });
      }
    });
  });
}
