"""A database migrated only part of the way through migrations that are now squashed is refused.

Each app's migrations were squashed into one that `replaces` them (README, Migrations). A database that has
all of them takes the squashed one as applied; one that has only some of them would not be brought forward
by Django, which then drops the squashed migration from its graph (the old files are gone) and reports the
app as having no migrations: `migrate` would apply nothing and the code would meet a schema it does not
expect. This check, run by `migrate` (and `check --database`), says so instead.
"""

from __future__ import annotations

from django.core import checks
from django.db import connections
from django.db.migrations.loader import MigrationLoader

BEFORE_THE_SQUASH = "26bd7b0"  # the last commit with the migrations the squashed ones replace


@checks.register(checks.Tags.database)
def squashed_migrations_not_half_applied(app_configs=None, databases=None, **kwargs) -> list[checks.Error]:
    errors = []
    for alias in databases or ():
        loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
        applied = loader.applied_migrations or {}
        for key, migration in loader.disk_migrations.items():
            if not migration.replaces or key in applied:
                continue
            missing = [name for app, name in migration.replaces if (app, name) not in applied]
            if len(missing) < len(migration.replaces):
                errors.append(
                    checks.Error(
                        f"database {alias!r} has only some of the migrations that {key[0]}.{key[1]} replaces "
                        f"(missing: {', '.join(missing)})",
                        hint=f"migrate it with the code of commit {BEFORE_THE_SQUASH} first, then with this",
                        id="wenchuang.E001",
                    )
                )
    return errors
