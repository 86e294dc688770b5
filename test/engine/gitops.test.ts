/**
 * examples/gitops (issue 17): the commands of the GitHub Actions workflow
 * (.github/workflows/mail.yml), not the CI service. The test reads the workflow with a YAML parser,
 * checks where its backend and secrets come from, and runs the `run:` steps of its jobs with bash
 * in a copy of the example, as the runner would (workflow and job env, `continue-on-error`,
 * `if: steps.<id>.outcome == 'failure'`, a step failing stops the job), with local stand-ins:
 * a file backend and passphrase for the secrets, the Migadu emulator for the mail provider,
 * test/engine/fixtures/summary as the mail project (two stacks, a.test and b.test), and a fake `gh`
 * that records the comments. Skipped: `uses:` steps (checkout, Node, Pulumi CLI) and the
 * `install` step (npm ci; the fixture's dependencies are the workspace's).
 */
import { execFile } from "node:child_process";
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { MigaduEmulator } from "../emulators/migadu";
import { PulumiWorkspace, requirePulumi } from "./pulumi-cli";

const ROOT = path.resolve(__dirname, "..", "..");
const EXAMPLE = path.join(ROOT, "examples", "gitops");
const PROJECT = path.join(__dirname, "fixtures", "summary");
const USER = "admin@gitops.test";
const API_KEY = "emulator-api-key-gitops-77aa";
const LONG = 600_000;
const STACKS = [`gitops-a-${process.pid}`, `gitops-b-${process.pid}`];
const DOMAINS = ["a.test", "b.test"];

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  "continue-on-error"?: boolean;
}
interface Workflow {
  on: Record<string, unknown>;
  env: Record<string, string>;
  jobs: Record<string, { if?: string; env?: Record<string, string>; steps: Step[] }>;
}

const workflow = parse(
  readFileSync(path.join(EXAMPLE, ".github", "workflows", "mail.yml"), "utf8"),
) as Workflow;

let emu: MigaduEmulator;
let tmp: string;
let repo: string;
let ws: PulumiWorkspace;
let secrets: Record<string, string>;
let pr = 0;
/** What the last job's steps printed, for failure messages. */
let lastLog = "";

/** `${{ … }}` replaced by the stand-ins; anything else is an error (the test must know it). */
function expand(value: string): string {
  return value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_all, expr: string) => {
    const m = /^secrets\.(\w+)$/.exec(expr);
    if (m) {
      if (!(m[1]! in secrets))
        throw new Error(`the workflow needs secret ${m[1]}, the test has none`);
      return secrets[m[1]!]!;
    }
    if (expr === "vars.MAIL_STACKS") return STACKS.join(" ");
    if (expr === "github.event.pull_request.number") return String(pr);
    if (expr === "github.token") return "fake-gh-token";
    throw new Error(`unknown expression in the workflow: ${expr}`);
  });
}

const expandAll = (env: Record<string, string> = {}) =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, expand(String(v))]));

/** Runs one job's `run:` steps like the runner; returns the outcome of each step and the job. */
async function runJob(name: string): Promise<{ outcomes: Record<string, string>; ok: boolean }> {
  const job = workflow.jobs[name]!;
  const env: NodeJS.ProcessEnv = {
    ...ws.env,
    ...expandAll(workflow.env),
    ...expandAll(job.env),
    // Stand-ins for what `uses:`/install provide in CI: the mailplane command and the pack.
    PROJECT_DIR: PROJECT,
    MAILPLANE: `${path.join(ROOT, "node_modules", ".bin", "tsx")} --conditions=@mailplane/source ${path.join(ROOT, "packages", "cli", "src", "bin.ts")}`,
    PULUMI_POLICY_PACK: path.join(ROOT, "packages", "policy"),
    PATH: `${path.join(tmp, "bin")}${path.delimiter}${ws.env.PATH}`,
  };
  const outcomes: Record<string, string> = {};
  lastLog = "";
  for (const step of job.steps) {
    if (step.uses !== undefined || step.id === "install") continue;
    if (step.if !== undefined) {
      const m = /^steps\.(\w+)\.outcome == '(\w+)'$/.exec(step.if);
      if (!m) throw new Error(`unsupported if: ${step.if}`);
      if (outcomes[m[1]!] !== m[2]) continue;
    }
    const code = await new Promise<number>((resolve) => {
      execFile(
        "bash",
        ["-e", "-c", step.run!],
        { cwd: repo, env: { ...env, ...expandAll(step.env) }, timeout: LONG, maxBuffer: 64 << 20 },
        (err, stdout, stderr) => {
          lastLog += `--- ${step.id ?? step.name}\n${stdout}${stderr}`;
          resolve(err === null ? 0 : typeof err.code === "number" ? err.code : 1);
        },
      );
    });
    const outcome = code === 0 ? "success" : "failure";
    outcomes[step.id ?? step.name!] = outcome;
    if (outcome === "failure" && step["continue-on-error"] !== true) return { outcomes, ok: false };
  }
  return { outcomes, ok: true };
}

