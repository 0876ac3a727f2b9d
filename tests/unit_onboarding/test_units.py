"""A unit after approval: invitations, profile, distribution agreement, provisioning retry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.auth import login_verified, mailed_path
from tests.factories import SaleorInstallationFactory
from unit_onboarding.agreements import agreement_version_approve
from unit_onboarding.models import AgreementVersion, Unit, UnitMembership

from .factories import DesignerFactory, OperatingEntityFactory, operator_of, platform_finance_user, reviewer
from .files import png

pytestmark = pytest.mark.django_db

PNG = png(120, 120)


@pytest.fixture
def unit():
    unit = OperatingEntityFactory(unit__status=Unit.Status.ACTIVE).unit
    DesignerFactory(unit=unit, slug="li-wei")
    return unit


@pytest.mark.django_db(transaction=True)  # the invitation is mailed after commit
def test_an_invited_operator_sets_a_password_logs_in_and_sees_only_their_unit(client, unit):
    other_unit = OperatingEntityFactory(unit__status=Unit.Status.ACTIVE).unit
    operator_of(other_unit)
    client.force_login(operator_of(unit))

    response = client.post(
        reverse("unit_onboarding:members", args=[unit.uid]),
        {"email": "Shop.Manager@Museum.example.cn", "role": "operator"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    [invitation] = mail.outbox
    assert invitation.to == ["shop.manager@museum.example.cn"]
    link = mailed_path(invitation.body, "/onboarding/invitations/")
    assert not UnitMembership.objects.filter(user__email="shop.manager@museum.example.cn").exists()
    client.logout()

    form = client.get(link)
    assert form.status_code == 200
    password = "Terracotta-Warrior-2026"
    done = client.post(link, {"accept": "1", "new_password1": password, "new_password2": password})
    assert done.status_code == 302
    client.logout()

    assert client.login(username="shop.manager@museum.example.cn", password=password)
    home = client.get(reverse("unit_onboarding:home")).content.decode()
    assert str(unit) in home and str(other_unit) not in home
    membership = UnitMembership.objects.get(user__email="shop.manager@museum.example.cn")
    assert (membership.unit, membership.role) == (unit, "operator")
    assert client.get(reverse("unit_onboarding:unit", args=[other_unit.uid])).status_code == 404
    assert client.get(link).status_code == 410  # used once


def test_only_operators_invite(client, unit):
    login_verified(client, operator_of(unit, role="finance"))

    response = client.post(
        reverse("unit_onboarding:members", args=[unit.uid]), {"email": "a@b.cn", "role": "operator"}
    )

    assert response.status_code == 403
    assert not UnitMembership.objects.filter(user__email="a@b.cn").exists()


def test_operators_edit_the_profile_and_the_story_is_sanitised(client, unit):
    client.force_login(operator_of(unit))
    story = (
        '<h2>三峡的故事</h2><p onclick="steal()">Bronze <strong>mirrors</strong>'
        '<script>alert(1)</script> <a href="javascript:alert(1)">x</a> <a href="https://museum.example.cn">site</a></p>'
        '<img src=x onerror="alert(1)"><style>body{}</style>'
    )

    response = client.post(
        reverse("unit_onboarding:profile", args=[unit.uid]),
        {
            "display_name": "三峡博物馆",
            "story": story,
            "opening_hours": "周二至周日 9:00-17:00",
            "province": "重庆市",
            "city": "重庆市",
            "district": "渝中区",
            "street": "人民路236号",
            "postal_code": "400015",
            "logo": SimpleUploadedFile("logo.exe", PNG, content_type="application/octet-stream"),
        },
    )

    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.display_name == "三峡博物馆"
    assert "<script" not in unit.story and "onclick" not in unit.story and "<img" not in unit.story
    assert "javascript:" not in unit.story and "<style" not in unit.story
    assert "<h2>三峡的故事</h2>" in unit.story and "<strong>mirrors</strong>" in unit.story
    assert 'href="https://museum.example.cn"' in unit.story
    assert unit.logo.name.endswith(".png") and "logo" not in unit.logo.name.rsplit("/", 1)[-1]

    again = client.post(
        reverse("unit_onboarding:profile", args=[unit.uid]),
        {"display_name": "重庆中国三峡博物馆", "story": unit.story},
    )
    assert again.status_code == 302
    logo = unit.logo.name
    unit.refresh_from_db()
    assert unit.display_name == "重庆中国三峡博物馆"
    assert unit.logo.name == logo  # kept, not copied again


def test_a_logo_that_is_not_an_image_is_refused(client, unit):
    client.force_login(operator_of(unit))

    response = client.post(
        reverse("unit_onboarding:profile", args=[unit.uid]),
        {
            "display_name": "x",
            "logo": SimpleUploadedFile("logo.png", b"MZ\x90\x00", content_type="image/png"),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "not JPEG or PNG" in str(response.context["form"].errors["logo"])
    unit.refresh_from_db()
    assert unit.display_name == "" and not unit.logo


def agreement_form(**overrides):
    data = {
        "effective_from": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
        "unit_bps": 5000,
        "operating_entity_bps": 3000,
        "designer_bps": 500,
        "designer": "li-wei",
        "staff_pool_bps": 500,
        "platform_bps": 1000,
        "fee_rule": "pro_rata",
        "tax_rule": "seller_of_record",
        "shipping_rule": "shipping_unit",
    }
    data.update(overrides)
    return data


def test_unit_finance_adds_an_agreement_version(client, unit):
    login_verified(client, operator_of(unit, role="finance"))

    response = client.post(reverse("unit_onboarding:agreement", args=[unit.uid]), agreement_form())

    assert response.status_code == 302
    version = AgreementVersion.objects.get(agreement__unit=unit)
    assert {s.party_key: s.bps for s in version.shares.all()} == {
        f"unit:{unit.uid}": 5000,
        f"entity:{unit.operating_entity.pk}": 3000,
        "designer:li-wei": 500,
        f"staff_pool:{unit.uid}": 500,
        "platform": 1000,
    }


def test_finance_chooses_who_bears_the_card_fee_and_gets_tax_and_shipping(client, unit):
    login_verified(client, operator_of(unit, role="finance"))
    rules = {"fee_rule": "platform", "tax_rule": "platform", "shipping_rule": "agreement"}

    response = client.post(reverse("unit_onboarding:agreement", args=[unit.uid]), agreement_form(**rules))

    assert response.status_code == 302
    version = AgreementVersion.objects.get(agreement__unit=unit)
    assert (version.fee_rule, version.tax_rule, version.shipping_rule) == tuple(rules.values())
    page = client.get(reverse("unit_onboarding:agreement", args=[unit.uid]), HTTP_ACCEPT_LANGUAGE="en")
    assert "The platform bears the card fee" in page.content.decode()
    page = client.get(reverse("unit_onboarding:agreement", args=[unit.uid]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "银行卡手续费由平台承担" in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "language", "message"),
    [
        ({"fee_rule": "buyer"}, "en", "Select a valid choice"),
        ({"platform_bps": 900}, "en", "add up to 9,900"),
        ({"platform_bps": 900}, "zh-hans", "当前合计为 9,900"),
        ({"designer": ""}, "en", "Name the designer"),
    ],
)
def test_bad_agreements_get_clear_messages_and_save_nothing(client, unit, overrides, language, message):
    login_verified(client, reviewer())

    response = client.post(
        reverse("unit_onboarding:agreement", args=[unit.uid]),
        agreement_form(**overrides),
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AgreementVersion.objects.exists()


def test_an_overlapping_version_is_refused_on_its_field(client, unit):
    login_verified(client, reviewer())
    assert (
        client.post(reverse("unit_onboarding:agreement", args=[unit.uid]), agreement_form()).status_code
        == 302
    )
    agreement_version_approve(
        version_id=AgreementVersion.objects.get().pk, actor=platform_finance_user()
    )  # in force from tomorrow

    response = client.post(
        reverse("unit_onboarding:agreement", args=[unit.uid]),
        agreement_form(effective_from=(timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "overlaps the period of version 1" in str(response.context["form"].errors["effective_from"])
    assert AgreementVersion.objects.count() == 1


def test_operators_read_the_agreement_but_cannot_change_it(client, unit):
    client.force_login(operator_of(unit))

    assert client.get(reverse("unit_onboarding:agreement", args=[unit.uid])).status_code == 200
    assert (
        client.post(reverse("unit_onboarding:agreement", args=[unit.uid]), agreement_form()).status_code
        == 403
    )


@pytest.mark.django_db(transaction=True)
def test_a_reviewer_retries_failed_provisioning_with_the_button(client, unit, saleor):
    SaleorInstallationFactory()
    Unit.objects.filter(pk=unit.pk).update(
        provisioning=Unit.Provisioning.FAILED, provisioning_error="HTTP 503"
    )
    login_verified(client, reviewer())
    page = client.get(reverse("unit_onboarding:unit", args=[unit.uid])).content.decode()
    assert 'id="provision-retry"' in page and "HTTP 503" in page

    response = client.post(reverse("unit_onboarding:provision_retry", args=[unit.uid]))

    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.provisioning == Unit.Provisioning.DONE
    assert len(saleor.warehouses) == 1


def test_operators_cannot_retry_provisioning(client, unit):
    Unit.objects.filter(pk=unit.pk).update(
        provisioning=Unit.Provisioning.FAILED, provisioning_error="HTTP 503"
    )
    client.force_login(operator_of(unit))

    page = client.get(reverse("unit_onboarding:unit", args=[unit.uid])).content.decode()
    assert 'id="provision-retry"' not in page and "HTTP 503" not in page  # internals are for reviewers
    assert client.post(reverse("unit_onboarding:provision_retry", args=[unit.uid])).status_code == 403
