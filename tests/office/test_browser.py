"""The dashboard in chromium at 375 px and on a desktop: no horizontal overflow (shots in tests/artifacts)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from catalog.models import Listing
from core import clock
from tests.auth import browser_log_in
from tests.catalog.factories import active_unit, make_listing
from tests.unit_onboarding.factories import UserFactory
from unit_onboarding.models import UnitMembership

from .test_dashboard import sale

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Bronze-Mirror-1987"
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "office"  # gitignored


@pytest.mark.parametrize("width", [375, 1280])
def test_dashboard_fits_a_phone_and_a_desktop(browser, live_server, width):
    unit = active_unit("重庆中国三峡博物馆文创中心")
    user = UserFactory()
    user.set_password(PASSWORD)
    user.save()
    UnitMembership.objects.create(user=user, unit=unit, role=UnitMembership.Role.OPERATOR)
    sale(unit, (clock.now() - timedelta(hours=1)).isoformat(), 12800)
    listing = make_listing(unit, operator=user, name_zh="三峡纹样丝巾·限量版")
    Listing.objects.filter(pk=listing.pk).update(state=Listing.State.PENDING_REVIEW)
    page = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900}).new_page()

    browser_log_in(page, live_server.url, user.email, PASSWORD)
    page.wait_for_url(f"**/office/units/{unit.uid}/")

    assert page.locator("h1").inner_text() == "工作台"
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no horizontal overflow
    link_heights = page.eval_on_selector_all(".unit-nav a, header nav a", "as => as.map(a => a.offsetHeight)")
    assert max(link_heights) < 40  # no label wraps letter by letter
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"  # the first stop skips the header
    page.evaluate("document.activeElement.blur()")  # the picture shows the page, not the skip link
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"office-dashboard-{width}.png"), full_page=True)
