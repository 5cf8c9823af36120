#!/usr/bin/env bash
# Installs the locked Node dependencies with `npm ci` (exactly package-lock.json; it refuses a lock
# out of step with package.json) when node_modules is missing or older than package.json or the lock.
set -euo pipefail
cd "$(dirname "$0")/.."
marker=node_modules/.package-lock.json
if [[ ! -f $marker || package-lock.json -nt $marker || package.json -nt $marker ]]; then
  echo "usher: installing Node dependencies (npm ci)…"
  npm ci --no-fund --no-audit --loglevel=error
fi
