"""What the cart says about each unit's parcel to the chosen address: which units do not ship there."""

from __future__ import annotations

from django.utils.translation import gettext as _

from catalog import saleor_metadata as keys
from shipping.pricing import NotShipped
from shipping.quotes import Cart, CartLine, cart_shipping
from storefront.units import metadata_dict


def unshippable_messages(checkout: dict | None) -> list[str]:
    """One sentence per unit of the cart that does not ship to the address's province (empty without an
    address, or when every unit ships there or has no rates of its own yet)."""
    address = (checkout or {}).get("shippingAddress") or {}
    if not address:
        return []
    lines = []
    for line in checkout.get("lines") or []:
        product = (line.get("variant") or {}).get("product") or {}
        unit_id = metadata_dict(product.get("metadata")).get(keys.UNIT_ID, "")
        if unit_id.isdigit():
            lines.append(CartLine(int(unit_id), int(line.get("quantity") or 0), 0, ""))
    province = str(address.get("countryArea") or "")
    country = str((address.get("country") or {}).get("code") or "")
    shipping = cart_shipping(Cart(str(checkout.get("id") or ""), "CNY", province, country, tuple(lines)))
    pickup = {p.unit.pk for p in shipping.with_pickup or () if p.price.pickup}
    messages = []
    for parcel in shipping.shipped:
        if parcel.price.refused not in (NotShipped.PROVINCE_NOT_SERVED, NotShipped.UNKNOWN_PROVINCE):
            continue
        place = province if parcel.price.refused == NotShipped.PROVINCE_NOT_SERVED else _("this address")
        if parcel.unit.pk in pickup:
            text = _(
                "%(unit)s does not ship to %(place)s: collect its goods at its counter (pickup), or remove "
                "them from the cart, or choose another address."
            )
        else:
            text = _(
                "%(unit)s does not ship to %(place)s: remove its goods from the cart or choose another "
                "address."
            )
        messages.append(text % {"unit": parcel.unit, "place": place})
    return messages
