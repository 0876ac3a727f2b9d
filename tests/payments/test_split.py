"""Allocation math of the split engine: exact sums, deterministic tie-breaks, negatives, refunds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.error_codes import LedgerErrorCode
from payments.split import (
    AgreementVersion,
    FeeRule,
    LineKind,
    PartyShare,
    Recipe,
    SaleLine,
    SaleShipping,
    ShippingRule,
    SplitError,
    TaxRule,
    allocate,
    allocate_bps,
    discount_allocate,
    product_recipe,
    refund_deltas,
    refund_spread,
    sale_split,
)
from tests.payments.sales import agreement, sale


def test_allocate_sums_exactly_and_gives_leftover_to_largest_remainders():
    # 100 * (1/3, 1/3, 1/3) -> floors 33 each, one fen left, all remainders equal -> first party
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    # 10 * (0.15, 0.35, 0.5) = 1.5, 3.5, 5 -> remainders .5, .5, 0 -> the earlier of the tied two
    assert allocate_bps(10, [1500, 3500, 5000]) == [2, 3, 5]
    # larger remainder wins over party order: 7 * (0.1, 0.9) = 0.7, 6.3
    assert allocate_bps(7, [1000, 9000]) == [1, 6]


def test_allocate_tie_break_follows_party_order():
    assert allocate(1, [5000, 5000]) == [1, 0]
    assert allocate(2, [2500, 2500, 2500, 2500]) == [1, 1, 0, 0]


def test_allocate_negative_mirrors_positive_and_zero_is_zero():
    assert allocate(-100, [1, 1, 1]) == [-34, -33, -33]
    assert allocate(0, [3000, 7000]) == [0, 0]


def test_allocate_refuses_bad_weights():
    with pytest.raises(SplitError) as exc:
        allocate_bps(100, [5000, 4999])
    assert exc.value.code == LedgerErrorCode.BPS_NOT_10000
    with pytest.raises(SplitError) as exc:
        allocate(5, [0, 0])
    assert exc.value.code == LedgerErrorCode.ZERO_WEIGHTS
    with pytest.raises(SplitError) as exc:
        allocate(5, [])
    assert exc.value.code == LedgerErrorCode.NO_PARTIES


@given(
    amount=st.integers(-(10**12), 10**12),
    weights=st.lists(st.integers(0, 10_000), min_size=1, max_size=8).filter(lambda w: sum(w) > 0),
)
def test_allocate_is_exact_and_within_one_fen_of_proportional(amount, weights):
    shares = allocate(amount, weights)
    assert sum(shares) == amount
    total = sum(weights)
    for share, w in zip(shares, weights, strict=True):
        assert abs(share * total - amount * w) < total  # strictly within one fen of the exact share
    assert allocate(-amount, weights) == [-s for s in shares]


def test_discount_is_spread_pro_rata_and_never_exceeds_a_line():
    assert discount_allocate(100, [300, 300, 400]) == [30, 30, 40]
    assert discount_allocate(1000, [1, 999]) == [1, 999]
    assert sum(discount_allocate(7, [3, 3, 3])) == 7
    with pytest.raises(SplitError) as exc:
        discount_allocate(11, [5, 5])
    assert exc.value.code == LedgerErrorCode.DISCOUNT_EXCEEDS_TOTAL


def test_royalty_is_carved_out_before_the_agreement_split():
    recipe = product_recipe(agreement(), royalties=(PartyShare("designer:5", "designer", 500),))
    # 10,000 fen: designer 5% = 500; the remaining 9,500 split 70/20/10
    assert recipe.split(10_000) == [500, 6650, 1900, 950]
    assert [s.rule for s in recipe.shares] == ["royalty:designer", "agreement", "agreement", "agreement"]


def test_royalties_over_100_percent_are_refused():
    with pytest.raises(SplitError) as exc:
        product_recipe(agreement(), royalties=(PartyShare("designer:5", "designer", 10_001),))
    assert exc.value.code == LedgerErrorCode.ROYALTIES_EXCEED_LINE


def test_sale_split_applies_discount_tax_shipping_and_fee_rules():
    # given two lines, a 10% order discount, tax to the seller, shipping to the shipping unit, a fee
    agr = agreement()
    lines = (
        SaleLine("L1", 6_000, agr, "entity:1", tax=780, royalties=(PartyShare("ip:9", "ip_licensor", 1000),)),
        SaleLine("L2", 4_000, agr, "entity:1"),
    )
    shipping = SaleShipping(1_000, "unit:1", agr)
    s = sale(lines=lines, discount=1_000, shipping=shipping, fee=350)

    # when
    splits = sale_split(s)

    # then each line's shares sum to its net, and the frozen rules/versions are on the output
    by_ref = {ls.ref: ls for ls in splits}
    assert by_ref["L1"].amount == 5_400 and by_ref["L2"].amount == 3_600
    assert [p.amount for p in by_ref["L1"].parties] == [540, 3402, 972, 486]
    assert [(p.party, p.amount, p.rule) for p in by_ref["L1:tax"].parties] == [
        ("entity:1", 780, "tax:seller_of_record")
    ]
    assert [(p.party, p.rule) for p in by_ref["shipping"].parties] == [("unit:1", "shipping:shipping_unit")]
    assert by_ref["shipping"].kind == LineKind.SHIPPING
    assert sum(ls.amount for ls in splits) == s.captured
    assert sum(p.fee for ls in splits for p in ls.parties) == 350
    assert all(ls.recipe.agreement_version == "agr:1:v1" for ls in splits)
    for ls in splits:
        assert sum(p.amount for p in ls.parties) == ls.amount


def test_fee_borne_by_platform_leaves_parties_untouched():
    agr = agreement(fee_rule=FeeRule.PLATFORM)
    splits = sale_split(sale(lines=(SaleLine("L1", 10_000, agr, "unit:1"),), fee=300))
    assert all(p.fee == 0 for p in splits[0].parties)
    assert splits[0].recipe.fee_rule == FeeRule.PLATFORM


def test_configurable_tax_and_shipping_rules():
    agr = AgreementVersion(
        "agr:2:v3",
        (PartyShare("unit:2", "unit", 6000), PartyShare("platform", "platform", 4000)),
        tax_rule=TaxRule.PLATFORM,
        shipping_rule=ShippingRule.AGREEMENT,
    )
    splits = sale_split(
        sale(lines=(SaleLine("L1", 1000, agr, "unit:2", tax=100),), shipping=SaleShipping(500, "unit:2", agr))
    )
    by_ref = {ls.ref: ls for ls in splits}
    assert [(p.party, p.amount) for p in by_ref["L1:tax"].parties] == [("platform", 100)]
    assert [(p.party, p.amount, p.rule) for p in by_ref["shipping"].parties] == [
        ("unit:2", 300, "shipping:agreement"),
        ("platform", 200, "shipping:agreement"),
    ]


def test_sale_split_refuses_a_captured_amount_that_does_not_match():
    s = sale()
    bad = type(s)(s.order_ref, s.currency, s.captured + 1, s.lines)
    with pytest.raises(SplitError) as exc:
        sale_split(bad)
    assert exc.value.code == LedgerErrorCode.AMOUNT_MISMATCH


def test_sale_with_zero_total_splits_to_zeros():
    splits = sale_split(sale(lines=(SaleLine("L1", 500, agreement(), "unit:1"),), discount=500))
    assert [p.amount for p in splits[0].parties] == [0, 0, 0]


def _recipe(bps: list[int]) -> Recipe:
    return product_recipe(
        AgreementVersion("v", tuple(PartyShare(f"p:{i}", "unit", b) for i, b in enumerate(bps)))
    )


def test_refund_reverses_shares_and_full_refund_returns_everyone_to_zero():
    recipe = _recipe([3333, 3333, 3334])
    first = refund_deltas(recipe, net_before=100, refund=40)
    assert sum(first) == -40
    second = refund_deltas(recipe, net_before=60, refund=60)
    assert [a + b + c for a, b, c in zip(recipe.split(100), first, second, strict=True)] == [0, 0, 0]


def test_refund_beyond_what_is_left_is_refused():
    with pytest.raises(SplitError) as exc:
        refund_deltas(_recipe([5000, 5000]), net_before=100, refund=101)
    assert exc.value.code == LedgerErrorCode.REFUND_EXCEEDS_CAPTURED
    with pytest.raises(SplitError) as exc:
        refund_spread(201, [100, 100])
    assert exc.value.code == LedgerErrorCode.REFUND_EXCEEDS_CAPTURED


@given(
    bps=st.lists(st.integers(1, 5000), min_size=1, max_size=5)
    .map(lambda b: [*b, 10_000 - sum(b)])
    .filter(lambda b: b[-1] >= 0),
    captured=st.integers(0, 10**8),
    cuts=st.lists(st.floats(0, 1), max_size=6),
)
def test_any_sequence_of_partial_refunds_leaves_the_split_of_what_remains(bps, captured, cuts):
    # given a line split at payment
    recipe = _recipe(bps)
    nets = recipe.split(captured)
    remaining = captured
    # when partial refunds of arbitrary sizes are posted one after another
    for cut in cuts:
        refund = int(remaining * cut)
        for i, d in enumerate(refund_deltas(recipe, net_before=remaining, refund=refund)):
            nets[i] += d
        remaining -= refund
        # then each party's cumulative net is exactly the split of captured minus refunded
        assert nets == recipe.split(remaining)


def test_largest_remainder_is_not_monotone_so_the_cumulative_split_is_what_refunds_guarantee():
    # given a line whose split of 11 and of 10 differ against the grain (the "Alabama paradox")
    recipe = _recipe([6220, 1145, 373, 2262])
    assert recipe.split(11) == [7, 1, 0, 3] and recipe.split(10) == [6, 1, 1, 2]
    # when 1 fen is refunded, one party's slice is +1 (documented in payments.split)
    assert refund_deltas(recipe, net_before=11, refund=1) == [-1, 0, 1, -1]
    # then every party still holds exactly the split of what is left
    assert [a + d for a, d in zip(recipe.split(11), [-1, 0, 1, -1], strict=True)] == recipe.split(10)
