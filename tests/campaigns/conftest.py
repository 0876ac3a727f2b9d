"""A museum with an agreement in force, a listing with two variants, a live campaign selling one."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest

from campaigns import services
from campaigns.models import Campaign
from tests.catalog.factories import curator, make_listing
from tests.orders.conftest import app, deliver, unit_with_agreement  # noqa: F401 (app, deliver: fixtures)
from tests.unit_onboarding.factories import operator_of

# Business time of these tests: a Friday afternoon in Beijing (the clock is moved here, tick off).
NOW = datetime.fromisoformat("2026-11-20T06:00:00+00:00")
START = NOW
END = NOW + timedelta(days=10)  # 2026-11-30 14:00 Beijing


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def draft(unit, *, goal_amount=None, goal_backers=None, limit=None, operator=None, listing=None, **extra):
    operator = operator or operator_of(unit)
    tag = uuid.uuid4().hex[:6]
    listing = listing or make_listing(unit, operator, skus=(f"SKU-cl-{tag}", f"SKU-plain-{tag}"))
    tier_variant = listing.variants.order_by("pk").first()
    return services.campaign_save(
        unit=unit,
        actor=operator,
        listing=listing,
        title_zh="千里江山图折扇众筹",
        title_en="A Thousand Li of Rivers and Mountains: a folding fan",
        story_zh="以馆藏为本 复刻青绿山水",
        story_en="Blue-green landscape from the collection.",
        goal_kind=Campaign.Goal.AMOUNT if goal_backers is None else Campaign.Goal.BACKERS,
        goal_amount=goal_amount if goal_backers is None else None,
        goal_backers=goal_backers,
        starts_at=extra.get("starts_at", START),
        ends_at=extra.get("ends_at", END),
        estimated_delivery=extra.get("estimated_delivery", date(2027, 1, 15)),
        tiers=[(tier_variant.pk, limit)],
    )


def launch(campaign, reviewer=None) -> Campaign:
    operator = campaign.created_by
    services.campaign_submit(campaign=campaign, actor=operator)
    return services.campaign_review(campaign=campaign, reviewer=reviewer or curator(), approve=True)


@pytest.fixture
def museum():
    return unit_with_agreement(7)


@pytest.fixture
def live(museum):
    """A live campaign of the museum, goal 300.00 yuan, its tier limited to 5."""
    return launch(draft(museum, goal_amount=30_000, limit=5))
