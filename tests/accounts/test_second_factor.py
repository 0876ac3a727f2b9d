"""The second factor: who must set it up, the enrolment, signing in with it, recovery codes, resets."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from accounts.models import AccessEvent, RecoveryCode
from tests.auth import login_verified, verified_device
from tests.catalog.factories import curator
from tests.unit_onboarding.factories import OperatingEntityFactory, UserFactory, operator_of, reviewer
from unit_onboarding.models import Unit, UnitMembership
from unit_onboarding.permissions import second_factor_required

pytestmark = pytest.mark.django_db
A = AccessEvent.Action


@pytest.fixture
def unit():
    return OperatingEntityFactory(unit__status=Unit.Status.ACTIVE).unit


def code_of(device: TOTPDevice) -> str:
    """The code the authenticator app shows now (the test plays the phone)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def platform_finance():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))
    return user


def test_who_must_use_a_second_factor(unit):
    assert second_factor_required(operator_of(unit, role=UnitMembership.Role.FINANCE))
    assert second_factor_required(reviewer())
    assert second_factor_required(curator())
    assert second_factor_required(platform_finance())
    assert second_factor_required(UserFactory(is_staff=True))  # the Django admin
    assert not second_factor_required(operator_of(unit))
    assert not second_factor_required(UserFactory())


def later(time_machine, seconds: int = 5) -> None:
    """Wait: after a wrong code the device refuses every code for a moment (django-otp's throttle)."""
    time_machine.move_to(datetime.now(UTC) + timedelta(seconds=seconds), tick=False)