/** The comments the fake `gh` posted, `[args, body]`. */
const comments = (): [string, string][] =>
  JSON.parse(
    `[${readFileSync(path.join(tmp, "gh.log"), "utf8").trim().split("\n").join(",")}]`,
  ) as [string, string][];

const summaryFile = () =>
  readFileSync(path.join(repo, ".mailplane", "previews", "summary.md"), "utf8");
const setPolicyConfig = (c: object) =>
  writeFileSync(path.join(repo, "policy-config.json"), JSON.stringify(c));

beforeAll(async () => {
  emu = new MigaduEmulator({ user: USER, apiKey: API_KEY, domains: DOMAINS, rateLimit: false });
  const apiUrl = await emu.start();
  tmp = mkdtempSync(path.join(os.tmpdir(), "mailplane-gitops-"));
  repo = path.join(tmp, "repo");
  cpSync(EXAMPLE, repo, { recursive: true });
  // The fake gh: `--edit-last` fails until a comment exists (as gh does), every comment is logged.
  writeFileSync(
    path.join(tmp, "gh.js"),
    `const fs = require("fs");
const args = process.argv.slice(2);
const log = ${JSON.stringify(path.join(tmp, "gh.log"))};
const exists = fs.existsSync(log);
if (args.includes("--edit-last") && !exists) { console.error("no comments found for current user"); process.exit(1); }
const body = fs.readFileSync(args[args.indexOf("--body-file") + 1], "utf8");
fs.appendFileSync(log, JSON.stringify([args.filter((a, i) => i !== args.indexOf("--body-file") + 1).join(" "), body]) + "\\n");
`,
  );
  mkdirSync(path.join(tmp, "bin"));
  writeFileSync(
    path.join(tmp, "bin", "gh"),
    `#!/bin/sh\nexec node ${path.join(tmp, "gh.js")} "$@"\n`,
  );
  chmodSync(path.join(tmp, "bin", "gh"), 0o755);
  secrets = {
    PULUMI_BACKEND_URL: `file://${path.join(tmp, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "gitops-test-passphrase",
    MIGADU_USER: USER,
    MIGADU_API_KEY: API_KEY,
  };
  ws = new PulumiWorkspace(PROJECT, tmp, {
    PULUMI_BACKEND_URL: secrets.PULUMI_BACKEND_URL!,
    PULUMI_CONFIG_PASSPHRASE: secrets.PULUMI_CONFIG_PASSPHRASE!,
    MIGADU_API_URL: apiUrl,
    MIGADU_REQUEST_BUDGET: "500/100",
  });
  await requirePulumi(ws);
  // Once per stack, as a team does: the stacks and their configuration.
  for (const [i, stack] of STACKS.entries()) {
    await ws.ok(["stack", "init", stack, "--non-interactive"]);
    const set = (k: string, v: string, secret = false) =>
      ws.ok(["config", "set", "--stack", stack, ...(secret ? ["--secret"] : []), k, v]);
    await set("domain", DOMAINS[i]!);
    await set("zonePath", path.join(tmp, `${DOMAINS[i]}.zone`));
    await set("webRoot", path.join(tmp, `www-${i}`));
    await set(
      "passwords",
      JSON.stringify({
        ali: "Ali-initial-Pa55",
        zhangsan: "Zs-initial-Pa55",
        omar: "Om-initial-Pa55",
        temp: "Tp-initial-Pa55",
        maria: "Mg-initial-Pa55",
      }),
      true,
    );
  }
}, LONG);

afterAll(async () => {
  await emu?.stop();
  for (const s of STACKS) rmSync(path.join(PROJECT, `Pulumi.${s}.yaml`), { force: true });
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe("the workflow file", () => {
  it("previews on pull requests, applies on merge to main, backend and secrets from the secret store", () => {
    expect(Object.keys(workflow.on)).toEqual(["pull_request", "push"]);
    expect((workflow.on.push as { branches: string[] }).branches).toEqual(["main"]);
    expect(workflow.jobs.preview!.if).toBe("github.event_name == 'pull_request'");
    expect(workflow.jobs.up!.if).toBe("github.event_name == 'push'");
    for (const k of [
      "PULUMI_BACKEND_URL",
      "PULUMI_CONFIG_PASSPHRASE",
      "MIGADU_USER",
      "MIGADU_API_KEY",
    ]) {
      expect(workflow.env[k]).toBe(`\${{ secrets.${k} }}`);
    }
    const runs = Object.values(workflow.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ""));
    expect(runs.filter((r) => r.includes("preview-stacks.sh"))).toHaveLength(1);
    expect(runs.filter((r) => r.includes("pulumi up"))).toHaveLength(1);
    expect(runs.join("\n")).not.toMatch(/\$\{\{/); // values reach scripts through env only
  });
});

describe.sequential("the workflow's commands against a local backend", () => {
  it(
    "PR 1: preview of both stacks, one comment with a section each; the job passes",
    async () => {
      pr = 1;
      setPolicyConfig({ "mailbox-delete-allowlist": { allowDelete: ["temp"] } });
      const job = await runJob("preview");
      expect(job, lastLog).toEqual({
        ok: true,
        outcomes: { preview: "success", "Post the summary on the pull request": "success" },
      });
      const md = summaryFile();
      expect(comments()).toEqual([["pr comment 1 --body-file", md]]);
      expect(md.split("\n").slice(0, 5)).toEqual([
        "## Mail changes in 2 stacks",
        "",
        "⚠️ 2 stacks with something to review.",
        "",
        `### Stack \`${STACKS[0]}\``,
      ]);
      expect(md).toContain(`### Stack \`${STACKS[1]}\``);
      for (const d of DOMAINS) expect(md).toContain(`| \`temp@${d}\` | added |`);
      expect(emu.count()).toBe(0); // a preview changes nothing
    },
    LONG,
  );

  it(
    "merge: the up job applies every stack",
    async () => {
      expect(await runJob("up"), lastLog).toEqual({
        ok: true,
        outcomes: { "Apply every stack": "success" },
      });
      for (const d of DOMAINS) {
        expect(emu.mailboxes(d).map((m) => m.local_part)).toEqual([
          "ali",
          "omar",
          "temp",
          "zhangsan",
        ]);
      }
    },
    LONG,
  );

  it(
    "PR 2: a mixed change on b.test; the comment is updated, a.test has no changes",
    async () => {
      pr = 2;
      await ws.ok(["config", "set", "--stack", STACKS[1]!, "stage", "after"]);
      const job = await runJob("preview");
      expect(job.ok, lastLog).toBe(true);
      const md = summaryFile();
      expect(comments().at(-1)).toEqual(["pr comment 2 --body-file --edit-last", md]);
      const [a, b] = md.split(/^### Stack /m).slice(1);
      expect(a!.split("\n")[2]).toBe("No mail changes.");
      expect(b).toContain(
        "| `omar@b.test` | suspended | removed from code: suspended, its mail kept |",
      );
      expect(b).toContain("| `temp@b.test` | **DELETED** |");
      expect(b).toContain("- DMARC weakened at _dmarc.b.test: p=reject → p=quarantine");
    },
    LONG,
  );

  it(
    "PR 3: the repository's policy config is stricter: the preview fails with the rule's message, the job fails, nothing applied",
    async () => {
      pr = 3;
      setPolicyConfig({
        "mailbox-delete-allowlist": { allowDelete: ["temp"] },
        "dmarc-minimum-policy": { minimum: "reject" },
      });
      const requests = emu.count();
      const job = await runJob("preview");
      expect(job).toEqual({
        ok: false,
        outcomes: {
          preview: "failure",
          "Post the summary on the pull request": "success",
          "Fail when a preview failed": "failure",
        },
      });
      const md = summaryFile();
      expect(comments().at(-1)).toEqual(["pr comment 3 --body-file --edit-last", md]);
      expect(md).toContain(
        `<details><summary>Why the preview of <code>${STACKS[1]}</code> failed</summary>`,
      );
      expect(md).toContain('b.test: policy.dmarc.policy is "quarantine"; allowed: "reject"');
      expect(md).not.toContain(`Why the preview of <code>${STACKS[0]}</code>`);
      expect(md).not.toContain("Pa55");
      expect(emu.count()).toBe(requests);
    },
    LONG,
  );
});
