import { defineMailProvider } from "../definition";
import { cloudflareEmailRoutingArgsSchema } from "./args";

export * from "./args";
export * from "./dns";

/**
 * Cloudflare Email Routing: forwarding-only domains (no mailboxes; one destination per address).
 * Realised by @pulumi/cloudflare resources, not by a Mailplane adapter: its binding hook in the
 * Pulumi layer creates them and reads the zone's records (`emailRoutingFacts`). The Cloudflare
 * API token is the Cloudflare provider's own configuration.
 */
export const cloudflareEmailRoutingDefinition = defineMailProvider({
  id: "cloudflareEmailRouting",
  capabilities: {
    standaloneAliases: true,
    externalForward: true,
    catchAll: true,
    renameInPlace: true,
  },
  credentials: [],
  args: cloudflareEmailRoutingArgsSchema,
});
