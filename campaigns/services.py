"""Writes of campaigns: drafting and review, tier reservations at checkout, the decision at the deadline,
release of held income to the parties, and full refunds of a failed campaign's backers.

Decided at the deadline, not when the goal is reached: backers may back until the end (a campaign may reach
its goal in its last minute), and the campaign is decided once `CAMPAIGN_DECIDE_GRACE_SECONDS` after its
end have passed, so payments made before the end whose webhooks arrive a little late still count.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from campaigns import selectors, tasks
from campaigns.error_codes import CampaignError
from campaigns.error_codes import CampaignErrorCode as Code
from campaigns.models import (
    BackerMail,
    BackerRefund,
    Campaign,
    CampaignCancellation,
    CampaignRefund,
    CampaignUpdate,
    Pledge,
    Reservation,
    Tier,
)
from catalog.models import Listing, ListingVariant
from catalog.permissions import can_manage_listings, is_curator
from core import clock
from core.audit import audit_record
from core.errors import refuse_same_person
from core.finance import is_platform_finance
from orders.models import OrderLine
from orders.parcel_refunds import refund_grant_and_request
from payments import ledger_services
from payments import selectors as ledger_selectors
from payments.gateway.models import PaymentIntentRecord
from payments.split import FeeRule, LineKind, Recipe, RecipeShare, allocate_bps
from saleor_app.app_client import app_client
from saleor_app.client import SaleorClient
from saleor_app.errors import SaleorNotInstalled
from unit_onboarding.models import Unit, UnitMembership
from unit_onboarding.permissions import unit_roles

S = Campaign.State
log = logging.getLogger(__name__)
DECIDE_GRACE = timedelta(minutes=10)
REFUND_MAX_BACKOFF = timedelta(hours=1)
MONEY_FIELDS = ("goal_kind", "goal_amount", "goal_backers", "starts_at", "ends_at", "estimated_delivery")
TEXT_FIELDS = ("title_zh", "title_en", "story_zh", "story_en")


def may_manage(user, campaign: Campaign) -> bool:
    return can_manage_listings(user, campaign.unit)


def _check_terms(*, goal_kind, goal_amount, goal_backers, starts_at, ends_at, estimated_delivery) -> None:
    if not (starts_at and ends_at and ends_at > starts_at):
        raise CampaignError(Code.DATES_INVALID, "ends_at")
    if estimated_delivery and estimated_delivery < clock.today(ends_at):
        raise CampaignError(Code.DATES_INVALID, "estimated_delivery")
    goal = goal_amount if goal_kind == Campaign.Goal.AMOUNT else goal_backers
    if not goal or goal <= 0:
        raise CampaignError(
            Code.GOAL_INVALID, "goal_amount" if goal_kind == Campaign.Goal.AMOUNT else "goal_backers"
        )


@transaction.atomic
def campaign_save(
    *,
    unit: Unit,
    actor,
    campaign: Campaign | None = None,
    listing: Listing,
    title_zh: str,
    title_en: str = "",
    story_zh: str = "",
    story_en: str = "",
    goal_kind: str,
    goal_amount: int | None,
    goal_backers: int | None,
    starts_at: datetime,
    ends_at: datetime,
    estimated_delivery: date,
    tiers: Sequence[tuple[int, int | None]],
) -> Campaign:
    """Create or edit a draft (tiers: (variant pk, limit or None)); once live only the texts change."""
    if not can_manage_listings(actor, unit):
        raise CampaignError(Code.NOT_ALLOWED)
    if listing.unit_id != unit.pk:
        raise CampaignError(Code.LISTING_OF_ANOTHER_UNIT, "listing")
    terms = {
        "goal_kind": goal_kind,
        "goal_amount": goal_amount if goal_kind == Campaign.Goal.AMOUNT else None,
        "goal_backers": goal_backers if goal_kind == Campaign.Goal.BACKERS else None,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "estimated_delivery": estimated_delivery,
    }
    texts = {"title_zh": title_zh, "title_en": title_en, "story_zh": story_zh, "story_en": story_en}
    if campaign is not None:
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.unit_id != unit.pk:
            raise CampaignError(Code.NOT_ALLOWED)
        if campaign.money_terms_fixed:
            same_tiers = sorted((t.variant_id, t.limit) for t in campaign.tiers.all()) == sorted(tiers)
            same_terms = all(getattr(campaign, k) == v for k, v in terms.items())
            if not (same_tiers and same_terms and listing.pk == campaign.listing_id):
                raise CampaignError(Code.MONEY_TERMS_FIXED)
            if campaign.state not in (S.LIVE,):
                raise CampaignError(Code.WRONG_STATE, state=campaign.get_state_display())
            for k, v in texts.items():
                setattr(campaign, k, v)
            campaign.save(update_fields=list(TEXT_FIELDS))
            selectors_invalidate(campaign)
            return campaign
        if campaign.state != S.DRAFT:
            raise CampaignError(Code.WRONG_STATE, state=campaign.get_state_display())
    _check_terms(**terms)
    variants = {
        v.pk: v for v in ListingVariant.objects.filter(listing=listing, pk__in=[pk for pk, _ in tiers])
    }
    if not tiers:
        raise CampaignError(Code.NO_TIERS, "tiers")
    if len(variants) != len({pk for pk, _ in tiers}):
        raise CampaignError(Code.VARIANT_NOT_OF_LISTING, "tiers")
    if campaign is None:
        campaign = Campaign(unit=unit, created_by=actor if actor.is_authenticated else None)
    campaign.listing = listing
    for k, v in {**terms, **texts}.items():
        setattr(campaign, k, v)
    campaign.save()
    campaign.tiers.exclude(variant_id__in=list(variants)).delete()
    for pk, limit in tiers:
        v = variants[pk]
        Tier.objects.update_or_create(
            campaign=campaign, variant=v, defaults={"sku": v.sku, "price_fen": v.price_fen, "limit": limit}
        )
    return campaign


def selectors_invalidate(campaign: Campaign) -> None:
    transaction.on_commit(lambda: selectors.campaign_page_invalidate(campaign.uid))


@transaction.atomic
def campaign_submit(*, campaign: Campaign, actor) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not may_manage(actor, campaign):
        raise CampaignError(Code.NOT_ALLOWED)
    if campaign.state != S.DRAFT:
        raise CampaignError(Code.WRONG_STATE, state=campaign.get_state_display())
    if not campaign.tiers.exists():
        raise CampaignError(Code.NO_TIERS)
    if campaign.ends_at <= clock.now():
        raise CampaignError(Code.STARTS_IN_PAST)
    campaign.state = S.IN_REVIEW
    campaign.submitted_at = clock.now()
    campaign.save(update_fields=["state", "submitted_at"])
    return campaign


@transaction.atomic
def campaign_review(*, campaign: Campaign, reviewer, approve: bool, note: str = "") -> Campaign:
    """A curator other than the author launches the campaign (live) or sends it back to draft with why."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not is_curator(reviewer):
        raise CampaignError(Code.NOT_ALLOWED)
    refuse_same_person(reviewer, campaign.created_by_id, CampaignError, Code.REVIEWER_IS_AUTHOR)
    if campaign.state != S.IN_REVIEW:
        raise CampaignError(Code.WRONG_STATE, state=campaign.get_state_display())
    now = clock.now()
    if approve and campaign.ends_at <= now:
        raise CampaignError(Code.STARTS_IN_PAST)
    before = campaign.state
    campaign.state = S.LIVE if approve else S.DRAFT
    campaign.reviewed_by = reviewer
    campaign.reviewed_at = now
    campaign.review_note = note
    campaign.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_note"])
    _audit(campaign, reviewer, "campaign.approve" if approve else "campaign.reject", before, note=note)
    selectors_invalidate(campaign)
    return campaign


