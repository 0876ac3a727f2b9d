"""Lighthouse (mobile preset) on a live campaign's public page, in Chinese and in English: accessibility, best
practices and SEO at least 95 each. Skipped without LIGHTHOUSE_BIN (tests/lighthouse.py); reports are kept in
tests/artifacts/campaigns/lighthouse-*.json."""

from __future__ import annotations

import pytest

from tests.campaigns.conftest import NOW
from tests.campaigns.test_browser import SHOTS
from tests.campaigns.test_money import backing
from tests.lighthouse import below, needed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("connections_closed"),
    needed,
]
CATEGORIES = ("accessibility", "best-practices", "seo")


def test_the_campaign_page_scores_at_least_95(live_server, live, deliver, time_machine):
    time_machine.move_to(NOW, tick=True)
    deliver("order_fully_paid", backing(live, "order-lh", quantity=2).payload())
    low = {}
    for name, prefix in (("campaign", ""), ("campaign-en", "/en")):
        path = f"{prefix}/campaigns/{live.uid}/"
        low |= below(live_server.url, path, name=name, categories=CATEGORIES, shots=SHOTS)
    assert not low, low
