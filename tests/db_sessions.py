"""Another PostgreSQL session beside the test's own: what a second worker's connection would be; workers
racing, each on its own."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def connection_params() -> dict:
    """psycopg.connect() keyword arguments for the test database."""
    db = connection.settings_dict
    return {
        "dbname": db["NAME"],
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
    }


def race(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads released together, each on its own connection (closed after): what each
    returned or raised, in order."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # kept and asserted on by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results
