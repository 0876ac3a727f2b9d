"""A platform finance member executes a batch of 40 transfers in chromium: the bar moves while a real
Celery worker (on Redis) sends them, a reload shows where it is, and the page ends on the outcome
(shots in tests/artifacts/finance)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission

from payments.models import LedgerTransaction, SettlementBatch
from payments.settlement import services
from tests.auth import browser_log_in, browser_second_factor, verified_device
from tests.payments.settlement.conftest import at, pay
from tests.saleor_app.test_worker_on_redis import redis_worker
from tests.unit_onboarding.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "finance"  # gitignored
PASSWORD = "pay-the-museums-2026"


def _platform_finance(password=None):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))
    if password:
        user.set_password(password)
        user.save()
    return user


def _sent(page) -> int:
    """The bar's value as the page shows it now (the property, which the script sets)."""
    return int(page.locator("#execution-bar").evaluate("bar => bar.value"))


def test_a_long_execution_shows_progress_and_survives_a_reload(
    browser, live_server, parties, connect, settings
):
    approver, executor = _platform_finance(), _platform_finance(PASSWORD)
    verified_device(executor)
    for n in range(40):
        pay(f"o{n:02d}", parties["stripe"], 1_000 + n, at(2 + n % 20))
    (batch,) = [
        b
        for b in services.settlement_run(
            period_start=date(2026, 11, 1), period_end=date(2026, 12, 1), actor=approver
        )
        if b.party == parties["stripe"]
    ]
    services.settlement_approve(batch_id=batch.pk, actor=approver)
    connect.transfer_delay = 0.15  # 40 transfers: about 6 s of sending

    with redis_worker(settings):
        page = browser.new_context(locale="zh-CN", viewport={"width": 1024, "height": 900}).new_page()
        browser_log_in(page, live_server.url, executor.email, PASSWORD, f"/finance/batches/{batch.pk}/")
        page.wait_for_load_state()
        browser_second_factor(page, executor)
        page.wait_for_url(f"**/finance/batches/{batch.pk}/")

        page.click("#execute button")
        page.wait_for_selector("#execution[data-state=running]")
        for _ in range(200):  # the page's own script moves the bar (the CSP forbids evaluated predicates)
            if _sent(page) > 0:
                break
            page.wait_for_timeout(100)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "execution-running.png"), full_page=False)
        before = _sent(page)
        assert 0 < before < 100

        page.reload()  # the worker carries on; the page picks up where it is
        assert page.locator("#execution").get_attribute("data-state") in ("running", "done")
        assert _sent(page) >= before
        page.wait_for_selector("#execution[data-state=done]", timeout=60_000)  # the script reloads at the end
        assert "已发送 40 / 40 笔转账" in page.locator("#execution").inner_text()
        page.screenshot(path=str(SHOTS / "execution-done.png"), full_page=False)

    batch.refresh_from_db()
    assert batch.status == "executed" and batch.executed_by == executor
    assert len(connect.transfers) == 40 and sum(t["amount"] for t in connect.transfers) == batch.amount
    assert LedgerTransaction.objects.filter(kind="payout").count() == 1
    assert SettlementBatch.objects.get(pk=batch.pk).execution_error == ""
