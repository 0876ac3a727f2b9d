"""Finance console: pages, exports and charts render; a unit's finance staff reach only their parties."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import URLPattern, reverse

from payments.funding.models import DiscountFundingVersion
from payments.funding.services import funding_propose
from payments.models import AccountingPeriod, SettlementBatch
from payments.settlement import services
from payments.settlement import urls as finance_urls
from payments.settlement.selectors import party_names
from payments.settlement.statement_exports import statement_export_request
from tests.auth import login_verified
from tests.payments.settlement.conftest import at, pay, refund
from tests.unit_onboarding.factories import UserFactory
from unit_onboarding import payees
from unit_onboarding.agreements import ShareTerm, agreement_version_propose
from unit_onboarding.models import AgreementVersion, PayeeChange, UnitMembership

pytestmark = pytest.mark.django_db
PERIOD = "?start=2026-11-01&end=2026-12-01"


def platform_finance():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))
    return user


def unit_finance(unit):
    user = UserFactory()
    UnitMembership.objects.create(user=user, unit=unit, role=UnitMembership.Role.FINANCE)
    return user


@pytest.fixture
def ledger(parties):
    mine, other = parties["stripe_unit"], parties["bank_unit"]
    pay("o1", parties["stripe"], 10_000, at(3), fee=300)
    pay("o2", parties["bank"], 20_000, at(4))
    refund("o2", 5_000, at(6))
    pay("o3", f"staff_pool:{mine.uid}", 1_000, at(7))
    return {"mine": mine, "other": other, **parties}


def test_platform_finance_sees_statements_exports_charts_and_stats(client, ledger):
    login_verified(client, platform_finance())
    page = client.get(reverse("finance:home") + PERIOD)
    assert page.status_code == 200
    assert ledger["stripe"] in page.content.decode() and ledger["bank"] in page.content.decode()
    assert f"{ledger['mine']} · 员工激励池" in page.content.decode()  # parties by name (zh default)

    statement = client.get(reverse("finance:statement", args=[ledger["bank"]]) + PERIOD)
    text = statement.content.decode()
    assert statement.status_code == 200 and "180.00" in text and "o2" in text  # 90% of 200.00
    assert "−0.00" not in text  # noqa: RUF001 (the minus sign the page prints): never a minus zero

    csv = client.get(reverse("finance:statement_export", args=[ledger["bank"], "csv"]) + PERIOD)
    header, row = csv.content.decode("utf-8-sig").splitlines()[:2]
    # yuan, as the page shows them, under headers in the reader's language
    name = party_names([ledger["bank"]])[ledger["bank"]]
    assert row == f"{name},{ledger['bank']},0.00,180.00,0.00,0.00,-45.00,0.00,0.00,135.00"
    assert header == "分成方,账户,期初,销售,众筹释放,手续费,退款,设计征集奖金,付款,期末"
    xlsx = client.get(
        reverse("finance:statement_export", args=[ledger["bank"], "xlsx"]) + PERIOD + "&lines=1"
    )
    assert xlsx.content[:2] == b"PK"
    pdf = client.get(reverse("finance:statement_export", args=[ledger["bank"], "pdf"]) + PERIOD)
    assert pdf.content[:5] == b"%PDF-"

    svg = client.get(reverse("finance:chart_shares") + PERIOD)
    assert (
        svg["Content-Type"] == "image/svg+xml"
        and b"<svg" in svg.content
        and "某某图书馆".encode() in svg.content
    )
    assert b"<rect" in client.get(reverse("finance:chart_revenue") + PERIOD).content

    stats = client.get(reverse("finance:stats") + PERIOD)
    assert stats.status_code == 200 and "2026-11" in stats.content.decode()
    assert client.get(reverse("finance:stats_export", args=["xlsx"]) + PERIOD).content[:2] == b"PK"


def test_the_console_runs_batches_with_four_eyes_and_reconciles(
    client, ledger, finance_users, connect, django_capture_on_commit_callbacks
):
    approver, executor = platform_finance(), platform_finance()
    login_verified(client, approver)
    client.post(reverse("finance:batches_run"), {"start": "2026-11-01", "end": "2026-12-01"})
    batch = SettlementBatch.objects.get(party=ledger["bank"])
    client.post(reverse("finance:batch_approve", args=[batch.pk]))
    refused = client.post(reverse("finance:batch_execute", args=[batch.pk]), follow=True)
    assert "执行者须与批准者不是同一人" in refused.content.decode()
    assert SettlementBatch.objects.get(pk=batch.pk).execution_requested_at is None
    login_verified(client, executor)
    with django_capture_on_commit_callbacks(execute=True):  # the worker's job (eager in tests)
        client.post(reverse("finance:batch_execute", args=[batch.pk]))
    assert SettlementBatch.objects.get(pk=batch.pk).status == "executed"
    bank_file = client.get(reverse("finance:bank_file", args=["csv"]))
    assert "某某图书馆" in bank_file.content.decode("utf-8-sig")
    assert client.get(reverse("finance:batch", args=[batch.pk])).status_code == 200

    client.post(reverse("finance:period_open"), {"start": "2026-11-01", "end": "2026-12-01"})
    period = AccountingPeriod.objects.get()
    page = client.get(reverse("finance:period", args=[period.pk])).content.decode()
    assert "charge:o1" in page  # the ledger has it, Stripe's history was not imported
    assert client.get(reverse("finance:audit")).status_code == 200


def _every_route(ledger, batch_pk, period_pk, change_pk, version_pk, funding_pk, export_uid) -> list[str]:
    """The url of every console route, with the other unit's objects as arguments."""
    export = [ledger["bank"], export_uid]
    args = {
        "statement_export_request": [ledger["bank"]],
        "statement_export_job": export,
        "statement_export_progress": export,
        "statement_export_download": export,
        "statement_export_retry": export,
        "discount_funding_approve": [funding_pk],
        "discount_funding_reject": [funding_pk],
        "agreement_approve": [version_pk],
        "agreement_reject": [version_pk],
        "payee_change_confirm": [change_pk],
        "payee_change_reject": [change_pk],
        "statement": [ledger["bank"]],
        "statement_export": [ledger["bank"], "csv"],
        "batch": [batch_pk],
        "batch_approve": [batch_pk],
        "batch_execute": [batch_pk],
        "batch_progress": [batch_pk],
        "batch_paid": [batch_pk],
        "batch_reject": [batch_pk],
        "bank_file": ["csv"],
        "period": [period_pk],
        "period_explain": [period_pk],
        "period_close": [period_pk],
        "stats_export": ["csv"],
    }
    routes = []
    for pattern in finance_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        routes.append(reverse(f"finance:{pattern.name}", args=args.get(pattern.name, [])))
    assert len(routes) == 36
    return routes