def campaign_update_post(*, campaign: Campaign, actor, body_zh: str, body_en: str = "") -> CampaignUpdate:
    if not may_manage(actor, campaign):
        raise CampaignError(Code.NOT_ALLOWED)
    if not body_zh.strip():
        raise CampaignError(Code.UPDATE_EMPTY, "body_zh")
    update = CampaignUpdate.objects.create(
        campaign=campaign,
        body_zh=body_zh.strip(),
        body_en=body_en.strip(),
        posted_by=actor,
        posted_at=clock.now(),
    )
    selectors_invalidate(campaign)
    return update


# ----------------------------------------------------------------------------------------------------------
# Checkout: tier stock

_RESERVE = """
UPDATE campaigns_tier SET reserved = reserved + %s
WHERE id = %s AND (%s <= 0 OR "limit" IS NULL OR reserved + %s <= "limit")
RETURNING reserved
"""


def live_tiers(*, now: datetime) -> QuerySet[Tier]:
    return Tier.objects.filter(
        campaign__state=S.LIVE, campaign__starts_at__lte=now, campaign__ends_at__gt=now
    ).select_related("campaign__listing")


@transaction.atomic
def tiers_reserve(*, checkout_ref: str, lines: Sequence[tuple[str, int]]) -> list[Reservation]:
    """Take the checkout's tier items (Saleor variant id, quantity) before it goes to pay; SOLD_OUT, nothing
    taken, when a tier has fewer left. One conditional UPDATE per tier: concurrent checkouts never oversell
    (and the table's CHECK constraint stands behind it). Again for the same checkout: only the difference.
    """
    now = clock.now()
    wanted: dict[str, int] = {}
    for variant_id, qty in lines:
        wanted[variant_id] = wanted.get(variant_id, 0) + qty
    # a stable order: two checkouts never wait on each other crosswise
    tiers = [
        (t, wanted[vid])
        for t in live_tiers(now=now).order_by("pk")
        if (vid := t.campaign.listing.saleor_variant_ids.get(t.sku)) in wanted
    ]
    taken = []
    for tier, quantity in tiers:
        reservation, _created = Reservation.objects.select_for_update().get_or_create(
            tier=tier, checkout_ref=checkout_ref, defaults={"quantity": 0, "created_at": now}
        )
        if reservation.paid_at is not None:  # its order is paid: nothing more to take
            taken.append(reservation)
            continue
        # given back after it was abandoned: taken afresh
        holding = 0 if reservation.returned_at is not None else reservation.quantity
        delta = quantity - holding
        if delta:
            with connection.cursor() as cursor:
                cursor.execute(_RESERVE, [delta, tier.pk, delta, delta])
                if cursor.fetchone() is None:
                    tier.refresh_from_db()
                    left = max((tier.left or 0) + holding, 0)
                    raise CampaignError(Code.SOLD_OUT, left=left, sku=tier.sku)
            transaction.on_commit(lambda uid=tier.campaign.uid: selectors.campaign_page_invalidate(uid))
        # every time the buyer goes to pay, the items are kept for another CAMPAIGN_RESERVATION_MINUTES
        reservation.quantity, reservation.returned_at, reservation.created_at = quantity, None, now
        reservation.save(update_fields=["quantity", "returned_at", "created_at"])
        taken.append(reservation)
    return taken


