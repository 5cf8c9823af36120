#!/usr/bin/env bash
# Installs the system packages Usher needs when they are missing: Redis and PostgreSQL server
# binaries (and, with --browser, Debian's Chromium for the end-to-end tests). Debian/Ubuntu only;
# elsewhere it names what to install and exits non-zero.
set -euo pipefail

want_browser=0
[[ "${1:-}" == "--browser" ]] && want_browser=1

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
pg_found=0
if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then pg_found=1; fi
for d in /usr/lib/postgresql/*/bin; do [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] && pg_found=1; done
[[ $pg_found == 1 ]] || missing+=(postgresql)
if [[ $want_browser == 1 ]] && ! command -v chromium >/dev/null 2>&1; then missing+=(chromium); fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [[ "$node_major" != 20 ]]; then
  echo "usher: Node.js 20 is required (found: $(node --version 2>/dev/null || echo none)); the uWebSockets.js binary is built for it." >&2
  echo "usher: install Node 20 (e.g. from nodejs.org or nvm: 'nvm install 20') and run again." >&2
  exit 1
fi

[[ ${#missing[@]} == 0 ]] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "usher: missing ${missing[*]} and this is not Debian/Ubuntu." >&2
  echo "usher: install Redis 7 (redis-server, redis-cli) and PostgreSQL 14+ server binaries (initdb, pg_ctl)," >&2
  echo "usher: or set REDIS_URL and DATABASE_URL to servers you run." >&2
  exit 1
fi
sudo=()
if [[ $(id -u) != 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo -n); else
    echo "usher: missing ${missing[*]}; run as root or install them: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
echo "usher: installing ${missing[*]} with apt-get…"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's packages start their own servers; Usher runs private ones and leaves those alone.
echo "usher: installed ${missing[*]}"
