"""The second factor: TOTP (django-otp) with one-time recovery codes of which only digests are kept."""

from __future__ import annotations

import secrets

import segno
from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.audit import access_record
from accounts.models import AccessEvent, RecoveryCode, RecoveryCodeDevice, recovery_code_digest

A = AccessEvent.Action
RECOVERY_CODE_COUNT = 10
# Crockford's base32: no I, L, O or U to misread; 16 characters are 80 bits, beyond brute force of a digest.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def required(user) -> bool:
    """Whether this user's roles require a second factor (the policy named by SECOND_FACTOR_POLICY)."""
    return bool(user.is_authenticated and import_string(settings.SECOND_FACTOR_POLICY)(user))


def totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_setup_start(*, user) -> TOTPDevice:
    """The authenticator being set up (a new secret, or the one already shown and not yet confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def totp_setup_confirm(*, user, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the new authenticator with a code from it; it replaces any older one. Returns fresh
    recovery codes (shown once), or None when the code is wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token(token.strip()):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_new(user)
    access_record(action=A.TWO_FACTOR_ENROLLED, actor=user, user=user)
    return codes


def second_factor_verify(*, user, token: str):
    """The device that accepts `token` (a TOTP code, or an unused recovery code), or None."""
    token = token.strip().replace(" ", "")
    if token.isdigit() and len(token) <= 8:  # an authenticator's code; recovery codes are 16 characters
        device = totp_device(user)
        return verify_token(user, device.persistent_id, token) if device else None
    device = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or verify_token(user, device.persistent_id, token) is None:
        return None
    access_record(action=A.RECOVERY_CODE_USED, actor=user, user=user, left=recovery_codes_left(user))
    return device


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(device__user=user, used_at__isnull=True).count()


@transaction.atomic
def recovery_codes_regenerate(*, user) -> list[str]:
    """New codes replace all old ones (used or not)."""
    codes = _recovery_codes_new(user)
    access_record(action=A.RECOVERY_CODES_REGENERATED, actor=user, user=user)
    return codes


@transaction.atomic
def second_factor_reset(*, user, actor) -> None:
    """Forget the user's authenticator and recovery codes (a lost phone); they set up anew at next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    access_record(action=A.TWO_FACTOR_RESET, actor=actor, user=user)


def qr_svg(data: str) -> str:
    """An inline SVG of the QR code (no script, no image request: works under a strict CSP and without JS)."""
    return segno.make(data, error="m").svg_inline(scale=5, dark="#000", light="#fff")


def _recovery_codes_new(user) -> list[str]:
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=recovery_code_digest(c)) for c in codes
    )
    return codes
