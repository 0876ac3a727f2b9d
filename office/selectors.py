"""The back office's reads: the unit dashboard's figures (each a fixed number of queries, whatever the
number of orders or listings) and the navigation of its pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, IntegerField, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import IpLicence, Listing, ListingVariant
from catalog.permissions import CURATOR_PERMISSION
from core import clock
from core.finance import is_platform_finance
from orders.models import Order, OrderLine
from unit_onboarding.models import Unit, UnitMembership
from unit_onboarding.permissions import is_reviewer

# Orders that count as sales (paid or payable, not drafts, not cancelled or expired).
NOT_SALES = ("DRAFT", "UNCONFIRMED", "CANCELED", "EXPIRED")
WAITING_TO_SHIP = ("UNFULFILLED", "PARTIALLY_FULFILLED")
LOW_STOCK = 5
LICENCE_DAYS = 30
SHOWN = 20


@dataclass(frozen=True)
class Sales:
    currency: str
    today: int  # minor units, gross of this unit's lines
    week: int
    month: int


def sales(unit: Unit, today: date | None = None) -> list[Sales]:
    """This unit's line totals (net + tax) of orders placed today, in the last 7 and 30 local days."""
    today = today or clock.today()
    since = {n: clock.day_start(today - timedelta(days=n - 1)) for n in (1, 7, 30)}
    gross = F("total_net") + F("total_tax")

    def window(n: int) -> Coalesce:
        return Coalesce(
            Sum(gross, filter=Q(order__created_in_saleor__gte=since[n]), output_field=IntegerField()), 0
        )

    rows = (
        OrderLine.objects.filter(unit=unit, order__created_in_saleor__gte=since[30])
        .exclude(order__status__in=NOT_SALES)
        .values("order__currency")
        .annotate(today=window(1), week=window(7), month=window(30))
        .order_by("order__currency")
    )
    return [Sales(r["order__currency"], r["today"], r["week"], r["month"]) for r in rows]


def daily_sales(
    unit: Unit, currency: str, today: date | None = None, days: int = 30
) -> list[tuple[date, int]]:
    """This unit's line totals per Beijing day for the last `days` days, oldest first (0 on a quiet day)."""
    today = today or clock.today()
    first = today - timedelta(days=days - 1)
    rows = (
        OrderLine.objects.filter(
            unit=unit, order__currency=currency, order__created_in_saleor__gte=clock.day_start(first)
        )
        .exclude(order__status__in=NOT_SALES)
        .annotate(day=TruncDate("order__created_in_saleor", tzinfo=clock.business_tz()))
        .values("day")
        .annotate(total=Sum(F("total_net") + F("total_tax"), output_field=IntegerField()))
    )
    totals = {r["day"]: r["total"] for r in rows}
    return [(first + timedelta(days=n), totals.get(first + timedelta(days=n), 0)) for n in range(days)]


def orders_to_ship(unit: Unit) -> QuerySet[Order]:
    """Orders with lines of this unit not shipped yet, oldest first (the first SHOWN)."""
    return (
        Order.objects.filter(
            status__in=WAITING_TO_SHIP, lines__unit=unit, lines__quantity_fulfilled__lt=F("lines__quantity")
        )
        .annotate(placed=Min("created_in_saleor"))
        .order_by(F("placed").asc(nulls_last=True), "pk")[:SHOWN]
    )


def listings_to_act_on(unit: Unit) -> QuerySet[Listing]:
    """Listings waiting for review or whose sync to Saleor failed or diverged."""
    return (
        Listing.objects.filter(unit=unit)
        .filter(
            Q(state=Listing.State.PENDING_REVIEW)
            | Q(sync_status__in=[Listing.Sync.FAILED, Listing.Sync.DIVERGED])
        )
        .order_by("pk")[:SHOWN]
    )


def low_stock(unit: Unit) -> QuerySet[ListingVariant]:
    """Variants of published listings with LOW_STOCK or fewer left, emptiest first."""
    return (
        ListingVariant.objects.filter(
            listing__unit=unit, listing__state=Listing.State.PUBLISHED, stock__lte=LOW_STOCK
        )
        .select_related("listing")
        .order_by("stock", "pk")[:SHOWN]
    )


def licences_expiring(unit: Unit, today: date | None = None) -> QuerySet[IpLicence]:
    """Licences the unit granted that end within LICENCE_DAYS local days (not those already over)."""
    today = today or clock.today()
    return IpLicence.objects.filter(
        licensor=unit,
        status=IpLicence.Status.IN_FORCE,
        valid_until__gte=today,
        valid_until__lte=today + timedelta(days=LICENCE_DAYS),
    ).order_by("valid_until", "pk")[:SHOWN]


@dataclass(frozen=True)
class NavEntry:
    label: str
    url: str
    current: str  # "page" (this very page), "true" (a page of this section) or "" (elsewhere)


@dataclass(frozen=True)
class Nav:
    unit: Unit | None  # None: a page of a unit the user is no member of (staff), or no unit at all
    entries: list[NavEntry]
    units: list[Unit]  # the user's units, for the switcher
    platform: list[NavEntry]  # staff only: review queues, finance console, access log


