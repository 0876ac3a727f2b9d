"""Every route of payee changes and agreement approvals, as an anonymous visitor, the unit's operator,
another unit's finance member, the requester themselves and platform finance: a unit's finance member
asks only for their own unit, only platform finance confirms or approves, and never their own request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from tests.auth import login_verified
from tests.unit_onboarding.factories import OperatingEntityFactory, operator_of, platform_finance_user
from unit_onboarding import payees
from unit_onboarding.agreements import ShareTerm, agreement_version_propose
from unit_onboarding.models import AgreementVersion, PayeeChange, Unit

pytestmark = pytest.mark.django_db
ACCOUNT = {"account_name": "重庆某某博物馆", "bank_name": "中国建设银行", "bank_account": "6227000011112222"}


@pytest.fixture
def world():
    unit = OperatingEntityFactory(unit__status=Unit.Status.ACTIVE).unit
    other = OperatingEntityFactory(unit__status=Unit.Status.ACTIVE).unit
    requester = operator_of(unit, role="finance")
    change = payees.payee_change_request(payee=payees.unit_payee(unit), data=ACCOUNT, actor=requester)
    version = agreement_version_propose(
        unit=unit,
        effective_from=timezone.now() + timedelta(days=1),
        shares=[ShareTerm(unit.party_key, "unit", 9000), ShareTerm("platform", "platform", 1000)],
        actor=requester,
    )
    return {
        "unit": unit,
        "change": change,
        "version": version,
        "anonymous": None,
        "operator": operator_of(unit),
        "other_unit_finance": operator_of(other, role="finance"),
        "requester": requester,
        "platform_finance": platform_finance_user(),
    }


def _as(client, world, who):
    """Signed in as each role really is: the operator needs no second factor; finance members and platform
    finance have verified theirs (without it they never reach a view: tests/test_route_sweep.py)."""
    client.logout()
    if who == "operator":
        client.force_login(world[who])
    elif world[who] is not None:
        login_verified(client, world[who])


def _state(world) -> tuple[str, str]:
    return (
        PayeeChange.objects.get(pk=world["change"].pk).status,
        AgreementVersion.objects.get(pk=world["version"].pk).status,
    )


# (route, method, args, expected status per role); 302 for anonymous is the redirect to log in
FINANCE_ROUTES = [
    ("finance:approvals", "get", lambda w: [], 200),
    ("finance:payee_change_confirm", "post", lambda w: [w["change"].pk], 302),
    ("finance:payee_change_reject", "post", lambda w: [w["change"].pk], 302),
    ("finance:agreement_approve", "post", lambda w: [w["version"].pk], 302),
    ("finance:agreement_reject", "post", lambda w: [w["version"].pk], 302),
]


@pytest.mark.parametrize("who", ["anonymous", "operator", "other_unit_finance", "requester"])
@pytest.mark.parametrize(("route", "method", "args", "_ok"), FINANCE_ROUTES)
def test_only_platform_finance_reaches_the_approval_routes(client, world, who, route, method, args, _ok):
    _as(client, world, who)

    response = getattr(client, method)(reverse(route, args=args(world)), {"reason": "x", "note": "x"})

    if who == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == 404
    assert _state(world) == ("pending", "proposed")


@pytest.mark.parametrize(("route", "method", "args", "ok"), FINANCE_ROUTES)
def test_platform_finance_reaches_them(client, world, route, method, args, ok):
    _as(client, world, "platform_finance")

    response = getattr(client, method)(reverse(route, args=args(world)), {"reason": "x", "note": "x"})

    assert response.status_code == ok


def test_platform_finance_confirms_and_approves_what_another_person_asked_for(client, world):
    _as(client, world, "platform_finance")

    client.post(reverse("finance:payee_change_confirm", args=[world["change"].pk]))
    client.post(reverse("finance:agreement_approve", args=[world["version"].pk]))

    assert _state(world) == ("confirmed", "approved")
    world["unit"].refresh_from_db()
    assert world["unit"].payout_bank_account == "6227000011112222"


def test_a_platform_finance_requester_cannot_confirm_or_approve_their_own(client, world):
    # given a payee change and a version asked for by a platform finance member
    asker = world["platform_finance"]
    entity_change = payees.payee_change_request(
        payee=payees.entity_payee(world["unit"]),
        data={"settlement_method": "stripe", "stripe_account_id": "acct_1Own"},
        actor=asker,
    )
    login_verified(client, asker)
    client.cookies["django_language"] = "en"

    # when they confirm it themselves, through the queue
    page = client.get(reverse("finance:approvals")).content.decode()
    response = client.post(reverse("finance:payee_change_confirm", args=[entity_change.pk]), follow=True)

    # then the page offered no button for it, and the attempt is refused with the reason
    row = page.split(f'id="payee-change-{entity_change.pk}">')[1].split("</tr>")[0]
    assert "You asked for this change" in row and "finance/approvals/payee" in row  # reject only
    assert f"/approvals/payee/{entity_change.pk}/confirm" not in row
    assert "You asked for this change yourself" in " ".join(
        str(m) for m in get_messages(response.wsgi_request)
    )
    assert PayeeChange.objects.get(pk=entity_change.pk).status == "pending"


UNIT_ROUTES = [
    # (route, method, kwargs, expected per role)
    (
        "unit_onboarding:payout",
        "get",
        lambda w: [w["unit"].uid],
        {"operator": 403, "other_unit_finance": 404, "requester": 200, "platform_finance": 200},
    ),
    (
        "unit_onboarding:payee_change_withdraw",
        "post",
        lambda w: [w["unit"].uid, w["change"].pk],
        {"operator": 403, "other_unit_finance": 404, "requester": 302, "platform_finance": 302},
    ),
    (
        "unit_onboarding:agreement_withdraw",
        "post",
        lambda w: [w["unit"].uid, w["version"].pk],
        {"operator": 403, "other_unit_finance": 404, "requester": 302, "platform_finance": 302},
    ),
]


@pytest.mark.parametrize(
    "who", ["anonymous", "operator", "other_unit_finance", "requester", "platform_finance"]
)
@pytest.mark.parametrize(("route", "method", "args", "expected"), UNIT_ROUTES)
def test_a_units_payout_and_withdraw_routes_answer_its_own_finance_and_platform_finance(
    client, world, who, route, method, args, expected
):
    _as(client, world, who)

    response = getattr(client, method)(reverse(route, args=args(world)))

    if who == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == expected[who], (route, who)
    withdrawn = response.status_code == 302 and who != "anonymous"
    change, version = _state(world)
    assert (change == "withdrawn") == (withdrawn and route.endswith("payee_change_withdraw"))
    assert (version == "withdrawn") == (withdrawn and route.endswith("agreement_withdraw"))


def test_another_units_finance_member_cannot_ask_for_this_units_account(client, world):
    _as(client, world, "other_unit_finance")

    response = client.post(
        reverse("unit_onboarding:payout", args=[world["unit"].uid]),
        {"which": "entity", "entity-settlement_method": "stripe", "entity-stripe_account_id": "acct_1Evil"},
    )

    assert response.status_code == 404
    assert not PayeeChange.objects.filter(party=world["unit"].operating_entity.party_key).exists()
