"""Reads for settlement: what a party is owed at a cutoff, and the lines of a settlement window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import clock
from core.finance import is_platform_finance
from core.party import DESIGNER, STAFF_POOL, UNIT, Party, is_unit_uid
from payments.error_codes import SettlementError, SettlementErrorCode
from payments.models import Account, SettlementBatch, SettlementBatchItem
from payments.settlement.periods import at_midnight, period_containing
from unit_onboarding.models import Designer, OperatingEntity, Unit

# The party's split lines posted up to the cutoff that no live batch holds: what a new batch pays.
_UNBATCHED = """
SELECT s.id, s.order_ref, s.amount - s.fee
FROM payments_splitline s JOIN payments_ledgertransaction t ON t.id = s.transaction_id
WHERE s.party = %s AND s.currency = %s AND t.posted_at <= %s
  AND NOT EXISTS (SELECT 1 FROM payments_settlementbatchitem i WHERE i.split_line_id = s.id AND i.live)
ORDER BY t.posted_at, s.id
"""

# The same lines' net in one row (constant SQL: no value is ever formatted into it).
_UNBATCHED_TOTAL = "SELECT COALESCE(sum(x.net), 0) FROM (" + _UNBATCHED + ") x(id, order_ref, net)"  # noqa: S608


def unbatched_total(*, party: str, currency: str, cutoff: datetime) -> int:
    """The net of `unbatched_lines`, summed by PostgreSQL (a dashboard needs the figure, not the rows)."""
    with connection.cursor() as cursor:
        cursor.execute(_UNBATCHED_TOTAL, [party, currency, cutoff])
        return int(cursor.fetchone()[0])


def unbatched_lines(*, party: str, currency: str, cutoff: datetime) -> list[tuple[int, str, int]]:
    """(split line, order, net: share less fee borne) of the party's lines posted up to `cutoff` in no
    live batch, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(_UNBATCHED, [party, currency, cutoff])
        return [(pk, order, int(net)) for pk, order, net in cursor.fetchall()]


def uncarried(*, party: str, currency: str) -> list[tuple[int, int]]:
    """(batch, amount) of the party's carried batches whose amount no live batch has taken over yet."""
    return list(
        SettlementBatch.objects.filter(party=party, currency=currency, status=SettlementBatch.Status.CARRIED)
        .exclude(
            pk__in=SettlementBatchItem.objects.filter(live=True, carried_from__isnull=False).values(
                "carried_from"
            )
        )
        .order_by("cutoff", "pk")
        .values_list("pk", "amount")
    )


_BATCH_LINES = """
SELECT t.posted_at, COALESCE(o.kind, t.kind) AS kind, t.kind = 'reversal' AS correction, s.order_ref,
       s.line_ref, s.role, s.rule, s.bps, s.amount, s.fee, i.amount AS net, ord.number AS order_number
FROM payments_settlementbatchitem i
JOIN payments_splitline s ON s.id = i.split_line_id
JOIN payments_ledgertransaction t ON t.id = s.transaction_id
LEFT JOIN payments_ledgertransaction o ON o.id = t.reverses_id
LEFT JOIN orders_order ord ON ord.saleor_id = s.order_ref
WHERE i.batch_id = %s
ORDER BY t.posted_at, s.order_ref, s.line_ref, s.id
"""


def batch_lines(batch: SettlementBatch) -> list[dict]:
    """The split lines a batch pays (its line items), oldest first: what its page and exports list."""
    with connection.cursor() as cursor:
        cursor.execute(_BATCH_LINES, [batch.pk])
        cols = [c.name for c in cursor.description]
        return [dict(zip(cols, row, strict=True)) for row in cursor.fetchall()]


def batch_carries(batch: SettlementBatch) -> list[SettlementBatchItem]:
    """The carried amounts a batch takes over (each from one earlier carried batch)."""
    return list(
        batch.items.filter(carried_from__isnull=False).select_related("carried_from").order_by("carried_from")
    )


def batch_order_nets(batch: SettlementBatch) -> list[tuple[str, int]]:
    """(order, net) of the batch's line items, per order: what Stripe transfers are planned from."""
    rows = (
        SettlementBatchItem.objects.filter(batch=batch, split_line__isnull=False)
        .values("split_line__order_ref")
        .annotate(net=Sum("amount"))
        .order_by("split_line__order_ref")
    )
    return [(r["split_line__order_ref"], int(r["net"])) for r in rows if r["net"]]


