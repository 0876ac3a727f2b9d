"""Template filters of the finance console: yuan from fen, dict lookup, word lists."""

from django import template
from django.utils.translation import pgettext

from payments.settlement.selectors import masked
from payments.settlement.statements import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    return _yuan(int(fen or 0))


@register.filter
def get(mapping, key):
    return mapping.get(key, 0)


@register.filter
def split(text: str) -> list[str]:
    return text.split()


@register.filter
def line_label(line) -> str:
    """What a split line is, in words: its product, shipping, or the tax on either."""
    ref = line["line_ref"] if isinstance(line, dict) else line.line_ref
    product = line["product_name"] if isinstance(line, dict) else line.product_name
    base, _sep, part = ref.partition(":")
    name = pgettext("split line", "Shipping") if base == "shipping" else (product or base)
    return f"{name} · {pgettext('split line', 'tax')}" if part == "tax" else name


@register.filter
def masked_payee(payee) -> str:
    """A payee as pages name it: never the whole account number."""
    return masked(payee)
