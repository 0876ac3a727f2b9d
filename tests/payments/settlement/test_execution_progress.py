"""A batch executes in the worker: the page follows its transfers; a stop is shown and resumed safely."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.urls import reverse

from payments.error_codes import SettlementError, SettlementErrorCode
from payments.models import FinanceAuditEvent, LedgerTransaction, SettlementBatch
from payments.settlement import selectors, services
from tests.auth import login_verified
from tests.payments.settlement.conftest import at, pay
from tests.unit_onboarding.factories import UserFactory
from unit_onboarding.models import OperatingEntity

pytestmark = pytest.mark.django_db


def _platform_finance():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))
    return user


@pytest.fixture
def approved(parties, connect):
    """An approved Stripe batch of three orders, and two platform finance members (approver, executor)."""
    approver, executor = _platform_finance(), _platform_finance()
    for n, day in ((1, 2), (2, 3), (3, 4)):
        pay(f"o{n}", parties["stripe"], 10_000, at(day))
    (batch,) = [
        b
        for b in services.settlement_run(
            period_start=date(2026, 11, 1), period_end=date(2026, 12, 1), actor=approver
        )
        if b.party == parties["stripe"]
    ]
    services.settlement_approve(batch_id=batch.pk, actor=approver)
    return batch, approver, executor


def _progress(client, batch):
    return client.get(reverse("finance:batch_progress", args=[batch.pk])).json()


def test_the_page_follows_the_worker_and_a_reload_shows_where_it_is(
    client, approved, connect, django_capture_on_commit_callbacks
):
    batch, _approver, executor = approved
    login_verified(client, executor)

    # when execution is asked for, the request returns before any transfer is sent (the job waits for commit)
    with django_capture_on_commit_callbacks(execute=False) as jobs:
        client.post(reverse("finance:batch_execute", args=[batch.pk]))
    assert len(jobs) == 1 and connect.transfers == []
    assert _progress(client, batch) == {"state": "running", "done": 0, "total": 0, "percent": 0, "error": ""}
    page = client.get(reverse("finance:batch", args=[batch.pk])).content.decode()
    assert 'data-state="running"' in page and "unit_onboarding/progress.js" in page

    # and when the worker runs it, every reload shows the transfers sent, then the outcome
    jobs[0]()
    assert _progress(client, batch) == {"state": "done", "done": 3, "total": 3, "percent": 100, "error": ""}
    page = client.get(reverse("finance:batch", args=[batch.pk])).content.decode()
    assert "已发送 3 / 3 笔转账" in page and "unit_onboarding/progress.js" not in page
    assert SettlementBatch.objects.get(pk=batch.pk).executed_by == executor
    assert list(
        FinanceAuditEvent.objects.filter(subject=batch.ref).order_by("id").values_list("action", flat=True)
    )[-2:] == ["settlement.execution_requested", "settlement.executed"]


def test_a_stop_at_stripe_is_shown_with_its_reason_and_resumed_without_paying_twice(
    client, approved, connect, django_capture_on_commit_callbacks
):
    batch, _approver, executor = approved
    login_verified(client, executor)
    connect.decline = {2: "Insufficient funds in the platform's balance"}

    # when the worker stops at the second transfer
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("finance:batch_execute", args=[batch.pk]))

    # then the page says so, with Stripe's reason, and where it stopped
    progress = _progress(client, batch)
    assert (progress["state"], progress["done"], progress["total"]) == ("stopped", 1, 3)
    assert "Insufficient funds" in progress["error"]
    page = client.get(reverse("finance:batch", args=[batch.pk])).content.decode()
    assert 'id="execution-error"' in page and "再次执行" in page
    assert not LedgerTransaction.objects.filter(kind="payout").exists()

    # when asked again, it resumes: the first order is not transferred twice, the payout posts once
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("finance:batch_execute", args=[batch.pk]))
    assert _progress(client, batch)["state"] == "done"
    assert sorted(t["transfer_group"] for t in connect.transfers) == ["o1", "o2", "o3"]
    assert [form["transfer_group"] for _p, form, _k in connect.requests] == ["o1", "o2", "o2", "o3"]
    assert LedgerTransaction.objects.filter(kind="payout").count() == 1
    assert SettlementBatch.objects.get(pk=batch.pk).execution_error == ""


def test_the_approver_cannot_ask_for_execution_in_the_service_or_the_database(approved):
    batch, approver, _executor = approved
    with pytest.raises(SettlementError) as refused:
        services.settlement_execute_request(batch_id=batch.pk, actor=approver)
    assert refused.value.code == SettlementErrorCode.FOUR_EYES
    assert selectors.execution_progress(SettlementBatch.objects.get(pk=batch.pk)).state == "idle"
    with pytest.raises(IntegrityError), transaction.atomic():
        SettlementBatch.objects.filter(pk=batch.pk).update(execution_requested_by=approver)


def test_progress_is_for_platform_finance_only(client, approved):
    batch, _approver, _executor = approved
    login_verified(client, UserFactory())
    assert client.get(reverse("finance:batch_progress", args=[batch.pk])).status_code in (403, 404)


def test_a_batch_whose_payee_changed_is_refused_at_the_request_and_the_refusal_is_kept(approved):
    batch, _approver, executor = approved
    OperatingEntity.objects.filter(stripe_account_id="acct_1A").update(stripe_account_id="acct_museum")

    with pytest.raises(SettlementError) as refused:
        services.settlement_execute_request(batch_id=batch.pk, actor=executor)

    assert refused.value.code == SettlementErrorCode.STALE
    refusal = FinanceAuditEvent.objects.get(action="settlement.refused_stale_payee")
    assert (refusal.subject, refusal.detail["step"]) == (batch.ref, "execution")
    assert SettlementBatch.objects.get(pk=batch.pk).execution_requested_at is None
