import * as pulumi from "@pulumi/pulumi";
import { mtaStsWorkerScript } from "@mailplane/providers";
import { loadCloudflare } from "./optional-peers";

/** Arguments of {@link MtaStsWorker}. */
export interface MtaStsWorkerArgs {
  /** The MailDomain whose `mtaStsPolicy` is served (its `policy.mtaSts` must be set). */
  domain: { domain: string; mtaStsPolicy: pulumi.Output<string | undefined> };
  /** The Cloudflare account the Worker belongs to. */
  accountId: pulumi.Input<string>;
  /** The zone of the domain on Cloudflare (where `mta-sts.<domain>` is bound). */
  zoneId: pulumi.Input<string>;
  /**
   * The Worker's script name.
   * @default `mta-sts-<domain with dots as dashes>`
   */
  scriptName?: string;
  /**
   * The Workers runtime's compatibility date.
   * @default "2026-01-01"
   */
  compatibilityDate?: string;
}

/**
 * Serves a domain's MTA-STS policy at `https://mta-sts.<domain>/.well-known/mta-sts.txt` from a
 * Cloudflare Worker (for domains whose DNS is on Cloudflare): a `WorkersScript` answering only
 * that path, and a `WorkersCustomDomain` binding `mta-sts.<domain>` to it (Cloudflare creates
 * the DNS record and the certificate). A policy change updates the script in place.
 *
 * @example
 * new MtaStsWorker("acme-mta-sts", { domain: acme, accountId, zoneId });
 * @see https://www.rfc-editor.org/rfc/rfc8461#section-3.3
 */
export class MtaStsWorker extends pulumi.ComponentResource {
  // Typed as plain custom resources: @pulumi/cloudflare is an optional peer, so the published
  // types must not need it (test/pack type-checks them without it).
  /** The Worker serving the policy (a `cloudflare.WorkersScript`). */
  public readonly script: pulumi.CustomResource;
  /** `mta-sts.<domain>` bound to the Worker (a `cloudflare.WorkersCustomDomain`). */
  public readonly customDomain: pulumi.CustomResource;
  /** `https://mta-sts.<domain>/.well-known/mta-sts.txt`. */
  public readonly policyUrl: string;

  constructor(name: string, args: MtaStsWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mailplane:index:MtaStsWorker", name, {}, opts);
    const cloudflare = loadCloudflare("MtaStsWorker");
    const domain = args.domain.domain;
    const host = `mta-sts.${domain}`;
    const scriptName = args.scriptName ?? `mta-sts-${domain.replace(/\./g, "-")}`;
    const content = args.domain.mtaStsPolicy.apply((policy) => {
      if (policy === undefined) {
        throw new Error(
          `MtaStsWorker ${name}: ${domain} has no MTA-STS policy; set policy.mtaSts on its ` +
            'MailDomain (e.g. { mode: "testing" })',
        );
      }
      return mtaStsWorkerScript(policy);
    });
    const script = new cloudflare.WorkersScript(
      `${name}-script`,
      {
        accountId: args.accountId,
        scriptName,
        mainModule: "mta-sts.mjs",
        content,
        compatibilityDate: args.compatibilityDate ?? "2026-01-01",
      },
      { parent: this },
    );
    this.script = script;
    this.customDomain = new cloudflare.WorkersCustomDomain(
      `${name}-domain`,
      {
        accountId: args.accountId,
        zoneId: args.zoneId,
        hostname: host,
        service: script.scriptName,
      },
      { parent: this },
    );
    this.policyUrl = `https://${host}/.well-known/mta-sts.txt`;
    this.registerOutputs({ policyUrl: this.policyUrl });
  }
}
