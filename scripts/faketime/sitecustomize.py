"""Loaded by every Python process of the suite's runs under faketime (scripts/test-at-dates.sh).

Debian's libfaketime 0.9.10 with FAKETIME_DONT_FAKE_MONOTONIC=1 hands Python 3.11+'s time.sleep
(clock_nanosleep on CLOCK_MONOTONIC, TIMER_ABSTIME) a negative time, so it fails with EINVAL (libfaketime
issue #426). Faking the monotonic clock instead stalls every timed lock wait, so monotonic time stays
real and sleeps wait on select()'s relative timeout.
"""

import select
import time


def _sleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    select.select([], [], [], seconds)


time.sleep = _sleep
