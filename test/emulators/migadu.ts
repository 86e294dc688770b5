import { Emulator, type EmulatorRequest, type EmulatorResponse, type RateLimit } from "./framework";

/**
 * Migadu API emulator (https://migadu.com/api, base `/v1`), in memory. Follows the documented
 * resources and field names: mailboxes, identities, forwardings, aliases (`address_aliases`),
 * rewrites. Errors use Migadu's body `{"error": "..."}`; 401 on bad Basic auth; 403 when over
 * the rate limit (~60 requests per 2 minutes by default, configurable). No pagination: Migadu's
 * list endpoints return every object of the domain in one response.
 */

/** A Migadu mailbox as the API returns it (no password). */
export interface MigaduMailbox {
  local_part: string;
  domain_name: string;
  address: string;
  name: string;
  is_internal: boolean;
  may_send: boolean;
  may_receive: boolean;
  may_access_imap: boolean;
  may_access_pop3: boolean;
  may_access_managesieve: boolean;
  password_method: "password" | "invitation";
  password_recovery_email: string | null;
  spam_action: string;
  spam_aggressiveness: string;
  expireable: boolean;
  expires_on: string | null;
  remove_upon_expiry: boolean;
  sender_denylist: string[];
  sender_allowlist: string[];
  recipient_denylist: string[];
  autorespond_active: boolean;
  autorespond_subject: string;
  autorespond_body: string;
  autorespond_expires_on: string | null;
  footer_active: boolean;
  footer_plain_body: string;
  footer_html_body: string;
  storage_usage: number;
  delegations: string[];
  identities: string[];
}

/** A Migadu alias as the API returns it: destinations are an array on read. */
export interface MigaduAlias {
  local_part: string;
  domain_name: string;
  address: string;
  destinations: string[];
  is_internal: boolean;
  expireable: boolean;
  expires_on: string | null;
  remove_upon_expiry: boolean;
}

/** A send-as identity of a mailbox. */
export interface MigaduIdentity {
  local_part: string;
  domain_name: string;
  address: string;
  name: string;
  may_send: boolean;
  may_receive: boolean;
  may_access_imap: boolean;
  may_access_pop3: boolean;
  may_access_managesieve: boolean;
  footer_active: boolean;
  footer_plain_body: string;
  footer_html_body: string;
}

/** A forwarding of a mailbox to another address. */
export interface MigaduForwarding {
  address: string;
  is_active: boolean;
  expires_on: string | null;
  remove_upon_expiry: boolean;
  confirmation_sent_at: string | null;
  confirmed_at: string | null;
}

/** A rewrite rule: local parts matching a pattern deliver to destinations. */
export interface MigaduRewrite {
  name: string;
  domain_name: string;
  local_part_rule: string;
  order_num: number;
  destinations: string[];
}

interface DomainState {
  mailboxes: Map<string, MigaduMailbox>;
  passwords: Map<string, string>;
  identities: Map<string, Map<string, MigaduIdentity>>;
  forwardings: Map<string, Map<string, MigaduForwarding>>;
  aliases: Map<string, MigaduAlias>;
  rewrites: Map<string, MigaduRewrite>;
}

/** The emulator's whole state as JSON ({@link MigaduEmulator.snapshot}), by domain. */
export type MigaduSnapshot = Record<
  string,
  {
    mailboxes: Record<string, MigaduMailbox>;
    passwords: Record<string, string>;
    identities: Record<string, Record<string, MigaduIdentity>>;
    forwardings: Record<string, Record<string, MigaduForwarding>>;
    aliases: Record<string, MigaduAlias>;
    rewrites: Record<string, MigaduRewrite>;
  }
>;

/** Options of the Migadu emulator. */
export interface MigaduEmulatorOptions {
  /** Admin email (Basic auth user). */
  user?: string;
  /** API key (Basic auth password). */
  apiKey?: string;
  /** Domains hosted in the organisation. */
  domains?: string[];
  /** Requests allowed per window; `false` disables the limit. Default 60 per 120 000 ms. */
  rateLimit?: { limit: number; windowMs: number; retryAfterSeconds?: number } | false;
}

