"""Statement exports: a big order lines export is the worker's (progress, file, retry), a small one is built
at once, both give the same file; only people who may see the party's statement reach a job and its file."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from payments.models import StatementExport
from payments.settlement import pdf, statement_exports
from payments.settlement.statement_exports import statement_file
from tests.auth import login_verified
from tests.payments.settlement.conftest import at, pay, refund
from tests.storages import temporary_storages
from tests.unit_onboarding.factories import UserFactory
from unit_onboarding.models import UnitMembership

pytestmark = pytest.mark.django_db
PERIOD = "?start=2026-11-01&end=2026-12-01"
NOV = {"start": date(2026, 11, 1), "end": date(2026, 12, 1)}
ORDERS = 23


@pytest.fixture(autouse=True)
def _storages(settings, tmp_path):
    temporary_storages(settings, tmp_path)


@pytest.fixture
def big(parties, settings, monkeypatch, time_machine):
    """23 orders of the bank party in November (one refunded): more than the inline limit of 5 postings;
    the worker reads 7 lines a query, so it walks four pages."""
    time_machine.move_to(datetime(2026, 12, 10, 4, tzinfo=UTC), tick=False)
    settings.STATEMENT_EXPORT_INLINE_LINES = 5
    monkeypatch.setattr(statement_exports, "READ_PAGE", 7)
    for n in range(ORDERS):
        pay(f"o{n:02}", parties["bank"], 1_000 + n, at(2 + n % 25, hour=n % 20))
    refund("o03", 500, at(28))
    return parties


def unit_finance(unit):
    user = UserFactory()
    UnitMembership.objects.create(user=user, unit=unit, role=UnitMembership.Role.FINANCE)
    return user


def platform_finance():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))
    return user


def _ask(client, party, fmt, capture):
    with capture(execute=True):  # the worker's job runs at commit (eager in tests)
        response = client.post(
            reverse("finance:statement_export_request", args=[party]),
            {"start": "2026-11-01", "end": "2026-12-01", "lines": "1", "fmt": fmt},
        )
    job = StatementExport.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("finance:statement_export_job", args=[party, job.uid])
    return job


def test_a_big_lines_export_is_the_workers_and_gives_the_file_the_request_would(
    client, big, django_capture_on_commit_callbacks
):
    party = big["bank"]
    member = unit_finance(big["bank_unit"])
    login_verified(client, member)

    # the statement page offers the worker's export (a form), the GET link is not built in the request
    page = client.get(reverse("finance:statement", args=[party]) + PERIOD).content.decode()
    assert 'action="{}"'.format(reverse("finance:statement_export_request", args=[party])) in page
    assert "lines=1" not in page
    direct = client.get(reverse("finance:statement_export", args=[party, "csv"]) + PERIOD + "&lines=1")
    assert direct.status_code == 302 and direct["Location"].endswith("#exports")

    job = _ask(client, party, "csv", django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert (job.state, job.total, job.read, job.written) == ("done", ORDERS, ORDERS, ORDERS)
    assert job.requested_by == member and job.language == "zh-hans" and job.percent == 100
    download = client.get(reverse("finance:statement_export_download", args=[party, job.uid]))
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"
    assert (
        f'filename="statement-{party.replace(":", "-")}-2026-11-01-lines.csv"'
        in download["Content-Disposition"]
    )
    body = b"".join(download.streaming_content)
    # the same bytes as the immediate path builds, headers in the asker's language, amounts in yuan
    with translation.override("zh-hans"):
        inline = statement_file(party=party, fmt="csv", lines=True, now=at(10, 12, 4), **NOV)
    assert body == inline.data
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["订单号", "商品", "售出时间（北京时间）"]  # noqa: RUF001 (the header's own brackets)
    assert len(rows) == 1 + ORDERS
    assert rows[1][:1] + rows[1][6:8] == ["o00", "10.00", "9.00"]  # gross, the party's 90%: yuan
    assert rows[1][3:5] == ["运营主体", "按分成协议"]  # role and rule in words, not `entity`, `agreement`
    refunded = next(r for r in rows if r[0] == "o03")
    assert refunded[10] == "-4.50"

    # the page shows the download, the progress says it is done
    shown = client.get(reverse("finance:statement_export_job", args=[party, job.uid])).content.decode()
    assert reverse("finance:statement_export_download", args=[party, job.uid]) in shown
    assert "progress.js" not in shown
    progress = client.get(reverse("finance:statement_export_progress", args=[party, job.uid])).json()
    assert progress == {
        "state": "done",
        "label": "已生成",
        "done": 2 * ORDERS,
        "total": 2 * ORDERS,
        "percent": 100,
        "error": "",
    }


def test_a_queued_export_shows_its_progress_bar_and_polls(client, big):
    party = big["bank"]
    login_verified(client, unit_finance(big["bank_unit"]))
    client.post(  # no worker ran (the commit callbacks are not executed)
        reverse("finance:statement_export_request", args=[party]),
        {"start": "2026-11-01", "end": "2026-12-01", "lines": "1", "fmt": "xlsx"},
    )
    job = StatementExport.objects.get()
    page = client.get(reverse("finance:statement_export_job", args=[party, job.uid])).content.decode()
    assert "<progress" in page and "progress.js" in page and "等待后台处理" in page
    assert (
        f'data-progress-url="{reverse("finance:statement_export_progress", args=[party, job.uid])}"' in page
    )
    progress = client.get(reverse("finance:statement_export_progress", args=[party, job.uid])).json()
    assert progress["state"] == "running" and progress["percent"] == 0
    assert client.get(reverse("finance:statement_export_download", args=[party, job.uid])).status_code == 404
    # the statement page lists it
    statement = client.get(reverse("finance:statement", args=[party]) + PERIOD).content.decode()
    assert reverse("finance:statement_export_job", args=[party, job.uid]) in statement


def test_a_stopped_export_is_kept_with_its_reason_and_runs_again(
    client, big, monkeypatch, django_capture_on_commit_callbacks
):
    party = big["bank"]
    login_verified(client, unit_finance(big["bank_unit"]))
    real = statement_exports.statement_file

    def crash(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(statement_exports, "statement_file", crash)
    job = _ask(client, party, "pdf", django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.state == "failed" and "disk full" in job.error and not job.file
    page = client.get(reverse("finance:statement_export_job", args=[party, job.uid])).content.decode()
    assert "disk full" in page and reverse("finance:statement_export_retry", args=[party, job.uid]) in page

    monkeypatch.setattr(statement_exports, "statement_file", real)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("finance:statement_export_retry", args=[party, job.uid]))
    job.refresh_from_db()
    assert job.state == "done" and job.error == "" and job.written == ORDERS
    download = client.get(reverse("finance:statement_export_download", args=[party, job.uid]))
    assert b"".join(download.streaming_content)[:5] == b"%PDF-"
    # a finished export is not run again
    again = client.post(reverse("finance:statement_export_retry", args=[party, job.uid]), follow=True)
    assert "此导出并未中断" in again.content.decode()


def test_another_units_finance_gets_404_on_the_job_its_progress_file_and_retry(
    client, big, django_capture_on_commit_callbacks
):
    party = big["bank"]
    login_verified(client, unit_finance(big["bank_unit"]))
    job = _ask(client, party, "csv", django_capture_on_commit_callbacks)
    routes = (
        "finance:statement_export_job",
        "finance:statement_export_progress",
        "finance:statement_export_download",
    )

    login_verified(client, unit_finance(big["stripe_unit"]))  # another unit's finance member
    for name in routes:
        assert client.get(reverse(name, args=[party, job.uid])).status_code == 404, name
        # nor through one of their own parties in the URL
        assert client.get(reverse(name, args=[big["stripe"], job.uid])).status_code == 404, name
    assert client.post(reverse("finance:statement_export_retry", args=[party, job.uid])).status_code == 404
    asked = client.post(
        reverse("finance:statement_export_request", args=[party]),
        {"start": "2026-11-01", "end": "2026-12-01", "lines": "1", "fmt": "csv"},
    )
    assert asked.status_code == 404 and StatementExport.objects.count() == 1

    login_verified(client, UserFactory())  # no finance role at all
    assert client.get(reverse("finance:statement_export_job", args=[party, job.uid])).status_code == 404

    login_verified(client, platform_finance())  # platform finance sees every party
    for name in routes:
        assert client.get(reverse(name, args=[party, job.uid])).status_code == 200, name


def test_a_member_who_left_the_unit_can_no_longer_download(client, big, django_capture_on_commit_callbacks):
    party, member = big["bank"], unit_finance(big["bank_unit"])
    login_verified(client, member)
    job = _ask(client, party, "csv", django_capture_on_commit_callbacks)
    UnitMembership.objects.filter(user=member).delete()
    assert client.get(reverse("finance:statement_export_download", args=[party, job.uid])).status_code == 404


def test_a_small_lines_export_is_still_built_at_once(client, parties, settings, time_machine):
    time_machine.move_to(datetime(2026, 12, 10, 4, tzinfo=UTC), tick=False)
    settings.STATEMENT_EXPORT_INLINE_LINES = 5
    pay("s1", parties["bank"], 2_000, at(3))
    login_verified(client, unit_finance(parties["bank_unit"]))
    page = client.get(reverse("finance:statement", args=[parties["bank"]]) + PERIOD).content.decode()
    assert "lines=1" in page and "statement_export_request" not in page
    got = client.get(reverse("finance:statement_export", args=[parties["bank"], "csv"]) + PERIOD + "&lines=1")
    assert got.status_code == 200
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][0] == "s1" and rows[1][7] == "18.00"
    assert not StatementExport.objects.exists()


def test_the_statements_own_row_as_a_worker_export_matches_the_immediate_one(
    client, big, django_capture_on_commit_callbacks
):
    party = big["bank"]
    login_verified(client, unit_finance(big["bank_unit"]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("finance:statement_export_request", args=[party]),
            {"start": "2026-11-01", "end": "2026-12-01", "lines": "0", "fmt": "csv"},
        )
    job = StatementExport.objects.get()
    assert job.state == "done" and not job.lines and job.total == 1
    immediate = client.get(reverse("finance:statement_export", args=[party, "csv"]) + PERIOD).content
    with job.file.open("rb") as stored:
        assert stored.read() == immediate


def test_the_pdf_reports_every_row_it_draws():
    drawn = []
    rows = [(f"#{n}", "产品", "x" * 40) for n in range(300)]
    data = pdf.table_pdf(title="t", subtitle="s", header=["a", "b", "c"], rows=rows, written=drawn.append)
    assert data[:5] == b"%PDF-" and sum(drawn) == 300 and len(drawn) > 1  # one call a page


def test_a_request_for_a_bad_period_or_format_is_refused(client, big):
    party = big["bank"]
    login_verified(client, unit_finance(big["bank_unit"]))
    url = reverse("finance:statement_export_request", args=[party])
    for data in (
        {"start": "2026-12-01", "end": "2026-11-01", "fmt": "csv"},
        {"start": "2026-11-01", "end": "2026-12-01", "fmt": "exe"},
        {"start": "yesterday", "end": "2026-12-01", "fmt": "csv"},
    ):
        assert client.post(url, data).status_code == 302
    assert not StatementExport.objects.exists()
