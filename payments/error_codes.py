"""Error codes of the split engine, the ledger, settlement and reconciliation; codes for machines."""

from enum import StrEnum

from core.errors import AppError


class LedgerErrorCode(StrEnum):
    # the split engine refuses the figures (permanent until the data is fixed)
    NO_PARTIES = "no_parties"
    NEGATIVE_WEIGHT = "negative_weight"
    ZERO_WEIGHTS = "zero_weights"
    BPS_NOT_10000 = "bps_not_10000"
    NEGATIVE_BPS = "negative_bps"
    AGREEMENT_EMPTY = "agreement_empty"
    ROYALTIES_EXCEED_LINE = "royalties_exceed_line"
    NEGATIVE_AMOUNT = "negative_amount"
    ZERO_AMOUNT = "zero_amount"
    NEGATIVE_DISCOUNT = "negative_discount"
    DISCOUNT_EXCEEDS_TOTAL = "discount_exceeds_total"
    DISCOUNT_WITHOUT_LINES = "discount_without_lines"
    DUPLICATE_LINE = "duplicate_line"
    AMOUNT_MISMATCH = "amount_mismatch"
    FEE_EXCEEDS_CAPTURED = "fee_exceeds_captured"
    NEGATIVE_REFUND = "negative_refund"
    REFUND_EXCEEDS_CAPTURED = "refund_exceeds_captured"
    # the ledger refuses the posting
    CURRENCY_MISMATCH = "currency_mismatch"
    UNKNOWN_LINE = "unknown_line"
    NOTHING_TO_REFUND = "nothing_to_refund"
    REFUND_SCOPE = "refund_scope"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    AWARD_PARTIES = "award_parties"
    ORDER_ALREADY_PAID = "order_already_paid"
    ALREADY_REVERSED = "already_reversed"
    NOT_LATEST_POSTING = "not_latest_posting"
    NOT_REVERSIBLE = "not_reversible"
    TRANSACTION_NOT_FOUND = "transaction_not_found"
    # not yet: retry later (the inbox retries a failed event)
    PAYMENT_NOT_POSTED = "payment_not_posted"


class SettlementErrorCode(StrEnum):
    BAD_PERIOD = "bad_period"
    PERIOD_NOT_ENDED = "period_not_ended"
    PERIOD_OVERLAP = "period_overlap"
    NOT_PROPOSED = "not_proposed"
    NOT_APPROVED = "not_approved"
    NOT_EXECUTED = "not_executed"
    FOUR_EYES = "four_eyes"
    NOT_BANK = "not_bank"
    STALE = "stale"
    NO_STRIPE_ACCOUNT = "no_stripe_account"
    STRIPE_FAILED = "stripe_failed"
    PERIOD_NOT_RECONCILED = "period_not_reconciled"
    PERIOD_CLOSED = "period_closed"
    BAD_IMPORT = "bad_import"
    NO_SCHEDULE_USER = "no_schedule_user"
    NO_PAYEE_DETAILS = "no_payee_details"
    EXPORT_NOT_STOPPED = "export_not_stopped"


class SettlementError(AppError):
    """A refused settlement or reconciliation action; `code` is stable, the message is for people."""


class FundingErrorCode(StrEnum):
    NOT_ALLOWED = "funding_not_allowed"
    BAD_TERMS = "funding_bad_terms"
    NOT_PROPOSED = "funding_not_proposed"
    FOUR_EYES = "funding_four_eyes"
    STALE = "funding_stale"


class FundingError(AppError):
    """A refused change of who funds a discount; `code` is stable, the message is for finance staff."""
