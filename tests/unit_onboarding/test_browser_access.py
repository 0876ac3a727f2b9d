"""In a real browser (Debian's chromium): who may give which role, the second factor before money pages,
and staff sign-in throttling. Screenshots go to tests/artifacts/access/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core import mail

from accounts.models import AccessEvent
from tests.auth import browser_log_in, browser_second_factor, mailed_path
from unit_onboarding.models import Invitation, Unit, UnitMembership

from .factories import OperatingEntityFactory, UserFactory, operator_of, reviewer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Bronze-Mirror-1987"
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "access"


@pytest.fixture
def browser(browser, settings):
    """tests/conftest.py's chromium; every browser context below stands for a different client behind our
    proxy (127.0.0.1)."""
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    return browser


def client_at(browser, address: str, locale: str = "en-US"):
    """A browser of its own (English: this machine's chromium has no CJK font for the screenshots)."""
    return browser.new_context(locale=locale, extra_http_headers={"X-Forwarded-For": address}).new_page()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def test_roles_the_second_factor_and_money_pages_in_a_browser(browser, live_server, time_machine):
    base = live_server.url
    unit = OperatingEntityFactory(unit__status=Unit.Status.ACTIVE, unit__display_name="三峡博物馆").unit
    operator = with_password(operator_of(unit))
    staff = with_password(reviewer())
    members = f"{base}/onboarding/units/{unit.uid}/members/"

    # An operator, without a money role, signs in with a password only and may invite operators only.
    op = client_at(browser, "198.51.100.10")
    browser_log_in(op, base, operator.username, PASSWORD)
    op.goto(members)
    assert op.locator("#id_role option").all_inner_texts() == ["Unit operator"]
    shot(op, "01-operator-members-page-offers-operator-only")
    op.fill("#id_email", "accomplice@example.cn")
    op.evaluate("document.querySelector('#id_role').add(new Option('finance', 'finance'))")  # a forged form
    op.select_option("#id_role", "finance")
    op.click("#invite button")
    op.wait_for_load_state("load")  # the click returns as the next page starts loading
    assert "Select a valid choice" in op.content()
    shot(op, "02-forged-finance-invitation-refused")
    assert not Invitation.objects.exists()

    # The operator invites a colleague as operator; the role attaches when the colleague accepts.
    op.goto(members)
    op.fill("#id_email", "li.hua@museum.example.cn")
    op.click("#invite button")
    assert not UnitMembership.objects.filter(user__email="li.hua@museum.example.cn").exists()
    colleague = client_at(browser, "198.51.100.20")
    colleague.goto(base + mailed_path(mail.outbox[-1].body, "/onboarding/invitations/"))
    shot(colleague, "03-invitation-set-password-to-accept")
    colleague.fill("#id_new_password1", PASSWORD)
    colleague.fill("#id_new_password2", PASSWORD)
    colleague.click("button[name=accept]")
    assert UnitMembership.objects.get(user__email="li.hua@museum.example.cn").role == "operator"

    # A platform reviewer signs in: sent to set up the authenticator first, then grants finance.
    rev = client_at(browser, "198.51.100.30")
    browser_log_in(rev, base, staff.username, PASSWORD)
    rev.goto(members)
    assert "/security/two-factor/" in rev.url
    assert rev.locator(".qr svg").count() == 1
    shot(rev, "04-reviewer-must-set-up-totp")
    browser_second_factor(rev, staff)
    assert rev.url == members
    row = rev.locator("tr", has_text="li.hua@museum.example.cn")
    row.locator("button", has_text="Offer the finance role").click()
    rev.wait_for_load_state("load")
    assert "once another platform reviewer endorses" in rev.content()
    assert "Endorse and mail the offer" not in rev.content()  # never by the one who offered it
    shot(rev, "05-reviewer-offered-finance")

    # A second platform reviewer endorses the offer; only then is it mailed, and it attaches on acceptance.
    second = with_password(reviewer())
    rev2 = client_at(browser, "198.51.100.31")
    browser_log_in(rev2, base, second.username, PASSWORD)
    rev2.goto(members)
    browser_second_factor(rev2, second)
    sent = len(mail.outbox)
    rev2.click("button:has-text('Endorse and mail the offer')")
    rev2.wait_for_load_state("load")
    assert "Offer endorsed and mailed" in rev2.content()
    shot(rev2, "05b-second-reviewer-endorsed")
    assert len(mail.outbox) == sent + 1
    colleague.goto(base + mailed_path(mail.outbox[-1].body, "/onboarding/invitations/"))
    colleague.click("button[name=accept]")

    # The new finance member is sent to set up TOTP before the payout page, then reaches it.
    payout = f"{base}/onboarding/units/{unit.uid}/payout/"
    colleague.goto(payout)
    assert "/security/two-factor/" in colleague.url
    shot(colleague, "06-finance-member-sent-to-totp-setup")
    li_hua = UnitMembership.objects.get(user__email="li.hua@museum.example.cn", role="finance").user
    browser_second_factor(colleague, li_hua)
    assert colleague.url == payout and colleague.locator("#id_payout_bank_name").count() == 1
    shot(colleague, "07-finance-member-reaches-payout-page")

    # Signed in again with the password alone: refused on money pages until the code is given.
    colleague.click("header form[action$='/logout/'] button")
    browser_log_in(colleague, base, li_hua.username, PASSWORD)
    for page in ("payout", "agreement", "designers"):
        colleague.goto(f"{base}/onboarding/units/{unit.uid}/{page}/")
        assert "/security/two-factor/verify/" in colleague.url, page
    colleague.goto(f"{base}/finance/")
    assert "/security/two-factor/verify/" in colleague.url
    shot(colleague, "08-password-only-session-refused-on-money-pages")
    # A code is accepted once: the phone shows the next one 30 seconds later.
    time_machine.move_to(datetime.now(UTC) + timedelta(seconds=31), tick=True)
    browser_second_factor(colleague, li_hua)
    assert colleague.url == f"{base}/finance/"

    actions = set(AccessEvent.objects.values_list("action", flat=True))
    assert {"invitation.sent", "invitation.accepted", "role.granted", "2fa.enrolled"} <= actions
    rev.goto(f"{base}/onboarding/access-log/")
    shot(rev, "09-access-log-for-platform-staff")


def test_fifty_wrong_staff_passwords_are_throttled_per_account_and_per_address(browser, live_server):
    base = live_server.url
    unit = OperatingEntityFactory(unit__status=Unit.Status.ACTIVE).unit
    target = with_password(operator_of(unit))
    colleague = with_password(operator_of(unit))

    attacker = client_at(browser, "203.0.113.66")
    locked_at = None
    for i in range(50):
        browser_log_in(attacker, base, target.username, f"guess-{i}")
        if locked_at is None and "Too many failed sign-in attempts" in attacker.content():
            locked_at = i + 1
    assert locked_at == 5
    shot(attacker, "10-staff-account-locked-after-5")

    owner = client_at(browser, "198.51.100.40", locale="zh-CN")
    browser_log_in(owner, base, target.username, PASSWORD)
    assert "登录失败次数过多" in owner.content()  # per account: the right password waits too (zh-Hans)
    other = client_at(browser, "198.51.100.41")
    browser_log_in(other, base, colleague.username, PASSWORD)
    assert "/office/units/" in other.url  # another account from another address is unaffected: its dashboard

    for i in range(15):  # the same address spraying accounts that do not exist: 5 + 15 = 20 failures
        browser_log_in(attacker, base, f"nobody{i}@example.cn", "123456")
    browser_log_in(attacker, base, colleague.username, PASSWORD)
    assert "Too many failed sign-in attempts" in attacker.content()  # per address: even a right password
    shot(attacker, "11-attacker-address-locked")
    assert AccessEvent.objects.filter(action="login.locked", user=target).exists()
    assert UserFactory._meta.model.objects.get(pk=colleague.pk).last_login is not None
