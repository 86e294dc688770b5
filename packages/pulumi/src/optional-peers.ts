/* eslint-disable @typescript-eslint/no-require-imports -- optional peers are required on first use */
import type * as Aws from "@pulumi/aws";
import type * as Cloudflare from "@pulumi/cloudflare";

/**
 * The optional peer dependencies of `@mailplane/pulumi` and the range each must satisfy (the
 * `peerDependencies` of its package.json). Only the backends that create their resources load
 * them, at call time, so a program on `dns.zoneFile` and `providers.selfHosted` installs neither.
 */
export const OPTIONAL_PEERS = {
  "@pulumi/aws": { range: "^7.0.0", usedBy: "dns.route53 and ses" },
  "@pulumi/cloudflare": {
    range: "^6.0.0",
    usedBy: "dns.cloudflare and providers.cloudflareEmailRouting",
  },
} as const;

/** An optional peer's package name. */
export type OptionalPeer = keyof typeof OPTIONAL_PEERS;

/**
 * Loads an optional peer for `feature` (e.g. `dns.cloudflare`). When the package is not
 * installed, throws a message naming the feature, the package and how to install it; any other
 * failure (a broken install, an error inside the package) is rethrown as it is.
 * @param load `require` of the package; a test passes its own
 */
export function loadOptionalPeer<T>(pkg: OptionalPeer, feature: string, load: () => unknown): T {
  try {
    return load() as T;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e?.code === "MODULE_NOT_FOUND" && e.message.startsWith(`Cannot find module '${pkg}'`)) {
      const { range, usedBy } = OPTIONAL_PEERS[pkg];
      throw new Error(
        `${feature} needs the package ${pkg}, which is not installed: add it to your Pulumi ` +
          `program (npm install ${pkg}@${range}). It is an optional peer dependency of ` +
          `@mailplane/pulumi, used only by ${usedBy}.`,
      );
    }
    throw err;
  }
}

/** `@pulumi/aws`, loaded on first use by `feature`. */
export const loadAws = (feature: string): typeof Aws =>
  loadOptionalPeer("@pulumi/aws", feature, () => require("@pulumi/aws"));

/** `@pulumi/cloudflare`, loaded on first use by `feature`. */
export const loadCloudflare = (feature: string): typeof Cloudflare =>
  loadOptionalPeer("@pulumi/cloudflare", feature, () => require("@pulumi/cloudflare"));
