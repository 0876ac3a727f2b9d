"""A processor fee posted after its payment is borne exactly as if the payment had carried it."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from payments.error_codes import LedgerErrorCode
from payments.errors import PostingNotReady, PostingRefused
from payments.ledger_services import (
    fee_adjustment_post,
    payment_fee_post,
    payment_post,
    payout_post,
    refund_post,
)
from payments.models import LedgerTransaction, SplitLine
from payments.selectors import transactions_unbalanced
from payments.settlement.statements import statements
from payments.split import FeeRule, PartyShare, SaleLine, SaleShipping
from tests.payments.sales import agreement, sale

pytestmark = pytest.mark.django_db

_ORDER_ENTRIES = """
SELECT a.kind, a.party, sum(e.amount)
FROM payments_ledgerentry e
JOIN payments_ledgertransaction t ON t.id = e.transaction_id
JOIN payments_account a ON a.id = e.account_id
WHERE t.order_ref = %s GROUP BY a.kind, a.party
"""


def _entries(order_ref: str) -> dict[tuple[str, str], int]:
    """Net of every account over one order's postings (zero nets left out)."""
    with connection.cursor() as cursor:
        cursor.execute(_ORDER_ENTRIES, [order_ref])
        return {(kind, party): int(total) for kind, party, total in cursor.fetchall() if total}


def _split(order_ref: str) -> dict[tuple[str, str], tuple[int, int]]:
    """(line, party) -> (amount, fee) summed over one order's split lines."""
    out: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in SplitLine.objects.filter(order_ref=order_ref):
        out[(row.line_ref, row.party)][0] += row.amount
        out[(row.line_ref, row.party)][1] += row.fee
    return {k: (a, f) for k, (a, f) in out.items() if a or f}


def _order(order_ref: str, *, fee: int, second_rule: FeeRule):
    first = agreement()
    second = agreement("agr:2:v1", (("unit:2", "unit", 8000), ("platform", "platform", 2000)), second_rule)
    lines = (
        SaleLine(
            "L1", 6_001, first, "entity:1", tax=601, royalties=(PartyShare("designer:5", "designer", 500),)
        ),
        SaleLine("L2", 3_999, second, "unit:2"),
    )
    return sale(
        order_ref=order_ref, lines=lines, discount=997, shipping=SaleShipping(803, "unit:1", first), fee=fee
    )


@pytest.mark.parametrize("second_rule", [FeeRule.PRO_RATA, FeeRule.PLATFORM])
@pytest.mark.parametrize("fee", [1, 7, 317, 9_407])
def test_a_fee_posted_after_the_payment_and_a_refund_equals_the_fee_carried_by_the_payment(fee, second_rule):
    # given the same order twice: once paid with the fee, once paid with fee 0 and the fee posted later
    payment_post(idempotency_key="payment:with", sale=_order("with", fee=fee, second_rule=second_rule))
    refund_post(idempotency_key="refund:with", order_ref="with", currency="CNY", amount=1_234)
    payment_post(idempotency_key="payment:later", sale=_order("later", fee=0, second_rule=second_rule))
    refund_post(idempotency_key="refund:later", order_ref="later", currency="CNY", amount=1_234)

    # when the fee arrives after the refund
    result = payment_fee_post(idempotency_key="fee:txn_later", order_ref="later", fee=fee, currency="CNY")

    # then every account and every party's share and fee on every line are the same, to the fen
    assert result.created
    assert _entries("later") == _entries("with")
    assert _split("later") == _split("with")
    captured = _order("later", fee=0, second_rule=second_rule).captured
    assert _entries("later")[("stripe_clearing", "")] == captured - fee
    if second_rule == FeeRule.PRO_RATA:  # every line's parties bear the fee: it is all on split lines
        assert sum(f for _, f in _split("later").values()) == fee
    assert transactions_unbalanced() == []


def test_a_platform_rule_line_leaves_the_whole_fee_with_the_platform():
    # given a one-line order whose agreement says the platform bears the fee
    rule = agreement(fee_rule=FeeRule.PLATFORM)
    payment_post(
        idempotency_key="payment:o", sale=sale(order_ref="o", lines=(SaleLine("L1", 10_000, rule, "unit:1"),))
    )

    payment_fee_post(idempotency_key="fee:txn_o", order_ref="o", fee=320, currency="CNY")

    # then only the processor fees and clearing accounts move
    entries = _entries("o")
    assert entries[("processor_fees", "")] == 320
    assert entries[("stripe_clearing", "")] == 10_000 - 320
    assert entries[("party_payable", "unit:1")] == -7_000