def payable_parties(*, currency: str) -> list[str]:
    """Every party with a payable account that has entries in this currency (the platform keeps revenue)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT a.party FROM payments_account a WHERE a.kind = %s AND EXISTS "
            "(SELECT 1 FROM payments_ledgerentry e WHERE e.account_id = a.id AND e.currency = %s) "
            "ORDER BY a.party",
            [Account.Kind.PARTY_PAYABLE, currency],
        )
        return [row[0] for row in cursor.fetchall()]


def operating_entity_of(party: str) -> OperatingEntity | None:
    """The operating entity of an `entity:<id>` party (only the entity's own share goes to it)."""
    pk = Party.parse(party).entity_pk
    return OperatingEntity.objects.filter(pk=pk).first() if pk is not None else None


def unit_of(party: str) -> Unit | None:
    """The unit of a `unit:<uid>` or `staff_pool:<uid>` party."""
    parsed = Party.parse(party)
    if parsed.of_unit and is_unit_uid(parsed.id):
        return Unit.objects.filter(uid=parsed.id).first()
    return None


def designer_of(party: str) -> Designer | None:
    parsed = Party.parse(party)
    return Designer.objects.filter(slug=parsed.id).first() if parsed.kind == DESIGNER and parsed.id else None


@dataclass(frozen=True)
class Payee:
    """Whom a party's money is paid to, and where: a bank account or a Stripe connected account."""

    name: str
    bank_name: str
    bank_account: str
    stripe_account_id: str = ""

    @property
    def bank_ready(self) -> bool:
        return bool(self.name and self.bank_name and self.bank_account)


def payee_of(party: str) -> Payee | None:
    """The payee of a party key: a registered designer, the unit itself, or an operating entity.

    事企分开 (the institution and the enterprise kept apart): `unit:<uid>` and `staff_pool:<uid>` are the
    public institution's money (the pool is administered by the unit, never paid to staff directly) and go
    to the unit's own bank account, by bank transfer only; without it they are held like a designer without
    details, never paid to the operating entity. Only `entity:<id>` is paid to the entity (bank or Stripe).
    """
    designer = designer_of(party)
    if designer is not None:
        return Payee(
            designer.payee_name,
            designer.bank_name,
            designer.bank_account,
            designer.stripe_account_id if designer.pays_by_stripe else "",
        )
    unit = unit_of(party)
    if unit is not None:
        return Payee(unit.payout_account_name, unit.payout_bank_name, unit.payout_bank_account)
    entity = operating_entity_of(party)
    if entity is None:
        return None
    stripe = entity.settlement_method == OperatingEntity.Settlement.STRIPE and entity.stripe_account_id
    return Payee(entity.legal_name, entity.bank_name, entity.bank_account, stripe or "")


def payee_method(payee: Payee | None) -> tuple[str, str]:
    """(method, connected account): Stripe when the payee settles by Stripe Connect, else a bank file."""
    if payee is not None and payee.stripe_account_id:
        return SettlementBatch.Method.STRIPE, payee.stripe_account_id
    return SettlementBatch.Method.BANK, ""


def batch_payee(batch: SettlementBatch) -> Payee:
    """The payee frozen on the batch at proposal: what was approved and what the bank file pays."""
    return Payee(batch.payee_name, batch.payee_bank_name, batch.payee_bank_account, batch.stripe_account_id)


def payee_changed(batch: SettlementBatch) -> bool:
    """Whether the party's payee on record is no longer the one the batch was proposed (and approved) for."""
    return (payee_of(batch.party) or Payee("", "", "")) != batch_payee(batch)


def masked(payee: Payee | None) -> str:
    """A payee as the audit trail and the pages name it: never the whole account number."""
    if payee is None or not (payee.name or payee.bank_name or payee.bank_account or payee.stripe_account_id):
        return "—"
    if payee.stripe_account_id:
        return f"{payee.name} · Stripe {payee.stripe_account_id}"
    account = f"…{payee.bank_account[-4:]}" if payee.bank_account else "—"
    return f"{payee.name} · {payee.bank_name} {account}"


def _where_to_add(party: str) -> str:
    parsed = Party.parse(party)
    if parsed.kind == DESIGNER:
        return _("add the designer's payout details on the unit's designers page")
    if parsed.of_unit:
        return _("add the unit's own bank details on the unit's payout page")
    return _("add the bank details of the unit's operating entity")


def bank_payee_check(batch: SettlementBatch) -> Payee:
    """The payee frozen on a bank-file batch, refused when its name, bank or account is missing."""
    payee = batch_payee(batch)
    if not payee.bank_ready:
        raise SettlementError(
            SettlementErrorCode.NO_PAYEE_DETAILS,
            _(
                "%(party)s had no bank account on record when batch %(batch)s was proposed, so no bank file"
                " can pay it: %(where)s and, once platform finance has confirmed them, reject this batch"
                " and propose it again."
            )
            % {"party": batch.party, "batch": batch.pk, "where": _where_to_add(batch.party)},
        )
    return payee


def last_batch(*, party: str, currency: str) -> SettlementBatch | None:
    return (
        SettlementBatch.objects.filter(party=party, currency=currency)
        .exclude(status=SettlementBatch.Status.REJECTED)
        .order_by("-cutoff")
        .first()
    )


# Titles of the held accounts of crowdfunding campaigns (`campaign:<uid>`): campaigns sits above payments, so
# it registers a function of the party keys and the language at start-up (its AppConfig.ready).
_campaign_titles: list[Callable[[list[str], bool], dict[str, str]]] = []


def campaign_titles_register(titles_of: Callable[[list[str], bool], dict[str, str]]) -> None:
    """`titles_of(keys, english)` → {campaign party key: the campaign's title in that language}."""
    if titles_of not in _campaign_titles:
        _campaign_titles.append(titles_of)


def party_names(parties) -> dict[str, str]:
    """Readable names of party keys: the unit's or entity's name, the staff pool of a unit, the designer, a
    campaign's title (its held account)."""
    parties = list(parties)
    parsed = [Party.parse(p) for p in parties]
    uids = {p.id for p in parsed if p.of_unit}
    language = get_language() or ""
    english = not language.startswith("zh")
    units = {  # on English pages a unit's English name where it has one, as the shop names it
        str(u.uid): u.shop_name_in(language)
        for u in Unit.objects.filter(uid__in=[x for x in uids if is_unit_uid(x)])
    }
    ids = [p.entity_pk for p in parsed if p.entity_pk is not None]
    entities = {e.party_key: e.legal_name for e in OperatingEntity.objects.filter(pk__in=ids)}
    slugs = [p.id for p in parsed if p.kind == DESIGNER]
    designers = {
        d.party_key: f"{(d.name_en if english and d.name_en else d.name_zh)} · {_('designer')}"
        for d in Designer.objects.filter(slug__in=slugs)
    }
    campaign_keys = [p for p in parties if Party.parse(p).is_campaign]
    campaigns: dict[str, str] = {}
    for titles_of in _campaign_titles if campaign_keys else ():
        campaigns |= titles_of(campaign_keys, english)
    names = {}
    for party in parties:
        kind, key = Party.parse(party).kind, Party.parse(party).id
        if kind == UNIT and key in units:
            names[party] = units[key]
        elif kind == STAFF_POOL and key in units:
            names[party] = f"{units[key]} · {_('staff pool')}"
        elif entities.get(party):
            names[party] = entities[party]
        elif party in designers:
            names[party] = designers[party]
        elif party == "platform":
            names[party] = _("Platform")
        elif party in campaigns:
            names[party] = f"{campaigns[party]} · {_('crowdfunding campaign, held')}"
        elif Party.parse(party).is_campaign:
            names[party] = f"{_('crowdfunding campaign, held')} {key[:8]}"
        else:
            names[party] = party
    return names


def schedule_user(username: str):
    """The platform finance account the beat job proposes batches as; refused when it is not one."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not is_platform_finance(user):
        raise SettlementError(
            SettlementErrorCode.NO_SCHEDULE_USER,
            f"SETTLEMENT_SCHEDULE_USER={username!r} is not an active platform finance user "
            "(payments.change_settlementbatch)",
        )
    return user


@dataclass(frozen=True)
class ExecutionProgress:
    """Where a batch's execution stands, read from the batch and its transfers (so a reload shows it)."""

    state: str  # idle | running | stopped | done
    sent: int
    total: int
    error: str

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        return self.sent * 100 // self.total if self.total else 0


def execution_progress(batch: SettlementBatch) -> ExecutionProgress:
    """The batch's transfers sent out of those planned, and whether the worker is still at it."""
    counts = batch.transfers.aggregate(total=Count("pk"), sent=Count("pk", filter=~Q(stripe_transfer_id="")))
    if batch.status in (SettlementBatch.Status.EXECUTED, SettlementBatch.Status.PAID):
        state = "done"
    elif batch.status != SettlementBatch.Status.APPROVED or not batch.execution_requested_at:
        state = "idle"
    else:
        state = "stopped" if batch.execution_error else "running"
    return ExecutionProgress(state, counts["sent"], counts["total"], batch.execution_error)


@dataclass(frozen=True)
class NextPayout:
    """What a party's next settlement batch holds so far, and when it is proposed."""

    party: str
    amount: int  # minor units: lines posted up to now (and before the cutoff) plus amounts carried
    proposed_on: date  # the day the period closes and its batch is proposed (then approved, executed)
    cutoff: datetime  # lines posted after it wait for the batch after (the return window)
    batch: SettlementBatch | None  # a batch already proposed or approved, waiting for people


def next_payout(party: str, currency: str, *, now: datetime, period: str, window: timedelta) -> NextPayout:
    """The party's open batch if one waits for approval or execution, else its next period's so far."""
    open_batch = (
        SettlementBatch.objects.filter(
            party=party,
            currency=currency,
            status__in=(SettlementBatch.Status.PROPOSED, SettlementBatch.Status.APPROVED),
        )
        .order_by("period_end")
        .first()
    )
    if open_batch is not None:
        return NextPayout(party, open_batch.amount, open_batch.period_end, open_batch.cutoff, open_batch)
    _start, end = period_containing(clock.today(now), period)
    cutoff = at_midnight(end) - window
    so_far = unbatched_total(party=party, currency=currency, cutoff=min(cutoff, now))
    carried = sum(amount for _, amount in uncarried(party=party, currency=currency))
    return NextPayout(party, so_far + carried, end, cutoff, None)
