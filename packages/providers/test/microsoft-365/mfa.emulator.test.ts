/**
 * `require2fa` on Microsoft 365: membership of one security group that a Conditional Access
 * policy targets (the binding's `mfa`), on the Graph emulator.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SKU_E3 } from "../../../../test/emulators/microsoft-graph";
import { failure, graphSetup, person, providerOn, type GraphSetup } from "./harness";

let s: GraphSetup | undefined;
afterEach(async () => {
  await s?.emu.stop();
  s = undefined;
});

const securityGroups = (setup: GraphSetup) =>
  setup.emu.listGroups().filter((g) => g.securityEnabled && !g.mailEnabled);

describe("microsoft365 require2fa", () => {
  it("with createPolicy: one security group and one policy, created once, members added", async () => {
    s = await graphSetup({ mfa: { createPolicy: true } }, { replicationLag: 1 });
    expect(s.provider.capabilities.require2fa).toBe(true);
    const ali = await s.provider.createMailbox(person("ali", { require2fa: true }));
    await s.provider.createMailbox(person("bob", { require2fa: true }));
    const cem = await s.provider.createMailbox(person("cem"));
    // The state a write returns says it too (the runtime records it as an output).
    expect([ali.twoFactorEnforced, cem.twoFactorEnforced]).toEqual([true, false]);
    const groups = securityGroups(s);
    expect(groups.map((g) => [g.mailNickname, g.groupTypes, g.mail])).toEqual([
      ["mailplane-require-mfa", [], null],
    ]);
    expect(s.emu.memberUpns(groups[0]!.id)).toEqual(["ali@acme.test", "bob@acme.test"]);
    const policies = s.emu.listPolicies();
    expect(policies.map((p) => [p.displayName, p.state, p.conditions, p.grantControls])).toEqual([
      [
        "Mailplane: require multi-factor authentication",
        "enabled",
        {
          clientAppTypes: ["all"],
          applications: { includeApplications: ["All"] },
          users: { includeGroups: [groups[0]!.id] },
        },
        { operator: "OR", builtInControls: ["mfa"] },
      ],
    ]);
    expect(s.emu.count("POST /v1.0/groups")).toBe(1);
    expect(s.emu.count("POST /v1.0/identity/conditionalAccess/policies")).toBe(1);
    // Turned off: the member is removed; on again: added.
    expect(
      (await s.provider.updateMailbox("acme.test", "bob", { require2fa: false })).twoFactorEnforced,
    ).toBe(false);
    await s.provider.updateMailbox("acme.test", "cem", { require2fa: true });
    expect(s.emu.memberUpns(groups[0]!.id)).toEqual(["ali@acme.test", "cem@acme.test"]);
    // Reads report membership as twoFactorEnforced.
    expect(
      (await s.provider.listMailboxes("acme.test")).map((m) => [m.localPart, m.twoFactorEnforced]),
    ).toEqual([
      ["ali", true],
      ["bob", false],
      ["cem", true],
    ]);
  });

  it("a new adapter finds Mailplane's group and policy again instead of creating them twice", async () => {
    s = await graphSetup({ mfa: { createPolicy: true } });
    await s.provider.createMailbox(person("ali", { require2fa: true }));
    // Another adapter on the same tenant (another pulumi process).
    await providerOn(s, { mfa: { createPolicy: true } }).createMailbox(
      person("bob", { require2fa: true }),
    );
    expect(securityGroups(s)).toHaveLength(1);
    expect(s.emu.listPolicies()).toHaveLength(1);
    expect(s.emu.memberUpns(securityGroups(s)[0]!.id)).toEqual(["ali@acme.test", "bob@acme.test"]);
  });

  it("with groupId: manages that security group's members and creates no policy", async () => {
    s = await graphSetup();
    const mfaUsers = s.emu.putSecurityGroup("mfa-users", "MFA users");
    const provider = providerOn(s, { mfa: { groupId: mfaUsers.id } });
    expect(provider.capabilities.require2fa).toBe(true);
    // Before any write, reading creates nothing and reports nobody enforced.
    s.emu.putUser("zed@acme.test", "Zed", SKU_E3);
    expect((await provider.getMailbox("acme.test", "zed"))?.twoFactorEnforced).toBe(false);
    await provider.createMailbox(person("ali", { require2fa: true }));
    expect(s.emu.memberUpns(mfaUsers.id)).toEqual(["ali@acme.test"]);
    expect((await provider.getMailbox("acme.test", "ali"))?.twoFactorEnforced).toBe(true);
    expect(s.emu.listPolicies()).toEqual([]);
    expect(s.emu.count("POST /v1.0/groups")).toBe(0);
  });

  it("refuses require2fa without mfa, and a groupId that is not a security group, changing nothing", async () => {
    s = await graphSetup();
    expect(s.provider.capabilities.require2fa).toBe(false);
    const e = await failure(s.provider.createMailbox(person("ali", { require2fa: true })));
    expect(e.message).toBe(
      'microsoft365 createMailbox: ali@acme.test: require2fa: multi-factor sign-in is enforced by a Conditional Access policy in Microsoft 365, not a user field; set mfa: { groupId: "<id of the security group your policy targets>" } or mfa: { createPolicy: true } on providers.microsoft365, or remove require2fa',
    );
    expect(s.emu.listUsers()).toEqual([]);
    const team = s.emu.putGroup("team", "Team", []);
    const provider = providerOn(s, { mfa: { groupId: team.id } });
    const emu = s.emu;
    emu.putUser("bob@acme.test", "Bob", SKU_E3);
    const wrong = await failure(provider.updateMailbox("acme.test", "bob", { require2fa: true }));
    expect(wrong.message).toBe(
      `microsoft365 updateMailbox: mfa.groupId ${team.id} (Team) is not a security group; a Conditional Access policy targets security groups`,
    );
    expect(emu.memberUpns(team.id)).toEqual([]);
  });
});
