"""Why a campaign action was refused: a stable code and the sentence the person reads."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from core.errors import FieldError


class CampaignErrorCode(StrEnum):
    NOT_ALLOWED = "not_allowed"
    WRONG_STATE = "wrong_state"
    MONEY_TERMS_FIXED = "money_terms_fixed"
    LISTING_OF_ANOTHER_UNIT = "listing_of_another_unit"
    NO_TIERS = "no_tiers"
    VARIANT_NOT_OF_LISTING = "variant_not_of_listing"
    DATES_INVALID = "dates_invalid"
    GOAL_INVALID = "goal_invalid"
    STARTS_IN_PAST = "starts_in_past"
    REVIEWER_IS_AUTHOR = "reviewer_is_author"
    SOLD_OUT = "sold_out"
    UPDATE_EMPTY = "update_empty"
    REASON_REQUIRED = "reason_required"
    CANCEL_PENDING = "cancel_pending"
    STALE = "stale"


MESSAGES = {
    CampaignErrorCode.NOT_ALLOWED: _("You may not do this for this campaign."),
    CampaignErrorCode.WRONG_STATE: _("The campaign is %(state)s: this cannot be done now."),
    CampaignErrorCode.MONEY_TERMS_FIXED: _(
        "The campaign is live: its goal, dates, tiers' prices and limits can no longer change."
    ),
    CampaignErrorCode.LISTING_OF_ANOTHER_UNIT: _("Choose one of your unit's own listings."),
    CampaignErrorCode.NO_TIERS: _("Give the campaign at least one reward tier."),
    CampaignErrorCode.VARIANT_NOT_OF_LISTING: _("A reward tier must be one of the listing's variants."),
    CampaignErrorCode.DATES_INVALID: _("The campaign must end after it starts, and deliver after it ends."),
    CampaignErrorCode.GOAL_INVALID: _("Give a goal above zero: an amount in yuan or a number of backers."),
    CampaignErrorCode.STARTS_IN_PAST: _("The campaign has already ended: choose new dates and submit again."),
    CampaignErrorCode.REVIEWER_IS_AUTHOR: _("A campaign is reviewed by a curator other than its author."),
    CampaignErrorCode.SOLD_OUT: _(
        "Only %(left)s left of reward tier %(sku)s: change the quantity in your cart."
    ),
    CampaignErrorCode.UPDATE_EMPTY: _("Write the update in Chinese at least."),
    CampaignErrorCode.REASON_REQUIRED: _("Say why."),
    CampaignErrorCode.CANCEL_PENDING: _(
        "A cancellation of this campaign is already waiting for confirmation."
    ),
    CampaignErrorCode.STALE: _("The campaign changed since this was asked: ask again with its figures now."),
}


class CampaignError(FieldError):
    MESSAGES = MESSAGES
