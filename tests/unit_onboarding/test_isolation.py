"""Isolation: an operator of unit A gets 403/404 on every route of this app that names unit B's objects.

The routes are read from the URL resolver, so a new route is swept without editing this test; a new
route without object arguments must be added to OWN_SCOPE (after checking it shows only the user's own data).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone

from tests.auth import login_verified
from tests.isolation import assert_refused
from unit_onboarding import payees
from unit_onboarding import urls as onboarding_urls
from unit_onboarding.agreements import ShareTerm, agreement_version_propose
from unit_onboarding.documents import document_link
from unit_onboarding.models import (
    AgreementVersion,
    Application,
    Designer,
    DesignerClaim,
    Document,
    Invitation,
    PayeeChange,
    Unit,
    UnitMembership,
)

from .factories import (
    ApplicationFactory,
    DesignerFactory,
    OperatingEntityFactory,
    UserFactory,
    licence_document,
    reviewer,
)
from .files import PDF

pytestmark = pytest.mark.django_db

# Routes without object arguments: each shows or acts on the signed-in user's own things only.
OWN_SCOPE = {
    "home",
    "signup",
    "login",
    "logout",
    "set_language",
    "apply",
    "review_queue",
    "security",
    "two_factor_setup",
    "two_factor_verify",
    "recovery_codes",
    "password_change",
    "access_log",
}
# Routes whose argument is a secret token rather than an object id.
TOKEN_ROUTES = {"signup_confirm", "invitation", "document_blob", "designer_claim"}
# Token routes naming no object of a unit (a sign-up link; an invitation or a designer claim names itself,
# and only the invited address's account may answer: tests/resources/test_designers.py): not swept here.
UNSCOPED_TOKEN_ROUTES = {"signup_confirm", "invitation", "designer_claim"}


def patterns() -> list[URLPattern]:
    return [p for p in onboarding_urls.urlpatterns if isinstance(p, URLPattern)]


def make_unit_world(name: str) -> dict:
    unit = OperatingEntityFactory(unit__status=Unit.Status.ACTIVE, unit__display_name=name).unit
    application = ApplicationFactory(unit=unit, status=Application.Status.CHANGES_REQUESTED)
    pdf_name = f"{name}.pdf"
    document = licence_document(application, original_name=pdf_name, content=PDF, file_name=pdf_name)
    version = agreement_version_propose(
        unit=unit,
        effective_from=timezone.now() + timedelta(days=1),
        shares=[ShareTerm(unit.party_key, "unit", 9000), ShareTerm("platform", "platform", 1000)],
        actor=application.applicant,
    )
    UnitMembership.objects.create(user=application.applicant, unit=unit, role="operator")
    finance = UserFactory()
    UnitMembership.objects.create(user=finance, unit=unit, role="finance")
    invitation = Invitation.objects.create(
        unit=unit,
        email=f"invitee@{name}.example.cn",
        role="operator",
        invited_by=application.applicant,
        nonce="n",
        created_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=7),
    )
    designer = DesignerFactory(unit=unit, slug=f"{name}-designer")
    unit.payout_account_name, unit.payout_bank_name, unit.payout_bank_account = (
        name,
        "中国银行",
        "6217000099990000",
    )
    unit.save()
    change = payees.payee_change_request(
        payee=payees.entity_payee(unit),
        data={
            "settlement_method": "bank",
            "bank_name": "中国银行",
            "bank_account": f"62170000{len(name)}1234",
        },
        actor=finance,
    )
    return {
        "unit": unit,
        "application": application,
        "document": document,
        "version": version,
        "finance": finance,
        "designer": designer,
        "payee_change": change,
        "invitation": invitation,
        "operator_membership": UnitMembership.objects.get(user=application.applicant, unit=unit),
    }


def route_kwargs(pattern: URLPattern, world: dict, viewer_id: int) -> dict:
    route = str(pattern.pattern)
    names = set(pattern.pattern.converters)
    kwargs = {}
    if "uid" in names:
        kwargs["uid"] = world["unit"].uid
    if "slug" in names:
        kwargs["slug"] = world["designer"].slug
    if "pk" in names:
        if route.startswith("documents/"):
            kwargs["pk"] = world["document"].pk
        elif "/members/" in route:
            kwargs["pk"] = world["operator_membership"].pk
        elif "/invitations/" in route:
            kwargs["pk"] = world["invitation"].pk
        elif pattern.name == "payee_change_withdraw":
            kwargs["pk"] = world["payee_change"].pk
        elif pattern.name == "agreement_withdraw":
            kwargs["pk"] = world["version"].pk
        else:
            kwargs["pk"] = world["application"].pk
    if pattern.name == "document_blob":
        # A link the owner was given, replayed by someone else.
        kwargs["token"] = document_link(world["document"], world["application"].applicant_id).rsplit("/", 2)[
            -2
        ]
    assert set(kwargs) == names or pattern.name in UNSCOPED_TOKEN_ROUTES, (
        f"no object for {route}: extend route_kwargs"
    )
    return kwargs


def snapshot(world: dict) -> tuple:
    unit = Unit.objects.get(pk=world["unit"].pk)
    return (
        Application.objects.get(pk=world["application"].pk).status,
        Document.objects.filter(application=world["application"]).count(),
        sorted(AgreementVersion.objects.filter(agreement__unit=unit).values_list("pk", "status")),
        sorted(UnitMembership.objects.filter(unit=unit).values_list("user_id", "role")),
        sorted(Invitation.objects.filter(unit=unit).values_list("email", "role", "status")),
        unit.provisioning,
        unit.display_name,
        unit.legal_name_zh,
        (unit.payout_account_name, unit.payout_bank_name, unit.payout_bank_account),
        sorted(
            (d.slug, d.name_zh, d.bank_name, d.bank_account, d.stripe_account_id)
            for d in Designer.objects.filter(unit=unit)
        ),
        sorted(PayeeChange.objects.filter(unit=unit).values_list("pk", "status")),
        sorted(DesignerClaim.objects.filter(designer__unit=unit).values_list("email", "status")),
        sorted(Designer.objects.filter(unit=unit).values_list("slug", "account_id")),
    )


@pytest.fixture
def worlds():
    return make_unit_world("unit-a"), make_unit_world("unit-b")


def test_every_route_is_either_own_scope_token_or_object_scoped():
    names = {p.name for p in patterns()}
    without_args = {p.name for p in patterns() if not p.pattern.converters}

    assert without_args == OWN_SCOPE
    assert names >= TOKEN_ROUTES


HOSTILE_POST = {
    "to_status": "approved",
    "display_name": "hijacked",
    "email": "x@evil.example",
    "role": "operator",
    "legal_name_zh": "hijacked",
    "save": "1",
    "kind": "other",
    "slug": "hijacked",
    "name_zh": "hijacked",
    "settlement_method": "bank",
    "bank_name": "evil bank",
    "bank_account": "6666666666666666",
    "payout_account_name": "hijacked",
    "payout_bank_name": "evil bank",
    "payout_bank_account": "6666666666666666",
}


@pytest.mark.parametrize("who", ["application", "finance"])
def test_a_member_of_unit_a_gets_403_or_404_on_every_route_of_unit_b(client, worlds, who):
    """Swept as unit A's operator and as its finance staff (who manage money terms in their own unit)."""
    world_a, world_b = worlds
    operator_a = world_a["application"].applicant if who == "application" else world_a["finance"]
    login_verified(client, operator_a)
    before = snapshot(world_b)
    swept = []

    for pattern in patterns():
        if pattern.name in OWN_SCOPE or pattern.name in UNSCOPED_TOKEN_ROUTES:
            continue
        path = reverse(
            f"unit_onboarding:{pattern.name}", kwargs=route_kwargs(pattern, world_b, operator_a.pk)
        )
        assert_refused(client, path, HOSTILE_POST)
        swept.append(pattern.name)

    assert snapshot(world_b) == before
    assert len(swept) == len(patterns()) - len(OWN_SCOPE) - len(UNSCOPED_TOKEN_ROUTES)
    assert not UnitMembership.objects.filter(unit=world_b["unit"], user__email="x@evil.example").exists()
    assert not Designer.objects.filter(slug="hijacked").exists()


