import * as pulumi from "@pulumi/pulumi";
import type * as cloudflare from "@pulumi/cloudflare";
import { parseSettings } from "@mailplane/core";
import { cloudflareEmailRoutingDefinition, emailRoutingFacts } from "@mailplane/providers";
import type {
  AccountPlan,
  DnsFacts,
  MailProviderCapabilities,
  PlannedAlias,
  PlannedGroup,
} from "@mailplane/core";
import type { AccountChildren, AccountScope, MailProviderBinding } from "../provider-binding";
import { nameSlug } from "../dns/backend";
import { loadCloudflare } from "../optional-peers";
import { checkedInput, cloudflareIdProblem, providerResource } from "../dns/settings";

export { emailRoutingFacts };

/** The schema of {@link CloudflareEmailRoutingArgs}: the definition's, plus a Pulumi provider. */
export const cloudflareEmailRoutingArgsSchema = cloudflareEmailRoutingDefinition.args.extend({
  provider: providerResource.optional(),
});

/** Settings of Cloudflare Email Routing (forwarding-only domains). */
export interface CloudflareEmailRoutingArgs {
  /**
   * The Cloudflare account that owns the destination addresses (they are account-level and
   * shared by every zone of the account).
   * @see https://developers.cloudflare.com/email-routing/setup/email-routing-addresses/
   */
  accountId: pulumi.Input<string>;
  /**
   * The zone of the domain.
   * @default looked up by the domain's name in the account (`cloudflare.getZone`)
   */
  zoneId?: pulumi.Input<string>;
  /**
   * Create an `EmailRoutingAddress` for every destination. Set to false when the destinations
   * are already verified in the account (e.g. managed by another stack): two resources for one
   * address would fight over it.
   * @default true
   */
  manageDestinations?: boolean;
  /**
   * Honour plus-addressing (`info+tag@`) when matching rules.
   * @default false
   */
  supportSubaddress?: boolean;
  /**
   * An explicit `cloudflare.Provider`.
   * @default the default Cloudflare provider of the stack
   */
  provider?: pulumi.ProviderResource;
}

/** What Cloudflare Email Routing can do: forward single addresses, nothing else. */
export const cloudflareEmailRoutingCapabilities: MailProviderCapabilities =
  cloudflareEmailRoutingDefinition.capabilities;

/**
 * Cloudflare Email Routing as a mail provider: forwarding-only domains. It enables routing on
 * the zone (`EmailRoutingSettings`), reads the MX/SPF/DKIM records Cloudflare requires
 * (`getEmailRoutingDns`: never hard-coded) and publishes them through the domain's DNS backend
 * with the rest of the plan, so there is one SPF record with your includes.
 * `EmailRoutingDns` is deliberately not created: it writes Cloudflare's own SPF record over
 * an existing one (terraform-provider-cloudflare#6444).
 */
export class CloudflareEmailRoutingBinding implements MailProviderBinding {
  /** Provider id. */
  readonly kind = "cloudflareEmailRouting";
  /** Forwarding only. */
  readonly capabilities = cloudflareEmailRoutingCapabilities;
  private readonly zones = new Map<string, pulumi.Output<string>>();
  private readonly settings = new Map<string, cloudflare.EmailRoutingSettings>();

  /** Creates the binding; use `providers.cloudflareEmailRouting` instead. */
  constructor(readonly args: CloudflareEmailRoutingArgs) {}

  private invokeOpts(parent: pulumi.Resource): pulumi.InvokeOutputOptions {
    return { parent, ...(this.args.provider ? { provider: this.args.provider } : {}) };
  }

  private resourceOpts(
    scope: AccountScope,
    dependsOn?: pulumi.Resource[],
  ): pulumi.CustomResourceOptions {
    return {
      parent: scope.parent,
      ...(this.args.provider ? { provider: this.args.provider } : {}),
      ...(dependsOn ? { dependsOn } : {}),
    };
  }

