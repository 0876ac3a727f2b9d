"""Error codes this app answers with; messages are for humans, codes for machines."""

from enum import StrEnum


class SaleorAppErrorCode(StrEnum):
    API_URL_MISSING = "api_url_missing"
    API_URL_NOT_ALLOWED = "api_url_not_allowed"
    BAD_REQUEST_BODY = "bad_request_body"
    TOKEN_MISSING = "token_missing"  # noqa: S105 - an error code, not a secret
    UNKNOWN_INSTALLATION = "unknown_installation"
    SIGNATURE_INVALID = "signature_invalid"
    UNKNOWN_WEBHOOK = "unknown_webhook"
    RECIPIENT_MISMATCH = "recipient_mismatch"
    RECIPIENT_UNKNOWN = "recipient_unknown"
    STALE_WEBHOOK = "stale_webhook"
