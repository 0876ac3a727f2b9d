"""The designer royalty screen: finance proposes a product's royalty from a chosen time on, a second finance
member approves it (four eyes, stale refusals); history and audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from catalog import provenance
from catalog.models import DesignerRoyalty, DesignerRoyaltyChange
from payments.models import FinanceAuditEvent
from tests.auth import login_verified
from tests.catalog.factories import active_unit, make_listing
from tests.unit_onboarding.factories import DesignerFactory, UserFactory, operator_of, reviewer

pytestmark = pytest.mark.django_db


def later(**delta) -> str:
    return timezone.localtime(timezone.now() + timedelta(**delta)).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def world():
    unit = active_unit("museum")
    operator = operator_of(unit)
    return {
        "unit": unit,
        "operator": operator,
        "finance": operator_of(unit, role="finance"),
        "finance2": operator_of(unit, role="finance"),
        "listing": make_listing(unit, operator),
        "designer": DesignerFactory(unit=unit, slug="li-hua", name_zh="李华"),
    }


def _url(world) -> str:
    return reverse("catalog:listing_royalty", args=[world["listing"].uid])


def _decide(client, world, user, action: str, **extra):
    login_verified(client, user)
    change = DesignerRoyaltyChange.objects.get(listing=world["listing"], status="pending")
    return client.post(
        _url(world), {"action": action, "change": change.pk, **extra}, HTTP_ACCEPT_LANGUAGE="en"
    )


def _agreed(client, world, data: dict) -> None:
    """Proposed by the unit's finance member, approved by the second one."""
    login_verified(client, world["finance"])
    assert client.post(_url(world), data).status_code == 302
    assert _decide(client, world, world["finance2"], "approve").status_code == 302


