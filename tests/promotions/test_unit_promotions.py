"""Units' own promotions: proposed by an operator on the unit's products, approved by the unit's finance
(another person), created in Saleor (at the HTTP edge), recorded as unit-funded; the ledger of a
two-unit order against a hand calculation (agreement: unit 60 %, operating entity 25 %, staff pool 5 %,
platform 10 %)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import respx
from django.db import IntegrityError, transaction

from catalog.models import Listing
from payments import selectors as ledger
from payments.funding.models import DiscountFundingVersion
from payments.funding.services import funding_propose
from payments.models import FinanceAuditEvent, SplitLine
from promotions import selectors, services
from promotions.error_codes import PromotionError
from promotions.error_codes import PromotionErrorCode as Code
from promotions.models import UnitPromotion
from saleor_app.client import SaleorClient
from saleor_app.models import WebhookEvent
from tests.promotions.shop_double import API, CHANNEL, PROMO, VOUCHER, FakeSaleor, mirror_and_fan, owed
from tests.unit_onboarding.factories import operator_of, platform_finance_user
from unit_onboarding.models import UnitMembership

pytestmark = pytest.mark.django_db
PROPOSED_AT = datetime.fromisoformat("2026-11-20T02:00:00+00:00")  # 10:00 Beijing
PAID_AT = "2026-11-27T10:05:00+00:00"
FINANCE = UnitMembership.Role.FINANCE


def propose(unit, actor, listings, **terms):
    defaults = {
        "kind": UnitPromotion.Kind.SALE,
        "name": "国际博物馆日",
        "reward": UnitPromotion.Reward.PERCENTAGE,
        "value": 20,
        "budget_fen": 10_000,
        "starts_at": PROPOSED_AT + timedelta(days=1),
        "ends_at": PROPOSED_AT + timedelta(days=30),
    }
    return services.promotion_propose(
        unit=unit, actor=actor, listing_ids=[listing.pk for listing in listings], **{**defaults, **terms}
    )


def approve(promotion, actor, fake=None):
    fake = fake or FakeSaleor()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=fake)
        return services.promotion_approve(
            promotion_id=promotion.pk, actor=actor, client=SaleorClient(API, "t")
        )


def test_a_unit_funded_sale_is_created_on_the_units_product_only_and_reduces_only_its_parties(
    world, deliver, time_machine
):
    museum, library, people, mirror, _fan = world
    promotion = propose(museum, people["operator"], [mirror])
    fake = FakeSaleor()

    done = approve(promotion, people["finance"], fake)

    assert done.status == UnitPromotion.Status.CREATED and done.funding_key == PROMO == done.saleor_id
    created = dict(fake.calls)["PromotionCreate"]["input"]
    assert created["type"] == "CATALOGUE"
    assert created["startDate"] == "2026-11-21T02:00:00+00:00"
    assert created["rules"] == [
        {
            "name": "国际博物馆日",
            "channels": [CHANNEL],
            "rewardValueType": "PERCENTAGE",
            "rewardValue": "20",
            "cataloguePredicate": {"productPredicate": {"ids": ["UHJvZHVjdDoxMDE="]}},
        }
    ]
    version = DiscountFundingVersion.objects.get(funding__key=PROMO)
    assert (version.funder, version.platform_bps, version.status) == ("unit", 0, "approved")
    assert (version.proposed_by, version.decided_by) == (people["operator"], people["finance"])
    actions = list(
        FinanceAuditEvent.objects.filter(subject=f"unit_promotion:{promotion.uid}")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["unit_promotion.proposed", "unit_promotion.approved", "unit_promotion.created"]
    assert FinanceAuditEvent.objects.filter(action="discount_funding.unit_recorded").count() == 1

    # Paid a week later: the museum's mirror 2 x 100.00 less the sale's 40.00, the library's fan 100.00.
    time_machine.move_to(datetime.fromisoformat(PAID_AT), tick=False)
    order = mirror_and_fan(
        museum, library, "order-unit-sale", PAID_AT, promotion=PROMO, name="国际博物馆日", mirror_off=4_000,
        refs=("line-a", "line-b"),
    )  # fmt: skip
    event = deliver("order_fully_paid", order.payload())

    assert event.status == WebhookEvent.Status.DONE, event.last_error
    # hand calculation: the museum's parties share 160.00 (60/25/5/10 %), the library's 100.00 whole; the
    # platform funds nothing: 16.00 + 10.00 of share, no discount line
    expected = owed(museum, (9_600, 4_000, 800), library, (6_000, 2_500, 500), platform=1_600 + 1_000)
    assert ledger.party_owed(currency="CNY") == expected
    assert sum(expected.values()) == 26_000 == order.total
    assert not SplitLine.objects.filter(line_kind="discount").exists()
    assert ledger.transactions_unbalanced() == []
    assert selectors.budget_used(done) == 4_000  # of the 100.00 cap

    # One of the two mirrors refunded (Saleor grants its discounted price, 80.00): only the museum's
    # parties give back their shares of 80.00; the library's stay whole.
    order.refund_granted("refund-1", 8_000, "2026-11-28T09:00:00+00:00", lines=(("line-a", 1),))
    event = deliver("order_refunded", order.payload(issued_at="2026-11-28T09:01:00+00:00"))

    assert event.status == WebhookEvent.Status.DONE, event.last_error
    after = owed(museum, (4_800, 2_000, 400), library, (6_000, 2_500, 500), platform=800 + 1_000)
    assert ledger.party_owed(currency="CNY") == after
    assert sum(after.values()) == 26_000 - 8_000
    assert ledger.transactions_unbalanced() == []


def test_a_voucher_is_created_on_the_units_products_with_its_uses_and_value(world):
    museum, _library, people, mirror, _fan = world
    promotion = propose(
        museum,
        people["operator"],
        [mirror],
        kind=UnitPromotion.Kind.VOUCHER,
        reward=UnitPromotion.Reward.FIXED,
        value=1_500,
        code="MUSEUM-15",
        usage_limit=6,
        budget_fen=9_000,  # 6 uses x 15.00 at most (once per order)
    )
    fake = FakeSaleor()

    done = approve(promotion, people["finance"], fake)

    assert done.status == UnitPromotion.Status.CREATED and done.funding_key == "MUSEUM-15"
    calls = dict(fake.calls)
    assert calls["VoucherCreate"]["input"] == {
        "type": "SPECIFIC_PRODUCT",
        "name": f"{museum} · 国际博物馆日",
        "addCodes": ["MUSEUM-15"],
        "startDate": "2026-11-21T02:00:00+00:00",
        "endDate": "2026-12-20T02:00:00+00:00",
        "discountValueType": "FIXED",
        "products": ["UHJvZHVjdDoxMDE="],
        "usageLimit": 6,
        "applyOncePerOrder": True,
    }
    assert calls["VoucherChannelListingUpdate"] == {
        "id": VOUCHER,
        "input": {"addChannels": [{"channelId": CHANNEL, "discountValue": "15.00"}]},
    }
    assert DiscountFundingVersion.objects.get(funding__key="MUSEUM-15").funder == "unit"


def refused(code: Code, call) -> PromotionError:
    with pytest.raises(PromotionError) as caught:
        call()
    assert caught.value.code == code, caught.value.message
    return caught.value


def test_another_units_product_is_refused_with_a_clear_message(world):
    museum, _library, people, mirror, fan = world
    error = refused(Code.LISTING_OF_ANOTHER_UNIT, lambda: propose(museum, people["operator"], [mirror, fan]))
    assert "本单位自己的商品" in error.message  # zh-Hans, the default language
    refused(Code.NOT_ALLOWED, lambda: propose(museum, people["library_operator"], [mirror]))
    refused(Code.NOT_ALLOWED, lambda: propose(museum, people["finance"], [mirror]))  # operators propose
    assert not UnitPromotion.objects.exists()


def test_a_promotion_over_its_budget_is_refused_at_proposal_and_at_approval(world):
    museum, _library, people, mirror, _fan = world
    # 10 % of 128.00 once per order, 10 uses: up to 128.00 against a cap of 100.00
    voucher = dict(kind="voucher", code="TEN", usage_limit=10, value=10)
    error = refused(Code.OVER_BUDGET, lambda: propose(museum, people["operator"], [mirror], **voucher))
    assert "¥128.00" in error.message and "¥100.00" in error.message and "超过预算上限" in error.message
    promotion = propose(museum, people["operator"], [mirror], **{**voucher, "usage_limit": 7})  # 89.60
    mirror.variants.update(price_fen=20_000)  # prices raised meanwhile: 7 x 20.00 = 140.00
    fake = FakeSaleor()
    refused(Code.OVER_BUDGET, lambda: approve(promotion, people["finance"], fake))
    assert fake.calls == [] and UnitPromotion.objects.get(pk=promotion.pk).status == "proposed"


def test_only_another_person_of_the_units_finance_approves_and_once(world):
    museum, _library, people, mirror, _fan = world
    both = operator_of(museum)
    UnitMembership.objects.create(user=both, unit=museum, role=FINANCE)
    own = propose(museum, both, [mirror])
    refused(Code.APPROVER_IS_PROPOSER, lambda: approve(own, both))
    promotion = propose(museum, people["operator"], [mirror])
    refused(Code.NOT_ALLOWED, lambda: approve(promotion, people["library_finance"]))
    refused(Code.NOT_ALLOWED, lambda: approve(promotion, people["operator"]))
    approve(promotion, people["finance"])
    refused(Code.STALE, lambda: approve(promotion, both))  # already decided
    assert DiscountFundingVersion.objects.count() == 1


def test_approval_is_stale_when_the_products_changed_since_the_proposal(world):
    museum, library, people, mirror, _fan = world
    promotion = propose(museum, people["operator"], [mirror])
    Listing.objects.filter(pk=mirror.pk).update(saleor_product_id="UHJvZHVjdDo5OTk=")  # re-created in Saleor
    refused(Code.STALE, lambda: approve(promotion, people["finance"]))
    Listing.objects.filter(pk=mirror.pk).update(saleor_product_id="UHJvZHVjdDoxMDE=", unit=library)
    refused(Code.STALE, lambda: approve(promotion, people["finance"]))


def test_the_database_refuses_a_promotion_decided_by_its_proposer(world):
    museum, _library, people, mirror, _fan = world
    promotion = propose(museum, people["operator"], [mirror])
    with pytest.raises(IntegrityError, match="unit_promotion_four_eyes"), transaction.atomic():
        UnitPromotion.objects.filter(pk=promotion.pk).update(
            status="created", decided_by=people["operator"], decided_at=PROPOSED_AT
        )


def test_saleors_refusal_leaves_it_failed_with_saleors_reason_and_unfunded(world):
    museum, _library, people, mirror, _fan = world
    promotion = propose(museum, people["operator"], [mirror])
    fake = FakeSaleor(errors=[{"field": "rules", "code": "INVALID", "message": "bad predicate"}])

    done = approve(promotion, people["finance"], fake)

    assert done.status == UnitPromotion.Status.FAILED and "bad predicate" in done.last_error
    assert done.decided_by == people["finance"]
    assert not DiscountFundingVersion.objects.exists()
    assert FinanceAuditEvent.objects.filter(action="unit_promotion.failed").count() == 1


def test_dates_and_terms_are_checked(world):
    museum, _library, people, mirror, _fan = world
    later = PROPOSED_AT + timedelta(days=2)
    refused(
        Code.DATES_INVALID,
        lambda: propose(
            museum, people["operator"], [mirror], ends_at=later - timedelta(days=5), starts_at=later
        ),
    )
    refused(
        Code.ENDS_IN_PAST,
        lambda: propose(
            museum,
            people["operator"],
            [mirror],
            starts_at=PROPOSED_AT - timedelta(days=3),
            ends_at=PROPOSED_AT - timedelta(days=1),
        ),
    )
    refused(Code.VALUE_INVALID, lambda: propose(museum, people["operator"], [mirror], value=95))
    refused(
        Code.VALUE_INVALID,
        lambda: propose(museum, people["operator"], [mirror], reward="fixed", value=12_800),
    )
    refused(
        Code.CODE_REQUIRED,
        lambda: propose(museum, people["operator"], [mirror], kind="voucher", code="", usage_limit=1),
    )
    refused(Code.NO_LISTINGS, lambda: propose(museum, people["operator"], []))
    Listing.objects.filter(pk=mirror.pk).update(saleor_product_id="")
    refused(Code.LISTING_NOT_IN_SALEOR, lambda: propose(museum, people["operator"], [mirror]))


def sale_paid(museum, library, deliver, *, discount: int, order_id: str = "order-budget"):
    """Museum's line of 2 x 100.00 reduced by the unit's sale, the library's 100.00: paid, projected."""
    order = mirror_and_fan(
        museum, library, order_id, PAID_AT, promotion=PROMO, name="特价", mirror_off=discount
    )
    assert deliver("order_fully_paid", order.payload()).status == WebhookEvent.Status.DONE