const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/i;
const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

const MAILBOX_BOOLEANS = [
  "is_internal",
  "may_send",
  "may_receive",
  "may_access_imap",
  "may_access_pop3",
  "may_access_managesieve",
  "expireable",
  "remove_upon_expiry",
  "autorespond_active",
  "footer_active",
] as const;
const MAILBOX_STRINGS = [
  "name",
  "spam_action",
  "spam_aggressiveness",
  "autorespond_subject",
  "autorespond_body",
  "footer_plain_body",
  "footer_html_body",
] as const;

function error(status: number, message: string): EmulatorResponse {
  return { status, body: { error: message } };
}

function parseDestinations(value: unknown): string[] | EmulatorResponse {
  const list =
    typeof value === "string"
      ? value
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "")
      : Array.isArray(value) && value.every((v) => typeof v === "string")
        ? (value as string[]).map((s) => s.trim())
        : undefined;
  if (!list || list.length === 0) {
    return error(422, "destinations can't be blank");
  }
  const bad = list.find((d) => !EMAIL.test(d));
  if (bad !== undefined) return error(422, `destinations: ${bad} is not a valid email address`);
  return [...new Set(list.map((d) => d.toLowerCase()))];
}

/** The Migadu emulator with a direct test API over its in-memory state. */
export class MigaduEmulator extends Emulator {
  readonly user: string;
  readonly apiKey: string;
  private readonly domains = new Map<string, DomainState>();

  constructor(options: MigaduEmulatorOptions = {}) {
    const user = options.user ?? "admin@example.org";
    const apiKey = options.apiKey ?? "emulator-api-key-0123456789";
    const expected = `Basic ${Buffer.from(`${user}:${apiKey}`).toString("base64")}`;
    const rl = options.rateLimit ?? { limit: 60, windowMs: 120_000 };
    super({
      name: "migadu",
      basePath: "/v1",
      authenticate: (req) =>
        req.headers.authorization === expected ? undefined : error(401, "Unauthorized"),
      rateLimit: rl === false ? undefined : MigaduEmulator.rateLimitOf(rl),
    });
    this.user = user;
    this.apiKey = apiKey;
    for (const d of options.domains ?? ["example.org"]) this.addDomain(d);
    this.registerRoutes();
  }

  /** Migadu's rate-limit answer: 403 with an error body. */
  static rateLimitOf(rl: {
    limit: number;
    windowMs: number;
    retryAfterSeconds?: number;
  }): RateLimit {
    return {
      ...rl,
      status: 403,
      body: { error: "Rate limit exceeded. Too many requests, please slow down." },
    };
  }

  /** Changes the rate limit (`false` disables it). */
  configureRateLimit(
    rl: { limit: number; windowMs: number; retryAfterSeconds?: number } | false,
  ): void {
    this.setRateLimit(rl === false ? undefined : MigaduEmulator.rateLimitOf(rl));
  }

  // ---- test API: inspect and mutate state directly (drift tests) ----

  /** Adds a hosted domain. */
  addDomain(domain: string): void {
    if (this.domains.has(domain)) return;
    this.domains.set(domain, {
      mailboxes: new Map(),
      passwords: new Map(),
      identities: new Map(),
      forwardings: new Map(),
      aliases: new Map(),
      rewrites: new Map(),
    });
  }

  /** Copies of the domain's mailboxes, sorted by local part. */
  mailboxes(domain: string): MigaduMailbox[] {
    return [...this.state(domain).mailboxes.values()]
      .map((m) => structuredClone(m))
      .sort((a, b) => a.local_part.localeCompare(b.local_part));
  }

  /** One mailbox (copy) or undefined. */
  mailbox(domain: string, localPart: string): MigaduMailbox | undefined {
    const m = this.state(domain).mailboxes.get(localPart);
    return m && structuredClone(m);
  }

