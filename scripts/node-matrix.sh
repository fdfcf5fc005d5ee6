#!/usr/bin/env bash
# Runs @otelkit/node's tests again on each Node line users run it on (the rest of the suite runs on
# the machine's Node). The SDK behaves differently per line: where import-in-the-middle's ESM hooks
# run, how require() and import meet, how AsyncLocalStorage keeps context. Each Node is the
# official binary from the npm registry (node-linux-<arch>, integrity checked by npm), cached
# outside the repository by version, so a second run downloads nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

# The newest release of each LTS line (22 maintenance, 24 and 26 LTS), pinned.
versions=(22.23.3 24.21.0 26.10.0)
# Every test that runs instrumented applications; the rest of the suite runs none, so the
# machine's Node covers it.
tests=(
  packages/node/src
  test/node-amqplib.e2e.test.ts
  test/node-bundle.test.ts
  test/node-code-start.test.ts
  test/node-diagnostics.test.ts
  test/node-esm-http-client.test.ts
  test/node-esm-loader.test.ts
  test/node-koa-clients.e2e.test.ts
  test/node-pg.e2e.test.ts
  test/node-pino.test.ts
  test/node-runtime.e2e.test.ts
  test/node-service.e2e.test.ts
  test/oss-app.e2e.test.ts
)

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node-matrix: no node-linux binary package for $(uname -m)" >&2; exit 1 ;;
esac
cache="${OTELKIT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/otelkit}/node"

for version in "${versions[@]}"; do
  node_bin="$cache/$version/bin/node"
  if [ ! -x "$node_bin" ]; then
    echo "node-matrix: fetching Node $version (npm package node-linux-$arch@$version)"
    work=$(mktemp -d)
    (cd "$work" && npm pack --silent "node-linux-$arch@$version" >/dev/null)
    mkdir -p "$work/unpacked"
    tar -xzf "$work"/node-linux-"$arch"-"$version".tgz -C "$work/unpacked"
    # Only the binary: the package also carries C headers (about 70 MB) that nothing here uses.
    rm -rf "$cache/$version"
    mkdir -p "$cache/$version/bin"
    mv "$work/unpacked/package/bin/node" "$node_bin"
    rm -rf "$work"
  fi
  actual=$("$node_bin" --version)
  if [ "$actual" != "v$version" ]; then
    echo "node-matrix: $node_bin says $actual, expected v$version; delete $cache/$version" >&2
    exit 1
  fi
  echo "node-matrix: @otelkit/node tests on Node $version"
  # vitest itself runs on that Node, so process.execPath, which the tests spawn, is that Node.
  "$node_bin" node_modules/vitest/vitest.mjs run "${tests[@]}"
done
