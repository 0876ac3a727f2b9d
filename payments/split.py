"""Split engine: pure integer arithmetic that allocates money among parties to the fen.

No Django here. Inputs are plain dataclasses (an agreement version is a version id plus a list of
(party key, role, basis points)); outputs carry the version id and the rule that produced every share,
so they can be frozen onto split lines.

Invariants guaranteed by this module:
- `allocate(amount, weights)` returns integers summing exactly to `amount`, for any sign; each share is
  strictly within 1 fen of its exact proportional value; `allocate(-a, w) == [-x for x in allocate(a, w)]`.
- A line's split is a function of (recipe, amount) only. A refund takes a line from `net` to
  `net - r` and reverses `split(net) - split(net - r)` for each party, so after any sequence of
  partial refunds each party's cumulative net on the line equals `split(captured - refunded)` exactly,
  whatever the order and size of the refunds, and a full refund returns every party to zero.
  (Largest remainder is not monotone in the amount, so one refund's slice for a party differs from its
  exact proportional value by less than 2 fen and can, rarely, be 1 fen of the opposite sign; the
  cumulative invariant above is what is guaranteed.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from core.errors import AppError
from payments.error_codes import LedgerErrorCode

BPS_TOTAL = 10_000
PLATFORM = "platform"


class SplitError(AppError, ValueError):
    """An input the engine refuses; `code` is a stable machine-readable reason."""


class FeeRule(StrEnum):
    PRO_RATA = "pro_rata"  # each party bears the processor fee in proportion to its share
    PLATFORM = "platform"  # the platform bears the whole fee


class TaxRule(StrEnum):
    SELLER_OF_RECORD = "seller_of_record"
    PLATFORM = "platform"


class ShippingRule(StrEnum):
    SHIPPING_UNIT = "shipping_unit"  # all shipping income goes to the unit that ships
    AGREEMENT = "agreement"  # shipping is split like goods, by the agreement
    PLATFORM = "platform"


class LineKind(StrEnum):
    PRODUCT = "product"
    TAX = "tax"
    SHIPPING = "shipping"
    DISCOUNT = "discount"  # the platform's funding of a product line's discount (a negative share)


# ---------------------------------------------------------------------------------------------------
# Allocation primitives


def allocate(amount: int, weights: Sequence[int]) -> list[int]:
    """Largest remainder: shares of `amount` proportional to `weights`, summing exactly to `amount`.

    Ties on the remainder go to the earlier weight (party order is the tie-break).
    """
    if not weights:
        raise SplitError(LedgerErrorCode.NO_PARTIES, "cannot allocate among no parties")
    if any(w < 0 for w in weights):
        raise SplitError(LedgerErrorCode.NEGATIVE_WEIGHT, "weights must be non-negative")
    total = sum(weights)
    if total == 0:
        if amount == 0:
            return [0] * len(weights)
        raise SplitError(
            LedgerErrorCode.ZERO_WEIGHTS, f"cannot allocate {amount} among weights that sum to zero"
        )
    return _largest_remainder(amount, weights, total)


def _largest_remainder(amount: int, weights: Sequence[int], total: int) -> list[int]:
    """`allocate` once its inputs are known good (weights non-negative, summing to `total` > 0)."""
    if amount < 0:
        return [-share for share in _largest_remainder(-amount, weights, total)]
    floors = [amount * w // total for w in weights]
    leftover = amount - sum(floors)
    if leftover:
        remainders = [amount * w % total for w in weights]
        # larger remainder first; on equal remainders, the earlier party (a stable sort keeps that order
        # for equal keys even with reverse=True)
        order = sorted(range(len(weights)), key=remainders.__getitem__, reverse=True)
        for i in order[:leftover]:
            floors[i] += 1
    return floors


def allocate_bps(amount: int, bps: Sequence[int]) -> list[int]:
    """Allocate by basis points that must sum to exactly 10,000."""
    if sum(bps) != BPS_TOTAL:
        raise SplitError(LedgerErrorCode.BPS_NOT_10000, f"shares sum to {sum(bps)} bps, not {BPS_TOTAL}")
    return allocate(amount, bps)


def discount_allocate(discount: int, line_amounts: Sequence[int]) -> list[int]:
    """Spread an order-level discount over lines pro rata to their amounts; never above a line's amount."""
    if discount < 0:
        raise SplitError(LedgerErrorCode.NEGATIVE_DISCOUNT, "a discount cannot be negative")
    if discount > sum(line_amounts):
        raise SplitError(
            LedgerErrorCode.DISCOUNT_EXCEEDS_TOTAL,
            f"discount {discount} exceeds the lines' {sum(line_amounts)}",
        )
    return allocate(discount, line_amounts)


