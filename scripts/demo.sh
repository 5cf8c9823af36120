#!/usr/bin/env bash
# The main job: installs what is missing, starts private Redis and PostgreSQL (unless REDIS_URL /
# DATABASE_URL are set), migrates, seeds a demo flash sale, runs every role, prints the URLs,
# and runs until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
bash scripts/ensure-node-deps.sh
exec node --import tsx scripts/demo.ts "$@"
