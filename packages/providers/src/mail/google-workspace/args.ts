import { z } from "zod";
import {
  httpUrlProblem,
  isNormalizedAddress,
  pendingOr,
  setting,
  settingKey,
  settingProblem,
  tokenProblem,
  type SettingCheck,
} from "@mailplane/core";

const problem = settingProblem;

/** An email address in Mailplane's normal form (lower-case, punycode domain). */
export const adminEmailProblem: SettingCheck = (v) =>
  isNormalizedAddress(v)
    ? undefined
    : problem(v, "an email address", "a lower-case address such as admin@acme.com");

/** An org unit path as the Admin console shows it: `/` or `/Staff/Engineering`. */
export const orgUnitPathProblem: SettingCheck = (v) =>
  typeof v === "string" && v.length <= 1024 && /^\/([^/\p{Cc}]+(\/[^/\p{Cc}]+)*)?$/u.test(v)
    ? undefined
    : problem(v, "an org unit path", "a path starting with /, such as /Staff/Engineering");

/** The DKIM TXT value the Admin console generated: `v=DKIM1; k=rsa; p=<base64>`. */
export const googleDkimProblem: SettingCheck = (v) =>
  typeof v === "string" && v.length <= 4096 && /^v=DKIM1;( ?k=rsa;)? ?p=[A-Za-z0-9+/=]+$/.test(v)
    ? undefined
    : problem(
        v,
        "a DKIM record",
        "the TXT value from Admin console > Gmail > Authenticate email, such as v=DKIM1; k=rsa; p=MIIB…",
      );

/** The console's verification TXT value: `google-site-verification=<token>`. */
export const googleVerificationProblem: SettingCheck = (v) =>
  typeof v === "string" && /^google-site-verification=[A-Za-z0-9_-]{10,100}$/.test(v)
    ? undefined
    : problem(
        v,
        "a Google verification record",
        "google-site-verification=<token> as the Admin console shows it",
      );

/** The arguments of `providers.googleWorkspace(...)`. Credentials are never arguments. */
export const googleWorkspaceArgsSchema = z.strictObject({
  /**
   * The customer id (Admin console > Account settings), or `my_customer` for the admin's own.
   * @see https://support.google.com/a/answer/10070793
   */
  customerId: setting(tokenProblem("a customer id", "C01abc234", 64)),
  /** The super admin the service account acts as (domain-wide delegation `sub`). */
  adminEmail: setting(adminEmailProblem),
  /**
   * Org unit path by mailbox profile name: a mailbox with that profile is placed in that org
   * unit (2-step verification is enforced per org unit, in the Admin console).
   * @default {} (every user in the root org unit `/`)
   */
  orgUnits: z
    .record(settingKey(tokenProblem("a profile name", "staff", 64)), setting(orgUnitPathProblem))
    .optional(),
  /** The DKIM TXT value generated in the Admin console (there is no API for it). */
  dkim: pendingOr<string>(googleDkimProblem).optional(),
  /** The `google-site-verification=…` TXT value of the domain. */
  verification: pendingOr<string>(googleVerificationProblem).optional(),
  /**
   * Publish the legacy five-host `aspmx.l.google.com` MX set (tenants from before 2023).
   * @default false
   */
  legacyMx: z.boolean().optional(),
  /** The Directory API base URL (an emulator in tests). @default Google's */
  apiUrl: pendingOr<string>(httpUrlProblem).optional(),
  /** The OAuth token URL (an emulator in tests). @default "https://oauth2.googleapis.com/token" */
  tokenUrl: pendingOr<string>(httpUrlProblem).optional(),
});

/** The parsed arguments of `providers.googleWorkspace(...)`. */
export type GoogleWorkspaceArgs = z.output<typeof googleWorkspaceArgsSchema>;