# ---------------------------------------------------------------------------------------------------
# Agreements and recipes


@dataclass(frozen=True)
class PartyShare:
    """One party of an agreement (or a royalty): `party` is a key like `unit:12`, `designer:5`, `platform`."""

    party: str
    role: str
    bps: int


@dataclass(frozen=True)
class AgreementVersion:
    """A distribution agreement version as the engine sees it; rules default to the design's defaults."""

    version_id: str
    shares: tuple[PartyShare, ...]
    fee_rule: FeeRule = FeeRule.PRO_RATA
    tax_rule: TaxRule = TaxRule.SELLER_OF_RECORD
    shipping_rule: ShippingRule = ShippingRule.SHIPPING_UNIT

    def __post_init__(self) -> None:
        if not self.shares:
            raise SplitError(LedgerErrorCode.AGREEMENT_EMPTY, f"agreement {self.version_id} has no parties")
        if any(s.bps < 0 for s in self.shares):
            raise SplitError(
                LedgerErrorCode.NEGATIVE_BPS, f"agreement {self.version_id} has a negative share"
            )
        if sum(s.bps for s in self.shares) != BPS_TOTAL:
            raise SplitError(
                LedgerErrorCode.BPS_NOT_10000,
                f"agreement {self.version_id} shares sum to {sum(s.bps for s in self.shares)} bps",
            )


_agreement_repr = AgreementVersion.__repr__


def _agreement_repr_cached(self: AgreementVersion) -> str:
    """The generated repr, computed once per agreement: it is most of a sale's fingerprint text."""
    text = self.__dict__.get("_repr")
    if text is None:
        text = self.__dict__["_repr"] = _agreement_repr(self)
    return text


AgreementVersion.__repr__ = _agreement_repr_cached  # type: ignore[method-assign]

_agreement_hash = AgreementVersion.__hash__


def _agreement_hash_cached(self: AgreementVersion) -> int:
    """The generated hash (over every share), once per agreement: each line's recipe lookup uses it."""
    value = self.__dict__.get("_hash")
    if value is None:
        value = self.__dict__["_hash"] = _agreement_hash(self)
    return value


AgreementVersion.__hash__ = _agreement_hash_cached  # type: ignore[method-assign]


@dataclass(frozen=True)
class RecipeShare:
    """One recipient of a line: carved-out royalties are taken first, the rest split by the agreement."""

    party: str
    role: str
    bps: int
    rule: str
    carved: bool = False


