"""Posting to the ledger: a paid order or a refund becomes split lines plus one balanced transaction.

Idempotency: every posting carries a key (the caller derives it from the event, e.g. `payment:<order>`,
`refund:<saleor refund id>`); the key is unique in the database, so a duplicate delivery is a no-op that
returns the first posting, and two workers posting the same event end with one transaction (the second
insert waits on the unique index, then does nothing). Reusing a key for different figures is refused.

Ordering: a refund whose payment is not posted yet raises PostingNotReady (code payment_not_posted);
nothing is written and the inbox retries the event later. Refunds of one order are serialised by a
row lock on the order's payment transaction. Payments, line-level refunds (shipping and tax lines
included) that fit what is left on their lines, duplicates, retries and workers killed mid-posting
end in the same ledger whatever the delivery order. An order-level (amount-only) refund is spread
over lines pro rata to what is left on each when it is posted, so two of them on one order posted
in swapped order can round a fen differently between lines; every line still holds exactly the
split of its captured minus refunded.

Entries (debit positive, credit negative), per transaction and currency:
  payment  Dr stripe_clearing captured, Cr stripe_clearing fee (what Stripe keeps); Dr processor_fees
           fee, Cr processor_fees the part recharged to parties (pro_rata rule); one net leg per party:
           Cr its share, less the fee it bears (platform: platform_revenue, others: party_payable).
  refund   Dr each party the share reversed; Cr refunds the amount refunded to the buyer.
           Processor fees are not returned on refunds, so they are not reversed.
  fee      (the fee Stripe reports after the payment, see payment_fee_post) Cr stripe_clearing fee;
           Dr processor_fees the platform's part; Dr each party its part (pro_rata lines).
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.db import connection, transaction

from core import clock
from core.party import Party
from payments.error_codes import LedgerErrorCode
from payments.errors import PostingNotReady, PostingRefused
from payments.models import Account, LedgerEntry, LedgerTransaction, SplitLine
from payments.split import (
    PLATFORM,
    FeeRule,
    LineKind,
    LineSplit,
    PartyAmount,
    Recipe,
    RecipeShare,
    Sale,
    SplitError,
    allocate,
    discount_ref,
    fee_weights,
    funded_part,
    line_split,
    refund_deltas,
    refund_spread,
    sale_split,
)

Kind = Account.Kind
SYSTEM = ""  # the party of system accounts (clearing, fees, refunds)


@dataclass(frozen=True)
class PostResult:
    transaction_id: int
    created: bool  # False when this key was posted before (a duplicate delivery)


def fingerprint(payload: object) -> str:
    """Stable hash of what was asked, to tell a duplicate delivery from a reused key."""
    if dataclasses.is_dataclass(payload) and not isinstance(payload, type):
        text = repr(payload)  # frozen dataclasses: every field, in declaration order
    else:
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@lru_cache(maxsize=65536)  # a pure function of the key, asked once per leg of every posting
def account_kind(party: str) -> str:
    if party == PLATFORM:
        return Kind.PLATFORM_REVENUE
    # a campaign's income is held (unearned): no payable account, so settlement never sees it
    return Kind.CAMPAIGN_HELD if Party.parse(party).is_campaign else Kind.PARTY_PAYABLE


_ACCOUNTS_ENSURE = """
WITH wanted (kind, party) AS (SELECT * FROM unnest(%s::text[], %s::text[])),
created AS (
    INSERT INTO payments_account (kind, party) SELECT kind, party FROM wanted
    ON CONFLICT DO NOTHING RETURNING id, kind, party
)
SELECT id, kind, party FROM created
UNION ALL
SELECT a.id, a.kind, a.party FROM payments_account a JOIN wanted w ON w.kind = a.kind AND w.party = a.party
"""


def _account_ids(keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Ids of (kind, party) accounts, creating missing ones in the same statement."""
    ordered = sorted(keys)  # a stable order, so concurrent inserts of new accounts cannot deadlock
    with connection.cursor() as cursor:
        cursor.execute(_ACCOUNTS_ENSURE, [[k for k, _ in ordered], [p for _, p in ordered]])
        ids = {(kind, party): pk for pk, kind, party in cursor.fetchall()}
    if len(ids) < len(keys):  # created by a transaction that committed after this statement began
        ids.update({(a.kind, a.party): a.pk for a in Account.objects.filter(party__in={p for _, p in keys})})
    return ids


def _insert(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Bulk insert with COPY: one statement, so the statement triggers run once on all rows.

    `rows` may be a generator: COPY data is streamed, so PostgreSQL stores the rows already sent while
    the generator computes the next ones. An exception from the generator cancels the COPY."""
    if isinstance(rows, Sequence) and not rows:
        return
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


_TXN_INSERT = """
INSERT INTO payments_ledgertransaction
    (idempotency_key, kind, order_ref, currency, fingerprint, memo, posted_at, reverses_id)
SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],
                     %s::timestamptz[], %s::bigint[])
