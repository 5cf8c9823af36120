#!/usr/bin/env bash
# The whole test suite: type check, lint, the production build (what the image and operators run;
# test/release/ starts each built role and replays the Dockerfile), then the three vitest tiers
# (unit, integration, e2e; see vitest.config.ts), integration and e2e against the suite's own real
# Redis and PostgreSQL (started by test/global-setup.ts; TEST_REDIS_URL / TEST_DATABASE_URL use yours).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh --browser
bash scripts/ensure-node-deps.sh
echo "usher: type check…"
npm run --silent typecheck
echo "usher: lint…"
npm run --silent lint
echo "usher: production build (npm run build)…"
rm -rf dist
npm run --silent build
echo "usher: tests…"
exec npx vitest run "$@"
