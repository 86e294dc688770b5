/**
 * The plugin's entry point: the executable `pulumi-resource-mailplane` runs this file with the
 * engine's arguments; it prints the port it serves on, as the engine expects of a plugin.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { MailplaneProvider } from "./provider";
import { serve } from "./serve";

const { version } = JSON.parse(
  readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"),
) as { version: string };

void serve(new MailplaneProvider(version), process.argv.slice(2));
