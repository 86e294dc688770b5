import * as pulumi from "@pulumi/pulumi";
import { renderZoneFile, type DnsRecord, type ZoneFileOptions } from "@mailplane/core";
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
   * SOA serial, name servers, hostmaster and timers of the rendered zone.
   * @default serial 1, `ns1.<origin>` at 127.0.0.1 (set real name servers for production)
   */
  zone?: ZoneFileOptions;
}

/** Flat inputs of the zone-file resource: what `pulumi preview --diff` shows. */
export interface ZoneFileInputs {
  /** Absolute path of the file. */
  path: string;
  /** The whole file. */
  content: string;
}

/**
 * The dynamic provider that writes a zone file. It is self-contained: it captures no module
 * objects and loads `node:fs`/`node:path` through `process.getBuiltinModule` at call time, so
 * its serialized code stays valid however the library changes.
 */
export const zoneFileProvider: pulumi.dynamic.ResourceProvider<ZoneFileInputs, ZoneFileInputs> = {
  async check(_olds, news) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (typeof news.path !== "string" || !news.path.startsWith("/")) {
      failures.push({ property: "path", reason: `must be an absolute path, got ${news.path}` });
    }
    if (typeof news.content !== "string") {
      failures.push({ property: "content", reason: "must be the text of the zone file" });
    }
    return { inputs: news, failures };
  },
  async diff(_id, olds, news) {
    const replaces = olds.path !== news.path ? ["path"] : [];
    return {
      changes: olds.path !== news.path || olds.content !== news.content,
      replaces,
      deleteBeforeReplace: false,
    };
  },
  async create(inputs) {
    const fs = process.getBuiltinModule("node:fs");
    const path = process.getBuiltinModule("node:path");
    fs.mkdirSync(path.dirname(inputs.path), { recursive: true });
    const tmp = `${inputs.path}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, inputs.content, { mode: 0o644 });
    fs.renameSync(tmp, inputs.path);
    return { id: inputs.path, outs: { path: inputs.path, content: inputs.content } };
  },
  async update(_id, _olds, news) {
    const fs = process.getBuiltinModule("node:fs");
    const path = process.getBuiltinModule("node:path");
    fs.mkdirSync(path.dirname(news.path), { recursive: true });
    const tmp = `${news.path}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, news.content, { mode: 0o644 });
    fs.renameSync(tmp, news.path);
    return { outs: { path: news.path, content: news.content } };
  },
  async read(id, props) {
    const fs = process.getBuiltinModule("node:fs");
    const path = props?.path ?? id;
    if (!fs.existsSync(path)) return {};
    return { id, props: { path, content: fs.readFileSync(path, "utf8") } };
  },
  async delete(_id, props) {
    const fs = process.getBuiltinModule("node:fs");
    fs.rmSync(props.path, { force: true });
  },
};

/** Arguments of {@link ZoneFile}. */
export interface ZoneFileArgs {
  /** Absolute path of the file. */
  path: pulumi.Input<string>;
  /** The whole file. */
  content: pulumi.Input<string>;
}

/** A file on the machine running Pulumi holding an RFC 1035 zone (dynamic resource). */
export class ZoneFile extends pulumi.dynamic.Resource {
  /** Absolute path of the file. */
  declare readonly path: pulumi.Output<string>;
  /** The file's text. */
  declare readonly content: pulumi.Output<string>;

  /** Creates the resource. */
  constructor(name: string, args: ZoneFileArgs, opts?: pulumi.CustomResourceOptions) {
    super(zoneFileProvider, name, { path: args.path, content: args.content }, opts, "ZoneFile");
  }
}

/**
 * The DNS backend that writes the records to an RFC 1035 master file (the quickstart's
 * default, loadable by BIND, Knot or NSD). One child, `${name}-zone-file`.
 */
export class ZoneFileDnsBackend implements DnsBackend {
  /** Backend id. */
  readonly kind = "zoneFile";
  /** Creates the backend; use {@link dns.zoneFile} instead. */
  constructor(readonly args: ZoneFileDnsArgs) {
    if (typeof args.path !== "string" || args.path.trim() === "") {
      throw new Error(`dns.zoneFile: path must be a file path, got ${JSON.stringify(args.path)}`);
    }
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
      out[childName] = new ZoneFile(childName, { path, content }, { parent: scope.parent });
    }
    return out;
  }
}
