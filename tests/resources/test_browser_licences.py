"""A licence request in Debian's chromium: the designer asks from the object's public page (a bad term is
refused first), the unit's operator reviews and approves it, and a finance member confirms the licence.
Screenshots: tests/artifacts/resources/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connections

from catalog.models import IpLicence
from core import clock
from resources import designers
from resources.models import LicenceRequest
from tests.auth import browser_log_in, browser_second_factor
from tests.catalog.factories import active_unit
from tests.resources.helpers import library_object
from tests.unit_onboarding.factories import UserFactory, operator_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "resources"  # gitignored
PASSWORD = "correct horse battery staple"  # UserFactory's


def test_a_designer_requests_a_licence_and_the_unit_approves_it(live_server, browser):
    year = clock.today().year + 1  # a term in the future whatever day the suite runs
    SHOTS.mkdir(parents=True, exist_ok=True)
    museum = active_unit("三峡博物馆")
    bowl = library_object(museum, "M-003", title_zh="青花缠枝莲纹碗", category="ceramics", licensable=True)
    operator = operator_of(museum)
    finance = operator_of(museum, role="finance")
    wang = UserFactory(username="studio@shanshui.example.cn")
    designers.profile_save(
        user=wang, data={"display_name_zh": "山水设计工作室", "display_name_en": "Shanshui", "kind": "studio"}
    )
    base = live_server.url
    size = {"width": 1200, "height": 900}

    page = browser.new_context(locale="zh-CN", viewport=size).new_page()
    browser_log_in(page, base, wang.email, PASSWORD)
    page.goto(f"{base}/library/objects/{bowl.pk}/")
    page.click("text=申请授权")
    assert page.locator("h1").inner_text() == "申请授权"
    page.fill("[name=product]", "青花纹样书签")
    page.fill("[name=channels]", "本平台、自有网店")
    page.fill("[name=quantity]", "2000")
    page.fill("[name=royalty_percent]", "8.5")
    page.fill("[name=term_from]", f"{year}-06-01")
    page.fill("[name=term_until]", f"{year}-01-01")
    page.click("#licence-request-form button[type=submit]")
    assert "期限的结束日期不能早于开始日期。" in page.locator("#licence-request-form").inner_text()
    assert page.input_value("[name=product]") == "青花纹样书签"  # nothing typed is lost
    page.screenshot(path=str(SHOTS / "licence-01-request-refused.png"), full_page=True)
    page.fill("[name=term_until]", f"{year}-12-31")
    page.click("#licence-request-form button[type=submit]")
    assert page.url.endswith("/resources/me/")
    assert "等待单位答复" in page.locator("#requests").inner_text()
    page.screenshot(path=str(SHOTS / "licence-02-designer-page.png"), full_page=True)

    review = browser.new_context(locale="zh-CN", viewport=size).new_page()
    browser_log_in(review, base, operator.email, PASSWORD)
    review.goto(f"{base}/resources/units/{museum.uid}/licence-requests/")
    review.click("table a")
    assert "青花纹样书签" in review.locator(".request-facts").inner_text()
    assert review.input_value("#approve [name=royalty_percent]") == "8.5"  # the request's terms by default
    review.click("#decline button[type=submit]")
    assert "请填写拒绝理由" in review.locator("#decline").inner_text()
    review.screenshot(path=str(SHOTS / "licence-03-unit-review.png"), full_page=True)
    review.fill("#approve [name=royalty_percent]", "10")
    review.click("#approve button[type=submit]")
    assert "已通过" in review.locator("#request-status").inner_text()
    review.screenshot(path=str(SHOTS / "licence-04-unit-approved.png"), full_page=True)

    page.reload()
    assert "已通过" in page.locator("#requests").inner_text()
    assert "1000" in page.locator("#licences").inner_text()
    assert "等待第二人批准" in page.locator("#licences").inner_text()
    page.screenshot(path=str(SHOTS / "licence-05-designer-licence.png"), full_page=True)

    # The royalty applies once a finance member of the unit (a second person) confirms the licence.
    confirm = browser.new_context(locale="zh-CN", viewport=size).new_page()
    browser_log_in(confirm, base, finance.email, PASSWORD)
    confirm.goto(f"{base}/catalog/units/{museum.uid}/licences/")
    browser_second_factor(confirm, finance)
    row = confirm.locator("#licences tr", has_text="山水设计工作室")
    assert "等待第二人批准" in row.inner_text()
    confirm.screenshot(path=str(SHOTS / "licence-06-finance-confirms.png"), full_page=True)
    confirm.click(".licence-decision button[value=confirm]")
    assert "生效中" in confirm.locator("#licences tr", has_text="山水设计工作室").inner_text()
    confirm.screenshot(path=str(SHOTS / "licence-07-in-force.png"), full_page=True)
    page.reload()
    assert "生效中" in page.locator("#licences").inner_text()
    connections.close_all()
    licence = IpLicence.objects.get()
    assert (LicenceRequest.objects.get().licence, licence.royalty_bps) == (licence, 1000)
    assert (licence.status, licence.created_by, licence.decided_by) == ("in_force", operator, finance)
