"""The unit's own share and staff pool are paid to the unit's own account, never to its operating entity."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.urls import reverse

from payments.error_codes import SettlementError, SettlementErrorCode
from payments.models import FinanceAuditEvent, SettlementBatch
from payments.settlement import services
from payments.settlement.exports import bank_file_rows
from tests.auth import login_verified
from tests.payments.settlement.conftest import at, pay

pytestmark = pytest.mark.django_db
NOV = (date(2026, 11, 1), date(2026, 12, 1))


def _settle(maker) -> dict[str, SettlementBatch]:
    batches = {
        b.party: b for b in services.settlement_run(period_start=NOV[0], period_end=NOV[1], actor=maker)
    }
    for batch in batches.values():
        services.settlement_approve(batch_id=batch.pk, actor=maker)
    return batches


def _give_details(unit, name="某某图书馆", bank="中国工商银行重庆分行", account="6222020200998877"):
    unit.payout_account_name, unit.payout_bank_name, unit.payout_bank_account = name, bank, account
    unit.save()


def test_the_units_share_is_in_its_own_row_and_never_in_the_entitys(parties, finance_users):
    maker, checker = finance_users
    unit = parties["bank_unit"]
    _give_details(unit)
    pay("o1", unit.party_key, 10_000, at(2))  # 9,000 to the unit
    pay("o2", parties["bank"], 4_000, at(3))  # 3,600 to the entity

    batches = _settle(maker)
    for batch in batches.values():
        services.settlement_execute(batch_id=batch.pk, actor=checker)
    rows = {row[1]: row for row in bank_file_rows(SettlementBatch.objects.order_by("pk"))}

    assert rows[unit.party_key][2:6] == ("某某图书馆", "中国工商银行重庆分行", "6222020200998877", 9_000)
    assert rows[parties["bank"]][2:6] == ("某某图书馆", "中国银行", "6217000012345678", 3_600)
    entity_account_rows = [r for r in rows.values() if r[4] == "6217000012345678"]
    assert [r[1] for r in entity_account_rows] == [parties["bank"]]


def test_a_unit_without_payout_details_is_held_and_its_entity_is_still_paid(parties, finance_users):
    maker, checker = finance_users
    unit = parties["bank_unit"]
    pay("o1", unit.party_key, 10_000, at(2))
    pay("o2", f"staff_pool:{unit.uid}", 5_000, at(2))
    pay("o3", parties["bank"], 4_000, at(3))
    batches = _settle(maker)

    for party in (unit.party_key, f"staff_pool:{unit.uid}"):
        with pytest.raises(SettlementError) as refused:
            services.settlement_execute(batch_id=batches[party].pk, actor=checker)
        assert refused.value.code == SettlementErrorCode.NO_PAYEE_DETAILS
        assert SettlementBatch.objects.get(pk=batches[party].pk).status == "approved"
    services.settlement_execute(batch_id=batches[parties["bank"]].pk, actor=checker)
    rows = bank_file_rows(SettlementBatch.objects.filter(status="executed"))
    assert [(r[1], r[4], r[5]) for r in rows] == [(parties["bank"], "6217000012345678", 3_600)]

    # once the unit's details are on record, that batch (approved for no account) is stale: rejected and
    # proposed again, the new batch is paid to the unit's account
    _give_details(unit)
    with pytest.raises(SettlementError) as refused:
        services.settlement_execute(batch_id=batches[unit.party_key].pk, actor=checker)
    assert refused.value.code == SettlementErrorCode.STALE
    services.settlement_reject(batch_id=batches[unit.party_key].pk, actor=maker)
    (again,) = [
        b
        for b in services.settlement_run(period_start=NOV[0], period_end=NOV[1], actor=maker)
        if b.party == unit.party_key
    ]
    services.settlement_approve(batch_id=again.pk, actor=maker)
    services.settlement_execute(batch_id=again.pk, actor=checker)
    row = bank_file_rows([SettlementBatch.objects.get(pk=again.pk)])[0]
    assert (row[2], row[4], row[5]) == ("某某图书馆", "6222020200998877", 9_000)


def test_a_unit_whose_entity_is_paid_by_stripe_is_paid_by_bank_to_itself(parties, finance_users, connect):
    maker, checker = finance_users
    unit = parties["stripe_unit"]
    _give_details(unit, name="重庆某博物馆", bank="中国建设银行", account="6227000011112222")
    pay("o1", unit.party_key, 10_000, at(2))
    pay("o2", parties["stripe"], 10_000, at(2))

    batches = _settle(maker)
    for batch in batches.values():
        services.settlement_execute(batch_id=batch.pk, actor=checker)

    assert (batches[unit.party_key].method, batches[unit.party_key].stripe_account_id) == ("bank", "")
    assert batches[parties["stripe"]].method == "stripe"
    assert {(t["destination"], t["amount"]) for t in connect.transfers} == {("acct_1A", 9_000)}
    row = bank_file_rows([SettlementBatch.objects.get(pk=batches[unit.party_key].pk)])[0]
    assert (row[2], row[4]) == ("重庆某博物馆", "6227000011112222")


def test_the_database_refuses_to_change_what_a_batch_pays_or_to_whom(parties, finance_users):
    """A batch proposed to the unit's own account cannot be pointed at its entity's Stripe account."""
    maker, _checker = finance_users
    unit = parties["stripe_unit"]
    _give_details(unit)
    pay("o1", unit.party_key, 10_000, at(2))
    batch = _settle(maker)[unit.party_key]

    for change in (
        {"method": "stripe", "stripe_account_id": "acct_1A"},
        {"payee_name": "someone else"},
        {"amount": 1},
    ):
        with pytest.raises(IntegrityError, match="cannot change what it pays"), transaction.atomic():
            SettlementBatch.objects.filter(pk=batch.pk).update(**change)
    with pytest.raises(IntegrityError, match="never deleted"), transaction.atomic():
        batch.items.all().delete()


def test_the_bank_file_pays_the_account_frozen_at_proposal_not_the_one_on_record(
    client, parties, finance_users
):
    maker, checker = finance_users
    unit = parties["bank_unit"]
    _give_details(unit)
    pay("o1", unit.party_key, 10_000, at(2))
    services.settlement_execute(batch_id=_settle(maker)[unit.party_key].pk, actor=checker)
    # the account on record changes (or is removed) after the batch was executed
    type(unit).objects.filter(pk=unit.pk).update(payout_bank_name="", payout_bank_account_encrypted="")
    checker.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))
    login_verified(client, checker)

    body = client.get(reverse("finance:bank_file", args=["csv"])).content.decode("utf-8-sig")

    assert "6222020200998877" in body and "中国工商银行重庆分行" in body
    assert FinanceAuditEvent.objects.filter(action="bank_file.downloaded").exists()


def test_the_batch_page_names_the_unit_as_payee_not_its_entity(client, parties, finance_users):
    maker, _checker = finance_users
    unit = parties["bank_unit"]
    _give_details(unit, name="重庆市某某图书馆")
    pay("o1", unit.party_key, 10_000, at(2))
    batch = _settle(maker)[unit.party_key]
    maker.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))
    login_verified(client, maker)

    payee = client.get(reverse("finance:batch", args=[batch.pk])).content.decode().split('id="payee">')[1]

    assert payee.startswith("重庆市某某图书馆 · 中国工商银行重庆分行 …8877")
    assert "5678" not in payee.split("</td>")[0]  # the entity's account ends in 5678