# Which section of the unit navigation a route belongs to (its namespace, or the route itself).
SECTIONS = {
    "office:dashboard": "dashboard",
    "catalog:listings": "listings",
    "catalog:listing_new": "listings",
    "catalog:listings_import": "listings",
    "catalog:listing": "listings",
    "catalog:listing_edit": "listings",
    "catalog:listing_royalty": "listings",
    "catalog:listing_divergence": "listings",
    "catalog:objects": "listings",
    "catalog:object": "listings",
    "catalog:licences": "listings",
    "catalog:royalties": "listings",
    "search:unit_synonyms": "listings",
    "orders:": "orders",
    "orders:refunds": "refunds",
    "shipping:unit_rates": "rates",
    "resources:": "resources",
    "resources:licence_requests": "licences",
    "resources:licence_request": "licences",
    "resources:calls": "calls",
    "resources:call": "calls",
    "resources:call_new": "calls",
    "resources:call_edit": "calls",
    "unit_onboarding:members": "members",
    "unit_onboarding:agreement": "agreement",
    "unit_onboarding:payout": "payout",
    "finance:statement": "statement",
    "promotions:": "promotions",
    "promotions:unit_campaigns": "festivals",
}


def _section(view_name: str) -> str:
    namespace = view_name.split(":", 1)[0] + ":"
    return SECTIONS.get(view_name) or SECTIONS.get(namespace, "")


def office_nav(*, user, unit: Unit | None, view_name: str, path: str) -> Nav | None:
    """The back office's navigation for a page: the unit's sections the user's roles may open (only for the
    user's own units), and the platform's pages for staff; None when there is nothing to show."""
    if not (user.is_authenticated and user.is_active):
        return None
    # one query for the switcher's units and the roles in this page's unit
    memberships = list(
        UnitMembership.objects.filter(user=user).select_related("unit").order_by("unit_id", "pk")
    )
    units = list({m.unit_id: m.unit for m in memberships}.values())
    roles = {m.role for m in memberships if unit is not None and m.unit_id == unit.pk}
    section = _section(view_name)

    def entry(key: str, label, route: str, **kwargs) -> NavEntry:
        url = reverse(route, kwargs=kwargs)
        return NavEntry(str(label), url, "page" if url == path else "true" if key == section else "")

    entries = []
    if roles:
        uid = unit.uid
        operator = UnitMembership.Role.OPERATOR in roles
        finance = UnitMembership.Role.FINANCE in roles
        entries.append(entry("dashboard", _("Dashboard"), "office:dashboard", uid=uid))
        if operator and unit.status == Unit.Status.ACTIVE:  # catalog.permissions.can_manage_listings
            entries.append(entry("listings", _("Listings"), "catalog:listings", uid=uid))
            entries.append(
                entry("campaigns", _("Crowdfunding campaigns"), "campaigns:unit_campaigns", uid=uid)
            )
        entries.append(entry("orders", _("Orders"), "orders:list", uid=uid))
        if operator or finance:  # orders.parcel_refunds: members ask, another finance member decides
            entries.append(entry("refunds", _("Parcel refunds"), "orders:refunds", uid=uid))
        if (
            operator or finance
        ):  # promotions: operators propose, another person of the unit's finance approves
            entries.append(entry("promotions", _("Promotions"), "promotions:unit_promotions", uid=uid))
            entries.append(entry("festivals", _("Platform campaigns"), "promotions:unit_campaigns", uid=uid))
        entries.append(entry("rates", _("Shipping rates"), "shipping:unit_rates", uid=uid))
        if operator and unit.status == Unit.Status.ACTIVE:
            entries.append(entry("resources", _("Library objects"), "resources:objects", uid=uid))
        if (operator or finance) and unit.status == Unit.Status.ACTIVE:  # resources.licensing
            entries.append(entry("licences", _("Licence requests"), "resources:licence_requests", uid=uid))
            entries.append(entry("calls", _("Design calls"), "resources:calls", uid=uid))  # resources.calls
        if operator:
            entries.append(entry("members", _("Members"), "unit_onboarding:members", uid=uid))
        entries.append(entry("agreement", _("Distribution agreement"), "unit_onboarding:agreement", uid=uid))
        if finance:  # who may ask to change where the money goes (unit_onboarding.permissions)
            entries.append(entry("payout", _("Payout details"), "unit_onboarding:payout", uid=uid))
            entries.append(entry("statement", _("Statement"), "finance:statement", party=unit.party_key))
    platform = _platform_entries(user, path=path)
    if not entries and not platform:
        return None
    return Nav(unit if roles else None, entries, units, platform)


def _platform_entries(user, *, path: str) -> list[NavEntry]:
    """Platform staff's own pages: reviewers, curators, platform finance (by permission, not by unit)."""
    rows = []
    if is_reviewer(user):
        rows.append((_("Review applications"), reverse("unit_onboarding:review_queue")))
    if user.has_perm(CURATOR_PERMISSION):
        rows.append((_("Review listings"), reverse("catalog:review_queue")))
        rows.append((_("Review campaigns"), reverse("campaigns:review_queue")))
    if is_platform_finance(user):
        rows.append((_("Finance"), reverse("finance:home")))
        rows.append((_("Platform campaigns"), reverse("promotions:campaign_list")))
    if is_reviewer(user):
        rows.append((_("Access log"), reverse("unit_onboarding:access_log")))
    return [NavEntry(str(label), url, "page" if url == path else "") for label, url in rows]
