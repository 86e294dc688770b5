/**
 * Eventual consistency across processes: `pulumi up` writes in one provider process and the next
 * command (`preview --refresh`, `refresh`, the next `up`) runs in a new one, which has no record
 * of the write. An object the domain's list shows exists, so a 404 from a read of it is Google not
 * having caught up. Found by the engine test (test/engine/google.test.ts) with the emulator's lag
 * switched on: the members of a listed group failed the refresh, an update of a user created by
 * the previous `up` failed as "not a user", and a removal's suspension was silently skipped.
 */
import { afterEach, expect, it, vi } from "vitest";
import type { GoogleDirectoryEmulator } from "../../../../test/emulators/google-directory";
import {
  createGoogleWorkspaceProvider,
  type GoogleWorkspaceProvider,
} from "../../src/mail/google-workspace";
import { ADMIN, SERVICE_ACCOUNT, googleWorkspaceSetup } from "../contract/google-workspace-harness";

let emu: GoogleDirectoryEmulator | undefined;
afterEach(() => emu?.stop());

/** Ali and the group info (ali) written by one process; an adapter of a new process. */
async function writtenByAnotherProcess(): Promise<{
  next: GoogleWorkspaceProvider;
  domain: string;
}> {
  const s = await googleWorkspaceSetup({ lag: 2 });
  emu = s.emu;
  await s.provider.createMailbox({
    domain: s.domain,
    localPart: "ali",
    name: "Ali Alavi",
    suspended: false,
    aliases: [],
    forwardTo: [],
    password: "Pw-0123456789",
  });
  // omar is in no group: nothing reads him after his create, so his reads are still lagging.
  await s.provider.createMailbox({
    domain: s.domain,
    localPart: "omar",
    name: "Omar Haddad",
    suspended: false,
    aliases: [],
    forwardTo: [],
    password: "Pw-0123456789",
  });
  await s.provider.createGroup({ domain: s.domain, localPart: "info", members: ["ali@acme.test"] });
  // A new provider process: fresh modules, so no record of the writes above.
  vi.resetModules();
  const fresh = await import("../../src/mail/google-workspace/index.js");
  expect(fresh.createGoogleWorkspaceProvider).not.toBe(createGoogleWorkspaceProvider);
  const next = fresh.createGoogleWorkspaceProvider({
    apiUrl: emu.url,
    tokenUrl: emu.tokenUrl,
    adminEmail: ADMIN,
    customerId: "my_customer",
    serviceAccountKey: { client_email: SERVICE_ACCOUNT, private_key: s.privatePem },
    readCacheTtlMs: 0,
    consistency: { baseDelayMs: 2, maxDelayMs: 10 },
  });
  emu.resetLog();
  return { next, domain: s.domain };
}

it("a new process lists a group created moments ago by another, retrying its members' 404s", async () => {
  const { next, domain } = await writtenByAnotherProcess();
  expect(await next.listGroups(domain)).toEqual([
    { domain, localPart: "info", name: "info", members: ["ali@acme.test"] },
  ]);
  // The members were read three times: two 404s (the lag), then the list.
  expect(emu!.countsByRoute()["GET /groups/:groupKey/members"]).toBe(3);
});

it("a new process suspends a user another created moments ago (one PUT, not skipped)", async () => {
  const { next, domain } = await writtenByAnotherProcess();
  const state = await next.updateMailbox(domain, "omar", { suspended: true });
  expect(state.suspended).toBe(true);
  expect(emu!.user("omar@acme.test")?.suspended).toBe(true);
  expect(emu!.countsByRoute()["PUT /users/:userKey"]).toBe(1);
  expect(emu!.countsByRoute()["GET /users/:userKey"]).toBe(3);
});

it("a new process changes the members of a group another created moments ago", async () => {
  const { next, domain } = await writtenByAnotherProcess();
  const state = await next.updateGroup(domain, "info", { members: [] });
  expect(state.members).toEqual([]);
  expect(emu!.allGroups().map((g) => [g.email, g.memberEmails])).toEqual([["info@acme.test", []]]);
});

it("a user neither listed nor written recently is missing after one read (no retries)", async () => {
  const { next, domain } = await writtenByAnotherProcess();
  await expect(next.updateMailbox(domain, "nobody", { suspended: true })).rejects.toThrow(
    "googleWorkspace updateMailbox: nobody@acme.test is not a user in Google Workspace",
  );
  expect(emu!.countsByRoute()["GET /users/:userKey"]).toBe(1);
});
