"""Every error code an app raises has the message the user reads (a code without one is a server error when
it is shown, as the unit's last operator found after two branches' tables were merged)."""

from __future__ import annotations

from enum import StrEnum

import pytest
from django.utils import translation

from campaigns import error_codes as campaign_errors
from catalog import error_codes as catalog_errors
from promotions import error_codes as promotion_errors
from shipping import error_codes as shipping_errors
from storefront import error_codes as storefront_errors
from unit_onboarding import error_codes as onboarding_errors

# The apps whose every code is shown to a person (the gateway's webhook refusals are for Saleor and Stripe).
TABLES = [
    (onboarding_errors.OnboardingErrorCode, onboarding_errors.MESSAGES),
    (catalog_errors.CatalogErrorCode, catalog_errors.MESSAGES),
    (campaign_errors.CampaignErrorCode, campaign_errors.MESSAGES),
    (promotion_errors.PromotionErrorCode, promotion_errors.MESSAGES),
    (storefront_errors.StorefrontError, storefront_errors.MESSAGES),
    (shipping_errors.ShippingErrorCode, shipping_errors.MESSAGES),
]


@pytest.mark.parametrize(("codes", "messages"), TABLES, ids=lambda t: getattr(t, "__name__", ""))
def test_every_code_has_a_message_and_every_message_a_code(codes: type[StrEnum], messages: dict):
    assert sorted(set(codes) - set(messages)) == []
    assert sorted(map(str, set(messages) - set(codes))) == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_onboarding_refusal_reads_as_a_sentence(language):
    with translation.override(language):
        for code in onboarding_errors.OnboardingErrorCode:
            text = onboarding_errors.OnboardingError(code).message
            assert text and text != code.value, code


def test_the_pdf_findings_are_the_ones_the_upload_check_reports():
    from core.uploads import PDF_ACTIVE_CONTENT

    assert set(onboarding_errors.PDF_CONTENT) == set(PDF_ACTIVE_CONTENT)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_campaign_refusal_reads_as_a_sentence(language):
    params = {"state": "x", "left": 1, "sku": "S"}
    with translation.override(language):
        for code in campaign_errors.CampaignErrorCode:
            error = campaign_errors.CampaignError(
                code, **{k: v for k, v in params.items() if f"%({k})" in str(campaign_errors.MESSAGES[code])}
            )
            assert error.message and error.message != code.value, code
