"""A broken constraint is identified by its name from psycopg's diagnostics, whatever the message says."""

from __future__ import annotations

import pytest
from django.db import DataError, IntegrityError, connection, transaction

from core.db import fetch_one_prepared, violated_constraint
from tests.unit_onboarding.factories import DesignerFactory

pytestmark = pytest.mark.django_db


def test_the_name_of_the_violated_constraint_is_read_from_the_driver():
    DesignerFactory(slug="wang-fang")
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        DesignerFactory(slug="wang-fang")
    assert violated_constraint(exc.value) == "unit_onboarding_designer_slug_key"


def test_an_error_without_diagnostics_names_no_constraint():
    assert violated_constraint(IntegrityError("unit_credit_code_unique")) is None


def test_a_prepared_statement_joins_the_transaction_and_raises_djangos_errors():
    with transaction.atomic():
        assert fetch_one_prepared("SELECT %s::int + 1", [41]) == (42,)
        with pytest.raises(DataError), transaction.atomic():
            fetch_one_prepared("SELECT %s::jsonb", ["not json"])
        assert fetch_one_prepared("SELECT %s::int + 1", [1]) == (2,)  # prepared once, used again


@pytest.mark.django_db(transaction=True)
def test_a_prepared_statement_runs_on_the_new_connection_after_django_reconnects():
    assert fetch_one_prepared("SELECT %s::int + 1", [41]) == (42,)
    connection.close()  # as Django does for a connection past CONN_MAX_AGE or broken

    assert fetch_one_prepared("SELECT %s::int + 1", [1]) == (2,)