  private zoneId(domain: string, scope: AccountScope): pulumi.Output<string> {
    // @pulumi/cloudflare is an optional peer, loaded on first use (the import above is types only).
    const cloudflare = loadCloudflare("providers.cloudflareEmailRouting");
    let zone = this.zones.get(domain);
    if (!zone) {
      zone =
        this.args.zoneId !== undefined
          ? pulumi.output(this.args.zoneId)
          : cloudflare
              .getZoneOutput(
                { filter: { name: domain, account: { id: this.args.accountId } } },
                this.invokeOpts(scope.parent),
              )
              .apply((z) => z.id);
      this.zones.set(domain, zone);
    }
    return zone;
  }

  /** `EmailRoutingSettings` for the zone: turns routing on. One per domain. */
  private routingSettings(domain: string, scope: AccountScope): cloudflare.EmailRoutingSettings {
    const cloudflare = loadCloudflare("providers.cloudflareEmailRouting");
    let s = this.settings.get(domain);
    if (!s) {
      s = new cloudflare.EmailRoutingSettings(
        `${scope.name}-email-routing`,
        {
          zoneId: this.zoneId(domain, scope),
          ...(this.args.supportSubaddress !== undefined
            ? { supportSubaddress: this.args.supportSubaddress }
            : {}),
        },
        this.resourceOpts(scope),
      );
      this.settings.set(domain, s);
    }
    return s;
  }

  /** The records Cloudflare requires for the zone, read with `getEmailRoutingDns`. */
  dnsFacts(domain: string, scope: AccountScope): pulumi.Output<DnsFacts> {
    const cloudflare = loadCloudflare("providers.cloudflareEmailRouting");
    return cloudflare
      .getEmailRoutingDnsOutput(
        { zoneId: this.zoneId(domain, scope) },
        this.invokeOpts(scope.parent),
      )
      .apply((res) => emailRoutingFacts(domain, res.dns));
  }