ON CONFLICT DO NOTHING
RETURNING id, idempotency_key
"""


def _transactions_insert(rows: Sequence[tuple]) -> dict[str, int]:
    """Insert (key, kind, order, currency, fingerprint, memo, posted_at, reverses) rows; return new ids."""
    arrays = [list(col) for col in zip(*rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(_TXN_INSERT, arrays)
        return {key: pk for pk, key in cursor.fetchall()}


def _transaction_insert(
    key: str,
    kind: str,
    order_ref: str,
    currency: str,
    fp: str,
    memo: str,
    posted_at: datetime | None,
    reverses: int | None = None,
) -> int | None:
    """Insert one transaction; its id, or None when the key is already posted."""
    row = (key, kind, order_ref, currency, fp, memo[:255], posted_at or clock.now(), reverses)
    return _transactions_insert([row]).get(key)


def _legs_insert(txn_id: int, legs: Sequence[tuple[str, str, int]], currency: str) -> None:
    """The entries of one transaction, one per (account kind, party, amount) leg."""
    accounts = _account_ids({(k, p) for k, p, _ in legs})
    _insert(
        "payments_ledgerentry",
        _ENTRY_COLUMNS,
        [(txn_id, accounts[(k, p)], amt, currency) for k, p, amt in legs],
    )


def _payment_locked(
    *, order_ref: str, idempotency_key: str, fp: str, currency: str, what: str
) -> tuple[LedgerTransaction, PostResult | None]:
    """The order's posted payment, row-locked (the lock serialises one order's refunds, fees and reversals),
    with the result already posted under this key if any; refused when not posted yet or in another currency.
    """
    payment = (
        LedgerTransaction.objects.select_for_update()
        .filter(order_ref=order_ref, kind=LedgerTransaction.Kind.PAYMENT)
        .first()
    )
    if payment is None:
        raise PostingNotReady(
            LedgerErrorCode.PAYMENT_NOT_POSTED, f"order {order_ref} has no posted payment yet; retry later"
        )
    if LedgerTransaction.objects.filter(idempotency_key=idempotency_key).exists():
        return payment, _already_posted(requests={idempotency_key: (fp, order_ref)})[idempotency_key]
    if currency != payment.currency:
        raise PostingRefused(
            LedgerErrorCode.CURRENCY_MISMATCH,
            f"{what} in {currency}, order {order_ref} paid in {payment.currency}",
        )
    return payment, None


def _already_posted(*, requests: Mapping[str, tuple[str, str]]) -> dict[str, PostResult]:
    """Results for keys that were not inserted ({key: (fingerprint, order)}): duplicates, or refusals."""
    found = {
        row["idempotency_key"]: row
        for row in LedgerTransaction.objects.filter(idempotency_key__in=list(requests)).values(
            "pk", "idempotency_key", "fingerprint"
        )
    }
    results = {}
    for key, (fp, order_ref) in requests.items():
        row = found.get(key)
        if row is None:  # the conflict was the one-payment-per-order constraint
            raise PostingRefused(
                LedgerErrorCode.ORDER_ALREADY_PAID,
                f"order {order_ref} already has a payment under another key",
            )
        if row["fingerprint"] != fp:
            raise PostingRefused(
                LedgerErrorCode.IDEMPOTENCY_CONFLICT, f"key {key} was already posted with different figures"
            )
        results[key] = PostResult(row["pk"], created=False)
    return results


_ENTRY_COLUMNS = ("transaction_id", "account_id", "amount", "currency")
_SPLIT_COLUMNS = (
    "transaction_id",
    "order_ref",
    "line_ref",
    "line_kind",
    "party",
    "role",
    "position",
    "bps",
    "carved",
    "rule",
    "fee_rule",
    "agreement_version",
    "amount",
    "fee",
    "currency",
)


def _splits_insert(rows: Sequence[tuple], *, posted_at: datetime | None = None) -> None:
    """Split line rows (`_SPLIT_COLUMNS`), each dated as its ledger transaction (PostgreSQL checks it):
    `posted_at` when the caller dated all their transactions so, else read from the transactions."""
    if not rows:
        return
    if posted_at is not None:
        _insert("payments_splitline", (*_SPLIT_COLUMNS, "posted_at"), [(*row, posted_at) for row in rows])
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, posted_at FROM payments_ledgertransaction WHERE id = ANY(%s)",
            [sorted({row[0] for row in rows})],
        )
        posted = dict(cursor.fetchall())
    _insert("payments_splitline", (*_SPLIT_COLUMNS, "posted_at"), [(*row, posted[row[0]]) for row in rows])


def _party_split_row(
    txn_id: int, order_ref: str, line: LineSplit, pa: PartyAmount, amount: int, currency: str
) -> tuple:
    """A split line row (`_SPLIT_COLUMNS`) of one party's part of a line: its terms and fee as split, with
    `amount` (its share at payment; 0 where only the fee is posted)."""
    return (
        txn_id,
        order_ref,
        line.ref,
        line.kind,
        pa.party,
        pa.role,
        pa.position,
        pa.bps,
        pa.carved,
        pa.rule,
        line.recipe.fee_rule,
        line.recipe.agreement_version,
        amount,
        pa.fee,
        currency,
    )


def _payment_legs(sale: Sale, splits: Sequence[LineSplit]) -> list[tuple[str, str, int]]:
    """(account kind, party, amount) legs of a payment; they sum to zero by construction.

    One net leg per party (its share less the fee it bears); the split lines keep both parts.
    """
    net: dict[str, int] = defaultdict(int)
    recharged = 0
    for line in splits:
        for pa in line.parties:
            net[pa.party] -= pa.amount
            if pa.party != PLATFORM:  # the platform's own part of the fee simply stays its expense
                net[pa.party] += pa.fee
                recharged += pa.fee
    legs = [
        (Kind.STRIPE_CLEARING, SYSTEM, sale.captured),
        (Kind.STRIPE_CLEARING, SYSTEM, -sale.fee),
        (Kind.PROCESSOR_FEES, SYSTEM, sale.fee),
        (Kind.PROCESSOR_FEES, SYSTEM, -recharged),
    ]
    legs += [(account_kind(p), p, amount) for p, amount in sorted(net.items())]
    return [leg for leg in legs if leg[2] != 0]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cycle collector off while a batch is posted (on again after, if it was on).

    A batch allocates and drops hundreds of thousands of small objects (lines' splits, rows), none in a
    reference cycle; each allocation burst makes the collector walk every object the process holds. Profiled
    on bench/ledger.py: about a third of the client's CPU per line. Nothing is leaked: a cycle made meanwhile
    is collected by the next collection."""
    if not gc.isenabled():  # off already (another thread's batch, or the process's choice)
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def payment_post(*, idempotency_key: str, sale: Sale, posted_at: datetime | None = None) -> PostResult:
    """Post a paid order: its split lines and one balanced transaction; a repeated key is a no-op."""
    return payment_post_batch(payments=[(idempotency_key, sale)], posted_at=posted_at)[0]


