#!/usr/bin/env node
import { main } from "./program";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`mailplane: ${(e as Error).message}\n`);
    process.exitCode = 2;
  },
);
