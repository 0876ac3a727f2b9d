"""Celery beat that leaves a heartbeat, and the health check that reads it (`python -m wenchuang.beat`).

Beat's only job is to send the periodic tasks (inbox redelivery, retries, provisioning, licence expiry,
settlement-run); a beat that stopped ticking sends nothing, so its health is the age of its last tick.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from celery.beat import PersistentScheduler
from django.conf import settings


def heartbeat_path(schedule_filename: str) -> Path:
    return Path(f"{schedule_filename}.heartbeat")


class HeartbeatScheduler(PersistentScheduler):
    """Writes its pid to `<schedule file>.heartbeat`, then touches it on every tick (beat ticks at least
    every max loop interval): a dead beat is seen at once by its pid, a stuck one by the file's age."""

    _heartbeat_started = False

    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        path = heartbeat_path(self.schedule_filename)
        if self._heartbeat_started:
            os.utime(path)
        else:
            path.write_text(f"{os.getpid()}\n")
            self._heartbeat_started = True
        return interval


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, as another user
    return True


def beat_health() -> tuple[bool, str]:
    """Whether beat ticked within three loop intervals, and what to say about it."""
    # settings is lazy: it reads DJANGO_SETTINGS_MODULE on first use, here (the health check runs bare).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenchuang.settings")
    path = heartbeat_path(settings.CELERY_BEAT_SCHEDULE_FILENAME)
    limit = 3 * settings.CELERY_BEAT_MAX_LOOP_INTERVAL
    try:
        age = time.time() - path.stat().st_mtime
        pid = int(path.read_text())
    except FileNotFoundError:
        return False, f"beat has never ticked: no {path}"
    except ValueError:
        return False, f"{path} names no process"
    if not _alive(pid):
        return False, f"beat (pid {pid}) is not running"
    if age > limit:
        return False, f"beat (pid {pid}) last ticked {age:.0f} s ago, more than {limit} s: it is stuck"
    return True, f"beat (pid {pid}) ticked {age:.0f} s ago"


if __name__ == "__main__":
    healthy, message = beat_health()
    print(message)
    sys.exit(0 if healthy else 1)
