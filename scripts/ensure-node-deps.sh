#!/usr/bin/env bash
# `npm ci` when node_modules is missing or older than package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "usher: installing Node dependencies (npm ci)…"
  npm ci --no-fund --no-audit --loglevel=error
fi
