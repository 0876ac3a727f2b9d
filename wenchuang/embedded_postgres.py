"""Starts the embedded PostgreSQL (pgserver) that serves when no DATABASE_URL is given."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

DATABASE_NAME = "wenchuang"


def database_settings(data_dir: Path) -> dict[str, Any]:
    """Start (or join) the embedded server in data_dir and return Django DATABASES['default']."""
    # platformdirs (used by pgserver) warns when XDG_RUNTIME_DIR is unset, as on CI: harmless here.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", module="platformdirs")
    try:
        # The one function-level import outside a tasks.py (allowed in tests/test_architecture.py):
        # pgserver is an optional dependency (the `embedded-db` extra), absent in production and the
        # Docker image, which never take this path; importing it at the top would break them.
        import pgserver
    except ImportError as exc:
        raise ImproperlyConfigured(
            "DATABASE_URL is empty and the embedded PostgreSQL is not installed: set DATABASE_URL, "
            "or install it with pip install -e '.[embedded-db]' (make dev does)."
        ) from exc

    data_dir.mkdir(parents=True, exist_ok=True)
    # cleanup_mode="stop": the server lives while any process of ours uses it (web, worker, tests).
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 - a constant
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": str(data_dir),  # a directory: psycopg connects over the Unix socket in it
        "PORT": "",
        "CONN_MAX_AGE": 0,
    }
