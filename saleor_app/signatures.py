"""Verifies Saleor's detached JWS (RS256, RFC 7797 unencoded payload) against the instance's JWKS."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field

import httpx
import jwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.utils.dateparse import parse_datetime
from jwt.utils import base64url_decode, base64url_encode

from core import clock
from saleor_app.client import _http_client
from saleor_app.error_codes import SaleorAppErrorCode
from saleor_app.models import SaleorInstallation

logger = logging.getLogger(__name__)


class SignatureInvalid(Exception):
    """The request is unsigned, malformed, signed by an unknown key or does not match its body."""


@dataclass
class _KeySet:
    keys: dict[str, rsa.RSAPublicKey] = field(default_factory=dict)  # by kid
    fetched_monotonic: float = 0.0


_cache: dict[str, _KeySet] = {}
_lock = threading.Lock()


def _parse_jwks(jwks: dict) -> dict[str, rsa.RSAPublicKey]:
    keys: dict[str, rsa.RSAPublicKey] = {}
    for jwk in jwks.get("keys", []):
        if jwk.get("kty") == "RSA" and jwk.get("kid"):
            key = jwt.PyJWK(jwk, algorithm="RS256").key
            if isinstance(key, rsa.RSAPublicKey):  # a published private key would be a leak, never a signer
                keys[jwk["kid"]] = key
    return keys


def _fetch_jwks(installation: SaleorInstallation) -> dict:
    try:
        response = _http_client().get(installation.jwks_url, timeout=5.0)
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SignatureInvalid(f"JWKS unavailable from {installation.jwks_url}: {exc}") from exc


def key_for(installation: SaleorInstallation, kid: str) -> rsa.RSAPublicKey:
    """Cached key by kid; on an unknown kid the JWKS is refetched once (at most every N seconds)."""
    with _lock:
        keyset = _cache.get(installation.api_url)
        if keyset is None and installation.jwks:
            keyset = _cache[installation.api_url] = _KeySet(_parse_jwks(installation.jwks), 0.0)
        if keyset is not None and kid in keyset.keys:
            return keyset.keys[kid]
        now = time.monotonic()
        if (
            keyset is not None
            and keyset.fetched_monotonic
            and (now - keyset.fetched_monotonic < settings.SALEOR_JWKS_MIN_REFRESH_SECONDS)
        ):
            raise SignatureInvalid(f"unknown key id {kid!r} (JWKS refreshed recently)")
        jwks = _fetch_jwks(installation)
        keyset = _cache[installation.api_url] = _KeySet(_parse_jwks(jwks), now)
    # Persist so a restarted process does not need to refetch; a plain UPDATE, outside the lock.
    SaleorInstallation.objects.filter(pk=installation.pk).update(jwks=jwks, jwks_fetched_at=clock.now())
    if kid not in keyset.keys:
        raise SignatureInvalid(f"unknown key id {kid!r}")
    return keyset.keys[kid]


_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def _segment(text: str, name: str) -> bytes:
    """A JWS segment's bytes, only if it is written in canonical unpadded base64url (RFC 7515 §2)."""
    if not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise SignatureInvalid(f"malformed signature: the {name} is not base64url")
    decoded = base64url_decode(text)
    if base64url_encode(decoded).decode() != text:  # one spelling only (no stray bits in the last char)
        raise SignatureInvalid(f"malformed signature: the {name} is not canonical base64url")
    return decoded