def payment_post_batch(
    *, payments: Sequence[tuple[str, Sale]], posted_at: datetime | None = None
) -> list[PostResult]:
    """Post many paid orders in one database transaction with bulk inserts (same rules as one by one).

    All or nothing: a refusal of any order refuses the batch.

    The client's work and PostgreSQL's overlap: the transactions are inserted first (their keys and
    fingerprints are all that needs), then each new order is split while its split lines stream to
    PostgreSQL through COPY, so the server stores one order's rows while the next is being split; the
    entries follow in a second COPY. An order that does not split cancels the COPY and the batch.
    """
    with _gc_paused():
        return _payment_post_batch(payments, posted_at or clock.now())


def _payment_post_batch(payments: Sequence[tuple[str, Sale]], posted_at: datetime) -> list[PostResult]:
    plans: dict[str, tuple[Sale, str]] = {}
    for key, sale in payments:
        fp = fingerprint(sale)
        if key in plans and plans[key][1] != fp:
            raise PostingRefused(
                LedgerErrorCode.IDEMPOTENCY_CONFLICT, f"key {key} given twice with different figures"
            )
        plans[key] = (sale, fp)

    with transaction.atomic():
        new_ids = _transactions_insert(
            [  # in key order, so concurrent batches wait on each other's keys in one order (no deadlock)
                (key, LedgerTransaction.Kind.PAYMENT, sale.order_ref, sale.currency, fp, "", posted_at, None)
                for key, (sale, fp) in sorted(plans.items())
            ]
        )
        for key, (sale, _) in plans.items():  # figures that do not split are refused before a duplicate is
            if key not in new_ids:
                _payment_split(sale)
        splits: dict[str, list[LineSplit]] = {}
        if new_ids:
            _insert(
                "payments_splitline",
                (*_SPLIT_COLUMNS, "posted_at"),
                ((*row, posted_at) for row in _payment_split_rows(new_ids, plans, splits)),
            )
            legs = {key: _payment_legs(plans[key][0], splits[key]) for key in new_ids}
            accounts = _account_ids({(kind, party) for rows in legs.values() for kind, party, _ in rows})
            _insert(
                "payments_ledgerentry",
                _ENTRY_COLUMNS,
                (
                    (txn_id, accounts[(k, p)], amount, plans[key][0].currency)
                    for key, txn_id in new_ids.items()
                    for k, p, amount in legs[key]
                ),
            )
        results = _already_posted(
            requests={key: (fp, sale.order_ref) for key, (sale, fp) in plans.items() if key not in new_ids}
        )
        results.update({key: PostResult(txn_id, created=True) for key, txn_id in new_ids.items()})
    return [results[key] for key, _ in payments]


def _payment_split(sale: Sale) -> list[LineSplit]:
    try:
        return sale_split(sale)
    except SplitError as exc:
        raise PostingRefused(exc.code, f"order {sale.order_ref}: {exc}") from exc


def _payment_split_rows(
    new_ids: Mapping[str, int], plans: Mapping[str, tuple[Sale, str]], splits: dict[str, list[LineSplit]]
) -> Iterator[tuple]:
    """The split line rows of each newly inserted payment, split as they are asked for (kept in `splits`)."""
    for key, txn_id in new_ids.items():
        sale = plans[key][0]
        lines = splits[key] = _payment_split(sale)
        for line in lines:
            for pa in line.parties:
                yield _party_split_row(txn_id, sale.order_ref, line, pa, pa.amount, sale.currency)


@dataclass(frozen=True)
class _Released:
    """A held line some of which a campaign released: to whom (the recipe of its releases) and where the
    line's money sits now (still with the holder, or with the parties it was released to)."""

    holder: str
    recipe: Recipe  # the recipe the releases followed (frozen at payment), every share in its positions
    held: int  # still with the holder
    released: int  # with the parties it was released to (net of refunds)


@dataclass(frozen=True)
class _PostedLine:
    kind: str
    recipe: Recipe
    net: int  # captured minus refunded so far
    captured: int = 0  # what its payment posted
    released: _Released | None = None  # a held line with releases


def _release_recipe(rows: list[SplitLine], ref: str) -> Recipe:
    """The recipe a line's releases followed, from its first release's rows (every share, zeros included)."""
    shares = sorted((r for r in rows if r.role != ROLE_HELD), key=lambda r: r.position)
    if [r.position for r in shares] != list(range(len(shares))) or not shares:
        raise PostingRefused(LedgerErrorCode.REFUND_SCOPE, f"{ref}: its release does not show every share")
    return _recipe(shares)


def _posted_lines(*, order_ref: str, payment_id: int) -> dict[str, _PostedLine]:
    """Each line of a paid order, with the recipe frozen at payment and its net after refunds (and, for a
    held line a campaign released part of, where that net sits now)."""
    rows = SplitLine.objects.filter(order_ref=order_ref).select_related("transaction").order_by("id")
    recipe_rows: dict[str, list[SplitLine]] = defaultdict(list)
    release_rows: dict[str, list[SplitLine]] = defaultdict(list)
    nets: dict[str, int] = defaultdict(int)
    party_nets: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        nets[row.line_ref] += row.amount
        party_nets[row.line_ref, row.party] += row.amount
        if row.transaction_id == payment_id:
            recipe_rows[row.line_ref].append(row)
        elif row.transaction.kind == LedgerTransaction.Kind.RELEASE:
            first = release_rows[row.line_ref]
            if not first or first[0].transaction_id == row.transaction_id:
                first.append(row)
    lines = {}
    for ref, shares in recipe_rows.items():
        released = None
        if ref in release_rows:
            holder = shares[0].party
            held = party_nets[ref, holder]
            released = _Released(holder, _release_recipe(release_rows[ref], ref), held, nets[ref] - held)
        lines[ref] = _PostedLine(
            kind=shares[0].line_kind,
            recipe=_recipe(shares),
            net=nets[ref],
            captured=sum(r.amount for r in shares),
            released=released,
        )
    return lines


