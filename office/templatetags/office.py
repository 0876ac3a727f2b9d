from django import template

from core.money import minor_format
from office.selectors import Nav
from office.selectors import office_nav as office_nav_for
from unit_onboarding.models import Unit

register = template.Library()


@register.simple_tag
def yuan(minor: int, currency: str) -> str:
    """4999 fen -> '¥49.99' (grouped); other currencies keep their code."""
    amount = minor_format(minor, currency, grouping=True)
    return f"¥{amount}" if currency == "CNY" else f"{amount} {currency}"


@register.simple_tag(takes_context=True)
def office_nav(context) -> Nav | None:
    """The navigation of a back-office page: of the page's `unit`, by the signed-in user's roles."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    unit = context.get("unit")
    return office_nav_for(
        user=request.user,
        unit=unit if isinstance(unit, Unit) else None,
        view_name=match.view_name,
        path=request.path,
    )
