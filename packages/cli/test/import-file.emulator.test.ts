/**
 * `mailplane import --import-file` against the Migadu emulator over HTTP: the command reads the
 * live domain (GET requests only) and writes the file `pulumi import --file` takes, next to the
 * program it prints.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MigaduEmulator } from "../../../test/emulators/migadu";
import { main } from "../src/program";

const D = "acme.com";
const USER = "admin@acme.com";
const API_KEY = "emulator-key-import-file-91c3";

let emu: MigaduEmulator;
let apiUrl: string;
let tmp: string;
const env = { MIGADU_USER: USER, MIGADU_API_KEY: API_KEY };

beforeAll(async () => {
  emu = new MigaduEmulator({ user: USER, apiKey: API_KEY, domains: [D], rateLimit: false });
  apiUrl = await emu.start();
  emu.putMailbox(D, { local_part: "ali", name: "Ali Alavi" });
  emu.putMailbox(D, { local_part: "zhangsan", name: "Zhang San" });
  emu.putAlias(D, "a.alavi", [`ali@${D}`]); // ali's own alias: part of ali's Mailbox
  emu.putAlias(D, "press", ["agency@example.com"]);
  emu.putAlias(D, "team", [`ali@${D}`, `zhangsan@${D}`]); // a group, as Migadu keeps one
  tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-import-file-"));
});

afterAll(async () => {
  await emu.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env,
    cwd: tmp,
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const importArgs = ["import", "--provider", "migadu", "--domain", D];

describe("mailplane import --import-file", () => {
  it("writes every live account as a plugin resource with the id its create returns; reads only", async () => {
    emu.resetLog();
    const r = await run([...importArgs, "--api-url", apiUrl, "--import-file", "import.json"]);
    expect(r.stderr).toBe(
      `reading ${D} at migadu…\n` +
        "wrote import.json: 4 resources (2 Mailbox, 2 Alias); adopt them with pulumi import --file import.json\n",
    );
    expect(r.code).toBe(0);
    // The program is still printed.
    expect(r.stdout).toContain(`const acme = new MailDomain("acme", {`);
    expect(readFileSync(path.join(tmp, "import.json"), "utf8")).toBe(
      `{
  "resources": [
    {
      "type": "mailplane:index:Mailbox",
      "name": "acme-com-mailbox-ali",
      "id": "migadu/acme.com/ali"
    },
    {
      "type": "mailplane:index:Mailbox",
      "name": "acme-com-mailbox-zhangsan",
      "id": "migadu/acme.com/zhangsan"
    },
    {
      "type": "mailplane:index:Alias",
      "name": "acme-com-alias-press",
      "id": "migadu/acme.com/press"
    },
    {
      "type": "mailplane:index:Alias",
      "name": "acme-com-alias-team",
      "id": "migadu/acme.com/team"
    }
  ]
}
`,
    );
    expect(emu.log.filter((l) => l.method !== "GET")).toEqual([]);
  });

  it("with --out, the program goes to its file and the import file to its own", async () => {
    const r = await run([
      ...importArgs,
      "--api-url",
      apiUrl,
      "--out",
      path.join(tmp, "index.ts"),
      "--import-file",
      path.join(tmp, "second.json"),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `reading ${D} at migadu…\n` +
        `wrote ${path.join(tmp, "index.ts")}: 2 mailboxes, 1 shared addresses, 1 aliases, 0 groups\n` +
        `wrote ${path.join(tmp, "second.json")}: 4 resources (2 Mailbox, 2 Alias); adopt them with pulumi import --file ${path.join(tmp, "second.json")}\n`,
    );
    expect(readFileSync(path.join(tmp, "second.json"), "utf8")).toBe(
      readFileSync(path.join(tmp, "import.json"), "utf8"),
    );
  });

  it("an import file that cannot be written names the flag and the path (exit 2)", async () => {
    const r = await run([
      ...importArgs,
      "--api-url",
      apiUrl,
      "--import-file",
      "missing/dir/i.json",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `reading ${D} at migadu…\n` +
        `mailplane import: --import-file missing/dir/i.json: ENOENT: no such file or directory, open '${path.join(tmp, "missing/dir/i.json")}' (allowed: a writable file path)\n`,
    );
  });
});
