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
  type SettingCheck,
} from "@mailplane/core";
import { switchDateProblem } from "./signer";
import type { SelfHostedStoreConfig } from "./store";

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

export const sqliteArgsSchema = z.strictObject({ path: setting(serverPathProblem) });
export const postgresArgsSchema = z.strictObject({
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
  /** Where the accounts are written: {@link sqlite} or {@link postgres}. */
  store: z
    .looseObject({ type: z.enum(["sqlite", "postgres"]) })
    .pipe(
      z.discriminatedUnion("type", [
        sqliteArgsSchema.extend({ type: z.literal("sqlite") }),
        postgresArgsSchema.extend({ type: z.literal("postgres") }),
      ]),
    ),
  /** The server's MX host(s); a string is one host at preference 10. */
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
  /**
   * DKIM signing keys, generated with node:crypto (RSA 2048) and kept in state (private key as a
   * secret output). Rotation: set a new `selector` and list the old one in `keepSelectors` until
   * signatures made with it have aged out; removing it from the list deletes its key and record.
   * Scheduled rotation: `next` is published at once and signs from `signFrom` on (the time
   * `pulumi up` runs decides), so receivers see the new key in DNS before the first signature.
   * @default { selector: "mail" }
   * @see https://www.rfc-editor.org/rfc/rfc6376#section-3.6.1
   */
  dkim: z
    .strictObject({
      selector: setting(selectorProblem),
      keepSelectors: z.array(setting(selectorProblem)).optional(),
      next: z
        .strictObject({
          selector: setting(selectorProblem),
          signFrom: setting(switchDateProblem),
        })
        .optional(),
    })
    .superRefine((d, ctx) => {
      if (d.next !== undefined && d.next.selector === d.selector) {
        ctx.addIssue({
          code: "custom",
          path: ["next", "selector"],
          message:
            `${JSON.stringify(d.next.selector)} is the current selector (got ` +
            `${JSON.stringify(d.next.selector)}; allowed: a new selector, e.g. ${d.selector}-2)`,
        });
      }
    })
    .optional(),
  /** IMAP endpoint published as `_imaps._tcp` SRV (RFC 6186/8314). @default not published */
  imap: endpointSchema.optional(),
  /** Submission endpoint published as `_submissions._tcp` SRV. @default not published */
  submission: endpointSchema.optional(),
  /**
   * SPF mechanisms of the server, added to the domain's one SPF record.
   * @default ["mx"] (the server sends from its MX hosts)
   */
  spfTerms: z.array(setting(spfTermProblem)).optional(),
});

/** The parsed arguments of `providers.selfHosted(...)`. */
export type SelfHostedArgs = z.output<typeof selfHostedArgsSchema>;
