import type { LiveDomain } from "./import";

/** One entry of a Pulumi import file: a resource's type token, its name in the stack, its id. */
export interface PulumiImportResource {
  type: string;
  name: string;
  id: string;
}

/**
 * The file `pulumi import --file <path>` reads (Pulumi's documented bulk-import format: a
 * `resources` list of `{ type, name, id }`; no parents or providers, so no `nameTable`).
 */
export interface PulumiImportFile {
  resources: PulumiImportResource[];
}

/** The `mailplane` provider plugin's type tokens, by what the import found. */
export const IMPORT_TYPES = {
  mailbox: "mailplane:index:Mailbox",
  alias: "mailplane:index:Alias",
  group: "mailplane:index:MailGroup",
  catchAll: "mailplane:index:CatchAll",
  domainAlias: "mailplane:index:DomainAlias",
} as const;

/**
 * Providers whose resources reach their accounts through an endpoint every resource carries (the
 * selfHosted store locator, its `apiUrl`) and that no environment variable gives: an id holds
 * no endpoint, so `pulumi import` by id cannot read their accounts.
 */
const ENDPOINT_IN_EVERY_RESOURCE = new Set(["selfHosted"]);

/** Why `--import-file` cannot serve a provider, or undefined when it can. */
export function importFileProblem(provider: string): string | undefined {
  if (!ENDPOINT_IN_EVERY_RESOURCE.has(provider)) return undefined;
  return (
    `--import-file: ${provider} accounts cannot be imported by id (an id holds no store ` +
    `locator, and ${provider} reads need one); leave out --import-file and use the program ` +
    `mailplane import writes: its first pulumi up adopts every identical account without a write`
  );
}

/** A name part: lower case, every character outside `a-z 0-9 -` a hyphen (`acme.com` → `acme-com`). */
function namePart(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]/g, "-");
}

/**
 * The import file of a live domain: one entry per account the provider holds, with the id each
 * resource's `create` returns (`<provider>/<domain>/<localPart>`; a catch-all
 * `<provider>/<domain>`; a domain alias `<provider>/<domain>/<aliasDomain>`), named
 * `<domain>-<kind>-<localPart>` (e.g. `acme-com-mailbox-bob`), unique within the file.
 *
 * Each address is imported once, as what owns it:
 * - a mailbox's own aliases are part of its `Mailbox` (the import of a Mailbox reads them into
 *   its `aliases`), so they get no `Alias` entry — on Migadu, every one-destination alias that
 *   delivers to a mailbox is one of them;
 * - an address listed both as an alias and as a group (Migadu keeps groups as aliases with
 *   several destinations) is an `Alias`, as the generated program declares it; groups listed
 *   only as groups are `MailGroup`s.
 *
 * Names: characters a local part may hold but a readable name should not (`.`, `+`, `_`…)
 * become hyphens; when two names would be equal (`a.b` and `a-b`), the later one (in sorted
 * order) gets `-2`, `-3`…
 */
export function importFileOf(live: LiveDomain, provider: string): PulumiImportFile {
  const d = live.domain;
  const base = namePart(d);
  const byLocalPart = <T extends { localPart: string }>(xs: readonly T[]): T[] =>
    [...xs].sort((a, b) => (a.localPart < b.localPart ? -1 : a.localPart > b.localPart ? 1 : 0));
  const entries: Array<{ type: string; wanted: string; exact: boolean; id: string }> = [];
  const add = (type: string, kind: string, key: string | undefined, id: string) => {
    const wanted = key === undefined ? `${base}-${kind}` : `${base}-${kind}-${namePart(key)}`;
    entries.push({ type, wanted, exact: key === undefined || namePart(key) === key, id });
  };

  const mailboxAliases = new Set(live.mailboxes.flatMap((m) => m.aliases));
  for (const m of byLocalPart(live.mailboxes)) {
    add(IMPORT_TYPES.mailbox, "mailbox", m.localPart, `${provider}/${d}/${m.localPart}`);
  }
  const aliases = live.aliases.filter((a) => !mailboxAliases.has(a.localPart));
  for (const a of byLocalPart(aliases)) {
    add(IMPORT_TYPES.alias, "alias", a.localPart, `${provider}/${d}/${a.localPart}`);
  }
  const listedAsAlias = new Set(live.aliases.map((a) => a.localPart));
  const groups = live.groups.filter(
    (g) => !listedAsAlias.has(g.localPart) && !mailboxAliases.has(g.localPart),
  );
  for (const g of byLocalPart(groups)) {
    add(IMPORT_TYPES.group, "group", g.localPart, `${provider}/${d}/${g.localPart}`);
  }
  if (live.catchAll !== undefined && live.catchAll.length > 0) {
    add(IMPORT_TYPES.catchAll, "catch-all", undefined, `${provider}/${d}`);
  }
  for (const aliasDomain of [...live.domainAliases].sort()) {
    add(IMPORT_TYPES.domainAlias, "domain-alias", aliasDomain, `${provider}/${d}/${aliasDomain}`);
  }

  // Names whose key needed no change are taken first, so `a-b` keeps its name and `a.b` is the
  // one that gets a suffix, whatever the sort order.
  const used = new Set<string>();
  const names = new Map<number, string>();
  for (const exact of [true, false]) {
    entries.forEach((e, i) => {
      if (e.exact !== exact) return;
      let name = e.wanted;
      for (let n = 2; used.has(name); n++) name = `${e.wanted}-${n}`;
      used.add(name);
      names.set(i, name);
    });
  }
  return { resources: entries.map((e, i) => ({ type: e.type, name: names.get(i)!, id: e.id })) };
}

/** The import file as written: two-space JSON and a final newline. */
export function renderImportFile(file: PulumiImportFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** One line: how many resources of each type, e.g. `4 resources (2 Mailbox, 2 Alias)`. */
export function importFileSummary(file: PulumiImportFile): string {
  const counts = Object.values(IMPORT_TYPES)
    .map((type) => [type.split(":").pop()!, file.resources.filter((r) => r.type === type).length])
    .filter(([, n]) => n !== 0)
    .map(([kind, n]) => `${n} ${kind}`);
  const total = file.resources.length;
  return `${total} resource${total === 1 ? "" : "s"}${counts.length === 0 ? "" : ` (${counts.join(", ")})`}`;
}
