"""Writes and reads of designers as users: their profile and portfolio (the unit's payee registration is
unit_onboarding.Designer, linked to the account when claimed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from catalog import services as catalog_services
from core import clock
from core.audit import audit_record
from resources.models import DesignerProfile, PortfolioImage

PROFILE_FIELDS = ("display_name_zh", "display_name_en", "kind", "bio", "website")
PORTFOLIO_LIMIT = 12


def profile_of(user) -> DesignerProfile | None:
    if not user.is_authenticated:
        return None
    return DesignerProfile.objects.filter(account=user).first()


@transaction.atomic
def profile_save(*, user, data: Mapping[str, Any]) -> DesignerProfile:
    """Create or change the account's designer profile (one per account)."""
    profile, created = DesignerProfile.objects.select_for_update().get_or_create(
        account=user,
        defaults={"created_at": clock.now(), **{k: data[k] for k in PROFILE_FIELDS if k in data}},
    )
    if not created:
        for name in PROFILE_FIELDS:
            if name in data:
                setattr(profile, name, data[name])
        profile.save()
    audit_record(
        actor=user,
        action="designer_profile.created" if created else "designer_profile.changed",
        subject=f"designer_profile:{profile.pk}",
        display_name_zh=profile.display_name_zh,
        kind=profile.kind,
    )
    return profile


def portfolio_add(*, profile: DesignerProfile, upload: UploadedFile, caption: str = "") -> PortfolioImage:
    """Add a picture of the designer's work through the catalog's image checks (images.ImageRefused)."""
    with transaction.atomic():
        DesignerProfile.objects.select_for_update().get(pk=profile.pk)  # the limit holds under concurrency
        if profile.portfolio.count() >= PORTFOLIO_LIMIT:
            raise PortfolioFull(PORTFOLIO_LIMIT)
        asset = catalog_services.image_asset_create(owner_key=f"designer_profile:{profile.pk}", upload=upload)
        return PortfolioImage.objects.create(
            profile=profile, image=asset, caption=caption, created_at=clock.now()
        )


@transaction.atomic
def portfolio_remove(*, profile: DesignerProfile, pk: int) -> bool:
    return PortfolioImage.objects.filter(profile=profile, pk=pk).delete()[0] > 0


class PortfolioFull(ValueError):
    """The portfolio already holds the most pictures it may."""
