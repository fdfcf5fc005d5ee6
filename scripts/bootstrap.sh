#!/usr/bin/env bash
# Brings a fresh machine to a runnable otelkit checkout: pnpm at the pinned version, the
# workspace's dependencies (lockfile), the TypeScript build, and every backend (the Collector
# built with ocb, Prometheus from its Go module, Alertmanager from Debian; with `tests`, Loki
# from its Go module too). Backends are cached
# outside the repository, so a second run rebuilds nothing and says so.
set -euo pipefail
cd "$(dirname "$0")/.."

pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
  echo "bootstrap: installing pnpm $pnpm_version"
  npm install --global --no-fund --no-audit "pnpm@$pnpm_version" >/dev/null
fi

# Debian packages: Redis for the example services, Chromium for the browser tests and, with the
# argument `tests` (scripts/test.sh), PostgreSQL, MariaDB and RabbitMQ for the pg, mysql2 and
# amqplib tests.
# apt-get update runs only when a package is missing and the local lists do not have it.
need_debian_package() { # command-or-path-glob package why
  if [[ "$1" == /* ]]; then compgen -G "$1" >/dev/null && return 0; fi
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: missing $1 ($3): run 'sudo apt-get install -y $2'" >&2
    exit 1
  fi
  echo "bootstrap: installing $2 (Debian) for $3"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$2" >/dev/null 2>&1 ||
    { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$2" >/dev/null; }
}
need_debian_package redis-server redis-server "the example services"
if [ "${1:-}" = tests ]; then
  # Only the tests need it, and Debian keeps the server outside PATH, one directory per major.
  need_debian_package '/usr/lib/postgresql/*/bin/postgres' postgresql "the pg test"
  need_debian_package /usr/sbin/mariadbd mariadb-server "the mysql2 test"
  need_debian_package /usr/lib/rabbitmq/bin/rabbitmq-server rabbitmq-server "the amqplib test"
  need_debian_package openssl openssl "the exporters' TLS test"
fi
need_debian_package chromium chromium "the browser tests"

pnpm install --frozen-lockfile
pnpm build
# Loki only for the tests (the dashboards test queries it); "otelkit up" does not run it.
if [ "${1:-}" = tests ]; then
  node packages/stack/dist/cli.js provision --loki
else
  node packages/stack/dist/cli.js provision
fi
