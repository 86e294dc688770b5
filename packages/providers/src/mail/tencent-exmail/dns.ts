import type { DnsFacts } from "@mailplane/core";
import type { TencentExmailArgs } from "./args";

/**
 * Tencent Exmail's records for a domain, as its help centre documents them: MX `5 mxbiz1.qq.com`
 * and `10 mxbiz2.qq.com`, SPF `include:spf.mail.qq.com`, IMAP `imap.exmail.qq.com:993` and SMTP
 * `smtp.exmail.qq.com:465`, and the DKIM key the console generated (no API for it). No
 * verification TXT: Exmail verifies a domain by its MX records.
 */
export function tencentExmailFacts(args: TencentExmailArgs, _domain: string): DnsFacts {
  return {
    provider: "tencentExmail",
    mx: [
      { priority: 5, host: "mxbiz1.qq.com" },
      { priority: 10, host: "mxbiz2.qq.com" },
    ],
    spfInclude: ["spf.mail.qq.com"],
    dkim:
      args.dkim === undefined
        ? []
        : [{ selector: args.dkim.selector, type: "TXT", value: args.dkim.value }],
    verification: [],
    clientDiscovery: {
      imap: { host: "imap.exmail.qq.com", port: 993 },
      pop3: { host: "pop.exmail.qq.com", port: 995 },
      submission: { host: "smtp.exmail.qq.com", port: 465 },
    },
  };
}
