"""Posting paid orders and refunds: split lines frozen, balanced entries, idempotent, refusals clear."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import connection
from django.utils import timezone

from payments.error_codes import LedgerErrorCode
from payments.errors import PostingNotReady, PostingRefused
from payments.ledger_services import payment_post, payment_post_batch, refund_post, transaction_reverse
from payments.models import Account, LedgerEntry, LedgerTransaction, SplitLine
from payments.selectors import account_balances, order_line_nets, party_owed, transactions_unbalanced
from payments.split import FeeRule, PartyShare, SaleLine, SaleShipping, allocate
from tests.payments.sales import agreement, sale

pytestmark = pytest.mark.django_db


def _check_constraints_now() -> None:
    """Fire the deferred balance trigger inside the test's transaction (it otherwise runs at commit)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _two_line_sale(**kwargs):
    agr = agreement()
    lines = (
        SaleLine(
            "L1", 6_000, agr, "entity:1", tax=600, royalties=(PartyShare("designer:5", "designer", 500),)
        ),
        SaleLine(
            "L2",
            4_000,
            agreement("agr:2:v1", (("unit:2", "unit", 8000), ("platform", "platform", 2000))),
            "unit:2",
        ),
    )
    return sale(lines=lines, discount=1_000, shipping=SaleShipping(800, "unit:1", agr), **kwargs)


def test_payment_posts_split_lines_and_one_balanced_transaction():
    # given a two-unit order with a discount, tax, a royalty, shipping and a fee
    s = _two_line_sale(fee=420)
    # when it is posted
    result = payment_post(idempotency_key="payment:order-1", sale=s)
    _check_constraints_now()
    # then one transaction, balanced, whose split lines sum per line to the line's net
    assert result.created
    assert LedgerTransaction.objects.count() == 1
    assert transactions_unbalanced() == []
    nets = order_line_nets(order_ref="order-1")
    assert {ref: sum(a for _, a, _ in parts) for ref, parts in nets.items()} == {
        "L1": 5_400,
        "L1:tax": 600,
        "L2": 3_600,
        "shipping": 800,
    }
    assert sum(a for parts in nets.values() for _, a, _ in parts) == s.captured
    l2 = SplitLine.objects.filter(line_ref="L2").order_by("position")
    assert [(r.party, r.amount, r.agreement_version, r.rule, r.fee_rule) for r in l2] == [
        ("unit:2", 2880, "agr:2:v1", "agreement", "pro_rata"),
        ("platform", 720, "agr:2:v1", "agreement", "pro_rata"),
    ]
    # and the stripe clearing holds what Stripe paid out; fees were recharged pro rata
    balances = account_balances()
    assert balances[(Account.Kind.STRIPE_CLEARING, "", "CNY")] == s.captured - 420
    owed = party_owed(currency="CNY")
    recharged = sum(f for parts in nets.values() for p, _, f in parts if p != "platform")
    assert sum(f for parts in nets.values() for _, _, f in parts) == 420
    assert sum(owed.values()) + recharged == s.captured
    assert balances[(Account.Kind.PROCESSOR_FEES, "", "CNY")] == 420 - recharged


def test_fee_borne_by_platform_stays_in_processor_fees():
    s = sale(lines=(SaleLine("L1", 10_000, agreement(fee_rule=FeeRule.PLATFORM), "unit:1"),), fee=300)
    payment_post(idempotency_key="payment:order-1", sale=s)
    balances = account_balances()
    assert balances[(Account.Kind.PROCESSOR_FEES, "", "CNY")] == 300
    assert party_owed(currency="CNY") == {"unit:1": 7000, "entity:1": 2000, "platform": 1000}


def test_posting_the_same_payment_twice_is_a_no_op():
    s = _two_line_sale(fee=100)
    first = payment_post(idempotency_key="payment:order-1", sale=s)
    counts = (LedgerEntry.objects.count(), SplitLine.objects.count())
    second = payment_post(idempotency_key="payment:order-1", sale=s)
    assert (second.transaction_id, second.created) == (first.transaction_id, False)
    assert (LedgerEntry.objects.count(), SplitLine.objects.count()) == counts