# One share's reversal on a line, as a refund posts it: (recipe, position, share, delta).
_Delta = tuple[Recipe, int, RecipeShare, int]


def _recipe_deltas(recipe: Recipe, parts: Sequence[int]) -> list[_Delta]:
    return [(recipe, pos, share, d) for pos, (share, d) in enumerate(zip(recipe.shares, parts, strict=True))]


def _released_line_deltas(line: _PostedLine, refund: int) -> list[_Delta]:
    """A refund of a held line a campaign released part of takes from where the money sits: what is left
    stays released and held in the proportion it was, the released part split by the release's recipe
    (so each party's net on the line is exactly that recipe's split of what stays released, as further
    releases expect), the held part with the holder."""
    rel = line.released
    assert rel is not None
    if refund < 0:
        raise SplitError(LedgerErrorCode.NEGATIVE_REFUND, "a refund amount cannot be negative")
    if refund > line.net:
        raise SplitError(
            LedgerErrorCode.REFUND_EXCEEDS_CAPTURED,
            f"refund {refund} exceeds the {line.net} left on the line",
        )
    left = line.net - refund
    released_after = allocate(left, [rel.released, rel.held])[0] if left else 0
    parts = [
        a - b for a, b in zip(rel.recipe.split(released_after), rel.recipe.split(rel.released), strict=True)
    ]
    held_share = RecipeShare(rel.holder, ROLE_HELD, BPS_HELD, RULE_HELD)
    held_delta = (left - released_after) - rel.held
    return [*_recipe_deltas(rel.recipe, parts), (line.recipe, len(parts), held_share, held_delta)]


def _paid_left(posted: Mapping[str, _PostedLine], ref: str) -> int:
    """What the buyer's payment still holds on a line: its net less the platform's funding still on it."""
    funded = posted.get(discount_ref(ref))
    return posted[ref].net + (funded.net if funded else 0)


def _line_refund_deltas(posted: Mapping[str, _PostedLine], ref: str, refund: int) -> dict[str, list[_Delta]]:
    """Each share's reversal on a line (and on the platform's funding of its discount) for a refund of
    `refund` of what the buyer paid on it: the funding still on the line stays pro rata to what the
    buyer's payment still holds, so a full refund returns the unit's parties and the platform to zero."""
    line = posted[ref]
    funded = posted.get(discount_ref(ref))
    if line.released is not None:
        assert funded is None  # a held line has no funding of the platform's
        return {ref: _released_line_deltas(line, refund)}
    if funded is None:
        return {
            ref: _recipe_deltas(line.recipe, refund_deltas(line.recipe, net_before=line.net, refund=refund))
        }
    before = _paid_left(posted, ref)
    if refund < 0:
        raise SplitError(LedgerErrorCode.NEGATIVE_REFUND, "a refund amount cannot be negative")
    if refund > before:
        raise SplitError(
            LedgerErrorCode.REFUND_EXCEEDS_CAPTURED, f"refund {refund} exceeds the {before} left on the line"
        )
    total_funded = -funded.captured
    funded_after = funded_part(total_funded, line.captured - total_funded, before - refund)
    product_after = line.recipe.split(before - refund + funded_after)
    funding_after = funded.recipe.split(-funded_after)
    return {
        ref: _recipe_deltas(
            line.recipe, [a - b for a, b in zip(product_after, line.recipe.split(line.net), strict=True)]
        ),
        discount_ref(ref): _recipe_deltas(
            funded.recipe,
            [a - b for a, b in zip(funding_after, funded.recipe.split(funded.net), strict=True)],
        ),
    }


def _recipe(shares: list[SplitLine]) -> Recipe:
    """The recipe frozen on one line's split rows of a payment."""
    shares = sorted(shares, key=lambda r: r.position)
    return Recipe(
        agreement_version=shares[0].agreement_version,
        fee_rule=FeeRule(shares[0].fee_rule),
        shares=tuple(RecipeShare(r.party, r.role, r.bps, r.rule, r.carved) for r in shares),
    )


