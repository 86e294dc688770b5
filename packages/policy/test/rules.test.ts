import { parseMailDomain } from "@mailplane/core";
import { describe, expect, it } from "vitest";
import {
  deleteAllowlist,
  dmarcMinimum,
  mailboxDepartment,
  mtaStsMinimum,
  noExternalForwarding,
  roleAddressesRouted,
  temporaryAliasExpiry,
  type DeclaredDomain,
} from "../src";

/** A declaration as MailDomain publishes it: core's parsed spec. */
const spec = (over: Record<string, unknown> = {}): DeclaredDomain =>
  parseMailDomain({
    domain: "acme.com",
    policy: { dmarc: { policy: "reject" }, mtaSts: { mode: "testing" } },
    mailboxes: {
      ali: { name: "Ali Alavi", department: "Management", profile: "executive" },
      zs: { name: "Zhang San", department: "Sales", profile: "staff" },
    },
    profiles: { executive: {}, staff: {} },
    postmaster: "ali",
    abuse: "ali",
    ...over,
  }) as unknown as DeclaredDomain;

describe("dmarc-minimum-policy", () => {
  it.each([
    [{ policy: "reject" }, {}, []],
    [{ policy: "quarantine" }, {}, []],
    [
      { policy: "none" },
      {},
      ['acme.com: policy.dmarc.policy is "none"; allowed: "quarantine" or stricter'],
    ],
    [
      { policy: "quarantine" },
      { minimum: "reject" },
      ['acme.com: policy.dmarc.policy is "quarantine"; allowed: "reject"'],
    ],
    [
      { policy: "reject", subdomainPolicy: "none" },
      {},
      ['acme.com: policy.dmarc.subdomainPolicy is "none"; allowed: "quarantine" or stricter'],
    ],
    [{ policy: "none" }, { minimum: "none" }, []],
  ] as const)("dmarc %j, config %j", (dmarc, config, want) => {
    expect(dmarcMinimum(spec({ policy: { dmarc } }), config)).toEqual(want);
  });

  it("a domain without DMARC fails", () => {
    expect(dmarcMinimum({ domain: "acme.com" })).toEqual([
      'acme.com: policy.dmarc is not set (no DMARC record); allowed: "quarantine" or stricter',
    ]);
  });
});

describe("mta-sts-minimum-mode", () => {
  it.each([
    ["testing", {}, []],
    ["enforce", {}, []],
    ["none", {}, ['acme.com: policy.mtaSts.mode is "none"; allowed: "testing" or stricter']],
    [
      "testing",
      { minimum: "enforce" },
      ['acme.com: policy.mtaSts.mode is "testing"; allowed: "enforce"'],
    ],
  ] as const)("mode %s, config %j", (mode, config, want) => {
    expect(
      mtaStsMinimum(spec({ policy: { dmarc: { policy: "reject" }, mtaSts: { mode } } }), config),
    ).toEqual(want);
  });

  it("no MTA-STS fails", () => {
    expect(mtaStsMinimum(spec({ policy: { dmarc: { policy: "reject" } } }))).toEqual([
      'acme.com: policy.mtaSts is not set (no MTA-STS); allowed: "testing" or stricter',
    ]);
  });
});

describe("role-addresses-routed", () => {
  it("postmaster and abuse by the top-level fields, an alias, a shared address or a mailbox alias", () => {
    expect(roleAddressesRouted(spec())).toEqual([]);
    expect(
      roleAddressesRouted(
        spec({
          postmaster: undefined,
          abuse: undefined,
          aliases: { abuse: "ali" },
          shared: { postmaster: { members: ["ali"] } },
        }),
      ),
    ).toEqual([]);
    expect(
      roleAddressesRouted(
        spec({
          postmaster: undefined,
          abuse: undefined,
          mailboxes: { ali: { name: "A", department: "M", aliases: ["postmaster", "abuse"] } },
        }),
      ),
    ).toEqual([]);
  });

  it("routed only by the catch-all fails unless allowCatchAll; the list is configurable", () => {
    const s = spec({ abuse: undefined, catchAll: "ali" });
    expect(roleAddressesRouted(s)).toEqual([
      'acme.com: abuse@acme.com is routed only by the catch-all; allowed: an explicit route (`abuse: "<handle>"`, or an alias, group or shared address named abuse), or allowCatchAll: true in the policy config',
    ]);
    expect(roleAddressesRouted(s, { allowCatchAll: true })).toEqual([]);
    expect(roleAddressesRouted(s, { addresses: ["postmaster"] })).toEqual([]);
    // Core refuses an unrouted abuse@; a hand-made declaration can still lack one.
    expect(roleAddressesRouted({ domain: "acme.com" }, { addresses: ["security"] })).toEqual([
      'acme.com: security@acme.com is not routed; allowed: declare it (`security: "<handle>"`, or an alias, group or shared address named security)',
    ]);
  });
});

