/**
 * The built plugin executable as the engine runs it (plugin.go, engine 3.260): started with the
 * engine's address and stdin a pipe the engine holds; it must print its port as the first line of
 * stdout, serve gRPC there, stop on SIGINT (what the engine sends its process group), and exit by
 * itself when the pipe closes (the engine died). Needs `pnpm run build`.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { wire } from "../../packages/pulumi/src/plugin/serve";

const PKG = path.resolve(__dirname, "..", "..", "packages", "pulumi");
const BIN = path.join(PKG, "pulumi-resource-mailplane");
const { version } = JSON.parse(readFileSync(path.join(PKG, "package.json"), "utf8")) as {
  version: string;
};

let child: ChildProcessWithoutNullStreams | undefined;
afterEach(() => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    child.kill("SIGKILL");
  }
  child = undefined;
});

/** Starts the plugin as the engine does; resolves with everything up to the first newline. */
function start(): Promise<{ firstLine: string; stderr: () => string }> {
  if (!existsSync(path.join(PKG, "dist", "plugin", "main.js"))) {
    throw new Error("packages/pulumi/dist/plugin/main.js is missing: run pnpm run build");
  }
  const p = spawn(BIN, ["127.0.0.1:1"], { stdio: ["pipe", "pipe", "pipe"] });
  child = p;
  let err = "";
  p.stderr.on("data", (b: Buffer) => (err += b.toString()));
  return new Promise((resolve, reject) => {
    let out = "";
    p.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve({ firstLine: out.slice(0, nl + 1), stderr: () => err });
    });
    p.on("exit", (code) => reject(new Error(`plugin exited (${code}) before a port: ${err}`)));
  });
}

/** Resolves with how the plugin ended, or rejects after `ms`. */
function exited(ms: number): Promise<{ code: number | null; signal: string | null }> {
  const p = child!;
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`plugin still running after ${ms} ms`)), ms);
    p.on("exit", (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal });
    });
  });
}

describe("the pulumi-resource-mailplane process", () => {
  it("prints only its port on the first line, serves gRPC there, and exits 0 when stdin closes", async () => {
    const { firstLine, stderr } = await start();
    expect(firstLine).toMatch(/^[1-9][0-9]{0,4}\n$/);
    const port = Number(firstLine.trim());
    const client = new wire.provrpc.ResourceProviderClient(
      `127.0.0.1:${port}`,
      wire.grpc.credentials.createInsecure() as never,
    );
    const info = await new Promise<{ getVersion(): string }>((resolve, reject) =>
      client.getPluginInfo(new wire.emptyproto.Empty() as never, (e, r) =>
        e === null ? resolve(r) : reject(e),
      ),
    );
    client.close();
    expect(info.getVersion()).toBe(version);
    const end = exited(10_000);
    child!.stdin.end();
    expect(await end).toEqual({ code: 0, signal: null });
    expect(stderr()).toBe("");
  }, 60_000);

  it("stops at once on SIGINT, as the engine stops its plugins", async () => {
    await start();
    const end = exited(5_000);
    child!.kill("SIGINT");
    expect(await end).toEqual({ code: null, signal: "SIGINT" });
  }, 60_000);
});