def refund_post(
    *,
    idempotency_key: str,
    order_ref: str,
    currency: str,
    lines: Mapping[str, int] | None = None,
    amount: int | None = None,
    posted_at: datetime | None = None,
) -> PostResult:
    """Reverse each party's share of a refund exactly; line-level (`lines`, incl. shipping/tax refs) or
    order-level (`amount`, spread over lines pro rata to what is left on each at posting time).

    Both given (`amount` at least their sum): the lines as the shop scoped the refund; a line gives back
    at most what it still holds, and the rest of `amount` is spread pro rata over what is left on all.
    Parties already paid out simply go negative; their next settlement carries it.
    """
    if lines is None and amount is None:
        raise PostingRefused(LedgerErrorCode.REFUND_SCOPE, "give per-line amounts or an order amount")
    if lines is not None and amount is not None and sum(lines.values()) > amount:
        raise PostingRefused(
            LedgerErrorCode.REFUND_SCOPE, f"lines add up to {sum(lines.values())}, the refund is {amount}"
        )
    # With an amount, the lines only say how to divide it: a redelivery is the same refund whatever they say.
    scope = lines if amount is None else None
    fp = fingerprint({"order": order_ref, "currency": currency, "lines": scope, "amount": amount})
    with transaction.atomic():
        payment, posted_before = _payment_locked(
            order_ref=order_ref, idempotency_key=idempotency_key, fp=fp, currency=currency, what="refund"
        )
        if posted_before is not None:
            return posted_before
        posted = _posted_lines(order_ref=order_ref, payment_id=payment.pk)
        try:
            per_line = _refund_per_line(posted, lines=lines, amount=amount, order_ref=order_ref)
            deltas = {}
            for ref, r in per_line.items():
                deltas.update(_line_refund_deltas(posted, ref, r))
        except SplitError as exc:
            raise PostingRefused(exc.code, f"order {order_ref}: {exc}") from exc

        total = sum(per_line.values())
        if total == 0:
            raise PostingRefused(LedgerErrorCode.NOTHING_TO_REFUND, f"refund of 0 on order {order_ref}")
        reversed_by_party: dict[str, int] = defaultdict(int)
        for parts in deltas.values():
            for _recipe_of, _pos, share, delta in parts:
                reversed_by_party[share.party] -= delta
        legs = [(account_kind(p), p, amt) for p, amt in sorted(reversed_by_party.items()) if amt]
        legs.append((Kind.REFUNDS, SYSTEM, -total))
        txn_id = _transaction_insert(
            idempotency_key, LedgerTransaction.Kind.REFUND, order_ref, currency, fp, "", posted_at
        )
        _legs_insert(txn_id, legs, currency)
        _splits_insert(
            [
                (
                    txn_id,
                    order_ref,
                    ref,
                    posted[ref].kind,
                    share.party,
                    share.role,
                    pos,
                    share.bps,
                    share.carved,
                    share.rule,
                    recipe.fee_rule,
                    recipe.agreement_version,
                    delta,
                    0,
                    currency,
                )
                for ref, parts in deltas.items()
                for recipe, pos, share, delta in parts
            ],
        )
    return PostResult(txn_id, created=True)


def transaction_reverse(
    *, transaction_id: int, idempotency_key: str, memo: str, posted_at: datetime | None = None
) -> PostResult:
    """Correct a posting with its mirror image (entries and split lines negated).

    Only the latest not-yet-reversed posting of an order can be reversed (undo in stack order), so every
    line keeps holding exactly the split of its captured minus refunded amount.
    """
    with transaction.atomic():
        target = LedgerTransaction.objects.filter(pk=transaction_id).first()
        if target is None:
            raise PostingRefused(
                LedgerErrorCode.TRANSACTION_NOT_FOUND, f"no ledger transaction {transaction_id}"
            )
        # the same lock refunds take: corrections and refunds of one order are serialised
        LedgerTransaction.objects.select_for_update().filter(
            order_ref=target.order_ref, kind=LedgerTransaction.Kind.PAYMENT
        ).first()
        fp = fingerprint({"reverses": transaction_id, "memo": memo})
        if LedgerTransaction.objects.filter(idempotency_key=idempotency_key).exists():
            return _already_posted(requests={idempotency_key: (fp, target.order_ref)})[idempotency_key]
        if target.kind == LedgerTransaction.Kind.REVERSAL:
            raise PostingRefused(
                LedgerErrorCode.NOT_REVERSIBLE, "a reversal is not reversed; post the original again"
            )
        if LedgerTransaction.objects.filter(reverses=target).exists():
            raise PostingRefused(
                LedgerErrorCode.ALREADY_REVERSED, f"transaction {transaction_id} is already reversed"
            )
        later = (
            LedgerTransaction.objects.filter(order_ref=target.order_ref, pk__gt=target.pk)
            .exclude(kind=LedgerTransaction.Kind.REVERSAL)
            .filter(reversed_by__isnull=True)
        )
        if later.exists():
            raise PostingRefused(
                LedgerErrorCode.NOT_LATEST_POSTING,
                f"order {target.order_ref} has later postings; reverse those first",
            )
        txn_id = _transaction_insert(
            idempotency_key,
            LedgerTransaction.Kind.REVERSAL,
            target.order_ref,
            target.currency,
            fp,
            memo,
            posted_at,
            target.pk,
        )
        _insert(
            "payments_ledgerentry",
            _ENTRY_COLUMNS,
            [(txn_id, e.account_id, -e.amount, e.currency) for e in target.entries.order_by("id")],
        )
        _splits_insert(
            [
                (
                    txn_id,
                    r.order_ref,
                    r.line_ref,
                    r.line_kind,
                    r.party,
                    r.role,
                    r.position,
                    r.bps,
                    r.carved,
                    r.rule,
                    r.fee_rule,
                    r.agreement_version,
                    -r.amount,
                    -r.fee,
                    r.currency,
                )
                for r in target.split_lines.order_by("id")
            ],
        )
    return PostResult(txn_id, created=True)


def _refund_per_line(
    posted: Mapping[str, _PostedLine], *, lines: Mapping[str, int] | None, amount: int | None, order_ref: str
) -> dict[str, int]:
    # the platform's funding of a discount is no line of its own here: it follows its product line
    held = {ref: _paid_left(posted, ref) for ref, line in posted.items() if line.kind != LineKind.DISCOUNT}
    if lines is not None and amount is not None:
        # each scoped line gives back what it still holds, up to its part; an earlier order-level refund
        # may have taken some of it, and that excess is spread pro rata over what is left on every line
        taken = {ref: min(max(r, 0), held[ref]) for ref, r in lines.items() if ref in held}
        refs = list(held)  # payment order: stable
        spread = refund_spread(amount - sum(taken.values()), [held[ref] - taken.get(ref, 0) for ref in refs])
        return {ref: r for ref, s in zip(refs, spread, strict=True) if (r := taken.get(ref, 0) + s)}
    if lines is not None:
        unknown = sorted(set(lines) - set(held))
        if unknown:
            raise PostingRefused(
                LedgerErrorCode.UNKNOWN_LINE, f"order {order_ref} has no line {', '.join(unknown)}"
            )
        return {ref: r for ref, r in sorted(lines.items()) if r}
    assert amount is not None
    refs = list(held)  # payment order: stable
    spread = refund_spread(amount, [held[ref] for ref in refs])
    return {ref: r for ref, r in zip(refs, spread, strict=True) if r}


