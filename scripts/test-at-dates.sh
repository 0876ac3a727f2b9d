#!/usr/bin/env bash
# The suite again with the process clock moved by Debian's faketime, so no test depends on the day it runs:
# more than a year ahead, a leap day, and 16:30 UTC on this month's last day (00:30 the next month in
# Asia/Shanghai, where people count their days and months). Usage: scripts/test-at-dates.sh [pytest args]
# Expects the environment of scripts/ensure-services.sh (make test-dates provides it).
#
# With a PostgreSQL server (DATABASE_URL) the three runs go at once, each in a database and a data folder
# (media, private files, static) of its own; Redis is shared, as every run's queues and cache keys carry its
# own process id (wenchuang/test_settings.py). Most of a run's time is waits (servers, browsers, the
# soak's faults), so on 2 cores three together take about half as long as one after another.
# DATE_RUNS_AT_ONCE=1 runs them one after another (always so with the embedded PostgreSQL, one server
# under .data that every run would share).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v faketime >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing faketime from Debian's packages" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime) >&2
  else
    echo "faketime is not installed (Debian package faketime): cannot run the suite at other dates" >&2
    exit 1
  fi
fi

export TZ=UTC
dates=(
  "$(date -u -d '+400 days' '+%Y-%m-%d 10:00:00')"
  "2028-02-29 12:00:00"
  "$(date -u -d "$(date -u +%Y-%m-01) +1 month -1 day" '+%Y-%m-%d 16:30:00')"
)
at_once="${DATE_RUNS_AT_ONCE:-3}"
url="${DATABASE_URL:-}" query=""
[[ "$url" != *\?* ]] || { query="?${url#*\?}"; url="${url%%\?*}"; }
# a URL that names its database (scripts/ensure-services.sh gives one): each run gets <name>_atN beside it
[[ "${url#*://}" == */?* ]] || at_once=1
work="$(mktemp -d "${TMPDIR:-/tmp}/wc-dates-XXXXXX")"
trap 'rm -rf "$work"' EXIT

# run_at N AT [pytest args]: the suite with the clock at AT; with runs at once, in database <name>_atN.
run_at() {
  local n="$1" at="$2" offset skip=() env=()
  shift 2
  # One offset for every process (the suite's subprocesses, localstripe among them, agree on the time),
  # so the clock reads `at` now and runs on. Monotonic time stays real: libfaketime otherwise stalls
  # timed waits on condition variables (scripts/faketime/sitecustomize.py mends time.sleep for it).
  offset=$(( $(date -u -d "$at" +%s) - $(date -u +%s) ))
  # The short soak (minutes of crashes and outages, no date in its logic) runs today and at the leap day,
  # where it shows that its own servers and workers agree on a faked clock; not a third and fourth time.
  [ "$at" = "2028-02-29 12:00:00" ] || skip=(--deselect tests/soak/test_soak_short.py)
  [ "$at_once" -le 1 ] || env=(DATABASE_URL="${url}_at${n}${query}" DATA_DIR="$work/data$n")
  env "${env[@]}" PYTHONPATH="$PWD/scripts/faketime${PYTHONPATH:+:$PYTHONPATH}" FAKETIME_DONT_FAKE_MONOTONIC=1 \
    faketime -f "$(printf '%+d' "$offset")" .venv/bin/pytest -p no:cacheprovider "${skip[@]}" "$@"
}

status=0
if [ "$at_once" -le 1 ]; then
  for n in "${!dates[@]}"; do
    echo "== the suite at ${dates[$n]} UTC (faketime)" >&2
    run_at "$n" "${dates[$n]}" "$@" || status=1
  done
  exit $status
fi

pids=()
for n in "${!dates[@]}"; do
  echo "== the suite at ${dates[$n]} UTC (faketime), in the background: $work/run$n.log" >&2
  run_at "$n" "${dates[$n]}" "$@" >"$work/run$n.log" 2>&1 &
  pids+=("$!")
done
for n in "${!dates[@]}"; do  # each run's whole output, in the order of the dates
  rc=0
  wait "${pids[$n]}" || rc=$?
  echo "== the suite at ${dates[$n]} UTC (faketime): exit $rc" >&2
  cat "$work/run$n.log"
  [ "$rc" = 0 ] || status=1
done
exit $status
