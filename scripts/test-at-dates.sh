#!/usr/bin/env bash
# The suite again with the process clock moved by Debian's faketime, so no test depends on the day it runs:
# more than a year ahead, a leap day, and 16:30 UTC on this month's last day (00:30 the next month in
# Asia/Shanghai, where people count their days and months). Usage: scripts/test-at-dates.sh [pytest args]
# Expects the environment of scripts/ensure-services.sh (make test-dates provides it).
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
status=0
for at in "${dates[@]}"; do
  echo "== the suite at $at UTC (faketime)" >&2
  # One offset for every process (the suite's subprocesses, localstripe among them, agree on the time),
  # so the clock reads `at` now and runs on. Monotonic time stays real: libfaketime otherwise stalls
  # timed waits on condition variables (scripts/faketime/sitecustomize.py mends time.sleep for it).
  offset=$(( $(date -u -d "$at" +%s) - $(date -u +%s) ))
  # The short soak (minutes of crashes and outages, no date in its logic) runs today and at the leap day,
  # where it shows that its own servers and workers agree on a faked clock; not a third and fourth time.
  skip=()
  [ "$at" = "2028-02-29 12:00:00" ] || skip=(--deselect tests/soak/test_soak_short.py)
  PYTHONPATH="$PWD/scripts/faketime${PYTHONPATH:+:$PYTHONPATH}" FAKETIME_DONT_FAKE_MONOTONIC=1 \
    faketime -f "$(printf '%+d' "$offset")" .venv/bin/pytest -p no:cacheprovider "${skip[@]}" "$@" || status=1
done
exit $status