  /** Inserts or replaces a mailbox directly, defaults filled in. */
  putMailbox(
    domain: string,
    mailbox: Partial<MigaduMailbox> & { local_part: string; name: string },
    password?: string,
  ): MigaduMailbox {
    const s = this.state(domain);
    const full = { ...this.defaultMailbox(domain, mailbox.local_part, mailbox.name), ...mailbox };
    s.mailboxes.set(full.local_part, full);
    if (password !== undefined) s.passwords.set(full.local_part, password);
    return structuredClone(full);
  }

  /** Changes fields of an existing mailbox directly. */
  patchMailbox(domain: string, localPart: string, patch: Partial<MigaduMailbox>): void {
    const m = this.state(domain).mailboxes.get(localPart);
    if (!m) throw new Error(`emulator: no mailbox ${localPart}@${domain}`);
    Object.assign(m, patch);
  }

  /** Removes a mailbox directly. */
  removeMailbox(domain: string, localPart: string): void {
    this.state(domain).mailboxes.delete(localPart);
  }

  /** The password last set for a mailbox (the API never returns it). */
  passwordOf(domain: string, localPart: string): string | undefined {
    return this.state(domain).passwords.get(localPart);
  }

  /** Copies of the domain's aliases, sorted. */
  aliases(domain: string): MigaduAlias[] {
    return [...this.state(domain).aliases.values()]
      .map((a) => structuredClone(a))
      .sort((a, b) => a.local_part.localeCompare(b.local_part));
  }

  /** Inserts or replaces an alias directly. */
  putAlias(domain: string, localPart: string, destinations: string[]): void {
    this.state(domain).aliases.set(localPart, this.makeAlias(domain, localPart, destinations));
  }

  /** Removes an alias directly. */
  removeAlias(domain: string, localPart: string): void {
    this.state(domain).aliases.delete(localPart);
  }

  /** Copies of a mailbox's forwardings. */
  forwardings(domain: string, localPart: string): MigaduForwarding[] {
    return [...(this.state(domain).forwardings.get(localPart)?.values() ?? [])].map((f) =>
      structuredClone(f),
    );
  }

  /** Copies of a mailbox's identities. */
  identities(domain: string, localPart: string): MigaduIdentity[] {
    return [...(this.state(domain).identities.get(localPart)?.values() ?? [])].map((i) =>
      structuredClone(i),
    );
  }

  /** Copies of the domain's rewrites. */
  rewrites(domain: string): MigaduRewrite[] {
    return [...this.state(domain).rewrites.values()].map((r) => structuredClone(r));
  }

