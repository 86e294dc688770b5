/**
 * The `@mailplane/policy` CrossGuard pack (the program `pulumi preview --policy-pack <dir>` runs).
 * Every rule is a stack policy over the `declaration` each MailDomain publishes (the parsed
 * declaration, no passwords), configurable with `--policy-pack-config <file.json>`:
 *
 * ```json
 * { "dmarc-minimum-policy": { "minimum": "reject" }, "temporary-alias-expiry": { "maxDays": 30 } }
 * ```
 */
import { PolicyPack, type StackValidationPolicy } from "@pulumi/policy";
import {
  deleteAllowlist,
  dmarcMinimum,
  mailboxDepartment,
  mtaStsMinimum,
  noExternalForwarding,
  roleAddressesRouted,
  temporaryAliasExpiry,
  type DeclaredDomain,
} from "./rules";

/** The declarations of the stack's MailDomains, with their URNs. */
function declarations(
  resources: readonly { type: string; urn: string; props: Record<string, unknown> }[],
): { urn: string; spec: DeclaredDomain }[] {
  return resources
    .filter((r) => r.type === "mailplane:index:MailDomain")
    .flatMap((r) => {
      const d = r.props.declaration as { format?: string; spec?: DeclaredDomain } | undefined;
      return d?.format === "mailplane/declaration@1" && d.spec
        ? [{ urn: r.urn, spec: d.spec }]
        : [];
    });
}

/** A stack policy applying `rule` to every MailDomain with the policy's config. */
function rule<C>(
  name: string,
  description: string,
  properties: Record<string, unknown>,
  check: (d: DeclaredDomain, c: C) => string[],
): StackValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: "mandatory",
    configSchema: { properties: properties as never },
    validateStack: (args, reportViolation) => {
      const config = args.getConfig<C & Record<string, unknown>>();
      for (const { urn, spec } of declarations(args.resources)) {
        for (const message of check(spec, config)) reportViolation(message, urn);
      }
    },
  };
}

new PolicyPack("mailplane", {
  policies: [
    rule(
      "dmarc-minimum-policy",
      "DMARC p= (and sp=) at least the configured minimum (default quarantine).",
      {
        minimum: { type: "string", enum: ["none", "quarantine", "reject"], default: "quarantine" },
      },
      dmarcMinimum,
    ),
    rule(
      "role-addresses-routed",
      "postmaster@ and abuse@ (RFC 2142) deliver somewhere.",
      {
        addresses: { type: "array", items: { type: "string" }, default: ["postmaster", "abuse"] },
      },
      roleAddressesRouted,
    ),
    rule(
      "mailbox-delete-allowlist",
      'onDelete: "delete" only for mailboxes listed in allowDelete.',
      { allowDelete: { type: "array", items: { type: "string" }, default: [] } },
      deleteAllowlist,
    ),
    rule(
      "no-external-forwarding",
      "Mailboxes of protected profiles (default executive) never forward outside the organisation.",
      {
        profiles: { type: "array", items: { type: "string" }, default: ["executive"] },
        internalDomains: { type: "array", items: { type: "string" }, default: [] },
      },
      noExternalForwarding,
    ),
    rule(
      "mta-sts-minimum-mode",
      "MTA-STS published with at least the configured mode (default testing).",
      { minimum: { type: "string", enum: ["none", "testing", "enforce"], default: "testing" } },
      mtaStsMinimum,
    ),
    rule("mailbox-department", "Every mailbox names its department.", {}, mailboxDepartment),
    rule(
      "temporary-alias-expiry",
      "Temporary aliases expire within the configured number of days (default 90).",
      {
        maxDays: { type: "integer", minimum: 1, default: 90 },
        today: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
      },
      (d, c: { maxDays?: number; today?: string }) => temporaryAliasExpiry(d, c),
    ),
  ],
});