def test_the_fee_posting_is_idempotent_and_refuses_other_figures_under_its_key():
    payment_post(idempotency_key="payment:o", sale=sale(order_ref="o"))
    first = payment_fee_post(idempotency_key="fee:txn_1", order_ref="o", fee=320, currency="CNY")

    again = payment_fee_post(idempotency_key="fee:txn_1", order_ref="o", fee=320, currency="CNY")
    with pytest.raises(PostingRefused) as exc:
        payment_fee_post(idempotency_key="fee:txn_1", order_ref="o", fee=321, currency="CNY")

    assert (again.transaction_id, again.created) == (first.transaction_id, False)
    assert exc.value.code == LedgerErrorCode.IDEMPOTENCY_CONFLICT
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.FEE).count() == 1


def test_a_fee_before_its_payment_waits_and_bad_figures_are_refused():
    with pytest.raises(PostingNotReady):
        payment_fee_post(idempotency_key="fee:txn_1", order_ref="o", fee=320, currency="CNY")
    payment_post(idempotency_key="payment:o", sale=sale(order_ref="o"))

    refusals = [
        (dict(fee=10_001, currency="CNY"), LedgerErrorCode.FEE_EXCEEDS_CAPTURED),
        (dict(fee=320, currency="USD"), LedgerErrorCode.CURRENCY_MISMATCH),
        (dict(fee=0, currency="CNY"), LedgerErrorCode.ZERO_AMOUNT),
        (dict(fee=-1, currency="CNY"), LedgerErrorCode.NEGATIVE_AMOUNT),
    ]
    for kwargs, code in refusals:
        with pytest.raises(PostingRefused) as exc:
            payment_fee_post(idempotency_key="fee:txn_2", order_ref="o", **kwargs)
        assert exc.value.code == code
    assert not LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.FEE).exists()


def test_a_statement_counts_a_fee_posted_after_the_payment_among_the_partys_fees():
    # given a payment posted with fee 0, then its fee
    payment_post(idempotency_key="payment:o", sale=_order("o", fee=0, second_rule=FeeRule.PRO_RATA))
    payment_fee_post(idempotency_key="fee:txn_o", order_ref="o", fee=317, currency="CNY")

    # when the parties' statements are drawn for the period
    now = timezone.now()
    rows = statements(start=now - timedelta(hours=1), end=now + timedelta(hours=1), currency="CNY")

    # then each party's fees are what it bears on its split lines, and its statement adds up
    borne = defaultdict(int)
    for row in SplitLine.objects.filter(order_ref="o"):
        borne[row.party] += row.fee
    assert {s.party: s.fees for s in rows if s.party != "platform"} == {
        p: f for p, f in borne.items() if p != "platform"
    }
    for s in rows:
        assert s.opening + s.sales - s.fees + s.refunds - s.payouts == s.closing


def test_a_posting_of_nothing_is_refused_as_zero_and_one_below_nothing_as_negative():
    payment_post(idempotency_key="payment:o", sale=sale(order_ref="o"))

    def payout(amount):
        return payout_post(
            idempotency_key=f"payout:{amount}",
            party="unit:u1",
            amount=amount,
            currency="CNY",
            clearing="bank_clearing",
            ref="batch-1",
        )

    def adjustment(amount):
        return fee_adjustment_post(
            idempotency_key=f"adj:{amount}", order_ref="o", amount=amount, currency="CNY"
        )

    refusals = [
        (lambda: payout(0), LedgerErrorCode.ZERO_AMOUNT),
        (lambda: payout(-5), LedgerErrorCode.NEGATIVE_AMOUNT),
        (lambda: adjustment(0), LedgerErrorCode.ZERO_AMOUNT),
    ]
    for post, code in refusals:
        with pytest.raises(PostingRefused) as exc:
            post()
        assert exc.value.code == code
    assert not LedgerTransaction.objects.exclude(kind=LedgerTransaction.Kind.PAYMENT).exists()