def test_a_sale_whose_budget_is_spent_is_ended_in_saleor(world, deliver, time_machine):
    museum, library, people, mirror, _fan = world
    sale = approve(propose(museum, people["operator"], [mirror], budget_fen=6_000), people["finance"])
    time_machine.move_to(datetime.fromisoformat(PAID_AT), tick=False)
    sale_paid(museum, library, deliver, discount=4_000)
    fake = FakeSaleor()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=fake)
        client = SaleorClient(API, "t")
        assert services.promotions_budget_enforce(client=client) == []  # 40.00 of 60.00 used
        sale_paid(museum, library, deliver, discount=2_000, order_id="order-budget-2")
        assert services.promotions_budget_enforce(client=client) == [str(sale.uid)]  # 60.00: spent
        assert services.promotions_budget_enforce(client=client) == []  # ended: not twice

    assert fake.calls == [("PromotionEnd", {"id": PROMO, "endDate": "2026-11-27T10:05:00+00:00"})]
    sale.refresh_from_db()
    assert (sale.status, sale.ends_at, selectors.budget_used(sale)) == (
        "ended",
        datetime.fromisoformat(PAID_AT),
        6_000,
    )
    event = FinanceAuditEvent.objects.get(action="unit_promotion.budget_spent")
    assert event.detail["used"] == 6_000 and event.detail["before"]["status"] == "created"