# Stripe states of a checkout's PaymentIntent under way or done: its items are not given back (the order's
# payment webhook marks the reservation paid)
PAYING = ("processing", "requires_action", "requires_capture", "succeeded")


def reservations_expire(*, now: datetime | None = None) -> int:
    """Give back the tier items of checkouts that went to pay more than CAMPAIGN_RESERVATION_MINUTES ago and
    were abandoned: never a reservation whose order was paid (`paid_at`, set in the payment's posting under
    the same row lock) nor one whose checkout has a payment under way at Stripe. Idempotent: a reservation is
    given back once (`returned_at`); two runs at once skip each other's rows. Returns the items given back."""
    now = now or clock.now()
    cutoff = now - timedelta(minutes=settings.CAMPAIGN_RESERVATION_MINUTES)
    due = Reservation.objects.filter(
        paid_at__isnull=True, returned_at__isnull=True, quantity__gt=0, created_at__lte=cutoff
    ).exclude(
        checkout_ref__in=PaymentIntentRecord.objects.filter(
            source_type="Checkout", stripe_status__in=PAYING
        ).values("source_id")
    )
    given = 0
    for pk in due.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            reservation = (
                Reservation.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, paid_at__isnull=True, returned_at__isnull=True, created_at__lte=cutoff)
                .select_related("tier__campaign")
                .first()
            )
            if reservation is None:
                continue
            with connection.cursor() as cursor:
                cursor.execute(_UNRESERVE, [reservation.quantity, reservation.tier_id])
            reservation.returned_at = now
            reservation.save(update_fields=["returned_at"])
            given += reservation.quantity
            selectors_invalidate(reservation.tier.campaign)
    return given


def reservations_paid(*, checkout_ref: str, order_ref: str, tiers: Sequence[Tier], paid_at: datetime) -> None:
    """The checkout's order was paid (called in the payment's posting, after its pledges): its reservations
    are kept for good. One given back before the payment arrived (paid after it expired) takes its items
    again, as far as the tier has them left (a tier's limit is never passed); the items it can no longer
    take are refunded to the buyer (see `over_limit_refund_create`)."""
    if not checkout_ref:
        return
    short_by_tier: dict[int, int] = {}
    for reservation in (
        Reservation.objects.select_for_update()
        .filter(checkout_ref=checkout_ref, tier__in=list(tiers), paid_at__isnull=True)
        .order_by("pk")
    ):
        if reservation.returned_at is not None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reserved FROM campaigns_tier WHERE id = %s FOR UPDATE", [reservation.tier_id]
                )
                before = cursor.fetchone()[0]
                cursor.execute(_RETAKE, [reservation.quantity, reservation.quantity, reservation.tier_id])
                short = reservation.quantity - (cursor.fetchone()[0] - before)
            if short:
                short_by_tier[reservation.tier_id] = short
        reservation.paid_at, reservation.returned_at = paid_at, None
        reservation.save(update_fields=["paid_at", "returned_at"])
    if short_by_tier:
        over_limit_refund_create(order_ref=order_ref, short_by_tier=short_by_tier)


def _share(paid: int, items: int, of: int) -> int:
    """Fen of `items` of a line's `of` items that cost `paid` in all (half a fen up; all of them: `paid`)."""
    return paid if items >= of else (2 * paid * items + of) // (2 * of)


