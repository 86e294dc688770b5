/**
 * What a deployment manages now, for the deletes that run after it.
 *
 * One provider process serves one `pulumi up`, and Pulumi deletes the resources removed from the
 * program after every create and update. When a refactor renames a resource (a new handle, a
 * renamed MailDomain), the engine creates the new one, which takes over the same account, file or
 * records, and then deletes the old one. A create or update therefore claims what it manages, and
 * a delete leaves alone whatever is claimed: the renamed resource owns it now.
 *
 * The registry lives on `globalThis` under `Symbol.for("mailplane.claims")`, so every copy of
 * this module and every serialized dynamic provider in the process shares it.
 */
const REGISTRY = Symbol.for("mailplane.claims");

function registry(): Set<string> {
  const g = globalThis as { [REGISTRY]?: Set<string> };
  return (g[REGISTRY] ??= new Set<string>());
}

/** Records that a resource of this deployment manages `key` (a JSON array naming the thing). */
export function claim(...parts: string[]): void {
  registry().add(JSON.stringify(parts));
}

/** Whether a resource of this deployment manages the thing `parts` names. */
export function isClaimed(...parts: string[]): boolean {
  return registry().has(JSON.stringify(parts));
}

/**
 * Forgets every claim, as the next deployment's provider process starts without them. For tests
 * that create and delete in one process.
 */
export function forgetClaims(): void {
  registry().clear();
}