def test_unit_a_finance_manages_its_own_designers_and_only_those(client, worlds):
    """The control of the sweep for the new money routes: unit A's finance staff get them for unit A."""
    world_a, world_b = worlds
    login_verified(client, world_a["finance"])

    own = client.get(
        reverse("unit_onboarding:designer", args=[world_a["unit"].uid, world_a["designer"].slug])
    )
    crossed = client.get(  # unit A's page, unit B's designer: no such designer in unit A
        reverse("unit_onboarding:designer", args=[world_a["unit"].uid, world_b["designer"].slug])
    )

    assert own.status_code == 200
    assert crossed.status_code == 404


def test_unit_a_finance_sets_its_own_units_payout_details_and_no_other(client, worlds):
    """The control of the sweep for the unit's payout page: open to unit A's finance for unit A only."""
    world_a, world_b = worlds
    login_verified(client, world_a["finance"])

    own = client.get(reverse("unit_onboarding:payout", args=[world_a["unit"].uid]))
    other = client.post(
        reverse("unit_onboarding:payout", args=[world_b["unit"].uid]),
        {"payout_account_name": "x", "payout_bank_name": "evil bank", "payout_bank_account": "6666"},
    )

    assert own.status_code == 200
    assert other.status_code == 404
    assert Unit.objects.get(pk=world_b["unit"].pk).payout_bank_name != "evil bank"


