"""A unit's finance member exports a big statement (1,500 order lines, PDF) in chromium: a real Celery worker
(on Redis) prepares it while the page's bar moves, a reload midway shows where it is, and the page ends on a
download of the whole file (shots in tests/artifacts/finance)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from payments.models import StatementExport
from tests.auth import browser_log_in, browser_second_factor, verified_device
from tests.payments.settlement.conftest import at, pay
from tests.saleor_app.test_worker_on_redis import redis_worker
from tests.storages import temporary_storages
from tests.unit_onboarding.factories import UserFactory
from unit_onboarding.models import UnitMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "finance"  # gitignored
PASSWORD = "statements-for-the-museum-2026"
LINES = 1_500


def _bar(page) -> int:
    """The bar's value as the page shows it now (the property, which the script sets)."""
    return int(page.locator("#export-bar").evaluate("bar => bar.value"))


def test_a_big_export_shows_progress_survives_a_reload_and_downloads(
    browser, live_server, parties, settings, tmp_path
):
    temporary_storages(settings, tmp_path)
    party = parties["bank"]
    member = UserFactory()
    member.set_password(PASSWORD)
    member.save()
    UnitMembership.objects.create(user=member, unit=parties["bank_unit"], role=UnitMembership.Role.FINANCE)
    verified_device(member)
    for n in range(LINES):
        pay(f"o{n:04d}", party, 1_000 + n, at(2 + n % 25, hour=n % 20))
    statement = f"/finance/statements/{party}/?start=2026-11-01&end=2026-12-01"
    SHOTS.mkdir(parents=True, exist_ok=True)

    with redis_worker(settings):
        context = browser.new_context(
            locale="zh-CN", viewport={"width": 1024, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        browser_log_in(page, live_server.url, member.email, PASSWORD, quote(statement))
        page.wait_for_load_state()
        browser_second_factor(page, member)
        page.wait_for_url("**/finance/statements/**")
        page.locator("#exports").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "statement-export-offer.png"), full_page=False)

        page.click("form.export-request button[value=pdf]")
        page.wait_for_url("**/exports/*/")
        job = StatementExport.objects.get()
        assert (job.party, job.fmt, job.lines, job.requested_by_id) == (party, "pdf", True, member.pk)
        for _ in range(600):  # the page's own script moves the bar (the CSP forbids evaluated predicates)
            if page.locator("#export-ready").count() or _bar(page) > 0:
                break
            page.wait_for_timeout(100)
        assert page.locator("#export-ready").count() == 0, "the export finished before it could be seen"
        page.screenshot(path=str(SHOTS / "statement-export-running.png"), full_page=False)
        before = _bar(page)
        assert 0 < before < 100

        page.reload()  # the worker carries on; the page picks up where it is
        if page.locator("#export-ready").count() == 0:
            assert _bar(page) >= before
            page.screenshot(path=str(SHOTS / "statement-export-reloaded.png"), full_page=False)
        page.wait_for_selector("#export-ready", timeout=300_000)  # the script reloads once it is over
        page.screenshot(path=str(SHOTS / "statement-export-ready.png"), full_page=False)
        assert f"已导出 {LINES} 条明细" in page.locator("#export-ready").inner_text()

        with page.expect_download() as download_info:
            page.click("#export-download")
        download = download_info.value
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        context.close()

    job.refresh_from_db()
    assert job.state == "done" and (job.total, job.read, job.written) == (LINES, LINES, LINES)
    assert download.suggested_filename == f"statement-{party.replace(':', '-')}-2026-11-01-lines.pdf"
    data = saved.read_bytes()
    assert data[:5] == b"%PDF-" and len(data) == job.size > 100_000