def test_a_reused_key_with_other_figures_is_refused():
    payment_post(idempotency_key="payment:order-1", sale=sale(fee=10))
    with pytest.raises(PostingRefused) as exc:
        payment_post(idempotency_key="payment:order-1", sale=sale(fee=11))
    assert exc.value.code == LedgerErrorCode.IDEMPOTENCY_CONFLICT


def test_a_second_payment_of_the_same_order_under_another_key_is_refused():
    payment_post(idempotency_key="payment:order-1", sale=sale())
    with pytest.raises(PostingRefused) as exc:
        payment_post(idempotency_key="payment:order-1:again", sale=sale())
    assert exc.value.code == LedgerErrorCode.ORDER_ALREADY_PAID


def test_a_payment_whose_figures_do_not_add_up_posts_nothing():
    s = sale()
    bad = type(s)(s.order_ref, s.currency, s.captured - 1, s.lines)
    with pytest.raises(PostingRefused) as exc:
        payment_post(idempotency_key="payment:order-1", sale=bad)
    assert exc.value.code == LedgerErrorCode.AMOUNT_MISMATCH
    assert not LedgerTransaction.objects.exists()


def test_batch_posting_skips_keys_already_posted_and_repeated_in_the_batch():
    payment_post(idempotency_key="payment:a", sale=sale(order_ref="a"))
    results = payment_post_batch(
        payments=[
            ("payment:a", sale(order_ref="a")),
            ("payment:b", sale(order_ref="b")),
            ("payment:b", sale(order_ref="b")),
        ]
    )
    _check_constraints_now()
    assert [r.created for r in results] == [False, True, True]
    assert results[1] == results[2]
    assert LedgerTransaction.objects.count() == 2


def test_a_batch_with_one_order_that_does_not_add_up_posts_nothing():
    good, off = sale(order_ref="a"), sale(order_ref="b")
    bad = type(off)(off.order_ref, off.currency, off.captured - 1, off.lines)
    with pytest.raises(PostingRefused) as exc:
        payment_post_batch(
            payments=[("payment:a", good), ("payment:b", bad), ("payment:c", sale(order_ref="c"))]
        )
    assert exc.value.code == LedgerErrorCode.AMOUNT_MISMATCH
    assert not LedgerTransaction.objects.exists() and not SplitLine.objects.exists()


def test_a_repeated_batch_posts_nothing_twice():
    # given a batch of three paid orders posted
    batch = [(f"payment:{ref}", _two_line_sale(order_ref=ref)) for ref in ("a", "b", "c")]
    first = payment_post_batch(payments=batch)
    rows = (LedgerTransaction.objects.count(), LedgerEntry.objects.count(), SplitLine.objects.count())
    # when the same batch is delivered again, with one new order among the repeats
    again = payment_post_batch(payments=[*batch, ("payment:d", _two_line_sale(order_ref="d"))])
    _check_constraints_now()
    # then the repeats return the first postings and only the new order is posted
    assert [r.created for r in first] == [True, True, True]
    assert again[:3] == [dataclasses.replace(r, created=False) for r in first]
    assert again[3].created
    assert LedgerTransaction.objects.count() == rows[0] + 1
    assert LedgerEntry.objects.exclude(transaction_id=again[3].transaction_id).count() == rows[1]
    assert SplitLine.objects.exclude(transaction_id=again[3].transaction_id).count() == rows[2]
    balances = account_balances()
    assert payment_post_batch(payments=batch) == again[:3]
    assert account_balances() == balances and transactions_unbalanced() == []


def test_partial_line_refund_reverses_each_party_exactly():
    # given a paid order
    payment_post(idempotency_key="payment:order-1", sale=_two_line_sale())
    # when 1,001 of L1 is refunded
    refund_post(idempotency_key="refund:1", order_ref="order-1", currency="CNY", lines={"L1": 1_001})
    _check_constraints_now()
    # then each party of L1 holds exactly the split of what is left, others are untouched
    nets = order_line_nets(order_ref="order-1")
    assert [a for _, a, _ in nets["L1"]] == [220, 2925, 836, 418]  # split of 4,399: 5% carved, then 70/20/10
    assert sum(a for _, a, _ in nets["L2"]) == 3_600
    assert account_balances()[(Account.Kind.REFUNDS, "", "CNY")] == -1_001
    assert transactions_unbalanced() == []


