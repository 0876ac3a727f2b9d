"""Reads for settlement: what a party is owed at a cutoff, and the lines of a settlement window."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from payments.models import Account, LedgerTransaction, SettlementBatch
from payments.settlement.error_codes import SettlementError, SettlementErrorCode
from payments.settlement.permissions import is_platform_finance
from unit_onboarding.models import Designer, OperatingEntity, Unit

# Owed = credits to the party's payable from sales, refunds and corrections posted up to the cutoff,
# less every payout already posted (whenever): a payout is a debit, so it simply reduces the sum.
_OWED = """
SELECT COALESCE(-sum(e.amount), 0)
FROM payments_ledgerentry e
JOIN payments_account a ON a.id = e.account_id
JOIN payments_ledgertransaction t ON t.id = e.transaction_id
WHERE a.kind = %s AND a.party = %s AND e.currency = %s
  AND (t.kind = %s OR t.posted_at <= %s)
"""


def party_owed_at(*, party: str, currency: str, cutoff: datetime) -> int:
    """What the party can be paid now for lines posted up to `cutoff` (negative: it owes the platform)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _OWED, [Account.Kind.PARTY_PAYABLE, party, currency, LedgerTransaction.Kind.PAYOUT, cutoff]
        )
        return int(cursor.fetchone()[0])


_WINDOW = """
SELECT s.order_ref, sum(s.amount - s.fee)
FROM payments_splitline s JOIN payments_ledgertransaction t ON t.id = s.transaction_id
WHERE s.party = %s AND s.currency = %s AND t.posted_at <= %s AND (%s::timestamptz IS NULL OR t.posted_at > %s)
GROUP BY s.order_ref ORDER BY s.order_ref
"""


def window_order_nets(
    *, party: str, currency: str, lines_from: datetime | None, cutoff: datetime
) -> list[tuple[str, int]]:
    """(order, party's net: share less fee borne) for the lines posted in (lines_from, cutoff]."""
    with connection.cursor() as cursor:
        cursor.execute(_WINDOW, [party, currency, cutoff, lines_from, lines_from])
        return [(order, int(net)) for order, net in cursor.fetchall() if net]


_WINDOW_LINES = """
SELECT t.posted_at, t.kind, s.order_ref, s.line_ref, s.role, s.rule, s.bps, s.amount, s.fee
FROM payments_splitline s JOIN payments_ledgertransaction t ON t.id = s.transaction_id
WHERE s.party = %s AND s.currency = %s AND t.posted_at <= %s AND (%s::timestamptz IS NULL OR t.posted_at > %s)
ORDER BY t.posted_at, s.order_ref, s.line_ref
"""


def batch_lines(batch: SettlementBatch) -> list[dict]:
    """The split lines a batch settles (drill-down), oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            _WINDOW_LINES, [batch.party, batch.currency, batch.cutoff, batch.lines_from, batch.lines_from]
        )
        cols = [c.name for c in cursor.description]
        return [dict(zip(cols, row, strict=True)) for row in cursor.fetchall()]


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
    kind, _, key = party.partition(":")
    if kind == "entity" and key.isdigit():
        return OperatingEntity.objects.filter(pk=int(key)).first()
    return None


def unit_of(party: str) -> Unit | None:
    """The unit of a `unit:<uid>` or `staff_pool:<uid>` party."""
    kind, _, key = party.partition(":")
    if kind in ("unit", "staff_pool") and _is_uuid(key):
        return Unit.objects.filter(uid=key).first()
    return None


def designer_of(party: str) -> Designer | None:
    kind, _, slug = party.partition(":")
    return Designer.objects.filter(slug=slug).first() if kind == "designer" and slug else None


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


def payee_method(party: str) -> tuple[str, str]:
    """(method, connected account): Stripe when the payee settles by Stripe Connect, else a bank file."""
    payee = payee_of(party)
    if payee is not None and payee.stripe_account_id:
        return SettlementBatch.Method.STRIPE, payee.stripe_account_id
    return SettlementBatch.Method.BANK, ""


def bank_payee_check(party: str) -> Payee:
    """The payee of a bank-file payout, refused when its name, bank or account is missing."""
    payee = payee_of(party)
    if payee is None or not payee.bank_ready:
        kind = party.partition(":")[0]
        if kind == "designer":
            where = _("add the designer's payout details on the unit's designers page")
        elif kind in ("unit", "staff_pool"):
            where = _("add the unit's own bank details on the unit's payout page")
        else:
            where = _("add the bank details of the unit's operating entity")
        raise SettlementError(
            SettlementErrorCode.NO_PAYEE_DETAILS,
            _(
                "%(party)s has no bank account on record, so no bank file can pay it: "
                "%(where)s, then execute again."
            )
            % {"party": party, "where": where},
        )
    return payee


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def last_batch(*, party: str, currency: str) -> SettlementBatch | None:
    return (
        SettlementBatch.objects.filter(party=party, currency=currency)
        .exclude(status=SettlementBatch.Status.REJECTED)
        .order_by("-cutoff")
        .first()
    )


def party_names(parties) -> dict[str, str]:
    """Readable names of party keys: the unit's or entity's name, the staff pool of a unit, the designer."""
    uids = {p.partition(":")[2] for p in parties if p.startswith(("unit:", "staff_pool:"))}
    units = {str(u.uid): str(u) for u in Unit.objects.filter(uid__in=[x for x in uids if _is_uuid(x)])}
    ids = [int(k) for p in parties if p.startswith("entity:") and (k := p.partition(":")[2]).isdigit()]
    entities = {f"entity:{e.pk}": e.legal_name for e in OperatingEntity.objects.filter(pk__in=ids)}
    slugs = [p.partition(":")[2] for p in parties if p.startswith("designer:")]
    english = not (get_language() or "").startswith("zh")
    designers = {
        d.party_key: f"{(d.name_en if english and d.name_en else d.name_zh)} · {_('designer')}"
        for d in Designer.objects.filter(slug__in=slugs)
    }
    names = {}
    for party in parties:
        kind, _sep, key = party.partition(":")
        if kind == "unit" and key in units:
            names[party] = units[key]
        elif kind == "staff_pool" and key in units:
            names[party] = f"{units[key]} · {_('staff pool')}"
        elif entities.get(party):
            names[party] = entities[party]
        elif party in designers:
            names[party] = designers[party]
        elif party == "platform":
            names[party] = _("Platform")
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
