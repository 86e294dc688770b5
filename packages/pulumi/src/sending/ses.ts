import * as pulumi from "@pulumi/pulumi";
import { parseSettings } from "@mailplane/core";
import type { DnsRecordInput } from "../dns/backend";
import { sesArgsSchema } from "../dns/settings";
import { loadAws } from "../optional-peers";
import type { SendingBinding, SendingChildren, SendingScope } from "./binding";

/** Settings of Amazon SES sending for a domain. */
export interface SesArgs {
  /**
   * The AWS region of the SES identity, e.g. `eu-west-1`. It also names the MAIL FROM
   * feedback host `feedback-smtp.<region>.amazonses.com`.
   * @see https://docs.aws.amazon.com/general/latest/gr/ses.html
   */
  region: string;
  /**
   * The custom MAIL FROM subdomain (bounce domain) under the domain, so SPF aligns for DMARC.
   * Must not be a host that receives mail or has other MX/TXT records.
   * @default "bounce"
   * @see https://docs.aws.amazon.com/ses/latest/dg/mail-from.html
   */
  mailFromSubdomain?: string;
  /**
   * Easy DKIM key length.
   * @default "RSA_2048_BIT"
   * @see https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy.html
   */
  dkimKeyLength?: "RSA_1024_BIT" | "RSA_2048_BIT";
  /**
   * What SES does when the MAIL FROM MX record is missing.
   * @default "USE_DEFAULT_VALUE"
   */
  behaviorOnMxFailure?: "USE_DEFAULT_VALUE" | "REJECT_MESSAGE";
  /**
   * An explicit `aws.Provider`.
   * @default the default AWS provider of the stack
   */
  provider?: pulumi.ProviderResource;
}

/** Easy DKIM publishes exactly three tokens. */
const DKIM_TOKENS = 3;
/** TTL of the SES records. */
const TTL = 3600;

/** Amazon SES sending: an SESv2 email identity with Easy DKIM and a custom MAIL FROM domain. */
export class SesSending implements SendingBinding {
  /** Service id. */
  readonly kind = "ses";
  /** Creates the binding; use {@link ses} instead. */
  constructor(readonly args: SesArgs) {
    parseSettings(sesArgsSchema, args, ["sending", "ses"]);
  }

  /**
   * Creates `${name}-ses-identity` (sesv2.EmailIdentity) and `${name}-ses-mail-from`
   * (sesv2.EmailIdentityMailFromAttributes), and returns their DNS records: three DKIM CNAMEs
   * from the identity's token outputs (`dkim-ses-1..3`), and the MAIL FROM MX and SPF
   * (`ses-mail-from-mx`, `ses-mail-from-spf`).
   */
  create(domain: string, scope: SendingScope): SendingChildren {
    // @pulumi/aws is an optional peer dependency, loaded on first use.
    const aws = loadAws("ses");
    const opts = {
      parent: scope.parent,
      ...(this.args.provider ? { provider: this.args.provider } : {}),
    };
    const region = this.args.region;
    const mailFrom = `${this.args.mailFromSubdomain ?? "bounce"}.${domain}`;
    const identity = new aws.sesv2.EmailIdentity(
      `${scope.name}-ses-identity`,
      {
        emailIdentity: domain,
        region,
        dkimSigningAttributes: { nextSigningKeyLength: this.args.dkimKeyLength ?? "RSA_2048_BIT" },
      },
      opts,
    );
    const mailFromAttrs = new aws.sesv2.EmailIdentityMailFromAttributes(
      `${scope.name}-ses-mail-from`,
      {
        emailIdentity: identity.emailIdentity,
        region,
        mailFromDomain: mailFrom,
        behaviorOnMxFailure: this.args.behaviorOnMxFailure ?? "USE_DEFAULT_VALUE",
      },
      opts,
    );
    const tokens = identity.dkimSigningAttributes.apply((d) => {
      if (d.tokens.length !== DKIM_TOKENS) {
        throw new Error(
          `sending.ses: identity ${domain} returned ${d.tokens.length} DKIM tokens, expected ${DKIM_TOKENS} (Easy DKIM)`,
        );
      }
      return d.tokens;
    });
    const records: DnsRecordInput[] = [];
    for (let i = 0; i < DKIM_TOKENS; i++) {
      const token = tokens.apply((t) => t[i]);
      records.push({
        role: `dkim-ses-${i + 1}`,
        type: "CNAME",
        name: pulumi.interpolate`${token}._domainkey.${domain}`,
        value: pulumi.interpolate`${token}.dkim.amazonses.com`,
        ttl: TTL,
      });
    }
    records.push(
      {
        role: "ses-mail-from-mx",
        type: "MX",
        name: mailFrom,
        priority: 10,
        value: `feedback-smtp.${region}.amazonses.com`,
        ttl: TTL,
      },
      {
        role: "ses-mail-from-spf",
        type: "TXT",
        name: mailFrom,
        value: "v=spf1 include:amazonses.com ~all",
        ttl: TTL,
      },
    );
    return {
      resources: {
        [`${scope.name}-ses-identity`]: identity,
        [`${scope.name}-ses-mail-from`]: mailFromAttrs,
      },
      records,
      spfInclude: [],
    };
  }
}

/**
 * Amazon SES sending for a domain (works next to any mail provider).
 * @example sending: ses({ region: "eu-west-1", mailFromSubdomain: "bounce" })
 */
export function ses(args: SesArgs): SesSending {
  return new SesSending(args);
}
