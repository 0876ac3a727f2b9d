"""The designer's royalty statement: the ledger entries of the `designer:` parties the account claimed
(payables: royalties and awards owed, payouts made), by Beijing month, amounts in yuan."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from core import clock
from core.money import minor_format
from payments.models import Account, LedgerEntry
from resources.models import DesignCall
from unit_onboarding.designers import designers_of_account

KIND_LABELS = {
    "payment": _("Sale (royalty or share)"),
    "refund": _("Refund"),
    "fee": _("Processor fee"),
    "reversal": _("Correction"),
    "payout": _("Paid out"),
    "award": _("Design call award"),
    "release": _("Crowdfunding release"),
}


@dataclass
class Entry:
    at: datetime
    party: str
    kind: str
    ref: str
    memo: str
    amount: int  # owed to the designer (+) or paid / taken back (-), in fen
    currency: str

    @property
    def yuan(self) -> str:
        return minor_format(self.amount, self.currency)

    @property
    def label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


@dataclass
class Month:
    month: str  # YYYY-MM, Beijing
    entries: list[Entry] = field(default_factory=list)

    @property
    def owed(self) -> str:
        return minor_format(sum(e.amount for e in self.entries if e.amount > 0), "CNY")

    @property
    def paid(self) -> str:
        return minor_format(-sum(e.amount for e in self.entries if e.amount < 0), "CNY")

    @property
    def net(self) -> str:
        return minor_format(sum(e.amount for e in self.entries), "CNY")


def _call_titles(refs: set[str]) -> dict[str, str]:
    """An award's reference (call:<uid>) as the call's title, which the designer knows it by."""
    uids = [ref.removeprefix("call:") for ref in refs if ref.startswith("call:")]
    valid = []
    for uid in uids:
        try:
            valid.append(uuid.UUID(uid))
        except ValueError:
            continue
    return {f"call:{c.uid}": c.title_zh for c in DesignCall.objects.filter(uid__in=valid)}


def parties_of(user) -> list[str]:
    return [d.party_key for d in designers_of_account(user)]


def statement_of(user) -> list[Month]:
    """Months, newest first, each with its entries oldest first (only the account's own parties)."""
    parties = parties_of(user)
    rows = (
        LedgerEntry.objects.filter(account__kind=Account.Kind.PARTY_PAYABLE, account__party__in=parties)
        .annotate(
            party=F("account__party"),
            at=F("transaction__posted_at"),
            kind=F("transaction__kind"),
            ref=F("transaction__order_ref"),
            memo=F("transaction__memo"),
        )
        .order_by("transaction__posted_at", "pk")
        .values_list("at", "party", "kind", "ref", "memo", "amount", "currency")
    )
    rows = list(rows)
    calls = _call_titles({ref for *_, ref, _memo, _amount, _currency in rows})
    months: dict[str, Month] = {}
    for at, party, kind, ref, memo, amount, currency in rows:
        ref = calls.get(ref, ref)
        key = clock.local(at).strftime("%Y-%m")
        months.setdefault(key, Month(key)).entries.append(
            Entry(clock.local(at), party, kind, ref, memo, -amount, currency)
        )
    return sorted(months.values(), key=lambda m: m.month, reverse=True)
