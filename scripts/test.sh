#!/usr/bin/env bash
# The one command that runs every check: lint, type-check and the whole vitest suite (unit tests
# and end-to-end tests against the real Collector, Prometheus and Alertmanager), then the Node
# SDK's tests again on each other Node LTS line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh tests
pnpm lint
pnpm typecheck
pnpm vitest
bash scripts/node-matrix.sh
