"""Where a unit's money goes: its own account and its operating entity's, changed only by a request that
platform finance (another person) confirms; encrypted at rest, audited masked, announced by mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from payments.models import FinanceAuditEvent
from tests.auth import login_verified
from tests.payments.settlement.test_console import platform_finance
from unit_onboarding import payees
from unit_onboarding.models import OperatingEntity, PayeeChange, Unit

from .factories import OperatingEntityFactory, UserFactory, operator_of, reviewer

pytestmark = pytest.mark.django_db
FORM = {
    "which": "unit",
    "payout_account_name": "重庆某某博物馆",
    "payout_bank_name": "中国建设银行重庆分行",
    "payout_bank_account": "6227 0000 1111 2222",
}


@pytest.fixture
def unit():
    return OperatingEntityFactory(unit__status=Unit.Status.ACTIVE).unit


def _page(uid) -> str:
    return reverse("unit_onboarding:payout", args=[uid])


def _confirm(change: PayeeChange, by=None) -> None:
    payees.payee_change_confirm(change_id=change.pk, actor=by or platform_finance())


def test_unit_finance_asks_for_the_units_account_and_it_takes_effect_when_platform_finance_confirms(
    client, unit, django_capture_on_commit_callbacks
):
    # given the unit's finance member, a colleague in the unit's finance, and platform finance
    asker = operator_of(unit, role="finance")
    colleague = operator_of(unit, role="finance")
    confirmer = platform_finance()
    login_verified(client, asker)

    # when the finance member asks for the unit's bank account
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_page(unit.uid), FORM, HTTP_ACCEPT_LANGUAGE="zh-hans")

    # then nothing is paid there yet: the request waits, its account encrypted, audited masked
    assert response.status_code == 302
    unit.refresh_from_db()
    assert not unit.payout_ready
    change = PayeeChange.objects.get()
    assert (change.kind, change.status, change.party, change.bank_account) == (
        "unit",
        "pending",
        unit.party_key,
        "6227000011112222",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bank_account_encrypted FROM unit_onboarding_payeechange WHERE id = %s", [change.pk]
        )
        stored = cursor.fetchone()[0]
    assert stored and "6227000011112222" not in stored
    requested = FinanceAuditEvent.objects.get(action="payee.change_requested")
    assert (requested.actor, requested.party, requested.detail["after"]) == (
        asker,
        unit.party_key,
        {
            "method": "bank",
            "name": "重庆某某博物馆",
            "bank": "中国建设银行重庆分行",
            "account": "…2222",
            "stripe_account": "",
        },
    )
    assert requested.detail["before"]["account"] == ""
    # and the unit's other finance member and platform finance are told, not the asker
    told = sorted(address for message in mail.outbox for address in message.to)
    assert told == sorted([colleague.email, confirmer.email])
    assert all("…2222" in m.body and "6227000011112222" not in m.body for m in mail.outbox)
    page = client.get(_page(unit.uid), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "等待平台财务确认的变更" in page and "…2222" in page and "6227000011112222" not in page

    # when platform finance confirms it
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _confirm(change, confirmer)

    # then it is in effect, audited with who asked, who confirmed, before and after; everyone is told
    unit.refresh_from_db()
    assert (unit.payout_account_name, unit.payout_bank_name, unit.payout_bank_account) == (
        "重庆某某博物馆",
        "中国建设银行重庆分行",
        "6227000011112222",
    )
    changed = FinanceAuditEvent.objects.get(action="payee.changed")
    assert (changed.actor, changed.detail["requested_by"], changed.detail["after"]["account"]) == (
        confirmer,
        str(asker),
        "…2222",
    )
    assert sorted(a for m in mail.outbox for a in m.to) == sorted([asker.email, colleague.email])
    page = client.get(_page(unit.uid), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "On record: 重庆某某博物馆 · 中国建设银行重庆分行 · …2222" in page
    assert "Confirmed: in effect" in page


def test_partial_details_are_refused_field_by_field_in_the_users_language(client, unit):
    login_verified(client, operator_of(unit, role="finance"))

    response = client.post(_page(unit.uid), {**FORM, "payout_account_name": ""}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "Give the account name, the bank and the account number together" in response.content.decode()
    assert not PayeeChange.objects.exists() and not FinanceAuditEvent.objects.exists()


def test_an_empty_account_keeps_the_one_on_record_and_clearing_the_bank_removes_all(client, unit):
    login_verified(client, operator_of(unit, role="finance"))
    client.post(_page(unit.uid), FORM)
    _confirm(PayeeChange.objects.get(status="pending"))

    client.post(_page(unit.uid), {**FORM, "payout_bank_account": "", "payout_account_name": "某某博物馆"})
    _confirm(PayeeChange.objects.get(status="pending"))
    unit.refresh_from_db()
    assert (unit.payout_account_name, unit.payout_bank_account) == ("某某博物馆", "6227000011112222")
    client.post(
        _page(unit.uid),
        {"which": "unit", "payout_account_name": "", "payout_bank_name": "", "payout_bank_account": ""},
    )
    _confirm(PayeeChange.objects.get(status="pending"))
    unit.refresh_from_db()

    assert not unit.payout_ready and not unit.payout_bank_account_encrypted
    assert FinanceAuditEvent.objects.filter(action="payee.changed").count() == 3


def test_a_second_request_waits_for_the_first_and_a_withdrawn_one_changes_nothing(client, unit):
    login_verified(client, operator_of(unit, role="finance"))
    client.post(_page(unit.uid), FORM)
    first = PayeeChange.objects.get()

    with pytest.raises(payees.OnboardingError) as refused:
        payees.payee_change_request(
            payee=payees.unit_payee(unit),
            data={"account_name": "x", "bank_name": "y", "bank_account": "1234"},
            actor=first.requested_by,
        )
    page = client.get(_page(unit.uid), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    withdrawn = client.post(reverse("unit_onboarding:payee_change_withdraw", args=[unit.uid, first.pk]))

    assert refused.value.code == "payee_change_pending"
    assert 'id="request-unit"' not in page and "Withdraw this request" in page
    assert withdrawn.status_code == 302
    first.refresh_from_db()
    unit.refresh_from_db()
    assert first.status == "withdrawn" and not unit.payout_ready
    assert FinanceAuditEvent.objects.filter(action="payee.change_withdrawn").exists()


def test_the_operating_entitys_account_is_asked_for_and_confirmed_the_same_way(client, unit):
    login_verified(client, operator_of(unit, role="finance"))

    response = client.post(
        _page(unit.uid),
        {"which": "entity", "entity-settlement_method": "stripe", "entity-stripe_account_id": "acct_1Entity"},
    )
    bad = client.post(
        _page(unit.uid),
        {"which": "entity", "entity-settlement_method": "stripe", "entity-stripe_account_id": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302
    change = PayeeChange.objects.get()
    assert (change.kind, change.party, change.after["stripe_account"]) == (
        "entity",
        unit.operating_entity.party_key,
        "acct_1Entity",
    )
    assert OperatingEntity.objects.get(unit=unit).settlement_method == "bank"
    assert bad.status_code == 400  # one request is pending; and Stripe needs an account id anyway
    _confirm(change)
    entity = OperatingEntity.objects.get(unit=unit)
    assert (entity.settlement_method, entity.stripe_account_id) == ("stripe", "acct_1Entity")


def test_platform_reviewers_may_ask_and_a_units_operator_and_strangers_may_not(client, unit):
    client.force_login(operator_of(unit))
    assert client.post(_page(unit.uid), FORM).status_code == 403
    client.force_login(UserFactory())
    assert client.get(_page(unit.uid)).status_code == 404
    assert not PayeeChange.objects.exists()

    login_verified(client, reviewer())
    assert client.post(_page(unit.uid), FORM).status_code == 302
    assert PayeeChange.objects.get().status == "pending"


def test_the_unit_page_says_when_the_units_payout_details_are_missing(client, unit):
    login_verified(client, operator_of(unit, role="finance"))
    detail = reverse("unit_onboarding:unit", args=[unit.uid])

    assert 'id="payout-missing"' in client.get(detail).content.decode()
    client.post(_page(unit.uid), FORM)
    assert 'id="payout-missing"' in client.get(detail).content.decode()  # asked for, not yet in effect
    _confirm(PayeeChange.objects.get())
    assert 'id="payout-missing"' not in client.get(detail).content.decode()


def test_an_active_units_details_never_change_outside_a_confirmed_request(unit):
    from unit_onboarding.unit_payout import unit_payout_update

    with pytest.raises(payees.OnboardingError) as refused:
        unit_payout_update(
            unit=unit,
            data={"payout_account_name": "x", "payout_bank_name": "y", "payout_bank_account": "1234"},
            actor=None,
        )

    assert refused.value.code == "payout_needs_confirmation"
    unit.refresh_from_db()
    assert not unit.payout_ready


def test_the_admin_shows_no_payout_field_so_every_change_goes_through_the_audited_page(client, unit):
    admin = UserFactory(is_staff=True, is_superuser=True)
    login_verified(client, admin)

    page = client.get(reverse("admin:unit_onboarding_unit_change", args=[unit.pk]))

    assert page.status_code == 200
    assert 'name="legal_name_zh"' in page.content.decode()
    assert "payout_" not in page.content.decode()
