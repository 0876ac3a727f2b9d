"""Designers and staff pools as payees: bank columns filled, Stripe when connected, refused when unpayable."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from payments.error_codes import SettlementError, SettlementErrorCode
from payments.models import SettlementBatch
from payments.settlement import selectors, services
from payments.settlement.exports import bank_file_rows
from payments.settlement.permissions import visible_parties
from tests.auth import login_verified
from tests.payments.settlement.conftest import at, pay
from tests.unit_onboarding.factories import DesignerFactory, UserFactory
from unit_onboarding.models import Designer, UnitMembership

pytestmark = pytest.mark.django_db
NOV = (date(2026, 11, 1), date(2026, 12, 1))


def _settle(maker, checker) -> dict[str, SettlementBatch]:
    batches = {
        b.party: b for b in services.settlement_run(period_start=NOV[0], period_end=NOV[1], actor=maker)
    }
    for batch in batches.values():
        services.settlement_approve(batch_id=batch.pk, actor=maker)
    return batches


def test_the_bank_file_pays_a_designer_and_a_staff_pool_to_real_accounts(parties, finance_users):
    maker, checker = finance_users
    unit = parties["bank_unit"]
    DesignerFactory(
        unit=unit, slug="li-hua", name_zh="李华", account_holder="李华本人", bank_name="招商银行重庆分行"
    )
    unit.payout_account_name, unit.payout_bank_name = "重庆市某某图书馆", "中国工商银行重庆分行"
    unit.payout_bank_account = "6222020200998877"
    unit.save()
    pay("o1", "designer:li-hua", 10_000, at(2))
    pay("o2", f"staff_pool:{unit.uid}", 5_000, at(3))

    batches = _settle(maker, checker)
    for party in ("designer:li-hua", f"staff_pool:{unit.uid}"):
        services.settlement_execute(batch_id=batches[party].pk, actor=checker)
    rows = {row[1]: row[2:5] for row in bank_file_rows(SettlementBatch.objects.order_by("pk"))}

    designer = Designer.objects.get(slug="li-hua")
    assert rows["designer:li-hua"] == ("李华本人", "招商银行重庆分行", designer.bank_account)
    # the pool is the unit's money: paid where the unit's share goes, the institution's own account
    assert rows[f"staff_pool:{unit.uid}"] == (
        "重庆市某某图书馆",
        "中国工商银行重庆分行",
        "6222020200998877",
    )
    assert all(all(cells) for cells in rows.values())


def test_a_designer_with_a_connected_account_is_paid_by_stripe_transfers(parties, finance_users, connect):
    maker, checker = finance_users
    connect.account_add("acct_designer")
    DesignerFactory(slug="zhao", settlement_method="stripe", stripe_account_id="acct_designer", bank_name="")
    pay("o1", "designer:zhao", 10_000, at(2))

    batch = _settle(maker, checker)["designer:zhao"]
    executed = services.settlement_execute(batch_id=batch.pk, actor=checker)

    assert (executed.method, executed.stripe_account_id, executed.status) == (
        "stripe",
        "acct_designer",
        "executed",
    )
    assert [(t.order_ref, t.amount) for t in executed.transfers.all()] == [("o1", 9_000)]


def test_a_designer_unknown_to_the_registry_is_held_too(parties, finance_users):
    maker, checker = finance_users
    pay("o1", "designer:ghost", 10_000, at(2))  # a legacy key nobody registered
    batch = _settle(maker, checker)["designer:ghost"]

    with pytest.raises(SettlementError) as refused:
        services.settlement_execute(batch_id=batch.pk, actor=checker)

    assert refused.value.code == SettlementErrorCode.NO_PAYEE_DETAILS
    assert SettlementBatch.objects.get(pk=batch.pk).status == "approved"


def test_a_designer_without_details_at_proposal_is_refused_at_execution_never_filed_empty(
    client, parties, finance_users
):
    maker, checker = finance_users
    DesignerFactory(slug="li-hua", bank_name="")
    pay("o1", "designer:li-hua", 10_000, at(2))
    batch = _settle(maker, checker)["designer:li-hua"]

    with pytest.raises(SettlementError) as refused, translation.override("en"):
        services.settlement_execute(batch_id=batch.pk, actor=checker)

    assert refused.value.code == SettlementErrorCode.NO_PAYEE_DETAILS
    assert "designer:li-hua had no bank account on record when batch" in str(refused.value)
    assert SettlementBatch.objects.get(pk=batch.pk).status == "approved"
    checker.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))
    login_verified(client, checker)
    body = client.get(reverse("finance:bank_file", args=["csv"])).content.decode("utf-8-sig")
    assert "designer:li-hua" not in body  # only executed batches are filed


def test_statements_and_batches_name_designers_in_the_readers_language(client, parties, finance_users):
    maker, checker = finance_users
    DesignerFactory(slug="li-hua", name_zh="李华", name_en="Li Hua")
    pay("o1", "designer:li-hua", 10_000, at(2))
    batch = _settle(maker, checker)["designer:li-hua"]

    with translation.override("zh-hans"):
        assert selectors.party_names(["designer:li-hua"])["designer:li-hua"] == "李华 · 设计者"
    with translation.override("en"):
        assert selectors.party_names(["designer:li-hua"])["designer:li-hua"] == "Li Hua · designer"
    maker.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))
    login_verified(client, maker)
    home = client.get(
        reverse("finance:home") + "?start=2026-11-01&end=2026-12-01", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    page = client.get(reverse("finance:batch", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "李华 · 设计者" in home.content.decode()
    assert "李华 · 设计者" in page.content.decode() and "…5678" in page.content.decode()


def test_a_units_finance_staff_see_their_designers_and_no_other_units(client, parties):
    mine, other = parties["bank_unit"], parties["stripe_unit"]
    DesignerFactory(unit=mine, slug="ours")
    DesignerFactory(unit=other, slug="theirs")
    pay("o1", "designer:ours", 10_000, at(2))
    pay("o2", "designer:theirs", 10_000, at(2))
    user = UserFactory()
    UnitMembership.objects.create(user=user, unit=mine, role=UnitMembership.Role.FINANCE)
    login_verified(client, user)

    assert "designer:ours" in visible_parties(user) and "designer:theirs" not in visible_parties(user)
    period = "?start=2026-11-01&end=2026-12-01"
    assert client.get(reverse("finance:statement", args=["designer:ours"]) + period).status_code == 200
    assert client.get(reverse("finance:statement", args=["designer:theirs"]) + period).status_code == 404
    assert "designer:theirs" not in client.get(reverse("finance:home") + period).content.decode()
