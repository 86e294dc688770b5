import { zohoDnsFacts, type DnsFacts, type ZohoDataCenter } from "@mailplane/core";
import type { ZohoArgs } from "./args";

/**
 * Zoho Mail's records for a domain by data centre: MX `10 mx.<host>`, `20 mx2.<host>`,
 * `50 mx3.<host>`, SPF `zohomail.<tld>`, IMAP/SMTP on `imap.<host>`/`smtp.<host>`, with the
 * binding's verification value and DKIM key. The five data centres core's preset knows are
 * served by it; China (`zoho.com.cn`) and Canada (`zohocloud.ca`) follow the same pattern on
 * their own hosts (their MX/SPF names are UNCONFIRMED from a Zoho page).
 * @see https://www.zoho.com/mail/help/adminconsole/configure-email-delivery.html
 */
export function zohoFacts(args: ZohoArgs, _domain: string): DnsFacts {
  const dc = args.dataCenter ?? "com";
  const verification = args.verification === undefined ? [] : [args.verification];
  const dkim = args.dkim === undefined ? {} : { [args.dkim.selector]: args.dkim.value };
  if (dc !== "com.cn" && dc !== "ca") {
    return zohoDnsFacts({ dataCenter: dc as ZohoDataCenter, verification, dkim });
  }
  const base = zohoDnsFacts({ dataCenter: "com", verification, dkim });
  const host = dc === "ca" ? "zohocloud.ca" : "zoho.com.cn";
  return {
    ...base,
    mx: [
      { priority: 10, host: `mx.${host}` },
      { priority: 20, host: `mx2.${host}` },
      { priority: 50, host: `mx3.${host}` },
    ],
    spfInclude: [dc === "ca" ? "zohocloud.ca" : "zohomail.com.cn"],
    clientDiscovery: {
      imap: { host: `imap.${host}`, port: 993 },
      submission: { host: `smtp.${host}`, port: 465 },
    },
  };
}