@dataclass(frozen=True)
class Recipe:
    """How one line's amount is divided; frozen onto split lines so refunds reuse it exactly."""

    agreement_version: str
    fee_rule: FeeRule
    shares: tuple[RecipeShare, ...]

    def __post_init__(self) -> None:
        carved = [s.bps for s in self.shares if s.carved]
        rest = [s.bps for s in self.shares if not s.carved]
        if any(b < 0 for b in carved + rest):
            raise SplitError(LedgerErrorCode.NEGATIVE_BPS, "a share cannot be negative")
        if sum(carved) > BPS_TOTAL:
            raise SplitError(
                LedgerErrorCode.ROYALTIES_EXCEED_LINE, f"royalties take {sum(carved)} bps of a line"
            )
        if sum(rest) != BPS_TOTAL:
            raise SplitError(
                LedgerErrorCode.BPS_NOT_10000, f"agreement shares sum to {sum(rest)} bps, not {BPS_TOTAL}"
            )

    @property
    def _layout(self) -> tuple[list[int], list[int], list[int], list[int]]:
        """(carved positions, their bps plus the rest's, other positions, their bps): computed once.

        (Kept in the instance's __dict__ by hand: functools.cached_property takes a lock on every first
        read in Python 3.11, which showed in a burst of orders' profile.)"""
        layout = self.__dict__.get("_layout_cached")
        if layout is None:
            layout = self.__dict__["_layout_cached"] = self._layout_compute()
        return layout

    @property
    def party_fields(self) -> list[tuple[str, str, int, str, bool, int]]:
        """Each share's (party, role, bps, rule, carved, position): a PartyAmount less its amount and fee."""
        fields = self.__dict__.get("_party_fields")
        if fields is None:
            fields = self.__dict__["_party_fields"] = [
                (s.party, s.role, s.bps, s.rule, s.carved, pos) for pos, s in enumerate(self.shares)
            ]
        return fields

    def _layout_compute(self) -> tuple[list[int], list[int], list[int], list[int]]:
        carved_idx = [i for i, s in enumerate(self.shares) if s.carved]
        rest_idx = [i for i, s in enumerate(self.shares) if not s.carved]
        carved_bps = [self.shares[i].bps for i in carved_idx]
        return (
            carved_idx,
            [*carved_bps, BPS_TOTAL - sum(carved_bps)],
            rest_idx,
            [self.shares[i].bps for i in rest_idx],
        )

    def split(self, amount: int) -> list[int]:
        """Each share's part of `amount`, in recipe order; sums exactly to `amount`."""
        if len(self.shares) == 1:  # one share holds all 10,000 bps (__post_init__)
            return [amount]
        carved_idx, first_bps, rest_idx, rest_bps = self._layout
        # royalties and "the rest" are allocated together, so the carve-outs also sum exactly
        first = _largest_remainder(amount, first_bps, BPS_TOTAL) if carved_idx else [amount]
        rest = _largest_remainder(first[-1], rest_bps, BPS_TOTAL)
        if not carved_idx:
            return rest
        out = [0] * len(self.shares)
        for i, part in zip(carved_idx, first, strict=False):
            out[i] = part
        for i, part in zip(rest_idx, rest, strict=True):
            out[i] = part
        return out


def product_recipe(agreement: AgreementVersion, royalties: Sequence[PartyShare] = ()) -> Recipe:
    return _product_recipe(agreement, tuple(royalties))


# Recipes are immutable values of their (hashable, frozen) inputs: a burst of orders reuses a few agreements.
@lru_cache(maxsize=65536)
def _product_recipe(agreement: AgreementVersion, royalties: tuple[PartyShare, ...]) -> Recipe:
    carved = tuple(RecipeShare(r.party, r.role, r.bps, f"royalty:{r.role}", carved=True) for r in royalties)
    main = tuple(RecipeShare(s.party, s.role, s.bps, "agreement") for s in agreement.shares)
    return Recipe(agreement.version_id, agreement.fee_rule, carved + main)


@lru_cache(maxsize=4096)
def tax_recipe(agreement: AgreementVersion, seller_of_record: str) -> Recipe:
    if agreement.tax_rule == TaxRule.PLATFORM:
        share = RecipeShare(PLATFORM, "platform", BPS_TOTAL, "tax:platform")
    else:
        share = RecipeShare(seller_of_record, "seller_of_record", BPS_TOTAL, "tax:seller_of_record")
    return Recipe(agreement.version_id, agreement.fee_rule, (share,))


def discount_recipe(funding: str) -> Recipe:
    """The platform's funding of a line's discount, under the funding versions `funding`."""
    return Recipe(
        funding, FeeRule.PLATFORM, (RecipeShare(PLATFORM, "platform", BPS_TOTAL, "discount:platform"),)
    )


def discount_ref(ref: str) -> str:
    return f"{ref}:discount"


@lru_cache(maxsize=4096)
def shipping_recipe(agreement: AgreementVersion, shipping_party: str) -> Recipe:
    rule = agreement.shipping_rule
    if rule == ShippingRule.AGREEMENT:
        shares = tuple(RecipeShare(s.party, s.role, s.bps, "shipping:agreement") for s in agreement.shares)
    elif rule == ShippingRule.PLATFORM:
        shares = (RecipeShare(PLATFORM, "platform", BPS_TOTAL, "shipping:platform"),)
    else:
        shares = (RecipeShare(shipping_party, "shipping_unit", BPS_TOTAL, "shipping:shipping_unit"),)
    return Recipe(agreement.version_id, agreement.fee_rule, shares)


# ---------------------------------------------------------------------------------------------------
# A paid order


