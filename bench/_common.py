"""Plumbing the benchmarks share: a database of their own on the server of DATABASE_URL, Django set up on it.

Run a bench as a script (`.venv/bin/python bench/<name>.py`): its folder is then on sys.path, so it imports
this module as `_common`, which puts the project root on sys.path too.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def database_urls(db_name: str) -> tuple[str, str]:
    """The server's maintenance database (to create and drop others) and the bench database, as URLs."""
    base = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    return urlunsplit(base._replace(path="/postgres")), urlunsplit(base._replace(path=f"/{db_name}"))


def admin_execute(url: str, sql: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def database_exists(url: str, db_name: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db_name]).fetchone() is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def django_migrated(*apps: str) -> None:
    """Django set up on the database DATABASE_URL names, migrated (every app, or only `apps`)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenchuang.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", *apps, verbosity=0)


def gunicorn_start(port: int, env: dict[str, str], *, workers: int, threads: int) -> subprocess.Popen:
    """This service under gunicorn (gthread workers, as in production) on 127.0.0.1:`port`."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "wenchuang.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-k",
            "gthread",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            # Bench clients hold their connections across phases (idle at a barrier while the others
            # finish); gunicorn's default of 2 s would close an idle one under them.
            "--keep-alive",
            "300",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


@contextmanager
def bench_database(
    db_name: str, *, keep: bool, apps: tuple[str, ...] = (), force_drop: bool = False, reuse: bool = False
) -> Iterator[None]:
    """Creates `db_name` afresh (or, `reuse`, keeps it when it exists), points Django at it (set up, then
    migrated: every app, or only `apps`) and drops it on the way out unless `keep`; `force_drop` ends
    connections the bench left open (workers). Settings read from the environment at setup (cache prefix,
    queues…) must be set before entering."""
    admin_url, bench_url = database_urls(db_name)
    if not (reuse and database_exists(admin_url, db_name)):
        admin_execute(admin_url, f'DROP DATABASE IF EXISTS "{db_name}"')
        admin_execute(admin_url, f'CREATE DATABASE "{db_name}"')
    os.environ["DATABASE_URL"] = bench_url
    try:
        django_migrated(*apps)
        yield
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            admin_execute(
                admin_url, f'DROP DATABASE IF EXISTS "{db_name}"' + (" WITH (FORCE)" if force_drop else "")
            )


@contextmanager
def own_cache_and_queues(tag: str) -> Iterator[None]:
    """This process's own cache keys and Celery queues (`bench-<tag>-<pid>`), mail to nowhere and little
    logging, set before Django is; the process's Redis keys are deleted on the way out."""
    own = f"bench-{tag}-{os.getpid()}"
    os.environ["CACHE_KEY_PREFIX"] = own
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = own
    os.environ["CELERY_IMAGES_QUEUE"] = f"{own}-images"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    try:
        yield
    finally:
        import redis

        client = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        for key in client.scan_iter(f"*{own}*"):
            client.delete(key)
