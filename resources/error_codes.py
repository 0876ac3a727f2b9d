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
    CALL_OBJECTS_REQUIRED = "call_objects_required"
    CALL_DEADLINE_PAST = "call_deadline_past"
    CALL_CLOSED = "call_closed"
    CALL_NOT_CLOSED = "call_not_closed"
    CALL_AWARDED = "call_awarded"
    CALL_PROFILE_REQUIRED = "call_profile_required"
    PROPOSAL_TWICE = "proposal_twice"
    PROPOSAL_IMAGE_REQUIRED = "proposal_image_required"
    SELECTION_PENDING = "selection_pending"
    SELECTION_NOT_PENDING = "selection_not_pending"
    SELECTION_SAME_PERSON = "selection_same_person"
    SELECTION_STALE = "selection_stale"
    SELECTION_REASON_REQUIRED = "selection_reason_required"
    CALL_WITHDRAWN = "call_withdrawn"
    CALL_WITHDRAW_REASON_REQUIRED = "call_withdraw_reason_required"
    CALL_WITHDRAW_SELECTION_PENDING = "call_withdraw_selection_pending"
    PROPOSAL_WITHDRAWN = "proposal_withdrawn"
    PROPOSAL_DECIDED = "proposal_decided"
    PROPOSAL_SELECTION_PENDING = "proposal_selection_pending"


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
    ResourcesErrorCode.CALL_OBJECTS_REQUIRED: _(
        "Choose at least one of the unit's objects shown in the public library."
    ),
    ResourcesErrorCode.CALL_DEADLINE_PAST: _("The deadline must be in the future."),
    ResourcesErrorCode.CALL_CLOSED: _("This call is closed: its deadline has passed."),
    ResourcesErrorCode.CALL_NOT_CLOSED: _("A winner is selected only once the call's deadline has passed."),
    ResourcesErrorCode.CALL_AWARDED: _("This call has already been awarded: nothing was changed."),
    ResourcesErrorCode.CALL_PROFILE_REQUIRED: _("Create your designer profile before answering a call."),
    ResourcesErrorCode.PROPOSAL_TWICE: _("You have already sent a proposal to this call."),
    ResourcesErrorCode.PROPOSAL_IMAGE_REQUIRED: _("Add at least one image of the design."),
    ResourcesErrorCode.SELECTION_PENDING: _(
        "A selected winner is already waiting for the unit's finance: confirm or reject it first."
    ),
    ResourcesErrorCode.SELECTION_NOT_PENDING: _(
        "This selection has already been confirmed or rejected: nothing was changed."
    ),
    ResourcesErrorCode.SELECTION_SAME_PERSON: _(
        "The person who selected the winner cannot confirm it: another finance member of the unit must."
    ),
    ResourcesErrorCode.SELECTION_STALE: _(
        "The call's terms changed after the winner was selected: reject this selection and select again."
    ),
    ResourcesErrorCode.SELECTION_REASON_REQUIRED: _("Give the reason for rejecting the selection."),
    ResourcesErrorCode.CALL_WITHDRAWN: _("This call has been withdrawn by the unit: nothing was changed."),
    ResourcesErrorCode.CALL_WITHDRAW_REASON_REQUIRED: _(
        "Give the reason for withdrawing the call: the designers who answered it read it."
    ),
    ResourcesErrorCode.CALL_WITHDRAW_SELECTION_PENDING: _(
        "A selected winner is waiting for the unit's finance: it must be rejected before the call can be"
        " withdrawn."
    ),
    ResourcesErrorCode.PROPOSAL_WITHDRAWN: _("This proposal has been withdrawn by its designer."),
    ResourcesErrorCode.PROPOSAL_DECIDED: _(
        "The call has been decided: a proposal can no longer be withdrawn after the award."
    ),
    ResourcesErrorCode.PROPOSAL_SELECTION_PENDING: _(
        "Your proposal has been selected as the winner and is waiting for the unit's confirmation: it can no"
        " longer be withdrawn."
    ),
}


class ResourcesError(FieldError):
    """A refusal the user can act on; `field` names the form field it belongs to, if any."""

    MESSAGES = MESSAGES