def over_limit_refund_create(*, order_ref: str, short_by_tier: dict[int, int]) -> list[CampaignRefund]:
    """A payment arrived after its checkout's reservation expired and its tier sold out meanwhile: the items
    beyond the tier's limit are refunded to the buyer, one refund per campaign (line items and the fen paid
    for them, tax included), requested from Saleor by the beat job like a failed campaign's refunds; the
    buyer is mailed, the unit sees it on its campaign's page and it is audited. Idempotent (one per order,
    campaign and kind)."""
    per_campaign: dict[int, list[tuple[Pledge, int]]] = {}
    for tier_id, short in sorted(short_by_tier.items()):
        # the order's lines of that tier, the last first: the items beyond the limit
        for pledge in Pledge.objects.filter(order_ref=order_ref, tier_id=tier_id).order_by("-pk"):
            take = min(short, pledge.quantity)
            if take:
                per_campaign.setdefault(pledge.campaign_id, []).append((pledge, take))
                short -= take
        if short:
            log.error(
                "campaign tier %s: order %s is %s items beyond the limit, without a line",
                tier_id,
                order_ref,
                short,
            )
    created = []
    for campaign_id, taken in per_campaign.items():
        campaign = taken[0][0].campaign
        lines = [[pledge.line_ref, items] for pledge, items in taken]
        amount = sum(_share(pledge.paid, items, pledge.quantity) for pledge, items in taken)
        if amount <= 0:
            continue
        refund, new = CampaignRefund.objects.get_or_create(
            campaign_id=campaign_id,
            order_ref=order_ref,
            kind=CampaignRefund.Kind.OVER_LIMIT,
            defaults={
                "amount": amount,
                "currency": taken[0][0].currency,
                "lines": lines,
                "quantity": sum(items for _p, items in taken),
                "created_at": clock.now(),
            },
        )
        if not new:
            continue
        _audit(
            campaign,
            None,
            "campaign.over_limit_refund",
            campaign.state,
            order=order_ref,
            amount=amount,
            items=refund.quantity,
            lines=lines,
        )
        log.warning(
            "campaign %s: order %s paid after its reservation expired: %s items past the limit refunded",
            campaign.uid,
            order_ref,
            refund.quantity,
        )
        transaction.on_commit(lambda pk=refund.pk: tasks.mail_over_limit.delay(pk), robust=True)
        selectors_invalidate(campaign)
        created.append(refund)
    return created


_RETAKE = """
UPDATE campaigns_tier SET reserved = CASE WHEN "limit" IS NULL THEN reserved + %s
    ELSE LEAST(reserved + %s, "limit") END
WHERE id = %s
RETURNING reserved
"""


# ----------------------------------------------------------------------------------------------------------
# The deadline, release and refunds


def campaigns_decide_due(*, now: datetime | None = None) -> list[Campaign]:
    """Decide every live campaign whose end (plus the grace) has passed: succeeded or failed."""
    now = now or clock.now()
    decided = []
    for pk in Campaign.objects.filter(state=S.LIVE, ends_at__lte=now - DECIDE_GRACE).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update().get(pk=pk)
            if campaign.state != S.LIVE:
                continue
            p = selectors.progress(campaign, until=campaign.ends_at)
            campaign.state = S.SUCCEEDED if p.reached else S.FAILED
            campaign.decided_at = now
            campaign.raised_at_decision = p.raised
            campaign.backers_at_decision = p.backers
            campaign.save(update_fields=["state", "decided_at", "raised_at_decision", "backers_at_decision"])
            _audit(campaign, None, f"campaign.{campaign.state}", S.LIVE, raised=p.raised, backers=p.backers)
            backer_mails_create(campaign)
            selectors_invalidate(campaign)
        decided.append(campaign)
    return decided


def _recipe(r: dict) -> Recipe:
    return Recipe(
        agreement_version=r["agreement_version"],
        fee_rule=FeeRule(r["fee_rule"]),
        shares=tuple(RecipeShare(p, role, bps, rule, carved) for p, role, bps, rule, carved in r["shares"]),
    )


def _shipped(line_refs: Sequence[str]) -> set[str]:
    return {
        ref
        for ref, qty, done in OrderLine.objects.filter(saleor_id__in=list(line_refs)).values_list(
            "saleor_id", "quantity", "quantity_fulfilled"
        )
        if qty and done >= qty
    }


