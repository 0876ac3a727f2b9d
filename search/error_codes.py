"""Error codes of search (synonyms); messages are for humans, codes for machines."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from core.errors import FieldError


class SearchErrorCode(StrEnum):
    SYNONYM_TOO_FEW = "synonym_too_few"
    SYNONYM_TOO_MANY = "synonym_too_many"
    SYNONYM_TERM_TOO_LONG = "synonym_term_too_long"
    SYNONYM_TERM_EMPTY = "synonym_term_empty"


MAX_TERMS = 10
MAX_TERM_CHARS = 50

MESSAGES = {
    SearchErrorCode.SYNONYM_TOO_FEW: _("Enter at least two different terms, e.g. 文创 = 文化创意."),
    SearchErrorCode.SYNONYM_TOO_MANY: _("At most %(max)s terms in one group: make two groups."),
    SearchErrorCode.SYNONYM_TERM_TOO_LONG: _("“%(term)s” is too long: at most %(max)s characters a term."),
    SearchErrorCode.SYNONYM_TERM_EMPTY: _(
        "“%(term)s” has no letters, digits or Chinese characters to search for."
    ),
}


class SearchError(FieldError):
    """A refusal the user can act on; `field` names the form field, if any."""

    MESSAGES = MESSAGES
