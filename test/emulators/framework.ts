import http from "node:http";
import type { AddressInfo } from "node:net";

/** A request as a route handler sees it. */
export interface EmulatorRequest {
  method: string;
  /** Path below the base path, e.g. `/domains/acme.com/mailboxes`. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body; undefined when empty. */
  body: unknown;
}

/** What a handler answers. `body` is sent as JSON. */
export interface EmulatorResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Route handler. */
export type Handler = (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>;

/** One served (or dropped) request. */
export interface LoggedRequest {
  method: string;
  path: string;
  /** `METHOD /pattern`, e.g. `GET /domains/:domain/mailboxes`; `METHOD ?` when unrouted. */
  route: string;
  status: number | "dropped";
  /** Arrival time, `performance.now()` milliseconds. */
  at: number;
}

/** Matches requests for a fault; absent fields match everything. */
export interface FaultMatch {
  method?: string;
  /** Route pattern, e.g. `/domains/:domain/mailboxes`. */
  route?: string;
  /**
   * How many matching requests the fault affects.
   * @default 1
   */
  times?: number;
}

/** An injected failure. */
export type Fault = FaultMatch &
  (
    | { kind: "status"; status: number; body?: unknown; headers?: Record<string, string> }
    | { kind: "delay"; ms: number }
    /** `before`: destroy the socket without handling; `after`: handle, then destroy unanswered. */
    | { kind: "drop"; when: "before" | "after" }
  );

/** A sliding-window rate limit like the vendor's. */
export interface RateLimit {
  limit: number;
  windowMs: number;
  status: number;
  body: unknown;
  /** Sent as `Retry-After` when set. */
  retryAfterSeconds?: number;
}

interface Route {
  method: string;
  pattern: string;
  regex: RegExp;
  names: string[];
  handler: Handler;
}

/** Options of an emulator. */
export interface EmulatorOptions {
  name: string;
  /** Prefix of every route, e.g. `/v1`. */
  basePath?: string;
  /** Returns a response to reject unauthenticated requests, undefined to accept. */
  authenticate?: (req: EmulatorRequest) => EmulatorResponse | undefined;
  rateLimit?: RateLimit;
}

/**
 * A small HTTP API emulator on 127.0.0.1: routes, a request log with counts per route,
 * fault injection (status codes, delays, dropped connections) and a sliding-window rate limit.
 */
export class Emulator {
  readonly name: string;
  readonly basePath: string;
  readonly log: LoggedRequest[] = [];
  private readonly routes: Route[] = [];
  private readonly faults: Fault[] = [];
  private rateLimit: RateLimit | undefined;
  private readonly accepted: number[] = [];
  private readonly authenticate: EmulatorOptions["authenticate"];
  private server: http.Server | undefined;
  private baseUrl = "";

  constructor(options: EmulatorOptions) {
    this.name = options.name;
    this.basePath = options.basePath ?? "";
    this.authenticate = options.authenticate;
    this.rateLimit = options.rateLimit;
  }

  /** Registers a route; `:name` segments become params. */
  route(method: string, pattern: string, handler: Handler): this {
    const names: string[] = [];
    const source = pattern
      .split("/")
      .map((seg) => {
        if (seg.startsWith(":")) {
          names.push(seg.slice(1));
          return "([^/]+)";
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    this.routes.push({ method, pattern, regex: new RegExp(`^${source}/?$`), names, handler });
    return this;
  }

  /** Starts listening on 127.0.0.1 (port 0 = any free port); returns the base URL with base path. */
  async start(port = 0): Promise<string> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${address.port}${this.basePath}`;
    return this.baseUrl;
  }

  /** Stops the server and closes every connection. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Base URL including the base path; empty before `start`. */
  get url(): string {
    return this.baseUrl;
  }

  /** Queues a fault; faults apply in order to matching requests. */
  inject(fault: Fault): this {
    this.faults.push({ times: 1, ...fault });
    return this;
  }

  /** Removes pending faults. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Replaces the rate limit (undefined disables it). */
  setRateLimit(limit: RateLimit | undefined): void {
    this.rateLimit = limit;
    this.accepted.length = 0;
  }

  /** Requests matching `METHOD /pattern` (or all when omitted). */
  count(route?: string): number {
    return route === undefined ? this.log.length : this.log.filter((r) => r.route === route).length;
  }

  /** Request counts by `METHOD /pattern`. */
  countsByRoute(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.log) counts[r.route] = (counts[r.route] ?? 0) + 1;
    return counts;
  }

  /** The largest number of requests that arrived within any window of `windowMs`. */
  maxRequestsInWindow(windowMs: number): number {
    const times = this.log.map((r) => r.at).sort((a, b) => a - b);
    let max = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while (times[end]! - times[start]! >= windowMs) start++;
      max = Math.max(max, end - start + 1);
    }
    return max;
  }

  /** Clears the request log and the rate-limit window. */
  resetLog(): void {
    this.log.length = 0;
    this.accepted.length = 0;
  }

  private match(
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
      return { route, params };
    }
    return undefined;
  }

  private takeFault(method: string, pattern: string | undefined): Fault | undefined {
    const index = this.faults.findIndex(
      (f) =>
        (f.method === undefined || f.method === method) &&
        (f.route === undefined || f.route === pattern),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const fullPath = url.pathname;
    const path = fullPath.startsWith(this.basePath)
      ? fullPath.slice(this.basePath.length) || "/"
      : fullPath;
    const found = this.match(method, path);
    const routeKey = `${method} ${found ? found.route.pattern : "?"}`;
    const entry: LoggedRequest = { method, path, route: routeKey, status: 0, at };
    this.log.push(entry);

    const send = (response: EmulatorResponse): void => {
      entry.status = response.status;
      const payload = response.body === undefined ? "" : JSON.stringify(response.body);
      res.writeHead(response.status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(payload),
        ...response.headers,
      });
      res.end(payload);
    };
    const drop = (): void => {
      entry.status = "dropped";
      req.socket.destroy();
    };

    let body: unknown = undefined;
    const raw = Buffer.concat(chunks).toString("utf8");
    if (raw.trim() !== "" && /x-www-form-urlencoded/i.test(req.headers["content-type"] ?? "")) {
      // OAuth token endpoints take form bodies: parsed to a record of strings.
      body = Object.fromEntries(new URLSearchParams(raw));
    } else if (raw.trim() !== "") {
      try {
        body = JSON.parse(raw);
      } catch {
        return send({ status: 400, body: { error: "Request body is not valid JSON" } });
      }
    }
    const request: EmulatorRequest = {
      method,
      path,
      params: found?.params ?? {},
      query: url.searchParams,
      headers: req.headers,
      body,
    };

    const denied = this.authenticate?.(request);
    if (denied) return send(denied);

    if (this.rateLimit) {
      const rl = this.rateLimit;
      while (this.accepted.length > 0 && at - this.accepted[0]! >= rl.windowMs)
        this.accepted.shift();
      if (this.accepted.length >= rl.limit) {
        const headers: Record<string, string> = {};
        if (rl.retryAfterSeconds !== undefined)
          headers["retry-after"] = String(rl.retryAfterSeconds);
        return send({ status: rl.status, body: rl.body, headers });
      }
      this.accepted.push(at);
    }

    let dropAfter = false;
    const fault = this.takeFault(method, found?.route.pattern);
    if (fault?.kind === "status") {
      return send({
        status: fault.status,
        body: fault.body ?? { error: `Injected ${fault.status}` },
        headers: fault.headers,
      });
    }
    if (fault?.kind === "drop") {
      if (fault.when === "before") return drop();
      dropAfter = true;
    }
    if (fault?.kind === "delay") await new Promise((resolve) => setTimeout(resolve, fault.ms));

    let response: EmulatorResponse;
    if (!found) {
      response = { status: 404, body: { error: "Not found" } };
    } else {
      try {
        response = await found.route.handler(request);
      } catch (e) {
        response = { status: 500, body: { error: `Emulator error: ${(e as Error).message}` } };
      }
    }
    if (dropAfter) return drop();
    send(response);
  }
}
