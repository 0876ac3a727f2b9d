"""What went wrong in the cart or checkout, as codes with messages a buyer understands."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class StorefrontError(StrEnum):
    OUT_OF_STOCK = "out_of_stock"
    QUANTITY_LIMIT = "quantity_limit"
    QUANTITY_INVALID = "quantity_invalid"
    NOT_AVAILABLE = "not_available"
    ADDRESS_INVALID = "address_invalid"
    FIELD_REQUIRED = "field_required"
    EMAIL_INVALID = "email_invalid"
    PHONE_INVALID = "phone_invalid"
    SHIPPING_METHOD_INVALID = "shipping_method_invalid"
    CART_GONE = "cart_gone"
    LOGIN_FAILED = "login_failed"
    LOGIN_THROTTLED = "login_throttled"
    ACCOUNT_INVALID = "account_invalid"
    OTHER = "other"


MESSAGES = {
    StorefrontError.OUT_OF_STOCK: _("Not enough in stock: please lower the quantity."),
    StorefrontError.QUANTITY_LIMIT: _("That is more than one customer may buy of this item."),
    StorefrontError.QUANTITY_INVALID: _("Please enter a quantity between 1 and 99."),
    StorefrontError.NOT_AVAILABLE: _("This item cannot be bought at the moment."),
    StorefrontError.ADDRESS_INVALID: _("This part of the address is not valid."),
    StorefrontError.FIELD_REQUIRED: _("This field is required."),
    StorefrontError.EMAIL_INVALID: _("Please enter a valid e-mail address."),
    StorefrontError.PHONE_INVALID: _("Please enter a valid phone number, e.g. +86 138 0013 8000."),
    StorefrontError.SHIPPING_METHOD_INVALID: _("Please choose one of the shipping methods offered."),
    StorefrontError.CART_GONE: _("Your cart has expired; please add the items again."),
    StorefrontError.LOGIN_FAILED: _(
        "E-mail or password is not correct, or the account is not confirmed yet."
    ),
    StorefrontError.LOGIN_THROTTLED: _(
        "Too many sign-in attempts from here in a short time. Please wait a moment and try again."
    ),
    StorefrontError.ACCOUNT_INVALID: _("The account could not be created with these details."),
    StorefrontError.OTHER: _("Something is not right with this request; please check and try again."),
}

# Saleor CheckoutErrorCode / AccountErrorCode -> ours.
_FROM_SALEOR = {
    "INSUFFICIENT_STOCK": StorefrontError.OUT_OF_STOCK,
    "QUANTITY_GREATER_THAN_LIMIT": StorefrontError.QUANTITY_LIMIT,
    "ZERO_QUANTITY": StorefrontError.QUANTITY_INVALID,
    "PRODUCT_NOT_PUBLISHED": StorefrontError.NOT_AVAILABLE,
    "PRODUCT_UNAVAILABLE_FOR_PURCHASE": StorefrontError.NOT_AVAILABLE,
    "UNAVAILABLE_VARIANT_IN_CHANNEL": StorefrontError.NOT_AVAILABLE,
    "REQUIRED": StorefrontError.FIELD_REQUIRED,
    "INVALID_SHIPPING_METHOD": StorefrontError.SHIPPING_METHOD_INVALID,
    "SHIPPING_METHOD_NOT_APPLICABLE": StorefrontError.SHIPPING_METHOD_INVALID,
    "NOT_FOUND": StorefrontError.CART_GONE,
    "LOGIN_ATTEMPT_DELAYED": StorefrontError.LOGIN_THROTTLED,
}


def from_saleor(code: str | None, field: str | None) -> StorefrontError:
    if code == "INVALID":
        if field == "phone":
            return StorefrontError.PHONE_INVALID
        if field == "email":
            return StorefrontError.EMAIL_INVALID
        if field in {"countryArea", "city", "cityArea", "postalCode", "streetAddress1", "country"}:
            return StorefrontError.ADDRESS_INVALID
    return _FROM_SALEOR.get(code or "", StorefrontError.OTHER)
