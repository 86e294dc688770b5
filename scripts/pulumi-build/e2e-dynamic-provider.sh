#!/usr/bin/env bash
# End-to-end check of scripts/install-pulumi: a Node.js program with a pulumi.dynamic.Resource
# is previewed, deployed, updated and destroyed against a file:// backend, in a temp dir outside
# the repository. Only the npm registry is used (for @pulumi/pulumi); Pulumi itself runs offline.
# Needs Node >= 22: uses $NODE_BIN_DIR, else $MAILPLANE_CACHE/node24/node_modules/.bin if present,
# else node on PATH.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MAILPLANE_CACHE="${MAILPLANE_CACHE:-$HOME/.cache/mailplane}"
PULUMI_VERSION="${PULUMI_VERSION:-3.260.0}"
node_dir="${NODE_BIN_DIR:-$MAILPLANE_CACHE/node24/node_modules/.bin}"
[[ -x "$node_dir/node" ]] && export PATH="$node_dir:$PATH"
node -e 'process.exit(+process.versions.node.split(".")[0] >= 22 ? 0 : 1)' \
    || { echo "e2e: need Node >= 22, have $(node --version)" >&2; exit 1; }

"$here/../install-pulumi"
# shellcheck source=../lib-env.sh
. "$here/../lib-env.sh"

d="$(mktemp -d)"
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/app" "$d/state"
cd "$d/app"
printf 'name: e2e-dynamic\nruntime: nodejs\n' >Pulumi.yaml
printf '{ "name": "e2e-dynamic", "version": "0.0.0", "private": true, "main": "index.js" }\n' >package.json
cat >index.js <<'EOF'
"use strict";
const pulumi = require("@pulumi/pulumi");
const provider = {
    async create(inputs) { return { id: `greeting-${inputs.name}`, outs: { ...inputs, message: `hello ${inputs.name}` } }; },
    async diff(id, olds, news) { return { changes: olds.name !== news.name, replaces: olds.name !== news.name ? ["name"] : [] }; },
    async update(id, olds, news) { return { outs: { ...news, message: `hello ${news.name}` } }; },
    async delete() {},
};
class Greeting extends pulumi.dynamic.Resource {
    constructor(name, args, opts) { super(provider, name, { message: undefined, ...args }, opts); }
}
exports.message = new Greeting("greeting", { name: new pulumi.Config().get("who") || "world" }).message;
EOF
npm install --no-audit --no-fund --loglevel=error "@pulumi/pulumi@$PULUMI_VERSION"

export PULUMI_BACKEND_URL="file://$d/state" PULUMI_CONFIG_PASSPHRASE=test
pulumi login
pulumi stack init dev
pulumi preview
pulumi up --yes
[[ "$(pulumi stack output message)" == "hello world" ]] || { echo "e2e: unexpected output" >&2; exit 1; }
pulumi config set who mailplane
pulumi up --yes
[[ "$(pulumi stack output message)" == "hello mailplane" ]] || { echo "e2e: unexpected output" >&2; exit 1; }
pulumi destroy --yes
echo "e2e-dynamic-provider: 1 passed, 0 failed"
