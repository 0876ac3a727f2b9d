"""Another PostgreSQL session beside the test's own: what a second worker's connection would be."""

from __future__ import annotations

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
