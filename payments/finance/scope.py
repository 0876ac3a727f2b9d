"""Which ledger parties a user may read, as settlement decides it (one rule for every finance page)."""

from __future__ import annotations

from dataclasses import dataclass

from payments.settlement.permissions import visible_parties


@dataclass(frozen=True)
class FinanceScope:
    everything: bool
    parties: frozenset[str]  # meaningful only when not `everything`

    def allows(self, party: str) -> bool:
        return self.everything or party in self.parties


def finance_scope(user) -> FinanceScope | None:
    """None when the user is no finance staff at all."""
    parties = visible_parties(user)
    if parties is None:
        return FinanceScope(everything=True, parties=frozenset())
    return FinanceScope(everything=False, parties=frozenset(parties)) if parties else None
