"""A campaign's money on the real PostgreSQL ledger: held at payment (the rest of the cart split as usual),
never settled while held, released by the agreement in force at payment on success (part at success, the
rest once shipped), and refunded in full to every backer through Saleor on failure."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
import pytest
import respx
from django.conf import settings as django_settings

from campaigns import services, tasks
from campaigns.models import Campaign, CampaignRefund, Pledge
from orders.parcels import payment_key
from payments import selectors as ledger
from payments.models import Account, FinanceAuditEvent, LedgerTransaction, SplitLine
from payments.settlement import services as settlement
from payments.split import allocate_bps
from saleor_app.client import SaleorClient
from saleor_app.models import WebhookEvent
from tests.campaigns.conftest import END, NOW
from tests.orders.conftest import unit_with_agreement
from tests.orders.payloads import Line, SaleorOrder
from tests.unit_onboarding.factories import platform_finance_user

pytestmark = pytest.mark.django_db
API = "https://saleor.example.cn/graphql/"
PAID_AT = (NOW + timedelta(days=1)).isoformat()


def tier_sku(campaign) -> str:
    return campaign.tiers.get().sku


@dataclass
class TierLine(Line):
    """A line of the campaign's tier: Saleor's line ids are its own, the SKU is the tier's."""

    sku: str = ""

    def shape(self, currency: str) -> dict:
        return {**super().shape(currency), "productSku": self.sku}


def tier_line(order_id: str) -> str:
    return f"tier-{order_id}"


def backing(
    campaign, order_id: str, *, quantity: int = 1, other_unit=None, fulfilled: int = 0
) -> SaleorOrder:
    """An order with `quantity` of the campaign's tier (12,800 fen each, 6% tax) and, given `other_unit`, one
    ordinary product of another unit (8,800 fen): a mixed cart."""
    lines = [
        TierLine(
            tier_line(order_id),
            campaign.unit.saleor_warehouse_id,
            12_800,
            quantity=quantity,
            tax=768 * quantity,
            quantity_fulfilled=fulfilled,
            listing=campaign.listing_id,
            sku=tier_sku(campaign),
        )
    ]
    if other_unit is not None:
        lines.append(Line(f"plain-{order_id}", other_unit.saleor_warehouse_id, 8_800))
    return SaleorOrder(id=order_id, lines=lines).paid(f"charge-{order_id}", PAID_AT)


def party_total(party: str, **filters) -> int:
    return sum(SplitLine.objects.filter(party=party, **filters).values_list("amount", flat=True))


def per_party(order_ref: str, line_ref: str) -> dict[str, int]:
    """Each party's net on a line over every posting (payment, releases, refunds); zeros left out."""
    nets: dict[str, int] = {}
    for party, amount, _fee in ledger.order_line_nets(order_ref=order_ref)[line_ref]:
        nets[party] = nets.get(party, 0) + amount
    return {p: a for p, a in nets.items() if a}


def held_account(campaign) -> int:
    return ledger.account_balances().get((Account.Kind.CAMPAIGN_HELD, campaign.party_key, "CNY"), 0)


def test_a_paid_tier_line_is_held_for_the_campaign_and_the_rest_of_the_cart_is_split(live, deliver):
    library = unit_with_agreement(8)
    event = deliver("order_fully_paid", backing(live, "order-c1", quantity=2, other_unit=library).payload())
    assert event.status == WebhookEvent.Status.DONE, event.last_error

    line = tier_line("order-c1")
    nets = ledger.order_line_nets(order_ref="order-c1")
    assert nets[line] == [(live.party_key, 25_600, 0)]  # whole, to the campaign, unsplit
    assert nets[f"{line}:tax"] == [(live.party_key, 1_536, 0)]  # and its tax, until the sale stands
    assert {p for p, _a, _f in nets["plain-order-c1"]} == {
        library.party_key,
        library.operating_entity.party_key,
        f"staff_pool:{library.uid}",
        "platform",
    }
    assert held_account(live) == -(25_600 + 1_536)  # a credit: unearned income held for the campaign
    assert ledger.transactions_unbalanced() == []
    pledge = Pledge.objects.get(line_ref=line)
    assert (pledge.held, pledge.paid, pledge.quantity) == (25_600, 25_600 + 1_536, 2)
    # the recipe it will be released by: the museum's agreement in force at payment
    assert {s[0]: s[2] for s in pledge.recipe["shares"]} == {
        live.unit.party_key: 6000,
        live.unit.operating_entity.party_key: 2500,
        f"staff_pool:{live.unit.uid}": 500,
        "platform": 1000,
    }
    # a redelivery holds nothing twice
    deliver(
        "order_fully_paid", {**backing(live, "order-c1", quantity=2, other_unit=library).payload(), "x": 1}
    )
    assert Pledge.objects.filter(order_ref="order-c1").count() == 1
    assert held_account(live) == -(25_600 + 1_536)


