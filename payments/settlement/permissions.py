"""Who sees which parties: platform finance sees all; a unit's finance staff only their unit's parties."""

from __future__ import annotations

from unit_onboarding.models import Designer, OperatingEntity, UnitMembership

PLATFORM_FINANCE_PERMISSION = "payments.change_settlementbatch"
PLATFORM_FINANCE_GROUP = "Platform finance"  # made by migration payments 0007


def platform_finance_group():
    """The group whose members are platform finance (made again if a test database was flushed)."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=PLATFORM_FINANCE_GROUP)
    app_label, codename = PLATFORM_FINANCE_PERMISSION.split(".")
    group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group


def is_platform_finance(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(PLATFORM_FINANCE_PERMISSION))


def visible_parties(user) -> set[str] | None:
    """None means every party (platform finance); otherwise the party keys of the user's finance units:
    the unit, its staff pool, its operating entity and the designers it registered."""
    if is_platform_finance(user):
        return None
    if not user.is_authenticated:
        return set()
    units = list(
        UnitMembership.objects.filter(user=user, role=UnitMembership.Role.FINANCE).values_list(
            "unit_id", "unit__uid"
        )
    )
    parties = set()
    for _, uid in units:
        parties |= {f"unit:{uid}", f"staff_pool:{uid}"}
    entities = OperatingEntity.objects.filter(unit_id__in=[pk for pk, _ in units]).values_list(
        "pk", flat=True
    )
    parties |= {f"entity:{pk}" for pk in entities}
    slugs = Designer.objects.filter(unit_id__in=[pk for pk, _ in units]).values_list("slug", flat=True)
    parties |= {f"designer:{slug}" for slug in slugs}
    return parties


def can_see_party(user, party: str) -> bool:
    parties = visible_parties(user)
    return parties is None or party in parties


def is_finance(user) -> bool:
    parties = visible_parties(user)
    return parties is None or bool(parties)
