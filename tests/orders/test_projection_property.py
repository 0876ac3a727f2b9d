"""Property: random Saleor orders (2-3 units, agreements with their tax and shipping rules, vouchers,
shipping, line, shipping and partial refunds) delivered as order webhooks through the inbox,
duplicated, reordered, by concurrent workers (threads with their own connections) and some killed
mid-posting, end in a balanced ledger where each line and each party holds what an independent
recomputation says.

The recomputation (Fractions, tests/payments/ledger_model.naive_lr) sees only the orders as Saleor
shows them and the agreements; it shares no code with orders/ or payments.split.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from payments import ledger_services
from payments import selectors as ledger
from payments.models import Account
from saleor_app import services, wakeup
from saleor_app.models import WebhookEvent
from tests.factories import SaleorInstallationFactory
from tests.payments.ledger_model import naive_lr
from tests.unit_onboarding.factories import OperatingEntityFactory, agreement_in_force
from unit_onboarding.agreements import ShareTerm
from unit_onboarding.models import Unit

from .conftest import SINCE
from .payloads import Line, SaleorOrder

SEQ = itertools.count(1)  # examples share one database: every unit, order and line is new
T0 = datetime.fromisoformat("2026-11-27T10:00:00+00:00")


def at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


class WorkerKilled(BaseException):
    """A worker process dying mid-posting: nothing catches it, its transaction rolls back."""


_killing = threading.local()


# ----------------------------------------------------------------------------------------------- the model


@dataclass
class ModelUnit:
    unit: Unit
    shares: list[tuple[str, int]]  # agreement parties, ordered by party key (the tie-break order)
    tax_rule: str  # seller_of_record (its operating entity) or platform
    shipping_rule: str  # shipping_unit, agreement (split like goods) or platform


@dataclass
class ModelOrder:
    """An order as Saleor shows it, and the expected net of each split line (in payment order)."""

    saleor: SaleorOrder
    owners: dict[str, ModelUnit]  # line id -> unit
    recipes: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    nets: dict[str, int] = field(default_factory=dict)
    refunded: int = 0

    def pay(self) -> None:
        o = self.saleor
        line_nets = [ln.unit_price * ln.quantity - ln.discount for ln in o.lines]
        spread = naive_lr(o.extra_discount, line_nets)
        for ln, net, disc in zip(o.lines, line_nets, spread, strict=True):
            owner = self.owners[ln.id]
            self.recipes[ln.id], self.nets[ln.id] = owner.shares, net - disc
            if ln.tax:  # to the seller of record (the unit's operating entity) or the platform
                taker = "platform" if owner.tax_rule == "platform" else owner.unit.operating_entity.party_key
                self.recipes[f"{ln.id}:tax"] = [(taker, 1)]
                self.nets[f"{ln.id}:tax"] = ln.tax
        if o.shipping:  # by the rules of the unit with most goods (Saleor's line nets), first on ties
            goods: dict[str, int] = defaultdict(int)
            units = {self.owners[ln.id].unit.party_key: self.owners[ln.id] for ln in o.lines}
            for ln, net in zip(o.lines, line_nets, strict=True):
                goods[self.owners[ln.id].unit.party_key] += net
            shipper = units[max(goods, key=lambda p: (goods[p], -list(goods).index(p)))]
            recipe = {
                "shipping_unit": [(shipper.unit.party_key, 1)],
                "agreement": shipper.shares,
                "platform": [("platform", 1)],
            }[shipper.shipping_rule]
            self.recipes["shipping"], self.nets["shipping"] = recipe, o.shipping

    def refund(self, amount: int, lines: tuple[tuple[str, int], ...], shipping: bool, granted: bool) -> None:
        """Reverse on the granted lines (by quantity) and shipping as far as they hold, the rest pro rata."""
        o, scope = self.saleor, None
        if granted:
            by_id, weights = {ln.id: ln for ln in o.lines}, {}
            for ref, k in lines:
                ln = by_id[ref]
                net = ln.unit_price * ln.quantity - ln.discount  # Saleor's unit price: net // quantity
                weights[ref] = min(net // ln.quantity * k, net)
                weights[f"{ref}:tax"] = min(ln.tax // ln.quantity * k, ln.tax)
            if shipping:
                weights["shipping"] = o.shipping
            refs = sorted(r for r, w in weights.items() if w > 0)
            held = [weights[r] for r in refs]
            scope = dict(zip(refs, held if amount >= sum(held) else naive_lr(amount, held), strict=True))
        taken = {ref: min(r, self.nets[ref]) for ref, r in (scope or {}).items() if ref in self.nets}
        for ref, r in taken.items():  # each scoped line gives what it still holds, up to its part
            self.nets[ref] -= r
        rest = naive_lr(amount - sum(taken.values()), list(self.nets.values()))  # the excess: pro rata
        for ref, r in zip(list(self.nets), rest, strict=True):
            self.nets[ref] -= r
        self.refunded += amount

    def owed(self) -> dict[str, int]:
        owed: dict[str, int] = defaultdict(int)
        for ref, recipe in self.recipes.items():
            for (party, _), part in zip(
                recipe, naive_lr(self.nets[ref], [b for _, b in recipe]), strict=True
            ):
                owed[party] += part
        return owed


# ----------------------------------------------------------------------------------------------- strategies


def unit_of(draw) -> ModelUnit:
    n = next(SEQ)
    unit = OperatingEntityFactory(
        unit__status=Unit.Status.ACTIVE, unit__saleor_warehouse_id=f"prop-warehouse-{n}"
    ).unit
    parties = [
        unit.party_key,
        unit.operating_entity.party_key,
        f"staff_pool:{unit.uid}",
        "platform",
    ]
    cuts = sorted(draw(st.lists(st.integers(0, 10_000), min_size=3, max_size=3)))
    bps = [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)]
    roles = ["unit", "operating_entity", "staff_pool", "platform"]
    terms = [ShareTerm(p, r, b) for p, r, b in zip(parties, roles, bps, strict=True) if b]
    tax_rule = draw(st.sampled_from(["seller_of_record", "platform"]))
    shipping_rule = draw(st.sampled_from(["shipping_unit", "agreement", "platform"]))
    agreement_in_force(
        unit, effective_from=SINCE, shares=terms, tax_rule=tax_rule, shipping_rule=shipping_rule
    )
    return ModelUnit(unit, sorted((t.party_key, t.bps) for t in terms), tax_rule, shipping_rule)


@st.composite
def orders(draw) -> tuple[ModelOrder, list[tuple[str, dict]]]:
    """An order and its deliveries (event type, payload): created, paid, then one per refund."""
    units = [unit_of(draw) for _ in range(draw(st.integers(2, 3)))]
    order_id = f"order-prop-{next(SEQ)}"
    lines, owners = [], {}
    for i, unit in enumerate(units + draw(st.lists(st.sampled_from(units), max_size=2))):
        quantity, price = draw(st.integers(1, 4)), draw(st.integers(100, 30_000))
        line = Line(
            f"{order_id}-l{i}",
            unit.unit.saleor_warehouse_id,
            price,
            quantity=quantity,
            discount=draw(st.integers(0, price * quantity - 1)),  # the voucher Saleor folded into the line
            tax=draw(st.sampled_from([0, 0, price * quantity // 10])),
        )
        lines.append(line)
        owners[line.id] = unit
    o = SaleorOrder(id=order_id, lines=lines, shipping=draw(st.sampled_from([0, 800, 1500])))
    nets = sum(ln.unit_price * ln.quantity - ln.discount for ln in lines)
    o.extra_discount = draw(st.sampled_from([0, 0, draw(st.integers(0, nets // 2))]))  # not folded in lines
    model = ModelOrder(o, owners)
    deliveries = [("order_created", o.payload(issued_at=at(1)))]
    o.paid(at=at(5))
    o.updated_at = at(5)
    deliveries.append(("order_fully_paid", o.payload(issued_at=at(6))))
    model.pay()

    left_qty = {ln.id: ln.quantity for ln in lines}
    shipping_left = bool(o.shipping)
    for n in range(draw(st.integers(0, 3))):
        room = o.total - model.refunded
        if room <= 0:
            break
        kind = draw(st.sampled_from(["line", "shipping", "amount"]))
        granted_lines: tuple[tuple[str, int], ...] = ()
        with_shipping = False
        if kind == "line" and any(left_qty.values()):
            ref = draw(st.sampled_from([r for r, q in left_qty.items() if q]))
            k = draw(st.integers(1, left_qty[ref]))
            left_qty[ref] -= k
            granted_lines = ((ref, k),)
            with_shipping = shipping_left and draw(st.booleans())
        elif kind == "shipping" and shipping_left:
            with_shipping = True
        else:
            kind = "amount"
        shipping_left = shipping_left and not with_shipping
        if kind == "amount":
            amount = draw(st.integers(1, room))
        else:
            by_id = {ln.id: ln for ln in lines}
            full = (o.shipping if with_shipping else 0) + sum(  # Saleor grants unit gross x k
                (
                    (by_id[r].unit_price * by_id[r].quantity - by_id[r].discount) // by_id[r].quantity
                    + by_id[r].tax // by_id[r].quantity
                )
                * k
                for r, k in granted_lines
            )
            # what Saleor grants, part of it (paid in parts), or a custom amount above it
            options = [full, full, draw(st.integers(1, max(full, 1))), full + draw(st.integers(1, 500))]
            amount = min(room, draw(st.sampled_from(options)))
        event_id = f"{order_id}-refund-{n}"
        minute = 10 + 10 * n
        if kind == "amount":
            o.refunds.append((event_id, amount, at(minute)))
        else:
            o.refund_granted(event_id, amount, at(minute), lines=granted_lines, shipping=with_shipping)
        o.updated_at = at(minute)
        deliveries.append(("order_refunded", o.payload(issued_at=at(minute + 1))))
        model.refund(amount, granted_lines, with_shipping, granted=kind != "amount")
    return model, deliveries


# ----------------------------------------------------------------------------------------------- the property


def _process(event_id: int, kill: bool) -> str:
    _killing.on = kill
    try:
        return services.inbox_process(event_id=event_id)
    except WorkerKilled:
        return "killed"
    finally:
        _killing.on = False


def _killable(post):
    """A posting service that, in a worker marked for death, dies right after its writes."""

    def wrapped(**kwargs):
        result = post(**kwargs)
        if getattr(_killing, "on", False):
            raise WorkerKilled
        return result

    return wrapped


def _workers(event_ids: list[int], kills: list[bool], n: int) -> int:
    """n threads, each with its own database connection, draining one queue; killed events go back.

    Returns how many attempts were killed.
    """
    queue, lock, decisions, killed = deque(event_ids), threading.Lock(), iter(kills), [0]

    def work() -> None:
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    event_id, kill = queue.popleft(), next(decisions, False)
                if _process(event_id, kill) == "killed":
                    with lock:
                        queue.append(event_id)
                        killed[0] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return killed[0]


@pytest.fixture(autouse=True)
def _any_platform_share(settings):
    """The projection holds for any shares; the platform's floor is policy, tested with the agreements."""
    settings.PLATFORM_SHARE_MIN_BPS = 0


