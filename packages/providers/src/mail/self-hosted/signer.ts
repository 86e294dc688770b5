import { z } from "zod";
import {
  hostNameProblem,
  ipv4Problem,
  ipv6Problem,
  parseSettings,
  portProblem,
  serverPathProblem,
  setting,
  showValue,
  tokenProblem,
  type SettingCheck,
} from "@mailplane/core";
import { checkDkimSelector } from "./dkim";

/**
 * The DKIM signer of a self-hosted server: OpenDKIM as a Postfix milter.
 *
 * Why OpenDKIM rather than rspamd: its configuration is four small plain files (opendkim.conf,
 * KeyTable, SigningTable, TrustedHosts) plus one PEM per selector, which configuration
 * management writes as they are; it needs no Redis, no Lua and no controller; and it keeps the
 * signer a different implementation from the receiving side the tests judge mail with (rspamd),
 * so a signature that passes was not checked by the code that made it.
 * @see http://www.opendkim.org/opendkim.conf.5.html
 */
export interface OpenDkimConfigArgs {
  /** The domains whose mail is signed (the domain and its aliases), each with its own `d=`. */
  domains: string[];
  /** Every published selector (a KeyTable entry each, so switching back is one line). */
  selectors: string[];
  /** The selector that signs now (one of `selectors`). */
  signingSelector: string;
  /** Where opendkim.conf, KeyTable, SigningTable and TrustedHosts go. @default /etc/opendkim */
  configDir?: string;
  /** Where the private keys go, `<selector>.private`, mode 0600. @default /etc/opendkim/keys */
  keyDir?: string;
  /** The milter socket OpenDKIM listens on. @default { host: "127.0.0.1", port: 8891 } */
  socket?: { host: string; port: number };
  /** Hosts whose mail is signed (Postfix's own, submission clients). @default ["127.0.0.1", "::1"] */
  trustedHosts?: string[];
  /** The OpenDKIM pid file. @default /run/opendkim/opendkim.pid */
  pidFile?: string;
  /** The user OpenDKIM runs as (owner of the key files). @default opendkim */
  userId?: string;
}

/** OpenDKIM's configuration for a domain's keys: plain files and secret key files. */
export interface OpenDkimConfig {
  /** The selector that signs. */
  signingSelector: string;
  /** Plain files by path (opendkim.conf, KeyTable, SigningTable, TrustedHosts). */
  files: Record<string, string>;
  /** Where each selector's private key goes (`<keyDir>/<selector>.private`, mode 0600). */
  keyPaths: Record<string, string>;
  /** Postfix `main.cf` parameters that put OpenDKIM in the mail path as a milter. */
  postfixMainCf: Record<string, string>;
}

/** A trusted host: an IPv4/IPv6 address or network, or a host name. */
const trustedHostProblem: SettingCheck = (v) => {
  if (typeof v === "string") {
    const [addr, bits, ...rest] = v.split("/");
    const okBits = (max: number) =>
      bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
    if (rest.length === 0) {
      if (ipv4Problem(addr) === undefined && okBits(32)) return undefined;
      if (ipv6Problem(addr) === undefined && okBits(128)) return undefined;
      if (bits === undefined && hostNameProblem(addr) === undefined) return undefined;
    }
  }
  return (
    `${showValue(v)} is not a trusted host (got ${showValue(v)}; allowed: an IPv4/IPv6 address ` +
    "or network such as 127.0.0.1 or 192.0.2.0/24, or a host name)"
  );
};

const selectorProblem: SettingCheck = (v) => {
  try {
    checkDkimSelector(v as string);
    return undefined;
  } catch (e) {
    return (e as Error).message.replace(/^dkim\.selector: /, "");
  }
};

export const openDkimConfigArgsSchema = z
  .strictObject({
    domains: z.array(setting(hostNameProblem)).min(1),
    selectors: z.array(setting(selectorProblem)).min(1),
    signingSelector: setting(selectorProblem),
    configDir: setting(serverPathProblem).optional(),
    keyDir: setting(serverPathProblem).optional(),
    socket: z
      .strictObject({
        host: setting(ipv4Problem),
        port: setting<number>(portProblem),
      })
      .optional(),
    trustedHosts: z.array(setting(trustedHostProblem)).min(1).optional(),
    pidFile: setting(serverPathProblem).optional(),
    userId: setting(tokenProblem("a user name", "opendkim", 32)).optional(),
  })
  .superRefine((a, ctx) => {
    if (!a.selectors.includes(a.signingSelector)) {
      ctx.addIssue({
        code: "custom",
        path: ["signingSelector"],
        message:
          `${JSON.stringify(a.signingSelector)} is not a published selector ` +
          `(got ${JSON.stringify(a.signingSelector)}; allowed: one of ${a.selectors.join(", ")})`,
      });
    }
  });

const trim = (dir: string) => (dir.length > 1 ? dir.replace(/\/$/, "") : dir);