def test_finance_proposes_a_royalty_a_second_member_approves_and_both_see_the_history(client, world):
    _agreed(client, world, {"designer": "li-hua", "bps": 500, "effective_from": later(hours=1)})
    _agreed(client, world, {"designer": "li-hua", "bps": 300, "effective_from": later(days=30)})

    terms = list(DesignerRoyalty.objects.filter(listing=world["listing"]).order_by("effective_from"))
    assert [(t.party_key, t.bps, t.created_by, t.change.decided_by) for t in terms] == [
        ("designer:li-hua", 500, world["finance"], world["finance2"]),
        ("designer:li-hua", 300, world["finance"], world["finance2"]),
    ]
    assert terms[0].effective_to == terms[1].effective_from and terms[1].effective_to is None
    page = client.get(_url(world), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert page.count("designer:li-hua") == 2 and "李华" in page and "设计者版税" in page
    events = FinanceAuditEvent.objects.filter(action="designer_royalty.set").order_by("pk")
    assert [(e.party, e.detail["bps"], e.actor) for e in events] == [
        ("designer:li-hua", 500, world["finance2"]),
        ("designer:li-hua", 300, world["finance2"]),
    ]
    assert events[1].detail["replaced"] == "designer:li-hua 500"
    assert events[1].detail["proposed_by"] == str(world["finance"])
    actions = list(
        FinanceAuditEvent.objects.filter(action__startswith="designer_royalty.").values_list(
            "action", "actor"
        )
    )
    assert ("designer_royalty.proposed", world["finance"].pk) in actions
    assert ("designer_royalty.approved", world["finance2"].pk) in actions
    overview = client.get(reverse("catalog:royalties", args=[world["unit"].uid])).content.decode()
    assert "designer:li-hua" in overview and world["listing"].name_zh in overview


def test_a_proposal_is_not_in_force_and_its_proposer_cannot_approve_it(client, world):
    login_verified(client, world["finance"])
    client.post(_url(world), {"designer": "li-hua", "bps": 9000, "effective_from": later(hours=1)})

    refused = _decide(client, world, world["finance"], "approve")

    assert refused.status_code == 400 and "needs a second person" in refused.content.decode()
    assert not DesignerRoyalty.objects.exists()
    page = client.get(_url(world), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "撤回" in page and "批准" not in page.split("royalty-pending")[1].split("</section>")[0]


def test_the_database_refuses_an_approval_by_the_proposer(world):
    change = DesignerRoyaltyChange.objects.create(
        listing=world["listing"],
        designer=world["designer"],
        bps=500,
        effective_from=timezone.now() + timedelta(hours=1),
        proposed_by=world["finance"],
        proposed_at=timezone.now(),
    )
    change.status, change.decided_by, change.decided_at = "approved", world["finance"], timezone.now()
    with pytest.raises(IntegrityError, match="royalty_change_four_eyes"), transaction.atomic():
        change.save()


def test_one_change_waits_at_a_time_and_the_proposer_may_withdraw_it(client, world):
    login_verified(client, world["finance"])
    client.post(_url(world), {"designer": "li-hua", "bps": 500, "effective_from": later(hours=1)})
    second = client.post(
        _url(world),
        {"designer": "li-hua", "bps": 700, "effective_from": later(hours=2)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert second.status_code == 400 and "already waiting for approval" in second.content.decode()

    assert _decide(client, world, world["finance2"], "withdraw").status_code == 403
    assert _decide(client, world, world["finance"], "withdraw").status_code == 302

    assert DesignerRoyaltyChange.objects.get().status == "withdrawn"
    assert not DesignerRoyalty.objects.exists()


def test_a_rejection_needs_a_reason_and_applies_nothing(client, world):
    login_verified(client, world["finance"])
    client.post(_url(world), {"designer": "li-hua", "bps": 500, "effective_from": later(hours=1)})

    blank = _decide(client, world, world["finance2"], "reject", reason=" ")
    given = _decide(client, world, world["finance2"], "reject", reason="designer not under contract yet")

    assert blank.status_code == 400 and "Say why you reject" in blank.content.decode()
    assert given.status_code == 302
    change = DesignerRoyaltyChange.objects.get()
    assert (change.status, change.decided_by, change.reason) == (
        "rejected",
        world["finance2"],
        "designer not under contract yet",
    )
    assert not DesignerRoyalty.objects.exists()


def test_approval_is_refused_when_the_terms_changed_or_the_start_passed_while_waiting(client, world):
    login_verified(client, world["finance"])
    client.post(_url(world), {"designer": "li-hua", "bps": 500, "effective_from": later(days=2)})
    # Terms set meanwhile (seeding path): the proposal was based on none.
    provenance.designer_royalty_set(
        listing=world["listing"],
        designer=world["designer"],
        bps=100,
        effective_from=timezone.now() + timedelta(days=1),
    )
    stale = _decide(client, world, world["finance2"], "approve")
    assert stale.status_code == 400 and "changed after this proposal" in stale.content.decode()
    _decide(client, world, world["finance2"], "reject", reason="stale")

    login_verified(client, world["finance"])
    client.post(_url(world), {"designer": "li-hua", "bps": 500, "effective_from": later(days=3)})
    with time_machine.travel(timezone.now() + timedelta(days=4), tick=False):
        started = _decide(client, world, world["finance2"], "approve")
    assert started.status_code == 400 and "proposed start has passed" in started.content.decode()
    assert DesignerRoyalty.objects.get().bps == 100


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "A royalty cannot start in the past"), ("zh-hans", "版税不能从过去的时间开始")],
)
def test_a_start_in_the_past_is_refused_with_a_clear_message(client, world, language, message):
    login_verified(client, world["finance"])

    response = client.post(
        _url(world),
        {"designer": "li-hua", "bps": 500, "effective_from": later(hours=-1)},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DesignerRoyaltyChange.objects.exists()


def test_zero_ends_the_royalty_from_the_chosen_time(client, world):
    start = timezone.now() + timedelta(hours=1)
    provenance.designer_royalty_set(
        listing=world["listing"], designer=world["designer"], bps=500, effective_from=start
    )

    _agreed(client, world, {"bps": 0, "effective_from": later(days=2)})

    only = DesignerRoyalty.objects.get()
    assert only.effective_to is not None and only.effective_to > start


def test_only_finance_proposes_or_decides_operators_only_read(client, world):
    login_verified(client, world["finance"])
    client.post(_url(world), {"designer": "li-hua", "bps": 500, "effective_from": later(hours=1)})
    client.force_login(world["operator"])

    page = client.get(_url(world))
    posted = client.post(_url(world), {"designer": "li-hua", "bps": 500, "effective_from": later(hours=2)})
    change = DesignerRoyaltyChange.objects.get()
    approved = client.post(_url(world), {"action": "approve", "change": change.pk})

    assert page.status_code == 200 and "<form" not in page.content.decode().split("royalty-history")[1]
    assert (posted.status_code, approved.status_code) == (403, 403)
    assert not DesignerRoyalty.objects.exists() and DesignerRoyaltyChange.objects.count() == 1


def test_another_units_designer_is_not_a_choice(client, world):
    DesignerFactory(slug="elsewhere")
    login_verified(client, world["finance"])

    response = client.post(
        _url(world),
        {"designer": "elsewhere", "bps": 500, "effective_from": later(hours=1)},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not DesignerRoyaltyChange.objects.exists()


@pytest.mark.parametrize("role", ["finance", "operator"])
def test_another_units_staff_get_404_on_both_royalty_routes(client, world, role):
    login_verified(client, world["finance"])
    client.post(_url(world), {"designer": "li-hua", "bps": 500, "effective_from": later(hours=1)})
    change = DesignerRoyaltyChange.objects.get()
    other = active_unit("library")
    intruder = operator_of(other, role=role)
    DesignerFactory(unit=other, slug="intruder")
    login_verified(client, intruder)

    for url in (_url(world), reverse("catalog:royalties", args=[world["unit"].uid])):
        assert client.get(url).status_code == 404
        posted = client.post(url, {"designer": "li-hua", "bps": 9000, "effective_from": later(hours=1)})
        approved = client.post(url, {"action": "approve", "change": change.pk})
        assert posted.status_code in {404, 405} and approved.status_code in {404, 405}
    assert not DesignerRoyalty.objects.exists()
    assert DesignerRoyaltyChange.objects.get().status == "pending"


def test_a_change_of_another_product_cannot_be_decided_through_this_one(client, world):
    other_listing = make_listing(world["unit"], world["operator"])
    login_verified(client, world["finance"])
    client.post(_url(world), {"designer": "li-hua", "bps": 500, "effective_from": later(hours=1)})
    change = DesignerRoyaltyChange.objects.get()
    login_verified(client, world["finance2"])

    response = client.post(
        reverse("catalog:listing_royalty", args=[other_listing.uid]),
        {"action": "approve", "change": change.pk},
    )

    assert response.status_code == 404 and DesignerRoyaltyChange.objects.get().status == "pending"


def test_platform_finance_approves_what_a_unit_or_a_reviewer_proposed(client, world):
    finance = UserFactory()
    finance.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))
    login_verified(client, reviewer())
    assert (
        client.post(
            _url(world), {"designer": "li-hua", "bps": 100, "effective_from": later(hours=1)}
        ).status_code
        == 302
    )

    assert _decide(client, world, finance, "approve").status_code == 302

    assert DesignerRoyalty.objects.get().bps == 100
