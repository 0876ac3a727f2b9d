"""Designers as users: sign-up that lands on the designer profile, the profile and portfolio (through the
catalog's image checks), and claiming a unit's existing designer registration through a mailed link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from payments.models import FinanceAuditEvent
from resources.models import DesignerProfile, PortfolioImage
from tests.auth import login_verified, mailed_path
from tests.catalog import image_factories as make
from tests.resources.helpers import NOW
from tests.unit_onboarding.factories import DesignerFactory, OperatingEntityFactory, UserFactory, operator_of
from unit_onboarding.error_codes import OnboardingError
from unit_onboarding.error_codes import OnboardingErrorCode as Code
from unit_onboarding.models import Designer, DesignerClaim, Unit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_at")]
PASSWORD = "Terracotta-Warrior-2026"


@pytest.fixture
def unit():
    return OperatingEntityFactory(unit__status=Unit.Status.ACTIVE, unit__display_name="三峡博物馆").unit


def profile_data(**overrides) -> dict:
    data = {
        "display_name_zh": "山水设计工作室",
        "display_name_en": "Shanshui Studio",
        "kind": "studio",
        "bio": "以馆藏纹样为灵感的文创设计。",
        "website": "https://shanshui.example.cn",
    }
    data.update(overrides)
    return data


def test_signing_up_as_a_designer_lands_on_the_designer_profile(client, mailoutbox, committed):
    me_profile = reverse("resources:me_profile")
    form = client.get(reverse("unit_onboarding:signup"), {"next": me_profile})
    assert f'name="next" value="{me_profile}"' in form.content.decode()

    with committed(execute=True):
        client.post(
            reverse("unit_onboarding:signup"), {"email": "Li.Wen@Studio.example.cn", "next": me_profile}
        )
    link = mailed_path(mailoutbox[0].body, "/onboarding/signup/")
    done = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert done.status_code == 302 and done["Location"] == me_profile
    saved = client.post(me_profile, profile_data())
    assert saved.status_code == 302 and saved["Location"] == reverse("resources:me")
    profile = DesignerProfile.objects.get()
    assert (profile.account.email, profile.kind, profile.display_name_en) == (
        "li.wen@studio.example.cn",
        "studio",
        "Shanshui Studio",
    )
    assert FinanceAuditEvent.objects.filter(action="designer_profile.created").exists()
    assert "山水设计工作室" in client.get(reverse("resources:me")).content.decode()


def test_a_signup_link_never_sends_the_new_account_off_the_site(client, mailoutbox, committed):
    with committed(execute=True):
        client.post(
            reverse("unit_onboarding:signup"),
            {"email": "x@studio.example.cn", "next": "https://evil.example/"},
        )
    link = mailed_path(mailoutbox[0].body, "/onboarding/signup/")

    done = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert done["Location"] == reverse("unit_onboarding:apply")  # the default, as before


def test_a_profile_without_a_name_or_with_a_bad_website_is_refused_and_nothing_is_saved(client):
    client.force_login(UserFactory())

    page = client.post(reverse("resources:me_profile"), profile_data(display_name_zh="", website="not a url"))

    assert page.status_code == 400 and not DesignerProfile.objects.exists()
    assert set(page.context["form"].errors) == {"display_name_zh", "website"}
    assert 'value="not a url"' in page.content.decode()  # what was typed is kept to correct


def test_portfolio_images_go_through_the_catalogs_image_checks(client):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("resources:me_profile"), profile_data())
    good = make.encoded(make.quadrants(800, 600), "JPEG", quality=80)

    client.post(
        reverse("resources:me_portfolio"),
        {"image": SimpleUploadedFile("work.jpg", good, content_type="image/jpeg"), "caption": "书签"},
    )
    refused = client.post(
        reverse("resources:me_portfolio"),
        {"image": SimpleUploadedFile("work.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")},
        follow=True,
    )

    item = PortfolioImage.objects.get()
    assert (item.caption, item.image.owner_key) == ("书签", f"designer_profile:{item.profile.pk}")
    assert item.image.format == "JPEG"
    assert PortfolioImage.objects.count() == 1  # the fake image was refused before anything was stored
    assert any(m.level_tag == "error" for m in refused.context["messages"])


def test_unit_finance_invites_a_designer_who_claims_the_registration(client, unit, mailoutbox, committed):
    designer = DesignerFactory(unit=unit, slug="wang-fang", name_zh="王芳")
    finance = operator_of(unit, role="finance")
    login_verified(client, finance)

    with committed(execute=True):
        sent = client.post(
            reverse("unit_onboarding:designer_claim_send", args=[unit.uid, designer.slug]),
            {"email": "Wang.Fang@Studio.example.cn"},
        )
    assert sent.status_code == 302
    link = mailed_path(mailoutbox[-1].body, "/onboarding/designers/claim/")
    assert "王芳" in mailoutbox[-1].body

    # the designer has no account yet: sign up with the invited address, come back, claim
    client.logout()
    page = client.get(link)
    assert page.status_code == 200 and "signup" in page.content.decode()
    wang = UserFactory(email="wang.fang@studio.example.cn")
    client.force_login(wang)
    claimed = client.post(link, {"accept": "1"})

    assert claimed.status_code == 302 and claimed["Location"] == reverse("resources:me")
    designer.refresh_from_db()
    assert (designer.account, designer.claimed_at) == (wang, NOW)
    assert designer.bank_account == "6217003800012345678"  # the unit keeps the payee data
    assert DesignerClaim.objects.get().status == "accepted"
    actions = list(FinanceAuditEvent.objects.order_by("pk").values_list("action", "party"))
    assert ("designer.claim_sent", "designer:wang-fang") in actions
    assert ("designer.claimed", "designer:wang-fang") in actions
    assert "designer:wang-fang" in client.get(reverse("resources:me")).content.decode()
    assert client.post(link, {"accept": "1"}).status_code == 410  # once only


def test_a_claim_link_is_refused_to_another_account_and_changes_nothing(client, unit, mailoutbox, committed):
    designer = DesignerFactory(unit=unit)
    login_verified(client, operator_of(unit, role="finance"))
    with committed(execute=True):
        client.post(
            reverse("unit_onboarding:designer_claim_send", args=[unit.uid, designer.slug]),
            {"email": "owner@studio.example.cn"},
        )
    link = mailed_path(mailoutbox[-1].body, "/onboarding/designers/claim/")
    client.force_login(UserFactory(email="someone.else@example.cn"))

    answer = client.post(link, {"accept": "1"})

    assert answer.status_code == 403
    assert Designer.objects.get(pk=designer.pk).account is None
    assert client.get(link + "x").status_code == 404  # a mangled link names nothing


def test_only_the_units_finance_may_send_a_claim_link(client, unit):
    designer = DesignerFactory(unit=unit)
    other_unit = OperatingEntityFactory(unit__status=Unit.Status.ACTIVE).unit
    url = reverse("unit_onboarding:designer_claim_send", args=[unit.uid, designer.slug])

    client.force_login(operator_of(unit))
    assert client.post(url, {"email": "a@example.cn"}).status_code == 403
    login_verified(client, operator_of(other_unit, role="finance"))
    assert client.post(url, {"email": "a@example.cn"}).status_code == 404
    assert not DesignerClaim.objects.exists()


def test_a_claimed_registration_cannot_be_offered_again(client, unit):
    designer = DesignerFactory(unit=unit, account=UserFactory(), claimed_at=NOW - timedelta(days=1))
    login_verified(client, operator_of(unit, role="finance"))

    page = client.post(
        reverse("unit_onboarding:designer_claim_send", args=[unit.uid, designer.slug]),
        {"email": "b@example.cn"},
        follow=True,
    )

    assert not DesignerClaim.objects.exists()
    assert [m.message for m in page.context["messages"]] == [
        str(OnboardingError(Code.DESIGNER_ALREADY_CLAIMED).message)
    ]
    assert Designer.objects.get(pk=designer.pk).account_id == designer.account_id
