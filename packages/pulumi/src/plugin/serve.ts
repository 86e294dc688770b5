/**
 * The plugin process: serves a provider with the gRPC server of ./server (ours, on the protobuf
 * and gRPC modules @pulumi/pulumi ships; not @pulumi/pulumi's provider host) and behaves as the
 * engine expects of a plugin: the port on the first line of stdout, errors nobody caught on
 * stderr (the engine shows them) and a non-zero exit code, and an exit when the engine goes.
 */
import { fstatSync } from "node:fs";
import { listen, type DetailedDiffProvider } from "./server";

export {
  diffConfigResponse,
  diffResponse,
  listen,
  providerService,
  RpcError,
  toStruct,
  wire,
  type DetailedDiffProvider,
  type Listening,
} from "./server";

let serving = false;

/**
 * Starts the provider: prints the port for the engine and serves until the engine stops it.
 *
 * The engine stops a plugin with SIGINT to its process group (then SIGKILL after 5 s); Node's
 * default SIGINT handling ends the process at once, which is what it wants. If the engine dies
 * instead, the pipe it holds as the plugin's stdin closes, and the plugin exits then (only when
 * stdin is such a pipe: a plugin started by hand for `PULUMI_DEBUG_PROVIDERS` keeps serving).
 * @param args the plugin's command line (the engine's address first; the server does not call
 *   the engine back, so it is not used)
 */
export async function serve(provider: DetailedDiffProvider, args: string[]): Promise<void> {
  void args;
  if (serving) return;
  serving = true;
  process.setSourceMapsEnabled(true);
  const uncaught = new Set<unknown>();
  const onUncaught = (err: unknown) => {
    if (uncaught.has(err)) return;
    uncaught.add(err);
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  };
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUncaught);
  process.on("exit", (code) => {
    if (code === 0 && uncaught.size > 0) process.exitCode = 1;
  });
  const { port } = await listen(provider);
  // As @pulumi/pulumi's host: the number as a string, so Node does not colour it.
  console.log(port.toString());
  if (isPipe(0)) {
    process.stdin.on("end", () => process.exit());
    process.stdin.resume();
  }
}

/** Whether `fd` is a pipe (the engine's, Go's os.Pipe) or a socket (Node's `stdio: "pipe"`). */
function isPipe(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    return st.isFIFO() || st.isSocket();
  } catch {
    return false;
  }
}
