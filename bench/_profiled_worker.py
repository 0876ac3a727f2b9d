"""A Celery worker under cProfile, for bench/soak.py --profile: `_profiled_worker.py OUT celery-args...`

Only the tasks are profiled (enabled in task_prerun, disabled in task_postrun, so a SIGKILL between tasks
loses nothing written); OUT.prof gets the cumulative profile and OUT.json each task's count and seconds,
both rewritten at most every 5 s.
"""

from __future__ import annotations

import cProfile
import json
import sys
import time
from collections import defaultdict

from celery.signals import task_postrun, task_prerun

OUT = sys.argv[1]
profile = cProfile.Profile()
per_task: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
state = {"started": 0.0, "written": 0.0}


@task_prerun.connect
def _enable(task=None, **kwargs) -> None:
    state["started"] = time.perf_counter()
    profile.enable()


@task_postrun.connect
def _disable(task=None, **kwargs) -> None:
    profile.disable()
    entry = per_task[getattr(task, "name", "?")]
    entry[0] += 1
    entry[1] += time.perf_counter() - state["started"]
    if time.monotonic() - state["written"] > 5:
        state["written"] = time.monotonic()
        profile.dump_stats(OUT + ".prof")
        with open(OUT + ".json", "w") as f:
            json.dump(per_task, f)


if __name__ == "__main__":
    from celery.__main__ import main

    sys.argv = ["celery", *sys.argv[2:]]
    sys.exit(main())
