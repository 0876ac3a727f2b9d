"""Payee changes: only platform finance confirms, never the requester (service and database), never a
request whose base changed since it was made, and a decided request is a record that never changes."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from payments.models import FinanceAuditEvent
from tests.payments.settlement.test_console import platform_finance
from unit_onboarding import payees
from unit_onboarding.error_codes import OnboardingError
from unit_onboarding.error_codes import OnboardingErrorCode as Code
from unit_onboarding.models import Designer, PayeeChange, Unit

from .factories import DesignerFactory, OperatingEntityFactory, operator_of, reviewer

pytestmark = pytest.mark.django_db
ACCOUNT = {"account_name": "重庆某某博物馆", "bank_name": "中国建设银行", "bank_account": "6227000011112222"}


@pytest.fixture
def unit():
    return OperatingEntityFactory(unit__status=Unit.Status.ACTIVE).unit


def _request(unit, actor, data=ACCOUNT) -> PayeeChange:
    return payees.payee_change_request(payee=payees.unit_payee(unit), data=data, actor=actor)


@pytest.mark.parametrize("who", ["requester", "unit_finance", "operator", "reviewer"])
def test_only_platform_finance_other_than_the_requester_confirms(unit, who):
    # given a change asked for by a platform finance member
    requester = platform_finance()
    change = _request(unit, requester)
    actor = {
        "requester": requester,
        "unit_finance": operator_of(unit, role="finance"),
        "operator": operator_of(unit),
        "reviewer": reviewer(),
    }[who]

    # when anyone but another platform finance member confirms it
    with pytest.raises(OnboardingError) as refused:
        payees.payee_change_confirm(change_id=change.pk, actor=actor)

    # then it is refused and nothing changes
    assert refused.value.code == (
        Code.PAYEE_FOUR_EYES if who == "requester" else Code.PAYEE_CONFIRM_NOT_ALLOWED
    )
    unit.refresh_from_db()
    assert not unit.payout_ready
    assert PayeeChange.objects.get().status == "pending"


def test_the_database_refuses_a_confirmation_by_the_requester_whatever_the_code(unit):
    requester = platform_finance()
    change = _request(unit, requester)

    with pytest.raises(IntegrityError, match="payee_change_four_eyes"), transaction.atomic():
        PayeeChange.objects.filter(pk=change.pk).update(
            status="confirmed", decided_by=requester, decided_at=change.requested_at
        )

    assert PayeeChange.objects.get().status == "pending"


def test_a_request_whose_base_changed_since_it_was_made_is_refused_as_stale(unit):
    # given a request for the unit's account, then the details on record changed by another way
    change = _request(unit, operator_of(unit, role="finance"))
    Unit.objects.filter(pk=unit.pk).update(payout_account_name="someone", payout_bank_name="else")

    # when platform finance confirms it
    with pytest.raises(OnboardingError) as refused:
        payees.payee_change_confirm(change_id=change.pk, actor=platform_finance())

    # then it is refused: confirming it would overwrite details its requester never saw
    assert refused.value.code == Code.PAYEE_CHANGE_STALE
    unit.refresh_from_db()
    assert (unit.payout_account_name, unit.payout_bank_account) == ("someone", "")
    assert not FinanceAuditEvent.objects.filter(action="payee.changed").exists()

    # and it can only be rejected
    payees.payee_change_reject(change_id=change.pk, actor=platform_finance(), reason="stale")
    assert PayeeChange.objects.get().status == "rejected"


def test_a_second_confirmation_of_the_same_request_changes_nothing(unit):
    change = _request(unit, operator_of(unit, role="finance"))
    payees.payee_change_confirm(change_id=change.pk, actor=platform_finance())

    with pytest.raises(OnboardingError) as again:
        payees.payee_change_confirm(change_id=change.pk, actor=platform_finance())

    assert again.value.code == Code.PAYEE_CHANGE_NOT_PENDING
    assert FinanceAuditEvent.objects.filter(action="payee.changed").count() == 1


def test_a_decided_request_is_a_record_the_database_keeps_as_it_is(unit):
    change = _request(unit, operator_of(unit, role="finance"))
    payees.payee_change_confirm(change_id=change.pk, actor=platform_finance())

    for attempt in (
        lambda: PayeeChange.objects.filter(pk=change.pk).update(bank_name="evil bank"),
        lambda: PayeeChange.objects.filter(pk=change.pk).update(status="pending"),
        lambda: PayeeChange.objects.filter(pk=change.pk).delete(),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    # and a pending one can be decided, never edited
    pending = _request(
        unit, operator_of(unit, role="finance"), {**ACCOUNT, "bank_account": "6227000099990000"}
    )
    with pytest.raises(IntegrityError, match="only be decided"), transaction.atomic():
        PayeeChange.objects.filter(pk=pending.pk).update(bank_name="evil bank")


def test_a_designer_is_paid_by_stripe_only_once_platform_finance_confirms_the_account(unit):
    designer = DesignerFactory(unit=unit, bank_name="")
    finance = operator_of(unit, role="finance")

    with pytest.raises(OnboardingError) as missing:
        payees.payee_change_request(
            payee=payees.designer_payee(designer), data={"settlement_method": "stripe"}, actor=finance
        )
    change = payees.payee_change_request(
        payee=payees.designer_payee(designer),
        data={"settlement_method": "stripe", "stripe_account_id": "acct_1Designer"},
        actor=finance,
    )
    assert missing.value.code == Code.STRIPE_ACCOUNT_MISSING
    assert not Designer.objects.get(pk=designer.pk).pays_by_stripe

    payees.payee_change_confirm(change_id=change.pk, actor=platform_finance())

    assert Designer.objects.get(pk=designer.pk).pays_by_stripe
    event = FinanceAuditEvent.objects.get(action="payee.changed")
    assert (event.detail["before"]["stripe_account"], event.detail["after"]["stripe_account"]) == (
        "",
        "acct_1Designer",
    )


def test_a_second_change_while_one_is_pending_is_refused_by_the_constraints_name(unit):
    # given a change waiting for platform finance
    first = _request(unit, platform_finance())

    # when another is asked for the same party
    with pytest.raises(OnboardingError) as refused:
        _request(unit, platform_finance(), data={**ACCOUNT, "bank_account": "6227000099998888"})

    # then the partial unique index (payee_change_one_pending) refuses it, read by name, not message text
    assert refused.value.code == Code.PAYEE_CHANGE_PENDING
    assert list(PayeeChange.objects.values_list("pk", flat=True)) == [first.pk]
