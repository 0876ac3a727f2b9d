#!/usr/bin/env bash
# Make sure the services the tests need are running: PostgreSQL (system, else the embedded server
# the settings start by themselves) and Redis (system, else installed from Debian's packages).
# Prints the environment to use, e.g.:  eval "$(scripts/ensure-services.sh)"
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# PostgreSQL: use a server on 127.0.0.1:5432 when there is one; otherwise leave DATABASE_URL unset
# and wenchuang.settings starts the embedded pgserver under .data/postgres.
if [ "${1:-}" != "--redis-only" ] && [ -z "${DATABASE_URL:-}" ] && port_open 5432; then
  echo "export DATABASE_URL=postgres://postgres@127.0.0.1:5432/${WENCHUANG_DB_NAME:-wenchuang}"
fi

# Debian's chromium drives the browser tests (Playwright with executable_path, never a downloaded browser);
# Noto CJK lets its screenshots show the Chinese pages as people read them, not as empty boxes.
if [ "${1:-}" != "--redis-only" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  missing=""
  [ -x /usr/bin/chromium ] || missing=" chromium"
  [ -d /usr/share/fonts/opentype/noto ] || missing="$missing fonts-noto-cjk"
  if [ -n "$missing" ]; then
    echo "installing${missing} from Debian's packages" >&2
    # shellcheck disable=SC2086 # one word per package
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >&2 \
      || echo "$missing could not be installed: browser tests may be skipped" >&2
  fi
fi

# Redis: Celery's broker in the worker tests.
if ! port_open 6379; then
  if ! command -v redis-server >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing redis-server from Debian's packages" >&2
      apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
    else
      echo "Redis is not running on 127.0.0.1:6379 and redis-server is not installed" >&2
      exit 1
    fi
  fi
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >&2
  for _ in $(seq 1 50); do port_open 6379 && break; sleep 0.1; done
fi
if [ "${1:-}" = "--redis-only" ]; then
  echo "export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}"
else
  echo "export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/15}"  # tests use their own Redis database
fi
