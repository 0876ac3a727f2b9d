from django import template

from core.money import minor_format

register = template.Library()


@register.simple_tag
def yuan(minor: int, currency: str) -> str:
    """4999 fen -> '¥49.99' (grouped); other currencies keep their code."""
    amount = minor_format(minor, currency, grouping=True)
    return f"¥{amount}" if currency == "CNY" else f"{amount} {currency}"
