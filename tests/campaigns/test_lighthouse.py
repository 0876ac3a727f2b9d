"""Lighthouse (mobile preset) on a live campaign's public page, in Chinese and in English: accessibility, best
practices and SEO at least 95 each. Skipped without LIGHTHOUSE_BIN (tests/lighthouse.py); reports are kept in
tests/artifacts/campaigns/lighthouse-*.json."""

from __future__ import annotations

import pytest
from django.db import connections

from tests.campaigns.conftest import NOW
from tests.campaigns.test_browser import SHOTS
from tests.campaigns.test_money import backing
from tests.lighthouse import below, needed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needed]
CATEGORIES = ("accessibility", "best-practices", "seo")


def test_the_campaign_page_scores_at_least_95(live_server, live, deliver, time_machine, monkeypatch):
    time_machine.move_to(NOW, tick=True)
    # The live server's request threads close their connections, or the test database cannot be dropped.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    deliver("order_fully_paid", backing(live, "order-lh", quantity=2).payload())
    low = {}
    for name, prefix in (("campaign", ""), ("campaign-en", "/en")):
        path = f"{prefix}/campaigns/{live.uid}/"
        low |= below(live_server.url, path, name=name, categories=CATEGORIES, shots=SHOTS)
    connections.close_all()
    assert not low, low
