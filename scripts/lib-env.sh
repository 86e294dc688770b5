# shellcheck shell=bash
# Sourced by every Mailplane script: puts the project's toolchain first on PATH.
# Node >= 22 (Node 24 from the npm registry's `node` package when the machine's is older),
# pnpm from the npm registry, and the Pulumi CLI built by scripts/install-pulumi.
MAILPLANE_CACHE="${MAILPLANE_CACHE:-$HOME/.cache/mailplane}"
MAILPLANE_NODE_MAJOR=24
MAILPLANE_PNPM_VERSION=10.34.8
MAILPLANE_PULUMI_VERSION="${PULUMI_VERSION:-3.260.0}"
export MAILPLANE_CACHE MAILPLANE_NODE_MAJOR MAILPLANE_PNPM_VERSION MAILPLANE_PULUMI_VERSION

mailplane_node_ok() {
  local v
  v="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  [ "$v" -ge 22 ]
}

if [ -x "$MAILPLANE_CACHE/node$MAILPLANE_NODE_MAJOR/node_modules/.bin/node" ] && ! mailplane_node_ok; then
  PATH="$MAILPLANE_CACHE/node$MAILPLANE_NODE_MAJOR/node_modules/.bin:$PATH"
fi
if [ -x "$MAILPLANE_CACHE/pnpm/node_modules/.bin/pnpm" ]; then
  PATH="$MAILPLANE_CACHE/pnpm/node_modules/.bin:$PATH"
fi
if [ -d "$MAILPLANE_CACHE/pulumi/v$MAILPLANE_PULUMI_VERSION/bin" ]; then
  PATH="$MAILPLANE_CACHE/pulumi/v$MAILPLANE_PULUMI_VERSION/bin:$PATH"
fi
export PATH
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
