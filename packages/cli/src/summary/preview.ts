/**
 * The parts of `pulumi preview --json` the summary reads, and a reader that checks them. Pulumi
 * prints secret values as `"[secret]"`; nothing here ever looks behind that.
 */

/** One resource's state in a preview step. */
export interface PreviewState {
  type?: string;
  /** false for a component resource (it holds nothing at a provider). */
  custom?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/** One step of `pulumi preview --json`. */
export interface PreviewStep {
  /** `create`, `update`, `delete`, `replace`, `create-replacement`, `delete-replaced`, `same`, … */
  op: string;
  urn: string;
  oldState?: PreviewState;
  newState?: PreviewState;
  replaceReasons?: string[];
}

/** One diagnostic of the preview (a failed check, a policy violation). */
export interface PreviewDiagnostic {
  urn?: string;
  message: string;
  severity: string;
}

/** The output of `pulumi preview --json`. */
export interface PreviewJson {
  steps: PreviewStep[];
  diagnostics?: PreviewDiagnostic[];
  changeSummary?: Record<string, number>;
}

/** How Pulumi prints a secret in `--json` output. */
export const SECRET = "[secret]";

/** The JSON text's shape as a short description, for error messages. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "string") {
    const s = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(s);
  }
  return typeof value === "object" ? "an object" : String(value);
}

/**
 * Reads the text of `pulumi preview --json`. Throws an error naming `source`, the path of the bad
 * field and what is allowed: `pr.json: steps[2].urn must be a Pulumi URN string, got 5`.
 */
export function parsePreview(text: string, source: string): PreviewJson {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(
      `${source}: not the JSON of \`pulumi preview --json\` (${(err as Error).message})`,
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new Error(
      `${source}: must be the object \`pulumi preview --json\` prints, got ${describe(data)}`,
    );
  }
  const obj = data as Record<string, unknown>;
  // A preview that failed before planning (a bad config, a policy pack that did not start)
  // prints only its diagnostics.
  if (obj.steps === undefined && Array.isArray(obj.diagnostics)) obj.steps = [];
  if (!Array.isArray(obj.steps)) {
    throw new Error(
      `${source}: steps must be the list of steps of \`pulumi preview --json\`, got ${describe(obj.steps)}`,
    );
  }
  obj.steps.forEach((s: unknown, i) => {
    const step = s as Record<string, unknown>;
    if (typeof s !== "object" || s === null || Array.isArray(s)) {
      throw new Error(`${source}: steps[${i}] must be an object, got ${describe(s)}`);
    }
    if (typeof step.op !== "string") {
      throw new Error(`${source}: steps[${i}].op must be a string, got ${describe(step.op)}`);
    }
    if (typeof step.urn !== "string" || !step.urn.startsWith("urn:pulumi:")) {
      throw new Error(
        `${source}: steps[${i}].urn must be a Pulumi URN string, got ${describe(step.urn)}`,
      );
    }
  });
  if (obj.diagnostics !== undefined && !Array.isArray(obj.diagnostics)) {
    throw new Error(`${source}: diagnostics must be a list, got ${describe(obj.diagnostics)}`);
  }
  return obj as unknown as PreviewJson;
}

/** The stack name in a URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export const stackOf = (urn: string): string => urn.slice("urn:pulumi:".length).split("::")[0]!;

/** The resource name at the end of a URN. */
export const nameOf = (urn: string): string => urn.slice(urn.lastIndexOf("::") + 2);

/** The resource type of a URN (the last of its parent-qualified type chain). */
export const typeOf = (urn: string): string => {
  const t = urn.split("::")[2] ?? "";
  return t.slice(t.lastIndexOf("$") + 1);
};