@dataclass(frozen=True)
class SaleLine:
    """A product line: `gross` is its net-of-tax total before the order-level discount.

    `platform_funded`: the part of the line's discounts the platform funds (under the funding versions
    `funding`): the line's parties share `gross + platform_funded`, and the platform a line
    `<ref>:discount` of minus that, so the unit's parties are paid as if that part was not discounted.
    """

    ref: str
    gross: int
    agreement: AgreementVersion
    seller_of_record: str
    tax: int = 0
    royalties: tuple[PartyShare, ...] = ()
    # out of the generated repr (the posting's fingerprint) when 0, so earlier payments keep theirs
    platform_funded: int = field(default=0, repr=False)
    funding: str = field(default="", repr=False)


_sale_line_repr = SaleLine.__repr__


def _sale_line_repr_with_funding(self: SaleLine) -> str:
    text = _sale_line_repr(self)
    if not self.platform_funded:
        return text
    return f"{text[:-1]}, platform_funded={self.platform_funded!r}, funding={self.funding!r})"


SaleLine.__repr__ = _sale_line_repr_with_funding  # type: ignore[method-assign]


@dataclass(frozen=True)
class SaleShipping:
    amount: int
    party: str  # the unit that ships
    agreement: AgreementVersion
    tax: int = 0
    ref: str = "shipping"


@dataclass(frozen=True)
class Sale:
    """A paid order: `captured` is what the processor charged, `fee` what it kept."""

    order_ref: str
    currency: str
    captured: int
    lines: tuple[SaleLine, ...]
    discount: int = 0
    shipping: SaleShipping | None = None
    fee: int = 0
    # one per unit's parcel (refs "shipping:<unit uid>"), when the order says what each parcel cost;
    # out of the generated repr (the posting's fingerprint) when empty, so earlier payments keep theirs
    parcels: tuple[SaleShipping, ...] = field(default=(), repr=False)

    @property
    def shippings(self) -> tuple[SaleShipping, ...]:
        return ((self.shipping,) if self.shipping else ()) + self.parcels


_sale_repr = Sale.__repr__


def _sale_repr_with_parcels(self: Sale) -> str:
    text = _sale_repr(self)
    return f"{text[:-1]}, parcels={self.parcels!r})" if self.parcels else text


Sale.__repr__ = _sale_repr_with_parcels  # type: ignore[method-assign]


_tuple_new = tuple.__new__


class PartyAmount(NamedTuple):
    """One party's part of one line (a named tuple: a burst of orders makes many of them)."""

    party: str
    role: str
    bps: int
    rule: str
    carved: bool
    position: int
    amount: int
    fee: int  # processor fee this party bears on this line (0 when the platform bears it)


@dataclass(frozen=True)
class LineSplit:
    ref: str
    kind: LineKind
    amount: int
    recipe: Recipe
    parties: tuple[PartyAmount, ...] = field(default=())


def line_split(*, ref: str, kind: LineKind, recipe: Recipe, amount: int, fee: int = 0) -> LineSplit:
    """Split one line's amount by its recipe, and its share of the fee by the recipe's fee rule."""
    amounts = recipe.split(amount)
    if recipe.fee_rule == FeeRule.PRO_RATA and fee:
        fees = allocate(fee, [abs(a) for a in amounts]) if any(amounts) else [0] * len(amounts)
    else:
        fees = [0] * len(amounts)
    # PartyAmount(*fixed, amount, fee) without a Python call per party: the fixed fields come from the recipe
    parties = tuple(
        _tuple_new(PartyAmount, (*fixed, a, f))
        for fixed, a, f in zip(recipe.party_fields, amounts, fees, strict=True)
    )
    return LineSplit(ref, kind, amount, recipe, parties)