  /**
   * Creates `EmailRoutingSettings`, an `EmailRoutingAddress` per destination
   * (`${name}-destination-<address>`), an `EmailRoutingRule` per alias, shared address and
   * single-member group (`${name}-alias-<key>`, `${name}-shared-<key>`, `${name}-group-<key>`),
   * and `${name}-catch-all` when a catch-all is declared. A destination not yet verified by its
   * owner is reported as pending (a warning), not a failure: its rules start working once the
   * owner clicks Cloudflare's link.
   */
  createAccounts(plan: AccountPlan, scope: AccountScope): AccountChildren {
    const cloudflare = loadCloudflare("providers.cloudflareEmailRouting");
    if (plan.mailboxes.length > 0) {
      const keys = plan.mailboxes.map((m) => m.key).join(", ");
      throw new Error(
        `provider cloudflareEmailRouting forwards mail only and has no mailboxes; got mailboxes: ${keys}. ` +
          `Declare the addresses under aliases or shared with external destinations (e.g. { to: ["you@gmail.com"] }), ` +
          `or use a provider with mailboxes`,
      );
    }
    const forwards: Array<{
      childName: string;
      /** The same address declared as another kind: the rule's names before a move. */
      formerNames: string[];
      address: string;
      to: string;
      what: string;
    }> = [];
    const formerNames = (kind: RuleKind, key: string): string[] =>
      RULE_KINDS.filter((k) => k !== kind).map((k) => `${scope.name}-${k}-${key}`);
    const single = (what: string, destinations: string[]): string => {
      if (destinations.length !== 1) {
        throw new Error(
          `provider cloudflareEmailRouting: ${what} forwards to ${destinations.length} addresses ` +
            `(${destinations.join(", ")}); Cloudflare Email Routing allows exactly one destination per address ` +
            `(a Worker is needed to fan out)`,
        );
      }
      return destinations[0];
    };
    for (const a of plan.aliases) {
      const kind = aliasKind(a);
      forwards.push({
        childName: `${scope.name}-${kind}-${a.key}`,
        formerNames: formerNames(kind, a.key),
        address: a.address,
        to: single(
          `${kind === "shared" ? "shared" : "aliases"}.${a.key} <${a.address}>`,
          a.destinations,
        ),
        what: a.address,
      });
    }
    for (const g of plan.groups) {
      forwards.push({
        childName: `${scope.name}-${groupKind(g)}-${g.key}`,
        formerNames: formerNames(groupKind(g), g.key),
        address: g.address,
        to: single(
          `${g.source === "shared" ? "shared" : "groups"}.${g.key} <${g.address}>`,
          g.members,
        ),
        what: g.address,
      });
    }
    const catchAllTo =
      plan.catchAll !== undefined && plan.catchAll.length > 0
        ? single("catchAll", plan.catchAll)
        : undefined;

    const settings = this.routingSettings(plan.domain, scope);
    const zoneId = this.zoneId(plan.domain, scope);

    const destinations = new Map<string, cloudflare.EmailRoutingAddress>();
    if (this.args.manageDestinations ?? true) {
      const all = [...forwards.map((f) => f.to), ...(catchAllTo ? [catchAllTo] : [])];
      for (const email of [...new Set(all)].sort()) {
        const dest = new cloudflare.EmailRoutingAddress(
          `${scope.name}-destination-${nameSlug(email)}`,
          { accountId: this.args.accountId, email },
          this.resourceOpts(scope),
        );
        dest.verified.apply((v) => {
          if (!v) {
            void pulumi.log.warn(
              `destination ${email} is pending verification: Cloudflare sent it a link; ` +
                `rules forwarding to it start working once the owner clicks it`,
              dest,
            );
          }
        });
        destinations.set(email, dest);
      }
    }

    const aliases: Record<string, pulumi.Resource> = {};
    const groups: Record<string, pulumi.Resource> = {};
    const current = new Set(forwards.map((f) => f.childName));
    for (const f of forwards) {
      const dest = destinations.get(f.to);
      const rule = new cloudflare.EmailRoutingRule(
        f.childName,
        {
          zoneId,
          name: `mailplane: ${f.what}`,
          enabled: true,
          matchers: [{ type: "literal", field: "to", value: f.address }],
          actions: [{ type: "forward", values: [f.to] }],
        },
        {
          ...this.resourceOpts(scope, [settings, ...(dest ? [dest] : [])]),
          // An address moved between kinds (alias ↔ group ↔ shared) keeps its rule: Pulumi takes
          // the old name for this one, so the rule is never deleted and created again.
          aliases: f.formerNames.filter((n) => !current.has(n)).map((name) => ({ name })),
        },
      );
      aliases[f.childName] = rule;
    }
    if (catchAllTo !== undefined) {
      const dest = destinations.get(catchAllTo);
      aliases[`${scope.name}-catch-all`] = new cloudflare.EmailRoutingCatchAll(
        `${scope.name}-catch-all`,
        {
          zoneId,
          name: "mailplane: catch-all",
          enabled: true,
          matchers: [{ type: "all" }],
          actions: [{ type: "forward", values: [catchAllTo] }],
        },
        this.resourceOpts(scope, [settings, ...(dest ? [dest] : [])]),
      );
    }
    return { mailboxes: {}, aliases, groups };
  }
}

/** The kinds of address a rule realises; its child name is `<name>-<kind>-<key>`. */
const RULE_KINDS = ["alias", "group", "shared"] as const;
type RuleKind = (typeof RULE_KINDS)[number];

function aliasKind(a: PlannedAlias): "alias" | "shared" {
  return a.source === "shared" ? "shared" : "alias";
}

function groupKind(g: PlannedGroup): "group" | "shared" {
  return g.source === "shared" ? "shared" : "group";
}

/**
 * Cloudflare Email Routing: forwarding-only domains (no mailboxes; one destination per address).
 * @example providers.cloudflareEmailRouting({ accountId: "0123…" })
 */
export function cloudflareEmailRouting(
  args: CloudflareEmailRoutingArgs,
): CloudflareEmailRoutingBinding {
  parseSettings(cloudflareEmailRoutingArgsSchema, args, ["providers", "cloudflareEmailRouting"]);
  const path = "providers.cloudflareEmailRouting";
  return new CloudflareEmailRoutingBinding({
    ...args,
    accountId: checkedInput(args.accountId, cloudflareIdProblem, `${path}.accountId`),
    ...(args.zoneId === undefined
      ? {}
      : { zoneId: checkedInput(args.zoneId, cloudflareIdProblem, `${path}.zoneId`) }),
  });
}