def test_the_same_routes_work_for_unit_a_itself(client, worlds):
    """The sweep's control: with unit A's own objects, the GET routes answer (so 404s above are isolation)."""
    world_a, _ = worlds
    operator_a = world_a["application"].applicant
    client.force_login(operator_a)

    for pattern in patterns():
        # reviewers' pages, a designer's and the unit's payout pages (finance: see the tests above)
        if pattern.name in OWN_SCOPE or pattern.name in {
            *UNSCOPED_TOKEN_ROUTES,
            "review",
            "provision_retry",
            "designer",
            "payout",
            "payee_change_withdraw",
            "agreement_withdraw",
        }:
            continue
        path = reverse(
            f"unit_onboarding:{pattern.name}", kwargs=route_kwargs(pattern, world_a, operator_a.pk)
        )
        status = client.get(path).status_code
        assert status in {200, 302, 405}, (path, status)


def test_own_scope_pages_show_nothing_of_other_units(client, worlds):
    world_a, world_b = worlds
    client.force_login(world_a["application"].applicant)

    pages = "".join(
        client.get(reverse(f"unit_onboarding:{name}")).content.decode() for name in ("home", "apply")
    )

    assert "unit-a" in pages or str(world_a["unit"]) in pages
    assert str(world_b["unit"]) not in pages
    assert client.get(reverse("unit_onboarding:review_queue")).status_code == 403


def test_a_platform_reviewer_sees_every_unit(client, worlds):
    _, world_b = worlds
    login_verified(client, reviewer())

    for name in ("unit", "agreement", "members"):
        assert client.get(reverse(f"unit_onboarding:{name}", args=[world_b["unit"].uid])).status_code == 200
    assert client.get(reverse("unit_onboarding:review", args=[world_b["application"].pk])).status_code == 200
    assert client.get(reverse("unit_onboarding:document", args=[world_b["document"].pk])).status_code == 302


def test_anonymous_visitors_are_sent_to_log_in(client, worlds):
    _, world_b = worlds

    response = client.get(reverse("unit_onboarding:unit", args=[world_b["unit"].uid]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("unit_onboarding:login"))
