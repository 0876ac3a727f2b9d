"""Customer accounts live in Saleor; this service keeps the customer's tokens in its own session."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from accounts import throttle
from saleor_app.errors import SaleorAuthError, SaleorGraphQLError
from storefront.error_codes import StorefrontError
from storefront.saleor import buyer_client
from storefront.services import CheckoutProblem, _run

SESSION_KEY = "sf_customer"


def customer_login(*, session, email: str, password: str, address: str = "") -> dict:
    """Sign in with Saleor's tokenCreate; raises CheckoutProblem(LOGIN_FAILED) when refused.

    Throttled here first, per account and per client `address` (scope "buyer", apart from staff), so one
    attacker's guesses stop before they reach Saleor; Saleor is told the buyer's address, so its own
    throttle blocks that address only, never every buyer of this service.
    """
    lockout = throttle.login_lockout(scope=throttle.BUYER, account=email, address=address)
    if lockout is not None:
        raise CheckoutProblem(codes=[StorefrontError.LOGIN_THROTTLED], note=lockout.message)
    try:
        data = _run(
            "StorefrontTokenCreate", {"email": email, "password": password}, forwarded_for=address or None
        )
    except CheckoutProblem as problem:
        if StorefrontError.LOGIN_THROTTLED in problem.codes:
            # Saleor's own delay: this address is hammering, but the password was not even tried, so it
            # counts against the address only (at its limit Saleor is no longer asked from there).
            throttle.login_failed(scope=throttle.BUYER, account="", address=address)
            raise CheckoutProblem(codes=[StorefrontError.LOGIN_THROTTLED]) from problem
        lockout = throttle.login_failed(scope=throttle.BUYER, account=email, address=address)
        if lockout is not None:
            raise CheckoutProblem(codes=[StorefrontError.LOGIN_THROTTLED], note=lockout.message) from problem
        raise CheckoutProblem(codes=[StorefrontError.LOGIN_FAILED]) from problem
    throttle.login_succeeded(scope=throttle.BUYER, account=email)
    result = data["tokenCreate"]
    session.cycle_key()  # a new session id on privilege change
    session[SESSION_KEY] = {
        "token": result["token"],
        "refresh": result["refreshToken"],
        "email": result["user"]["email"],
        "name": result["user"].get("firstName") or "",
    }
    return result["user"]


def customer_logout(*, session) -> None:
    session.flush()


def customer_of(session) -> dict | None:
    return session.get(SESSION_KEY)


def customer_token(session) -> str | None:
    return (session.get(SESSION_KEY) or {}).get("token")


def customer_register(
    *, email: str, password: str, first_name: str, redirect_url: str, language: str
) -> bool:
    """Create the Saleor account; returns whether Saleor wants the e-mail confirmed first."""
    try:
        data = _run(
            "StorefrontAccountRegister",
            {
                "input": {
                    "email": email,
                    "password": password,
                    "firstName": first_name,
                    "redirectUrl": redirect_url,
                    "languageCode": "EN" if language.startswith("en") else "ZH_HANS",
                    "channel": settings.SALEOR_CHANNEL_SLUG,
                }
            },
        )
    except CheckoutProblem as problem:
        raise CheckoutProblem(codes=[StorefrontError.ACCOUNT_INVALID], by_field=problem.by_field) from problem
    return bool(data["accountRegister"]["requiresConfirmation"])


def _refreshed(session) -> str | None:
    state = session.get(SESSION_KEY) or {}
    if not state.get("refresh"):
        return None
    try:
        data = _run("StorefrontTokenRefresh", {"refreshToken": state["refresh"]})
    except CheckoutProblem:
        return None
    session[SESSION_KEY] = {**state, "token": data["tokenRefresh"]["token"]}
    return data["tokenRefresh"]["token"]


def customer_query(session, name: str, variables: dict[str, Any] | None = None) -> dict | None:
    """Run a query as the signed-in customer, refreshing an expired access token once.

    Saleor answers a stale token either with an error or as if anonymous (every field null).
    """
    token = customer_token(session)
    if not token:
        return None
    try:
        data = buyer_client(token).execute(name, variables)
        if any(value is not None for value in data.values()):
            return data
    except (SaleorAuthError, SaleorGraphQLError):
        pass
    token = _refreshed(session)
    if token is None:
        session.pop(SESSION_KEY, None)
        return None
    return buyer_client(token).execute(name, variables)
