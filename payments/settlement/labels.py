"""Ledger codes in words for people: a party's kind, a share's role and the rule that gave it (the statement
page and its exports show these)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.party import CAMPAIGN, DESIGNER, ENTITY, STAFF_POOL, UNIT, Party

_KINDS = {
    UNIT: pgettext_lazy("party kind", "The unit's own share"),
    STAFF_POOL: _("Staff incentive pool"),
    ENTITY: _("Operating entity"),
    DESIGNER: pgettext_lazy("party kind", "Designer"),
    CAMPAIGN: _("crowdfunding campaign, held"),
    "platform": _("Platform"),
}
_ROLES = {
    "unit": pgettext_lazy("share role", "Unit"),
    "operating_entity": _("Operating entity"),
    "entity": _("Operating entity"),
    "designer": _("Designer royalty"),
    "staff_pool": _("Staff incentive pool"),
    "platform": _("Platform"),
    "seller_of_record": pgettext_lazy("share role", "Seller of record (tax)"),
    "shipping_unit": pgettext_lazy("share role", "Unit that ships"),
    "held": pgettext_lazy("share role", "Held for the campaign"),
    "award": pgettext_lazy("share role", "Design call award"),
    "award_funding": pgettext_lazy("share role", "Funds the design call award"),
}
_RULES = {
    "agreement": pgettext_lazy("share rule", "by the distribution agreement"),
    "tax:platform": pgettext_lazy("share rule", "tax to the platform"),
    "tax:seller_of_record": pgettext_lazy("share rule", "tax to the seller of record"),
    "discount:platform": pgettext_lazy("share rule", "discount funded by the platform"),
    "shipping:agreement": pgettext_lazy("share rule", "shipping split by the agreement"),
    "shipping:platform": pgettext_lazy("share rule", "shipping to the platform"),
    "shipping:shipping_unit": pgettext_lazy("share rule", "shipping to the unit that ships"),
    "campaign:held": pgettext_lazy("share rule", "held until the campaign succeeds"),
    "award:design_call": pgettext_lazy("share rule", "design call award"),
}


def party_kind(party: str) -> str:
    """What kind of party a key names, in words (a key of no known kind: itself)."""
    kind = Party.parse(party).kind
    return str(_KINDS[kind]) if kind in _KINDS else party


def share_role(role: str | None) -> str:
    return str(_ROLES[role]) if role in _ROLES else (role or "")


def share_rule(rule: str | None) -> str:
    """The rule a share was computed by; a royalty carved out before the agreement's shares names its role."""
    if rule and rule.startswith("royalty:"):
        return str(pgettext_lazy("share rule", "royalty, before the agreement's shares"))
    return str(_RULES[rule]) if rule in _RULES else (rule or "")
