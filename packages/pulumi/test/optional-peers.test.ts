/**
 * `@pulumi/aws` and `@pulumi/cloudflare` are optional peers of @mailplane/pulumi, loaded only
 * by the backends that use them; `@pulumi/pulumi` is a peer with a range, so a user's program
 * and Mailplane share one SDK. (test/pack proves the packed packages install and run without
 * the optional peers.)
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadAws, loadCloudflare, loadOptionalPeer, OPTIONAL_PEERS } from "../src/optional-peers";

const manifest = JSON.parse(
  readFileSync(path.join(__dirname, "..", "package.json"), "utf8"),
) as Record<string, Record<string, unknown>>;

/** What `require` throws for a package that is not installed. */
function notFound(name: string): Error {
  return Object.assign(
    new Error(`Cannot find module '${name}'\nRequire stack:\n- /app/node_modules/x/index.js`),
    { code: "MODULE_NOT_FOUND" },
  );
}

describe("loadOptionalPeer", () => {
  it("names the feature, the package and how to install it when the package is missing", () => {
    expect(() =>
      loadOptionalPeer("@pulumi/cloudflare", "dns.cloudflare", () => {
        throw notFound("@pulumi/cloudflare");
      }),
    ).toThrow(
      "dns.cloudflare needs the package @pulumi/cloudflare, which is not installed: add it to " +
        "your Pulumi program (npm install @pulumi/cloudflare@^6.0.0). It is an optional peer " +
        "dependency of @mailplane/pulumi, used only by dns.cloudflare and " +
        "providers.cloudflareEmailRouting.",
    );
    expect(() =>
      loadOptionalPeer("@pulumi/aws", "ses", () => {
        throw notFound("@pulumi/aws");
      }),
    ).toThrow(
      "ses needs the package @pulumi/aws, which is not installed: add it to your Pulumi program " +
        "(npm install @pulumi/aws@^7.0.0). It is an optional peer dependency of " +
        "@mailplane/pulumi, used only by dns.route53 and ses.",
    );
  });

  it("rethrows any other failure as it is (a module missing inside the package, an error)", () => {
    const inner = notFound("@pulumi/aws/node_modules/mime");
    expect(() =>
      loadOptionalPeer("@pulumi/aws", "ses", () => {
        throw inner;
      }),
    ).toThrow(inner);
    const broken = new Error("boom");
    expect(() =>
      loadOptionalPeer("@pulumi/aws", "ses", () => {
        throw broken;
      }),
    ).toThrow(broken);
  });

  it("returns the package when it is installed (the workspace has both as devDependencies)", () => {
    expect(typeof loadCloudflare("dns.cloudflare").DnsRecord).toBe("function");
    expect(typeof loadAws("dns.route53").route53.Record).toBe("function");
  });
});

describe("@mailplane/pulumi's package.json", () => {
  it("declares @pulumi/aws and @pulumi/cloudflare optional peers with the ranges the errors name", () => {
    expect(manifest.peerDependencies).toEqual({
      "@pulumi/aws": OPTIONAL_PEERS["@pulumi/aws"].range,
      "@pulumi/cloudflare": OPTIONAL_PEERS["@pulumi/cloudflare"].range,
      "@pulumi/pulumi": "^3.260.0",
    });
    expect(manifest.peerDependenciesMeta).toEqual({
      "@pulumi/aws": { optional: true },
      "@pulumi/cloudflare": { optional: true },
    });
  });

  it("depends on no @pulumi package (the SDK and the cloud packages are the user's), pins them for the workspace", () => {
    expect(Object.keys(manifest.dependencies!).sort()).toEqual([
      "@mailplane/core",
      "@mailplane/providers",
      "zod",
    ]);
    const pulumiDevDependencies = Object.entries(manifest.devDependencies!).filter(([name]) =>
      name.startsWith("@pulumi/"),
    );
    expect(Object.fromEntries(pulumiDevDependencies)).toEqual({
      "@pulumi/aws": "^7.0.0",
      "@pulumi/cloudflare": "^6.0.0",
      "@pulumi/pulumi": "3.260.0",
    });
  });
});
