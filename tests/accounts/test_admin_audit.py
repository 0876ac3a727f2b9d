"""Platform roles given in the Django admin (groups, permissions, staff flags) and passwords set there are in
the access trail; unit memberships cannot be edited there (the members page has the rules and the trail)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import AccessEvent
from core.finance import platform_finance_group
from tests.auth import login_verified
from tests.unit_onboarding.factories import OperatingEntityFactory, UserFactory, operator_of

pytestmark = pytest.mark.django_db
A = AccessEvent.Action


def change_form(user, **changes) -> dict:
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": "",
        "last_name": "",
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "groups": [],
        "user_permissions": [],
    }
    return {**data, **changes}


def test_putting_someone_in_platform_finance_and_taking_them_out_is_recorded(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    person = UserFactory()
    group = platform_finance_group()
    login_verified(client, admin)
    url = reverse("admin:auth_user_change", args=[person.pk])

    granted = client.post(url, change_form(person, groups=[group.pk]))
    revoked = client.post(url, change_form(person, groups=[], is_staff="on"))

    assert granted.status_code == revoked.status_code == 302
    events = [(e.action, e.detail["role"], e.actor, e.user) for e in AccessEvent.objects.order_by("pk")]
    assert events == [
        (A.ROLE_GRANTED, "group:Platform finance", admin, person),
        (A.ROLE_GRANTED, "is_staff", admin, person),
        (A.ROLE_REVOKED, "group:Platform finance", admin, person),
    ]


def test_a_password_set_in_the_admin_is_recorded(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    person = UserFactory()
    login_verified(client, admin)

    client.post(
        reverse("admin:auth_user_password_change", args=[person.pk]),
        {"password1": "Jade-Cong-4000bc", "password2": "Jade-Cong-4000bc", "usable_password": "true"},
    )

    event = AccessEvent.objects.get(action=A.PASSWORD_CHANGED)
    assert (event.actor, event.user, event.detail["via"]) == (admin, person, "admin")


def test_a_groups_new_permission_is_recorded(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    group = Group.objects.create(name="Auditors")
    login_verified(client, admin)
    from django.contrib.auth.models import Permission

    permission = Permission.objects.get(codename="change_settlementbatch")
    client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": "Auditors", "permissions": [permission.pk]},
    )

    event = AccessEvent.objects.get(action=A.ROLE_GRANTED)
    assert (event.scope, event.detail["permission"]) == ("group:Auditors", "change_settlementbatch")


def test_memberships_are_read_only_in_the_admin(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    unit = OperatingEntityFactory().unit
    operator_of(unit)
    login_verified(client, admin)

    assert client.get(reverse("admin:unit_onboarding_unitmembership_changelist")).status_code == 200
    assert client.get(reverse("admin:unit_onboarding_unitmembership_add")).status_code == 403
