"""Writes of unit onboarding: applications and their workflow, documents, profiles, invitations."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from accounts.audit import access_record
from accounts.models import AccessEvent
from core import clock
from core.db import violated_constraint
from unit_onboarding import filetypes, provisioning, tasks, uscc
from unit_onboarding.error_codes import OnboardingError
from unit_onboarding.error_codes import OnboardingErrorCode as Code
from unit_onboarding.models import (
    Application,
    ApplicationTransition,
    Document,
    OperatingEntity,
    Unit,
    UnitMembership,
)
from unit_onboarding.permissions import is_reviewer
from unit_onboarding.sanitise import story_clean
from unit_onboarding.selectors import agreement_version_in_force
from unit_onboarding.unit_payout import unit_payout_update

S = Application.Status
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
EDITABLE = {S.DRAFT, S.CHANGES_REQUESTED}

# Who may move an application from one status to another.
APPLICANT, REVIEWER = "applicant", "reviewer"
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.SUBMITTED): APPLICANT,
    (S.CHANGES_REQUESTED, S.SUBMITTED): APPLICANT,
    (S.SUBMITTED, S.IN_REVIEW): REVIEWER,
    (S.IN_REVIEW, S.CHANGES_REQUESTED): REVIEWER,
    (S.IN_REVIEW, S.APPROVED): REVIEWER,
    (S.IN_REVIEW, S.REJECTED): REVIEWER,
}

UNIT_FIELDS = (
    "legal_name_zh",
    "legal_name_en",
    "unit_type",
    "credit_code",
    "province",
    "city",
    "district",
    "street",
    "postal_code",
    "contact_name",
    "contact_phone",
    "contact_email",
    "pilot_level",
    "operating_mode",
)
ENTITY_FIELDS = (
    "legal_name",
    "credit_code",
    "settlement_method",
    "bank_name",
    "bank_account",
    "stripe_account_id",
)
REQUIRED_UNIT_FIELDS = tuple(f for f in UNIT_FIELDS if f != "legal_name_en")
REQUIRED_DOCUMENTS = (Document.Kind.BUSINESS_LICENCE,)


def application_start(*, applicant: AbstractBaseUser, language: str) -> Application:
    """The applicant's open application, or a new empty draft with its unit and operating entity."""
    try:
        with transaction.atomic():
            unit = Unit.objects.create()
            OperatingEntity.objects.create(unit=unit)
            return Application.objects.create(unit=unit, applicant=applicant, language=language)
    except IntegrityError as exc:
        if violated_constraint(exc) != "application_one_open_per_applicant":
            raise
        return Application.objects.exclude(status__in=[S.APPROVED, S.REJECTED]).get(applicant=applicant)


def _registered_save(holder: Unit | OperatingEntity, names: tuple[str, ...], data: Mapping[str, Any]) -> None:
    """Set those of `names` that `data` holds on the unit or its entity, normalise its credit code, save."""
    for name in names:
        if name in data:
            setattr(holder, name, data[name])
    holder.credit_code = uscc.normalise(holder.credit_code)
    holder.save()


def application_save(
    *,
    application: Application,
    unit_data: Mapping[str, Any],
    entity_data: Mapping[str, Any],
    payout_data: Mapping[str, Any] | None = None,
) -> Application:
    """Save the draft's fields all or nothing; a credit code already applied for is refused.

    `payout_data` (optional) are the unit's own bank details, saved as the payout page does (audited).
    """
    try:
        with transaction.atomic():
            application = Application.objects.select_for_update().get(pk=application.pk)
            if application.status not in EDITABLE:
                raise OnboardingError(Code.TRANSITION_NOT_ALLOWED)
            unit = application.unit
            _registered_save(unit, UNIT_FIELDS, unit_data)
            _registered_save(unit.operating_entity, ENTITY_FIELDS, entity_data)
            if payout_data is not None:
                unit_payout_update(unit=unit, data=payout_data, actor=application.applicant)
            application.save(update_fields=["updated_at"])
    except IntegrityError as exc:
        if violated_constraint(exc) == "unit_credit_code_unique":
            raise OnboardingError(Code.CREDIT_CODE_TAKEN, "credit_code") from exc
        raise
    return application


def application_missing(application: Application) -> list[str]:
    """Fields and documents still needed before the application can be submitted."""
    unit = application.unit
    entity = unit.operating_entity
    missing = [name for name in REQUIRED_UNIT_FIELDS if not getattr(unit, name)]
    missing += [f"entity_{name}" for name in ("legal_name", "credit_code") if not getattr(entity, name)]
    if entity.settlement_method == OperatingEntity.Settlement.BANK:
        missing += [f"entity_{n}" for n in ("bank_name", "bank_account") if not getattr(entity, n)]
    elif not entity.stripe_account_id:
        missing.append("entity_stripe_account_id")
    kinds = set(application.documents.values_list("kind", flat=True))
    missing += [f"document_{kind}" for kind in REQUIRED_DOCUMENTS if kind not in kinds]
    return missing


