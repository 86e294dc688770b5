import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readCaFile } from "../src/audit-dns";

describe("readCaFile (--ca of audit and import)", () => {
  it("reads the PEM file, and nothing without the option", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mailplane-ca-"));
    const file = path.join(dir, "ca.pem");
    fs.writeFileSync(file, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    try {
      expect(await readCaFile(file)).toBe(
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
      );
      expect(await readCaFile(undefined)).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the option, the file and what is allowed when it cannot be read", async () => {
    const file = path.join(os.tmpdir(), "mailplane-no-such-ca.pem");
    await expect(readCaFile(file)).rejects.toThrow(
      `--ca ${file}: ENOENT: no such file or directory, open '${file}' (allowed: a readable PEM file)`,
    );
  });
});
