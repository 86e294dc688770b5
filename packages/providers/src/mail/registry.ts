/*
 * Every mail provider Mailplane knows, one line each. A new provider is one folder under
 * src/mail/<id>/ exporting its definition, and one line here; see "Writing a mail provider" in
 * the package README.
 */
import { cloudflareEmailRoutingDefinition } from "./cloudflare-email-routing";
import { googleWorkspaceDefinition } from "./google-workspace";
import { microsoft365Definition } from "./microsoft-365";
import { migaduDefinition } from "./migadu";
import { selfHostedDefinition } from "./self-hosted";
import { zohoDefinition } from "./zoho";
import { tencentExmailDefinition } from "./tencent-exmail";

/** The registered mail providers by id. */
export const mailProviders = {
  migadu: migaduDefinition,
  selfHosted: selfHostedDefinition,
  cloudflareEmailRouting: cloudflareEmailRoutingDefinition,
  microsoft365: microsoft365Definition,
  googleWorkspace: googleWorkspaceDefinition,
  zoho: zohoDefinition,
  tencentExmail: tencentExmailDefinition,
} as const;
