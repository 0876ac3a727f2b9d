"""The issue's check: redirecting a unit's approved payout by changing its account between approval and
execution fails on both rails (bank file and Stripe transfers), and the audit trail shows it."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from payments.error_codes import SettlementError, SettlementErrorCode
from payments.models import FinanceAuditEvent, LedgerTransaction, SettlementBatch
from payments.settlement import services
from payments.settlement.exports import bank_file_rows
from tests.auth import login_verified
from tests.payments.settlement.conftest import at, pay
from tests.payments.settlement.test_console import platform_finance
from tests.unit_onboarding.factories import operator_of
from unit_onboarding import payees

pytestmark = pytest.mark.django_db
NOV = (date(2026, 11, 1), date(2026, 12, 1))


def _approved(party: str, approver) -> SettlementBatch:
    (batch,) = [
        b
        for b in services.settlement_run(
            period_start=NOV[0], period_end=NOV[1], actor=approver, now=at(2, 12)
        )
        if b.party == party
    ]
    return services.settlement_approve(batch_id=batch.pk, actor=approver)


def _redirect(payee, data: dict, *, asker, confirmer) -> None:
    change = payees.payee_change_request(payee=payee, data=data, actor=asker)
    payees.payee_change_confirm(change_id=change.pk, actor=confirmer)


def test_a_units_approved_bank_payout_is_not_paid_to_an_account_changed_before_execution(parties, client):
    # given the unit's own account on record, a sale, and a batch approved for that account
    unit = parties["bank_unit"]
    approver, executor, confirmer = platform_finance(), platform_finance(), platform_finance()
    finance = operator_of(unit, role="finance")
    _redirect(
        payees.unit_payee(unit),
        {"account_name": "重庆市某某图书馆", "bank_name": "中国工商银行", "bank_account": "6222020200998877"},
        asker=finance,
        confirmer=confirmer,
    )
    pay("o1", unit.party_key, 10_000, at(2))
    batch = _approved(unit.party_key, approver)

    # when the unit's finance member has the account changed (and it is confirmed) before execution
    _redirect(
        payees.unit_payee(unit),
        {"account_name": "重庆市某某图书馆", "bank_name": "某某银行", "bank_account": "6666000011110000"},
        asker=finance,
        confirmer=confirmer,
    )
    with pytest.raises(SettlementError) as refused, translation.override("en"):
        services.settlement_execute(batch_id=batch.pk, actor=executor)

    # then the payout is refused as stale: nothing posted, nothing in the bank file
    assert refused.value.code == SettlementErrorCode.STALE
    assert "…8877" in str(refused.value) and "…0000" in str(refused.value)
    batch.refresh_from_db()
    assert batch.status == "approved" and not LedgerTransaction.objects.filter(kind="payout").exists()
    assert bank_file_rows(SettlementBatch.objects.filter(status="executed")) == []

    # and the audit trail shows the request, its confirmation and the refused payout, masked
    trail = list(FinanceAuditEvent.objects.order_by("id").values_list("action", "party"))
    assert trail[-3:] == [
        ("payee.change_requested", unit.party_key),
        ("payee.changed", unit.party_key),
        ("settlement.refused_stale_payee", unit.party_key),
    ]
    refusal = FinanceAuditEvent.objects.get(action="settlement.refused_stale_payee")
    assert (
        refusal.actor,
        refusal.detail["step"],
        refusal.detail["proposed_for"],
        refusal.detail["on_record"],
    ) == (
        executor,
        "execution",
        "重庆市某某图书馆 · 中国工商银行 …8877",
        "重庆市某某图书馆 · 某某银行 …0000",
    )
    assert "6666000011110000" not in str(FinanceAuditEvent.objects.values_list("detail", flat=True))
    login_verified(client, executor)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("finance:batch", args=[batch.pk])).content.decode()
    warning = page.split('id="payee-changed">')[1].split("</p>")[0]
    assert (
        warning.startswith("The payee's account changed since this batch was proposed") and "…0000" in warning
    )
    audit = client.get(reverse("finance:audit")).content.decode()
    assert "settlement.refused_stale_payee" in audit and "payee.changed" in audit

    # and once rejected and proposed again, a new approval pays the account now on record
    services.settlement_reject(batch_id=batch.pk, actor=approver)
    again = _approved(unit.party_key, approver)
    services.settlement_execute(batch_id=again.pk, actor=executor)
    (row,) = bank_file_rows(SettlementBatch.objects.filter(pk=again.pk))
    assert (row[4], row[5]) == ("6666000011110000", 9_000)


def test_an_entitys_approved_stripe_payout_is_not_transferred_to_an_account_changed_before_execution(
    parties, connect
):
    # given a batch approved for the entity's connected account
    connect.account_add("acct_evil")
    approver, executor = platform_finance(), platform_finance()
    pay("o1", parties["stripe"], 10_000, at(2))
    batch = _approved(parties["stripe"], approver)
    assert (batch.method, batch.stripe_account_id) == ("stripe", "acct_1A")

    # when the entity's Stripe account is changed (and confirmed) before execution
    _redirect(
        payees.entity_payee(parties["stripe_unit"]),
        {"settlement_method": "stripe", "stripe_account_id": "acct_evil"},
        asker=operator_of(parties["stripe_unit"], role="finance"),
        confirmer=platform_finance(),
    )
    with pytest.raises(SettlementError) as refused:
        services.settlement_execute(batch_id=batch.pk, actor=executor)

    # then no transfer is made to either account, nothing is posted, and the refusal is audited
    assert refused.value.code == SettlementErrorCode.STALE
    assert connect.requests == [] and not batch.transfers.exists()
    assert not LedgerTransaction.objects.filter(kind="payout").exists()
    refusal = FinanceAuditEvent.objects.get(action="settlement.refused_stale_payee")
    assert "acct_1A" in refusal.detail["proposed_for"] and "acct_evil" in refusal.detail["on_record"]


def test_a_batch_whose_payee_changed_after_proposal_is_not_approved(parties):
    unit = parties["bank_unit"]
    maker = platform_finance()
    pay("o1", parties["bank"], 10_000, at(2))
    (batch,) = services.settlement_run(period_start=NOV[0], period_end=NOV[1], actor=maker, now=at(2, 12))
    _redirect(
        payees.entity_payee(unit),
        {"settlement_method": "bank", "bank_name": "某某银行", "bank_account": "6666000011110000"},
        asker=operator_of(unit, role="finance"),
        confirmer=platform_finance(),
    )

    with pytest.raises(SettlementError) as refused:
        services.settlement_approve(batch_id=batch.pk, actor=maker)

    assert refused.value.code == SettlementErrorCode.STALE
    assert SettlementBatch.objects.get(pk=batch.pk).status == "proposed"
    assert FinanceAuditEvent.objects.get(action="settlement.refused_stale_payee").detail["step"] == "approval"


def test_a_requested_change_not_yet_confirmed_leaves_the_approved_payout_to_the_account_on_record(parties):
    unit = parties["bank_unit"]
    approver, executor = platform_finance(), platform_finance()
    pay("o1", parties["bank"], 10_000, at(2))
    batch = _approved(parties["bank"], approver)
    payees.payee_change_request(
        payee=payees.entity_payee(unit),
        data={"settlement_method": "bank", "bank_name": "某某银行", "bank_account": "6666000011110000"},
        actor=operator_of(unit, role="finance"),
    )

    services.settlement_execute(batch_id=batch.pk, actor=executor)

    (row,) = bank_file_rows(SettlementBatch.objects.filter(pk=batch.pk))
    assert row[4] == "6217000012345678"  # the account approved, still on record


def test_the_bank_file_prints_a_negative_amount_in_yuan_as_it_is(parties):
    # given an executed bank batch, as a correction would carry it: owed back by the party
    approver, executor = platform_finance(), platform_finance()
    pay("o1", parties["bank"], 10_000, at(2))
    batch = _approved(parties["bank"], approver)
    services.settlement_execute(batch_id=batch.pk, actor=executor)
    (executed,) = SettlementBatch.objects.filter(pk=batch.pk)
    executed.amount = -150  # not saved: the database never holds a negative payout

    (row,) = bank_file_rows([executed])

    assert (row[5], row[6]) == (-150, "-1.50")  # not "-2.50", as floor division and modulo printed it
