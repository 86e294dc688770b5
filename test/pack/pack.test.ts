/**
 * The packages as users install them. `pnpm pack` of core, providers and pulumi into a temp
 * folder; npm installs the three tarballs into a fresh project outside the workspace (with
 * @pulumi/pulumi and TypeScript, as `pulumi new typescript` gives); the project's small program,
 * a MailDomain on dns.zoneFile + providers.selfHosted with sqlite, runs through `pulumi up` on a
 * local file backend. Checks: neither optional peer (@pulumi/aws, @pulumi/cloudflare) is
 * installed, one copy of the SDK, the program type-checks with the published .d.ts files, the
 * zone file and the sqlite rows are written, and a backend whose peer is missing says which
 * package to install. npm downloads are cached in $MAILPLANE_CACHE/npm (~/.cache/mailplane/npm).
 */
import { execFile } from "node:child_process";
import {
  existsSync,
  globSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { openStore } from "@mailplane/providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PulumiWorkspace, requirePulumi } from "../engine/pulumi-cli";

const ROOT = path.resolve(__dirname, "..", "..");
const PACKAGES = ["core", "providers", "pulumi"] as const;
const LONG = 600_000;
const CACHE = process.env.MAILPLANE_CACHE ?? path.join(os.homedir(), ".cache", "mailplane");

let tmp: string;
let app: string;
let out: string;
let ws: PulumiWorkspace;
let upOutput = "";
const seconds: Record<string, number> = {};

/**
 * The environment of a process in the fresh project: no NODE_PATH (pnpm sets it to the
 * workspace's hoisted packages, where @pulumi/aws and @pulumi/cloudflare would be found).
 */
function outsideEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.NODE_PATH;
  return env;
}

/** Runs a command; resolves with its output, rejects with the whole output when it fails. */
function sh(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { cwd, timeout: LONG, maxBuffer: 64 * 1024 * 1024, env: outsideEnv() },
      (error, stdout, stderr) => {
        if (error === null) resolve(`${stdout}${stderr}`);
        else
          reject(
            new Error(
              `${cmd} ${args.join(" ")} (in ${cwd}) failed: ${error.message}\n${stdout}\n${stderr}`,
            ),
          );
      },
    );
  });
}

/** Times one step of the set-up, in seconds, for the summary printed after the run. */
async function timed<T>(step: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    seconds[step] = Math.round((performance.now() - t0) / 100) / 10;
  }
}

const PROGRAM = `import * as path from "node:path";
import { MailDomain, dns, providers } from "@mailplane/pulumi";

const dir = process.env.MAILPLANE_PACK_DIR ?? path.join(__dirname, "out");
const shop = new MailDomain("shop", {
  domain: "shop.example",
  dns: dns.zoneFile({ path: path.join(dir, "shop.example.zone") }),
  provider: providers.selfHosted({
    store: providers.sqlite({ path: path.join(dir, "mail.sqlite") }),
    mx: "mx.shop.example",
  }),
  mailboxes: { ava: { name: "Ava Patel" }, ben: { name: "Ben Okafor", aliases: ["benny"] } },
  shared: { sales: { members: ["ava", "ben"] } },
  aliases: { hr: "ava" },
  postmaster: "ava",
  abuse: "ava",
});

export const records = shop.records.apply((rs) => rs.map((r) => \`\${r.name} \${r.type}\`).sort());
`;