def sale_split(sale: Sale) -> list[LineSplit]:
    """Split every line of a paid order; raises SplitError when the figures do not add up."""
    if sale.discount and not sale.lines:
        raise SplitError(LedgerErrorCode.DISCOUNT_WITHOUT_LINES, "a discount needs product lines")
    for amount in [sale.captured, sale.fee, *(ln.gross for ln in sale.lines), *(ln.tax for ln in sale.lines)]:
        if amount < 0:
            raise SplitError(LedgerErrorCode.NEGATIVE_AMOUNT, "amounts of a payment cannot be negative")
    refs = [ln.ref for ln in sale.lines]
    refs += [sh.ref for sh in sale.shippings]
    refs += [f"{ln.ref}:tax" for ln in sale.lines if ln.tax]
    refs += [f"{sh.ref}:tax" for sh in sale.shippings if sh.tax]
    if len(set(refs)) != len(refs):
        raise SplitError(LedgerErrorCode.DUPLICATE_LINE, "line references must be unique within an order")

    discounts = discount_allocate(sale.discount, [ln.gross for ln in sale.lines]) if sale.lines else []
    items: list[tuple[str, LineKind, Recipe, int]] = []
    for ln, disc in zip(sale.lines, discounts, strict=True):
        if ln.platform_funded < 0:
            raise SplitError(LedgerErrorCode.NEGATIVE_AMOUNT, "a funded discount cannot be negative")
        items.append(
            (
                ln.ref,
                LineKind.PRODUCT,
                product_recipe(ln.agreement, ln.royalties),
                ln.gross - disc + ln.platform_funded,
            )
        )
        if ln.platform_funded:
            items.append(
                (discount_ref(ln.ref), LineKind.DISCOUNT, discount_recipe(ln.funding), -ln.platform_funded)
            )
        if ln.tax:
            items.append(
                (f"{ln.ref}:tax", LineKind.TAX, tax_recipe(ln.agreement, ln.seller_of_record), ln.tax)
            )
    for sh in sale.shippings:
        if sh.amount < 0 or sh.tax < 0:
            raise SplitError(LedgerErrorCode.NEGATIVE_AMOUNT, "shipping cannot be negative")
        items.append((sh.ref, LineKind.SHIPPING, shipping_recipe(sh.agreement, sh.party), sh.amount))
        if sh.tax:
            items.append((f"{sh.ref}:tax", LineKind.TAX, tax_recipe(sh.agreement, sh.party), sh.tax))

    total = sum(amount for *_, amount in items)
    if total != sale.captured:
        raise SplitError(
            LedgerErrorCode.AMOUNT_MISMATCH,
            f"lines, tax and shipping add up to {total}, but {sale.captured} was captured",
        )
    if sale.fee > sale.captured:
        raise SplitError(
            LedgerErrorCode.FEE_EXCEEDS_CAPTURED, f"fee {sale.fee} exceeds captured {sale.captured}"
        )
    fees = allocate(sale.fee, fee_weights(items)) if items else []
    return [
        line_split(ref=ref, kind=kind, recipe=recipe, amount=amount, fee=fee)
        for (ref, kind, recipe, amount), fee in zip(items, fees, strict=True)
    ]


def fee_weights(items: Sequence[tuple[str, str, Recipe, int]]) -> list[int]:
    """What each line weighs in the processor fee: its amount; the platform's funding of a discount none."""
    return [0 if kind == LineKind.DISCOUNT else amount for _, kind, _, amount in items]


def funded_part(funded: int, captured_paid: int, paid_left: int) -> int:
    """The platform's funding still on a line when the buyer's `captured_paid` on it is down to `paid_left`:
    pro rata, exact at both ends (all of it when nothing was refunded, none when all was)."""
    if captured_paid <= 0:
        return 0 if paid_left <= 0 else funded
    return allocate(funded, [paid_left, captured_paid - paid_left])[0]


def refund_deltas(recipe: Recipe, *, net_before: int, refund: int) -> list[int]:
    """Each share's reversal when a line's net goes from `net_before` to `net_before - refund` (negatives)."""
    if refund < 0:
        raise SplitError(LedgerErrorCode.NEGATIVE_REFUND, "a refund amount cannot be negative")
    if refund > net_before:
        raise SplitError(
            LedgerErrorCode.REFUND_EXCEEDS_CAPTURED,
            f"refund {refund} exceeds the {net_before} left on the line",
        )
    before = recipe.split(net_before)
    after = recipe.split(net_before - refund)
    return [a - b for a, b in zip(after, before, strict=True)]


def refund_spread(amount: int, remaining: Sequence[int]) -> list[int]:
    """Spread an order-level refund over lines pro rata to what is left on each (never more than that)."""
    if amount < 0:
        raise SplitError(LedgerErrorCode.NEGATIVE_REFUND, "a refund amount cannot be negative")
    if amount > sum(remaining):
        raise SplitError(
            LedgerErrorCode.REFUND_EXCEEDS_CAPTURED,
            f"refund {amount} exceeds the {sum(remaining)} left on the order",
        )
    return allocate(amount, remaining)
