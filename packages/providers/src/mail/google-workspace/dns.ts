import { googleDnsFacts, type DnsFacts } from "@mailplane/core";
import type { GoogleWorkspaceArgs } from "./args";

/**
 * Google Workspace's records for a domain: core's preset (MX `1 smtp.google.com` or the legacy
 * five, SPF `_spf.google.com`, client discovery) with the binding's verification value and the
 * DKIM key the admin generated in the console (TXT `google._domainkey`).
 */
export function googleWorkspaceFacts(args: GoogleWorkspaceArgs, _domain: string): DnsFacts {
  const facts = googleDnsFacts({
    legacy: args.legacyMx ?? false,
    verification: args.verification === undefined ? [] : [args.verification],
  });
  return args.dkim === undefined
    ? facts
    : { ...facts, dkim: [{ selector: "google", type: "TXT", value: args.dkim }] };
}
