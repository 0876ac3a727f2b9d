"""Writes of cultural provenance: a unit's collection objects (also from CSV), IP licences, royalties."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from catalog import index_hooks, listings
from catalog.csv_rows import ImportResult, RowError, parse_bool, read_rows
from catalog.error_codes import CatalogError, CatalogErrorCode
from catalog.models import CollectionObject, DesignerRoyalty, IpLicence, Listing
from core import clock
from core.audit import audit_record
from core.errors import reason_given, refuse_same_person
from unit_onboarding.models import Designer, Unit
from unit_onboarding.permissions import can_manage_designers

OBJECT_FIELDS = (
    "title_zh",
    "title_en",
    "accession_number",
    "era",
    "material",
    "dimensions",
    "story_zh",
    "story_en",
    "public_domain",
)
OBJECT_CSV_REQUIRED = ("accession_number", "title_zh")
_LIMITS = {f.name: f.max_length for f in CollectionObject._meta.fields if getattr(f, "max_length", None)}


class DuplicateAccession(ValueError):
    """The unit already has an object with this accession number."""


def collection_object_save(
    *, unit: Unit, data: Mapping[str, Any], obj: CollectionObject | None = None
) -> CollectionObject:
    """Create or edit one of the unit's collection objects; accession numbers are unique per unit."""
    obj = obj or CollectionObject(unit=unit)
    for name in (*OBJECT_FIELDS, "image"):
        if name in data:
            setattr(obj, name, data[name])
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise DuplicateAccession(obj.accession_number) from exc
    index_hooks.object_changed(object_id=obj.pk)
    return obj


