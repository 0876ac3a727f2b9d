"""Management commands: the last complete period is settled; a CSV export of Stripe is imported once."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from payments.models import SettlementBatch, StripeBalanceTransaction
from payments.settlement.periods import period_before, period_containing
from tests.payments.settlement.conftest import at, pay

pytestmark = pytest.mark.django_db


def test_periods_are_weeks_from_monday_or_calendar_months():
    assert period_containing(date(2026, 11, 27), "weekly") == (date(2026, 11, 23), date(2026, 11, 30))
    assert period_before(date(2026, 11, 27), "weekly") == (date(2026, 11, 16), date(2026, 11, 23))
    assert period_before(date(2026, 1, 5), "monthly") == (date(2025, 12, 1), date(2026, 1, 1))


def test_settlement_run_command_settles_the_last_weekly_period(parties, finance_users, settings):
    settings.SETTLEMENT_PERIOD = "weekly"
    pay("o1", parties["bank"], 10_000, at(10))
    out = StringIO()
    call_command("settlement_run", user=finance_users[0].username, today=date(2026, 11, 27), stdout=out)
    batch = SettlementBatch.objects.get()
    assert (batch.period_start, batch.period_end, batch.amount) == (
        date(2026, 11, 16),
        date(2026, 11, 23),
        9_000,
    )
    assert "1 batches" in out.getvalue()


def test_stripe_balance_import_reads_a_csv_export(tmp_path):
    export = tmp_path / "balance.csv"
    export.write_text(
        "id,type,source,amount,fee,net,currency,created,order_ref\n"
        "txn_1,charge,ch_1,10000,300,9700,cny,1794139200,o1\n"
        "txn_2,refund,re_1,-2000,0,-2000,cny,2026-11-20T10:00:00+00:00,o1\n",
        encoding="utf-8",
    )
    call_command("stripe_balance_import", file=str(export), stdout=StringIO())
    call_command("stripe_balance_import", file=str(export), stdout=StringIO())
    assert sorted(StripeBalanceTransaction.objects.values_list("stripe_id", "type", "fee", "currency")) == [
        ("txn_1", "charge", 300, "CNY"),
        ("txn_2", "refund", 0, "CNY"),
    ]