def test_a_units_finance_staff_see_only_their_units_parties_on_every_route(client, ledger, finance_users):
    # given a finance user of the Stripe unit, and the other unit's batch and a period
    user = unit_finance(ledger["mine"])
    batch = services.settlement_run(
        period_start=date(2026, 11, 1), period_end=date(2026, 12, 1), actor=finance_users[0]
    )[0]
    period = AccountingPeriod.objects.create(start=at(1, 11, 0), end=at(1, 12, 0))
    change = payees.payee_change_request(
        payee=payees.unit_payee(ledger["other"]),
        data={"account_name": "某某图书馆", "bank_name": "中国银行", "bank_account": "6217000000001111"},
        actor=unit_finance(ledger["other"]),
    )
    version = agreement_version_propose(
        unit=ledger["other"],
        effective_from=at(1, 1, year=2030),
        shares=[ShareTerm(ledger["other"].party_key, "unit", 9000), ShareTerm("platform", "platform", 1000)],
        actor=unit_finance(ledger["other"]),
    )
    funding = funding_propose(key="FESTIVAL", funder="platform", actor=platform_finance())
    other_finance = unit_finance(ledger["other"])
    export = statement_export_request(
        party=ledger["bank"],
        start=date(2026, 11, 1),
        end=date(2026, 12, 1),
        fmt="csv",
        lines=True,
        actor=other_finance,
    )
    login_verified(client, user)

    # then their own statement and exports work and show only their parties
    home = client.get(reverse("finance:home") + PERIOD).content.decode()
    assert ledger["stripe"] in home and ledger["bank"] not in home
    assert client.get(reverse("finance:statement", args=[ledger["stripe"]]) + PERIOD).status_code == 200
    shares = client.get(reverse("finance:chart_shares") + PERIOD).content
    assert "某某图书馆".encode() not in shares and b"platform" not in shares
    assert "重庆文创有限公司".encode() in shares

    # and every other route, as GET and as POST, is not found for them
    for url in _every_route(ledger, batch.pk, period.pk, change.pk, version.pk, funding.pk, export.uid):
        if url.startswith(reverse("finance:home") + "charts/") or url == reverse("finance:home"):
            continue  # scoped above
        assert client.get(url + PERIOD).status_code == 404, url
        # a POST to a read-only page is refused by method before anything is looked up
        posted = client.post(url, {"start": "2026-11-01", "end": "2026-12-01", "item": "x", "note": "x"})
        assert posted.status_code in (404, 405), url
    assert SettlementBatch.objects.get(pk=batch.pk).status == batch.status
    assert PayeeChange.objects.get(pk=change.pk).status == "pending"
    assert AgreementVersion.objects.get(pk=version.pk).status == "proposed"
    assert DiscountFundingVersion.objects.get(pk=funding.pk).status == "proposed"


def test_anonymous_users_are_sent_to_log_in(client, ledger):
    assert client.get(reverse("finance:home")).status_code == 302


def test_the_console_speaks_chinese_and_english(client, ledger):
    login_verified(client, platform_finance())
    client.cookies["django_language"] = "zh-hans"
    home = client.get(reverse("finance:home") + PERIOD).content.decode()
    assert "期初余额" in home and "员工激励池" in home and ">平台<" in home
    client.cookies["django_language"] = "en"
    assert "Opening balance" in client.get(reverse("finance:home") + PERIOD).content.decode()


def test_the_portal_links_the_console_for_finance_users_only(client, ledger):
    portal = reverse("unit_onboarding:home")
    for user, shown in (
        (platform_finance(), True),
        (unit_finance(ledger["mine"]), True),
        (UserFactory(), False),
    ):
        login_verified(client, user)
        page = client.get(portal, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert (f'href="{reverse("finance:home")}">财务<' in page) is shown


def test_the_platform_finance_group_settles():
    from django.contrib.auth.models import Group

    from core.finance import PLATFORM_FINANCE_GROUP

    user = UserFactory()
    user.groups.add(Group.objects.get(name=PLATFORM_FINANCE_GROUP))
    client_user = type(user).objects.get(pk=user.pk)
    assert client_user.has_perm("payments.change_settlementbatch")
