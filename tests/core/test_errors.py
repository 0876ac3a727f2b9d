"""Every app's refusals share one shape: AppError's stable code and message."""

from __future__ import annotations

import pytest

from catalog.error_codes import CatalogError, CatalogErrorCode
from core.errors import AppError
from orders.error_codes import OrderInputError
from payments.error_codes import SettlementError
from payments.errors import LedgerError
from payments.gateway.checkout_payment import PaymentPageError
from payments.split import SplitError
from search.error_codes import SearchError
from shipping.error_codes import ShippingError
from unit_onboarding.error_codes import OnboardingError, OnboardingErrorCode


@pytest.mark.parametrize(
    "error",
    [
        CatalogError,
        OnboardingError,
        SearchError,
        LedgerError,
        SettlementError,
        SplitError,
        OrderInputError,
        PaymentPageError,
        ShippingError,
    ],
)
def test_every_apps_error_is_an_app_error(error):
    assert issubclass(error, AppError)


def test_a_field_error_words_its_message_from_its_apps_table():
    error = OnboardingError(OnboardingErrorCode.DESIGNER_SLUG_TAKEN, "slug", slug="wang-fang")
    assert (error.code, error.field, str(error)) == (
        OnboardingErrorCode.DESIGNER_SLUG_TAKEN,
        "slug",
        "designer_slug_taken",
    )
    assert "wang-fang" in error.message
    assert CatalogError(next(iter(CatalogErrorCode))).message
