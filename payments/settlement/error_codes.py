"""Error codes of settlement and reconciliation; messages are for finance staff."""

from enum import StrEnum


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


class SettlementError(Exception):
    """A refused settlement or reconciliation action; `code` is stable, the message is for people."""

    def __init__(self, code: SettlementErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
