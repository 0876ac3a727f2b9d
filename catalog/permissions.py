"""Who may do what in the catalog: a unit's operators manage its listings; platform curators review all."""

from __future__ import annotations

from unit_onboarding.models import Unit, UnitMembership
from unit_onboarding.permissions import unit_roles

CURATOR_PERMISSION = "catalog.review_listing"


def is_curator(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(CURATOR_PERMISSION))


def can_manage_listings(user, unit: Unit) -> bool:
    """Operators of an active unit; curators review but do not edit a unit's products."""
    return unit.status == Unit.Status.ACTIVE and UnitMembership.Role.OPERATOR in unit_roles(user, unit)
