import { claim, isClaimed } from "../../claims";
import { PowerDnsClient, sortRRsets, type PowerDnsRRset } from "./client";

/** Flat inputs of a zone's Mailplane-managed RRsets: what `pulumi preview --diff` shows. */
export interface PowerDnsRecordsInputs {
  apiUrl: string;
  serverId: string;
  zone: string;
  /** The RRsets Mailplane owns in the zone, as `toPowerDnsRRsets` builds them. */
  rrsets: PowerDnsRRset[];
}

type Props = Record<string, unknown> | PowerDnsRecordsInputs;
const key = (s: Pick<PowerDnsRRset, "name" | "type">) => `${s.name} ${s.type}`;
const canon = (sets: PowerDnsRRset[]) =>
  JSON.stringify(sets.map((s) => [key(s), s.ttl, s.records]));

function inputsOf(props: Props): PowerDnsRecordsInputs {
  const p = props as Record<string, unknown>;
  return {
    apiUrl: String(p.apiUrl),
    serverId: String(p.serverId ?? "localhost"),
    zone: String(p.zone),
    rrsets: (p.rrsets as PowerDnsRRset[] | undefined) ?? [],
  };
}

/** The claim (see `claim`) of one RRset of a zone on a server. */
const rrsetClaim = (inputs: PowerDnsRecordsInputs, s: PowerDnsRRset): string[] => [
  "powerdns",
  inputs.apiUrl,
  inputs.serverId,
  inputs.zone,
  key(s),
];

async function reconcile(inputs: PowerDnsRecordsInputs, previous: PowerDnsRRset[]): Promise<void> {
  const client = new PowerDnsClient(inputs);
  const wanted = new Set(inputs.rrsets.map(key));
  await client.patchRRsets(
    inputs.rrsets,
    previous.filter((s) => !wanted.has(key(s))),
  );
  for (const s of inputs.rrsets) claim(...rrsetClaim(inputs, s));
}

/**
 * The dynamic provider behind `dns.powerDns`: one resource per zone owning a set of RRsets.
 * Create and update PATCH the RRsets (changetype REPLACE) and delete those no longer planned
 * (changetype DELETE); delete removes every owned RRset no renamed resource took over. RRsets
 * it does not own are never touched. The API key is read from `PDNS_API_KEY` at call time.
 */
export const powerDnsRecordsProvider = {
  /** Validates the flat inputs. */
  async check(_olds: Props, props: Props) {
    const news = props as Record<string, unknown>;
    const failures: Array<{ property: string; reason: string }> = [];
    if (typeof news.apiUrl !== "string" || !/^https?:\/\//.test(news.apiUrl)) {
      failures.push({
        property: "apiUrl",
        reason: `must be an http(s) URL, got ${JSON.stringify(news.apiUrl)}`,
      });
    }
    if (typeof news.zone !== "string" || news.zone === "") {
      failures.push({ property: "zone", reason: "must be the zone name, e.g. acme.com" });
    }
    if (!Array.isArray(news.rrsets))
      failures.push({ property: "rrsets", reason: "must be a list" });
    return { inputs: news, failures };
  },
  /** Changes when any RRset differs; a different server or zone replaces the resource. */
  async diff(_id: string, olds: Props, news: Props) {
    const o = inputsOf(olds);
    const n = inputsOf(news);
    const replaces = (["apiUrl", "serverId", "zone"] as const).filter((k) => o[k] !== n[k]);
    return {
      changes: replaces.length > 0 || canon(o.rrsets) !== canon(n.rrsets),
      replaces,
      deleteBeforeReplace: false,
    };
  },
  /** PATCHes every planned RRset. */
  async create(news: Props) {
    const inputs = inputsOf(news);
    await reconcile(inputs, []);
    return { id: `${inputs.serverId}/${inputs.zone}`, outs: inputs };
  },
  /** Reads the owned RRsets back from the server (drift shows in `pulumi refresh`). */
  async read(id: string, props: Props) {
    const inputs = inputsOf(props);
    const live = await new PowerDnsClient(inputs).listRRsets();
    const owned = new Set(inputs.rrsets.map(key));
    return { id, props: { ...inputs, rrsets: sortRRsets(live.filter((s) => owned.has(key(s)))) } };
  },
  /** Replaces changed RRsets and deletes the ones no longer planned. */
  async update(_id: string, olds: Props, news: Props) {
    const inputs = inputsOf(news);
    await reconcile(inputs, inputsOf(olds).rrsets);
    return { outs: inputs };
  },
  /**
   * Deletes every owned RRset, except those another resource of this deployment now manages (a
   * renamed MailDomain's new records resource wrote them just before).
   */
  async delete(_id: string, props: Props) {
    const inputs = inputsOf(props);
    const gone = inputs.rrsets.filter((s) => !isClaimed(...rrsetClaim(inputs, s)));
    if (gone.length > 0) await new PowerDnsClient(inputs).patchRRsets([], gone);
  },
};
