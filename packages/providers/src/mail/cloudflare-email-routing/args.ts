import { z } from "zod";
import { pendingOr, tokenProblem } from "@mailplane/core";

/** A Cloudflare account or zone id, e.g. `023e105f4ecef8ad9ca31a8372d0c353`. */
export const cloudflareIdProblem = tokenProblem(
  "a Cloudflare id",
  "023e105f4ecef8ad9ca31a8372d0c353",
  64,
);

/**
 * The arguments of `providers.cloudflareEmailRouting(...)` that are plain data; the Pulumi layer
 * adds `provider` (an explicit `cloudflare.Provider`).
 */
export const cloudflareEmailRoutingArgsSchema = z.strictObject({
  /**
   * The Cloudflare account that owns the destination addresses (they are account-level and
   * shared by every zone of the account).
   * @see https://developers.cloudflare.com/email-routing/setup/email-routing-addresses/
   */
  accountId: pendingOr<string>(cloudflareIdProblem),
  /**
   * The zone of the domain.
   * @default looked up by the domain's name in the account (`cloudflare.getZone`)
   */
  zoneId: pendingOr<string>(cloudflareIdProblem).optional(),
  /**
   * Create an `EmailRoutingAddress` for every destination. Set to false when the destinations
   * are already verified in the account (e.g. managed by another stack): two resources for one
   * address would fight over it.
   * @default true
   */
  manageDestinations: z.boolean().optional(),
  /**
   * Honour plus-addressing (`info+tag@`) when matching rules.
   * @default false
   */
  supportSubaddress: z.boolean().optional(),
});
