"""Error codes of unit onboarding; each maps to a message the user reads in their language."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from core.errors import FieldError


class OnboardingErrorCode(StrEnum):
    CREDIT_CODE_LENGTH = "credit_code_length"
    CREDIT_CODE_ALPHABET = "credit_code_alphabet"
    CREDIT_CODE_DIVISION = "credit_code_division"
    CREDIT_CODE_CHECK = "credit_code_check"
    CREDIT_CODE_TAKEN = "credit_code_taken"
    FILE_TOO_LARGE = "file_too_large"
    FILE_TYPE_NOT_ALLOWED = "file_type_not_allowed"
    FILE_TOO_MANY_PIXELS = "file_too_many_pixels"
    FILE_DAMAGED = "file_damaged"
    FILE_BOMB = "file_decompression_bomb"
    PDF_ACTIVE_CONTENT = "pdf_active_content"
    PDF_ENCRYPTED = "pdf_encrypted"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    APPLICATION_INCOMPLETE = "application_incomplete"
    SHARES_SUM = "shares_sum"
    SHARES_DUPLICATE_PARTY = "shares_duplicate_party"
    SHARE_NOT_POSITIVE = "share_not_positive"
    PERIOD_OVERLAP = "period_overlap"
    PERIOD_GAP = "period_gap"
    PERIOD_IN_PAST = "period_in_past"
    PERIOD_EMPTY = "period_empty"
    AGREEMENT_MISSING = "agreement_missing"
    DESIGNER_SLUG_TAKEN = "designer_slug_taken"
    DESIGNER_UNKNOWN = "designer_unknown"
    DESIGNER_PAYOUT_INCOMPLETE = "designer_payout_incomplete"
    UNIT_PAYOUT_INCOMPLETE = "unit_payout_incomplete"
    ENTITY_PAYOUT_INCOMPLETE = "entity_payout_incomplete"
    STRIPE_ACCOUNT_MISSING = "stripe_account_missing"
    STRIPE_ACCOUNT_INVALID = "stripe_account_invalid"
    PAYEE_UNCHANGED = "payee_unchanged"
    PAYEE_CHANGE_PENDING = "payee_change_pending"
    PAYEE_CHANGE_NOT_PENDING = "payee_change_not_pending"
    PAYEE_CONFIRM_NOT_ALLOWED = "payee_confirm_not_allowed"
    PAYEE_FOUR_EYES = "payee_four_eyes"
    PAYEE_CHANGE_STALE = "payee_change_stale"
    PAYEE_WITHDRAW_NOT_ALLOWED = "payee_withdraw_not_allowed"
    PAYOUT_NEEDS_CONFIRMATION = "payout_needs_confirmation"
    PLATFORM_SHARE_BELOW_FLOOR = "platform_share_below_floor"
    AGREEMENT_PROPOSAL_PENDING = "agreement_proposal_pending"
    AGREEMENT_NOT_PROPOSED = "agreement_not_proposed"
    AGREEMENT_APPROVE_NOT_ALLOWED = "agreement_approve_not_allowed"
    AGREEMENT_FOUR_EYES = "agreement_four_eyes"
    AGREEMENT_START_PASSED = "agreement_start_passed"
    AGREEMENT_WITHDRAW_NOT_ALLOWED = "agreement_withdraw_not_allowed"
    ROLE_NOT_ALLOWED = "role_not_allowed"
    ALREADY_MEMBER = "already_member"
    ROLE_FOUR_EYES = "role_four_eyes"
    INVITATION_NOT_AWAITING_ENDORSEMENT = "invitation_not_awaiting_endorsement"
    LAST_OPERATOR = "last_operator"
    INVITATION_INVALID = "invitation_invalid"
    INVITATION_OTHER_ACCOUNT = "invitation_other_account"
    ACCOUNT_EXISTS = "account_exists"
    SIGNUP_LINK_INVALID = "signup_link_invalid"
    DESIGNER_CLAIM_INVALID = "designer_claim_invalid"
    DESIGNER_CLAIM_OTHER_ACCOUNT = "designer_claim_other_account"
    DESIGNER_ALREADY_CLAIMED = "designer_already_claimed"


MESSAGES = {
    OnboardingErrorCode.CREDIT_CODE_LENGTH: _("A unified social credit code has exactly 18 characters."),
    OnboardingErrorCode.CREDIT_CODE_ALPHABET: _(
        "A unified social credit code uses only digits and capital letters except I, O, S, V and Z."
    ),
    OnboardingErrorCode.CREDIT_CODE_DIVISION: _(
        "Characters 3 to 8 of a unified social credit code are the six-digit administrative division code."
    ),
    OnboardingErrorCode.CREDIT_CODE_CHECK: _(
        "This unified social credit code is not valid: its check character does not match. "
        "Please check it against the certificate."
    ),
    OnboardingErrorCode.CREDIT_CODE_TAKEN: _(
        "An application for this unified social credit code already exists."
    ),
    OnboardingErrorCode.FILE_TOO_LARGE: _("The file is larger than %(limit)s MB."),
    OnboardingErrorCode.FILE_TYPE_NOT_ALLOWED: _(
        "The file's content is not a PDF, JPEG or PNG (whatever its name says)."
    ),
    OnboardingErrorCode.FILE_TOO_MANY_PIXELS: _(
        "The image has more than %(max)s megapixels, the most an upload may have:"
        " scan or save it at a lower resolution."
    ),
    OnboardingErrorCode.FILE_DAMAGED: _(
        "The file is damaged or incomplete, so its content cannot be checked: scan or export it again."
    ),
    OnboardingErrorCode.FILE_BOMB: _(
        "The file unpacks to far more data than it holds (a decompression bomb): save or scan it again."
    ),
    OnboardingErrorCode.PDF_ACTIVE_CONTENT: _(
        "This PDF contains %(found)s, which documents may not carry: print it to a new PDF or scan the paper"
        " document, and upload that."
    ),
    OnboardingErrorCode.PDF_ENCRYPTED: _(
        "This PDF is password-protected, so its content cannot be checked: upload it without a password."
    ),
    OnboardingErrorCode.TRANSITION_NOT_ALLOWED: _("This action is not allowed for this application now."),
    OnboardingErrorCode.APPLICATION_INCOMPLETE: _("Please complete the required fields before submitting."),
    OnboardingErrorCode.SHARES_SUM: _(
        "The shares must add up to exactly 100%% (10,000 basis points); they add up to %(total)s."
    ),
    OnboardingErrorCode.SHARES_DUPLICATE_PARTY: _("Each party may appear only once in an agreement."),
    OnboardingErrorCode.SHARE_NOT_POSITIVE: _("Each share must be between 1 and 10,000 basis points."),
    OnboardingErrorCode.PERIOD_OVERLAP: _("This period overlaps the period of version %(number)s."),
    OnboardingErrorCode.PERIOD_GAP: _(
        "This period must start when version %(number)s ends (%(end)s): no gaps."
    ),
    OnboardingErrorCode.PERIOD_IN_PAST: _(
        "A new version cannot start in the past: sales already made keep their terms."
    ),
    OnboardingErrorCode.PERIOD_EMPTY: _("The end of the period must be after its start."),
    OnboardingErrorCode.AGREEMENT_MISSING: _(
        "Before approval, the unit needs a distribution agreement in force: propose one on the agreement page"
        " and have platform finance approve it."
    ),
    OnboardingErrorCode.DESIGNER_SLUG_TAKEN: _(
        "The identifier %(slug)s is already used by a designer on the platform; choose another one."
    ),
    OnboardingErrorCode.DESIGNER_UNKNOWN: _(
        "%(party)s is not a designer registered by this unit: register the designer first."
    ),
    OnboardingErrorCode.DESIGNER_PAYOUT_INCOMPLETE: _(
        "Give both the bank and the account number, or neither (payouts then wait until they are given)."
    ),
    OnboardingErrorCode.UNIT_PAYOUT_INCOMPLETE: _(
        "Give the account name, the bank and the account number together, or none of them"
        " (the unit's payouts then wait until they are given)."
    ),
    OnboardingErrorCode.ENTITY_PAYOUT_INCOMPLETE: _(
        "Settlement by bank transfer needs both the bank and the account number."
    ),
    OnboardingErrorCode.STRIPE_ACCOUNT_MISSING: _("Settlement by Stripe needs the Stripe account id."),
    OnboardingErrorCode.STRIPE_ACCOUNT_INVALID: _("A Stripe account id looks like acct_1AbC…"),
    OnboardingErrorCode.PAYEE_UNCHANGED: _(
        "These are the payout details already on record (or already awaiting confirmation): nothing changed."
    ),
    OnboardingErrorCode.PAYEE_CHANGE_PENDING: _(
        "A change of these payout details is already awaiting confirmation by platform finance: withdraw it"
        " or wait for the decision before asking for another."
    ),
    OnboardingErrorCode.PAYEE_CHANGE_NOT_PENDING: _(
        "This request was already decided or withdrawn; nothing was changed."
    ),
    OnboardingErrorCode.PAYEE_CONFIRM_NOT_ALLOWED: _(
        "Only platform finance confirms or rejects a change of payout details."
    ),
    OnboardingErrorCode.PAYEE_FOUR_EYES: _(
        "You asked for this change yourself: another member of platform finance must confirm it."
    ),
    OnboardingErrorCode.PAYEE_CHANGE_STALE: _(
        "The payout details on record changed after this request was made, so it cannot be confirmed:"
        " reject it, and the change can be requested again against the details now on record."
    ),
    OnboardingErrorCode.PAYEE_WITHDRAW_NOT_ALLOWED: _(
        "Only whoever asked for this change, or the unit's finance staff, can withdraw it."
    ),
    OnboardingErrorCode.PLATFORM_SHARE_BELOW_FLOOR: _(
        "Platform policy sets the platform's share at no less than %(floor)s bps (%(percent)s%%);"
        " this version gives it %(given)s bps."
    ),
    OnboardingErrorCode.AGREEMENT_PROPOSAL_PENDING: _(
        "A proposed version is already awaiting approval by platform finance: withdraw it or wait for the"
        " decision before proposing another."
    ),
    OnboardingErrorCode.AGREEMENT_NOT_PROPOSED: _(
        "This version was already approved, rejected or withdrawn; nothing was changed."
    ),
    OnboardingErrorCode.AGREEMENT_APPROVE_NOT_ALLOWED: _(
        "Only platform finance approves or rejects a proposed agreement version."
    ),
    OnboardingErrorCode.AGREEMENT_FOUR_EYES: _(
        "You proposed this version yourself: another member of platform finance must approve it."
    ),
    OnboardingErrorCode.AGREEMENT_START_PASSED: _(
        "This version was to start at %(start)s, which has passed: approving it now would change the terms of"
        " sales already made. Reject it and propose a version that starts later."
    ),
    OnboardingErrorCode.AGREEMENT_WITHDRAW_NOT_ALLOWED: _(
        "Only whoever proposed this version, or the unit's finance staff, can withdraw it."
    ),
    OnboardingErrorCode.PAYOUT_NEEDS_CONFIRMATION: _(
        "The unit is active: its payout details change only through a request that platform finance"
        " confirms, on the unit's payout page."
    ),
    OnboardingErrorCode.ROLE_NOT_ALLOWED: _(
        "You may not give or take away this role: unit operators invite operators; finance roles are "
        "granted and revoked by platform reviewers."
    ),
    OnboardingErrorCode.ALREADY_MEMBER: _("%(email)s already has this role in this unit."),
    OnboardingErrorCode.ROLE_FOUR_EYES: _(
        "A finance role needs a second person: another platform reviewer, not whoever offered it, must "
        "endorse the offer."
    ),
    OnboardingErrorCode.INVITATION_NOT_AWAITING_ENDORSEMENT: _(
        "This offer is not waiting for an endorsement (it was endorsed, answered or withdrawn)."
    ),
    OnboardingErrorCode.LAST_OPERATOR: _(
        "The unit's last operator cannot be removed: invite a replacement first, and remove this "
        "operator once the replacement has accepted."
    ),
    OnboardingErrorCode.INVITATION_INVALID: _(
        "This invitation link is no longer valid (it expired, was used, declined or withdrawn). "
        "Ask the unit to invite you again."
    ),
    OnboardingErrorCode.INVITATION_OTHER_ACCOUNT: _(
        "This invitation is for %(email)s. Log out and log in with that account to answer it."
    ),
    OnboardingErrorCode.ACCOUNT_EXISTS: _(
        "An account with this e-mail address already exists; please log in."
    ),
    OnboardingErrorCode.SIGNUP_LINK_INVALID: _(
        "This confirmation link is no longer valid (it expired or was changed). Please sign up again."
    ),
    OnboardingErrorCode.DESIGNER_CLAIM_INVALID: _(
        "This link to claim a designer registration is no longer valid (it expired, was used or withdrawn). "
        "Ask the unit to send it again."
    ),
    OnboardingErrorCode.DESIGNER_CLAIM_OTHER_ACCOUNT: _(
        "This link is for %(email)s. Log out and log in with that account to claim the registration."
    ),
    OnboardingErrorCode.DESIGNER_ALREADY_CLAIMED: _(
        "This designer registration is already linked to an account."
    ),
}

# What a refused PDF contains (core.uploads.PDF_ACTIVE_CONTENT), in the user's words.
PDF_CONTENT = {
    "javascript": _("JavaScript"),
    "launch": _("an action that launches a program"),
    "embedded_file": _("an embedded file"),
    "xfa": _("an XFA form"),
    "form_submission": _("a form that sends or imports data"),
    "rich_media": _("embedded media"),
}


class OnboardingError(FieldError):
    """A refusal the user can act on; `field` names the form field it belongs to, if any."""

    MESSAGES = MESSAGES