def test_shipping_and_order_level_refunds():
    s = _two_line_sale()
    payment_post(idempotency_key="payment:order-1", sale=s)
    refund_post(idempotency_key="refund:ship", order_ref="order-1", currency="CNY", lines={"shipping": 800})
    refund_post(idempotency_key="refund:rest", order_ref="order-1", currency="CNY", amount=s.captured - 800)
    _check_constraints_now()
    nets = order_line_nets(order_ref="order-1")
    assert all(a == 0 for parts in nets.values() for _, a, _ in parts)
    assert all(v == 0 for v in party_owed(currency="CNY").values())


def test_a_scoped_refund_takes_what_its_lines_hold_and_spreads_the_rest_pro_rata():
    s = _two_line_sale()
    payment_post(idempotency_key="payment:order-1", sale=s)
    refund_post(
        idempotency_key="refund:1", order_ref="order-1", currency="CNY", lines={"L2": 500}, amount=500
    )
    nets = order_line_nets(order_ref="order-1")
    assert sum(a for _, a, _ in nets["L2"]) == 3_100 and sum(a for _, a, _ in nets["L1"]) == 5_400
    # L1 holds 5,400: it gives all of it, the other 600 is spread over what is left on the other lines
    refund_post(
        idempotency_key="refund:2", order_ref="order-1", currency="CNY", lines={"L1": 6_000}, amount=6_000
    )
    _check_constraints_now()
    sums = {ref: sum(a for _, a, _ in parts) for ref, parts in order_line_nets(order_ref="order-1").items()}
    before = {"L1:tax": 600, "L2": 3_100, "shipping": 800}
    spread = dict(zip(before, allocate(600, list(before.values())), strict=True))
    assert sums == {"L1": 0, **{ref: before[ref] - spread[ref] for ref in before}}
    assert transactions_unbalanced() == []


def test_a_refund_beyond_what_was_captured_is_refused_and_posts_nothing():
    payment_post(idempotency_key="payment:order-1", sale=sale())
    refund_post(idempotency_key="refund:1", order_ref="order-1", currency="CNY", amount=9_000)
    with pytest.raises(PostingRefused) as exc:
        refund_post(idempotency_key="refund:2", order_ref="order-1", currency="CNY", amount=1_001)
    assert exc.value.code == LedgerErrorCode.REFUND_EXCEEDS_CAPTURED
    with pytest.raises(PostingRefused) as exc:
        refund_post(idempotency_key="refund:3", order_ref="order-1", currency="CNY", lines={"L1": 1_001})
    assert exc.value.code == LedgerErrorCode.REFUND_EXCEEDS_CAPTURED
    assert LedgerTransaction.objects.filter(kind="refund").count() == 1


def test_a_refund_before_its_payment_is_not_ready_and_writes_nothing():
    with pytest.raises(PostingNotReady) as exc:
        refund_post(idempotency_key="refund:1", order_ref="order-1", currency="CNY", amount=100)
    assert exc.value.code == LedgerErrorCode.PAYMENT_NOT_POSTED
    assert not LedgerTransaction.objects.exists()
    # once the payment is posted, the retried refund goes through
    payment_post(idempotency_key="payment:order-1", sale=sale())
    assert refund_post(idempotency_key="refund:1", order_ref="order-1", currency="CNY", amount=100).created


def test_refund_bad_inputs_are_refused_with_codes():
    payment_post(idempotency_key="payment:order-1", sale=sale())
    cases = [
        ({"currency": "USD", "amount": 1}, LedgerErrorCode.CURRENCY_MISMATCH),
        ({"currency": "CNY", "lines": {"nope": 1}}, LedgerErrorCode.UNKNOWN_LINE),
        ({"currency": "CNY", "amount": 0}, LedgerErrorCode.NOTHING_TO_REFUND),
        ({"currency": "CNY", "lines": {"L1": -5}}, LedgerErrorCode.NEGATIVE_REFUND),
        ({"currency": "CNY"}, LedgerErrorCode.REFUND_SCOPE),
        ({"currency": "CNY", "lines": {"L1": 6}, "amount": 5}, LedgerErrorCode.REFUND_SCOPE),
    ]
    for i, (kwargs, code) in enumerate(cases):
        with pytest.raises(PostingRefused) as exc:
            refund_post(idempotency_key=f"refund:{i}", order_ref="order-1", **kwargs)
        assert exc.value.code == code


