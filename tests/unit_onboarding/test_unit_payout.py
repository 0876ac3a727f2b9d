"""The unit's own payout details: set by finance on the unit's page, encrypted at rest, audited masked."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from payments.models import FinanceAuditEvent
from tests.auth import login_verified
from unit_onboarding.models import Unit

from .factories import OperatingEntityFactory, UserFactory, operator_of, reviewer

pytestmark = pytest.mark.django_db
FORM = {
    "payout_account_name": "重庆某某博物馆",
    "payout_bank_name": "中国建设银行重庆分行",
    "payout_bank_account": "6227 0000 1111 2222",
}


@pytest.fixture
def unit():
    return OperatingEntityFactory(unit__status=Unit.Status.ACTIVE).unit


def _page(uid) -> str:
    return reverse("unit_onboarding:payout", args=[uid])


def test_unit_finance_sets_the_units_account_encrypted_at_rest_and_audited_masked(client, unit):
    login_verified(client, operator_of(unit, role="finance"))

    response = client.post(_page(unit.uid), FORM)

    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.payout_account_name, unit.payout_bank_name, unit.payout_bank_account) == (
        "重庆某某博物馆",
        "中国建设银行重庆分行",
        "6227000011112222",
    )
    assert unit.payout_ready
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT payout_bank_account_encrypted FROM unit_onboarding_unit WHERE id = %s", [unit.pk]
        )
        stored = cursor.fetchone()[0]
    assert stored and "6227000011112222" not in stored
    event = FinanceAuditEvent.objects.get(action="unit.payout_changed")
    assert (event.party, event.detail["account"], event.detail["bank"], event.detail["payee"]) == (
        unit.party_key,
        "…2222",
        "中国建设银行重庆分行",
        "重庆某某博物馆",
    )
    assert "6227000011112222" not in str(event.detail)
    page = client.get(_page(unit.uid), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "…2222" in page and "6227000011112222" not in page and "本单位收款信息" in page


def test_partial_details_are_refused_field_by_field_in_the_users_language(client, unit):
    login_verified(client, operator_of(unit, role="finance"))

    response = client.post(_page(unit.uid), {**FORM, "payout_account_name": ""}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "Give the account name, the bank and the account number together" in response.content.decode()
    unit.refresh_from_db()
    assert not unit.payout_bank_name and not FinanceAuditEvent.objects.exists()


def test_an_empty_account_keeps_the_one_on_record_and_clearing_the_bank_removes_all(client, unit):
    login_verified(client, operator_of(unit, role="finance"))
    client.post(_page(unit.uid), FORM)

    client.post(_page(unit.uid), {**FORM, "payout_bank_account": "", "payout_account_name": "某某博物馆"})
    unit.refresh_from_db()
    assert (unit.payout_account_name, unit.payout_bank_account) == ("某某博物馆", "6227000011112222")
    client.post(
        _page(unit.uid), {"payout_account_name": "", "payout_bank_name": "", "payout_bank_account": ""}
    )
    unit.refresh_from_db()

    assert not unit.payout_ready and not unit.payout_bank_account_encrypted
    assert FinanceAuditEvent.objects.filter(action="unit.payout_changed").count() == 3


def test_platform_reviewers_may_set_them_and_a_units_operator_may_not(client, unit):
    client.force_login(operator_of(unit))
    assert client.post(_page(unit.uid), FORM).status_code == 403
    client.force_login(UserFactory())
    assert client.get(_page(unit.uid)).status_code == 404
    unit.refresh_from_db()
    assert not unit.payout_ready

    login_verified(client, reviewer())
    assert client.post(_page(unit.uid), FORM).status_code == 302
    unit.refresh_from_db()
    assert unit.payout_ready


def test_the_unit_page_says_when_the_units_payout_details_are_missing(client, unit):
    login_verified(client, operator_of(unit, role="finance"))
    detail = reverse("unit_onboarding:unit", args=[unit.uid])

    assert 'id="payout-missing"' in client.get(detail).content.decode()
    client.post(_page(unit.uid), FORM)
    assert 'id="payout-missing"' not in client.get(detail).content.decode()


def test_the_admin_shows_no_payout_field_so_every_change_goes_through_the_audited_page(client, unit):
    admin = UserFactory(is_staff=True, is_superuser=True)
    login_verified(client, admin)

    page = client.get(reverse("admin:unit_onboarding_unit_change", args=[unit.pk]))

    assert page.status_code == 200
    assert 'name="legal_name_zh"' in page.content.decode()
    assert "payout_" not in page.content.decode()
