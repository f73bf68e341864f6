#!/usr/bin/env bash
# Prints the bin directory of Node MAJOR (e.g. 24), installed from the npm registry's `node`
# package into a world-readable directory: the machine's own Node may be older, and the
# production smoke test runs the server as an unprivileged user who can't read root's npm cache.
set -euo pipefail
major=${1:?usage: install-node.sh MAJOR}
dir=/opt/nxg-ci-node/$major
if [[ ! -x "$dir/node_modules/.bin/node" ]]; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund "node@$major" >&2
  chmod -R a+rX /opt/nxg-ci-node
fi
echo "$dir/node_modules/.bin"
