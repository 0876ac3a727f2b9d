"""Every back-office route, swept as each kind of visitor: who gets in, who is refused, who must verify first.

The route list is read from the URLconf, so a new route is swept without editing this test; a route that
nobody classified below fails `test_every_route_is_classified` until someone decides who may open it.

Visitors: anonymous; unit A's operator (no second factor, not required); unit A's finance member without
and with a verified second factor; unit B's operator and finance member (another unit's members); platform
staff (a superuser with a verified second factor).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from campaigns import services as campaign_services
from campaigns.models import BackerRefund, CampaignCancellation, CampaignRefund
from catalog import listings
from catalog.models import ListingImport
from catalog.provenance import collection_object_save
from orders.models import Order, ParcelRefund
from payments.funding.models import DiscountFundingVersion
from payments.funding.services import funding_propose
from payments.models import AccountingPeriod, StatementExport
from payments.settlement import services as settlement
from promotions.models import PlatformCampaign, UnitPromotion
from resources.calls import proposal_submit
from resources.designers import profile_save
from resources.licensing import licence_request_submit
from resources.services import publication_save, publication_set
from search.models import SearchSynonym
from tests.auth import login_verified
from tests.catalog import image_factories as make
from tests.catalog.factories import make_listing
from tests.orders.conftest import deliver, unit_with_agreement  # noqa: F401 (deliver is a fixture)
from tests.orders.payloads import two_unit_order
from tests.payments.settlement.conftest import pay
from tests.resources.helpers import plain_call
from tests.storages import temporary_storages
from tests.unit_onboarding.factories import (
    ApplicationFactory,
    DesignerFactory,
    UserFactory,
    licence_document,
    operator_of,
    platform_finance_user,
)
from unit_onboarding import payees
from unit_onboarding.agreements import ShareTerm, agreement_version_propose
from unit_onboarding.models import (
    AgreementVersion,
    Application,
    Invitation,
    PayeeChange,
    UnitMembership,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
A, F, OB, FB, S = "operator_a", "finance_a", "operator_b", "finance_b", "staff"
SIGNED_IN = {A, F, OB, FB, S}

# Views outside the back office: the shop, Saleor's and Stripe's calls, probes (SECOND_FACTOR_PUBLIC_VIEWS).
PUBLIC_PREFIXES = ("storefront:", "library:", "saleor_app:", "payments_gateway:", "shipping:saleor-webhook")
PUBLIC = {"healthz", "readyz", "favicon", "media"}  # media: public image derivatives the shop shows
# Sign-in, sign-out and the second factor's own pages, and links that carry a secret token: reachable
# before the second factor (tested in tests/unit_onboarding/test_memberships.py and test_second_factor.py).
SIGN_IN = {
    "unit_onboarding:signup",
    "unit_onboarding:signup_confirm",
    "unit_onboarding:login",
    "unit_onboarding:logout",
    "unit_onboarding:set_language",
    "unit_onboarding:two_factor_setup",
    "unit_onboarding:two_factor_verify",
    "unit_onboarding:invitation",
    "unit_onboarding:designer_claim",  # tested in tests/resources/test_designers.py
    "unit_onboarding:document_blob",
    "admin:login",
    "admin:logout",
    "office:saleor_dashboard",  # by the Saleor Dashboard's token: tests/office/test_saleor_dashboard.py
    "office:saleor_dashboard_session",
}
# Who may open each back-office route with unit A's objects (everyone else is refused: 403/404).
ALLOWED: dict[str, set[str]] = {
    "unit_onboarding:home": SIGNED_IN,
    "unit_onboarding:apply": SIGNED_IN,
    "unit_onboarding:security": SIGNED_IN,
    "unit_onboarding:password_change": SIGNED_IN,
    "unit_onboarding:recovery_codes": SIGNED_IN,
    "unit_onboarding:access_log": {S},
    "unit_onboarding:application": {A, S},  # unit A's operator is its applicant
    "unit_onboarding:document_upload": {A},
    "unit_onboarding:document": {A, S},
    "unit_onboarding:document_remove": {A},
    "unit_onboarding:review_queue": {S},
    "unit_onboarding:review": {S},
    "unit_onboarding:unit": {A, F, S},
    "unit_onboarding:profile": {A},
    "unit_onboarding:members": {A, S},
    "unit_onboarding:member_remove": {A, S},
    "unit_onboarding:member_grant_finance": {S},
    "unit_onboarding:invitation_revoke": {A, S},
    "unit_onboarding:invitation_endorse": {S},
    "unit_onboarding:agreement": {A, F, S},  # operators read it; only finance and reviewers change it
    "unit_onboarding:agreement_withdraw": {F, S},  # the unit's finance, reviewers, platform finance
    "unit_onboarding:payout": {F, S},
    "unit_onboarding:payee_change_withdraw": {F, S},  # the unit's finance, reviewers, platform finance
    "unit_onboarding:designers": {A, F, S},
    "unit_onboarding:designer": {F, S},
    "unit_onboarding:designer_claim_send": {F, S},  # POST only: whoever manages the unit's designers
    "unit_onboarding:provision_retry": {S},
    "catalog:home": SIGNED_IN,
    "catalog:review_queue": {S},
    "catalog:review": {S},
    "catalog:listings": {A},
    "catalog:listing_new": {A},
    "catalog:listings_import": {A},
    "catalog:listing_import": {A},
    "catalog:listing_import_progress": {A},
    "catalog:listing_import_retry": {A},
    "catalog:listing_import_sync_progress": {A},
    "catalog:objects": {A},
    "catalog:object": {A},
    "catalog:licences": {A, F, S},
    "catalog:royalties": {A, F, S},
    "catalog:listing": {A},
    "catalog:listing_edit": {A},
    "catalog:listing_image_upload": {A},
    "catalog:listing_image_remove": {A},
    "catalog:listing_submit": {A},
    "catalog:listing_publish": {A},
    "catalog:listing_archive": {A},
    "catalog:listing_divergence": {A},
    "catalog:listing_royalty": {A, F, S},
    # crowdfunding campaigns: the unit's operators, as listings; the review is the curators' (staff here)
    "campaigns:review_queue": {S},
    "campaigns:review": {S},
    "campaigns:unit_campaigns": {A},
    "campaigns:campaign_new": {A},
    "campaigns:campaign": {A},
    "campaigns:campaign_submit": {A},
    "campaigns:campaign_update_post": {A},
    # a funded campaign's cancellation: asked by its operators, confirmed by unit finance or platform finance
    # (tests/campaigns/test_cancellation.py); the list shows each person only what they may decide
    "campaigns:campaign_cancel_request": {A},
    "campaigns:cancellations": SIGNED_IN,
    "campaigns:cancellation": {A, F, S},
    "campaigns:backer_refund_decide": {A},
    "campaigns:finance_refunds": {S},
    "campaigns:finance_refund_retry": {S},
    # units' promotions: operators propose, the unit's finance decides (POST only; the service checks who)
    "promotions:unit_promotions": {A, F},
    "promotions:promotion_new": {A},
    "promotions:promotion_decide": {A, F},
    # platform campaigns: platform finance proposes, another member approves (service); units' members see
    # the campaigns, its operators opt their own products in (POST, service checks who)
    "promotions:unit_campaigns": {A, F},
    "promotions:campaign_list": {S},
    "promotions:campaign_page": {S},
    "promotions:campaign_decide": {S},
    "promotions:campaign_funding": {S},
    "orders:list": {A, F, S},
    "orders:detail": {A, F, S},
    "orders:fulfil": {A},
    # Shipping work, the unit's operators only (the slip shows the buyer's address; bulk ship fulfils).
    "orders:ship": {A},
    "orders:packing_slip": {A},
    "orders:refund_request": {A, F},  # the unit's members ask; a finance member other than the asker decides
    "orders:refunds": {A, F, S},
    "orders:refund_decide": {A, F, S},  # POST only: who may decide which refund is the service's (tested)
    "finance:home": {F, FB, S},
    "finance:chart_revenue": {F, FB, S},
    "finance:chart_shares": {F, FB, S},
    "finance:statement": {F, S},
    "finance:statement_export": {F, S},
    # a statement's export built by the worker: whoever may see the party's statement, never another unit
    "finance:statement_export_request": {F, S},  # POST only
    "finance:statement_export_job": {F, S},
    "finance:statement_export_progress": {F, S},
    "finance:statement_export_download": {F, S},
    "finance:statement_export_retry": {F, S},  # POST only
    "finance:batches": {S},
    "finance:batches_run": {S},
    "finance:batch": {S},
    "finance:batch_approve": {S},
    "finance:batch_execute": {S},
    "finance:batch_progress": {S},
    "finance:batch_paid": {S},
    "finance:batch_reject": {S},
    "finance:bank_file": {S},
    "finance:periods": {S},
    "finance:period_open": {S},
    "finance:period": {S},
    "finance:period_explain": {S},
    "finance:period_close": {S},
    "finance:stats": {S},
    "finance:stats_export": {S},
    "finance:audit": {S},
    # Platform finance confirms payee changes and approves agreement versions; never a unit's finance member
    # (not even the one who asked: unit A's finance member proposed both in the world below).
    "finance:approvals": {S},
    "finance:payee_change_confirm": {S},
    "finance:payee_change_reject": {S},
    "finance:agreement_approve": {S},
    "finance:agreement_reject": {S},
    # Who funds a discount is a money term of the platform's: its finance proposes and approves (four eyes).
    "finance:discount_funding": {S},
    "finance:discount_funding_propose": {S},
    "finance:discount_funding_approve": {S},
    "finance:discount_funding_reject": {S},
    "finance_api:graphql": SIGNED_IN,  # every resolver scopes by role
    "search:platform_synonyms": {S},  # curators (platform staff)
    "search:unit_synonyms": {A},  # the unit's operators, who edit its products
    "search:synonym_delete": {A},  # unit A's synonym in the world below
    # The public library's back office: the unit's operators choose and describe what the public sees.
    "resources:objects": {A},
    "resources:object": {A},
    "resources:object_publish": {A},
    "resources:object_image": {A},
    # Licence requests addressed to unit A: its operators and finance members answer them (staff: 404).
    "resources:licence_requests": {A, F},
    "resources:licence_request": {A, F},
    # The designer's own pages: anyone signed in has one (empty until they make a profile and ask).
    "resources:me": SIGNED_IN,
    "resources:me_profile": SIGNED_IN,
    "resources:me_portfolio": SIGNED_IN,  # POST only
    "resources:licence_request_new": SIGNED_IN,  # unit A's object is licensable in the world below
    "resources:me_request_withdraw": set(),  # the request is another designer's: 404 to every visitor
    # Design calls: the unit's operators run them; its finance members read them and confirm the winner.
    "resources:calls": {A, F},
    "resources:call_new": {A},
    "resources:call": {A, F},
    "resources:call_edit": {A},
    "resources:call_shortlist": {A},  # POST only
    "resources:call_select": {A},  # POST only
    "resources:call_decide": {F},  # POST only: the unit's finance confirms or rejects the selected winner
    "resources:call_withdraw": {A},  # POST only: the unit's operators withdraw an open call (with a reason)
    "resources:proposal_new": SIGNED_IN,  # unit A's call is open in the world below
    "resources:me_calls": SIGNED_IN,
    "resources:me_statement": SIGNED_IN,
    "resources:me_proposal": set(),  # the proposal is another designer's: 404 to every visitor
    "resources:me_proposal_withdraw": set(),  # POST only; another designer's proposal: 404 to every visitor
    # The unit's own prices: its operators and finance members (another unit's members and staff: 404).
    "shipping:unit_rates": {A, F},
    # The back office: home for anyone signed in (redirects), a unit's dashboard for its members only.
    "office:home": SIGNED_IN,
    "office:dashboard": {A, F},
}
ADMIN = {S}  # every admin: route (Django's admin, for staff)


def all_routes() -> list[tuple[str, URLPattern, str]]:
    """(qualified name, pattern, route text) of every URL pattern, walked from the root URLconf."""
    found = []

    def walk(resolver: URLResolver, prefix: str, namespaces: tuple[str, ...]) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                spaces = (*namespaces, entry.namespace) if entry.namespace else namespaces
                walk(entry, prefix + str(entry.pattern), spaces)
            else:
                found.append((":".join((*namespaces, entry.name or "")), entry, prefix + str(entry.pattern)))

    walk(get_resolver(), "", ())
    return found


def is_public(name: str) -> bool:
    return name in PUBLIC or name.startswith(PUBLIC_PREFIXES)


def back_office_routes() -> list[tuple[str, URLPattern, str]]:
    return [r for r in all_routes() if not is_public(r[0]) and r[0] not in SIGN_IN]


def allowed(name: str) -> set[str]:
    return ADMIN if name.startswith("admin:") else ALLOWED[name]


def test_every_route_is_classified():
    """A new route fails here until it is public, a sign-in page, or has its visitors listed in ALLOWED."""
    names = {name for name, _p, _r in all_routes()}
    unclassified = {
        n for n in names if not (is_public(n) or n in SIGN_IN or n in ALLOWED or n.startswith("admin:"))
    }
    assert not unclassified, f"classify these routes in tests/test_route_sweep.py: {sorted(unclassified)}"
    assert not set(ALLOWED) - names, "ALLOWED names routes that are gone"
    assert len(back_office_routes()) > 80  # the sweep below really covers the back office


@pytest.fixture(autouse=True)
def _storages(settings, tmp_path):
    temporary_storages(settings, tmp_path)


# when everything in the world below was asked for or proposed, and the time the sweep runs at
ASKED = datetime(2026, 12, 15, 4, tzinfo=UTC)


@pytest.fixture
def world(time_machine, deliver):  # noqa: F811 (the imported fixture)
    """Units A and B with one of everything a back-office route can name, and the visitors."""
    time_machine.move_to(ASKED, tick=False)
    unit_a, unit_b = unit_with_agreement(1), unit_with_agreement(2)
    people = {
        A: operator_of(unit_a),
        F: operator_of(unit_a, role=UnitMembership.Role.FINANCE),
        OB: operator_of(unit_b),
        FB: operator_of(unit_b, role=UnitMembership.Role.FINANCE),
        S: UserFactory(is_staff=True, is_superuser=True),
    }
    application = ApplicationFactory(
        unit=unit_a, applicant=people[A], status=Application.Status.CHANGES_REQUESTED
    )
    document = licence_document(application, original_name="licence.pdf", content=PDF)
    invitation = Invitation.objects.create(
        unit=unit_a,
        email="new.operator@museum.example.cn",
        role="operator",
        invited_by=people[A],
        nonce="sweep",
        created_at=datetime(2026, 12, 15, tzinfo=UTC),
        expires_at=datetime(2026, 12, 22, tzinfo=UTC),
    )
    designer = DesignerFactory(unit=unit_a, slug="sweep-designer")
    listing = make_listing(unit_a, people[A], images=1)
    listing_import = ListingImport.objects.create(unit=unit_a, created_by=people[A], data=b"handle\n")
    statement_export = StatementExport.objects.create(
        party=unit_a.operating_entity.party_key,
        currency="CNY",
        period_start=date(2026, 11, 1),
        period_end=date(2026, 12, 1),
        fmt="csv",
        requested_by=people[F],
        requested_at=datetime(2026, 12, 15, 4, tzinfo=UTC),
        state=StatementExport.State.DONE,
        filename="statement.csv",
    )
    statement_export.file.save("sweep/statement.csv", ContentFile(b"\xef\xbb\xbfa\n"), save=True)
    campaign = campaign_services.campaign_save(
        unit=unit_a,
        actor=people[A],
        listing=listing,
        title_zh="众筹",
        goal_kind="backers",
        goal_amount=None,
        goal_backers=50,
        starts_at=datetime(2026, 12, 20, tzinfo=UTC),
        ends_at=datetime(2027, 1, 20, tzinfo=UTC),
        estimated_delivery=date(2027, 3, 1),
        tiers=[(listing.variants.first().pk, 10)],
    )
    listings.listing_submit(listing=listing, actor=people[A])
    obj = collection_object_save(unit=unit_a, data={"title_zh": "青铜镜", "accession_number": "A-001"})
    publication_save(obj=obj, data={"category": "bronze", "licensable": True})
    publication_set(obj=obj, published=True, actor=people[A])
    designer_account = UserFactory()
    profile_save(user=designer_account, data={"display_name_zh": "设计师", "kind": "individual"})
    licence_request = licence_request_submit(
        obj=obj,
        user=designer_account,
        data={
            "product": "书签",
            "channels": "本平台",
            "quantity": 500,
            "royalty_bps": 800,
            "term_from": date(2027, 1, 1),
            "term_until": date(2027, 12, 31),
            "note": "",
        },
    )
    call = plain_call(unit_a, people[A], obj, "征集")
    jpeg = make.encoded(make.quadrants(320, 240), "JPEG")
    proposal = proposal_submit(
        call=call,
        user=designer_account,
        title="书签",
        description="设计",
        uploads=[SimpleUploadedFile("d.jpg", jpeg, content_type="image/jpeg")],
    )
    deliver("order_created", two_unit_order([unit_a, unit_b]).payload())
    pay("sweep-1", unit_a.operating_entity.party_key, 10_000, datetime(2026, 11, 3, 12, tzinfo=UTC))
    batch = settlement.settlement_run(
        period_start=date(2026, 11, 1), period_end=date(2026, 12, 1), actor=people[S]
    )[0]
    # unit A's finance member asks for a new payout account and proposes a new agreement version
    payee_change = payees.payee_change_request(
        payee=payees.unit_payee(unit_a),
        data={"account_name": "某某博物馆", "bank_name": "中国建设银行", "bank_account": "6227000011112222"},
        actor=people[F],
    )
    agreement_version = agreement_version_propose(
        unit=unit_a,
        effective_from=datetime(2027, 1, 1, tzinfo=UTC),
        shares=[ShareTerm(unit_a.party_key, "unit", 9000), ShareTerm("platform", "platform", 1000)],
        actor=people[F],
    )
    # a member of platform finance proposes that the platform funds a festival voucher
    funding_version = funding_propose(key="FESTIVAL", funder="platform", actor=platform_finance_user())
    synonym = SearchSynonym.objects.create(unit=unit_a, terms=["铜镜", "青铜镜"], created_by=people[A])
    period = AccountingPeriod.objects.create(
        start=datetime(2026, 10, 31, 16, tzinfo=UTC), end=datetime(2026, 11, 30, 16, tzinfo=UTC)
    )
    order = Order.objects.get(saleor_id="order-1")
    parcel_refund = ParcelRefund.objects.create(
        order=order,
        unit=unit_a,
        lines=[[order.lines.get(unit=unit_a).pk, 1]],
        amount=2200,
        currency="CNY",
        reason="破损",
        order_seen_at=order.saleor_updated_at,
        requested_by=people[A],
        requested_at=ASKED,
    )
    promotion = UnitPromotion.objects.create(
        unit=unit_a,
        kind="sale",
        name="促销",
        reward="percentage",
        value=10,
        budget_fen=10_000,
        starts_at=datetime(2026, 12, 20, tzinfo=UTC),
        ends_at=datetime(2027, 1, 20, tzinfo=UTC),
        proposed_by=people[A],
        proposed_at=ASKED,
    )
    platform_campaign = PlatformCampaign.objects.create(
        name="双十一",
        reward="percentage",
        value=10,
        funder="split",
        platform_bps=5000,
        starts_at=datetime(2026, 12, 20, tzinfo=UTC),
        ends_at=datetime(2027, 1, 20, tzinfo=UTC),
        proposed_by=platform_finance_user(),
        proposed_at=ASKED,
    )
    # a campaign's cancellation asked by unit A's operator, a backer's refund request, a parked refund
    cancellation = CampaignCancellation.objects.create(
        campaign=campaign,
        reason="停产",
        campaign_seen="draft:0",
        requested_by=people[A],
        requested_at=ASKED,
    )
    backed = {"campaign": campaign, "order_ref": "order-1", "amount": 1000, "currency": "CNY"}
    backer_refund = BackerRefund.objects.create(**backed, requested_at=ASKED)
    campaign_refund = CampaignRefund.objects.create(**backed, created_at=ASKED)
    objects = {
        "unit": unit_a,
        "cancellation": cancellation,
        "backer_refund": backer_refund,
        "campaign_refund": campaign_refund,
        "promotion": promotion,
        "platform_campaign": platform_campaign,
        "application": application,
        "document": document,
        "invitation": invitation,
        "operator_membership": UnitMembership.objects.get(user=people[A], unit=unit_a),
        "designer": designer,
        "listing": listing,
        "listing_import": listing_import,
        "statement_export": statement_export,
        "campaign": campaign,
        "image": listing.images.get(),
        "object": obj,
        "order": order,
        "parcel_refund": parcel_refund,
        "party": unit_a.operating_entity.party_key,
        "batch": batch,
        "period": period,
        "payee_change": payee_change,
        "agreement_version": agreement_version,
        "funding_version": funding_version,
        "synonym": synonym,
        "licence_request": licence_request,
        "call": call,
        "proposal": proposal,
    }
    return people, objects


# Which object a route's <pk> names, by a fragment of the route (else the application).
PK_BY_ROUTE = (
    ("campaigns/cancellations/", "cancellation"),
    ("/backer-refunds/", "backer_refund"),
    ("campaigns/finance/refunds/", "campaign_refund"),
    ("calls/", "call"),
    ("me/proposals/", "proposal"),
    ("finance/discounts/", "funding_version"),
    ("licence-requests/", "licence_request"),
    ("me/requests/", "licence_request"),
    ("/payee-changes/", "payee_change"),
    ("approvals/payee/", "payee_change"),
    ("/agreement/versions/", "agreement_version"),
    ("approvals/agreement/", "agreement_version"),
    ("onboarding/documents/", "document"),
    ("/members/", "operator_membership"),
    ("/invitations/", "invitation"),
    ("/objects/", "object"),
    ("/images/", "image"),
    ("orders/", "order"),
    ("finance/batches/", "batch"),
    ("finance/periods/", "period"),
    ("synonyms/", "synonym"),
)


def url_of(name: str, route: str, pattern: URLPattern, objects: dict, staff) -> str:
    """The route's URL with unit A's objects as arguments."""
    if name == "admin:":  # the admin's unnamed catch-all view
        return reverse("admin:index") + "no-such-page/"
    names = set(pattern.pattern.regex.groupindex)  # path converters and regex groups alike
    kwargs = {}
    for arg in names:
        if name.startswith("admin:"):
            kwargs[arg] = {"app_label": "auth", "object_id": str(staff.pk), "content_type_id": "1"}.get(
                arg, "x"
            )
        elif arg == "uid":
            listing_scoped = route.startswith(("catalog/listings/", "catalog/review/"))
            kwargs[arg] = objects["listing"].uid if listing_scoped else objects["unit"].uid
        elif arg == "campaign":
            kwargs[arg] = objects["campaign"].uid
        elif arg == "job":
            kwargs[arg] = objects["listing_import"].uid
        elif arg == "export":
            kwargs[arg] = objects["statement_export"].uid
        elif arg == "promotion":
            kwargs[arg] = objects["promotion"].uid
        elif arg == "platform_campaign":
            kwargs[arg] = objects["platform_campaign"].uid
        elif arg == "slug":
            kwargs[arg] = objects["designer"].slug
        elif arg == "party":
            kwargs[arg] = objects["party"]
        elif arg == "refund_id":
            kwargs[arg] = objects["parcel_refund"].pk
        elif arg == "decision":
            kwargs[arg] = "refuse"
        elif arg == "fmt":
            kwargs[arg] = "csv"
        elif arg == "pk":
            key = next((obj for fragment, obj in PK_BY_ROUTE if fragment in route), "application")
            kwargs[arg] = objects[key].pk
        else:
            raise AssertionError(f"no object for <{arg}> of {name} ({route}): extend url_of")
    return reverse(name, kwargs=kwargs)


def _location(response) -> str:
    return response.get("Location", "")


def _to_login(response, name: str) -> bool:
    login = reverse("admin:login") if name.startswith("admin:") else reverse("unit_onboarding:login")
    return response.status_code == 302 and _location(response).startswith(login)


def _to_second_factor(response) -> bool:
    return response.status_code == 302 and _location(response).startswith(
        (reverse("unit_onboarding:two_factor_setup"), reverse("unit_onboarding:two_factor_verify"))
    )


def _refused(get, post, name: str) -> bool:
    """Refused whatever the method: 403/404 (or 405 for the method the route does not take, but not both);
    the admin answers non-staff by sending them to its login."""
    if name.startswith("admin:") and _to_login(get, name):
        return True
    statuses = (get.status_code, post.status_code)
    return set(statuses) <= {403, 404, 405} and statuses != (405, 405)


# what `_money_requests` reads while nobody has decided anything
UNDECIDED = ("pending", "proposed", "proposed", "requested", "proposed", "proposed")


def _money_requests(objects) -> tuple[str, str, str, str, str, str]:
    """The state of unit A's payee change and agreement version (both asked for by its finance member), of
    the platform's discount funding proposal, of unit A's parcel refund and of its promotion (both asked for
    by its operator), and of the platform campaign (proposed by a member of platform finance)."""
    return (
        PayeeChange.objects.get(pk=objects["payee_change"].pk).status,
        AgreementVersion.objects.get(pk=objects["agreement_version"].pk).status,
        DiscountFundingVersion.objects.get(pk=objects["funding_version"].pk).status,
        ParcelRefund.objects.get(pk=objects["parcel_refund"].pk).status,
        UnitPromotion.objects.get(pk=objects["promotion"].pk).status,
        PlatformCampaign.objects.get(pk=objects["platform_campaign"].pk).status,
    )


def _sweep(client, objects, staff, visit) -> list[str]:
    problems = []
    for name, pattern, route in back_office_routes():
        url = url_of(name, route, pattern, objects, staff)
        problem = visit(name, url)
        if problem:
            problems.append(f"{name} {url}: {problem}")
    return problems


def test_anonymous_visitors_are_sent_to_log_in_everywhere(client, world):
    people, objects = world

    def visit(name, url):
        get, post = client.get(url), client.post(url)
        if not (_to_login(get, name) and _to_login(post, name)):
            return f"GET {get.status_code} {_location(get)} / POST {post.status_code} {_location(post)}"
        return None

    problems = _sweep(client, objects, people[S], visit)
    assert not problems, "\n".join(problems)


def test_unit_finance_without_a_second_factor_is_sent_to_set_one_up_on_every_route(client, world):
    """Refused before any view runs (GET and POST), and nothing changed behind the redirect."""
    people, objects = world
    client.force_login(people[F])
    memberships_before = sorted(UnitMembership.objects.values_list("user_id", "unit_id", "role"))

    def visit(name, url):
        get, post = client.get(url), client.post(url, {"payout_bank_name": "evil bank", "role": "finance"})
        if not (_to_second_factor(get) and _to_second_factor(post)):
            return f"GET {get.status_code} {_location(get)} / POST {post.status_code} {_location(post)}"
        return None

    problems = _sweep(client, objects, people[S], visit)
    assert not problems, "\n".join(problems)
    assert sorted(UnitMembership.objects.values_list("user_id", "unit_id", "role")) == memberships_before
    assert objects["unit"].__class__.objects.get(pk=objects["unit"].pk).payout_bank_name != "evil bank"
    assert _money_requests(objects) == UNDECIDED


@pytest.mark.parametrize("who", [A, F, OB, FB, S])
def test_each_visitor_gets_exactly_the_routes_their_role_allows(client, world, who):
    """Allowed: the page answers (GET; 405 for POST-only routes, which are not posted to here). Refused:
    403/404 on both GET and POST. Never sent to the second factor: operators are not forced, the others
    are verified; never sent to log in."""
    people, objects = world
    if who == A:
        client.force_login(people[A])  # an operator without a money role: no second factor needed
    else:
        login_verified(client, people[who])
    members_of_a = sorted(UnitMembership.objects.filter(unit=objects["unit"]).values_list("user_id", "role"))

    def visit(name, url):
        get = client.get(url)
        if _to_second_factor(get):
            return "sent to the second factor"
        if who in allowed(name):
            if _to_login(get, name):
                return "sent to log in"
            # The admin's own answers past sign-in (read-only models: 403; arbitrary ids: 404) are its own.
            if get.status_code in (403, 404) and not name.startswith("admin:"):
                return f"refused ({get.status_code})"
            return None
        post = client.post(url, {"email": "x@evil.example", "role": "finance", "to_status": "approved"})
        if not _refused(get, post, name):
            return f"not refused: GET {get.status_code} / POST {post.status_code}"
        return None

    problems = _sweep(client, objects, people[S], visit)
    assert not problems, "\n".join(problems)
    if who != S:  # nobody but the platform changed who is in unit A (staff were only sent GETs anyway)
        after = sorted(UnitMembership.objects.filter(unit=objects["unit"]).values_list("user_id", "role"))
        assert after == members_of_a
    assert not Invitation.objects.filter(email="x@evil.example").exists()
    # nobody confirmed, approved or withdrew
    assert _money_requests(objects) == UNDECIDED
    # nor withdrew unit A's design call or the designer's proposal
    assert objects["call"].__class__.objects.get(pk=objects["call"].pk).status == "open"
    assert objects["proposal"].__class__.objects.get(pk=objects["proposal"].pk).status == "submitted"


def test_an_operator_who_set_up_a_second_factor_must_verify_it(client, world):
    """Enrolling is optional for operators; once enrolled, a session without the code is refused."""
    from tests.auth import verified_device

    people, objects = world
    verified_device(people[A])
    client.force_login(people[A])

    listing_page = client.get(reverse("catalog:listings", args=[objects["unit"].uid]))

    assert _to_second_factor(listing_page)
    assert listing_page["Location"].startswith(reverse("unit_onboarding:two_factor_verify"))
