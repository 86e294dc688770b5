import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  domainProblem,
  filePathProblem,
  parseSettings,
  renderZoneFile,
  setting,
  settingKey,
  zoneFileOptionsSchema,
  type DnsRecord,
  type ZoneFileOptions,
} from "@mailplane/core";
import { pluginResourceOptions, typeToken } from "../resource-types";
import { zoneOf, type DnsBackend, type DnsRecordInput, type DnsScope } from "./backend";

/** Settings of the zone-file DNS backend. */
export interface ZoneFileDnsArgs {
  /**
   * Where to write the RFC 1035 master file. A relative path is resolved against the
   * directory `pulumi` runs in.
   * @see https://www.rfc-editor.org/rfc/rfc1035#section-5
   */
  path: string;
  /**
   * Files for the domain aliases' zones, by alias domain.
   * @default `<alias>.zone` next to `path`
   */
  aliasPaths?: Record<string, string>;
  /**
   * Name servers, hostmaster and timers of the rendered zone. The SOA serial is assigned when
   * the file is written (see {@link zoneFileProviderWithClock}); `zone.serial`, when set, is the
   * lowest serial written.
   * @default `ns1.<origin>` at 127.0.0.1 (set real name servers for production)
   */
  zone?: ZoneFileOptions;
  /**
   * What removing the zone from code (or `pulumi destroy`) does to the file: `keep` leaves it
   * where it is (a name server may still load it); `delete` removes it. A file another resource
   * of the same deployment now writes (a renamed MailDomain) is kept either way.
   * @default "keep"
   */
  onDelete?: "keep" | "delete";
}

/** The schema of {@link ZoneFileDnsArgs}, checked when `dns.zoneFile` is called. */
export const zoneFileDnsArgsSchema = z.strictObject({
  path: setting(filePathProblem),
  aliasPaths: z.record(settingKey(domainProblem), setting(filePathProblem)).optional(),
  zone: zoneFileOptionsSchema.optional(),
  onDelete: z.enum(["keep", "delete"]).optional(),
});

export {
  zoneFileProvider,
  zoneFileProviderWithClock,
  type ZoneFileInputs,
  type ZoneFileOutputs,
} from "../runtime/zone-file";

/** Arguments of {@link ZoneFile}. */
export interface ZoneFileArgs {
  /** Absolute path of the file. */
  path: pulumi.Input<string>;
  /** The whole file. */
  content: pulumi.Input<string>;
  /** `delete` removes the file on delete/destroy. @default "keep" */
  onDelete?: "keep" | "delete";
}

/**
 * A file on the machine running Pulumi holding an RFC 1035 zone: `mailplane:index:ZoneFile`,
 * written by the `mailplane` provider plugin with {@link zoneFileProvider}.
 */
export class ZoneFile extends pulumi.CustomResource {
  /** Absolute path of the file. */
  declare readonly path: pulumi.Output<string>;
  /** The file's text, with the template SOA serial. */
  declare readonly content: pulumi.Output<string>;

  /** Creates the resource. */
  constructor(name: string, args: ZoneFileArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      typeToken("ZoneFile"),
      name,
      {
        path: args.path,
        content: args.content,
        ...(args.onDelete === "delete" ? { onDelete: "delete" } : {}),
      },
      pluginResourceOptions("ZoneFile", opts),
    );
  }
}

/** Zone files this program writes, by absolute path: the child that writes each. */
const zoneFileWriters = new Map<string, string>();

/**
 * The DNS backend that writes the records to an RFC 1035 master file (the quickstart's
 * default, loadable by BIND, Knot or NSD). One child, `${name}-zone-file`. The file is kept
 * when the MailDomain is removed or destroyed unless `onDelete: "delete"` is given.
 */
export class ZoneFileDnsBackend implements DnsBackend {
  /** Backend id. */
  readonly kind = "zoneFile";
  /** Creates the backend; use {@link dns.zoneFile} instead. */
  constructor(readonly args: ZoneFileDnsArgs) {
    parseSettings(zoneFileDnsArgsSchema, args, ["dns", "zoneFile"]);
  }

  /** Writes every record, rendered by core's `renderZoneFile`, into the one file. */
  createRecords(records: DnsRecordInput[], scope: DnsScope): Record<string, pulumi.Resource> {
    const nodePath = process.getBuiltinModule("node:path");
    const byZone = new Map<string, DnsRecordInput[]>([[scope.domain, []]]);
    for (const r of records) {
      const zone = zoneOf(r.name, scope);
      byZone.set(zone, [...(byZone.get(zone) ?? []), r]);
    }
    const out: Record<string, pulumi.Resource> = {};
    for (const [zone, zoneRecords] of byZone) {
      const main = zone === scope.domain;
      const path = nodePath.resolve(
        main
          ? this.args.path
          : (this.args.aliasPaths?.[zone] ??
              nodePath.join(nodePath.dirname(this.args.path), `${zone}.zone`)),
      );
      const content = pulumi
        .output(zoneRecords)
        .apply((rs) => renderZoneFile(rs as DnsRecord[], zone, this.args.zone));
      const childName = main ? `${scope.name}-zone-file` : `${scope.name}-zone-file-${zone}`;
      const writer = zoneFileWriters.get(path);
      if (writer !== undefined && writer !== childName) {
        // Each would overwrite the other's records at every `up`: one zone's mail lost.
        throw new Error(
          `dns.zoneFile: ${path} is already written by ${writer}; each zone needs its own file ` +
            `(set path${main ? "" : ` or aliasPaths["${zone}"]`} to another file)`,
        );
      }
      zoneFileWriters.set(path, childName);
      out[childName] = new ZoneFile(
        childName,
        { path, content, onDelete: this.args.onDelete },
        { parent: scope.parent },
      );
    }
    return out;
  }
}