/** A backend whose optional peer is not installed, called as MailDomain calls it. */
const MISSING_PEERS = `const { dns } = require("@mailplane/pulumi");
for (const [name, backend] of [
  ["dns.cloudflare", dns.cloudflare({ zoneId: "023e105f4ecef8ad9ca31a8372d0c353" })],
  ["dns.route53", dns.route53({ zoneId: "Z0123456789ABCDEFGHIJ" })],
]) {
  try {
    backend.createRecords([], { name: "shop", domain: "shop.example", domainAliases: [] });
    console.log(name + ": no error");
  } catch (e) {
    console.log(e.message);
  }
}
`;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-pack-"));
  app = path.join(tmp, "app");
  out = path.join(tmp, "out");
  const tarballs = path.join(tmp, "tarballs");
  for (const d of [app, out, tarballs]) mkdirSync(d, { recursive: true });
  ws = new PulumiWorkspace(app, tmp, {
    MAILPLANE_PACK_DIR: out,
    PULUMI_NODEJS_TRANSPILE_ONLY: "false",
  });
  delete ws.env.NODE_PATH;
  await requirePulumi(ws);

  await timed("pack", async () => {
    for (const p of PACKAGES) {
      await sh("pnpm", ["pack", "--pack-destination", tarballs], path.join(ROOT, "packages", p));
    }
  });
  const tgz = (p: string) => `file:../tarballs/mailplane-${p}-0.1.0.tgz`;
  writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify(
      {
        name: "mailplane-pack-test",
        private: true,
        main: "index.ts",
        dependencies: {
          "@mailplane/core": tgz("core"),
          "@mailplane/providers": tgz("providers"),
          "@mailplane/pulumi": tgz("pulumi"),
          "@pulumi/pulumi": "3.260.0",
        },
        devDependencies: { "@types/node": "^24.0.0", typescript: "~5.9.3" },
      },
      null,
      2,
    ),
  );
  writeFileSync(
    path.join(app, "Pulumi.yaml"),
    "name: mailplane-pack-test\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n" +
      // How a user's engine finds the mailplane provider plugin: the installed package's folder.
      "plugins:\n  providers:\n    - name: mailplane\n      path: node_modules/@mailplane/pulumi\n",
  );
  // The tsconfig.json `pulumi new typescript` writes, plus esModuleInterop (zod's own .d.ts
  // files need it); no skipLibCheck, so every published .d.ts file is checked.
  writeFileSync(
    path.join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        outDir: "bin",
        target: "es2020",
        module: "commonjs",
        moduleResolution: "node",
        esModuleInterop: true,
        sourceMap: true,
        experimentalDecorators: true,
        pretty: true,
        noFallthroughCasesInSwitch: true,
        noImplicitReturns: true,
        forceConsistentCasingInFileNames: true,
      },
      files: ["index.ts"],
    }),
  );
  writeFileSync(path.join(app, "index.ts"), PROGRAM);
  writeFileSync(path.join(app, "missing-peers.js"), MISSING_PEERS);

  await timed("npm install", () =>
    sh(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        "--loglevel=error",
        "--cache",
        path.join(CACHE, "npm"),
      ],
      app,
    ),
  );
  await ws.ok(["stack", "init", "pack", "--non-interactive"]);
  upOutput = await timed("pulumi up", () =>
    ws.ok(["up", "--yes", "--skip-preview", "--non-interactive", "--color", "never"]),
  );
}, LONG);

