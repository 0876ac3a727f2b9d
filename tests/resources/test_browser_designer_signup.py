"""A brand-new designer in Debian's chromium: signs up from the designer pages (the mailed link confirms the
address), fills the designer profile, claims the registration a unit's finance member mails them, then asks
for a licence that the unit's operator declines with a reason (page and mail), and on a later visit finds
their page from the navigation (it had no link there before this test).
Screenshots: tests/artifacts/resources/signup-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connections

from core import clock
from resources.models import DesignerProfile, LicenceRequest
from tests.auth import browser_log_in, browser_second_factor, mailed_path
from tests.catalog.factories import active_unit
from tests.resources.helpers import library_object
from tests.resources.test_browser_licences import PASSWORD
from tests.unit_onboarding.factories import DesignerFactory, operator_of
from unit_onboarding.models import Designer, DesignerClaim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "resources"  # gitignored
NEW_PASSWORD = "Blue-and-White-Lotus-1426"
EMAIL = "li.wen@studio.example.cn"


def test_a_new_designer_signs_up_claims_a_registration_and_is_declined_a_licence(live_server, browser):
    year = clock.today().year + 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    museum = active_unit("三峡博物馆")
    bowl = library_object(museum, "M-007", title_zh="青花缠枝莲纹碗", category="ceramics", licensable=True)
    operator = operator_of(museum)
    finance = operator_of(museum, role="finance")
    registration = DesignerFactory(unit=museum, slug="li-wen", name_zh="李文", name_en="Li Wen")
    base = live_server.url
    size = {"width": 1200, "height": 900}

    # 1. Sign-up from the designer pages: the address first, the account only through the mailed link.
    page = browser.new_context(locale="zh-CN", viewport=size).new_page()
    page.goto(f"{base}/onboarding/signup/?next=/resources/me/profile/")
    page.fill("#id_email", "Li.Wen@Studio.example.cn")
    page.screenshot(path=str(SHOTS / "signup-01-address.png"), full_page=True)
    page.click("main button[type=submit]")
    page.wait_for_load_state("load")  # the click returns as the next page starts loading
    assert "请查收邮件" in page.content()
    assert len(mail.outbox) == 1 and mail.outbox[0].to[0].lower() == EMAIL
    page.goto(base + mailed_path(mail.outbox[-1].body, "/onboarding/signup/"))
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.click("main button[type=submit]")
    connections.close_all()
    browser_second_factor(page, get_user_model().objects.get(email=EMAIL))  # if the flow asks for one
    assert page.url.endswith("/resources/me/profile/"), page.url  # the sign-up's ?next= is kept
    page.click("main form button[type=submit]")  # empty: refused, nothing saved
    assert not DesignerProfile.objects.exists()
    page.fill("[name=display_name_zh]", "李文设计")
    page.fill("[name=display_name_en]", "Li Wen Design")
    page.select_option("[name=kind]", "individual")
    page.fill("[name=bio]", "以长江流域馆藏纹样为灵感的文创设计。")
    page.fill("[name=website]", "liwen.example.cn")
    page.screenshot(path=str(SHOTS / "signup-02-profile.png"), full_page=True)
    page.click("main form button[type=submit]")
    assert page.url.endswith("/resources/me/"), page.url
    assert "李文设计 · Li Wen Design" in page.locator("#profile").inner_text()
    assert page.locator("#registrations").count() == 0  # nothing claimed yet
    connections.close_all()
    profile = DesignerProfile.objects.get()
    assert (profile.account.email, profile.kind, profile.website) == (
        EMAIL,
        "individual",
        "https://liwen.example.cn",
    )

    # 2. The unit's finance member mails the claim link for the unit's registration "李文" to that address.
    desk = browser.new_context(locale="zh-CN", viewport=size).new_page()
    browser_log_in(desk, base, finance.email, PASSWORD)
    desk.goto(f"{base}/onboarding/units/{museum.uid}/designers/{registration.slug}/")
    browser_second_factor(desk, finance)
    assert desk.url.endswith(f"/designers/{registration.slug}/"), desk.url
    desk.fill("#designer-claim [name=email]", EMAIL)
    desk.click("#designer-claim button[type=submit]")
    assert f"等待 {EMAIL} 接受。" in desk.locator("#designer-claim").inner_text()
    desk.screenshot(path=str(SHOTS / "signup-03-claim-sent.png"), full_page=True)
    claim_mail = mail.outbox[-1]
    assert claim_mail.to == [EMAIL] and "李文" in claim_mail.body

    page.goto(base + mailed_path(claim_mail.body, "/onboarding/designers/claim/"))
    assert "三峡博物馆" in page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / "signup-04-claim-page.png"), full_page=True)
    page.click("main button[name=accept]")
    assert page.url.endswith("/resources/me/"), page.url
    assert "designer:li-wen" in page.locator("#registrations").inner_text()
    assert "三峡博物馆" in page.locator("#registrations").inner_text()
    page.screenshot(path=str(SHOTS / "signup-05-claimed.png"), full_page=True)
    connections.close_all()
    registration = Designer.objects.get(pk=registration.pk)
    assert registration.account == profile.account and registration.claimed_at is not None
    assert DesignerClaim.objects.get().status == "accepted"
    desk.reload()
    assert f"{EMAIL}" in desk.locator("#designer-claim").inner_text()
    assert desk.locator("#designer-claim form").count() == 0  # claimed: no second offer
    page.goto(f"{base}/resources/me/statement/")
    assert "designer:li-wen" in page.locator("main").inner_text()

    # 3. A licence request, declined by the unit's operator with a reason.
    page.goto(f"{base}/library/objects/{bowl.pk}/")
    page.click("text=申请授权")
    page.fill("[name=product]", "缠枝莲纹丝巾")
    page.fill("[name=channels]", "本平台")
    page.fill("[name=quantity]", "500")
    page.fill("[name=royalty_percent]", "6")
    page.fill("[name=term_from]", f"{year}-03-01")
    page.fill("[name=term_until]", f"{year}-12-31")
    page.click("#licence-request-form button[type=submit]")
    assert page.url.endswith("/resources/me/"), page.url
    assert "等待单位答复" in page.locator("#requests").inner_text()
    assert sorted(m.to[0] for m in mail.outbox[-2:]) == sorted(
        [operator.email, finance.email]
    )  # the unit told

    review = browser.new_context(locale="zh-CN", viewport=size).new_page()
    browser_log_in(review, base, operator.email, PASSWORD)
    review.goto(f"{base}/resources/units/{museum.uid}/licence-requests/")
    review.click("table a")
    assert "李文设计" in review.locator(".request-facts").inner_text()
    reason = "该纹样已独家授权他人至明年年底。"
    review.fill("#decline [name=reason]", reason)
    review.screenshot(path=str(SHOTS / "signup-06-unit-declines.png"), full_page=True)
    review.click("#decline button[type=submit]")
    assert "已拒绝" in review.locator("#request-status").inner_text()
    assert reason in review.locator("#request-status").inner_text()
    assert review.locator("#approve").count() == 0

    page.reload()
    row = page.locator("#requests tr", has_text="缠枝莲纹丝巾")
    assert "已拒绝" in row.inner_text() and reason in row.inner_text()
    assert row.locator("button").count() == 0  # nothing left to withdraw
    empty = page.locator("#licences td")
    assert empty.inner_text() == "暂无授权。"
    assert empty.bounding_box()["width"] == page.locator("#licences tr").first.bounding_box()["width"]
    page.screenshot(path=str(SHOTS / "signup-07-designer-declined.png"), full_page=True)
    declined = mail.outbox[-1]
    assert declined.to == [EMAIL]
    assert "拒绝" in declined.subject and reason in declined.body and "/resources/me/" in declined.body
    connections.close_all()
    request = LicenceRequest.objects.get()
    assert (request.status, request.decided_by, request.decline_reason, request.licence) == (
        "declined",
        operator,
        reason,
        None,
    )

    # 4. Another day: the designer logs in again and finds their page from the navigation.
    again = browser.new_context(locale="zh-CN", viewport=size).new_page()
    again.goto(f"{base}/onboarding/login/")
    again.fill("#id_username", EMAIL)
    again.fill("#id_password", NEW_PASSWORD)
    again.click("main button[type=submit]")
    again.screenshot(path=str(SHOTS / "signup-08-back-again.png"), full_page=True)
    again.click("header nav >> text=我的设计者主页")
    assert again.url.endswith("/resources/me/"), again.url
    assert "已拒绝" in again.locator("#requests").inner_text()
    assert review.locator("header nav >> text=我的设计者主页").count() == 0  # not offered to unit staff