@pytest.fixture
def inbox(monkeypatch):
    """The inbox with no drain of its own (the workers below are the only ones), killable postings."""
    monkeypatch.setattr(wakeup, "inbox_kick", lambda: None)
    monkeypatch.setattr(ledger_services, "payment_post", _killable(ledger_services.payment_post))
    monkeypatch.setattr(ledger_services, "refund_post", _killable(ledger_services.refund_post))
    return SaleorInstallationFactory()


@pytest.mark.django_db(transaction=True)
@settings(  # a quarter of the profile's examples (50, or 500 with HYPOTHESIS_PROFILE=thorough): each
    # example commits real deliveries and runs threads
    max_examples=max(settings.default.max_examples // 4, 5),
    deadline=None,
    # no shrinking: every replay commits deliveries and runs threads; a failure prints its draws as found
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_orders_delivered_duplicated_reordered_concurrently_and_interrupted_match_a_recomputation(
    inbox, data
):
    before_owed = ledger.party_owed(currency="CNY")
    before = ledger.account_balances()

    # given 1-2 random orders and their deliveries, each sent 1-3 times (a re-issue has another
    # issuedAt, so it passes the inbox's body dedupe; an exact copy is deduped there), shuffled
    models, deliveries = [], []
    for _ in range(data.draw(st.integers(1, 2))):
        model, sent = data.draw(orders())
        models.append(model)
        deliveries += sent
    copies = []
    for event_type, payload in deliveries:
        for k in range(data.draw(st.integers(1, 3))):
            issued = datetime.fromisoformat(payload["issuedAt"]) + timedelta(
                seconds=data.draw(st.integers(0, 1)) * k
            )
            copies.append((event_type, {**payload, "issuedAt": issued.isoformat()}))
    copies = data.draw(st.permutations(copies))

    # when the inbox stores them and workers process them: the first ones one by one, the rest by 2-3
    # concurrent workers; some workers die mid-posting (the event stays pending and is taken again)
    stored = []
    for event_type, payload in copies:
        with transaction.atomic():
            event_id = services.inbox_store(
                installation=inbox,
                event_type=event_type,
                body=json.dumps(payload).encode(),
                signature="test",
            )
        if event_id is not None:
            stored.append(event_id)
    split, killed = data.draw(st.integers(0, len(stored))), 0
    for event_id in stored[:split]:
        if data.draw(st.integers(0, 4)) == 0:
            killed += _process(event_id, kill=True) == "killed"
        _process(event_id, kill=False)
    kills = data.draw(st.lists(st.integers(0, 4).map(lambda x: x == 0), max_size=len(stored)))
    killed += _workers(stored[split:], kills, n=data.draw(st.integers(2, 3)))
    event(f"attempts killed mid-posting: {min(killed, 3)}{'+' if killed >= 3 else ''}")
    event(f"concurrent workers had {'some' if len(stored) > split else 'none'}")
    for _ in range(10):  # what lost a race (failed) or waited for its payment is retried, as beat does
        waiting = WebhookEvent.objects.filter(pk__in=stored, status__in=["pending", "failed"])
        for event_id in waiting.values_list("pk", flat=True):
            _process(event_id, kill=False)

    # then every delivery is done (none parked), the ledger balances,
    events = WebhookEvent.objects.filter(pk__in=stored)
    assert set(events.values_list("status", flat=True)) == {"done"}, list(
        events.values("status", "last_error")
    )
    assert ledger.transactions_unbalanced() == []
    expected_owed: dict[str, int] = defaultdict(int)
    for model in models:
        # each order's split lines sum to captured minus refunded, each line holds its recomputed net,
        # and each party of each line its recomputed share
        nets = ledger.order_line_nets(order_ref=model.saleor.id)
        assert sum(a for parts in nets.values() for _, a, _ in parts) == model.saleor.total - model.refunded
        assert {ref: sum(a for _, a, _ in parts) for ref, parts in nets.items()} == model.nets
        for ref, recipe in model.recipes.items():
            shares = naive_lr(model.nets[ref], [b for _, b in recipe])
            assert [a for _, a, _ in nets[ref]] == shares, ref
        for party, amount in model.owed().items():
            expected_owed[party] += amount
    # and every party's balance (this example's; the platform's as a change) equals the recomputation
    owed = ledger.party_owed(currency="CNY")
    for party, amount in expected_owed.items():
        assert owed.get(party, 0) - before_owed.get(party, 0) == amount, party
    after = ledger.account_balances()
    captured = sum(m.saleor.total for m in models)
    refunded = sum(m.refunded for m in models)

    def change(kind: str) -> int:
        return after.get((kind, "", "CNY"), 0) - before.get((kind, "", "CNY"), 0)

    assert change(Account.Kind.STRIPE_CLEARING) == captured
    assert change(Account.Kind.REFUNDS) == -refunded