afterAll(() => {
  console.log(`[pack] seconds: ${JSON.stringify(seconds)}`);
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe("the packed packages in a fresh project", () => {
  it("install without @pulumi/aws and @pulumi/cloudflare, with one copy of the Pulumi SDK", () => {
    const modules = path.join(app, "node_modules");
    expect(existsSync(path.join(modules, "@pulumi", "aws"))).toBe(false);
    expect(existsSync(path.join(modules, "@pulumi", "cloudflare"))).toBe(false);
    expect(globSync("**/node_modules/@pulumi/{aws,cloudflare}/package.json", { cwd: app })).toEqual(
      [],
    );
    expect(globSync("**/node_modules/@pulumi/pulumi/package.json", { cwd: app })).toEqual([
      "node_modules/@pulumi/pulumi/package.json",
    ]);
    const sdk = JSON.parse(
      readFileSync(path.join(modules, "@pulumi", "pulumi", "package.json"), "utf8"),
    );
    expect(sdk.version).toBe("3.260.0");
  });

  it("type-check with the published .d.ts files (tsc, no skipLibCheck)", async () => {
    const tsc = path.join(app, "node_modules", "typescript", "bin", "tsc");
    await expect(sh(process.execPath, [tsc, "--noEmit", "-p", app], app)).resolves.toBe("");
  });

  it("run through pulumi up: every resource created, the records as outputs", () => {
    expect(upOutput).toContain("+ 10 created");
    expect(upOutput).toMatch(
      /records: \[\s+\[0\]: "_dmarc\.shop\.example TXT"\s+\[1\]: "mail\._domainkey\.shop\.example TXT"\s+\[2\]: "shop\.example MX"\s+\[3\]: "shop\.example TXT"\s+\]/,
    );
  });

  it("write the zone file", () => {
    const lines = readFileSync(path.join(out, "shop.example.zone"), "utf8").split("\n");
    expect(lines.slice(0, 2)).toEqual(["$ORIGIN shop.example.", "$TTL 3600"]);
    expect(lines[2]).toMatch(
      /^@\t3600\tIN\tSOA\tns1\.shop\.example\. hostmaster\.shop\.example\. \d{10} 7200 3600 1209600 3600$/,
    );
    expect(lines.filter((l) => !l.startsWith("mail._domainkey") && !l.includes("SOA"))).toEqual([
      "$ORIGIN shop.example.",
      "$TTL 3600",
      "@\t3600\tIN\tNS\tns1.shop.example.",
      "@\t3600\tIN\tMX\t10 mx.shop.example.",
      '@\t3600\tIN\tTXT\t"v=spf1 mx ~all"',
      '_dmarc\t3600\tIN\tTXT\t"v=DMARC1; p=none"',
      "ns1\t3600\tIN\tA\t127.0.0.1",
      "",
    ]);
    expect(lines.filter((l) => l.startsWith("mail._domainkey"))).toEqual([
      expect.stringMatching(/^mail\._domainkey\t3600\tIN\tTXT\t"v=DKIM1; k=rsa; p=[^"]+" "[^"]+"$/),
    ]);
  });

  it("write the mailboxes and aliases to the sqlite store", async () => {
    const store = await openStore({ type: "sqlite", path: path.join(out, "mail.sqlite") });
    try {
      const mailboxes = await store.query(
        "SELECT username, name, maildir, active FROM mailbox ORDER BY username",
      );
      expect(mailboxes.map((r) => [r.username, r.name, r.maildir, Number(r.active)])).toEqual([
        ["ava@shop.example", "Ava Patel", "shop.example/ava/", 1],
        ["ben@shop.example", "Ben Okafor", "shop.example/ben/", 1],
      ]);
      const aliases = await store.query(
        "SELECT address, goto FROM alias WHERE address <> goto AND active = 1 ORDER BY address",
      );
      expect(Object.fromEntries(aliases.map((r) => [r.address, r.goto]))).toEqual({
        "abuse@shop.example": "ava@shop.example",
        "benny@shop.example": "ben@shop.example",
        "hr@shop.example": "ava@shop.example",
        "postmaster@shop.example": "ava@shop.example",
        "sales@shop.example": "ava@shop.example,ben@shop.example",
      });
    } finally {
      await store.close();
    }
  });

  it("fail with the package to install when a backend's optional peer is missing", async () => {
    expect(await sh(process.execPath, ["missing-peers.js"], app)).toBe(
      "dns.cloudflare needs the package @pulumi/cloudflare, which is not installed: add it to " +
        "your Pulumi program (npm install @pulumi/cloudflare@^6.0.0). It is an optional peer " +
        "dependency of @mailplane/pulumi, used only by dns.cloudflare and " +
        "providers.cloudflareEmailRouting.\n" +
        "dns.route53 needs the package @pulumi/aws, which is not installed: add it to your " +
        "Pulumi program (npm install @pulumi/aws@^7.0.0). It is an optional peer dependency of " +
        "@mailplane/pulumi, used only by dns.route53 and ses.\n",
    );
  });
});
