"""Who is platform finance: the one permission (and group) every app checks to show all parties' money."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

PLATFORM_FINANCE_PERMISSION = "payments.change_settlementbatch"
PLATFORM_FINANCE_GROUP = "Platform finance"  # made by payments' migration (0007_platform_finance_group)


def platform_finance_group() -> Group:
    """The group whose members are platform finance (made again if a test database was flushed)."""
    group, _ = Group.objects.get_or_create(name=PLATFORM_FINANCE_GROUP)
    app_label, codename = PLATFORM_FINANCE_PERMISSION.split(".")
    group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group


def is_platform_finance(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(PLATFORM_FINANCE_PERMISSION))