@transaction.atomic
def application_transition(
    *, application: Application, to_status: str, actor: AbstractBaseUser, comment: str = ""
) -> Application:
    """Move the application if the actor's role allows it; record it, mail the applicant, act on approval."""
    application = Application.objects.select_for_update().select_related("unit").get(pk=application.pk)
    who = TRANSITIONS.get((application.status, to_status))
    allowed = (who == APPLICANT and application.applicant_id == actor.pk) or (
        who == REVIEWER and is_reviewer(actor)
    )
    if not allowed:
        raise OnboardingError(Code.TRANSITION_NOT_ALLOWED)
    if to_status == S.SUBMITTED and (missing := application_missing(application)):
        raise OnboardingError(Code.APPLICATION_INCOMPLETE, missing=", ".join(missing))
    # Every sale of an approved unit must find terms to split by.
    if to_status == S.APPROVED and agreement_version_in_force(application.unit, clock.now()) is None:
        raise OnboardingError(Code.AGREEMENT_MISSING)
    transition = ApplicationTransition.objects.create(
        application=application,
        actor=actor,
        from_status=application.status,
        to_status=to_status,
        comment=comment,
    )
    application.status = to_status
    application.save(update_fields=["status", "updated_at"])
    unit = application.unit
    if to_status == S.APPROVED:
        unit.status = Unit.Status.ACTIVE
        unit.save(update_fields=["status", "updated_at"])
        _membership, created = UnitMembership.objects.get_or_create(
            user_id=application.applicant_id, unit=unit, role=UnitMembership.Role.OPERATOR
        )
        if created:  # the applicant becomes the unit's first operator: a grant like any other
            access_record(
                action=AccessEvent.Action.ROLE_GRANTED,
                actor=actor,
                user=application.applicant,
                scope=f"unit:{unit.uid}",
                role=UnitMembership.Role.OPERATOR,
                via="application approved",
            )
        provisioning.unit_provisioning_request(unit=unit)
        transaction.on_commit(lambda: _enqueue_provisioning(unit.pk))
    elif to_status == S.REJECTED:
        unit.status = Unit.Status.REJECTED
        unit.save(update_fields=["status", "updated_at"])
    transaction.on_commit(lambda: tasks.mail_application_status.delay(transition.pk))
    return application


def _enqueue_provisioning(unit_id: int) -> None:
    tasks.provision_unit.delay(unit_id)


def unit_provisioning_retry(*, unit: Unit) -> None:
    """The visible retry: mark pending and run the task now."""
    provisioning.unit_provisioning_retry(unit=unit)
    transaction.on_commit(lambda: _enqueue_provisioning(unit.pk))


def document_check(upload: UploadedFile) -> str:
    """The upload's content type, proven by its bytes; oversized, other types and unsafe content (a PDF with
    scripts or embedded files, an image bomb) are refused, before anything is stored."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise OnboardingError(Code.FILE_TOO_LARGE, "file", limit=MAX_DOCUMENT_BYTES // (1024 * 1024))
    content_type = filetypes.sniff_file(upload)
    if content_type not in filetypes.DOCUMENT_TYPES:
        raise OnboardingError(Code.FILE_TYPE_NOT_ALLOWED, "file")
    filetypes.content_check(upload, content_type, "file")
    return content_type


def document_add(
    *, application: Application, kind: str, upload: UploadedFile, actor: AbstractBaseUser
) -> Document:
    """Store a checked document under a generated name (the uploader's name is kept only as a label)."""
    content_type = document_check(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    original_name = os.path.basename(upload.name or "document")[:255]
    upload.name = f"{digest.hexdigest()[:32]}.{filetypes.EXTENSIONS[content_type]}"
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status not in EDITABLE:
            raise OnboardingError(Code.TRANSITION_NOT_ALLOWED)
        document = Document(
            application=application,
            kind=kind,
            original_name=original_name,
            content_type=content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
        )
        document.file.save(upload.name, upload, save=False)
        try:
            document.save()
        except Exception:
            document.file.delete(save=False)  # no orphan file when the row is not written
            raise
    return document


@transaction.atomic
def document_delete(*, document: Document) -> None:
    application = Application.objects.select_for_update().get(pk=document.application_id)
    if application.status not in EDITABLE:
        raise OnboardingError(Code.TRANSITION_NOT_ALLOWED)
    name = document.file.name
    storage = document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))


PROFILE_FIELDS = (
    "display_name",
    "story",
    "opening_hours",
    "province",
    "city",
    "district",
    "street",
    "postal_code",
)
PROFILE_IMAGES = ("logo", "banner")


def unit_profile_update(*, unit: Unit, data: Mapping[str, Any]) -> Unit:
    """Storefront profile; the story is sanitised to a small safe subset of HTML."""
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        for name in PROFILE_FIELDS:
            if name in data:
                setattr(unit, name, data[name])
        unit.story = story_clean(unit.story)
        for name in PROFILE_IMAGES:
            value = data.get(name)
            if isinstance(value, UploadedFile):  # a new image; otherwise the form passes the current one back
                getattr(unit, name).save(value.name, value, save=False)
            elif value is False:  # the "clear" box was ticked
                setattr(unit, name, "")
        unit.save()
    return unit
