import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  checkResolved,
  domainProblem,
  httpUrlProblem,
  intProblem,
  isPending,
  pendingOr,
  setting,
  settingKey,
  showValue,
  tokenProblem,
  type SettingCheck,
} from "@mailplane/core";
import { cloudflareIdProblem } from "@mailplane/providers";

/*
 * The schemas of the DNS and sending bindings' settings (`dns.powerDns`, `dns.cloudflare`,
 * `dns.route53`, `sending.ses`), and the helper that checks a pulumi Input once it resolves.
 * `dns.zoneFile`'s schema lives next to its backend (zone-file.ts).
 */

/**
 * Returns `value` as it is when plain (the schema checked it already); a pending value (an
 * Output or a Promise) becomes an Output that is checked when it resolves and fails the
 * deployment with the same message a plain value gets at construction.
 */
export function checkedInput<T>(
  value: pulumi.Input<T>,
  check: SettingCheck,
  path: string,
): pulumi.Input<T> {
  if (!isPending(value)) return value;
  return pulumi.output(value).apply((v) => checkResolved(v as T, check, path)) as pulumi.Input<T>;
}

/** Checks every value of a map of pulumi Inputs (see {@link checkedInput}). */
export function checkedInputs<T>(
  values: Record<string, pulumi.Input<T>> | undefined,
  check: SettingCheck,
  path: string,
): Record<string, pulumi.Input<T>> | undefined {
  if (values === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [
      k,
      checkedInput(v, check, `${path}[${JSON.stringify(k)}]`),
    ]),
  );
}

/** A Pulumi provider resource (an explicit `cloudflare.Provider` or `aws.Provider`). */
export const providerResource = z.custom<pulumi.ProviderResource>(
  (v) => pulumi.ProviderResource.isInstance(v),
  {
    error: (iss) =>
      `is not a Pulumi provider resource (got ${typeof iss.input}; allowed: a provider such as new cloudflare.Provider(...))`,
  },
);

/** A Cloudflare zone or account id (shared with the Email Routing binding's schema). */
export { cloudflareIdProblem };

/** A Route 53 hosted zone id, e.g. `Z0123456789ABCDEFGHIJ`. */
export const route53ZoneIdProblem = tokenProblem(
  "a Route 53 hosted zone id",
  "Z0123456789ABCDEFGHIJ",
  32,
);

/** A PowerDNS server id. */
export const powerDnsServerIdProblem = tokenProblem("a PowerDNS server id", "localhost", 255);

/** The zone name of a PowerDNS zone. */
export const zoneNameProblem: SettingCheck = (v) =>
  typeof v === "string" &&
  v.length <= 254 &&
  /^([A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?$/.test(v)
    ? undefined
    : `${showValue(v)} is not a zone name (got ${showValue(v)}; allowed: a DNS name such as acme.com)`;

/** `dns.powerDns` settings. */
export const powerDnsArgsSchema = z.strictObject({
  apiUrl: pendingOr<string>(httpUrlProblem),
  serverId: pendingOr<string>(powerDnsServerIdProblem).optional(),
  zone: pendingOr<string>(zoneNameProblem).optional(),
  aliasZones: z.record(settingKey(domainProblem), pendingOr<string>(zoneNameProblem)).optional(),
});

/** `dns.cloudflare` settings. */
export const cloudflareDnsArgsSchema = z.strictObject({
  zoneId: pendingOr<string>(cloudflareIdProblem),
  aliasZoneIds: z
    .record(settingKey(domainProblem), pendingOr<string>(cloudflareIdProblem))
    .optional(),
  ttl: setting<number>((v) =>
    v === 1
      ? undefined
      : intProblem(
          30,
          86400,
          "a Cloudflare TTL",
        )(v)?.replace(
          "allowed: a whole number from 30 to 86400",
          "allowed: 1 (automatic) or a whole number of seconds from 30 to 86400",
        ),
  ).optional(),
  provider: providerResource.optional(),
});

/** `dns.route53` settings. */
export const route53DnsArgsSchema = z.strictObject({
  zoneId: pendingOr<string>(route53ZoneIdProblem),
  aliasZoneIds: z
    .record(settingKey(domainProblem), pendingOr<string>(route53ZoneIdProblem))
    .optional(),
  provider: providerResource.optional(),
});

/** An AWS region id such as `eu-west-1`. */
export const awsRegionProblem: SettingCheck = (v) =>
  typeof v === "string" && /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(v)
    ? undefined
    : `${showValue(v)} is not an AWS region (got ${showValue(v)}; allowed: a region id such as eu-west-1)`;

/** A subdomain under the mail domain: lower-case DNS labels (`bounce`, `mail.out`). */
export const subdomainProblem: SettingCheck = (v) =>
  typeof v === "string" &&
  v.length <= 200 &&
  v.split(".").every((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(l))
    ? undefined
    : `${showValue(v)} is not a subdomain (got ${showValue(v)}; allowed: lower-case DNS labels such as "bounce" or "mail.out")`;

/** `sending.ses` settings. */
export const sesArgsSchema = z.strictObject({
  region: setting(awsRegionProblem),
  mailFromSubdomain: setting(subdomainProblem).optional(),
  dkimKeyLength: z.enum(["RSA_1024_BIT", "RSA_2048_BIT"]).optional(),
  behaviorOnMxFailure: z.enum(["USE_DEFAULT_VALUE", "REJECT_MESSAGE"]).optional(),
  provider: providerResource.optional(),
});
