"""Lighthouse (mobile preset) on the unit dashboard, the order list and the statement: accessibility and best
practices at least 95 each, as issue 16 asks. Needs Lighthouse from npm: set LIGHTHOUSE_BIN to its command
(e.g. `npm install --prefix ~/lh lighthouse` then LIGHTHOUSE_BIN=~/lh/node_modules/.bin/lighthouse);
skipped without it. Reports are kept in tests/artifacts/office/lighthouse-*.json."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.lighthouse import below, needed

from .test_browser import SHOTS
from .test_browser_orders import selling_unit_signed_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("connections_closed"),
    needed,
]
CATEGORIES = ("accessibility", "best-practices")


def test_dashboard_orders_and_statement_score_at_least_95(client, live_server):
    unit = selling_unit_signed_in(client, payments=5, tag="lh")
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    pages = {
        "dashboard": f"/office/units/{unit.uid}/",
        "orders": f"/orders/units/{unit.uid}/orders/",
        "statement": f"/finance/statements/{unit.party_key}/",
    }
    low = {}
    for name, path in pages.items():
        low |= below(live_server.url, path, name=name, categories=CATEGORIES, shots=SHOTS, cookie=cookie)
    assert not low, low
