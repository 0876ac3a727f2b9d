"""Platform campaigns: proposed and approved by two members of platform finance, created in Saleor (at the
HTTP edge), joined by units' operators product by product (their own only), funded as the campaign says
(versioned, frozen at payment); the ledger of a two-unit order under a 50/50 split against a hand
calculation (agreement: unit 60 %, operating entity 25 %, staff pool 5 %, platform 10 %)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import respx
from django.db import IntegrityError, transaction

from payments import selectors as ledger
from payments.error_codes import FundingError, FundingErrorCode
from payments.funding.models import DiscountFundingVersion
from payments.models import FinanceAuditEvent, SplitLine
from payments.settlement.statements import statements
from payments.settlement.stats import FestivalFigures, bureau_stats, stats_rows
from promotions import campaigns, selectors, services
from promotions.error_codes import PromotionError
from promotions.error_codes import PromotionErrorCode as Code
from promotions.models import CampaignOptIn, PlatformCampaign, UnitPromotion
from saleor_app.client import SaleorClient
from saleor_app.models import WebhookEvent
from tests.orders.payloads import SaleorOrder
from tests.promotions.shop_double import API, CAMPAIGN, campaign_saleor, mirror_and_fan, owed
from tests.unit_onboarding.factories import platform_finance_user

from .test_unit_promotions import PROPOSED_AT, approve, propose

pytestmark = pytest.mark.django_db
FESTIVAL_START = PROPOSED_AT + timedelta(days=1)
FESTIVAL_END = PROPOSED_AT + timedelta(days=20)


def saleor(call, fake=None):
    fake = fake if fake is not None else campaign_saleor()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=fake)
        return call(SaleorClient(API, "t"))


def campaign_proposed(actor, **terms) -> PlatformCampaign:
    defaults = {
        "name": "国际博物馆日",
        "reward": "percentage",
        "value": 20,
        "funder": "split",
        "platform_bps": 5_000,
        "starts_at": FESTIVAL_START,
        "ends_at": FESTIVAL_END,
    }
    return campaigns.campaign_propose(actor=actor, **{**defaults, **terms})


def campaign_live(a, b, fake=None, **terms) -> PlatformCampaign:
    campaign = campaign_proposed(a, **terms)
    return saleor(lambda c: campaigns.campaign_approve(campaign_id=campaign.pk, actor=b, client=c), fake)


def opt_in(campaign, unit, actor, listing, fake=None) -> CampaignOptIn:
    return saleor(
        lambda c: campaigns.campaign_opt_in(
            campaign_id=campaign.pk, unit=unit, listing_id=listing.pk, actor=actor, client=c
        ),
        fake,
    )


def refused(code, call) -> PromotionError:
    with pytest.raises(PromotionError) as caught:
        call()
    assert caught.value.code == code, caught.value.message
    return caught.value


def two_unit_order(museum, library, order_id, paid_at) -> SaleorOrder:
    """The museum's mirror 2 x 100.00 and the library's fan 100.00, each 20 % off by the campaign."""
    return mirror_and_fan(
        museum,
        library,
        order_id,
        paid_at,
        promotion=CAMPAIGN,
        name="国际博物馆日",
        mirror_off=4_000,
        fan_off=2_000,
    )


def test_a_campaign_split_50_50_is_created_in_saleor_joined_by_two_units_and_split_in_the_ledger(
    world, deliver, time_machine
):
    museum, library, people, mirror, fan = world
    a, b = platform_finance_user(), platform_finance_user()
    fake = campaign_saleor()
    campaign = campaign_live(a, b, fake)

    assert campaign.status == PlatformCampaign.Status.LIVE and campaign.funding_key == CAMPAIGN
    created = dict(fake.calls)["PromotionCreate"]["input"]
    assert created["type"] == "CATALOGUE" and created["rules"] == []
    assert (created["startDate"], created["endDate"]) == (
        "2026-11-21T02:00:00+00:00",
        "2026-12-10T02:00:00+00:00",
    )
    version = DiscountFundingVersion.objects.get(funding__key=CAMPAIGN)
    assert (version.number, version.funder, version.platform_bps) == (1, "split", 5_000)
    assert (version.proposed_by, version.decided_by, version.status) == (a, b, "approved")

    rules = campaign_saleor()
    opt_in(campaign, museum, people["operator"], mirror, rules)
    opt_in(campaign, library, people["library_operator"], fan, rules)
    rule_inputs = [v["input"] for name, v in rules.calls if name == "CampaignRuleCreate"]
    assert [r["cataloguePredicate"] for r in rule_inputs] == [
        {"productPredicate": {"ids": ["UHJvZHVjdDoxMDE="]}},
        {"productPredicate": {"ids": ["UHJvZHVjdDoyMDI="]}},
    ]
    assert {(r["promotion"], r["rewardValueType"], r["rewardValue"]) for r in rule_inputs} == {
        (CAMPAIGN, "PERCENTAGE", "20")
    }
    assert CampaignOptIn.objects.count() == 2

    time_machine.move_to(datetime.fromisoformat("2026-11-27T10:05:00+00:00"), tick=False)
    order = two_unit_order(museum, library, "order-c1", "2026-11-27T10:05:00+00:00")
    event = deliver("order_fully_paid", order.payload())
    assert event.status == WebhookEvent.Status.DONE, event.last_error

    # hand calculation: discounts 40.00 (museum) and 20.00 (library), half each funded by the platform;
    # the museum's parties share 160.00 + 20.00 = 180.00, the library's 80.00 + 10.00 = 90.00 (60/25/5/10 %);
    # the platform: 18.00 + 9.00 of share, less the 30.00 it funds
    m, l_ = museum, library
    expected = owed(museum, (10_800, 4_500, 900), library, (5_400, 2_250, 450), platform=1_800 + 900 - 3_000)
    assert ledger.party_owed(currency="CNY") == expected
    assert sum(expected.values()) == 24_000 == order.total
    assert set(
        SplitLine.objects.filter(line_kind="discount").values_list("agreement_version", flat=True)
    ) == {version.ref}
    assert ledger.transactions_unbalanced() == []

    rows, total = selectors.campaign_report(campaign)
    assert [(str(r.unit), r.gross, r.discount, r.platform_funded, r.unit_funded, r.net) for r in rows] == [
        (str(museum), 20_000, 4_000, 2_000, 2_000, 18_000),
        (str(library), 10_000, 2_000, 1_000, 1_000, 9_000),
    ]
    assert (len(total.orders), total.gross, total.discount, total.platform_funded, total.paid) == (
        1,
        30_000,
        6_000,
        3_000,
        24_000,
    )
    # the units' statements show what the platform funded on their lines; the platform's its funding
    rows_by_party = {
        row.party: row
        for row in statements(
            start=datetime.fromisoformat("2026-10-31T16:00:00+00:00"),
            end=datetime.fromisoformat("2026-11-30T16:00:00+00:00"),
            currency="CNY",
        )
    }
    assert (rows_by_party[m.party_key].funded_on_lines, rows_by_party[l_.party_key].funded_on_lines) == (
        2_000,
        1_000,
    )
    assert rows_by_party["platform"].platform_funded == -3_000
    assert rows_by_party[m.operating_entity.party_key].funded_on_lines == 0  # shown once, on the unit's
    # the bureau's statistics of November (Beijing) show the campaign's sales
    stats = bureau_stats(
        start=datetime.fromisoformat("2026-10-31T16:00:00+00:00"),
        end=datetime.fromisoformat("2026-11-30T16:00:00+00:00"),
        currency="CNY",
    )
    assert stats.festivals == [FestivalFigures("国际博物馆日", 1, 24_000, 6_000, 3_000)]
    assert (
        "platform_campaign_platform_funded",
        "国际博物馆日",
        "2026-10-31..2026-11-30",
        3_000,
    ) in stats_rows(stats)

    # one mirror given back (its discounted price, 80.00): the report shows it refunded and the museum's
    # parties' net halved (18,000 -> 9,000: the platform's funding left on the line is 1,000 of 2,000)
    order.refund_granted("refund-1", 8_000, "2026-11-28T09:00:00+00:00", lines=(("order-c1-a", 1),))
    event = deliver("order_refunded", order.payload(issued_at="2026-11-28T09:01:00+00:00"))
    assert event.status == WebhookEvent.Status.DONE, event.last_error
    rows, total = selectors.campaign_report(campaign)
    assert [(str(r.unit), r.paid, r.platform_funded, r.refunded, r.net) for r in rows] == [
        (str(museum), 16_000, 2_000, 8_000, 9_000),
        (str(library), 8_000, 1_000, 0, 9_000),
    ]
    assert (total.refunded, total.net) == (8_000, 18_000)
    assert ledger.transactions_unbalanced() == []


def test_the_funding_in_force_at_payment_is_frozen_and_a_change_needs_a_second_person(
    world, deliver, time_machine, django_assert_max_num_queries
):
    museum, library, people, mirror, fan = world
    a, b, c = platform_finance_user(), platform_finance_user(), platform_finance_user()
    campaign = campaign_live(a, b)
    opt_in(campaign, museum, people["operator"], mirror)
    opt_in(campaign, library, people["library_operator"], fan)
    time_machine.move_to(datetime.fromisoformat("2026-11-27T10:05:00+00:00"), tick=False)
    deliver("order_fully_paid", two_unit_order(museum, library, "o1", "2026-11-27T10:05:00+00:00").payload())
    v1 = DiscountFundingVersion.objects.get(funding__key=CAMPAIGN, number=1)

    # the platform now funds it all: proposed by a, refused to a, approved by b; a rival proposal is stale
    time_machine.move_to(datetime.fromisoformat("2026-11-28T02:00:00+00:00"), tick=False)
    v2 = campaigns.campaign_funding_propose(campaign_id=campaign.pk, actor=a, funder="platform")
    rival = campaigns.campaign_funding_propose(campaign_id=campaign.pk, actor=c, funder="unit")
    with pytest.raises(FundingError) as own:
        campaigns.campaign_funding_approve(campaign_id=campaign.pk, version_id=v2.pk, actor=a)
    assert own.value.code == FundingErrorCode.FOUR_EYES
    with pytest.raises(IntegrityError, match="discount_funding_four_eyes"), transaction.atomic():
        DiscountFundingVersion.objects.filter(pk=v2.pk).update(
            status="approved", decided_by=a, decided_at=PROPOSED_AT, effective_from=PROPOSED_AT
        )
    campaigns.campaign_funding_approve(campaign_id=campaign.pk, version_id=v2.pk, actor=b)
    with pytest.raises(FundingError) as stale:
        campaigns.campaign_funding_approve(campaign_id=campaign.pk, version_id=rival.pk, actor=b)
    assert stale.value.code == FundingErrorCode.STALE
    assert list(
        FinanceAuditEvent.objects.filter(subject=v2.ref).order_by("pk").values_list("action", flat=True)
    ) == ["discount_funding.proposed", "discount_funding.approved"]

    time_machine.move_to(datetime.fromisoformat("2026-11-29T10:05:00+00:00"), tick=False)
    deliver("order_fully_paid", two_unit_order(museum, library, "o2", "2026-11-29T10:05:00+00:00").payload())

    frozen = dict(
        SplitLine.objects.filter(line_kind="discount", amount__lt=0).values_list(
            "line_ref", "agreement_version"
        )
    )
    assert frozen == {
        "o1-a:discount": v1.ref,
        "o1-b:discount": v1.ref,
        "o2-a:discount": v2.ref,
        "o2-b:discount": v2.ref,
    }
    with django_assert_max_num_queries(3):
        rows, total = selectors.campaign_report(campaign)
    # o1: half of 60.00 by the platform; o2: all of it
    assert (len(total.orders), total.discount, total.platform_funded, total.unit_funded) == (
        2,
        12_000,
        3_000 + 6_000,
        3_000,
    )
    assert [(r.platform_funded, r.net) for r in rows] == [(2_000 + 4_000, 18_000 + 20_000), (3_000, 19_000)]
    assert ledger.transactions_unbalanced() == []


def test_a_campaign_is_approved_by_another_member_of_platform_finance_once(world):
    _museum, _library, people, _mirror, _fan = world
    a, b = platform_finance_user(), platform_finance_user()
    refused(Code.CAMPAIGN_NOT_ALLOWED, lambda: campaign_proposed(people["operator"]))
    refused(Code.CAMPAIGN_FUNDER_INVALID, lambda: campaign_proposed(a, platform_bps=10_000))
    refused(Code.CAMPAIGN_FUNDER_INVALID, lambda: campaign_proposed(a, funder="nobody"))
    refused(Code.DATES_INVALID, lambda: campaign_proposed(a, ends_at=FESTIVAL_START))
    refused(Code.VALUE_INVALID, lambda: campaign_proposed(a, value=95))
    campaign = campaign_proposed(a)
    fake = campaign_saleor()
    refused(
        Code.CAMPAIGN_APPROVER_IS_PROPOSER,
        lambda: saleor(
            lambda c: campaigns.campaign_approve(campaign_id=campaign.pk, actor=a, client=c), fake
        ),
    )
    refused(
        Code.CAMPAIGN_NOT_ALLOWED,
        lambda: saleor(
            lambda c: campaigns.campaign_approve(campaign_id=campaign.pk, actor=people["finance"], client=c),
            fake,
        ),
    )
    assert fake.calls == []
    saleor(lambda c: campaigns.campaign_approve(campaign_id=campaign.pk, actor=b, client=c))
    refused(
        Code.CAMPAIGN_STALE,
        lambda: saleor(lambda c: campaigns.campaign_approve(campaign_id=campaign.pk, actor=b, client=c)),
    )
    actions = list(
        FinanceAuditEvent.objects.filter(subject=f"platform_campaign:{campaign.uid}")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "platform_campaign.proposed",
        "platform_campaign.approved",
        "platform_campaign.created",
    ]


def test_the_database_refuses_a_campaign_decided_by_its_proposer(world):
    a = platform_finance_user()
    campaign = campaign_proposed(a)
    with pytest.raises(IntegrityError, match="platform_campaign_four_eyes"), transaction.atomic():
        PlatformCampaign.objects.filter(pk=campaign.pk).update(
            status="live", decided_by=a, decided_at=PROPOSED_AT
        )


def test_saleors_refusal_leaves_the_campaign_failed_and_unfunded(world):
    a, b = platform_finance_user(), platform_finance_user()
    campaign = campaign_live(
        a, b, campaign_saleor(errors=[{"field": "name", "code": "INVALID", "message": "no"}])
    )
    assert campaign.status == PlatformCampaign.Status.FAILED and "no" in campaign.last_error
    assert not DiscountFundingVersion.objects.exists()


def test_opting_in_another_units_product_after_the_end_or_twice_is_refused(world, time_machine):
    museum, library, people, mirror, fan = world
    campaign = campaign_live(platform_finance_user(), platform_finance_user())
    error = refused(Code.LISTING_OF_ANOTHER_UNIT, lambda: opt_in(campaign, museum, people["operator"], fan))
    assert "本单位自己的商品" in error.message
    refused(Code.NOT_ALLOWED, lambda: opt_in(campaign, museum, people["library_operator"], mirror))
    refused(Code.NOT_ALLOWED, lambda: opt_in(campaign, museum, people["finance"], mirror))  # operators opt in
    opt_in(campaign, museum, people["operator"], mirror)
    refused(Code.CAMPAIGN_ALREADY_IN, lambda: opt_in(campaign, museum, people["operator"], mirror))
    time_machine.move_to(FESTIVAL_END, tick=False)
    error = refused(Code.CAMPAIGN_ENDED, lambda: opt_in(campaign, library, people["library_operator"], fan))
    assert "国际博物馆日" in error.message
    pending = campaign_proposed(platform_finance_user(), ends_at=FESTIVAL_END + timedelta(days=5))
    refused(Code.CAMPAIGN_NOT_LIVE, lambda: opt_in(pending, library, people["library_operator"], fan))
    assert CampaignOptIn.objects.count() == 1


def test_a_unit_sale_and_a_not_combinable_campaign_never_overlap_on_a_product(world):
    museum, library, people, mirror, fan = world
    strict = campaign_live(platform_finance_user(), platform_finance_user())
    opt_in(strict, museum, people["operator"], mirror)

    # the museum's own sale on the mirror during the campaign: refused at proposal
    error = refused(Code.CAMPAIGN_NOT_COMBINABLE, lambda: propose(museum, people["operator"], [mirror]))
    assert "国际博物馆日" in error.message
    # after the campaign: fine
    after = propose(
        museum, people["operator"], [mirror], starts_at=FESTIVAL_END, ends_at=FESTIVAL_END + timedelta(days=3)
    )
    assert after.status == UnitPromotion.Status.PROPOSED

    # the library's sale runs first; its fan cannot then join the strict campaign
    sale = propose(library, people["library_operator"], [fan])
    approve(sale, people["library_finance"])
    fake = campaign_saleor()
    error = refused(
        Code.CAMPAIGN_NOT_COMBINABLE, lambda: opt_in(strict, library, people["library_operator"], fan, fake)
    )
    assert fake.calls == []
    # a combinable campaign takes it
    open_ = campaign_live(
        platform_finance_user(),
        platform_finance_user(),
        campaign_saleor(promotion_id="UHJvbW90aW9uOjI="),
        combinable=True,
    )
    opt_in(open_, library, people["library_operator"], fan)


def test_a_pending_unit_sale_blocks_the_opt_in_until_it_is_withdrawn(world):
    museum, _library, people, mirror, _fan = world
    sale = propose(museum, people["operator"], [mirror])
    strict = campaign_live(platform_finance_user(), platform_finance_user())
    error = refused(Code.CAMPAIGN_NOT_COMBINABLE, lambda: opt_in(strict, museum, people["operator"], mirror))
    assert sale.name in error.message
    services.promotion_withdraw(promotion_id=sale.pk, actor=people["operator"])
    assert opt_in(strict, museum, people["operator"], mirror).saleor_rule_id


def test_two_campaigns_overlap_on_a_product_only_when_both_allow_it(world, time_machine):
    museum, _library, people, mirror, _fan = world
    first = campaign_live(platform_finance_user(), platform_finance_user(), combinable=True)
    opt_in(first, museum, people["operator"], mirror)
    strict = campaign_live(
        platform_finance_user(),
        platform_finance_user(),
        campaign_saleor(promotion_id="UHJvbW90aW9uOjM="),
        name="双十一",
    )
    error = refused(Code.CAMPAIGN_NOT_COMBINABLE, lambda: opt_in(strict, museum, people["operator"], mirror))
    assert "双十一" in error.message and "国际博物馆日" in error.message
    also_open = campaign_live(
        platform_finance_user(),
        platform_finance_user(),
        campaign_saleor(promotion_id="UHJvbW90aW9uOjQ="),
        combinable=True,
    )
    assert opt_in(also_open, museum, people["operator"], mirror).saleor_rule_id

    # a campaign whose end passed while it waited is not created in Saleor
    late = campaign_proposed(platform_finance_user(), name="春节")
    time_machine.move_to(FESTIVAL_END, tick=False)
    fake = campaign_saleor()
    refused(
        Code.ENDS_IN_PAST,
        lambda: saleor(
            lambda c: campaigns.campaign_approve(
                campaign_id=late.pk, actor=platform_finance_user(), client=c
            ),
            fake,
        ),
    )
    assert fake.calls == [] and PlatformCampaign.objects.get(pk=late.pk).status == "proposed"