def campaign_release(*, campaign: Campaign) -> int:
    """Release a succeeded campaign's held income by the recipe frozen at each payment: the configured part at
    success, the rest of a line once its parcel has shipped. Of what is left on the line in the ledger (a
    backer's refund takes from it, from the held and the released parts alike, see ledger refund_post), so a
    refunded line is never released beyond what it still holds. Idempotent (one pledge locked at a time,
    keyed by line, what was released before and the target).

    Returns the fen released."""
    if campaign.state != S.SUCCEEDED:
        return 0
    pledges = list(
        Pledge.objects.filter(campaign=campaign).exclude(released=F("held"), tax_released=True).order_by("pk")
    )
    shipped = _shipped([p.line_ref for p in pledges])
    bps = settings.CAMPAIGN_RELEASE_AT_SUCCESS_BPS
    holder = campaign.party_key
    total = 0
    for pledge in pledges:
        with transaction.atomic():
            locked = Pledge.objects.select_for_update().get(pk=pledge.pk)
            if not locked.tax_released:  # the tax is the seller's once the sale stands: whole, at success
                tax_ref = f"{locked.line_ref}:tax"
                net, held = ledger_selectors.held_line(
                    order_ref=locked.order_ref, line_ref=tax_ref, holder=holder
                )
                if held > 0:
                    ledger_services.held_release_post(
                        idempotency_key=f"campaign-release:{tax_ref}",
                        order_ref=locked.order_ref,
                        line_ref=tax_ref,
                        held_party=holder,
                        recipe=_recipe(locked.tax_recipe),
                        released_before=net - held,
                        amount=held,
                        currency=locked.currency,
                        kind=LineKind.TAX,
                    )
                    total += held
                locked.tax_released = True
                locked.save(update_fields=["tax_released"])
            net, held = ledger_selectors.held_line(
                order_ref=locked.order_ref, line_ref=locked.line_ref, holder=holder
            )
            released = net - held
            target = net if locked.line_ref in shipped else allocate_bps(net, [bps, 10_000 - bps])[0]
            if target > released:
                ledger_services.held_release_post(
                    idempotency_key=f"campaign-release:{locked.line_ref}:{released}:{target}",
                    order_ref=locked.order_ref,
                    line_ref=locked.line_ref,
                    held_party=holder,
                    recipe=_recipe(locked.recipe),
                    released_before=released,
                    amount=target - released,
                    currency=locked.currency,
                )
                total += target - released
                released = target
            if locked.released != released:
                locked.released = released
                locked.save(update_fields=["released"])
    return total


REFUNDED_STATES = (S.FAILED, S.CANCELLED)


def campaign_refunds_create(*, campaign: Campaign) -> list[CampaignRefund]:
    """One full refund per backing order of a failed or cancelled campaign (a late backing: its own, next
    run), of what is left of its tier lines in the ledger."""
    if campaign.state not in REFUNDED_STATES:
        return []
    created = []
    for order_ref, paid, currency in selectors.pledges_to_refund(campaign):
        refund, new = CampaignRefund.objects.get_or_create(
            campaign=campaign,
            order_ref=order_ref,
            kind=CampaignRefund.Kind.OUTCOME,
            defaults={"amount": paid, "currency": currency, "created_at": clock.now()},
        )
        if new:
            _audit(campaign, None, "campaign.refund_created", "", order=order_ref, amount=paid)
            created.append(refund)
    return created


def refund_next_retry(refund: CampaignRefund) -> datetime | None:
    """When the beat job (re)tries a waiting or failed refund: after 1, 2, 4… minutes, at most an hour;
    None once it is requested from Saleor."""
    if refund.status not in (CampaignRefund.Status.PENDING, CampaignRefund.Status.FAILED):
        return None
    if refund.attempted_at is None:
        return refund.created_at
    return refund.attempted_at + min(timedelta(minutes=2 ** max(refund.attempts - 1, 0)), REFUND_MAX_BACKOFF)


def refunds_due(*, now: datetime | None = None):
    """Refunds to (re)try: waiting, or failed and past their backoff (see refund_next_retry)."""
    now = now or clock.now()
    return [
        refund
        for refund in CampaignRefund.objects.filter(
            status__in=[CampaignRefund.Status.PENDING, CampaignRefund.Status.FAILED]
        ).order_by("pk")
        if (at := refund_next_retry(refund)) is not None and at <= now
    ]


def campaign_refund_retry_now(*, refund_id: int, actor, client: SaleorClient) -> CampaignRefund:
    """Platform finance retries a parked refund now, not at its next retry; audited with who asked."""
    if not is_platform_finance(actor):
        raise CampaignError(Code.NOT_ALLOWED)
    refund = CampaignRefund.objects.select_related("campaign").get(pk=refund_id)
    if refund.status not in (CampaignRefund.Status.PENDING, CampaignRefund.Status.FAILED):
        raise CampaignError(Code.STALE)
    _audit(
        refund.campaign,
        actor,
        "campaign.refund_retry",
        refund.campaign.state,
        order=refund.order_ref,
        attempts=refund.attempts,
        error=refund.last_error[:500],
    )
    return campaign_refund_attempt(refund=refund, client=client)


def campaign_refund_attempt(*, refund: CampaignRefund, client: SaleorClient) -> CampaignRefund:
    """Grant and request the refund in Saleor (this app → Stripe); a failure is kept with its reason and
    retried by the beat job. Refused while another worker holds it (row lock, skip locked)."""
    with transaction.atomic():
        locked = (
            CampaignRefund.objects.select_for_update(skip_locked=True)
            .filter(pk=refund.pk, status__in=[CampaignRefund.Status.PENDING, CampaignRefund.Status.FAILED])
            .first()
        )
        if locked is None:
            return CampaignRefund.objects.get(pk=refund.pk)
        locked.attempts += 1
        locked.attempted_at = clock.now()
        lines, reason = _refund_lines_and_reason(locked)
        try:
            refund_grant_and_request(
                order_id=locked.order_ref,
                lines=lines,
                amount=locked.amount,
                currency=locked.currency,
                reason=reason,
                client=client,
                granted_id=locked.saleor_granted_refund_id,
                on_granted=lambda gid: CampaignRefund.objects.filter(pk=locked.pk).update(
                    saleor_granted_refund_id=gid
                ),
            )
        except Exception as exc:  # any refusal or outage: parked with its reason, retried later
            locked.refresh_from_db(fields=["saleor_granted_refund_id"])
            locked.status = CampaignRefund.Status.FAILED
            locked.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            locked.save(
                update_fields=["status", "last_error", "attempts", "attempted_at", "saleor_granted_refund_id"]
            )
            _audit(
                locked.campaign,
                None,
                "campaign.refund_failed",
                "",
                order=locked.order_ref,
                error=locked.last_error[:500],
            )
            return locked
        locked.refresh_from_db(fields=["saleor_granted_refund_id"])
        locked.status = CampaignRefund.Status.REQUESTED
        locked.last_error = ""
        locked.save(update_fields=["status", "last_error", "attempts", "attempted_at"])
        _audit(
            locked.campaign,
            None,
            "campaign.refund_requested",
            CampaignRefund.Status.PENDING,
            order=locked.order_ref,
        )
    return locked


