"""Error codes of the library, its designers and licence requests; each maps to a message in the reader's
language."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from core.errors import FieldError


class ResourcesErrorCode(StrEnum):
    PROFILE_REQUIRED = "profile_required"
    OBJECT_NOT_LICENSABLE = "object_not_licensable"
    TERM_END_BEFORE_START = "term_end_before_start"
    TERM_IN_PAST = "term_in_past"
    ROYALTY_RANGE = "royalty_range"
    REQUEST_NOT_PENDING = "request_not_pending"
    DECLINE_REASON_REQUIRED = "decline_reason_required"


MESSAGES = {
    ResourcesErrorCode.PROFILE_REQUIRED: _("Create your designer profile before requesting a licence."),
    ResourcesErrorCode.OBJECT_NOT_LICENSABLE: _(
        "This object is not open to licence requests: the unit does not grant licences for it."
    ),
    ResourcesErrorCode.TERM_END_BEFORE_START: _("The end of the term must not be before its start."),
    ResourcesErrorCode.TERM_IN_PAST: _("The term must not end in the past."),
    ResourcesErrorCode.ROYALTY_RANGE: _("The royalty must be between 0%% and 100%%, in steps of 0.01%%."),
    ResourcesErrorCode.REQUEST_NOT_PENDING: _(
        "This request has already been answered or withdrawn: nothing was changed."
    ),
    ResourcesErrorCode.DECLINE_REASON_REQUIRED: _("Give the reason for declining: the designer reads it."),
}


class ResourcesError(FieldError):
    """A refusal the user can act on; `field` names the form field it belongs to, if any."""

    MESSAGES = MESSAGES
