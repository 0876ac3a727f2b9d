"""Who funds a discount: platform-funded, unit-funded and 50/50 discounts paid, refunded and redelivered,
against hand calculations (agreement: unit 60 %, operating entity 25 %, staff pool 5 %, platform 10 %)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from orders.models import OrderLine
from payments import selectors as ledger
from payments.error_codes import FundingError, FundingErrorCode
from payments.funding.models import DiscountFundingVersion
from payments.funding.services import funding_approve, funding_propose, funding_reject
from payments.models import FinanceAuditEvent, LedgerTransaction, SplitLine
from payments.settlement import statements, stats
from saleor_app.models import WebhookEvent
from tests.auth import login_verified
from tests.recording import RECORDINGS
from tests.unit_onboarding.factories import UserFactory, platform_finance_user
from unit_onboarding.models import Unit

from .conftest import unit_with_agreement
from .payloads import Line, SaleorOrder, line_discount, order_discount

pytestmark = pytest.mark.django_db
PAID_AT = "2026-11-27T10:05:00+00:00"
PAID = datetime.fromisoformat(PAID_AT)
PAID_RECORDED, LINE_REFUNDED = (
    json.loads((RECORDINGS / f"order.{n}.json").read_text()) for n in ("paid", "line_refunded")
)
PROMOTION = "UHJvbW90aW9uOjdkZjNkOGE5LTk2ZjQtNDc1Yi1hYjQ3LTRkNDk0NTJhYzA5Yg=="  # a Promotion global ID


@pytest.fixture(autouse=True)
def _paid_now(time_machine):
    """Business time is the payment's: the inbox posts each delivery at the clock's now."""
    time_machine.move_to(PAID, tick=False)


def fund(key: str, funder: str, bps: int | None = None, at: datetime = PAID - timedelta(days=1)):
    """A funding rule proposed by one member of platform finance and approved by another at `at`."""
    version = funding_propose(key=key, funder=funder, platform_bps=bps, actor=platform_finance_user(), now=at)
    return funding_approve(version_id=version.pk, actor=platform_finance_user(), now=at)


def parties(unit) -> tuple[str, str, str]:
    return unit.party_key, unit.operating_entity.party_key, f"staff_pool:{unit.uid}"


def shares(unit, amount: int) -> dict[str, int]:
    """The agreement's split of `amount` (every figure here is a multiple of 20 fen: no rounding)."""
    u, e, s = parties(unit)
    return {u: amount * 60 // 100, e: amount * 25 // 100, s: amount * 5 // 100, "platform": amount // 10}


def add(*parts: dict[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in parts:
        for party, amount in part.items():
            out[party] = out.get(party, 0) + amount
    return {p: a for p, a in out.items() if a}


def assert_balanced(order_ref: str) -> None:
    assert ledger.transactions_unbalanced() == []
    payment = LedgerTransaction.objects.get(order_ref=order_ref, kind="payment")
    captured = sum(s.amount for s in payment.split_lines.all())
    assert captured == payment.entries.get(account__kind="stripe_clearing").amount


def festival_order(units) -> SaleorOrder:
    """Two units; an entire-order voucher FESTIVAL of 50.00, spread by Saleor over the lines: 20.00, 30.00."""
    return SaleorOrder(
        id="order-fest",
        lines=[
            Line("line-a", units[0].saleor_warehouse_id, 10000, quantity=2, discount=2000),
            Line("line-b", units[1].saleor_warehouse_id, 30000, discount=3000),
        ],
        order_discounts=[order_discount("VOUCHER", "Voucher code: FESTIVAL", 5000, "春节")],
        voucher_code="FESTIVAL",
    )


def test_a_platform_funded_voucher_pays_the_units_parties_on_the_undiscounted_price(units, deliver):
    version = fund("FESTIVAL", "platform")
    order = festival_order(units).paid(at=PAID_AT)

    event = deliver("order_fully_paid", order.payload())

    assert event.status == WebhookEvent.Status.DONE, event.last_error
    # hand calculation: the buyer paid 180.00 + 270.00 = 450.00; the units' parties share 200.00 and
    # 300.00 as if undiscounted, the platform takes its 10 % of those and funds the 50.00
    expected = add(shares(units[0], 20000), shares(units[1], 30000), {"platform": -5000})
    assert expected == {
        **{p: a for p, a in zip(parties(units[0]), (12000, 5000, 1000), strict=True)},
        **{p: a for p, a in zip(parties(units[1]), (18000, 7500, 1500), strict=True)},
    }  # the platform's 2,000 + 3,000 share equals the 5,000 it funds: it nets 0 here
    assert ledger.party_owed(currency="CNY") == expected
    assert sum(expected.values()) == 45000 == order.total
    assert_balanced("order-fest")
    funded = SplitLine.objects.get(order_ref="order-fest", line_ref="line-a:discount")
    assert (funded.party, funded.amount, funded.rule, funded.line_kind) == (
        "platform",
        -2000,
        "discount:platform",
        "discount",
    )
    assert funded.agreement_version == version.ref  # the funding version in force at payment, frozen
    line = OrderLine.objects.get(saleor_id="line-a")
    assert line.discounts == [{"key": "FESTIVAL", "type": "VOUCHER", "name": "春节", "amount": 2000}]

    # Partly refunded: one of the two items of line A (Saleor grants its discounted price, 90.00). The
    # line's parties give back the undiscounted item (100.00 split) and the platform its 10.00 of funding.
    order.refund_granted("refund-1", 9000, "2026-11-28T09:00:00+00:00", lines=(("line-a", 1),))
    event = deliver("order_refunded", order.payload(issued_at="2026-11-28T09:01:00+00:00"))

    assert event.status == WebhookEvent.Status.DONE, event.last_error
    after = add(shares(units[0], 10000), shares(units[1], 30000), {"platform": -4000})
    assert ledger.party_owed(currency="CNY") == after
    assert sum(after.values()) == 45000 - 9000
    assert ledger.transactions_unbalanced() == []

    # Redelivered (same body, then a later delivery of the same state): nothing posts twice.
    count = LedgerTransaction.objects.count()
    deliver("order_fully_paid", order.payload(issued_at="2026-11-28T09:01:00+00:00"))
    again = deliver("order_refunded", order.payload(issued_at="2026-11-28T10:00:00+00:00"))
    assert again.status == WebhookEvent.Status.DONE, again.last_error
    assert LedgerTransaction.objects.count() == count
    assert ledger.party_owed(currency="CNY") == after


def test_the_rest_of_a_platform_funded_line_refunded_returns_everyone_to_zero(units, deliver):
    fund("FESTIVAL", "platform")
    order = festival_order(units).paid(at=PAID_AT)
    deliver("order_fully_paid", order.payload())
    order.refund_granted("refund-1", 9000, "2026-11-28T09:00:00+00:00", lines=(("line-a", 1),))
    order.refund_granted("refund-2", 9000, "2026-11-28T09:30:00+00:00", lines=(("line-a", 1),))

    event = deliver("order_refunded", order.payload(issued_at="2026-11-28T09:31:00+00:00"))

    assert event.status == WebhookEvent.Status.DONE, event.last_error
    nets = {p: a for p, a, _ in ledger.order_line_nets(order_ref="order-fest")["line-a"]}
    assert set(nets.values()) == {0}
    funding = ledger.order_line_nets(order_ref="order-fest")["line-a:discount"]
    assert funding == [("platform", 0, 0)]
    assert ledger.party_owed(currency="CNY") == add(shares(units[1], 30000), {"platform": -3000})


def sale_order(units) -> SaleorOrder:
    """A catalogue promotion (sale) of 20 % on unit 1's product only: 200.00 - 40.00; unit 2's 100.00."""
    return SaleorOrder(
        id="order-sale",
        lines=[
            Line(
                "line-a",
                units[0].saleor_warehouse_id,
                20000,
                discount=4000,
                line_discounts=[line_discount("PROMOTION", f"Promotion: {PROMOTION}", 4000, "国际博物馆日")],
            ),
            Line("line-b", units[1].saleor_warehouse_id, 10000),
        ],
    )


@pytest.mark.parametrize("rule", ["unit", None], ids=["unit-funded", "no-rule"])
def test_a_unit_funded_sale_reduces_only_that_units_parties(units, deliver, rule):
    if rule:
        fund(PROMOTION, rule)
    order = sale_order(units).paid(at=PAID_AT)

    event = deliver("order_fully_paid", order.payload())

    assert event.status == WebhookEvent.Status.DONE, event.last_error
    # without a rule the unit funds it, as before discount funding existed
    expected = add(shares(units[0], 16000), shares(units[1], 10000))
    assert ledger.party_owed(currency="CNY") == expected
    assert sum(expected.values()) == 26000 == order.total
    assert not SplitLine.objects.filter(line_kind="discount").exists()
    assert OrderLine.objects.get(saleor_id="line-a").discounts == [
        {"key": PROMOTION, "type": "PROMOTION", "name": "国际博物馆日", "amount": 4000}
    ]
    assert_balanced("order-sale")


def half_order(units) -> SaleorOrder:
    """A specific-product voucher HALF of 60.00 on unit 2's product (300.00), unit 1's 100.00 undiscounted."""
    return SaleorOrder(
        id="order-half",
        lines=[
            Line("line-a", units[0].saleor_warehouse_id, 10000),
            Line(
                "line-b",
                units[1].saleor_warehouse_id,
                30000,
                discount=6000,
                voucher_code="HALF",
                line_discounts=[line_discount("VOUCHER", "Voucher code: HALF", 6000)],
            ),
        ],
        voucher_code="HALF",
    )


def test_a_discount_split_50_50_is_borne_half_by_the_platform_exactly(units, deliver):
    fund("HALF", "split", 5000)
    order = half_order(units).paid(at=PAID_AT)

    event = deliver("order_fully_paid", order.payload())

    assert event.status == WebhookEvent.Status.DONE, event.last_error
    # the platform funds 30.00 of the 60.00: unit 2's parties share 240.00 + 30.00 = 270.00
    expected = add(shares(units[0], 10000), shares(units[1], 27000), {"platform": -3000})
    assert ledger.party_owed(currency="CNY") == expected
    assert expected["platform"] == 1000 + 2700 - 3000
    assert sum(expected.values()) == 34000 == order.total
    assert_balanced("order-half")

    # An order-level refund of 170.00 (no granted lines): spread 50.00 / 120.00 over what the buyer paid
    # on each line; line B keeps 120.00 paid, so 15.00 of funding, its parties 135.00.
    order.refunds.append(("refund-1", 17000, "2026-11-28T09:00:00+00:00"))
    event = deliver("order_refunded", order.payload(issued_at="2026-11-28T09:01:00+00:00"))

    assert event.status == WebhookEvent.Status.DONE, event.last_error
    after = add(shares(units[0], 5000), shares(units[1], 13500), {"platform": -1500})
    assert ledger.party_owed(currency="CNY") == after
    assert sum(after.values()) == 34000 - 17000
    assert ledger.transactions_unbalanced() == []


def test_a_split_rounds_to_the_fen_and_sums_exactly(units, deliver):
    fund("HALF", "split", 3333)
    order = half_order(units)
    order.lines[1].discount = 6001  # 60.01 off: the platform's 33.33 % is 20.0013 -> 20.00
    order.lines[1].line_discounts = [line_discount("VOUCHER", "Voucher code: HALF", 6001)]
    order.paid(at=PAID_AT)

    event = deliver("order_fully_paid", order.payload())

    assert event.status == WebhookEvent.Status.DONE, event.last_error
    funded = SplitLine.objects.get(order_ref="order-half", line_ref="line-b:discount")
    assert funded.amount == -2000
    product = sum(s.amount for s in SplitLine.objects.filter(order_ref="order-half", line_ref="line-b"))
    assert product == 30000 - 6001 + 2000
    assert ledger.transactions_unbalanced() == []
    assert sum(ledger.party_owed(currency="CNY").values()) == order.total


def test_the_version_in_force_at_payment_is_frozen_and_a_later_change_applies_to_later_orders(units, deliver):
    first = fund("FESTIVAL", "platform")
    order = festival_order(units).paid(at=PAID_AT)
    deliver("order_fully_paid", order.payload())
    fund("FESTIVAL", "unit", at=PAID + timedelta(minutes=30))  # orders paid from then on: the units fund it

    order.refund_granted("refund-1", 9000, "2026-11-28T09:00:00+00:00", lines=(("line-a", 1),))
    deliver("order_refunded", order.payload(issued_at="2026-11-28T09:01:00+00:00"))
    later = festival_order(units)
    later.id = "order-later"
    later.paid(event_id="charge-later", at="2026-11-27T11:00:00+00:00")
    event = deliver("order_fully_paid", later.payload(issued_at="2026-11-27T11:01:00+00:00"))

    assert event.status == WebhookEvent.Status.DONE, event.last_error
    frozen = SplitLine.objects.filter(order_ref="order-fest", line_kind="discount")
    assert {s.agreement_version for s in frozen} == {first.ref}
    assert ledger.order_line_nets(order_ref="order-fest")["line-a:discount"] == [("platform", -1000, 0)]
    assert not SplitLine.objects.filter(order_ref="order-later", line_kind="discount").exists()
    later_a = {p: a for p, a, _ in ledger.order_line_nets(order_ref="order-later")["line-a"]}
    assert later_a == shares(units[0], 18000)


def test_changing_who_funds_a_discount_takes_two_people_of_platform_finance_and_is_audited():
    proposer, approver = platform_finance_user(), platform_finance_user()
    with pytest.raises(FundingError) as refused:
        funding_propose(key="FESTIVAL", funder="platform", actor=UserFactory())
    assert refused.value.code == FundingErrorCode.NOT_ALLOWED
    for funder, bps in [("split", 0), ("split", 10_000), ("split", None), ("everyone", None)]:
        with pytest.raises(FundingError) as refused:
            funding_propose(key="FESTIVAL", funder=funder, platform_bps=bps, actor=proposer)
        assert refused.value.code == FundingErrorCode.BAD_TERMS

    version = funding_propose(key="FESTIVAL", funder="split", platform_bps=5000, actor=proposer, now=PAID)
    with pytest.raises(FundingError) as refused:
        funding_approve(version_id=version.pk, actor=proposer)
    assert refused.value.code == FundingErrorCode.FOUR_EYES
    with pytest.raises(FundingError) as refused:
        funding_approve(version_id=version.pk, actor=UserFactory())
    assert refused.value.code == FundingErrorCode.NOT_ALLOWED

    approved = funding_approve(version_id=version.pk, actor=approver, now=PAID)

    assert (approved.status, approved.effective_from, approved.platform_bps) == ("approved", PAID, 5000)
    actions = list(FinanceAuditEvent.objects.filter(subject=version.ref).values_list("action", "detail"))
    assert [a for a, _ in actions] == ["discount_funding.proposed", "discount_funding.approved"]
    assert actions[1][1]["after"] == {"version": 1, "funder": "split", "platform_bps": 5000}


def test_of_two_competing_proposals_the_one_approved_second_is_stale():
    a, b, c = platform_finance_user(), platform_finance_user(), platform_finance_user()
    fund("FESTIVAL", "unit")
    to_platform = funding_propose(key="FESTIVAL", funder="platform", actor=a)
    to_half = funding_propose(key="FESTIVAL", funder="split", platform_bps=5000, actor=b)
    funding_approve(version_id=to_platform.pk, actor=c)

    with pytest.raises(FundingError) as refused:
        funding_approve(version_id=to_half.pk, actor=c)

    assert refused.value.code == FundingErrorCode.STALE
    rejected = funding_reject(version_id=to_half.pk, actor=c, note="stale")
    assert rejected.status == "rejected"
    with pytest.raises(FundingError) as refused:
        funding_approve(version_id=to_half.pk, actor=a)
    assert refused.value.code == FundingErrorCode.NOT_PROPOSED


def test_the_platforms_statement_shows_the_discount_it_funded_in_both_languages(units, deliver, client):
    fund("FESTIVAL", "platform")
    deliver("order_fully_paid", festival_order(units).paid(at=PAID_AT).payload())
    start, end = datetime(2026, 11, 1, tzinfo=PAID.tzinfo), datetime(2026, 12, 1, tzinfo=PAID.tzinfo)

    rows = {s.party: s for s in statements.statements(start=start, end=end, currency="CNY")}

    platform = rows["platform"]
    assert (platform.sales, platform.platform_funded) == (0, -5000)  # its 10 % of 500.00, less the 50.00
    assert rows[units[0].party_key].sales == 12000 and rows[units[0].party_key].platform_funded == 0
    assert platform.opening + platform.sales - platform.fees + platform.refunds - platform.payouts == (
        platform.closing
    )
    login_verified(client, platform_finance_user())
    url = reverse("finance:statement", args=["platform"]) + "?start=2026-11-01&end=2026-12-01"
    client.cookies["django_language"] = "en"
    text = client.get(url).content.decode()
    assert "of which: discount funded by the platform" in text and 'class="num">-50.00<' in text
    client.cookies["django_language"] = "zh-hans"
    assert "平台承担的优惠" in client.get(url).content.decode()
    unit_page = client.get(reverse("finance:statement", args=[units[0].party_key]) + url[url.index("?") :])
    assert "平台承担的优惠" not in unit_page.content.decode()


def test_a_recorded_saleor_order_with_a_platform_funded_voucher_pays_units_the_undiscounted_price(deliver):
    """The live Saleor 3.24 recording (tests/recordings/saleor/order.*.json): 4 x 8.99 and 2 x 50.00 USD,
    an entire-order voucher WC-F016531A of 7.00 that Saleor spread as 1.85 and 5.15 into the lines; then
    one item of line 1 (8.53 as discounted) granted and refunded."""
    order = PAID_RECORDED["order"]
    units = {}
    for n, fulfilment in enumerate(order["fulfillments"], start=1):
        unit = unit_with_agreement(n)
        Unit.objects.filter(pk=unit.pk).update(saleor_warehouse_id=fulfilment["warehouse"]["id"])
        units[fulfilment["lines"][0]["orderLine"]["id"]] = unit
    line1, line2 = (ln["id"] for ln in order["lines"])
    fund(order["voucherCode"], "platform")

    assert deliver("order_fully_paid", PAID_RECORDED).status == "done"

    def nets(ref: str) -> dict[str, int]:
        return {p: a for p, a, _ in ledger.order_line_nets(order_ref=order["id"])[ref]}

    u1, e1, s1 = parties(units[line1])
    # hand calculation, largest remainder over (entity 2500, platform 1000, staff 500, unit 6000) bps:
    # 35.96 -> 8.99, 3.596 -> 3.60, 1.798 -> 1.80, 21.576 -> 21.57 (ties to the earlier party)
    assert nets(line1) == {e1: 899, "platform": 360, s1: 180, u1: 2157}
    assert nets(f"{line1}:discount") == {"platform": -185}
    assert sum(nets(line2).values()) == 10000 and nets(f"{line2}:discount") == {"platform": -515}
    assert ledger.transactions_unbalanced() == []

    assert deliver("order_refunded", LINE_REFUNDED).status == "done"

    # 34.11 paid on line 1 less 8.53 = 25.58 left; the funding left is 1.85 x 25.58 / 34.11 = 1.387 -> 1.39,
    # so the line's parties share 26.97 = 3 x 8.99, the three items still sold, undiscounted
    assert nets(line1) == {e1: 674, "platform": 270, s1: 135, u1: 1618}
    assert nets(f"{line1}:discount") == {"platform": -139}
    assert ledger.transactions_unbalanced() == []


def test_platform_finance_proposes_and_another_member_approves_on_the_finance_console(client):
    proposer, approver = platform_finance_user(), platform_finance_user()
    login_verified(client, proposer)
    client.cookies["django_language"] = "zh-hans"

    client.post(
        reverse("finance:discount_funding_propose"),
        {"key": " FESTIVAL ", "name": "春节", "funder": "split", "platform_bps": "5000", "note": "双方各半"},
    )
    page = client.get(reverse("finance:discount_funding")).content.decode()

    version = DiscountFundingVersion.objects.get()
    assert (version.funding.key, version.funder, version.platform_bps, version.status) == (
        "FESTIVAL",
        "split",
        5000,
        "proposed",
    )
    assert "优惠承担方" in page and "平台与单位分担优惠" in page and "春节" in page
    assert reverse("finance:discount_funding_approve", args=[version.pk]) not in page  # not the proposer's
    refused = client.post(reverse("finance:discount_funding_approve", args=[version.pk]), follow=True)
    assert "须由另一名平台财务人员批准" in refused.content.decode()
    bad = client.post(
        reverse("finance:discount_funding_propose"),
        {"key": "X", "funder": "split", "platform_bps": "0"},
        follow=True,
    )
    assert "1 至 9,999 基点" in bad.content.decode() and DiscountFundingVersion.objects.count() == 1

    login_verified(client, approver)
    client.post(reverse("finance:discount_funding_approve", args=[version.pk]))

    version.refresh_from_db()
    assert (version.status, version.decided_by) == ("approved", approver)
    client.cookies["django_language"] = "en"
    assert (
        "Platform and unit share the discount (5000 bps)"
        in client.get(reverse("finance:discount_funding")).content.decode()
    )


def test_the_bureau_statistics_count_what_buyers_paid_not_the_platforms_funding(units, deliver):
    fund("FESTIVAL", "platform")
    deliver("order_fully_paid", festival_order(units).paid(at=PAID_AT).payload())

    figures = stats.bureau_stats(
        start=datetime(2026, 11, 1, tzinfo=PAID.tzinfo),
        end=datetime(2026, 12, 1, tzinfo=PAID.tzinfo),
        currency="CNY",
    )

    assert figures.sales == 45000
    assert figures.by_unit == {str(units[0]): {"2026-11": 18000}, str(units[1]): {"2026-11": 27000}}
