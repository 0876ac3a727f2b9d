"""What the promotion tests share offline: one double of Saleor at the HTTP edge, for units' promotions and
vouchers and for platform campaigns, the two-unit order they discount and what its parties are owed."""

from __future__ import annotations

import json

import httpx

from tests.orders.payloads import Line, SaleorOrder, line_discount

API = "https://saleor.example.cn/graphql/"
PROMO = "UHJvbW90aW9uOjAwMDAwMDAwLXVuaXQtcHJvbW8="  # what the fake Saleor names a unit's created promotion
CAMPAIGN = "UHJvbW90aW9uOmNhbXBhaWduLTUxOA=="  # … and a platform campaign's (campaign_saleor)
VOUCHER = "Vm91Y2hlcjo0Mg=="
CHANNEL = "Q2hhbm5lbDo3"


class FakeSaleor:
    """Saleor at the HTTP edge (recorded): the channel; the promotion it creates (`promotion_id`), a platform
    campaign's rules (one per product) and a promotion's end; a voucher and its channel value."""

    def __init__(self, errors: list | None = None, promotion_id: str = PROMO) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.errors = errors or []
        self.promotion_id = promotion_id

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        name, variables = body["operationName"], body["variables"]
        self.calls.append((name, variables))
        if name == "SalesChannel":
            data = {"channel": {"id": CHANNEL, "slug": "wenchuang", "currencyCode": "CNY"}}
        elif name == "PromotionCreate":
            promotion = None if self.errors else {"id": self.promotion_id}
            data = {"promotionCreate": {"promotion": promotion, "errors": self.errors}}
        elif name == "CampaignRuleCreate":
            n = sum(1 for called, _ in self.calls if called == name)
            rule = None if self.errors else {"id": f"UHJvbW90aW9uUnVsZTo{n}"}
            data = {"promotionRuleCreate": {"promotionRule": rule, "errors": self.errors}}
        elif name == "VoucherCreate":
            voucher = None if self.errors else {"id": VOUCHER, "code": variables["input"]["addCodes"][0]}
            data = {"voucherCreate": {"voucher": voucher, "errors": self.errors}}
        elif name == "PromotionEnd":
            data = {"promotionUpdate": {"promotion": {"id": variables["id"]}, "errors": self.errors}}
        else:
            data = {"voucherChannelListingUpdate": {"voucher": {"id": VOUCHER}, "errors": []}}
        return httpx.Response(200, json={"data": data})


def campaign_saleor(errors: list | None = None, promotion_id: str = CAMPAIGN) -> FakeSaleor:
    """The double as a platform campaign's tests meet it: the promotion it creates is `CAMPAIGN`."""
    return FakeSaleor(errors, promotion_id)


def mirror_and_fan(
    museum, library, order_id: str, paid_at: str, *, promotion: str, name: str, mirror_off: int,
    fan_off: int = 0, refs: tuple[str, str] | None = None,
) -> SaleorOrder:  # fmt: skip
    """The museum's mirror 2 x 100.00 less `mirror_off` and the library's fan 100.00 less `fan_off`, both by
    the Saleor promotion `promotion` named `name`; paid at `paid_at`. Its lines are `refs`, else
    `<order_id>-a` and `-b`."""
    mirror_ref, fan_ref = refs or (f"{order_id}-a", f"{order_id}-b")

    def line(ref: str, unit, off: int, quantity: int = 1) -> Line:
        named = [line_discount("PROMOTION", f"Promotion: {promotion}", off, name)] if off else []
        return Line(
            ref, unit.saleor_warehouse_id, 10_000, quantity=quantity, discount=off, line_discounts=named
        )

    lines = [line(mirror_ref, museum, mirror_off, quantity=2), line(fan_ref, library, fan_off)]
    return SaleorOrder(id=order_id, lines=lines).paid(at=paid_at)


def owed(museum, museum_shares, library, library_shares, *, platform: int) -> dict[str, int]:
    """What the ledger owes the two units' parties, each unit's `shares` in the order unit, operating entity,
    staff pool, and the platform (as `ledger.party_owed` reads it)."""
    parties = {}
    for unit, shares in ((museum, museum_shares), (library, library_shares)):
        keys = (unit.party_key, unit.operating_entity.party_key, f"staff_pool:{unit.uid}")
        parties.update(zip(keys, shares, strict=True))
    return parties | {"platform": platform}
