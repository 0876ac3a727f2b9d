"""Error codes of the split engine and the ledger; messages are for humans, codes for machines."""

from enum import StrEnum


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
    ORDER_ALREADY_PAID = "order_already_paid"
    ALREADY_REVERSED = "already_reversed"
    NOT_LATEST_POSTING = "not_latest_posting"
    NOT_REVERSIBLE = "not_reversible"
    TRANSACTION_NOT_FOUND = "transaction_not_found"
    # not yet: retry later (the inbox retries a failed event)
    PAYMENT_NOT_POSTED = "payment_not_posted"
