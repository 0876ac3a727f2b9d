"""Who sees which parties: platform finance sees all; a unit's finance staff only their unit's parties."""

from __future__ import annotations

from collections.abc import Callable

from core.finance import is_platform_finance
from core.party import Party
from unit_onboarding.models import Designer, OperatingEntity, UnitMembership

# Parties of a unit that apps above payments know (a unit's crowdfunding campaigns' held accounts): they
# register a function of the unit ids at start-up, as campaigns does in its AppConfig.ready.
_unit_parties: list[Callable[[list[int]], set[str]]] = []


def unit_parties_register(parties_of: Callable[[list[int]], set[str]]) -> None:
    if parties_of not in _unit_parties:
        _unit_parties.append(parties_of)


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
        parties |= {Party.unit(uid).key, Party.staff_pool(uid).key}
    entities = OperatingEntity.objects.filter(unit_id__in=[pk for pk, _ in units]).values_list(
        "pk", flat=True
    )
    parties |= {Party.entity(pk).key for pk in entities}
    slugs = Designer.objects.filter(unit_id__in=[pk for pk, _ in units]).values_list("slug", flat=True)
    parties |= {Party.designer(slug).key for slug in slugs}
    for parties_of in _unit_parties:
        parties |= parties_of([pk for pk, _ in units])
    return parties


def can_see_party(user, party: str) -> bool:
    parties = visible_parties(user)
    return parties is None or party in parties


def is_finance(user) -> bool:
    parties = visible_parties(user)
    return parties is None or bool(parties)
