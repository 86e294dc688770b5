/**
 * The plugin's entry point: the executable `pulumi-resource-mailplane` runs this file with the
 * engine's arguments; it prints the port it serves on, as the engine expects of a plugin, or
 * exits 1 saying why it cannot serve.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { MailplaneProvider } from "./provider";
import { serve } from "./serve";

const { version } = JSON.parse(
  readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"),
) as { version: string };

serve(new MailplaneProvider(version), process.argv.slice(2)).catch((e: unknown) => {
  // No port printed: the engine reports the plugin's exit and shows this line.
  console.error(
    `pulumi-resource-mailplane: cannot serve: ${e instanceof Error ? e.message : String(e)}`,
  );
  process.exit(1);
});
