import { migaduDnsFacts, type DnsFacts } from "@mailplane/core";
import type { MigaduArgs } from "./args";

/**
 * Migadu's records for `domain` (core's vendor preset: MX, SPF, the three DKIM CNAMEs, client
 * discovery) with the verification code from the binding.
 */
export function migaduFacts(args: MigaduArgs, domain: string): DnsFacts {
  return migaduDnsFacts({
    domain: args.domain ?? domain,
    ...(args.verificationCode === undefined ? {} : { verificationCode: args.verificationCode }),
  });
}
