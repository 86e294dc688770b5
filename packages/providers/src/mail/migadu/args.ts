import { z } from "zod";
import {
  domainProblem,
  httpUrlProblem,
  pendingOr,
  setting,
  tokenTextProblem,
} from "@mailplane/core";

/** The arguments of `providers.migadu(...)`. Credentials are never arguments. */
export const migaduArgsSchema = z.strictObject({
  /**
   * The domain as it is registered at Migadu.
   * @default the MailDomain's domain
   */
  domain: setting(domainProblem).optional(),
  /**
   * The API base URL (an emulator in tests).
   * @default "https://api.migadu.com/v1"
   * @see https://migadu.com/api/
   */
  apiUrl: pendingOr<string>(httpUrlProblem).optional(),
  /**
   * The code from Migadu's DNS setup page, published as TXT `hosted-email-verify=<code>`.
   * @default none (no verification record)
   */
  verificationCode: pendingOr<string>(tokenTextProblem).optional(),
});

/** The parsed arguments of `providers.migadu(...)`. */
export type MigaduArgs = z.output<typeof migaduArgsSchema>;
