"""Error codes of the catalog; messages are for humans, codes for machines."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from core.errors import FieldError


class ImageErrorCode(StrEnum):
    EMPTY_FILE = "image_empty_file"
    FILE_TOO_LARGE = "image_file_too_large"
    UNSUPPORTED_TYPE = "image_unsupported_type"
    NOT_AN_IMAGE = "image_not_an_image"
    TYPE_MISMATCH = "image_type_mismatch"
    TOO_MANY_PIXELS = "image_too_many_pixels"
    TRUNCATED = "image_truncated"
    CORRUPT = "image_corrupt"
    UNSUPPORTED_COLOR_MODE = "image_unsupported_color_mode"
    PROCESSING_FAILED = "image_processing_failed"


class CatalogErrorCode(StrEnum):
    LISTING_INCOMPLETE = "listing_incomplete"
    LISTING_ARCHIVED = "listing_archived"
    NOT_APPROVED = "listing_not_approved"
    NOTHING_TO_REVIEW = "listing_nothing_to_review"
    REASON_REQUIRED = "listing_reason_required"
    SKU_TAKEN = "listing_sku_taken"
    OBJECT_OF_OTHER_UNIT = "listing_object_of_other_unit"
    RELATION_REQUIRED = "listing_relation_required"
    LICENCE_NOT_IN_FORCE = "listing_licence_not_in_force"
    LICENCE_NOT_FOR_OBJECT = "listing_licence_not_for_object"
    NO_DIVERGENCE = "listing_no_divergence"
    IMAGE_NOT_READY = "listing_image_not_ready"
    ATTRIBUTE_INVALID = "listing_attribute_invalid"
    PRODUCT_TYPE_FIXED = "listing_product_type_fixed"
    ROYALTY_DESIGNER_REQUIRED = "royalty_designer_required"
    ROYALTY_DESIGNER_OF_OTHER_UNIT = "royalty_designer_of_other_unit"
    ROYALTY_IN_PAST = "royalty_in_past"
    ROYALTY_BEFORE_CURRENT = "royalty_before_current"
    ROYALTY_CHANGE_PENDING = "royalty_change_pending"
    ROYALTY_CHANGE_NOT_PENDING = "royalty_change_not_pending"
    ROYALTY_CHANGE_SAME_PERSON = "royalty_change_same_person"
    ROYALTY_CHANGE_STALE = "royalty_change_stale"
    ROYALTY_CHANGE_STARTED = "royalty_change_started"
    ROYALTY_CHANGE_REASON_REQUIRED = "royalty_change_reason_required"
    LICENCE_NOT_PENDING = "licence_not_pending"
    LICENCE_SAME_PERSON = "licence_same_person"
    LICENCE_ENDED = "licence_ended"
    LICENCE_REASON_REQUIRED = "licence_reason_required"
    IMPORT_NOT_STOPPED = "import_not_stopped"


MESSAGES = {
    CatalogErrorCode.LISTING_INCOMPLETE: _("The listing is not complete: %(missing)s."),
    CatalogErrorCode.LISTING_ARCHIVED: _("This listing is archived and cannot be changed."),
    CatalogErrorCode.NOT_APPROVED: _("Only an approved listing can be put on sale."),
    CatalogErrorCode.NOTHING_TO_REVIEW: _("This listing has no edit waiting for review."),
    CatalogErrorCode.REASON_REQUIRED: _("Please give the operator a reason for the rejection."),
    CatalogErrorCode.SKU_TAKEN: _("The SKU %(sku)s is already used by another product."),
    CatalogErrorCode.OBJECT_OF_OTHER_UNIT: _(
        "This collection object belongs to another unit; attach an IP licence from that unit."
    ),
    CatalogErrorCode.RELATION_REQUIRED: _("Say how the product relates to the collection object."),
    CatalogErrorCode.LICENCE_NOT_IN_FORCE: _("The IP licence is not in force today."),
    CatalogErrorCode.LICENCE_NOT_FOR_OBJECT: _(
        "The IP licence is not granted by the unit that owns the object."
    ),
    CatalogErrorCode.NO_DIVERGENCE: _("Nothing was changed in Saleor for this listing."),
    CatalogErrorCode.IMAGE_NOT_READY: _("Images are still being processed; try again in a moment."),
    CatalogErrorCode.ATTRIBUTE_INVALID: _("%(attribute)s: enter %(expected)s."),
    CatalogErrorCode.PRODUCT_TYPE_FIXED: _(
        "The product type cannot change once the product is approved; list a new product instead."
    ),
    CatalogErrorCode.ROYALTY_DESIGNER_REQUIRED: _("Choose the designer who earns the royalty."),
    CatalogErrorCode.ROYALTY_DESIGNER_OF_OTHER_UNIT: _(
        "This designer is registered by another unit; register them with this unit first."
    ),
    CatalogErrorCode.ROYALTY_IN_PAST: _(
        "A royalty cannot start in the past: sales already made keep their terms."
    ),
    CatalogErrorCode.ROYALTY_BEFORE_CURRENT: _(
        "The terms from %(start)s are already set: a change must start after them."
    ),
    CatalogErrorCode.ROYALTY_CHANGE_PENDING: _(
        "A royalty change for this product is already waiting for approval: "
        "approve, reject or withdraw it first."
    ),
    CatalogErrorCode.ROYALTY_CHANGE_NOT_PENDING: _("This royalty change has already been decided."),
    CatalogErrorCode.ROYALTY_CHANGE_SAME_PERSON: _(
        "A royalty change needs a second person: someone other than its proposer must approve it."
    ),
    CatalogErrorCode.ROYALTY_CHANGE_STALE: _(
        "The royalty terms changed after this proposal was made: reject it and propose again."
    ),
    CatalogErrorCode.LICENCE_NOT_PENDING: _("This licence has already been confirmed or rejected."),
    CatalogErrorCode.LICENCE_SAME_PERSON: _(
        "A licence needs a second person: someone other than the one who recorded it must confirm it."
    ),
    CatalogErrorCode.LICENCE_ENDED: _("The licence's term is already over: reject it and record a new one."),
    CatalogErrorCode.LICENCE_REASON_REQUIRED: _("Say why you reject this licence."),
    CatalogErrorCode.IMPORT_NOT_STOPPED: _("Only a stopped import can be run again."),
    CatalogErrorCode.ROYALTY_CHANGE_REASON_REQUIRED: _("Say why you reject this royalty change."),
    CatalogErrorCode.ROYALTY_CHANGE_STARTED: _(
        "The proposed start has passed: reject it and propose terms starting later."
    ),
}


class CatalogError(FieldError):
    """A refusal the operator or curator can act on; `field` names the form field, if any."""

    MESSAGES = MESSAGES
