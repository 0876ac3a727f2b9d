"""Who may see and do what: platform reviewers see all; members only their own unit."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from core.finance import PLATFORM_FINANCE_PERMISSION, is_platform_finance
from unit_onboarding.models import Application, Unit, UnitMembership

REVIEW_PERMISSION = "unit_onboarding.review_application"
# Roles that touch money, review or curate sign in with a second factor (catalog's permission by name:
# catalog sits above this app).
SECOND_FACTOR_PERMISSIONS = (REVIEW_PERMISSION, PLATFORM_FINANCE_PERMISSION, "catalog.review_listing")
User = AbstractBaseUser | AnonymousUser


def is_reviewer(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(REVIEW_PERMISSION))


def unit_roles(user: User, unit: Unit) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(UnitMembership.objects.filter(user=user, unit=unit).values_list("role", flat=True))


def can_view_application(user: User, application: Application) -> bool:
    return is_reviewer(user) or (user.is_authenticated and application.applicant_id == user.pk)


def can_view_unit(user: User, unit: Unit) -> bool:
    return is_reviewer(user) or bool(unit_roles(user, unit))


def can_edit_profile(user: User, unit: Unit) -> bool:
    return UnitMembership.Role.OPERATOR in unit_roles(user, unit)


def can_manage_members(user: User, unit: Unit) -> bool:
    return is_reviewer(user) or UnitMembership.Role.OPERATOR in unit_roles(user, unit)


def invitable_roles(user: User, unit: Unit) -> list[str]:
    """Operators bring in operators; a finance role (who may set where money goes) only platform reviewers
    and admins grant."""
    if is_reviewer(user):
        return [UnitMembership.Role.OPERATOR, UnitMembership.Role.FINANCE]
    if UnitMembership.Role.OPERATOR in unit_roles(user, unit):
        return [UnitMembership.Role.OPERATOR]
    return []


def can_grant(user: User, unit: Unit, role: str) -> bool:
    return role in invitable_roles(user, unit)


def can_remove_member(user: User, membership: UnitMembership) -> bool:
    """Operators remove operators of their unit; finance members only platform reviewers and admins."""
    return can_grant(user, membership.unit, membership.role)


def second_factor_required(user: User) -> bool:
    """Platform finance, reviewers, curators, a unit's finance members and Django staff need TOTP."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff or user.is_superuser or any(user.has_perm(p) for p in SECOND_FACTOR_PERMISSIONS):
        return True
    return UnitMembership.objects.filter(user=user, role=UnitMembership.Role.FINANCE).exists()


def can_view_designers(user: User, unit: Unit) -> bool:
    return can_view_unit(user, unit) or is_platform_finance(user)


def can_manage_designers(user: User, unit: Unit) -> bool:
    """Designers and their royalties are money terms: finance (the unit's, the platform's) and reviewers."""
    return can_change_agreement(user, unit) or is_platform_finance(user)


def can_change_agreement(user: User, unit: Unit) -> bool:
    """Distribution terms are proposed by finance (the unit's finance staff, platform finance) or reviewers;
    a proposal is in force only once platform finance approves it (unit_onboarding.agreements)."""
    return (
        is_reviewer(user)
        or is_platform_finance(user)
        or UnitMembership.Role.FINANCE in unit_roles(user, unit)
    )
