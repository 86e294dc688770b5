import * as pulumi from "@pulumi/pulumi";
import { loadCloudflare } from "../optional-peers";
import { encodeTxt } from "@mailplane/core";
import { childNames, type DnsBackend, type DnsRecordInput, type DnsScope } from "./backend";
import { hostedZoneIdFor, type HostedZoneArgs } from "./hosted-zone";

/** Settings of the Cloudflare DNS backend. */
export interface CloudflareDnsArgs extends HostedZoneArgs {
  /**
   * TTL for every record, in seconds (60–86400; 30 on Enterprise zones).
   * @default 1 (Cloudflare's "automatic")
   */
  ttl?: number;
}

/** The DNS backend that publishes records as `cloudflare.DnsRecord` children. */
export class CloudflareDnsBackend implements DnsBackend {
  /** Backend id. */
  readonly kind = "cloudflare";
  /** Creates the backend; use {@link dns.cloudflare} instead. */
  constructor(readonly args: CloudflareDnsArgs) {
    if (args.ttl !== undefined && args.ttl !== 1 && !(args.ttl >= 30 && args.ttl <= 86400)) {
      throw new Error(
        `dns.cloudflare: ttl must be 1 (automatic) or 30–86400 seconds, got ${args.ttl}`,
      );
    }
  }

  /** One `cloudflare.DnsRecord` per record; TXT content quoted as the Cloudflare API expects. */
  createRecords(records: DnsRecordInput[], scope: DnsScope): Record<string, pulumi.Resource> {
    // @pulumi/cloudflare is an optional peer dependency, loaded on first use.
    const cloudflare = loadCloudflare("dns.cloudflare");
    const names = childNames(records, scope.name);
    // Resolve every zone first: a bad record fails before any child exists.
    const args = records.map((r) =>
      cloudflareRecordArgs(r, {
        zoneId: hostedZoneIdFor("cloudflare", r.name, scope, this.args),
        ttl: this.args.ttl,
      }),
    );
    const out: Record<string, pulumi.Resource> = {};
    records.forEach((_r, i) => {
      out[names[i]] = new cloudflare.DnsRecord(names[i], args[i], {
        parent: scope.parent,
        ...(this.args.provider ? { provider: this.args.provider } : {}),
      });
    });
    return out;
  }
}

/**
 * The `cloudflare.DnsRecord` inputs for one planned record. (No `cloudflare.DnsRecordArgs` in
 * the signature: @pulumi/cloudflare is an optional peer, so the public types must not need it.)
 */
export function cloudflareRecordArgs(
  r: DnsRecordInput,
  args: Pick<CloudflareDnsArgs, "zoneId" | "ttl">,
) {
  const base = { zoneId: args.zoneId, name: r.name, type: r.type, ttl: args.ttl ?? 1 };
  switch (r.type) {
    case "TXT":
      return { ...base, content: pulumi.output(r.value).apply((v) => encodeTxt(v, "cloudflare")) };
    case "MX":
      // Priority 0 is a real preference: pass it through, never drop it as "empty".
      return { ...base, content: r.value, priority: r.priority ?? 0 };
    case "SRV":
      return {
        ...base,
        priority: r.priority ?? 0,
        data: { priority: r.priority ?? 0, weight: r.weight ?? 0, port: r.port, target: r.value },
      };
    case "CNAME":
      // Mail hosts must resolve to the real target: never proxied through Cloudflare.
      return { ...base, content: r.value, proxied: false };
    default:
      return { ...base, content: r.value, proxied: false };
  }
}
