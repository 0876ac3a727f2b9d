"""The designer registry: finance registers designers and where their money goes; agreements name them."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from payments.models import FinanceAuditEvent
from tests.auth import login_verified
from tests.payments.settlement.test_console import platform_finance
from unit_onboarding import payees
from unit_onboarding.error_codes import OnboardingError
from unit_onboarding.models import AgreementVersion, Designer, PayeeChange, Unit

from .factories import DesignerFactory, OperatingEntityFactory, operator_of, reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    return OperatingEntityFactory(unit__status=Unit.Status.ACTIVE).unit


def designer_form(**overrides) -> dict:
    data = {
        "slug": "wang-fang",
        "name_zh": "王芳",
        "name_en": "Wang Fang",
        "settlement_method": "bank",
        "account_holder": "",
        "bank_name": "中国农业银行重庆分行",
        "bank_account": "6228 4800 1234 5678 901",
        "stripe_account_id": "",
    }
    data.update(overrides)
    return data


def test_unit_finance_registers_a_designer_whose_account_waits_for_platform_finance(client, unit):
    finance = operator_of(unit, role="finance")
    login_verified(client, finance)

    response = client.post(reverse("unit_onboarding:designers", args=[unit.uid]), designer_form())

    # the designer is registered at once; the account is asked for, encrypted, and not yet in effect
    assert response.status_code == 302
    designer = Designer.objects.get(unit=unit)
    assert (designer.party_key, designer.name_zh, designer.bank_account) == ("designer:wang-fang", "王芳", "")
    change = PayeeChange.objects.get(designer=designer)
    assert (change.status, change.bank_account, change.requested_by) == (
        "pending",
        "6228480012345678901",
        finance,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bank_account_encrypted FROM unit_onboarding_payeechange WHERE id = %s", [change.pk]
        )
        stored = cursor.fetchone()[0]
    assert "6228480012345678901" not in stored and stored
    event = FinanceAuditEvent.objects.get(action="payee.change_requested")
    assert (event.party, event.detail["after"]["account"], event.detail["after"]["bank"]) == (
        "designer:wang-fang",
        "…8901",
        "中国农业银行重庆分行",
    )
    assert "6228480012345678901" not in str(event.detail)
    page = client.get(reverse("unit_onboarding:designers", args=[unit.uid]), HTTP_ACCEPT_LANGUAGE="en")
    assert "王芳" in page.content.decode() and "change awaiting confirmation" in page.content.decode()

    # when platform finance (another person) confirms, the designer is paid there
    payees.payee_change_confirm(change_id=change.pk, actor=platform_finance())
    designer.refresh_from_db()
    assert designer.bank_account == "6228480012345678901" and designer.payout_ready
    page = client.get(reverse("unit_onboarding:designers", args=[unit.uid])).content.decode()
    assert "…8901" in page and "6228480012345678901" not in page


@pytest.mark.parametrize(
    ("overrides", "language", "message"),
    [
        ({"bank_account": ""}, "en", "Give both the bank and the account number"),
        ({"bank_account": ""}, "zh-hans", "开户行和账号需同时填写"),
        ({"settlement_method": "stripe"}, "en", "Required for Stripe settlement."),
        ({"stripe_account_id": "not-an-account"}, "en", "looks like acct_"),
        ({"slug": "王芳"}, "en", "Enter a valid"),
    ],
)
def test_bad_designer_details_get_clear_messages_and_save_nothing(client, unit, overrides, language, message):
    login_verified(client, operator_of(unit, role="finance"))

    response = client.post(
        reverse("unit_onboarding:designers", args=[unit.uid]),
        designer_form(**overrides),
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Designer.objects.exists()


def test_a_slug_is_unique_on_the_platform_because_the_ledger_party_names_no_unit(client, unit):
    DesignerFactory(slug="wang-fang")  # another unit's designer
    login_verified(client, operator_of(unit, role="finance"))

    response = client.post(
        reverse("unit_onboarding:designers", args=[unit.uid]), designer_form(), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert response.status_code == 400
    assert "标识 wang-fang 已被平台上的其他设计者使用" in response.content.decode()
    assert not Designer.objects.filter(unit=unit).exists()


def test_the_slug_never_changes_once_given(unit):
    designer = DesignerFactory(unit=unit, slug="fixed")

    with pytest.raises(IntegrityError, match="keeps its identifier"), transaction.atomic():
        Designer.objects.filter(pk=designer.pk).update(slug="renamed")


def test_editing_changes_names_at_once_and_asks_for_a_new_account_keeping_the_old_until_confirmed(
    client, unit
):
    designer = DesignerFactory(unit=unit, slug="li-hua", name_zh="李华")
    login_verified(client, operator_of(unit, role="finance"))
    url = reverse("unit_onboarding:designer", args=[unit.uid, designer.slug])

    form = client.get(url).content.decode()
    renamed = client.post(
        url, designer_form(slug="ignored", name_zh="李华工作室", bank_account="", **_bank(designer))
    )
    assert (renamed.status_code, Designer.objects.get(pk=designer.pk).name_zh) == (302, "李华工作室")
    assert not PayeeChange.objects.exists()  # names only: nothing to confirm
    moved = client.post(url, designer_form(name_zh="李华工作室", bank_account="6217 0000 9999 0001"))

    assert designer.bank_account not in form and "…" + designer.bank_account[-4:] in form
    assert moved.status_code == 302
    assert Designer.objects.get(pk=designer.pk).bank_account == designer.bank_account  # not yet
    change = PayeeChange.objects.get(designer=designer, status="pending")
    assert (change.before["account"], change.after["account"]) == ("…" + designer.bank_account[-4:], "…0001")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Change awaiting confirmation by platform finance" in page and "…0001" in page

    payees.payee_change_confirm(change_id=change.pk, actor=platform_finance())
    designer.refresh_from_db()
    assert (designer.slug, designer.name_zh, designer.bank_account) == (
        "li-hua",
        "李华工作室",
        "6217000099990001",
    )
    assert FinanceAuditEvent.objects.get(action="payee.changed").detail["after"]["account"] == "…0001"


def _bank(designer) -> dict:
    return {"bank_name": designer.bank_name}


def test_operators_see_the_designers_but_only_finance_and_reviewers_change_them(client, unit):
    designer = DesignerFactory(unit=unit, slug="li-hua")
    client.force_login(operator_of(unit))

    page = client.get(reverse("unit_onboarding:designers", args=[unit.uid]))
    posted = client.post(reverse("unit_onboarding:designers", args=[unit.uid]), designer_form())
    edit = client.get(reverse("unit_onboarding:designer", args=[unit.uid, designer.slug]))

    assert page.status_code == 200 and "li-hua" in page.content.decode()
    assert "Register a designer" not in page.content.decode() and "登记设计者" not in page.content.decode()
    assert (posted.status_code, edit.status_code) == (403, 403)
    assert Designer.objects.count() == 1
    login_verified(client, reviewer())
    assert (
        client.post(reverse("unit_onboarding:designers", args=[unit.uid]), designer_form()).status_code == 302
    )


def test_platform_finance_asks_for_payout_details_of_any_unit_and_another_confirms(client, unit):
    designer = DesignerFactory(unit=unit, slug="li-hua", bank_name="")
    asker, confirmer = platform_finance(), platform_finance()
    login_verified(client, asker)

    response = client.post(
        reverse("unit_onboarding:designer", args=[unit.uid, designer.slug]),
        designer_form(name_zh=designer.name_zh),
    )

    assert response.status_code == 302
    change = PayeeChange.objects.get(designer=designer)
    with pytest.raises(OnboardingError) as own:
        payees.payee_change_confirm(change_id=change.pk, actor=asker)
    assert own.value.code == "payee_four_eyes"
    payees.payee_change_confirm(change_id=change.pk, actor=confirmer)
    designer.refresh_from_db()
    assert designer.payout_ready


def test_the_agreement_names_a_designer_chosen_among_the_units_own(client, unit):
    DesignerFactory(unit=unit, slug="li-wei")
    DesignerFactory(slug="not-ours")  # another unit's designer
    login_verified(client, operator_of(unit, role="finance"))
    url = reverse("unit_onboarding:agreement", args=[unit.uid])
    form = {
        "effective_from": "2030-01-01 00:00",
        "unit_bps": 5000,
        "operating_entity_bps": 3000,
        "designer_bps": 500,
        "staff_pool_bps": 500,
        "platform_bps": 1000,
        "fee_rule": "pro_rata",
        "tax_rule": "seller_of_record",
        "shipping_rule": "shipping_unit",
    }

    page = client.get(url).content.decode()
    refused = client.post(url, {**form, "designer": "not-ours"}, HTTP_ACCEPT_LANGUAGE="en")
    accepted = client.post(url, {**form, "designer": "li-wei"})

    assert 'value="li-wei"' in page and "not-ours" not in page
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
    assert accepted.status_code == 302
    version = AgreementVersion.objects.get(agreement__unit=unit)
    assert version.shares.get(role="designer").party_key == "designer:li-wei"
