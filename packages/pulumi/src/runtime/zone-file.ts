/**
 * The zone-file resource's provider, apart from the resource class so the provider plugin loads
 * it without @pulumi/pulumi (types only).
 */
import type * as pulumi from "@pulumi/pulumi";

/** Flat inputs of the zone-file resource: what `pulumi preview --diff` shows. */
export interface ZoneFileInputs {
  /** Absolute path of the file. */
  path: string;
  /**
   * The whole file. Its SOA serial is a template (a floor): the serial written is assigned by
   * the provider, and content is compared with the serial left out.
   */
  content: string;
  /** `delete` removes the file when the resource is deleted; otherwise it is kept. */
  onDelete?: "keep" | "delete";
}

/** What the zone-file resource holds in state. */
export interface ZoneFileOutputs extends ZoneFileInputs {
  /** The SOA serial written into the file; absent when the content has no SOA record. */
  serial?: number;
}

/**
 * The dynamic provider that writes a zone file, with the clock it dates serials by. It assigns
 * the SOA serial at write time, so secondaries see every change:
 * - create: `YYYYMMDD01` of today (UTC), or more when a file is already there: its serial when
 *   the zone is the same, the next one when it differs;
 * - update of the content: `max(old + 1, today's YYYYMMDD01)`;
 * - the content's own serial (`zone.serial`) is a floor in both cases;
 * - diff compares content with the serial normalised, so an unchanged zone shows no change;
 * - read (refresh) keeps the file's serial in state and reports the content with the state's
 *   template serial, so a written file is not drift;
 * - delete keeps the file unless `onDelete` is `delete`, and even then keeps it when another
 *   resource wrote it in this deployment (a renamed MailDomain's new zone-file child, created
 *   just before the old one is deleted).
 *
 * The provider is self-contained: it captures only `clock` and the helpers defined here, and
 * loads `node:fs`/`node:path` through `process.getBuiltinModule` at call time, so its
 * serialized code stays valid however the library changes.
 */
export function zoneFileProviderWithClock(
  clock: () => Date,
): pulumi.dynamic.ResourceProvider<ZoneFileInputs, ZoneFileOutputs> {
  // `<owner> [ttl] [class] SOA <mname> <rname> <serial>` at the start of a line.
  const soa =
    /^(\S+[ \t]+(?:\d+[ \t]+)?(?:IN[ \t]+)?(?:\d+[ \t]+)?SOA[ \t]+\S+[ \t]+\S+[ \t]+)(\d+)/m;
  const MAX_SERIAL = 4294967295;
  const serialOf = (content: string): number | undefined => {
    const m = soa.exec(content);
    return m ? Number(m[2]) : undefined;
  };
  const withSerial = (content: string, serial: number): string =>
    content.replace(soa, (_all, head: string) => `${head}${serial}`);
  const normalised = (content: string): string => withSerial(content, 0);
  const todaySerial = (): number => {
    const d = clock();
    return (d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate()) * 100 + 1;
  };
  const nextSerial = (path: string, candidates: Array<number | undefined>): number => {
    const serial = Math.max(...candidates.filter((c): c is number => c !== undefined));
    if (serial > MAX_SERIAL) {
      throw new Error(
        `zone file ${path}: the next SOA serial ${serial} is not allowed; allowed: an integer ` +
          `0–${MAX_SERIAL} (lower the zone's serial option)`,
      );
    }
    return serial;
  };
  // A file written by this deployment (shared with @mailplane/providers' `claim` registry): the
  // delete of a renamed resource's old self must not remove it.
  const claims = (): Set<string> => {
    const g = globalThis as { [k: symbol]: Set<string> | undefined };
    return (g[Symbol.for("mailplane.claims")] ??= new Set<string>());
  };
  const fileClaim = (file: string): string => JSON.stringify(["zone-file", file]);
  const write = (file: string, content: string, serial: number | undefined): ZoneFileOutputs => {
    const fs = process.getBuiltinModule("node:fs");
    const nodePath = process.getBuiltinModule("node:path");
    fs.mkdirSync(nodePath.dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, serial === undefined ? content : withSerial(content, serial), {
      mode: 0o644,
    });
    fs.renameSync(tmp, file);
    claims().add(fileClaim(file));
    return serial === undefined ? { path: file, content } : { path: file, content, serial };
  };
  const withOnDelete = (outs: ZoneFileOutputs, inputs: ZoneFileInputs): ZoneFileOutputs =>
    inputs.onDelete === "delete" ? { ...outs, onDelete: "delete" } : outs;
  return {
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
      const changed =
        typeof olds.content !== "string" ||
        typeof news.content !== "string" ||
        normalised(olds.content) !== normalised(news.content);
      const onDelete = (olds.onDelete ?? "keep") !== (news.onDelete ?? "keep");
      return {
        changes: replaces.length > 0 || changed || onDelete,
        replaces,
        deleteBeforeReplace: false,
      };
    },
    async create(inputs) {
      const floor = serialOf(inputs.content);
      // A file already there (a renamed resource's, or one written by hand) never sees its serial
      // go backwards: the same zone keeps its serial, a different one gets the next.
      const fs = process.getBuiltinModule("node:fs");
      const existing = fs.existsSync(inputs.path) ? fs.readFileSync(inputs.path, "utf8") : "";
      const current = serialOf(existing);
      const after =
        current === undefined
          ? undefined
          : normalised(existing) === normalised(inputs.content)
            ? current
            : current + 1;
      const serial =
        floor === undefined ? undefined : nextSerial(inputs.path, [todaySerial(), floor, after]);
      return {
        id: inputs.path,
        outs: withOnDelete(write(inputs.path, inputs.content, serial), inputs),
      };
    },
    async update(_id, olds, news) {
      const floor = serialOf(news.content);
      const before = typeof olds.content === "string" ? olds.content : "";
      const old = typeof olds.serial === "number" ? olds.serial : serialOf(before);
      let serial: number | undefined;
      if (floor !== undefined) {
        const same = old !== undefined && normalised(before) === normalised(news.content);
        serial = same
          ? Math.max(old, floor)
          : nextSerial(news.path, [old === undefined ? undefined : old + 1, todaySerial(), floor]);
      }
      return { outs: withOnDelete(write(news.path, news.content, serial), news) };
    },
    async read(id, props) {
      const fs = process.getBuiltinModule("node:fs");
      const file = props?.path ?? id;
      if (!fs.existsSync(file)) return {};
      const text = fs.readFileSync(file, "utf8");
      const serial = serialOf(text);
      // The state's content keeps its template serial; the file's serial is kept as `serial`.
      const template = typeof props?.content === "string" ? serialOf(props.content) : undefined;
      const content =
        serial !== undefined && template !== undefined ? withSerial(text, template) : text;
      const outs: ZoneFileOutputs =
        serial === undefined ? { path: file, content } : { path: file, content, serial };
      return { id, props: props?.onDelete === "delete" ? { ...outs, onDelete: "delete" } : outs };
    },
    async delete(_id, props) {
      // Kept unless the user opted in: Mailplane deletes only what it was told it may delete.
      if (props.onDelete !== "delete") return;
      // Another resource of this deployment wrote the file (a renamed MailDomain): keep it.
      if (claims().has(fileClaim(props.path))) return;
      const fs = process.getBuiltinModule("node:fs");
      fs.rmSync(props.path, { force: true });
    },
  };
}

/** The dynamic provider that writes a zone file, dating serials by the system clock. */
export const zoneFileProvider: pulumi.dynamic.ResourceProvider<ZoneFileInputs, ZoneFileOutputs> =
  zoneFileProviderWithClock(() => new Date());
