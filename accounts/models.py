"""The access trail, login throttle buckets and hashed recovery codes."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin

from core import clock

# A recovery code as read aloud or typed: O, I and L are read as 0, 1 and 1 (Crockford's base32).
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def recovery_code_digest(code: str) -> str:
    """The SHA-256 digest kept for a recovery code (spaces, dashes and case ignored)."""
    normalised = "".join(code.upper().split()).replace("-", "").translate(_READ_AS)
    return hashlib.sha256(normalised.encode()).hexdigest()


class AccessEvent(models.Model):
    """Who changed a role or a sign-in setting of whom, and when: append-only (a PostgreSQL trigger)."""

    class Action(models.TextChoices):
        ACCOUNT_CREATED = "account.created", _("Account created (e-mail address confirmed)")
        ROLE_GRANTED = "role.granted", _("Role granted")
        ROLE_REVOKED = "role.revoked", _("Role revoked")
        INVITATION_SENT = "invitation.sent", _("Invitation sent")
        INVITATION_ACCEPTED = "invitation.accepted", _("Invitation accepted")
        INVITATION_DECLINED = "invitation.declined", _("Invitation declined")
        INVITATION_REVOKED = "invitation.revoked", _("Invitation withdrawn")
        TWO_FACTOR_ENROLLED = "2fa.enrolled", _("Second factor set up")
        TWO_FACTOR_RESET = "2fa.reset", _("Second factor reset")
        RECOVERY_CODES_REGENERATED = "2fa.recovery_codes", _("Recovery codes regenerated")
        RECOVERY_CODE_USED = "2fa.recovery_code_used", _("Recovery code used to sign in")
        PASSWORD_CHANGED = "password.changed", _("Password changed")
        LOGIN_LOCKED = "login.locked", _("Sign-in locked after failed attempts")
        LOGIN_SALEOR_DASHBOARD = "login.saleor_dashboard", _("Signed in from the Saleor Dashboard")

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="whose access changed",
    )
    action = models.CharField(max_length=40, choices=Action.choices)
    scope = models.CharField(max_length=100, blank=True, help_text="e.g. unit:<uid>")
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["scope", "at"], name="access_event_scope_idx"),
            models.Index(fields=["user", "at"], name="access_event_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.scope}"


class LoginThrottle(models.Model):
    """Failed sign-ins of one account or one client address in one scope, and until when it is locked.

    The key is an HMAC of the e-mail address or IP address: the table names nobody.
    """

    class Kind(models.TextChoices):
        ACCOUNT = "account", _("account")
        ADDRESS = "address", _("client address")

    scope = models.CharField(max_length=16)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    key = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "kind", "key"], name="login_throttle_bucket_unique")
        ]
        indexes = [models.Index(fields=["window_started_at"], name="login_throttle_window_idx")]

    def __str__(self) -> str:
        return f"{self.scope}/{self.kind} {self.key[:8]}"


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """One-time recovery codes for when the authenticator is lost; only their SHA-256 digests are kept."""

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token) -> bool:
        verify_allowed, _ = self.verify_is_allowed()
        if not verify_allowed:
            return False
        if self.recovery_code_consume(str(token)):
            self.throttle_reset()
            return True
        self.throttle_increment()
        return False

    def recovery_code_consume(self, code: str) -> bool:
        """Mark the code used if it is one of this device's unused codes (callers hold the row lock)."""
        used = self.codes.filter(digest=recovery_code_digest(code), used_at__isnull=True).update(
            used_at=clock.now()
        )
        return used == 1


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device", "digest"], name="recovery_code_unique")]

    def __str__(self) -> str:
        return f"recovery code of {self.device_id}"