def _object_row(row: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    values: dict[str, Any] = {}
    errors = []
    for name in OBJECT_FIELDS:
        raw = row.get(name, "")
        if name == "public_domain":
            flag = parse_bool(raw)
            if flag is None:
                errors.append((name, "use yes/no (是/否)"))
            values[name] = bool(flag)
            continue
        if name in OBJECT_CSV_REQUIRED and not raw:
            errors.append((name, "required"))
        if len(raw) > _LIMITS.get(name, 10**6):
            errors.append((name, f"at most {_LIMITS[name]} characters"))
        values[name] = raw
    return values, errors


def collection_objects_import(*, unit: Unit, data: bytes, dry_run: bool) -> ImportResult:
    """Create or update objects by accession number from CSV; all rows or none (errors per row)."""
    result = ImportResult(dry_run=dry_run)
    rows = read_rows(data, required=OBJECT_CSV_REQUIRED)
    parsed = []
    seen: dict[str, int] = {}
    for number, row in rows:
        values, errors = _object_row(row)
        result.errors += [RowError(number, column, message) for column, message in errors]
        accession = values["accession_number"]
        if accession and accession in seen:
            result.errors.append(RowError(number, "accession_number", f"repeats row {seen[accession]}"))
        seen.setdefault(accession, number)
        parsed.append(values)
    if result.errors:
        return result
    existing = set(
        CollectionObject.objects.filter(unit=unit, accession_number__in=seen).values_list(
            "accession_number", flat=True
        )
    )
    result.updated = sum(1 for v in parsed if v["accession_number"] in existing)
    result.created = len(parsed) - result.updated
    if dry_run:
        return result
    with transaction.atomic():
        for values in parsed:
            obj, _created = CollectionObject.objects.update_or_create(
                unit=unit, accession_number=values["accession_number"], defaults=values
            )
            index_hooks.object_changed(object_id=obj.pk)
    return result


LICENCE_FIELDS = (
    "licensee_name",
    "licensee_credit_code",
    "scope",
    "valid_from",
    "valid_until",
    "royalty_bps",
)


def ip_licence_create(*, licensor: Unit, data: Mapping[str, Any]) -> IpLicence:
    """Record a licence in force at once (term and royalty checked by the database too).

    For seeding and for terms already agreed elsewhere; a person records one through `ip_licence_propose`.
    """
    return IpLicence.objects.create(
        licensor=licensor, status=IpLicence.Status.IN_FORCE, **{k: data[k] for k in LICENCE_FIELDS}
    )


def _licence_audit(licence: IpLicence, *, actor, action: str, **detail) -> None:
    audit_record(
        actor=actor,
        action=f"ip_licence.{action}",
        subject=f"ip_licence:{licence.pk}",
        party=licence.licensor.party_key,
        licensee=licence.licensee_name,
        royalty_bps=licence.royalty_bps,
        term=f"{licence.valid_from}..{licence.valid_until}",
        **detail,
    )


def ip_licence_propose(*, licensor: Unit, data: Mapping[str, Any], actor) -> IpLicence:
    """A licence the unit grants, in force once a second person confirms it (`ip_licence_confirm`)."""
    with transaction.atomic():
        licence = IpLicence.objects.create(
            licensor=licensor, created_by=actor, **{k: data[k] for k in LICENCE_FIELDS}
        )
        _licence_audit(licence, actor=actor, action="proposed")
    return licence


def can_confirm_licences(user, unit: Unit) -> bool:
    """The unit's finance staff, platform finance and reviewers: those who set the unit's money terms."""
    return can_manage_designers(user, unit)


def _pending_licence(licence_id: int, actor) -> IpLicence:
    licence = IpLicence.objects.select_for_update(of=("self",)).select_related("licensor").get(pk=licence_id)
    if licence.status != IpLicence.Status.PENDING:
        raise CatalogError(CatalogErrorCode.LICENCE_NOT_PENDING)
    if not can_confirm_licences(actor, licence.licensor):
        raise PermissionError("not finance of the licensor")
    refuse_same_person(actor, licence.created_by_id, CatalogError, CatalogErrorCode.LICENCE_SAME_PERSON)
    return licence


def ip_licence_confirm(*, licence_id: int, actor) -> IpLicence:
    """A second person puts the licence in force, unless its term is already over."""
    with transaction.atomic():
        licence = _pending_licence(licence_id, actor)
        if licence.valid_until < clock.today():
            raise CatalogError(CatalogErrorCode.LICENCE_ENDED)
        licence.record_decision(IpLicence.Status.IN_FORCE, actor)
        _licence_audit(licence, actor=actor, action="confirmed", proposed_by=licence.created_by_id)
    return licence


def ip_licence_reject(*, licence_id: int, actor, reason: str) -> IpLicence:
    reason = reason_given(reason, CatalogError, CatalogErrorCode.LICENCE_REASON_REQUIRED, "reason")
    with transaction.atomic():
        licence = _pending_licence(licence_id, actor)
        licence.reject_reason = reason
        licence.record_decision(IpLicence.Status.REJECTED, actor, also=("reject_reason",))
        _licence_audit(licence, actor=actor, action="rejected", reason=reason)
    return licence


def designer_royalty_check(
    *, listing: Listing, designer: Designer | None, bps: int, effective_from: datetime, now: datetime
) -> DesignerRoyalty | None:
    """Refuse terms that cannot apply (no designer, another unit's, retroactive); return those in force."""
    if bps and designer is None:
        raise CatalogError(CatalogErrorCode.ROYALTY_DESIGNER_REQUIRED, "designer")
    if designer is not None and designer.unit_id != listing.unit_id:
        raise CatalogError(CatalogErrorCode.ROYALTY_DESIGNER_OF_OTHER_UNIT, "designer")
    if effective_from < now:
        raise CatalogError(CatalogErrorCode.ROYALTY_IN_PAST, "effective_from")
    current = DesignerRoyalty.objects.filter(listing=listing, effective_to__isnull=True).first()
    if current is not None and effective_from <= current.effective_from:
        raise CatalogError(
            CatalogErrorCode.ROYALTY_BEFORE_CURRENT,
            "effective_from",
            start=clock.local(current.effective_from).strftime("%Y-%m-%d %H:%M"),
        )
    return current


def designer_royalty_set(
    *,
    listing: Listing,
    designer: Designer | None,
    bps: int,
    effective_from: datetime,
    actor=None,
    approver=None,
    now: datetime | None = None,
) -> DesignerRoyalty | None:
    """From `effective_from` on, `designer` earns `bps` of each sale of the product (0: no royalty).

    Never retroactive: the start is not in the past, nor before the terms already set; the terms in force
    until then are closed at `effective_from`, so earlier sales keep theirs. An audited money action that
    people reach only through an approved change (catalog.royalty_changes); seeding calls it directly.
    """
    with transaction.atomic():
        Listing.objects.select_for_update().filter(pk=listing.pk).first()  # one change per product at a time
        current = designer_royalty_check(
            listing=listing, designer=designer, bps=bps, effective_from=effective_from, now=now or clock.now()
        )
        if current is not None:
            current.effective_to = effective_from
            current.save(update_fields=["effective_to"])
        royalty = None
        if bps:
            royalty = DesignerRoyalty.objects.create(
                listing=listing, designer=designer, bps=bps, effective_from=effective_from, created_by=actor
            )
        if bps or current is not None:
            audit_record(
                actor=approver or actor,
                action="designer_royalty.set",
                subject=f"listing:{listing.uid}",
                party=designer.party_key if designer else (current.party_key if current else ""),
                bps=bps,
                effective_from=effective_from.isoformat(),
                replaced=f"{current.party_key} {current.bps}" if current else None,
                proposed_by=str(actor) if approver else None,
            )
    return royalty


def listings_unpublish_expired(*, today=None) -> int:
    """Take off sale every product whose IP licence ended before today; returns how many."""
    today = today or clock.today()
    ids = list(
        Listing.objects.filter(on_sale=True, licence__valid_until__lt=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for listing_id in ids:
        listings.listing_publish(listing=Listing(pk=listing_id), on_sale=False)
    return len(ids)
