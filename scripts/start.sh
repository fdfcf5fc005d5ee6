#!/usr/bin/env bash
# Quick start: provision everything, start the native stack on 127.0.0.1 and send demo telemetry.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
node packages/stack/dist/cli.js up --demo "$@"
