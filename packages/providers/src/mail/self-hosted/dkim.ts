import { createPublicKey, generateKeyPairSync } from "node:crypto";
import type { DnsFacts, ServiceEndpoint } from "@mailplane/core";

/** A DKIM key pair: the private key for the signer (secret), the public key for DNS. */
export interface DkimKeyPair {
  selector: string;
  /** PKCS#8 PEM, for OpenDKIM/rspamd. Secret: never log it. */
  privateKeyPem: string;
  /** The base64 SubjectPublicKeyInfo (DER) that goes into `p=`. */
  publicKey: string;
}

const SELECTOR = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Checks a DKIM selector (one DNS label); throws naming the value and what is allowed. */
export function checkDkimSelector(selector: string): string {
  if (typeof selector !== "string" || !SELECTOR.test(selector)) {
    throw new Error(
      `dkim.selector: ${JSON.stringify(selector)} is not valid; allowed: one lower-case DNS label ` +
        "(letters, digits, inner hyphens; at most 63 characters), e.g. mail2026",
    );
  }
  return selector;
}

/** Generates an RSA 2048 DKIM key pair with node:crypto. */
export function generateDkimKeyPair(selector: string): DkimKeyPair {
  checkDkimSelector(selector);
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "der" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { selector, privateKeyPem: privateKey, publicKey: publicKey.toString("base64") };
}

/** The public key (base64 SPKI) of a PEM private key, to check a stored pair. */
export function dkimPublicKeyOf(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: "spki", format: "der" }).toString("base64");
}

/** The DKIM TXT value `v=DKIM1; k=rsa; p=<base64>` (RFC 6376 §3.6.1). */
export function dkimTxtValue(publicKey: string): string {
  return `v=DKIM1; k=rsa; p=${publicKey}`;
}

/** Inputs of {@link selfHostedDnsFacts}. */
export interface SelfHostedDnsFactsArgs {
  /** The MX host(s) of the server, e.g. `mx.acme.com`, preference 10 each unless given. */
  mx: Array<{ host: string; priority?: number }>;
  /** DKIM public keys by selector; every one is published (old selectors until removed). */
  dkim: Array<{ selector: string; publicKey: string }>;
  /** SPF `include:` domains (e.g. a relay's); the planner puts them in the one SPF record. */
  spfInclude?: string[];
  /**
   * Other SPF mechanisms of the server: by default `mx`, since a self-hosted server sends from
   * its MX hosts. Give `["ip4:192.0.2.10"]` (or `[]`) when it sends from elsewhere.
   * @default ["mx"]
   */
  spfTerms?: string[];
  /** Client discovery endpoints published as SRV (RFC 6186/8314). */
  imap?: ServiceEndpoint;
  submission?: ServiceEndpoint;
}

/** The DNS facts of a self-hosted server: its MX, its DKIM keys, its client endpoints. */
export function selfHostedDnsFacts(args: SelfHostedDnsFactsArgs): DnsFacts {
  return {
    provider: "selfHosted",
    mx: args.mx.map((m) => ({ priority: m.priority ?? 10, host: m.host })),
    spfInclude: args.spfInclude ?? [],
    spfTerms: args.spfTerms ?? ["mx"],
    dkim: args.dkim.map((k) => ({
      selector: checkDkimSelector(k.selector),
      type: "TXT" as const,
      value: dkimTxtValue(k.publicKey),
    })),
    verification: [],
    clientDiscovery: {
      ...(args.imap ? { imap: args.imap } : {}),
      ...(args.submission ? { submission: args.submission } : {}),
    },
  };
}
