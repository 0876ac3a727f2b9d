"""IP licences under four eyes: an operator records a licence, a second person (the unit's finance or platform
finance) confirms it before its royalty applies or a product may carry it; rejections need a reason."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.urls import reverse

from catalog.forms import licences_usable_by
from catalog.models import IpLicence
from catalog.selectors import royalties_in_force
from payments.models import FinanceAuditEvent
from tests.auth import login_verified
from tests.catalog.factories import active_unit, make_listing
from tests.unit_onboarding.factories import UserFactory, operator_of
from unit_onboarding.models import UnitMembership

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 15, 4, tzinfo=UTC)
TERMS = {
    "licensee_name": "山城文创公司",
    "licensee_credit_code": "",
    "scope": "纹样用于书签",
    "valid_from": "2026-12-01",
    "valid_until": "2027-11-30",
    "royalty_bps": "9000",
}


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def world():
    unit = active_unit("museum")
    return {
        "unit": unit,
        "operator": operator_of(unit),
        "finance": operator_of(unit, role="finance"),
        "url": reverse("catalog:licences", args=[unit.uid]),
    }


def _record(client, world) -> IpLicence:
    client.force_login(world["operator"])
    assert client.post(world["url"], {"action": "record", **TERMS}).status_code == 302
    return IpLicence.objects.get()


def test_a_recorded_licence_is_not_in_force_until_finance_confirms_it(client, world):
    licence = _record(client, world)
    listing = make_listing(world["unit"], world["operator"])
    listing.licence = licence
    listing.save(update_fields=["licence"])

    assert (licence.status, licence.created_by) == ("pending", world["operator"])
    assert licence not in licences_usable_by(world["unit"])
    assert royalties_in_force(listing_ids=[listing.pk], at=NOW)[listing.pk] == ()

    login_verified(client, world["finance"])
    page = client.get(world["url"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "等待第二人批准" in page and "山城文创公司" in page
    assert client.post(world["url"], {"action": "confirm", "licence": licence.pk}).status_code == 302

    licence.refresh_from_db()
    assert (licence.status, licence.decided_by) == ("in_force", world["finance"])
    assert licence in licences_usable_by(world["unit"])
    (royalty,) = royalties_in_force(listing_ids=[listing.pk], at=NOW)[listing.pk]
    assert (royalty.party, royalty.role, royalty.bps) == (world["unit"].party_key, "ip_licence", 9000)
    actions = list(FinanceAuditEvent.objects.order_by("pk").values_list("action", "actor"))
    assert actions == [
        ("ip_licence.proposed", world["operator"].pk),
        ("ip_licence.confirmed", world["finance"].pk),
    ]


def test_the_one_who_recorded_it_cannot_confirm_it_nor_can_the_database(client, world):
    recorder = operator_of(world["unit"], role="finance")
    UnitMembership.objects.create(user=recorder, unit=world["unit"], role=UnitMembership.Role.OPERATOR)
    login_verified(client, recorder)
    client.post(world["url"], {"action": "record", **TERMS})
    licence = IpLicence.objects.get()

    refused = client.post(
        world["url"], {"action": "confirm", "licence": licence.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert refused.status_code == 400 and "needs a second person" in refused.content.decode()
    licence.refresh_from_db()
    assert licence.status == "pending"
    licence.status, licence.decided_by = "in_force", recorder
    with pytest.raises(IntegrityError, match="ip_licence_four_eyes"), transaction.atomic():
        licence.save()


def test_operators_record_but_do_not_confirm(client, world):
    licence = _record(client, world)
    other_operator = operator_of(world["unit"])
    client.force_login(other_operator)

    response = client.post(world["url"], {"action": "confirm", "licence": licence.pk})

    assert response.status_code == 403
    assert IpLicence.objects.get().status == "pending"


def test_a_rejection_needs_a_reason_and_the_licence_never_applies(client, world):
    licence = _record(client, world)
    login_verified(client, world["finance"])

    blank = client.post(
        world["url"], {"action": "reject", "licence": licence.pk, "reason": " "}, HTTP_ACCEPT_LANGUAGE="en"
    )
    given = client.post(
        world["url"], {"action": "reject", "licence": licence.pk, "reason": "royalty too high"}
    )
    again = client.post(world["url"], {"action": "confirm", "licence": licence.pk}, HTTP_ACCEPT_LANGUAGE="en")

    assert blank.status_code == 400 and "Say why you reject this licence" in blank.content.decode()
    assert given.status_code == 302
    assert again.status_code == 400 and "already been confirmed or rejected" in again.content.decode()
    licence.refresh_from_db()
    assert (licence.status, licence.reject_reason) == ("rejected", "royalty too high")
    assert licence not in licences_usable_by(world["unit"])


def test_a_licence_whose_term_is_over_is_not_confirmed(client, world, time_machine):
    licence = _record(client, world)
    time_machine.move_to(datetime(2027, 12, 1, 4, tzinfo=UTC), tick=False)
    login_verified(client, world["finance"])

    response = client.post(
        world["url"], {"action": "confirm", "licence": licence.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400 and "term is already over" in response.content.decode()
    assert IpLicence.objects.get().status == "pending"


def test_platform_finance_confirms_any_units_licence(client, world):
    licence = _record(client, world)
    finance = UserFactory()
    finance.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))
    login_verified(client, finance)

    assert client.post(world["url"], {"action": "confirm", "licence": licence.pk}).status_code == 302
    assert IpLicence.objects.get().valid_until == date(2027, 11, 30)
    assert IpLicence.objects.get().status == "in_force"


@pytest.mark.parametrize("role", ["finance", "operator"])
def test_another_units_members_neither_see_nor_decide(client, world, role):
    licence = _record(client, world)
    intruder = operator_of(active_unit("library"), role=role)
    login_verified(client, intruder)

    assert client.get(world["url"]).status_code == 404
    assert client.post(world["url"], {"action": "confirm", "licence": licence.pk}).status_code == 404
    assert IpLicence.objects.get().status == "pending"


def test_a_licence_of_another_unit_cannot_be_decided_through_this_one(client, world):
    licence = _record(client, world)
    other = active_unit("library")
    login_verified(client, operator_of(other, role="finance"))

    response = client.post(
        reverse("catalog:licences", args=[other.uid]), {"action": "confirm", "licence": licence.pk}
    )

    assert response.status_code == 404 and IpLicence.objects.get().status == "pending"
