"""The fault-injection soak's short version (bench/soak.py --short): a few thousand signed Saleor and Stripe
events through worker kills, a PostgreSQL crash and a Redis restart, then the ledger against the engine.

It runs its own PostgreSQL, Redis, gunicorn, Celery workers and beat on free ports under a temporary
directory (never the shared servers), in a process of its own that ends them all, also when it is
stopped (SIGTERM); this test stops it if it overruns.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOAK_SECONDS = 780  # a few minutes on a quiet machine; the drain waits for beat sweeps


@pytest.mark.timeout(SOAK_SECONDS + 60)
def test_the_short_soak_loses_nothing_and_posts_nothing_twice():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    soak = subprocess.Popen(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "bench" / "soak.py"), "--short", "--seed", "7"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = soak.communicate(timeout=SOAK_SECONDS)
    finally:
        if soak.poll() is None:  # overran: the soak ends its children on SIGTERM
            os.killpg(soak.pid, signal.SIGTERM)
            try:
                soak.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(soak.pid, signal.SIGKILL)
                soak.wait()

    def figure(label: str) -> int:
        found = re.search(rf"^{label}:\s+(\d+)", output, re.MULTILINE)
        assert found, f"no '{label}' in the soak's report:\n{output}"
        return int(found.group(1))

    assert figure("events sent") >= 2000, output
    assert figure("faults injected") >= 6, output
    assert (figure("lost"), figure("posted twice")) == (0, 0), output
    assert (figure("unbalanced transactions"), figure("mismatched party balances")) == (0, 0), output
    assert "NOT DRAINED" not in output
    assert soak.returncode == 0, output
