#!/usr/bin/env bash
# preview-stacks.sh OUT_DIR STACK... — `pulumi preview --json` of every stack, PARALLEL at a time
# (default 4), then one `mailplane summary` of them all in OUT_DIR/summary.md (a section per
# stack, in the order given). Each stack's JSON is OUT_DIR/<stack>.json, its stderr
# OUT_DIR/<stack>.err. Prints the wall time to stderr. Exits 1 when a preview failed (the summary
# is still written: the failure is in it), 2 on bad usage.
#
# Env: PROJECT_DIR (the Pulumi project, default .), PARALLEL, MAILPLANE (the command that runs
# mailplane, default `mailplane`), PULUMI_POLICY_PACK and PULUMI_POLICY_PACK_CONFIG (a policy
# pack and its config, optional), and what pulumi itself reads: PULUMI_BACKEND_URL,
# PULUMI_CONFIG_PASSPHRASE, provider credentials.
set -euo pipefail

[[ $# -ge 2 ]] || { echo "usage: preview-stacks.sh OUT_DIR STACK..." >&2; exit 2; }
out="$1"
shift
parallel="${PARALLEL:-4}"
[[ "$parallel" =~ ^[1-9][0-9]*$ ]] || { echo "PARALLEL must be a positive integer, got '$parallel'" >&2; exit 2; }
project="${PROJECT_DIR:-.}"
mkdir -p "$out"
# pulumi resolves paths after --cwd: make the pack and its config absolute first.
[[ -n "${PULUMI_POLICY_PACK:-}" ]] && PULUMI_POLICY_PACK="$(realpath "$PULUMI_POLICY_PACK")"
[[ -n "${PULUMI_POLICY_PACK_CONFIG:-}" ]] && PULUMI_POLICY_PACK_CONFIG="$(realpath "$PULUMI_POLICY_PACK_CONFIG")"
export PULUMI_POLICY_PACK PULUMI_POLICY_PACK_CONFIG

start=$(date +%s%N)
printf '%s\n' "$@" | xargs -P "$parallel" -I{} sh -c '
    pulumi preview --cwd "$2" --stack "$1" --json --non-interactive \
        ${PULUMI_POLICY_PACK:+--policy-pack "$PULUMI_POLICY_PACK"} \
        ${PULUMI_POLICY_PACK_CONFIG:+--policy-pack-config "$PULUMI_POLICY_PACK_CONFIG"} \
        >"$3/$1.json" 2>"$3/$1.err"
    echo $? >"$3/$1.rc"
' _ {} "$project" "$out"
ms=$(( ($(date +%s%N) - start) / 1000000 ))

failed=()
args=()
for s in "$@"; do
    [[ "$(cat "$out/$s.rc")" == "0" ]] || failed+=("$s")
    args+=("$s=$out/$s.json")
done
# shellcheck disable=SC2086 # MAILPLANE may be a command with arguments
${MAILPLANE:-mailplane} summary "${args[@]}" -o "$out/summary.md"
printf 'previewed %d stacks in %d.%03d s (PARALLEL=%d)\n' "$#" $((ms / 1000)) $((ms % 1000)) "$parallel" >&2
if [[ ${#failed[@]} -gt 0 ]]; then
    # `--json` leaves out why a preview failed (a policy violation is only "preview failed"):
    # the text output of a second preview of each failed stack goes under the summary.
    for s in "${failed[@]}"; do
        pulumi preview --cwd "$project" --stack "$s" --non-interactive --color never \
            ${PULUMI_POLICY_PACK:+--policy-pack "$PULUMI_POLICY_PACK"} \
            ${PULUMI_POLICY_PACK_CONFIG:+--policy-pack-config "$PULUMI_POLICY_PACK_CONFIG"} \
            >"$out/$s.txt" 2>&1 || true
        {
            printf '\n<details><summary>Why the preview of <code>%s</code> failed</summary>\n\n' "$s"
            printf '```text\n'
            # The policy report and the diagnostics, without the resource-by-resource progress.
            sed -n '/^Policies:/,$p' "$out/$s.txt" | sed 's/```/` ` `/g'
            printf '```\n\n</details>\n'
        } >>"$out/summary.md"
    done
    echo "preview failed: ${failed[*]} (see $out/<stack>.err and <stack>.txt)" >&2
    exit 1
fi
