"""Template filters of the finance console: yuan from fen, dict lookup, word lists."""

from operator import attrgetter
from urllib.parse import quote

from django import template
from django.utils.timezone import template_localtime
from django.utils.translation import pgettext

from payments.settlement import labels
from payments.settlement.selectors import masked
from payments.settlement.statements import yuan as _yuan

register = template.Library()
_text = attrgetter("text")  # a settlement status in words


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
    is_tax = part == "tax" or part.endswith(":tax")  # a unit's parcel: shipping:<unit uid>[:tax]
    return f"{name} · {pgettext('split line', 'tax')}" if is_tax else name


@register.filter
def statement_rows(lines) -> list[dict]:
    """The statement page's order lines as its cells show them, built in one call: a page of 200 rows through
    ~15 filters each (dates, yuan, labels, statuses) was half the page's time. Each distinct role, rule and
    status is worded once; the cells are the filters' texts (`date:"Y-m-d H:i"`, `yuan`, `urlencode`…)."""
    words: dict = {}

    def worded(make, value) -> str:
        if (make, value) not in words:
            words[make, value] = make(value)
        return words[make, value]

    rows = []
    for ln in lines:
        refund = ln["refund_settlement"]
        sold = template_localtime(ln["sold_at"]) if ln["sold_at"] is not None else None
        rows.append(
            {
                "order_q": quote(ln["order_ref"]),
                "order_shown": ln["order_number"] or ln["order_ref"],
                "label": line_label(ln),
                "role": worded(labels.share_role, ln["role"]),
                "rule": worded(labels.share_rule, ln["rule"]),
                "sold": "" if sold is None else f"{sold:%Y-%m-%d %H:%M}",
                "gross": yuan(ln["gross"]),
                "bps": "" if ln["bps"] is None else ln["bps"],
                "share": yuan(ln["share"]),
                "fee": yuan(ln["fee"]),
                "net": yuan(ln["net"]),
                "refunds": yuan(ln["refunds"]),
                "refund_status": worded(_text, refund) if refund else "",
                "status": worded(_text, ln["settlement"]),
                "batch_nets": [(batch, yuan(net)) for batch, net in ln["batch_nets"]],
            }
        )
    return rows


@register.filter
def masked_payee(payee) -> str:
    """A payee as pages name it: never the whole account number."""
    return masked(payee)


@register.filter
def audit_lines(detail) -> list[tuple[str, str]]:
    """An audit event's detail as (name, text) lines, before/after first, payouts and terms in words."""
    if not isinstance(detail, dict):
        return [("", str(detail))]
    order = sorted(detail, key=lambda k: (k not in ("before", "after"), k))
    return [(key, _audit_value(detail[key])) for key in order]


def _audit_value(value) -> str:
    if not isinstance(value, dict):
        return "—" if value in (None, "", []) else str(value)
    if not value:
        return "—"
    if "method" in value and "account" in value:  # a payee's details, masked
        if value.get("stripe_account"):
            return f"Stripe {value['stripe_account']}"
        if not value.get("bank"):
            return "—"
        name = f"{value['name']} · " if value.get("name") else ""
        return f"{name}{value['bank']} {value.get('account', '')}".strip()
    if "shares" in value:  # an agreement version's terms
        shares = ", ".join(f"{party} {bps}" for party, bps in sorted(value["shares"].items()))
        until = f" .. {value['effective_to']}" if value.get("effective_to") else ""
        rules = " · ".join(str(value.get(k, "")) for k in ("fee_rule", "tax_rule", "shipping_rule"))
        return f"v{value.get('version')} {value.get('effective_from')}{until}: {shares} ({rules})"
    return ", ".join(f"{k}: {v}" for k, v in value.items())


@register.filter
def party_kind(party: str) -> str:
    return labels.party_kind(party)