  /**
   * Every hosted domain's whole state (passwords included) as plain JSON, keys sorted, so two
   * snapshots of the same store are byte-equal; {@link seed} restores it.
   */
  snapshot(): MigaduSnapshot {
    const sorted = <T>(m: Map<string, T>): Record<string, T> =>
      Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v]));
    const nested = <T>(m: Map<string, Map<string, T>>): Record<string, Record<string, T>> =>
      Object.fromEntries(
        [...m].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sorted(v)]),
      );
    return structuredClone(
      Object.fromEntries(
        [...this.domains]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([domain, s]) => [
            domain,
            {
              mailboxes: sorted(s.mailboxes),
              passwords: sorted(s.passwords),
              identities: nested(s.identities),
              forwardings: nested(s.forwardings),
              aliases: sorted(s.aliases),
              rewrites: sorted(s.rewrites),
            },
          ]),
      ),
    );
  }

  /** Replaces the whole state with a {@link snapshot}'s (its domains become the hosted ones). */
  seed(snapshot: MigaduSnapshot): void {
    const map = <T>(r: Record<string, T>): Map<string, T> => new Map(Object.entries(r));
    this.domains.clear();
    for (const [domain, s] of Object.entries(structuredClone(snapshot))) {
      this.domains.set(domain, {
        mailboxes: map(s.mailboxes),
        passwords: map(s.passwords),
        identities: new Map(Object.entries(s.identities).map(([k, v]) => [k, map(v)])),
        forwardings: new Map(Object.entries(s.forwardings).map(([k, v]) => [k, map(v)])),
        aliases: map(s.aliases),
        rewrites: map(s.rewrites),
      });
    }
  }

  private state(domain: string): DomainState {
    const s = this.domains.get(domain);
    if (!s) throw new Error(`emulator: domain ${domain} is not hosted`);
    return s;
  }

  private defaultMailbox(domain: string, localPart: string, name: string): MigaduMailbox {
    return {
      local_part: localPart,
      domain_name: domain,
      address: `${localPart}@${domain}`,
      name,
      is_internal: false,
      may_send: true,
      may_receive: true,
      may_access_imap: true,
      may_access_pop3: true,
      may_access_managesieve: true,
      password_method: "password",
      password_recovery_email: null,
      spam_action: "folder",
      spam_aggressiveness: "default",
      expireable: false,
      expires_on: null,
      remove_upon_expiry: false,
      sender_denylist: [],
      sender_allowlist: [],
      recipient_denylist: [],
      autorespond_active: false,
      autorespond_subject: "",
      autorespond_body: "",
      autorespond_expires_on: null,
      footer_active: false,
      footer_plain_body: "",
      footer_html_body: "",
      storage_usage: 0,
      delegations: [],
      identities: [],
    };
  }

  private makeAlias(domain: string, localPart: string, destinations: string[]): MigaduAlias {
    return {
      local_part: localPart,
      domain_name: domain,
      address: `${localPart}@${domain}`,
      destinations,
      is_internal: false,
      expireable: false,
      expires_on: null,
      remove_upon_expiry: false,
    };
  }

  /** Runs `fn` with the domain's state, or answers 404 for an unknown domain. */
  private withDomain(
    req: EmulatorRequest,
    fn: (s: DomainState, domain: string) => EmulatorResponse,
  ): EmulatorResponse {
    const domain = req.params.domain!.toLowerCase();
    const s = this.domains.get(domain);
    if (!s) return error(404, "Domain not found");
    return fn(s, domain);
  }

  private withMailbox(
    req: EmulatorRequest,
    fn: (s: DomainState, domain: string, m: MigaduMailbox) => EmulatorResponse,
  ): EmulatorResponse {
    return this.withDomain(req, (s, domain) => {
      const m = s.mailboxes.get(req.params.local_part!.toLowerCase());
      if (!m) return error(404, "Mailbox not found");
      return fn(s, domain, m);
    });
  }

  private taken(s: DomainState, localPart: string): boolean {
    return s.mailboxes.has(localPart) || s.aliases.has(localPart);
  }

  /**
   * The lower-cased `local_part` of a request creating a mailbox or an alias, or Migadu's 422
   * when it is invalid or the address is already taken.
   */
  private newLocalPart(
    s: DomainState,
    domain: string,
    body: Record<string, unknown>,
  ): string | EmulatorResponse {
    const lp = body.local_part;
    if (typeof lp !== "string" || !LOCAL_PART.test(lp)) {
      return error(422, `local_part is invalid: ${JSON.stringify(lp ?? null)}`);
    }
    const localPart = lp.toLowerCase();
    if (this.taken(s, localPart)) {
      return error(422, `Address ${localPart}@${domain} has already been taken`);
    }
    return localPart;
  }

  /** Applies documented writable mailbox fields; returns an error response for bad types. */
  private applyMailboxFields(
    s: DomainState,
    m: MigaduMailbox,
    body: Record<string, unknown>,
  ): EmulatorResponse | undefined {
    for (const f of MAILBOX_BOOLEANS) {
      if (body[f] === undefined) continue;
      if (typeof body[f] !== "boolean") return error(422, `${f} must be a boolean`);
      m[f] = body[f];
    }
    for (const f of MAILBOX_STRINGS) {
      if (body[f] === undefined) continue;
      if (typeof body[f] !== "string") return error(422, `${f} must be a string`);
      m[f] = body[f];
    }
    if (m.name.trim() === "") return error(422, "name can't be blank");
    if (body.password_recovery_email !== undefined) {
      const e = body.password_recovery_email;
      if (e !== null && (typeof e !== "string" || !EMAIL.test(e))) {
        return error(422, "password_recovery_email is not a valid email address");
      }
      m.password_recovery_email = e;
    }
    const method = body.password_method ?? (body.password !== undefined ? "password" : undefined);
    if (method !== undefined) {
      if (method !== "password" && method !== "invitation") {
        return error(422, `password_method must be "password" or "invitation"`);
      }
      if (method === "password") {
        if (typeof body.password !== "string" || body.password.length < 8) {
          return error(422, "password is too short (minimum is 8 characters)");
        }
        s.passwords.set(m.local_part, body.password);
      } else if (!m.password_recovery_email) {
        return error(422, "password_recovery_email is required for the invitation method");
      }
      m.password_method = method;
    }
    return undefined;
  }

  private registerRoutes(): void {
    const mb = "/domains/:domain/mailboxes";
    this.route("GET", mb, (req) =>
      this.withDomain(req, (s) => ({
        status: 200,
        body: { mailboxes: [...s.mailboxes.values()] },
      })),
    );
    this.route("POST", mb, (req) =>
      this.withDomain(req, (s, domain) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const localPart = this.newLocalPart(s, domain, body);
        if (typeof localPart !== "string") return localPart;
        if (typeof body.name !== "string") return error(422, "name can't be blank");
        if (body.password === undefined && body.password_method === undefined) {
          return error(422, "password_method must be given: password or invitation");
        }
        const m = this.defaultMailbox(domain, localPart, body.name);
        const bad = this.applyMailboxFields(s, m, body);
        if (bad) {
          s.passwords.delete(localPart);
          return bad;
        }
        s.mailboxes.set(localPart, m);
        return { status: 200, body: m };
      }),
    );
    const one = `${mb}/:local_part`;
    this.route("GET", one, (req) =>
      this.withMailbox(req, (_s, _d, m) => ({ status: 200, body: m })),
    );
    this.route("PUT", one, (req) =>
      this.withMailbox(req, (s, _d, m) => {
        const next = structuredClone(m);
        const bad = this.applyMailboxFields(s, next, (req.body ?? {}) as Record<string, unknown>);
        if (bad) return bad;
        Object.assign(m, next);
        return { status: 200, body: m };
      }),
    );
    this.route("DELETE", one, (req) =>
      this.withMailbox(req, (s, _d, m) => {
        s.mailboxes.delete(m.local_part);
        s.passwords.delete(m.local_part);
        s.identities.delete(m.local_part);
        s.forwardings.delete(m.local_part);
        return { status: 200, body: m };
      }),
    );

    // Identities: send-as addresses of a mailbox.
    const ids = `${one}/identities`;
    this.route("GET", ids, (req) =>
      this.withMailbox(req, (s, _d, m) => ({
        status: 200,
        body: { identities: [...(s.identities.get(m.local_part)?.values() ?? [])] },
      })),
    );
    this.route("POST", ids, (req) =>
      this.withMailbox(req, (s, domain, m) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const lp = body.local_part;
        if (typeof lp !== "string" || !LOCAL_PART.test(lp))
          return error(422, "local_part is invalid");
        const list = s.identities.get(m.local_part) ?? new Map<string, MigaduIdentity>();
        if (list.has(lp) || this.taken(s, lp))
          return error(422, `Address ${lp}@${domain} has already been taken`);
        const identity: MigaduIdentity = {
          local_part: lp,
          domain_name: domain,
          address: `${lp}@${domain}`,
          name: typeof body.name === "string" ? body.name : "",
          may_send: body.may_send !== false,
          may_receive: body.may_receive !== false,
          may_access_imap: body.may_access_imap !== false,
          may_access_pop3: body.may_access_pop3 !== false,
          may_access_managesieve: body.may_access_managesieve !== false,
          footer_active: false,
          footer_plain_body: "",
          footer_html_body: "",
        };
        list.set(lp, identity);
        s.identities.set(m.local_part, list);
        m.identities = [...list.keys()].map((k) => `${k}@${domain}`);
        return { status: 200, body: identity };
      }),
    );
    const oneId = `${ids}/:identity`;
    const withIdentity = (
      req: EmulatorRequest,
      fn: (
        list: Map<string, MigaduIdentity>,
        i: MigaduIdentity,
        m: MigaduMailbox,
        domain: string,
      ) => EmulatorResponse,
    ) =>
      this.withMailbox(req, (s, domain, m) => {
        const list = s.identities.get(m.local_part);
        const i = list?.get(req.params.identity!.toLowerCase());
        if (!list || !i) return error(404, "Identity not found");
        return fn(list, i, m, domain);
      });
    this.route("GET", oneId, (req) => withIdentity(req, (_l, i) => ({ status: 200, body: i })));
    this.route("PUT", oneId, (req) =>
      withIdentity(req, (_l, i) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        if (typeof body.name === "string") i.name = body.name;
        for (const f of [
          "may_send",
          "may_receive",
          "may_access_imap",
          "may_access_pop3",
          "may_access_managesieve",
        ] as const) {
          if (typeof body[f] === "boolean") i[f] = body[f];
        }
        return { status: 200, body: i };
      }),
    );
    this.route("DELETE", oneId, (req) =>
      withIdentity(req, (list, i, m, domain) => {
        list.delete(i.local_part);
        m.identities = [...list.keys()].map((k) => `${k}@${domain}`);
        return { status: 200, body: i };
      }),
    );

    // Forwardings: copies of a mailbox's mail to other addresses.
    const fw = `${one}/forwardings`;
    this.route("GET", fw, (req) =>
      this.withMailbox(req, (s, _d, m) => ({
        status: 200,
        body: { forwardings: [...(s.forwardings.get(m.local_part)?.values() ?? [])] },
      })),
    );
    this.route("POST", fw, (req) =>
      this.withMailbox(req, (s, _domain, m) => {
        const address = ((req.body ?? {}) as Record<string, unknown>).address;
        if (typeof address !== "string" || !EMAIL.test(address))
          return error(422, "address is not a valid email address");
        const list = s.forwardings.get(m.local_part) ?? new Map<string, MigaduForwarding>();
        const key = address.toLowerCase();
        if (list.has(key)) return error(422, `Forwarding to ${key} has already been taken`);
        // Destinations on hosted domains need no confirmation; others wait for the recipient's click.
        const hosted = this.domains.has(key.split("@")[1]!);
        const now = new Date().toISOString();
        const f: MigaduForwarding = {
          address: key,
          is_active: hosted,
          expires_on: null,
          remove_upon_expiry: false,
          confirmation_sent_at: hosted ? null : now,
          confirmed_at: hosted ? now : null,
        };
        list.set(key, f);
        s.forwardings.set(m.local_part, list);
        return { status: 200, body: f };
      }),
    );
    this.route("DELETE", `${fw}/:address`, (req) =>
      this.withMailbox(req, (s, _d, m) => {
        const list = s.forwardings.get(m.local_part);
        const f = list?.get(req.params.address!.toLowerCase());
        if (!list || !f) return error(404, "Forwarding not found");
        list.delete(f.address);
        return { status: 200, body: f };
      }),
    );

    // Aliases: addresses without storage, destinations comma-separated on write, array on read.
    const al = "/domains/:domain/aliases";
    this.route("GET", al, (req) =>
      this.withDomain(req, (s) => ({
        status: 200,
        body: { address_aliases: [...s.aliases.values()] },
      })),
    );
    this.route("POST", al, (req) =>
      this.withDomain(req, (s, domain) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const localPart = this.newLocalPart(s, domain, body);
        if (typeof localPart !== "string") return localPart;
        const destinations = parseDestinations(body.destinations);
        if (!Array.isArray(destinations)) return destinations;
        const alias = this.makeAlias(domain, localPart, destinations);
        if (typeof body.is_internal === "boolean") alias.is_internal = body.is_internal;
        s.aliases.set(localPart, alias);
        return { status: 200, body: alias };
      }),
    );
    const oneAlias = `${al}/:local_part`;
    const withAlias = (
      req: EmulatorRequest,
      fn: (s: DomainState, a: MigaduAlias) => EmulatorResponse,
    ) =>
      this.withDomain(req, (s) => {
        const a = s.aliases.get(req.params.local_part!.toLowerCase());
        if (!a) return error(404, "Alias not found");
        return fn(s, a);
      });
    this.route("GET", oneAlias, (req) => withAlias(req, (_s, a) => ({ status: 200, body: a })));
    this.route("PUT", oneAlias, (req) =>
      withAlias(req, (_s, a) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        if (body.destinations !== undefined) {
          const destinations = parseDestinations(body.destinations);
          if (!Array.isArray(destinations)) return destinations;
          a.destinations = destinations;
        }
        if (typeof body.is_internal === "boolean") a.is_internal = body.is_internal;
        return { status: 200, body: a };
      }),
    );
    this.route("DELETE", oneAlias, (req) =>
      withAlias(req, (s, a) => {
        s.aliases.delete(a.local_part);
        return { status: 200, body: a };
      }),
    );

    // Rewrites: pattern-matched local parts (e.g. `demo-*`) delivered to destinations.
    const rw = "/domains/:domain/rewrites";
    this.route("GET", rw, (req) =>
      this.withDomain(req, (s) => ({ status: 200, body: { rewrites: [...s.rewrites.values()] } })),
    );
    this.route("POST", rw, (req) =>
      this.withDomain(req, (s, domain) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        if (typeof body.name !== "string" || !/^[a-z0-9-]+$/.test(body.name))
          return error(422, "name is invalid");
        if (s.rewrites.has(body.name))
          return error(422, `Rewrite ${body.name} has already been taken`);
        if (typeof body.local_part_rule !== "string" || body.local_part_rule === "") {
          return error(422, "local_part_rule can't be blank");
        }
        const destinations = parseDestinations(body.destinations);
        if (!Array.isArray(destinations)) return destinations;
        const rewrite: MigaduRewrite = {
          name: body.name,
          domain_name: domain,
          local_part_rule: body.local_part_rule,
          order_num: typeof body.order_num === "number" ? body.order_num : s.rewrites.size,
          destinations,
        };
        s.rewrites.set(rewrite.name, rewrite);
        return { status: 200, body: rewrite };
      }),
    );
    const oneRw = `${rw}/:name`;
    const withRewrite = (
      req: EmulatorRequest,
      fn: (s: DomainState, r: MigaduRewrite) => EmulatorResponse,
    ) =>
      this.withDomain(req, (s) => {
        const r = s.rewrites.get(req.params.name!);
        if (!r) return error(404, "Rewrite not found");
        return fn(s, r);
      });
    this.route("GET", oneRw, (req) => withRewrite(req, (_s, r) => ({ status: 200, body: r })));
    this.route("PUT", oneRw, (req) =>
      withRewrite(req, (_s, r) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        if (typeof body.local_part_rule === "string") r.local_part_rule = body.local_part_rule;
        if (typeof body.order_num === "number") r.order_num = body.order_num;
        if (body.destinations !== undefined) {
          const destinations = parseDestinations(body.destinations);
          if (!Array.isArray(destinations)) return destinations;
          r.destinations = destinations;
        }
        return { status: 200, body: r };
      }),
    );
    this.route("DELETE", oneRw, (req) =>
      withRewrite(req, (s, r) => {
        s.rewrites.delete(r.name);
        return { status: 200, body: r };
      }),
    );
  }
}