def _refuse_unless_positive(amount: int, what: str) -> None:
    """A posting of nothing is refused as zero, one of less than nothing as negative."""
    if amount == 0:
        raise PostingRefused(LedgerErrorCode.ZERO_AMOUNT, what)
    if amount < 0:
        raise PostingRefused(LedgerErrorCode.NEGATIVE_AMOUNT, what)


def fee_adjustment_post(
    *, idempotency_key: str, order_ref: str, amount: int, currency: str, posted_at: datetime | None = None
) -> PostResult:
    """Record a processor fee Stripe kept beyond what the payment posted (negative: a fee returned).

    Dr processor_fees, Cr stripe_clearing: the platform bears it; parties' shares are unchanged.
    """
    if amount == 0:
        raise PostingRefused(LedgerErrorCode.ZERO_AMOUNT, f"fee adjustment of 0 on order {order_ref}")
    fp = fingerprint({"order": order_ref, "amount": amount, "currency": currency})
    with transaction.atomic():
        txn_id = _transaction_insert(
            idempotency_key, LedgerTransaction.Kind.FEE, order_ref, currency, fp, "fee adjustment", posted_at
        )
        if txn_id is None:
            return _already_posted(requests={idempotency_key: (fp, order_ref)})[idempotency_key]
        _legs_insert(
            txn_id, [(Kind.PROCESSOR_FEES, SYSTEM, amount), (Kind.STRIPE_CLEARING, SYSTEM, -amount)], currency
        )
    return PostResult(txn_id, created=True)


def payout_post(
    *,
    idempotency_key: str,
    party: str,
    amount: int,
    currency: str,
    clearing: str,
    ref: str,
    posted_at: datetime | None = None,
) -> PostResult:
    """Post a payout to a party: Dr its payable, Cr the clearing account the money leaves by.

    `clearing` is stripe_clearing (a Connect transfer) or bank_clearing (a bank settlement file).
    """
    _refuse_unless_positive(amount, f"payout of {amount} to {party}")
    fp = fingerprint({"party": party, "amount": amount, "currency": currency, "clearing": clearing})
    with transaction.atomic():
        txn_id = _transaction_insert(
            idempotency_key, LedgerTransaction.Kind.PAYOUT, ref, currency, fp, f"payout to {party}", posted_at
        )
        if txn_id is None:
            return _already_posted(requests={idempotency_key: (fp, ref)})[idempotency_key]
        _legs_insert(txn_id, [(Kind.PARTY_PAYABLE, party, amount), (clearing, SYSTEM, -amount)], currency)
    return PostResult(txn_id, created=True)


def payment_fee_post(
    *, idempotency_key: str, order_ref: str, fee: int, currency: str, posted_at: datetime | None = None
) -> PostResult:
    """Post the fee Stripe kept on an order's charge, after its payment, borne as its payment's fee rules say.

    The fee is spread over the payment's lines pro rata to their captured amounts, then over each
    pro_rata line's parties, exactly as `sale_split` does at payment: a payment posted with fee 0 plus
    this posting leave the same balances and split-line fees as the payment posted with the fee.
    Refunds do not change it (processor fees are not returned on refunds).
    """
    _refuse_unless_positive(fee, f"processor fee of {fee} on order {order_ref}")
    fp = fingerprint({"order": order_ref, "fee": fee, "currency": currency, "posting": "payment_fee"})
    with transaction.atomic():
        payment, posted_before = _payment_locked(
            order_ref=order_ref, idempotency_key=idempotency_key, fp=fp, currency=currency, what="fee"
        )
        if posted_before is not None:
            return posted_before
        lines = _payment_lines(payment_id=payment.pk)
        captured = sum(amount for *_, amount in lines)
        if fee > captured:
            raise PostingRefused(
                LedgerErrorCode.FEE_EXCEEDS_CAPTURED, f"fee {fee} exceeds captured {captured} on {order_ref}"
            )
        splits = [
            line_split(ref=ref, kind=kind, recipe=recipe, amount=amount, fee=line_fee)
            for (ref, kind, recipe, amount), line_fee in zip(
                lines, allocate(fee, fee_weights(lines)), strict=True
            )
        ]
        borne: dict[str, int] = defaultdict(int)
        for line in splits:
            for pa in line.parties:
                if pa.party != PLATFORM:  # as at payment: the platform's part stays its expense
                    borne[pa.party] += pa.fee
        legs = [
            (Kind.STRIPE_CLEARING, SYSTEM, -fee),
            (Kind.PROCESSOR_FEES, SYSTEM, fee - sum(borne.values())),
            *((Kind.PARTY_PAYABLE, p, amount) for p, amount in sorted(borne.items())),
        ]
        legs = [leg for leg in legs if leg[2]]
        txn_id = _transaction_insert(
            idempotency_key, LedgerTransaction.Kind.FEE, order_ref, currency, fp, FEE_MEMO, posted_at
        )
        _legs_insert(txn_id, legs, currency)
        _splits_insert(
            [
                _party_split_row(txn_id, order_ref, line, pa, 0, currency)
                for line in splits
                for pa in line.parties
                if pa.fee
            ],
        )
        _released_fees_post(
            payment_id=payment.pk,
            order_ref=order_ref,
            currency=currency,
            idempotency_key=idempotency_key,
            posted_at=posted_at,
        )
    return PostResult(txn_id, created=True)


def _payment_lines(*, payment_id: int) -> list[tuple[str, str, Recipe, int]]:
    """(ref, kind, recipe, captured amount) of each line of a payment posting, in posting order."""
    rows: dict[str, list[SplitLine]] = defaultdict(list)  # insertion order: the payment's line order
    for row in SplitLine.objects.filter(transaction_id=payment_id).order_by("id"):
        rows[row.line_ref].append(row)
    return [
        (ref, shares[0].line_kind, _recipe(shares), sum(r.amount for r in shares))
        for ref, shares in rows.items()
    ]


