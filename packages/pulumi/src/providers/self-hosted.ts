/* eslint-disable @typescript-eslint/no-require-imports -- the serialized provider must require the
   runtime at call time, so state holds a small shim and library upgrades apply to old resources */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  envNameProblem,
  hostNameProblem,
  parseSettings,
  portProblem,
  priorityProblem,
  serverPathProblem,
  setting,
  settingKey,
  showValue,
  spfTermProblem,
  type AccountPlan,
  type ServiceEndpoint,
  type SettingCheck,
} from "@mailplane/core";
import {
  checkDkimSelector,
  dkimTxtValue,
  SELF_HOSTED_CAPABILITIES,
  selfHostedDnsFacts,
  storeToUrl,
  type SelfHostedStoreConfig,
} from "@mailplane/providers";
import { createAccountResources } from "../accounts/create-accounts";
import type {
  AccountChildren,
  AccountScope,
  DnsFactsInput,
  MailProviderBinding,
} from "../provider-binding";

/**
 * The embedded store: a sqlite file, created with its tables when missing. Postfix and Dovecot
 * need read access to the file and its directory.
 * @example providers.selfHosted({ store: sqlite({ path: "/var/lib/mailplane/mail.sqlite" }), mx: "mx.acme.com" })
 */
export function sqlite(args: { path: string }): SelfHostedStoreConfig {
  parseSettings(sqliteArgsSchema, args, ["sqlite"]);
  return { type: "sqlite", path: args.path };
}

/**
 * A PostgreSQL store. A connection string with a password would land in state: give none and
 * let the provider process read `MAILPLANE_PG_URL` (or `connectionStringEnv`) at call time.
 * @example postgres({ connectionString: "postgresql://mailplane@db.internal/mail" })
 */
export function postgres(
  args: { connectionString?: string; connectionStringEnv?: string } = {},
): SelfHostedStoreConfig {
  parseSettings(postgresArgsSchema, args, ["postgres"]);
  return { type: "postgres", ...args };
}

/** A PostgreSQL connection URL: no control characters or spaces, scheme postgres(ql). */
const pgUrlProblem: SettingCheck = (v) =>
  typeof v === "string" && /^postgres(ql)?:\/\/[\x21-\x7e]+$/.test(v)
    ? undefined
    : `${showValue(v)} is not a PostgreSQL URL (got ${showValue(v)}; allowed: a URL such as postgresql://mailplane@db.internal/mail)`;

/** A DKIM selector: one lower-case DNS label. */
const selectorProblem: SettingCheck = (v) =>
  typeof v === "string" && /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(v)
    ? undefined
    : `${showValue(v)} is not a DKIM selector (got ${showValue(v)}; allowed: one lower-case DNS label (letters, digits, inner hyphens; at most 63 characters), e.g. mail2026)`;

const sqliteArgsSchema = z.strictObject({ path: setting(serverPathProblem) });
const postgresArgsSchema = z.strictObject({
  connectionString: setting(pgUrlProblem).optional(),
  connectionStringEnv: setting(envNameProblem).optional(),
});

const endpointSchema = z.strictObject({
  host: setting(hostNameProblem),
  port: setting<number>(portProblem),
  tls: z.enum(["implicit", "starttls"]).optional(),
});

/** The schema of {@link SelfHostedArgs}, checked when `providers.selfHosted` is called. */
export const selfHostedArgsSchema = z.strictObject({
  store: z
    .looseObject({ type: z.enum(["sqlite", "postgres"]) })
    .pipe(
      z.discriminatedUnion("type", [
        sqliteArgsSchema.extend({ type: z.literal("sqlite") }),
        postgresArgsSchema.extend({ type: z.literal("postgres") }),
      ]),
    ),
  mx: z.union([
    settingKey(hostNameProblem),
    z
      .array(
        z.strictObject({
          host: setting(hostNameProblem),
          priority: setting<number>(priorityProblem).optional(),
        }),
      )
      .min(1),
  ]),
  dkim: z
    .strictObject({
      selector: setting(selectorProblem),
      keepSelectors: z.array(setting(selectorProblem)).optional(),
    })
    .optional(),
  imap: endpointSchema.optional(),
  submission: endpointSchema.optional(),
  spfTerms: z.array(setting(spfTermProblem)).optional(),
});

/** Settings of the self-hosted (Postfix + Dovecot + SQL) binding. */
export interface SelfHostedArgs {
  /** Where the accounts are written: {@link sqlite} or {@link postgres}. */
  store: SelfHostedStoreConfig;
  /** The server's MX host(s); a string is one host at preference 10. */
  mx: string | Array<{ host: string; priority?: number }>;
  /**
   * DKIM signing keys, generated with node:crypto (RSA 2048) and kept in state (private key as a
   * secret output). Rotation: set a new `selector` and list the old one in `keepSelectors` until
   * signatures made with it have aged out; removing it from the list deletes its key and record.
   * @default { selector: "mail" }
   * @see https://www.rfc-editor.org/rfc/rfc6376#section-3.6.1
   */
  dkim?: { selector: string; keepSelectors?: string[] };
  /** IMAP endpoint published as `_imaps._tcp` SRV (RFC 6186/8314). @default not published */
  imap?: ServiceEndpoint;
  /** Submission endpoint published as `_submissions._tcp` SRV. @default not published */
  submission?: ServiceEndpoint;
  /**
   * SPF mechanisms of the server, added to the domain's one SPF record.
   * @default ["mx"] (the server sends from its MX hosts)
   */
  spfTerms?: string[];
}

