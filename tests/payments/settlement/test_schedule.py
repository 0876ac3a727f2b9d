"""The daily beat job proposes the batches of the period that just closed, once, and never pays them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.utils import timezone

from core import clock
from payments.error_codes import SettlementError, SettlementErrorCode
from payments.models import FinanceAuditEvent, LedgerTransaction, SettlementBatch
from payments.settlement.periods import at_midnight, period_before
from payments.settlement.tasks import settlement_run_scheduled
from tests.payments.settlement.conftest import pay
from tests.unit_onboarding.factories import UserFactory
from wenchuang.celery import app

pytestmark = pytest.mark.django_db


def _scheduler():
    user = UserFactory(username="settlement-scheduler")
    user.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))
    return user


def test_the_beat_schedule_runs_the_registered_task_daily():
    entry = django_settings.CELERY_BEAT_SCHEDULE["settlement-run"]
    app.loader.import_default_modules()
    assert entry["task"] == settlement_run_scheduled.name and entry["task"] in app.tasks
    assert entry["schedule"].hour == {1} and entry["schedule"].minute == {30}


@pytest.mark.parametrize("kind", ["weekly", "monthly"])
def test_the_job_proposes_the_closed_period_once_and_leaves_approval_to_people(
    kind, parties, settings, connect
):
    # given sales before the closed period's cutoff (its end less the return window), one inside the
    # return window at its end, and one in the running period
    settings.SETTLEMENT_PERIOD = kind
    settings.SETTLEMENT_SCHEDULE_USER = _scheduler().username
    start, end = period_before(clock.today(), kind)
    cutoff = at_midnight(end) - timedelta(days=settings.SETTLEMENT_RETURN_WINDOW_DAYS)
    pay("o1", parties["stripe"], 10_000, cutoff - timedelta(hours=2))
    pay("o2", parties["bank"], 20_000, cutoff - timedelta(hours=1))
    pay("o3", parties["bank"], 7_000, cutoff + timedelta(hours=1))  # held back
    pay("o4", parties["bank"], 5_000, timezone.now() - timedelta(minutes=1))

    # when the beat job runs (through Celery, eager in tests)
    result = settlement_run_scheduled.delay().get()

    # then each party has a proposed batch for exactly that period, paying only what is past the window
    batches = SettlementBatch.objects.order_by("party")
    assert {(b.party, b.period_start, b.period_end, b.amount, b.status) for b in batches} == {
        (parties["stripe"], start, end, 9_000, "proposed"),
        (parties["bank"], start, end, 18_000, "proposed"),
    }
    assert result.startswith(f"2 batches for {start} .. {end}, 2 awaiting approval")
    assert {b.created_by.username for b in batches} == {"settlement-scheduler"}
    # and nothing was paid: no approval, no transfer, no payout
    assert not connect.requests
    assert not LedgerTransaction.objects.filter(kind="payout").exists()

    # when it runs again (the next day, or twice by mistake)
    audit = FinanceAuditEvent.objects.count()
    settlement_run_scheduled.delay().get()

    # then nothing new is proposed or recorded
    assert list(SettlementBatch.objects.order_by("party").values_list("pk", flat=True)) == [
        b.pk for b in batches
    ]
    assert FinanceAuditEvent.objects.count() == audit


def test_the_job_is_off_without_a_user_and_refuses_a_user_without_finance_rights(parties, settings):
    settings.SETTLEMENT_SCHEDULE_USER = ""
    assert settlement_run_scheduled.delay().get().startswith("off")
    settings.SETTLEMENT_SCHEDULE_USER = UserFactory().username
    with pytest.raises(SettlementError) as refused:
        settlement_run_scheduled.delay().get()
    assert refused.value.code == SettlementErrorCode.NO_SCHEDULE_USER
    assert not SettlementBatch.objects.exists()
