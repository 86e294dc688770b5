/**
 * The Microsoft 365 adapter on the Graph emulator (test/emulators/microsoft-graph.ts), as a
 * contract harness. Deliveries and counts are read from the emulator's own state: each Microsoft
 * 365 group's address with its members' addresses; a mailbox is a live user with a mailbox.
 */
import { GraphEmulator, SKU_E3 } from "../../../../test/emulators/microsoft-graph";
import {
  createMicrosoft365Provider,
  type Microsoft365MailboxInput,
  type Microsoft365Provider,
  type Microsoft365ProviderConfig,
} from "../../src/mail/microsoft-365";
import type { Harness } from "../contract/mail-provider";

/** What the harness's emulator and provider were built with. */
export interface GraphSetup {
  emu: GraphEmulator;
  provider: Microsoft365Provider;
  domain: string;
  clientSecret: string;
}

/**
 * A started emulator and an adapter on it; `config` overrides the adapter's settings;
 * `exchange` turns on the Exchange opt-in (the emulator's InvokeCommand route).
 */
export async function graphSetup(
  config: Partial<Microsoft365ProviderConfig> = {},
  emulator: ConstructorParameters<typeof GraphEmulator>[0] = {},
  exchange = false,
): Promise<GraphSetup> {
  const domain = "acme.test";
  const clientSecret = "contract~secret~0123456789abcdef";
  const emu = new GraphEmulator({ domains: [domain], clientSecret, maxPageSize: 10, ...emulator });
  const url = await emu.start();
  const provider = createMicrosoft365Provider({
    tenantId: emu.tenantId,
    clientId: emu.clientId,
    clientSecret,
    domain,
    usageLocation: "DE",
    licences: { default: SKU_E3 },
    apiUrl: `${url}/v1.0`,
    authorityUrl: url,
    budget: { ratePerSecond: 1000, burst: 1000 },
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
    readCacheTtlMs: 0,
    ...(exchange ? { exchange: { apiUrl: `${url}/adminapi/beta` } } : {}),
    ...config,
  });
  return { emu, provider, domain, clientSecret };
}

/** A person's mailbox input at acme.test, with overrides. */
export const person = (localPart: string, extra: Partial<Microsoft365MailboxInput> = {}) => ({
  domain: "acme.test",
  localPart,
  name: `Person ${localPart}`,
  suspended: false,
  aliases: [] as string[],
  forwardTo: [] as string[],
  password: `Pw-${localPart}-0123456789`,
  ...extra,
});

/** The error a promise rejects with; fails the test when it resolves. */
export const failure = (p: Promise<unknown>): Promise<Error> =>
  p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e as Error,
  );

/** Another adapter on a running emulator (another pulumi process), with `config` overrides. */
export function providerOn(
  setup: GraphSetup,
  config: Partial<Microsoft365ProviderConfig> = {},
): Microsoft365Provider {
  return createMicrosoft365Provider({
    tenantId: setup.emu.tenantId,
    clientId: setup.emu.clientId,
    clientSecret: setup.clientSecret,
    domain: setup.domain,
    usageLocation: "DE",
    licences: { default: SKU_E3 },
    apiUrl: `${setup.emu.url}/v1.0`,
    authorityUrl: setup.emu.url,
    budget: { ratePerSecond: 1000, burst: 1000 },
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
    readCacheTtlMs: 0,
    ...config,
  });
}

/**
 * The contract harness: users a, b, c and z exist unlicensed (directory users, no mailbox).
 * `replicationLag`: how many requests naming an object just created miss it (see the emulator).
 */
export async function microsoft365Harness(replicationLag = 0, exchange = false): Promise<Harness> {
  const { emu, provider, domain, clientSecret } = await graphSetup(
    {},
    // With Exchange, a fresh mailbox is also missed by the cmdlets until it is provisioned.
    { replicationLag, exchangeMailboxLag: exchange ? replicationLag : 0 },
    exchange,
  );
  for (const lp of ["a", "b", "c", "z"]) emu.putUser(`${lp}@${domain}`, `Member ${lp}`);
  const routes = {
    createMailbox: "/v1.0/users",
    createAlias: "/v1.0/users", // never used: the adapter has no aliases
    createGroup: "/v1.0/groups",
  } as const;
  return {
    provider,
    domain,
    pageSize: 10,
    // Groups, and with Exchange each mailbox's secondary addresses (smtp:) delivering to it.
    deliveries: async () => ({ ...emu.groupDeliveries(), ...emu.aliasDeliveries() }),
    mailboxCount: async (lp) =>
      emu
        .listUsers()
        .filter((u) => u.userPrincipalName.toLowerCase() === `${lp}@${domain}` && u.mail !== null)
        .length,
    handMade: async (lp, destinations) => {
      emu.putGroup(lp, lp, destinations);
    },
    dropAfterWrite: (operation) => {
      emu.inject({ kind: "drop", when: "after", method: "POST", route: routes[operation] });
    },
    leakSecrets: async () => {
      const password = 'Pw"with/€-and-more';
      emu.inject({
        kind: "status",
        status: 400,
        method: "POST",
        route: routes.createMailbox,
        body: {
          error: {
            code: "Request_BadRequest",
            message: `password ${password} refused for client secret ${clientSecret}`,
          },
          echoed: { password, secret: encodeURIComponent(clientSecret) },
        },
      });
      const error = await provider
        .createMailbox({
          domain,
          localPart: "leaky",
          name: "Leaky",
          suspended: false,
          aliases: [],
          forwardTo: [],
          password,
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      return { error, secrets: [password, clientSecret] };
    },
    close: () => emu.stop(),
  };
}