const dkimShim: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return { inputs: news, failures: [] };
  },
  async diff(_id, olds, news) {
    const replace = olds.selector !== news.selector;
    return { changes: replace, replaces: replace ? ["selector"] : [], deleteBeforeReplace: false };
  },
  async create(inputs) {
    const pair = require("@mailplane/pulumi/runtime").generateDkimKeyPair(inputs.selector);
    return {
      id: inputs.selector,
      outs: {
        selector: pair.selector,
        publicKey: pair.publicKey,
        privateKeyPem: pair.privateKeyPem,
      },
    };
  },
};

/**
 * One DKIM key pair generated at create and kept in state: `privateKeyPem` is a secret output,
 * `publicKey` goes into the `<selector>._domainkey` TXT record. A new selector makes a new key.
 */
export class DkimKey extends pulumi.dynamic.Resource {
  declare public readonly selector: pulumi.Output<string>;
  declare public readonly publicKey: pulumi.Output<string>;
  declare public readonly privateKeyPem: pulumi.Output<string>;

  constructor(name: string, args: { selector: string }, opts?: pulumi.CustomResourceOptions) {
    super(
      dkimShim,
      name,
      { selector: args.selector, publicKey: undefined, privateKeyPem: undefined },
      { ...opts, additionalSecretOutputs: ["privateKeyPem"] },
      "mailplane",
      "DkimKey",
    );
  }
}

/** The binding `providers.selfHosted` returns, with the DKIM keys it created. */
export interface SelfHostedBinding extends MailProviderBinding {
  /** DKIM keys by selector, once MailDomain asked for the DNS facts. */
  readonly dkimKeys: Record<string, DkimKey>;
}

/**
 * Puts a domain's accounts on your own Postfix + Dovecot server through their SQL store
 * (PostfixAdmin-compatible tables). Accounts go through the Mailbox/Alias/MailGroup resources;
 * the provider process reaches the store from the flat `apiUrl` locator (`sqlite:///path`,
 * `postgresql://user@host/db` or `postgresql+env://MAILPLANE_PG_URL`). The Postfix and Dovecot
 * configuration for the store comes from `mailServerConfig` in `@mailplane/providers`.
 *
 * @example
 * new MailDomain("acme", {
 *   domain: "acme.com",
 *   dns: dns.powerDns({ apiUrl: "http://ns1.internal:8081" }),
 *   provider: providers.selfHosted({ store: sqlite({ path: "/var/lib/mailplane/mail.sqlite" }), mx: "mx.acme.com" }),
 * });
 */
export function selfHosted(args: SelfHostedArgs): SelfHostedBinding {
  parseSettings(selfHostedArgsSchema, args, ["providers", "selfHosted"]);
  const locator = storeToUrl(args.store);
  const selector = checkDkimSelector(args.dkim?.selector ?? "mail");
  const selectors = [
    ...new Set([selector, ...(args.dkim?.keepSelectors ?? []).map(checkDkimSelector)]),
  ];
  const mx = typeof args.mx === "string" ? [{ host: args.mx }] : args.mx;
  const dkimKeys: Record<string, DkimKey> = {};
  // The same facts for the domain and its aliases; the DKIM keys are created once.
  const factsFor = (scope: AccountScope): DnsFactsInput => {
    for (const s of selectors) {
      dkimKeys[s] ??= new DkimKey(
        `${scope.name}-dkim-${s}`,
        { selector: s },
        { parent: scope.parent },
      );
    }
    // Plain facts with the DKIM values pending: the keys are generated at `up`, but the
    // records (named by selector) are registered now and show in the first preview.
    const facts = selfHostedDnsFacts({
      mx,
      dkim: selectors.map((s) => ({ selector: s, publicKey: "" })),
      imap: args.imap,
      submission: args.submission,
      spfTerms: args.spfTerms,
    });
    return {
      ...facts,
      dkim: facts.dkim.map((k) => ({
        ...k,
        value: dkimKeys[k.selector]!.publicKey.apply(dkimTxtValue),
      })),
    };
  };
  return {
    kind: "selfHosted",
    capabilities: SELF_HOSTED_CAPABILITIES,
    dkimKeys,
    dnsFacts: (_domain: string, scope: AccountScope): DnsFactsInput => factsFor(scope),
    // The server signs a domain alias's mail with the same DKIM keys: the alias zone publishes
    // them under the same selectors, next to the same MX, SPF and client discovery.
    aliasDnsFacts: (_aliasDomain: string, scope: AccountScope): DnsFactsInput => factsFor(scope),
    createAccounts(plan: AccountPlan, scope: AccountScope): AccountChildren {
      return createAccountResources(plan, scope, {
        mailProvider: "selfHosted",
        apiUrl: locator,
        capabilities: SELF_HOSTED_CAPABILITIES,
      });
    },
  };
}