def test_settlement_never_pays_out_of_held_funds(live, deliver, time_machine):
    deliver("order_fully_paid", backing(live, "order-c2").payload())
    time_machine.move_to(date(2027, 1, 2).isoformat() + "T00:00:00+08:00", tick=False)
    finance = platform_finance_user()
    batches = settlement.settlement_run(
        period_start=date(2026, 11, 1), period_end=date(2026, 12, 1), actor=finance
    )
    paid_parties = {b.party for b in batches}
    assert live.party_key not in paid_parties
    # nothing of the museum's: its only sale is still held (the campaign is undecided)
    assert not {live.unit.party_key, live.unit.operating_entity.party_key} & paid_parties
    assert held_account(live) == -(12_800 + 768)


def test_a_succeeded_campaign_releases_part_at_success_and_the_rest_once_shipped(
    live, deliver, time_machine, settings
):
    settings.CAMPAIGN_RELEASE_AT_SUCCESS_BPS = 3000
    for n in range(3):  # 3 x 128.00 + tax: 406.98 raised, above the 300.00 goal
        deliver("order_fully_paid", backing(live, f"order-s{n}").payload())
    time_machine.move_to(END - timedelta(minutes=5), tick=False)
    assert services.campaigns_tick()["decided"] == 0  # not before the deadline
    time_machine.move_to(END + services.DECIDE_GRACE, tick=False)

    outcome = services.campaigns_tick()

    live.refresh_from_db()
    assert live.state == Campaign.State.SUCCEEDED and live.backers_at_decision == 3
    assert live.raised_at_decision == 3 * (12_800 + 768)
    first = allocate_bps(12_800, [3000, 7000])[0]
    assert outcome["released"] == 3 * (first + 768)  # the tax goes whole to the seller of record at success
    assert held_account(live) == -3 * (12_800 - first)
    assert services.campaigns_tick()["released"] == 0  # nothing twice

    # order-s0's parcel ships: the rest of its line is released
    shipped = backing(live, "order-s0", fulfilled=1)
    shipped.updated_at = END.isoformat()
    deliver("order_updated", shipped.payload(issued_at=END.isoformat()))
    assert services.campaigns_tick()["released"] == 12_800 - first
    nets = per_party("order-s0", tier_line("order-s0"))
    # the museum's agreement (60/25/5/10 %) on the whole line, exactly
    assert nets[live.unit.party_key] == 7_680
    assert nets[live.unit.operating_entity.party_key] == 3_200
    assert nets[f"staff_pool:{live.unit.uid}"] == 640
    assert nets["platform"] == 1_280
    assert party_total(live.party_key, order_ref="order-s0") == 0
    assert held_account(live) == -2 * (12_800 - first)
    tax = per_party("order-s0", f"{tier_line('order-s0')}:tax")
    assert tax == {live.unit.operating_entity.party_key: 768}  # the seller of record, by the agreement
    # per order: the tax and the first part at success, the rest of order-s0 once shipped
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.RELEASE).count() == 3 * 2 + 1
    assert ledger.transactions_unbalanced() == []
    assert FinanceAuditEvent.objects.filter(action="campaign.succeeded").count() == 1


def test_a_payment_in_the_last_minute_counts_and_one_after_the_end_is_not_held(live, deliver, time_machine):
    two = backing(live, "order-late", quantity=3)
    two.charges = [("charge-late", two.total, (END - timedelta(seconds=30)).isoformat())]
    deliver("order_fully_paid", two.payload())
    after = backing(live, "order-after")
    after.charges = [("charge-after", after.total, (END + timedelta(seconds=1)).isoformat())]
    deliver("order_fully_paid", after.payload())
    time_machine.move_to(END + services.DECIDE_GRACE, tick=False)
    services.campaigns_decide_due()
    live.refresh_from_db()
    assert live.state == Campaign.State.SUCCEEDED  # 3 x 135.68 = 407.04 >= 300.00, reached in the last minute
    assert party_total(live.party_key, order_ref="order-after") == 0  # sold after the end: split as usual
    assert party_total(live.unit.party_key, order_ref="order-after") == 7_680


