"""The designer's royalty statement: the ledger entries of the `designer:` parties the account claimed
(payables: royalties and awards owed, payouts made), by Beijing month, amounts in yuan."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from core import clock
from core.money import minor_format
from payments.models import Account, LedgerEntry
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
    months: dict[str, Month] = {}
    for at, party, kind, ref, memo, amount, currency in rows:
        key = clock.local(at).strftime("%Y-%m")
        months.setdefault(key, Month(key)).entries.append(
            Entry(clock.local(at), party, kind, ref, memo, -amount, currency)
        )
    return sorted(months.values(), key=lambda m: m.month, reverse=True)
