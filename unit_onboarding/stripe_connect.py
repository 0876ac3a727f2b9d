"""Stripe Connect for operating entities paid through Stripe: an account and its onboarding link.

An entity that chose Stripe settlement without naming an existing account gets an Express account,
created with an idempotency key derived from the entity so a retry never opens a second one; its
account id is stored before anything else happens. The onboarding link is short-lived in Stripe, so
it is stored with its expiry and refreshed when asked for after that.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from core import clock
from core.audit import audit_record
from core.stripe_client import stripe_client
from unit_onboarding.models import OperatingEntity


def _absolute(path: str) -> str:
    return f"{settings.APP_PUBLIC_URL}{path}"


def entity_connect_account_ensure(*, entity_id: int) -> OperatingEntity:
    """Create the entity's Connect account if it has none; safe to repeat."""
    entity = OperatingEntity.objects.select_related("unit").get(pk=entity_id)
    if entity.settlement_method != OperatingEntity.Settlement.STRIPE or entity.stripe_account_id:
        return entity
    account = stripe_client().v1.accounts.create(
        params={
            "type": "express",
            "country": settings.STRIPE_CONNECT_COUNTRY,
            "business_type": "company",
            "company": {"name": entity.legal_name},
            "capabilities": {"transfers": {"requested": True}},
            "metadata": {"operating_entity": str(entity.pk), "unit": str(entity.unit.uid)},
        },
        options={"idempotency_key": f"wenchuang-connect-account:entity:{entity.pk}"},
    )
    with transaction.atomic():
        locked = OperatingEntity.objects.select_for_update().get(pk=entity.pk)
        if not locked.stripe_account_id:
            locked.stripe_account_id = account.id
            locked.stripe_account_created_here = True
            locked.save(update_fields=["stripe_account_id", "stripe_account_created_here"])
            # where the entity's money goes is a money fact: recorded like a confirmed payee change
            audit_record(
                actor=None,
                action="entity.stripe_account_created",
                subject=locked.party_key,
                party=locked.party_key,
                unit=str(entity.unit.uid),
                stripe_account=account.id,
            )
    entity.refresh_from_db()
    return entity


def entity_onboarding_link_refresh(*, entity_id: int) -> OperatingEntity:
    """Store a fresh onboarding link for an account this service created (the old one has expired)."""
    entity = OperatingEntity.objects.select_related("unit").get(pk=entity_id)
    if not entity.stripe_account_created_here:
        return entity  # an account the entity brought is onboarded already, on its own terms
    unit_page = _absolute(reverse("unit_onboarding:unit", args=[entity.unit.uid]))
    link = stripe_client().v1.account_links.create(
        params={
            "account": entity.stripe_account_id,
            "type": "account_onboarding",
            "refresh_url": unit_page,
            "return_url": unit_page,
        }
    )
    OperatingEntity.objects.filter(pk=entity.pk).update(
        stripe_onboarding_url=link.url,
        stripe_onboarding_expires_at=datetime.fromtimestamp(link.expires_at, tz=UTC),
    )
    entity.refresh_from_db()
    return entity


def entity_connect_onboard(*, entity_id: int) -> OperatingEntity:
    """Account, then a link if there is none still valid: the provisioning step for Stripe-paid entities."""
    entity = entity_connect_account_ensure(entity_id=entity_id)
    if not entity.stripe_account_created_here:
        return entity
    if entity.stripe_onboarding_expires_at and entity.stripe_onboarding_expires_at > clock.now():
        return entity
    return entity_onboarding_link_refresh(entity_id=entity.pk)