def verify(installation: SaleorInstallation, body: bytes, signature: str) -> None:
    """Raise SignatureInvalid unless `signature` is Saleor's valid detached JWS over exactly `body`.

    Saleor signs with RS256 over RFC 7797's unencoded payload: the token is `<header>..<signature>` and
    the signed bytes are `<header>.` followed by the body itself.
    """
    # Checked here, with PyJWT's key and cryptography's RSA, instead of by jwt.api_jws.decode_complete:
    # that walks every character of the segments in Python and cost 61 us a delivery against 26 us for
    # these same checks (the RSA verification itself ~20 us), on the intake's hot path (issue #17).
    if not signature:
        raise SignatureInvalid("missing Saleor-Signature")
    parts = signature.split(".")
    if len(parts) != 3 or parts[1]:
        raise SignatureInvalid("malformed signature: not a detached JWS (<header>..<signature>)")
    header_segment, _, signature_segment = parts
    try:
        header = json.loads(_segment(header_segment, "header"))
    except ValueError as exc:
        raise SignatureInvalid(f"malformed signature: the header is not JSON: {exc}") from exc
    if not isinstance(header, dict):
        raise SignatureInvalid("malformed signature: the header is not a JSON object")
    kid = header.get("kid")
    # b64=false must be marked critical (RFC 7797 §6), and a critical extension we do not know refused
    # (RFC 7515 §4.1.11): Saleor's header is exactly {"alg":"RS256","b64":false,"crit":["b64"],"kid":…}.
    if (
        header.get("alg") != "RS256"
        or header.get("b64") is not False
        or header.get("crit") != ["b64"]
        or not isinstance(kid, str)
        or not kid
    ):
        raise SignatureInvalid("signature must be a detached RS256 JWS with critical b64=false and a kid")
    key = key_for(installation, kid)
    signed = header_segment.encode("ascii") + b"." + body
    try:
        key.verify(_segment(signature_segment, "signature"), signed, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise SignatureInvalid("signature does not match the body") from exc


class RecipientMismatch(Exception):
    """Validly signed by the Saleor, but for another app installed there: never ours to act on."""


class RecipientUnknown(Exception):
    """The delivery names no recipient, or this installation's app id is not confirmed yet: not now."""


def verify_recipient(installation: SaleorInstallation, payload: object) -> None:
    """Raise unless the (verified) delivery's `recipient.id` is this installation's app.

    One Saleor key signs every app's deliveries: another app there (or staff with MANAGE_APPS) can point a
    webhook at this service, so the signature alone does not say the delivery was meant for us. A
    reinstall changes the app id: a mismatch is checked once more against the stored row before refusing.
    """
    recipient = payload.get("recipient") if isinstance(payload, dict) else None
    recipient_id = recipient.get("id") if isinstance(recipient, dict) else None
    if not isinstance(recipient_id, str) or not recipient_id:
        raise RecipientUnknown("the delivery names no recipient (a subscription without `recipient { id }`)")
    app_id = installation.app_id
    if recipient_id != app_id:
        stored = SaleorInstallation.objects.filter(pk=installation.pk).values_list("app_id", flat=True)
        app_id = stored.first()
    if not app_id:
        raise RecipientUnknown("this installation's app id is not confirmed yet")
    if recipient_id != app_id:
        raise RecipientMismatch(f"the delivery is for app {recipient_id!r}, not this app ({app_id!r})")


def recipient_refusal(
    installation: SaleorInstallation, payload: object, name: str
) -> tuple[int, str, str] | None:
    """Status, code and message refusing a delivery not addressed to this app (None: it is ours).

    Another app's: 403, which Saleor does not retry. No recipient or no confirmed app id yet: 503, which it
    retries, so deliveries made with subscriptions older than `recipient { id }` are not lost while
    `saleor_install` brings them up to date."""
    try:
        verify_recipient(installation, payload)
    except RecipientMismatch as exc:
        logger.warning("webhook %s refused: %s", name, exc)
        return 403, SaleorAppErrorCode.RECIPIENT_MISMATCH, "This delivery is addressed to another app."
    except RecipientUnknown as exc:
        logger.error("webhook %s refused for now: %s; run saleor_install", name, exc)
        message = "This delivery does not say which app it is for; retry later."
        return 503, SaleorAppErrorCode.RECIPIENT_UNKNOWN, message
    return None


def fresh(payload: dict) -> bool:
    """Whether a sync webhook's `issuedAt` is recent (SALEOR_SYNC_WEBHOOK_MAX_AGE, a minute of clock skew
    allowed): a signed body captured and replayed later is refused."""
    issued_at = parse_datetime(str(payload.get("issuedAt") or ""))
    if issued_at is None or issued_at.tzinfo is None:
        return False
    age = (clock.now() - issued_at).total_seconds()
    return -60 <= age <= settings.SALEOR_SYNC_WEBHOOK_MAX_AGE


def forget_cached_keys() -> None:
    """Drop the in-process JWKS cache (tests, key rotation drills)."""
    with _lock:
        _cache.clear()