def held_release_post(
    *,
    idempotency_key: str,
    order_ref: str,
    line_ref: str,
    held_party: str,
    recipe: Recipe,
    released_before: int,
    amount: int,
    currency: str,
    kind: LineKind = LineKind.PRODUCT,
    posted_at: datetime | None = None,
) -> PostResult:
    """Release `amount` of a line's held (campaign) income to the parties of `recipe` (the agreement and
    royalties in force at payment): Dr campaign_held, Cr each party. Each party's cumulative release on
    the line is exactly `recipe.split(released so far)`, so releases in tranches add up to one split.

    Refused when the line does not hold that much for `held_party`; a repeated key is a no-op.
    """
    _refuse_unless_positive(amount, f"release of {amount} on {line_ref}")
    fp = fingerprint(
        {
            "line": line_ref,
            "held": held_party,
            "recipe": repr(recipe),
            "before": released_before,
            "amount": amount,
        }
    )
    with transaction.atomic():
        _payment, posted_before = _payment_locked(
            order_ref=order_ref, idempotency_key=idempotency_key, fp=fp, currency=currency, what="release"
        )
        if posted_before is not None:
            return posted_before
        held = sum(
            SplitLine.objects.filter(order_ref=order_ref, line_ref=line_ref, party=held_party).values_list(
                "amount", flat=True
            )
        )
        if amount > held:
            raise PostingRefused(
                LedgerErrorCode.REFUND_SCOPE, f"{line_ref} holds {held} for {held_party}, not {amount}"
            )
        after, before = recipe.split(released_before + amount), recipe.split(released_before)
        deltas = [a - b for a, b in zip(after, before, strict=True)]
        fees = _release_fees(
            payment_id=_payment.pk,
            order_ref=order_ref,
            line_ref=line_ref,
            recipe=recipe,
            released_after=released_before + amount,
            deltas=deltas,
        )
        by_party: dict[str, int] = defaultdict(int)
        recharged = 0
        for share, delta, fee in zip(recipe.shares, deltas, fees, strict=True):
            by_party[share.party] -= delta
            if share.party != PLATFORM:  # as at payment: the platform's part stays its expense
                by_party[share.party] += fee
                recharged += fee
        legs = [(account_kind(held_party), held_party, amount)]
        legs += [(account_kind(p), p, amt) for p, amt in sorted(by_party.items()) if amt]
        if recharged:
            legs.append((Kind.PROCESSOR_FEES, SYSTEM, -recharged))
        txn_id = _transaction_insert(
            idempotency_key,
            LedgerTransaction.Kind.RELEASE,
            order_ref,
            currency,
            fp,
            "campaign release",
            posted_at,
        )
        _legs_insert(txn_id, legs, currency)
        held_row = (held_party, ROLE_HELD, BPS_HELD, RULE_HELD, False)
        rows = [(*held_row, len(recipe.shares), -amount, 0)]
        # every share, zeros included: a refund after the release finds the whole recipe it followed
        rows += [
            (s.party, s.role, s.bps, s.rule, s.carved, pos, d, fee)
            for pos, (s, d, fee) in enumerate(zip(recipe.shares, deltas, fees, strict=True))
        ]
        _splits_insert(
            [
                (
                    txn_id,
                    order_ref,
                    line_ref,
                    kind,
                    party,
                    role,
                    pos,
                    bps,
                    carved,
                    rule,
                    recipe.fee_rule,
                    recipe.agreement_version,
                    delta,
                    fee,
                    currency,
                )
                for party, role, bps, rule, carved, pos, delta, fee in rows
            ],
        )
    return PostResult(txn_id, created=True)


BPS_HELD = 10_000
FEE_MEMO = "processor fee"  # the memo of payment_fee_post's postings
ROLE_HELD = "held"  # the holder's row on a held line (payment and releases)
RULE_HELD = "campaign:held"


def _order_fees(*, payment_id: int, order_ref: str) -> list[int]:
    """The processor fees Stripe kept on an order's charges: the payment's own and each posted after it
    (payment_fee_post; a fee adjustment is the platform's alone and not among them)."""
    fees = []
    payment_fee = -sum(
        LedgerEntry.objects.filter(
            transaction_id=payment_id, account__kind=Kind.STRIPE_CLEARING, amount__lt=0
        ).values_list("amount", flat=True)
    )
    if payment_fee:
        fees.append(payment_fee)
    for txn in LedgerTransaction.objects.filter(
        order_ref=order_ref, kind=LedgerTransaction.Kind.FEE, memo=FEE_MEMO
    ).order_by("pk"):
        fees.append(-sum(e.amount for e in txn.entries.all() if e.account.kind == Kind.STRIPE_CLEARING))
    return [f for f in fees if f]


def _release_fees(
    *,
    payment_id: int,
    order_ref: str,
    line_ref: str,
    recipe: Recipe,
    released_after: int,
    deltas: Sequence[int],
) -> list[int]:
    """Each share's part of the processor fee a release charges (zeros unless the frozen fee rule is pro
    rata): the line's part of the order's fees (weighed over the payment's lines as at payment) in
    proportion to what of the line is released, less what earlier releases of it charged, spread over this
    release's shares as line_split spreads a line's fee. The platform bore it while the line was held."""
    zeros = [0] * len(deltas)
    if recipe.fee_rule != FeeRule.PRO_RATA or not any(deltas):
        return zeros
    more = _release_fee_owed(
        payment_id=payment_id, order_ref=order_ref, line_ref=line_ref, released=released_after
    )
    return allocate(more, [abs(d) for d in deltas]) if more else zeros