def over_limit_items(*, campaign_id: int, order_ref: str) -> dict[str, int]:
    """{Saleor order line: items} of the order refunded as beyond a tier's limit of the campaign."""
    over: dict[str, int] = {}
    for lines in CampaignRefund.objects.filter(
        campaign_id=campaign_id, order_ref=order_ref, kind=CampaignRefund.Kind.OVER_LIMIT
    ).values_list("lines", flat=True):
        for ref, qty in lines:
            over[ref] = over.get(ref, 0) + qty
    return over


def _refund_lines_and_reason(refund: CampaignRefund) -> tuple[list[tuple[str, int]], str]:
    """The Saleor order lines and items a refund gives back, and the reason the buyer reads in Saleor: an
    over-limit refund its own items; a failed or cancelled campaign's the order's tier lines whole, less the
    items refunded as beyond the limit (Saleor refuses to grant an item twice)."""
    title = refund.campaign.title_zh
    if refund.kind == CampaignRefund.Kind.OVER_LIMIT:
        reason = _(
            "Crowdfunding campaign %(title)s: the reward tier sold out before your payment arrived, "
            "%(items)s item(s) refunded"
        ) % {"title": title, "items": refund.quantity}
        return [(ref, qty) for ref, qty in refund.lines], reason
    over = over_limit_items(campaign_id=refund.campaign_id, order_ref=refund.order_ref)
    lines = [
        (ref, qty - over.get(ref, 0))
        for ref, qty in OrderLine.objects.filter(
            saleor_id__in=Pledge.objects.filter(
                campaign_id=refund.campaign_id, order_ref=refund.order_ref
            ).values("line_ref")
        ).values_list("saleor_id", "quantity")
        if qty > over.get(ref, 0)
    ]
    if refund.campaign.state == S.CANCELLED:
        reason = _("Crowdfunding campaign %(title)s was cancelled: full refund") % {"title": title}
    else:
        reason = _("Crowdfunding campaign %(title)s did not reach its goal: full refund") % {"title": title}
    return lines, reason


def _audit(campaign: Campaign, actor, action: str, before: str, **detail) -> None:
    audit_record(
        actor=actor,
        action=action,
        subject=f"campaign:{campaign.uid}",
        party=campaign.party_key,
        before={"state": before},
        after={"state": campaign.state},
        **detail,
    )


def campaigns_tick(*, now: datetime | None = None, client: SaleorClient | None = None) -> dict:
    """Decide what is due, release what succeeded campaigns owe, create and (re)try failed ones' refunds."""
    decided = campaigns_decide_due(now=now)
    released = sum(campaign_release(campaign=c) for c in Campaign.objects.filter(state=S.SUCCEEDED))
    created = sum(
        len(campaign_refunds_create(campaign=c)) for c in Campaign.objects.filter(state__in=REFUNDED_STATES)
    )
    due = refunds_due(now=now)
    if due and client is None:
        try:
            client = app_client()
        except SaleorNotInstalled as exc:
            log.warning("campaign refunds wait for Saleor: %s", exc)
            due = []
    for refund in due:
        campaign_refund_attempt(refund=refund, client=client)
    return {"decided": len(decided), "released": released, "refunds_created": created, "attempted": len(due)}


# ----------------------------------------------------------------------------------------------------------
# Cancellation by the unit: asked by an operator with a reason, confirmed by another person

CANCELLABLE = (S.LIVE, S.SUCCEEDED)


def campaign_seen(campaign: Campaign) -> str:
    """What a cancellation was asked about: the campaign's state and its backings (stale when they change)."""
    pledges = Pledge.objects.filter(campaign=campaign).order_by("pk")
    count, last = pledges.count(), pledges.values_list("pk", flat=True).last()
    refunds = campaign.refunds.count()
    return f"{campaign.state}:{count}:{last or 0}:{refunds}"


