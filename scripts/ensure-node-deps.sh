#!/usr/bin/env bash
# Installs the locked Node dependencies when node_modules is missing or older than package-lock.json.
# `npm install` rather than `npm ci`: npm 11's ci refuses this lock over optional platform packages
# of an optional dependency (msgpackr-extract for other OSes) that npm itself leaves out of the
# lock; `npm install` installs exactly the locked versions and leaves the lock unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "usher: installing Node dependencies…"
  npm install --no-fund --no-audit --loglevel=error
fi
