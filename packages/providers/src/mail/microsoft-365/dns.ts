import { microsoft365DnsFacts, type DnsFacts } from "@mailplane/core";
import type { Microsoft365Args } from "./args";

/**
 * Microsoft 365's records for the domain (core's preset: MX `0 <mx>`, SPF
 * `spf.protection.outlook.com`, the DKIM CNAMEs, `autodiscover`), from the values Microsoft
 * assigned to the tenant. Without `mx` and `dkim` there is nothing safe to publish: the error
 * names both arguments.
 */
export function microsoft365Facts(args: Microsoft365Args, domain: string): DnsFacts {
  const missing = [
    ...(args.mx === undefined ? ["mx"] : []),
    ...(args.dkim === undefined ? ["dkim"] : []),
  ];
  if (missing.length > 0) {
    throw new Error(
      `providers.microsoft365: ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} required ` +
        `to publish the DNS records of ${args.domain ?? domain}; allowed: the values the Microsoft 365 admin ` +
        `center shows for the domain (MX host such as contoso-com.mail.protection.outlook.com, ` +
        `DKIM targets selector1-contoso-com._domainkey.contoso.onmicrosoft.com)`,
    );
  }
  return microsoft365DnsFacts({
    mxHost: args.mx!,
    dkim: { selector1: args.dkim!.selector1, selector2: args.dkim!.selector2 },
    ...(args.verification === undefined ? {} : { verification: [args.verification] }),
  });
}
