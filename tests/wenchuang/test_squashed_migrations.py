"""A database with only some of the migrations a squashed one replaces is refused by `migrate`'s checks."""

import pytest
from django.db.migrations.recorder import MigrationRecorder

from wenchuang.checks import squashed_migrations_not_half_applied

pytestmark = pytest.mark.django_db


def test_a_database_migrated_with_the_squashed_migrations_passes():
    assert squashed_migrations_not_half_applied(databases=["default"]) == []


def test_a_database_missing_the_last_old_payments_migration_is_refused_with_what_it_lacks():
    # as a database migrated before the squash with payments only up to 0021
    MigrationRecorder.Migration.objects.filter(
        app="payments", name__in=["0001_squashed_0022_split_line_prior_at", "0022_split_line_prior_at"]
    ).delete()

    [error] = squashed_migrations_not_half_applied(databases=["default"])

    assert error.id == "wenchuang.E001"
    assert "payments.0001_squashed_0022_split_line_prior_at" in error.msg
    assert "missing: 0022_split_line_prior_at" in error.msg
