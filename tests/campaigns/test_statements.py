"""Statements show a campaign's funds: its own row (what it held, released and still holds) and, on each
party's statement, what campaigns released to it; opening + sales + released - fees + refunds - payouts =
closing for every party. A unit's finance sees its campaigns' rows; another unit's does not.

By hand: three backings of 12,800 + 768 tax each, 30 % released at success on 30 November (Beijing)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from campaigns import services
from payments.settlement import statements, stats
from payments.settlement.periods import at_midnight
from payments.settlement.permissions import visible_parties
from tests.auth import login_verified
from tests.campaigns.conftest import END, draft, launch
from tests.campaigns.test_money import backing
from tests.orders.conftest import unit_with_agreement
from tests.unit_onboarding.factories import operator_of, platform_finance_user
from unit_onboarding.models import UnitMembership

pytestmark = pytest.mark.django_db
PERIOD = "?start=2026-11-01&end=2026-12-01"


@pytest.fixture
def released(live, deliver, time_machine, settings):
    settings.CAMPAIGN_RELEASE_AT_SUCCESS_BPS = 3000
    for n in range(3):
        deliver("order_fully_paid", backing(live, f"order-st{n}").payload())
    time_machine.move_to(END + services.DECIDE_GRACE, tick=False)
    services.campaigns_tick()
    return live


def test_the_campaigns_row_and_what_it_released_to_each_party(released):
    live = released
    unit, entity = live.unit.party_key, live.unit.operating_entity.party_key
    rows = {
        s.party: s
        for s in statements.statements(
            start=at_midnight(date(2026, 11, 1)), end=at_midnight(date(2026, 12, 1)), currency="CNY"
        )
    }
    held = rows[live.party_key]
    assert (held.sales, held.released, held.fees, held.refunds, held.closing) == (
        3 * 13_568,  # what the backers paid for the tier lines and their tax: held
        -3 * (3_840 + 768),  # 30 % of each line and its tax, released
        0,
        0,
        3 * 8_960,  # still held
    )
    assert (rows[unit].sales, rows[unit].released, rows[unit].closing) == (0, 3 * 2_304, 3 * 2_304)
    assert (rows[entity].released, rows[entity].closing) == (3 * (960 + 768), 3 * (960 + 768))
    assert rows["platform"].released == 3 * 384
    for s in rows.values():
        assert s.opening + s.sales + s.released - s.fees + s.refunds - s.payouts == s.closing, s.party


def test_a_units_finance_sees_its_campaigns_held_funds_and_another_unit_does_not(client, released):
    live = released
    finance = operator_of(live.unit, UnitMembership.Role.FINANCE)
    other = operator_of(unit_with_agreement(13), UnitMembership.Role.FINANCE)
    assert live.party_key in visible_parties(finance)
    assert live.party_key not in visible_parties(other)
    page = reverse("finance:statement", args=[live.party_key]) + PERIOD
    login_verified(client, finance)
    text = client.get(page).content.decode()
    assert "268.80" in text  # still held: 3 x 89.60
    home = client.get(reverse("finance:home") + PERIOD).content.decode()
    assert live.party_key in home and "69.12" in home  # the unit's released 3 x 23.04
    login_verified(client, other)
    assert client.get(page).status_code == 404
    assert live.party_key not in client.get(reverse("finance:home") + PERIOD).content.decode()
    login_verified(client, platform_finance_user())
    assert client.get(page).status_code == 200


def test_bureau_statistics_count_campaigns_launched_by_unit_and_unit_type(client, released):
    live = released
    draft(unit_with_agreement(14), goal_amount=10_000)  # never launched: not counted
    later = {"starts_at": END, "ends_at": END + timedelta(days=10), "estimated_delivery": date(2027, 2, 1)}
    other = launch(draft(unit_with_agreement(15), goal_backers=5, **later))  # launched, no backer yet
    figures = stats.bureau_stats(
        start=at_midnight(date(2026, 11, 1)), end=at_midnight(date(2026, 12, 1)), currency="CNY"
    )
    assert figures.campaigns_by_unit[str(live.unit)] == {
        "launched": 1,
        "succeeded": 1,
        "raised": 3 * 13_568,
        "backers": 3,
    }
    assert figures.campaigns_by_unit[str(other.unit)] == {
        "launched": 1,
        "succeeded": 0,
        "raised": 0,
        "backers": 0,
    }
    assert figures.campaigns_total == {"launched": 2, "succeeded": 1, "raised": 3 * 13_568, "backers": 3}
    kind = stats.type_name(live.unit.unit_type)
    assert figures.campaigns_by_type[kind]["launched"] == 1 + (other.unit.unit_type == live.unit.unit_type)
    rows = stats.stats_rows(figures)
    assert [r[3] for r in rows if r[:2] == ("campaigns_raised_by_unit", str(live.unit))] == [40_704]
    # October: none launched
    october = stats.bureau_stats(
        start=at_midnight(date(2026, 10, 1)), end=at_midnight(date(2026, 11, 1)), currency="CNY"
    )
    assert october.campaigns_total["launched"] == 0

    login_verified(client, platform_finance_user())
    page = client.get(reverse("finance:stats") + PERIOD).content.decode()
    assert "407.04" in page  # raised, in yuan


def test_a_campaigns_row_is_named_by_its_title_on_pages_exports_and_the_audit_trail(client, released):
    live = released
    login_verified(client, platform_finance_user())
    held = f"{live.title_zh} · 众筹暂存款"

    home = client.get(reverse("finance:home") + PERIOD).content.decode()
    assert f">{held}</a>" in home  # the row's link reads the title; the key stays small beneath it
    statement = client.get(reverse("finance:statement", args=[live.party_key]) + PERIOD).content.decode()
    assert held in statement
    csv = client.get(reverse("finance:statement_export", args=[live.party_key, "csv"]) + PERIOD)
    header, row = csv.content.decode("utf-8-sig").splitlines()[:2]
    assert header.startswith("分成方,账户,")
    assert row.startswith(f"{held},{live.party_key},0.00,407.04,")
    audit = client.get(reverse("finance:audit")).content.decode()
    assert f"{held}<br><small>{live.party_key}</small>" in audit  # the decision's audit record

    english = client.get(reverse("finance:home") + PERIOD, HTTP_ACCEPT_LANGUAGE="en")
    assert f"{live.title_en} · crowdfunding campaign, held" in english.content.decode()