describe("mailbox-delete-allowlist", () => {
  const withDelete = spec({
    mailboxes: {
      temp: { name: "Temp", department: "Ops", onDelete: "delete", localPart: "t.emp" },
      ali: { name: "Ali", department: "M" },
    },
  });
  it("onDelete delete fails unless the handle or address is listed", () => {
    expect(deleteAllowlist(withDelete)).toEqual([
      'acme.com: mailboxes.temp.onDelete is "delete"; allowed: "suspend", or list "temp" in allowDelete of the policy config',
    ]);
    expect(deleteAllowlist(withDelete, { allowDelete: ["temp"] })).toEqual([]);
    expect(deleteAllowlist(withDelete, { allowDelete: ["T.EMP@acme.com"] })).toEqual([]);
    expect(deleteAllowlist(withDelete, { allowDelete: ["ali"] })).toHaveLength(1);
  });
});

describe("no-external-forwarding", () => {
  const leaver = (profile: string, forwardTo: string) =>
    spec({
      mailboxes: {
        ali: { name: "Ali", department: "M", profile: "executive" },
        old: {
          name: "Old",
          department: "M",
          profile,
          offboard: { forwardTo, keepUntil: "2027-03-31" },
        },
      },
    });
  it("an executive forwarding outside fails; inside, a handle, staff or an internal domain pass", () => {
    expect(noExternalForwarding(leaver("executive", "old@gmail.example"))).toEqual([
      'acme.com: mailboxes.old (profile "executive") forwards to old@gmail.example, outside the organisation; allowed: acme.com',
    ]);
    expect(noExternalForwarding(leaver("executive", "ali"))).toEqual([]);
    expect(noExternalForwarding(leaver("executive", "ali@acme.com"))).toEqual([]);
    expect(noExternalForwarding(leaver("staff", "old@gmail.example"))).toEqual([]);
    expect(
      noExternalForwarding(leaver("staff", "old@gmail.example"), { profiles: ["staff"] }),
    ).toHaveLength(1);
    expect(
      noExternalForwarding(leaver("executive", "old@acme-group.example"), {
        internalDomains: ["acme-group.example"],
      }),
    ).toEqual([]);
  });
});

describe("mailbox-department", () => {
  it("a mailbox without department is named", () => {
    expect(mailboxDepartment(spec())).toEqual([]);
    expect(
      mailboxDepartment(spec({ mailboxes: { x: { name: "X" } }, postmaster: "x", abuse: "x" })),
    ).toEqual(["acme.com: mailboxes.x.department is not set; allowed: a department name"]);
  });
});

describe("temporary-alias-expiry", () => {
  const s = spec({
    aliases: {
      hr: "ali",
      launch: { to: ["zs"], expires: "2027-01-31" },
      old: { to: ["zs"], expires: "2026-12-31" },
    },
  });
  it("expires within maxDays of today (config today, or the clock)", () => {
    expect(temporaryAliasExpiry(s, { today: "2026-12-01" })).toEqual([]);
    expect(temporaryAliasExpiry(s, { today: "2026-12-01", maxDays: 30 })).toEqual([
      "acme.com: aliases.launch.expires is 2027-01-31; allowed: at most 30 days from 2026-12-01 (2026-12-31 or earlier)",
    ]);
    expect(temporaryAliasExpiry(s, { maxDays: 1 }, new Date("2026-12-30T12:00:00Z"))).toEqual([
      "acme.com: aliases.launch.expires is 2027-01-31; allowed: at most 1 days from 2026-12-30 (2026-12-31 or earlier)",
    ]);
  });
});