def _release_fee_owed(*, payment_id: int, order_ref: str, line_ref: str, released: int) -> int:
    """What of the processor fee the parties of a held line still owe for `released` of it: the line's part
    of the order's fees (weighed over the payment's lines as at payment) in proportion to what of the line
    is released, less what its release postings charged already (never negative)."""
    lines = _payment_lines(payment_id=payment_id)
    refs = [ref for ref, *_ in lines]
    if line_ref not in refs:
        return 0
    index = refs.index(line_ref)
    line_fee = sum(
        allocate(fee, fee_weights(lines))[index]
        for fee in _order_fees(payment_id=payment_id, order_ref=order_ref)
    )
    captured = lines[index][3]
    if not line_fee or captured <= 0:
        return 0
    due = allocate(line_fee, [released, captured - released])[0]
    charged = sum(
        SplitLine.objects.filter(
            order_ref=order_ref, line_ref=line_ref, transaction__kind=LedgerTransaction.Kind.RELEASE
        ).values_list("fee", flat=True)
    )
    return max(due - charged, 0)


RELEASE_FEE_MEMO = "campaign release fee"


def _released_fees_post(
    *, payment_id: int, order_ref: str, currency: str, idempotency_key: str, posted_at: datetime | None
) -> None:
    """A fee Stripe reports after a campaign released part of a held line: the parties the release paid bear
    their part of it at once (by the release's frozen fee rule, spread over what each share holds of the
    released part), as the release would have charged had the fee been known; the platform bore it while
    held and keeps the part still held. One RELEASE posting per line (no money moves, only fees), so later
    releases count it as charged. Call inside the fee's posting (the payment row is locked)."""
    releases = LedgerTransaction.objects.filter(order_ref=order_ref, kind=LedgerTransaction.Kind.RELEASE)
    if not releases.exists():
        return  # the common case: nothing of the order was ever held and released
    posted = _posted_lines(order_ref=order_ref, payment_id=payment_id)
    for ref, line in posted.items():
        rel = line.released
        if rel is None or rel.recipe.fee_rule != FeeRule.PRO_RATA or rel.released <= 0:
            continue
        more = _release_fee_owed(
            payment_id=payment_id, order_ref=order_ref, line_ref=ref, released=rel.released
        )
        if not more:
            continue
        fees = allocate(more, [abs(part) for part in rel.recipe.split(rel.released)])
        borne: dict[str, int] = defaultdict(int)
        for share, fee in zip(rel.recipe.shares, fees, strict=True):
            if share.party != PLATFORM and fee:  # as at payment: the platform's part stays its expense
                borne[share.party] += fee
        legs = [(account_kind(p), p, fee) for p, fee in sorted(borne.items())]
        if borne:
            legs.append((Kind.PROCESSOR_FEES, SYSTEM, -sum(borne.values())))
        txn_id = _transaction_insert(
            f"{idempotency_key}:released:{ref}"[:255],
            LedgerTransaction.Kind.RELEASE,
            order_ref,
            currency,
            fingerprint({"line": ref, "fees": fees, "posting": "release_fee"}),
            RELEASE_FEE_MEMO,
            posted_at,
        )
        if txn_id is None:  # posted before with this fee's key
            continue
        _legs_insert(txn_id, legs, currency)
        _splits_insert(
            [
                (
                    txn_id,
                    order_ref,
                    ref,
                    line.kind,
                    s.party,
                    s.role,
                    pos,
                    s.bps,
                    s.carved,
                    s.rule,
                    rel.recipe.fee_rule,
                    rel.recipe.agreement_version,
                    0,
                    fee,
                    currency,
                )
                for pos, (s, fee) in enumerate(zip(rel.recipe.shares, fees, strict=True))
            ],
        )


AWARD_RULE = "award:design_call"


def award_post(
    *,
    idempotency_key: str,
    payer: str,
    payee: str,
    amount: int,
    currency: str,
    ref: str,
    memo: str = "design call award",
    posted_at: datetime | None = None,
) -> PostResult:
    """Post an award one party owes another (a unit's design call award to the winning designer).

    Dr payer's payable, Cr payee's payable, `amount` each: balanced, nothing leaves the platform here. Two
    split lines (the payee +amount on line `ref`, the payer -amount on `ref:funding`, no fee), so the next
    settlement batch of each party takes them like any line: the designer is paid the award, the unit's
    payout is that much less (carried forward while it is negative). A repeated key is a no-op; the same key
    with other figures is refused.
    """
    _refuse_unless_positive(amount, f"award of {amount} to {payee}")
    if payer == payee or PLATFORM in (payer, payee):
        raise PostingRefused(LedgerErrorCode.AWARD_PARTIES, f"award from {payer} to {payee}")
    fp = fingerprint({"payer": payer, "payee": payee, "amount": amount, "currency": currency, "ref": ref})
    with transaction.atomic():
        txn_id = _transaction_insert(
            idempotency_key, LedgerTransaction.Kind.AWARD, ref, currency, fp, memo, posted_at
        )
        if txn_id is None:
            return _already_posted(requests={idempotency_key: (fp, ref)})[idempotency_key]
        _legs_insert(
            txn_id, [(Kind.PARTY_PAYABLE, payer, amount), (Kind.PARTY_PAYABLE, payee, -amount)], currency
        )
        _splits_insert(
            [
                (
                    txn_id,
                    ref,
                    line_ref,
                    "award",
                    party,
                    role,
                    pos,
                    10_000,
                    False,
                    AWARD_RULE,
                    FeeRule.PLATFORM,
                    "",
                    amt,
                    0,
                    currency,
                )
                for pos, (party, role, line_ref, amt) in enumerate(
                    ((payee, "award", ref, amount), (payer, "award_funding", f"{ref}:funding", -amount))
                )
            ],
        )
    return PostResult(txn_id, created=True)