class FakeSaleor:
    """Saleor at the HTTP edge: the order's transaction, the grant, the refund request."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.fail = fail

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        name, variables = body["operationName"], body["variables"]
        self.calls.append((name, variables))
        if name == "OrderTransactions":
            txn = {"id": f"txn-{variables['order']}", "chargedAmount": {"amount": 1000.0, "currency": "CNY"}}
            data = {"order": {"id": variables["order"], "transactions": [txn]}}
        elif name == "OrderGrantRefundCreate":
            grant = {"id": f"granted-{variables['order']}", "status": "NONE", "amount": {}}
            data = {"orderGrantRefundCreate": {"grantedRefund": grant, "errors": []}}
        elif self.fail:
            errors = [{"field": None, "message": "card_declined at Stripe", "code": "INVALID"}]
            data = {"transactionRequestRefundForGrantedRefund": {"transaction": None, "errors": errors}}
        else:
            data = {"transactionRequestRefundForGrantedRefund": {"transaction": {"id": "t"}, "errors": []}}
        return httpx.Response(200, json={"data": data})


def test_a_failed_campaign_refunds_every_backer_in_full_retrying_a_refusal(live, deliver, time_machine):
    library = unit_with_agreement(9)
    orders = {
        "order-f1": backing(live, "order-f1", other_unit=library),
        "order-f2": backing(live, "order-f2"),
    }
    for order in orders.values():
        deliver("order_fully_paid", order.payload())
    time_machine.move_to(END + services.DECIDE_GRACE, tick=False)
    client = SaleorClient(API, "token")

    failing = FakeSaleor(fail=True)
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=failing)
        outcome = services.campaigns_tick(client=client)
    live.refresh_from_db()
    assert live.state == Campaign.State.FAILED
    assert outcome["refunds_created"] == 2
    refunds = {r.order_ref: r for r in CampaignRefund.objects.all()}
    assert {r.status for r in refunds.values()} == {CampaignRefund.Status.FAILED}
    assert "card_declined" in refunds["order-f1"].last_error  # parked with its reason, visible to finance
    assert refunds["order-f1"].amount == 12_800 + 768  # the tier line in full; the library's product stays
    assert refunds["order-f1"].saleor_granted_refund_id == "granted-order-f1"

    fine = FakeSaleor()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=fine)
        assert services.campaigns_tick(client=client)["attempted"] == 0  # within the backoff: nothing yet
        time_machine.move_to(END + services.DECIDE_GRACE + timedelta(minutes=2), tick=False)
        assert services.campaigns_tick(client=client)["attempted"] == 2
        assert services.campaigns_tick(client=client)["attempted"] == 0  # requested: never twice
    names = [name for name, _v in fine.calls]
    assert "OrderGrantRefundCreate" not in names  # the grants of the first attempt are reused
    assert names.count("OrderGrantedRefundRequest") == 2
    assert {r.status for r in CampaignRefund.objects.all()} == {CampaignRefund.Status.REQUESTED}
    assert CampaignRefund.objects.count() == 2

    # Saleor refunds through the payment app and tells us: the held money goes back to the buyers
    for order_id, order in orders.items():
        line = tier_line(order_id)
        order.refund_granted(
            f"refund-{order_id}", 12_800 + 768, (END + timedelta(hours=1)).isoformat(), lines=((line, 1),)
        )
        event = deliver("order_refunded", order.payload(issued_at=(END + timedelta(hours=1)).isoformat()))
        assert event.status == WebhookEvent.Status.DONE, event.last_error
    assert held_account(live) == 0
    assert (
        party_total(library.party_key, order_ref="order-f1") == 5_280
    )  # the mixed cart's other product stays
    assert ledger.transactions_unbalanced() == []
    assert not LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.RELEASE).exists()
    assert FinanceAuditEvent.objects.filter(action="campaign.refund_requested").count() == 2


def test_the_payment_posting_still_belongs_to_the_order(live, deliver):
    deliver("order_fully_paid", backing(live, "order-k").payload())
    assert LedgerTransaction.objects.filter(idempotency_key=payment_key("order-k")).count() == 1


def test_what_a_succeeded_campaign_released_is_settled_and_what_it_still_holds_is_not(
    live, deliver, time_machine, settings
):
    settings.CAMPAIGN_RELEASE_AT_SUCCESS_BPS = 5000
    for n in range(3):
        deliver("order_fully_paid", backing(live, f"order-r{n}").payload())
    time_machine.move_to(END + services.DECIDE_GRACE, tick=False)
    services.campaigns_tick()  # succeeded: half of each line (and its tax) released on 30 November
    time_machine.move_to("2027-01-02T00:00:00+08:00", tick=False)

    # the release was posted on 30 November: past November's return-window cutoff, so December's batch pays it
    batches = settlement.settlement_run(
        period_start=date(2026, 12, 1), period_end=date(2027, 1, 1), actor=platform_finance_user()
    )

    by_party = {b.party: b.amount for b in batches}
    assert live.party_key not in by_party  # what is still held is never paid out
    assert by_party[live.unit.party_key] == 3 * 3_840  # 60 % of the 64.00 released of each line
    entity = live.unit.operating_entity.party_key
    assert by_party[entity] == 3 * (1_600 + 768)  # its 25 %, and the tax as seller of record
    assert held_account(live) == -3 * 6_400


def test_the_beat_job_runs_the_deadline(live, deliver, time_machine):
    deliver("order_fully_paid", backing(live, "order-t1").payload())
    time_machine.move_to(END + services.DECIDE_GRACE, tick=False)
    assert "campaigns-decide" in django_settings.CELERY_BEAT_SCHEDULE
    result = tasks.campaigns_decide_due.delay().get()  # as Celery runs it (eager in the test settings)
    assert result["decided"] == 1
    assert Campaign.objects.get(pk=live.pk).state == Campaign.State.FAILED  # 135.68 of 300.00
