import { z } from "zod";
import {
  httpUrlProblem,
  pendingOr,
  setting,
  showValue,
  tokenProblem,
  type SettingCheck,
} from "@mailplane/core";

/** The DKIM TXT value the Exmail console generated: `v=DKIM1; k=rsa; p=<base64>`. */
export const exmailDkimProblem: SettingCheck = (v) =>
  typeof v === "string" && v.length <= 4096 && /^v=DKIM1;( ?k=rsa;)? ?p=[A-Za-z0-9+/=]+$/.test(v)
    ? undefined
    : `${showValue(v)} is not a DKIM record (got ${showValue(v)}; allowed: the TXT value from the Exmail console > 域名管理 > DKIM, such as v=DKIM1; k=rsa; p=MIGf…)`;

/** A DNS label used as the DKIM selector. */
const selectorProblem: SettingCheck = (v) =>
  typeof v === "string" && /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(v)
    ? undefined
    : `${showValue(v)} is not a DKIM selector (got ${showValue(v)}; allowed: one DNS label such as s1)`;

/** A request budget: rate per second and burst. */
const budgetSchema = z.strictObject({
  /** Sustained requests per second. */
  ratePerSecond: z.number().positive().max(1000),
  /** Requests at once after a quiet period. */
  burst: z.number().int().min(1).max(1000),
});

/**
 * The arguments of `providers.tencentExmail(...)`. The corp secret is never an argument: it is
 * read at call time from `TENCENT_EXMAIL_CORP_SECRET` or `mailplane:tencentExmailCorpSecret`.
 */
export const tencentExmailArgsSchema = z.strictObject({
  /**
   * The corp's id (CorpID), from the Exmail console > 工具箱 > 应用中心 (bottom of the page).
   * @see https://exmail.qq.com/qy_mng_logic/doc
   */
  corpId: setting(tokenProblem("a CorpID", "wm0123456789abcdef", 64)),
  /**
   * The domain's DKIM key as the console shows it, published at `<selector>._domainkey`.
   * @default none (publish it once the console generated it)
   */
  dkim: z
    .strictObject({
      /** The selector the console names. */
      selector: setting(selectorProblem),
      /** `v=DKIM1; k=rsa; p=…`. */
      value: pendingOr<string>(exmailDkimProblem),
    })
    .optional(),
  /**
   * Requests per second to the API. Exmail publishes no limit.
   * @default { ratePerSecond: 20, burst: 20 }
   */
  budget: budgetSchema.optional(),
  /** The management API base URL (an emulator in tests). @default "https://api.exmail.qq.com/cgi-bin" */
  apiUrl: setting(httpUrlProblem).optional(),
});

/** The parsed arguments of `providers.tencentExmail(...)`. */
export type TencentExmailArgs = z.output<typeof tencentExmailArgsSchema>;