def test_a_refund_after_payout_leaves_the_party_negative():
    # given a paid order whose unit was already paid out its 7,000
    payment_post(idempotency_key="payment:order-1", sale=sale())
    payout = LedgerTransaction.objects.create(
        idempotency_key="payout:1", kind="reversal", order_ref="payout-1", currency="CNY", fingerprint="p",
        posted_at=timezone.now(),
    )  # fmt: skip
    unit = Account.objects.get(kind=Account.Kind.PARTY_PAYABLE, party="unit:1")
    clearing = Account.objects.get(kind=Account.Kind.STRIPE_CLEARING)
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(transaction=payout, account=unit, amount=7_000, currency="CNY"),
            LedgerEntry(transaction=payout, account=clearing, amount=-7_000, currency="CNY"),
        ]
    )
    # when the order is refunded in full
    refund_post(idempotency_key="refund:1", order_ref="order-1", currency="CNY", amount=10_000)
    _check_constraints_now()
    # then the unit owes 7,000 back, carried into its next settlement
    assert party_owed(currency="CNY")["unit:1"] == -7_000
    assert transactions_unbalanced() == []


def test_refund_twice_with_the_same_key_is_a_no_op():
    payment_post(idempotency_key="payment:order-1", sale=sale())
    first = refund_post(idempotency_key="refund:1", order_ref="order-1", currency="CNY", amount=100)
    again = refund_post(idempotency_key="refund:1", order_ref="order-1", currency="CNY", amount=100)
    assert (again.transaction_id, again.created) == (first.transaction_id, False)
    with pytest.raises(PostingRefused) as exc:
        refund_post(idempotency_key="refund:1", order_ref="order-1", currency="CNY", amount=200)
    assert exc.value.code == LedgerErrorCode.IDEMPOTENCY_CONFLICT


def test_corrections_reverse_the_latest_posting_first():
    # given a paid order with two refunds
    payment = payment_post(idempotency_key="payment:order-1", sale=_two_line_sale(fee=200))
    refund_post(idempotency_key="refund:1", order_ref="order-1", currency="CNY", lines={"L1": 333})
    second = refund_post(idempotency_key="refund:2", order_ref="order-1", currency="CNY", amount=1_234)
    # when the payment is reversed while refunds stand, it is refused
    with pytest.raises(PostingRefused) as exc:
        transaction_reverse(
            transaction_id=payment.transaction_id, idempotency_key="fix:1", memo="wrong order"
        )
    assert exc.value.code == LedgerErrorCode.NOT_LATEST_POSTING
    # when the latest refund is reversed, the lines hold what they held after the first refund
    transaction_reverse(transaction_id=second.transaction_id, idempotency_key="fix:2", memo="refund failed")
    nets_after_first = order_line_nets(order_ref="order-1")
    assert (
        sum(a for parts in nets_after_first.values() for _, a, _ in parts) == _two_line_sale().captured - 333
    )
    # and reversing it again is refused, while the same key is a no-op
    with pytest.raises(PostingRefused) as exc:
        transaction_reverse(transaction_id=second.transaction_id, idempotency_key="fix:3", memo="again")
    assert exc.value.code == LedgerErrorCode.ALREADY_REVERSED
    again = transaction_reverse(
        transaction_id=second.transaction_id, idempotency_key="fix:2", memo="refund failed"
    )
    assert not again.created
    # then undoing everything in stack order leaves every account at zero
    first = LedgerTransaction.objects.get(idempotency_key="refund:1")
    transaction_reverse(transaction_id=first.pk, idempotency_key="fix:4", memo="refund failed")
    transaction_reverse(transaction_id=payment.transaction_id, idempotency_key="fix:5", memo="wrong order")
    _check_constraints_now()
    assert all(v == 0 for v in account_balances().values())
    assert transactions_unbalanced() == []
