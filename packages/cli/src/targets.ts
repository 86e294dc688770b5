import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import {
  parseMailDomain,
  type DnsRecord,
  type MailDomainSpec,
  type MailProviderCapabilities,
} from "@mailplane/core";
import {
  mailProviders,
  type MailProvider,
  type MailProviderDefinition,
} from "@mailplane/providers";

/** One MailDomain to audit: what it declared and where its accounts live. */
export interface AuditTarget {
  /** The MailDomain's resource name (stack) or the file's entry. */
  name: string;
  /** The mail provider's id, e.g. `migadu`. */
  provider: string;
  spec: MailDomainSpec;
  /** The records the MailDomain manages, when known (its `records` output). */
  records?: DnsRecord[];
  /** The MTA-STS policy file it serves, when planned. */
  mtaStsPolicy?: string;
  /** The accounts' endpoint (API URL, store locator); the vendor's default when absent. */
  apiUrl?: string;
  /** The domain as the provider knows it. @default spec.domain */
  accountDomain?: string;
}

/** A resource of `pulumi stack export`'s deployment. */
interface StateResource {
  urn: string;
  type: string;
  parent?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The MailDomains of a stack's state (`pulumi stack export` JSON): each one's `declaration`
 * output, its `records` and `mtaStsPolicy`, and the endpoint its account resources carry.
 */
export function targetsFromState(exported: unknown): AuditTarget[] {
  const resources = (
    isObject(exported) && isObject(exported.deployment) ? exported.deployment.resources : []
  ) as StateResource[] | undefined;
  const all = Array.isArray(resources) ? resources : [];
  const children = (urn: string): StateResource[] => {
    const direct = all.filter((r) => r.parent === urn);
    return [...direct, ...direct.flatMap((r) => children(r.urn))];
  };
  const out: AuditTarget[] = [];
  for (const r of all) {
    if (r.type !== "mailplane:index:MailDomain") continue;
    const name = r.urn.split("::").pop()!;
    const declaration = r.outputs?.declaration;
    if (!isObject(declaration) || declaration.format !== "mailplane/declaration@1") {
      throw new Error(
        `MailDomain ${name} has no declaration output in the stack's state; run pulumi up with @mailplane/pulumi 0.1 or later so it publishes one`,
      );
    }
    const account = children(r.urn).find(
      (c) => isObject(c.inputs) && typeof c.inputs.mailProvider === "string",
    );
    const apiUrl = account?.inputs?.apiUrl;
    const accountDomain = account?.inputs?.domain;
    const records = r.outputs?.records;
    const policy = r.outputs?.mtaStsPolicy;
    out.push({
      name,
      provider: String(declaration.provider),
      spec: declaration.spec as MailDomainSpec,
      ...(Array.isArray(records) ? { records: records as DnsRecord[] } : {}),
      ...(typeof policy === "string" ? { mtaStsPolicy: policy } : {}),
      ...(typeof apiUrl === "string" ? { apiUrl } : {}),
      ...(typeof accountDomain === "string" ? { accountDomain } : {}),
    });
  }
  return out;
}

/** Runs `pulumi stack export` in `cwd` and returns the stack's MailDomains. */
export async function targetsFromStack(
  stack: string | undefined,
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AuditTarget[]> {
  const args = ["stack", "export", ...(stack === undefined ? [] : ["--stack", stack])];
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)("pulumi", args, {
      cwd,
      maxBuffer: 512 * 1024 * 1024,
      env: { PULUMI_SKIP_UPDATE_CHECK: "true", ...env },
    }));
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(
      `pulumi ${args.join(" ")} failed in ${cwd}: ${(err.stderr ?? err.message).trim()}`,
    );
  }
  const targets = targetsFromState(JSON.parse(stdout));
  if (targets.length === 0) {
    throw new Error(`--stack ${stack ?? "(current)"}: the stack has no MailDomain resources`);
  }
  return targets;
}

/**
 * A declaration file (JSON): one entry or a list of `{ provider, apiUrl?, records?,
 * mtaStsPolicy?, declaration }` where `declaration` is what `new MailDomain(...)` takes without
 * `dns` and `provider` (passwords left out).
 */
export async function targetsFromFile(file: string): Promise<AuditTarget[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    throw new Error(`--declaration ${file}: ${(e as Error).message}`);
  }
  const entries = Array.isArray(parsed) ? parsed : [parsed];
  return entries.map((entry, i) => {
    const where = `--declaration ${file}${Array.isArray(parsed) ? `[${i}]` : ""}`;
    if (!isObject(entry) || typeof entry.provider !== "string") {
      throw new Error(
        `${where}: provider is required (allowed: ${Object.keys(mailProviders).join(", ")})`,
      );
    }
    providerDefinition(entry.provider, `${where}: provider`);
    let spec: MailDomainSpec;
    try {
      spec = parseMailDomain(entry.declaration);
    } catch (e) {
      throw new Error(`${where}: declaration: ${(e as Error).message}`);
    }
    return {
      name: spec.domain,
      provider: entry.provider,
      spec,
      ...(typeof entry.apiUrl === "string" ? { apiUrl: entry.apiUrl } : {}),
      ...(Array.isArray(entry.records) ? { records: entry.records as DnsRecord[] } : {}),
      ...(typeof entry.mtaStsPolicy === "string" ? { mtaStsPolicy: entry.mtaStsPolicy } : {}),
    };
  });
}

/** The registered provider `id`, or an error naming the allowed ids. */
export function providerDefinition(id: string, flag = "provider"): MailProviderDefinition {
  const defs = mailProviders as Record<string, MailProviderDefinition>;
  const def = Object.hasOwn(defs, id) ? defs[id] : undefined;
  if (def === undefined) {
    throw new Error(
      `${flag} ${JSON.stringify(id)} is not a registered mail provider (allowed: ${Object.keys(defs).join(", ")})`,
    );
  }
  return def;
}

/**
 * An adapter for a provider, with its credentials read from the environment as the runtime
 * reads them (`MIGADU_USER`, `MIGADU_API_KEY`…). Only list methods are called by the audit.
 */
export function adapterFor(
  id: string,
  apiUrl: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { adapter: MailProvider; capabilities: MailProviderCapabilities } {
  const def = providerDefinition(id);
  if (def.createAdapter === undefined) {
    throw new Error(
      `provider ${id} has no account adapter (its accounts are Pulumi resources of their own); its accounts cannot be listed`,
    );
  }
  const credentials: Record<string, string> = {};
  const missing: string[] = [];
  for (const c of def.credentials) {
    const v = env[c.env];
    if (v === undefined || v === "") {
      if (c.optional !== true) missing.push(`${c.env} (${c.description})`);
    } else credentials[c.name] = v;
  }
  if (missing.length > 0) {
    throw new Error(`provider ${id} needs the environment variables ${missing.join(", ")}`);
  }
  return {
    adapter: def.createAdapter({ ...(apiUrl === undefined ? {} : { apiUrl }), credentials }),
    capabilities: def.capabilities,
  };
}
