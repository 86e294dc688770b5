import { z } from "zod";
import {
  domainProblem,
  hostNameProblem,
  httpUrlProblem,
  pendingOr,
  setting,
  settingKey,
  showValue,
  tokenTextProblem,
  type SettingCheck,
} from "@mailplane/core";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A GUID as Entra ID writes them (application ids, SKU ids). */
export function guidProblem(what: string): SettingCheck {
  return (v) =>
    typeof v === "string" && GUID.test(v)
      ? undefined
      : `${showValue(v)} is not ${what} (got ${showValue(v)}; allowed: a GUID such as 6fd2c87f-b296-42f0-b197-1e91e994b900)`;
}

/** A tenant: its GUID or one of its domains (`contoso.onmicrosoft.com`). */
export const tenantProblem: SettingCheck = (v) =>
  typeof v === "string" && (GUID.test(v) || domainProblem(v) === undefined)
    ? undefined
    : `${showValue(v)} is not a tenant id (got ${showValue(v)}; allowed: the directory (tenant) GUID or a domain of the tenant such as contoso.onmicrosoft.com)`;

/** An ISO 3166-1 alpha-2 country code, as Graph's `usageLocation` takes it. */
export const usageLocationProblem: SettingCheck = (v) =>
  typeof v === "string" && /^[A-Z]{2}$/.test(v)
    ? undefined
    : `${showValue(v)} is not a usage location (got ${showValue(v)}; allowed: an ISO 3166-1 alpha-2 country code in capitals such as DE or US)`;

/** A profile name used as a key of `licences`. */
const profileKeyProblem: SettingCheck = (v) =>
  typeof v === "string" && /^[A-Za-z0-9._-]{1,64}$/.test(v)
    ? undefined
    : `${showValue(v)} is not a profile name (got ${showValue(v)}; allowed: letters, digits and . _ - such as staff)`;

/** A certificate thumbprint: hex SHA-256 (64 digits) or SHA-1 (40), colons allowed. */
const thumbprintProblem: SettingCheck = (v) =>
  typeof v === "string" && /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i.test(v.replace(/:/g, ""))
    ? undefined
    : `${showValue(v)} is not a certificate thumbprint (got ${showValue(v)}; allowed: the hex SHA-256 (64 digits) or SHA-1 (40 digits) thumbprint the app registration shows)`;

/** The arguments of `providers.microsoft365(...)`. The client secret is never an argument. */
export const microsoft365ArgsSchema = z.strictObject({
  /** The directory (tenant) id of the Entra ID tenant, or one of its domains. */
  tenantId: setting(tenantProblem),
  /** The application (client) id of the app registration with User.ReadWrite.All, Group.ReadWrite.All. */
  clientId: setting(guidProblem("an application (client) id")),
  /** The verified domain the mailboxes live in (their userPrincipalName domain). */
  domain: setting(domainProblem),
  /** ISO 3166-1 alpha-2 country set as `usageLocation` before a licence is assigned. */
  usageLocation: setting(usageLocationProblem),
  /**
   * The licence (SKU id) to assign by mailbox profile; `default` for mailboxes without a profile.
   * It must include Exchange Online: a user has a mailbox only once such a licence is assigned.
   * @default none (createMailbox then refuses: no licence, no mailbox)
   */
  licences: z
    .record(settingKey(profileKeyProblem), setting<string>(guidProblem("a licence SKU id")))
    .optional(),
  /**
   * The MX host Microsoft assigned to the domain (admin center > Domains), e.g.
   * `contoso-com.mail.protection.outlook.com`. Never derived from the domain name.
   */
  mx: pendingOr<string>(hostNameProblem).optional(),
  /** The DKIM CNAME targets of `selector1._domainkey` and `selector2._domainkey` (from Exchange). */
  dkim: z
    .strictObject({
      selector1: pendingOr<string>(hostNameProblem),
      selector2: pendingOr<string>(hostNameProblem),
    })
    .optional(),
  /** The `MS=msNNNNNNNN` verification value of the domain. @default none */
  verification: pendingOr<string>(tokenTextProblem).optional(),
  /**
   * Exchange Online features through its admin route `adminapi/beta/{tenant}/InvokeCommand`
   * (the route the Exchange admin centre and CIPP use): secondary addresses, shared mailboxes,
   * forwarding, and the DKIM targets (`Get-DkimSigningConfig`). The route is NOT a documented
   * Microsoft API and may change without notice; without `invokeCommand: true` these features
   * are refused at preview. Needs the app permission Exchange.ManageAsApp and an Exchange
   * role (Exchange Administrator) for the app's service principal.
   * @default none (Exchange features refused)
   * @see https://michev.info/blog/post/5822/all-you-need-to-know-about-exchange-online-admin-api-or-how-to-run-cmdlets-without-powershell
   */
  exchange: z
    .strictObject({
      /** `true` accepts the undocumented route. */
      invokeCommand: z.boolean({ error: "must be true or false" }),
      /**
       * The route's base URL (an emulator in tests).
       * @default "https://outlook.office365.com/adminapi/beta"
       */
      apiUrl: setting(httpUrlProblem).optional(),
    })
    .optional(),
  /**
   * `require2fa` as membership of one security group that a Conditional Access policy targets
   * (multi-factor sign-in is a policy in Microsoft 365, not a user field): `groupId` is the
   * group of a policy the tenant has (Mailplane manages its members), or `createPolicy: true`
   * makes Mailplane create the group and the policy (grant control mfa for all cloud apps; needs
   * Policy.ReadWrite.ConditionalAccess and Entra ID P1). Give exactly one.
   * @default none (require2fa refused at preview)
   * @see https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy
   */
  mfa: z
    .strictObject({
      groupId: setting<string>(guidProblem("a security group id")).optional(),
      createPolicy: z.literal(true, { error: "must be true when given" }).optional(),
    })
    .refine((m) => (m.groupId === undefined) !== (m.createPolicy === undefined), {
      error: "give exactly one of groupId and createPolicy: true",
    })
    .optional(),
  /**
   * The thumbprint of a certificate uploaded to the app registration: Mailplane then signs its
   * token requests with the certificate's private key (MICROSOFT365_CLIENT_CERTIFICATE_KEY or
   * mailplane:microsoft365ClientCertificateKey, PEM, read at call time) instead of sending a
   * client secret. SHA-256 (recommended) signs PS256, SHA-1 RS256.
   * @default none (client secret)
   */
  certificateThumbprint: setting<string>(thumbprintProblem).optional(),
  /**
   * The Graph base URL (an emulator in tests).
   * @default "https://graph.microsoft.com/v1.0"
   */
  apiUrl: setting(httpUrlProblem).optional(),
  /**
   * The identity platform's authority host (an emulator in tests; http only on 127.0.0.1).
   * @default "https://login.microsoftonline.com"
   */
  authorityUrl: setting(httpUrlProblem).optional(),
});

/** The parsed arguments of `providers.microsoft365(...)`. */
export type Microsoft365Args = z.output<typeof microsoft365ArgsSchema>;
