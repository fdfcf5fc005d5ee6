#!/usr/bin/env bash
# Brings a fresh machine to a runnable otelkit checkout: pnpm at the pinned version, the
# workspace's dependencies (lockfile), the TypeScript build, and every backend (the Collector
# built with ocb, Prometheus from its Go module, Alertmanager from Debian). Backends are cached
# outside the repository, so a second run rebuilds nothing and says so.
set -euo pipefail
cd "$(dirname "$0")/.."

pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
  echo "bootstrap: installing pnpm $pnpm_version"
  npm install --global --no-fund --no-audit "pnpm@$pnpm_version" >/dev/null
fi

# The example services keep their cache in Redis, from Debian's packages.
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing redis-server (Debian) for the example services"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server >/dev/null 2>&1 ||
      { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server >/dev/null; }
  else
    echo "bootstrap: missing redis-server: run 'sudo apt-get install -y redis-server'" >&2
    exit 1
  fi
fi

pnpm install --frozen-lockfile
pnpm build
node packages/stack/dist/cli.js provision
