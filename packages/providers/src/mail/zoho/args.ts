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
import { ZOHO_DATA_CENTERS, type ZohoDataCenterId } from "./client";

const problem = settingProblem;

/** A data centre id: the top-level domain of its hosts (`com`, `eu`, `in`, `com.au`, `jp`, `com.cn`, `ca`). */
export const dataCenterProblem: SettingCheck = (v) =>
  typeof v === "string" && Object.hasOwn(ZOHO_DATA_CENTERS, v)
    ? undefined
    : problem(
        v,
        "a Zoho data centre",
        `${Object.keys(ZOHO_DATA_CENTERS).join(", ")} (the domain of your Zoho Mail login, e.g. eu for mail.zoho.eu)`,
      );

/** An organisation id (`zoid`): digits. */
export const organizationIdProblem: SettingCheck = (v) =>
  typeof v === "string" && /^\d{1,20}$/.test(v)
    ? undefined
    : problem(
        v,
        "an organization id",
        "the zoid shown in the Zoho Mail admin console > Organization, digits such as 60012345, as a string",
      );

/** The console's verification TXT value: `zoho-verification=zb….zmverify.zoho.<dc>`. */
export const zohoVerificationProblem: SettingCheck = (v) =>
  typeof v === "string" && /^zoho-verification=[A-Za-z0-9._-]{4,200}$/.test(v)
    ? undefined
    : problem(
        v,
        "a Zoho verification record",
        "zoho-verification=zb12345678.zmverify.zoho.com as the admin console shows it",
      );

/** A DKIM TXT value the admin console generated: `v=DKIM1; k=rsa; p=<base64>`. */
export const zohoDkimProblem: SettingCheck = (v) =>
  typeof v === "string" && v.length <= 4096 && /^v=DKIM1;( ?k=rsa;)? ?p=[A-Za-z0-9+/=]+$/.test(v)
    ? undefined
    : problem(
        v,
        "a DKIM record",
        "the TXT value from Zoho Mail admin console > Domains > DKIM, such as v=DKIM1; k=rsa; p=MIGf…",
      );

const addressProblem: SettingCheck = (v) =>
  isNormalizedAddress(v)
    ? undefined
    : problem(v, "an email address", "a lower-case address such as ali@acme.com");

/** The arguments of `providers.zoho(...)`. The OAuth client and refresh token are never arguments. */
export const zohoArgsSchema = z.strictObject({
  /**
   * The data centre the organisation lives in: it chooses the API host (`mail.zoho.<dc>`, Canada
   * `mail.zohocloud.ca`), the OAuth host (`accounts.zoho.<dc>`) and the MX, SPF and client
   * hosts.
   * @default "com"
   * @see https://www.zoho.com/mail/help/api/getting-started-with-api.html
   */
  dataCenter: setting<ZohoDataCenterId>(dataCenterProblem).optional(),
  /** The organisation id (`zoid`), in every API path. */
  organizationId: setting(organizationIdProblem),
  /** The `zoho-verification=…` TXT value of the domain. @default none */
  verification: pendingOr<string>(zohoVerificationProblem).optional(),
  /** The DKIM key the admin console generated (there is no API for it). @default none */
  dkim: z
    .strictObject({
      /** The selector chosen in the console, e.g. `zmail`. */
      selector: setting(tokenProblem("a DKIM selector", "zmail", 63)),
      value: pendingOr<string>(zohoDkimProblem),
    })
    .optional(),
  /**
   * Moderators by group handle's local part: full addresses that are members with the role
   * `moderator` (they approve posts to moderated groups). Every other member is a `member`.
   * @default {}
   */
  moderators: z
    .record(
      settingKey(tokenProblem("a group local part", "support", 64)),
      z.array(setting(addressProblem)),
    )
    .optional(),
  /** The mail API host (an emulator in tests). @default the data centre's */
  apiUrl: setting(httpUrlProblem).optional(),
  /** The OAuth host (an emulator in tests). @default the data centre's */
  accountsUrl: setting(httpUrlProblem).optional(),
});

/** The parsed arguments of `providers.zoho(...)`. */
export type ZohoArgs = z.output<typeof zohoArgsSchema>;