def may_confirm_cancellation(user, cancellation: CampaignCancellation) -> bool:
    """The unit's finance members or platform finance confirm, never whoever asked (money leaves)."""
    if not user.is_authenticated or user.pk == cancellation.requested_by_id:
        return False
    return is_platform_finance(user) or UnitMembership.Role.FINANCE in unit_roles(
        user, cancellation.campaign.unit
    )


@transaction.atomic
def campaign_cancel_request(*, campaign: Campaign, actor, reason: str) -> CampaignCancellation:
    """An operator of the unit asks to cancel its live or succeeded campaign, saying why."""
    campaign = Campaign.objects.select_for_update().select_related("unit").get(pk=campaign.pk)
    if not may_manage(actor, campaign):
        raise CampaignError(Code.NOT_ALLOWED)
    if campaign.state not in CANCELLABLE:
        raise CampaignError(Code.WRONG_STATE, state=campaign.get_state_display())
    if not reason.strip():
        raise CampaignError(Code.REASON_REQUIRED, "reason")
    if campaign.cancellations.filter(status=CampaignCancellation.Status.REQUESTED).exists():
        raise CampaignError(Code.CANCEL_PENDING)
    cancellation = CampaignCancellation.objects.create(
        campaign=campaign,
        reason=reason.strip(),
        campaign_seen=campaign_seen(campaign),
        requested_by=actor,
        requested_at=clock.now(),
    )
    _audit(campaign, actor, "campaign.cancel_requested", campaign.state, reason=cancellation.reason)
    return cancellation


def _cancellation_decidable(cancellation_id: int, actor) -> tuple[CampaignCancellation, Campaign]:
    cancellation = CampaignCancellation.objects.select_related("campaign__unit").get(pk=cancellation_id)
    campaign = Campaign.objects.select_for_update().select_related("unit").get(pk=cancellation.campaign_id)
    cancellation = CampaignCancellation.objects.select_for_update().get(pk=cancellation_id)
    if cancellation.status != CampaignCancellation.Status.REQUESTED:
        raise CampaignError(Code.STALE)
    if not may_confirm_cancellation(actor, cancellation):
        raise CampaignError(Code.NOT_ALLOWED)
    return cancellation, campaign


@transaction.atomic
def campaign_cancel_confirm(*, cancellation_id: int, actor) -> CampaignCancellation:
    """Another person confirms: the campaign is cancelled and every backer refunded in full through the
    failure-refund path (one refund per backing order, retried on failure by the beat job). Refused when
    the campaign changed since it was asked (a new backing, a refund, its decision at the deadline)."""
    cancellation, campaign = _cancellation_decidable(cancellation_id, actor)
    if campaign.state not in CANCELLABLE or campaign_seen(campaign) != cancellation.campaign_seen:
        raise CampaignError(Code.STALE)
    before = campaign.state
    now = clock.now()
    campaign.state = S.CANCELLED
    campaign.decided_at = now
    campaign.save(update_fields=["state", "decided_at"])
    cancellation.record_decision(CampaignCancellation.Status.CONFIRMED, actor, now=now)
    _audit(
        campaign,
        actor,
        "campaign.cancel",
        before,
        reason=cancellation.reason,
        requested_by=cancellation.requested_by_id,
        cancellation=cancellation.pk,
    )
    campaign_refunds_create(campaign=campaign)
    backer_mails_create(campaign)
    selectors_invalidate(campaign)
    return cancellation


@transaction.atomic
def campaign_cancel_refuse(*, cancellation_id: int, actor, note: str) -> CampaignCancellation:
    """Another person refuses the cancellation, saying why: the campaign goes on."""
    if not note.strip():
        raise CampaignError(Code.REASON_REQUIRED, "note")
    cancellation, campaign = _cancellation_decidable(cancellation_id, actor)
    cancellation.decision_note = note.strip()
    cancellation.record_decision(CampaignCancellation.Status.REFUSED, actor, also=("decision_note",))
    _audit(campaign, actor, "campaign.cancel_refused", campaign.state, note=cancellation.decision_note)
    return cancellation


# ----------------------------------------------------------------------------------------------------------
# A backer's refund during the campaign: asked on the order page, decided by the unit

_UNRESERVE = """
UPDATE campaigns_tier SET reserved = GREATEST(reserved - %s, 0) WHERE id = %s
"""


def order_backings(order_ref: str) -> list[Campaign]:
    """The campaigns an order backs (its paid tier lines held for them)."""
    return list(Campaign.objects.filter(pledges__order_ref=order_ref).distinct().select_related("unit"))


def may_decide_backer_refund(user, campaign: Campaign) -> bool:
    """The unit's operators or finance members decide."""
    return may_manage(user, campaign) or UnitMembership.Role.FINANCE in unit_roles(user, campaign.unit)


