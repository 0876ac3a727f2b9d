"""Which ledger parties a user may read: platform finance all, a unit's finance staff only its unit's."""

from __future__ import annotations

from dataclasses import dataclass

from unit_onboarding.models import OperatingEntity, UnitMembership

PLATFORM_FINANCE_PERMISSION = "payments.view_ledgertransaction"


@dataclass(frozen=True)
class FinanceScope:
    everything: bool
    parties: frozenset[str]  # meaningful only when not `everything`

    def allows(self, party: str) -> bool:
        return self.everything or party in self.parties


def finance_scope(user) -> FinanceScope | None:
    """None when the user is no finance staff at all."""
    if not (user.is_authenticated and user.is_active):
        return None
    if user.has_perm(PLATFORM_FINANCE_PERMISSION):
        return FinanceScope(everything=True, parties=frozenset())
    units = list(
        UnitMembership.objects.filter(user=user, role=UnitMembership.Role.FINANCE).values_list(
            "unit__uid", "unit_id"
        )
    )
    if not units:
        return None
    parties = {f"unit:{uid}" for uid, _ in units} | {f"staff_pool:{uid}" for uid, _ in units}
    entities = OperatingEntity.objects.filter(unit_id__in=[pk for _, pk in units]).values_list(
        "pk", flat=True
    )
    parties |= {f"entity:{pk}" for pk in entities}
    return FinanceScope(everything=False, parties=frozenset(parties))