def test_a_new_finance_member_sets_up_totp_before_the_payout_page_then_reaches_it(client, unit, time_machine):
    finance = operator_of(unit, role=UnitMembership.Role.FINANCE)
    client.force_login(finance)
    payout = reverse("unit_onboarding:payout", args=[unit.uid])

    sent = client.get(payout)
    assert sent.status_code == 302 and sent["Location"].startswith(
        reverse("unit_onboarding:two_factor_setup")
    )
    setup = client.get(sent["Location"], HTTP_ACCEPT_LANGUAGE="en")
    page = setup.content.decode()
    # the QR code is inline SVG and the page brings no script of its own (only the site's language menu)
    assert setup.status_code == 200 and "<svg" in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/unit_onboarding/language.js" defer>']
    device = TOTPDevice.objects.get(user=finance, confirmed=False)
    wrong = client.post(sent["Location"], {"code": "000000"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()
    assert client.get(payout).status_code == 302  # still not verified
    later(time_machine)

    done = client.post(sent["Location"], {"code": code_of(device)})

    codes = re.findall(
        r"<code>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</code>", done.content.decode()
    )
    assert done.status_code == 200 and len(codes) == 10
    assert client.get(payout).status_code == 200
    assert TOTPDevice.objects.get(user=finance).confirmed
    assert AccessEvent.objects.get(action=A.TWO_FACTOR_ENROLLED).user == finance


def test_a_finance_login_without_the_second_factor_is_refused_on_money_pages_until_verified(
    client, unit, time_machine
):
    finance = operator_of(unit, role=UnitMembership.Role.FINANCE)
    device = verified_device(finance)
    assert (
        client.post(
            reverse("unit_onboarding:login"),
            {"username": finance.username, "password": "correct horse battery staple"},
        ).status_code
        == 302
    )

    for url in (
        reverse("unit_onboarding:payout", args=[unit.uid]),
        reverse("unit_onboarding:agreement", args=[unit.uid]),
        reverse("finance:home"),
    ):
        refused = client.get(url)
        assert refused.status_code == 302 and refused["Location"].startswith(
            reverse("unit_onboarding:two_factor_verify")
        ), url
    verify = (
        reverse("unit_onboarding:two_factor_verify")
        + "?next="
        + reverse("unit_onboarding:payout", args=[unit.uid])
    )
    wrong = client.post(verify, {"code": "123456"})
    assert wrong.status_code == 400
    later(time_machine)
    right = client.post(verify, {"code": code_of(device)})

    assert right.status_code == 302 and right["Location"] == reverse(
        "unit_onboarding:payout", args=[unit.uid]
    )
    assert client.get(right["Location"]).status_code == 200


def test_a_recovery_code_works_once_and_only_its_digest_is_kept(client, unit):
    finance = operator_of(unit, role=UnitMembership.Role.FINANCE)
    device = second_factor.totp_setup_start(user=finance)
    codes = second_factor.totp_setup_confirm(user=finance, device=device, token=code_of(device))
    client.force_login(finance)
    verify = reverse("unit_onboarding:two_factor_verify")

    assert not RecoveryCode.objects.filter(digest__in=codes).exists()
    assert all(
        codes[0].replace("-", "") not in d for d in RecoveryCode.objects.values_list("digest", flat=True)
    )
    used = client.post(verify, {"code": codes[0].lower()})  # typed in lower case: still the code
    assert used.status_code == 302
    client.logout()
    client.force_login(finance)
    again = client.post(verify, {"code": codes[0]})

    assert again.status_code == 400
    assert second_factor.recovery_codes_left(finance) == 9
    assert AccessEvent.objects.filter(action=A.RECOVERY_CODE_USED, user=finance).count() == 1


def test_new_recovery_codes_replace_the_old_ones(client, unit, time_machine):
    finance = operator_of(unit, role=UnitMembership.Role.FINANCE)
    device = second_factor.totp_setup_start(user=finance)
    old = second_factor.totp_setup_confirm(user=finance, device=device, token=code_of(device))
    login_verified(client, finance)

    page = client.post(reverse("unit_onboarding:recovery_codes"))
    new = re.findall(r"<code>([0-9A-Z-]{19})</code>", page.content.decode())

    assert len(new) == 10 and not set(new) & set(old)
    assert second_factor.second_factor_verify(user=finance, token=old[1]) is None
    later(time_machine)
    assert second_factor.second_factor_verify(user=finance, token=new[1]) is not None
    assert AccessEvent.objects.filter(action=A.RECOVERY_CODES_REGENERATED, user=finance).exists()


def test_replacing_an_authenticator_needs_the_current_one_first(client, unit):
    finance = operator_of(unit, role=UnitMembership.Role.FINANCE)
    verified_device(finance)
    client.force_login(finance)  # a stolen password: no second factor

    attempt = client.get(reverse("unit_onboarding:two_factor_setup"))

    assert attempt.status_code == 302
    assert attempt["Location"].startswith(reverse("unit_onboarding:two_factor_verify"))
    assert TOTPDevice.objects.filter(user=finance).count() == 1


def test_operators_are_not_forced_but_may_enrol(client, unit):
    operator = operator_of(unit)
    client.force_login(operator)

    assert client.get(reverse("unit_onboarding:profile", args=[unit.uid])).status_code == 200
    assert client.get(reverse("unit_onboarding:security")).status_code == 200
    setup = client.get(reverse("unit_onboarding:two_factor_setup"))
    assert setup.status_code == 200


def test_the_admin_needs_a_verified_second_factor(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)

    refused = client.get(reverse("admin:index"))
    assert refused.status_code == 302 and refused["Location"].startswith(
        reverse("unit_onboarding:two_factor_setup")
    )
    login_verified(client, staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_admin_resets_a_lost_authenticator_and_it_is_audited(client, unit):
    finance = operator_of(unit, role=UnitMembership.Role.FINANCE)
    verified_device(finance)
    admin = UserFactory(is_staff=True, is_superuser=True)
    login_verified(client, admin)

    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [finance.pk]},
    )

    assert not TOTPDevice.objects.filter(user=finance).exists()
    event = AccessEvent.objects.get(action=A.TWO_FACTOR_RESET)
    assert (event.actor, event.user) == (admin, finance)
    client.force_login(finance)
    again = client.get(reverse("unit_onboarding:payout", args=[unit.uid]))
    assert again["Location"].startswith(reverse("unit_onboarding:two_factor_setup"))  # set up anew


def test_a_password_change_is_in_the_access_trail(client, unit):
    operator = operator_of(unit)
    client.force_login(operator)

    changed = client.post(
        reverse("unit_onboarding:password_change"),
        {
            "old_password": "correct horse battery staple",
            "new_password1": "Jade-Cong-4000bc",
            "new_password2": "Jade-Cong-4000bc",
        },
    )

    assert changed.status_code == 302
    assert AccessEvent.objects.get(action=A.PASSWORD_CHANGED).user == operator
    assert client.get(reverse("unit_onboarding:home")).status_code == 200  # still signed in


def test_a_code_from_outside_the_window_is_refused(unit):
    """TOTP accepts one step either side of now; a code three steps away is not the phone's."""
    finance = operator_of(unit, role=UnitMembership.Role.FINANCE)
    device = second_factor.totp_setup_start(user=finance)
    later = f"{totp(device.bin_key, t0=device.t0 - 3 * device.step, step=device.step):06d}"

    assert second_factor.totp_setup_confirm(user=finance, device=device, token=later) is None
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
