"""Why a unit promotion action was refused: a stable code and the sentence the person reads."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from core.errors import FieldError


class PromotionErrorCode(StrEnum):
    NOT_ALLOWED = "promotion_not_allowed"
    LISTING_OF_ANOTHER_UNIT = "promotion_listing_of_another_unit"
    LISTING_NOT_IN_SALEOR = "promotion_listing_not_in_saleor"
    NO_LISTINGS = "promotion_no_listings"
    DATES_INVALID = "promotion_dates_invalid"
    ENDS_IN_PAST = "promotion_ends_in_past"
    VALUE_INVALID = "promotion_value_invalid"
    CODE_REQUIRED = "promotion_code_required"
    CODE_TAKEN = "promotion_code_taken"
    BUDGET_INVALID = "promotion_budget_invalid"
    OVER_BUDGET = "promotion_over_budget"
    APPROVER_IS_PROPOSER = "promotion_approver_is_proposer"
    STALE = "promotion_stale"
    CAMPAIGN_NOT_ALLOWED = "campaign_not_allowed"
    CAMPAIGN_APPROVER_IS_PROPOSER = "campaign_approver_is_proposer"
    CAMPAIGN_STALE = "campaign_stale"
    CAMPAIGN_FUNDER_INVALID = "campaign_funder_invalid"
    CAMPAIGN_NOT_LIVE = "campaign_not_live"
    CAMPAIGN_ENDED = "campaign_ended"
    CAMPAIGN_ALREADY_IN = "campaign_already_in"
    CAMPAIGN_NOT_COMBINABLE = "campaign_not_combinable"
    CAMPAIGN_SHOP_REFUSED = "campaign_shop_refused"


MESSAGES = {
    PromotionErrorCode.NOT_ALLOWED: _("You may not do this for this promotion."),
    PromotionErrorCode.LISTING_OF_ANOTHER_UNIT: _(
        "A promotion can only take your own unit's products: choose from your listings."
    ),
    PromotionErrorCode.LISTING_NOT_IN_SALEOR: _(
        "%(name)s is not in the shop yet (not synced to Saleor): a promotion cannot take it."
    ),
    PromotionErrorCode.NO_LISTINGS: _("Choose at least one of your products."),
    PromotionErrorCode.DATES_INVALID: _("The promotion must end after it starts."),
    PromotionErrorCode.ENDS_IN_PAST: _("The promotion has already ended: choose new dates."),
    PromotionErrorCode.VALUE_INVALID: _(
        "Give the discount: a percentage from 1 to 90, "
        "or an amount in yuan below the cheapest product's price."
    ),
    PromotionErrorCode.CODE_REQUIRED: _(
        "A voucher needs a code (letters, digits, - and _) and how many times it may be used."
    ),
    PromotionErrorCode.CODE_TAKEN: _(
        "The voucher code %(voucher)s is already used by another discount: choose another code."
    ),
    PromotionErrorCode.BUDGET_INVALID: _("Give the budget cap in yuan, above zero."),
    PromotionErrorCode.OVER_BUDGET: _(
        "The promotion can cost up to ¥%(most)s, above its budget cap of ¥%(cap)s: "
        "lower the discount or the uses, or raise the cap."
    ),
    PromotionErrorCode.APPROVER_IS_PROPOSER: _(
        "A promotion is approved by the unit's finance member other than whoever proposed it."
    ),
    PromotionErrorCode.STALE: _(
        "This promotion was already decided or its products changed since it was proposed: propose again."
    ),
    PromotionErrorCode.CAMPAIGN_NOT_ALLOWED: _(
        "Only platform finance proposes and approves platform campaigns."
    ),
    PromotionErrorCode.CAMPAIGN_APPROVER_IS_PROPOSER: _(
        "You proposed this campaign: another member of platform finance approves it."
    ),
    PromotionErrorCode.CAMPAIGN_STALE: _("This campaign was already decided: reload the page."),
    PromotionErrorCode.CAMPAIGN_FUNDER_INVALID: _(
        "Choose who funds the discount: the platform, the unit, or a split (1 to 9,999 bps to the platform)."
    ),
    PromotionErrorCode.CAMPAIGN_NOT_LIVE: _(
        "This campaign is not running in the shop: products cannot join it."
    ),
    PromotionErrorCode.CAMPAIGN_ENDED: _("The campaign %(name)s has ended: products can no longer join it."),
    PromotionErrorCode.CAMPAIGN_ALREADY_IN: _("%(name)s is already in this campaign."),
    PromotionErrorCode.CAMPAIGN_NOT_COMBINABLE: _(
        "%(name)s is in the campaign %(campaign)s, which may not be combined with another discount, "
        "at overlapping dates (%(other)s): choose other dates or products."
    ),
    PromotionErrorCode.CAMPAIGN_SHOP_REFUSED: _("The shop refused the change: %(error)s"),
}


class PromotionError(FieldError):
    MESSAGES = MESSAGES