/**
 * OpenDKIM's configuration signing every domain's mail with `signingSelector` (RSA-SHA256,
 * relaxed/simple, From oversigned so it cannot be added after signing). Mail is signed only for
 * the trusted hosts (Postfix on the server, authenticated submission); everything else passes
 * unsigned and unverified (`Mode s`). The KeyTable lists every published selector; the
 * SigningTable names only the signing one, so a rotation changes one line per domain.
 * @throws MailplaneConfigError naming the field when a value cannot be written safely.
 */
export function openDkimConfig(args: OpenDkimConfigArgs): OpenDkimConfig {
  parseSettings(openDkimConfigArgsSchema, args, ["openDkimConfig"]);
  const configDir = trim(args.configDir ?? "/etc/opendkim");
  const keyDir = trim(args.keyDir ?? `${configDir}/keys`);
  const socket = args.socket ?? { host: "127.0.0.1", port: 8891 };
  const domains = [...new Set(args.domains.map((d) => d.toLowerCase().replace(/\.$/, "")))];
  const selectors = [...new Set(args.selectors)];
  const keyPath = (s: string) => `${keyDir}/${s}.private`;
  const keyTable = domains
    .flatMap((d) => selectors.map((s) => `${s}._domainkey.${d} ${d}:${s}:${keyPath(s)}`))
    .join("\n");
  // refile: patterns; `*@domain` matches every sender address of the domain (not subdomains).
  const signingTable = domains
    .map((d) => `*@${d} ${args.signingSelector}._domainkey.${d}`)
    .join("\n");
  const trustedHosts = (args.trustedHosts ?? ["127.0.0.1", "::1"]).join("\n");
  const conf = [
    "# Generated by Mailplane (self-hosted DKIM signer). Do not edit: change the stack.",
    "Mode s",
    "Syslog yes",
    "SyslogSuccess yes",
    `UserID ${args.userId ?? "opendkim"}`,
    "UMask 007",
    `PidFile ${args.pidFile ?? "/run/opendkim/opendkim.pid"}`,
    `Socket inet:${socket.port}@${socket.host}`,
    "Canonicalization relaxed/simple",
    "SignatureAlgorithm rsa-sha256",
    "OversignHeaders From",
    "RequireSafeKeys yes",
    `KeyTable file:${configDir}/KeyTable`,
    `SigningTable refile:${configDir}/SigningTable`,
    `InternalHosts refile:${configDir}/TrustedHosts`,
    `ExternalIgnoreList refile:${configDir}/TrustedHosts`,
    "",
  ].join("\n");
  return {
    signingSelector: args.signingSelector,
    files: {
      [`${configDir}/opendkim.conf`]: conf,
      [`${configDir}/KeyTable`]: `${keyTable}\n`,
      [`${configDir}/SigningTable`]: `${signingTable}\n`,
      [`${configDir}/TrustedHosts`]: `${trustedHosts}\n`,
    },
    keyPaths: Object.fromEntries(selectors.map((s) => [s, keyPath(s)])),
    postfixMainCf: {
      smtpd_milters: `inet:${socket.host}:${socket.port}`,
      non_smtpd_milters: `inet:${socket.host}:${socket.port}`,
      milter_protocol: "6",
      // Mail the signer cannot sign waits in the queue instead of leaving unsigned.
      milter_default_action: "tempfail",
    },
  };
}

/**
 * The private key files of a configuration: PEM by path, for every selector of its KeyTable.
 * The result is secret; an error never shows a key.
 */
export function openDkimKeyFiles(
  config: Pick<OpenDkimConfig, "keyPaths">,
  keys: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config.keyPaths).map(([selector, file]) => {
      const pem = keys[selector];
      if (typeof pem !== "string" || !pem.startsWith("-----BEGIN PRIVATE KEY-----")) {
        throw new Error(
          `openDkimKeyFiles.keys.${selector}: no PKCS#8 PEM private key for selector ` +
            `${selector} (allowed: the privateKeyPem of its DkimKey)`,
        );
      }
      return [file, pem];
    }),
  );
}

/** The ISO date (`2026-12-01`) or date-time (`2026-12-01T06:00:00Z`) signing switches at. */
export const switchDateProblem: SettingCheck = (v) =>
  typeof v === "string" &&
  /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$/.test(v) &&
  !Number.isNaN(Date.parse(v))
    ? undefined
    : `${showValue(v)} is not a switch date (got ${showValue(v)}; allowed: an ISO date such as ` +
      "2026-12-01 (UTC midnight) or a date-time with a zone such as 2026-12-01T06:00:00Z)";

/**
 * Which selector signs at `now`: the next key's from its `signFrom` date on, the current one
 * before it.
 */
export function signingSelectorAt(
  dkim: { selector: string; next?: { selector: string; signFrom: string } } | undefined,
  now: Date,
): string {
  const current = dkim?.selector ?? "mail";
  const next = dkim?.next;
  if (next === undefined) return current;
  return now.getTime() >= Date.parse(next.signFrom) ? next.selector : current;
}
