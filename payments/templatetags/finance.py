"""Template filters of the finance console: yuan from fen, dict lookup, word lists."""

from django import template

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