@transaction.atomic
def backer_refund_request(*, campaign: Campaign, order_ref: str, reason: str = "") -> BackerRefund:
    """The backer (holding the order's signed link) asks, while the campaign runs, for the order's tier
    lines of it back in full. Once per order while asked or granted."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.state != S.LIVE or clock.now() >= campaign.ends_at:
        raise CampaignError(Code.WRONG_STATE, state=campaign.get_state_display())
    left = [row for row in selectors.pledges_to_refund(campaign) if row[0] == order_ref]
    if not left:
        raise CampaignError(Code.NOT_ALLOWED)
    if campaign.backer_refunds.filter(
        order_ref=order_ref, status__in=[BackerRefund.Status.REQUESTED, BackerRefund.Status.REFUNDING]
    ).exists():
        raise CampaignError(Code.CANCEL_PENDING)
    _order, amount, currency = left[0]
    refund = BackerRefund.objects.create(
        campaign=campaign,
        order_ref=order_ref,
        reason=reason.strip()[:2000],
        amount=amount,
        currency=currency,
        requested_at=clock.now(),
    )
    _audit(campaign, None, "campaign.backer_refund_requested", campaign.state, order=order_ref, amount=amount)
    return refund


def backer_refund_decide(
    *, refund_id: int, actor, approve: bool, note: str = "", client: SaleorClient | None = None
) -> BackerRefund:
    """The unit approves (granted and refunded in Saleor through this app, the tier items back in stock,
    the backing no longer counted) or refuses with a note. Refused as stale once the campaign has ended or
    the request was decided; Saleor's refusal leaves it FAILED with its message."""
    with transaction.atomic():
        refund = BackerRefund.objects.select_for_update().select_related("campaign__unit").get(pk=refund_id)
        campaign = refund.campaign
        if not may_decide_backer_refund(actor, campaign):
            raise CampaignError(Code.NOT_ALLOWED)
        if refund.status != BackerRefund.Status.REQUESTED:
            raise CampaignError(Code.STALE)
        if not approve and not note.strip():
            raise CampaignError(Code.REASON_REQUIRED, "note")
        if approve and (campaign.state != S.LIVE or clock.now() >= campaign.ends_at):
            raise CampaignError(Code.STALE)  # decided at the deadline: the campaign's own refunds apply
        refund.decision_note = note.strip()
        refund.record_decision(
            BackerRefund.Status.REFUNDING if approve else BackerRefund.Status.REFUSED,
            actor,
            also=("decision_note",),
        )
        _audit(
            campaign,
            actor,
            "campaign.backer_refund_" + ("approve" if approve else "refuse"),
            campaign.state,
            order=refund.order_ref,
            amount=refund.amount,
            note=refund.decision_note,
        )
        if not approve:
            return refund
        over = over_limit_items(campaign_id=campaign.pk, order_ref=refund.order_ref)
        # the backing's items (less those refunded already as beyond the tier's limit, never taken)
        items = [
            (p, p.quantity - over.get(p.line_ref, 0))
            for p in Pledge.objects.filter(campaign=campaign, order_ref=refund.order_ref)
        ]
        items = [(p, n) for p, n in items if n > 0]
        with connection.cursor() as cursor:  # the items go back to the tier's stock
            for pledge, n in items:
                cursor.execute(_UNRESERVE, [n, pledge.tier_id])
        selectors_invalidate(campaign)
    try:
        refund_grant_and_request(
            order_id=refund.order_ref,
            lines=[(p.line_ref, n) for p, n in items],
            amount=refund.amount,
            currency=refund.currency,
            reason=_("Refund of a backing of crowdfunding campaign %(title)s, at the backer's request")
            % {"title": campaign.title_zh},
            client=client or app_client(),
            granted_id=refund.saleor_granted_refund_id,
            on_granted=lambda gid: BackerRefund.objects.filter(pk=refund.pk).update(
                saleor_granted_refund_id=gid
            ),
        )
    except Exception as exc:  # Saleor's refusal or an outage: kept with its reason for the unit to see
        BackerRefund.objects.filter(pk=refund.pk).update(
            status=BackerRefund.Status.FAILED, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        refund.refresh_from_db()
        _audit(campaign, actor, "campaign.backer_refund_failed", campaign.state, order=refund.order_ref)
        return refund
    refund.refresh_from_db()
    return refund


# ----------------------------------------------------------------------------------------------------------
# Backers' mails

MAILED = (S.SUCCEEDED, S.FAILED, S.CANCELLED)


def backer_mails_create(campaign: Campaign) -> list[BackerMail]:
    """One mail per backing order for the campaign's outcome (call in the transaction that decided it);
    queued once that commits (robust: a broker outage is logged, never undoes the decision)."""
    if campaign.state not in MAILED:
        return []
    orders = (
        Pledge.objects.filter(campaign=campaign)
        .exclude(order_ref__in=selectors.withdrawn_orders(campaign))
        .values_list("order_ref", flat=True)
        .distinct()
        .order_by("order_ref")
    )
    created = []
    for order_ref in orders:
        mail, new = BackerMail.objects.get_or_create(
            campaign=campaign,
            order_ref=order_ref,
            outcome=campaign.state,
            defaults={"created_at": clock.now()},
        )
        if new:
            transaction.on_commit(lambda pk=mail.pk: tasks.mail_backer.delay(pk), robust=True)
            created.append(mail)
    return created