def test_rejection_and_withdrawal_are_audited_and_final(world):
    museum, _library, people, mirror, _fan = world
    first = propose(museum, people["operator"], [mirror])
    refused(
        Code.NOT_ALLOWED, lambda: services.promotion_withdraw(promotion_id=first.pk, actor=people["finance"])
    )
    services.promotion_reject(promotion_id=first.pk, actor=people["finance"], note="预算不足")
    second = propose(museum, people["operator"], [mirror])
    services.promotion_withdraw(promotion_id=second.pk, actor=people["operator"])

    refused(Code.STALE, lambda: approve(first, people["finance"]))
    refused(Code.STALE, lambda: approve(second, people["finance"]))
    first.refresh_from_db()
    assert (first.status, first.decided_by, first.note) == ("rejected", people["finance"], "预算不足")
    assert list(
        FinanceAuditEvent.objects.filter(action__in=["unit_promotion.rejected", "unit_promotion.withdrawn"])
        .order_by("pk")
        .values_list("action", "actor")
    ) == [
        ("unit_promotion.rejected", people["finance"].pk),
        ("unit_promotion.withdrawn", people["operator"].pk),
    ]
    assert not DiscountFundingVersion.objects.exists()


def test_a_voucher_code_whose_funding_is_decided_already_is_refused(world):
    museum, _library, people, mirror, _fan = world
    terms = dict(kind="voucher", code="FESTIVAL", usage_limit=1, value=10)
    funding_propose(key="FESTIVAL", funder="platform", actor=platform_finance_user())
    error = refused(Code.CODE_TAKEN, lambda: propose(museum, people["operator"], [mirror], **terms))
    assert "FESTIVAL" in error.message
