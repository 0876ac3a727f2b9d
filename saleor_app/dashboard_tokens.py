"""Verifies the token the Saleor Dashboard hands this app's pages (AppBridge), against Saleor's JWKS.

The Dashboard gives a page inside it a JWT Saleor made for this app and the staff user looking at it
(`type` "thirdparty", claims `app`, `email`, `is_staff`, `user_permissions`, `exp`; RS256, the key that
signs webhooks: ../shared/saleor/APP-PROTOCOL.md §11). It proves who the Saleor staff user is; what they
may do here is still this service's own roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import jwt

from core import clock
from saleor_app.models import SaleorInstallation
from saleor_app.signatures import SignatureInvalid, key_for


class DashboardTokenInvalid(Exception):
    """The token is not one Saleor made for this app and a staff user, or it has expired."""


@dataclass(frozen=True)
class DashboardUser:
    """Who the Dashboard says is looking: a Saleor staff user, by e-mail, with their Saleor permissions."""

    email: str
    saleor_user_id: str
    permissions: tuple[str, ...]
    api_url: str


def dashboard_token_verify(token: str) -> DashboardUser:
    """The staff user a Dashboard token names, once its signature, issuer, app, type and expiry hold."""
    if not token or token.count(".") != 2:
        raise DashboardTokenInvalid("not a JWT")
    try:
        header = jwt.get_unverified_header(token)
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss", "")
    except (SignatureInvalid, jwt.PyJWTError) as exc:
        raise DashboardTokenInvalid(f"malformed token: {exc}") from exc
    # The issuer picks the installation; its keys then prove the issuer (an unknown Saleor has none here).
    installation = SaleorInstallation.objects.filter(api_url=issuer).first()
    if installation is None or not installation.app_id:
        raise DashboardTokenInvalid(f"no installation of this app at {issuer!r}")
    if header.get("alg") != "RS256" or not header.get("kid"):
        raise DashboardTokenInvalid("the token must be RS256 with a key id")
    try:
        key = key_for(installation, header["kid"])
        # Expiry against the business clock (below), so a moved clock in tests moves it too.
        claims = jwt.decode(
            token, key=key, algorithms=["RS256"], options={"verify_exp": False, "verify_aud": False}
        )
    except (SignatureInvalid, jwt.PyJWTError) as exc:
        raise DashboardTokenInvalid(f"signature: {exc}") from exc
    if claims.get("type") != "thirdparty":
        raise DashboardTokenInvalid(f"token type {claims.get('type')!r} is not the Dashboard's app token")
    if claims.get("app") != installation.app_id:
        raise DashboardTokenInvalid("the token was made for another app")
    if not claims.get("is_staff") or not claims.get("email"):
        raise DashboardTokenInvalid("the token does not name a staff user")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or datetime.fromtimestamp(exp, UTC) <= clock.now():
        raise DashboardTokenInvalid("the token has expired")
    return DashboardUser(
        email=claims["email"],
        saleor_user_id=str(claims.get("user_id", "")),
        permissions=tuple(claims.get("user_permissions") or ()),
        api_url=installation.api_url,
    )
