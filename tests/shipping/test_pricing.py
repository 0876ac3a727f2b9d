"""The parcel price of one unit's lines to a province: a pure function of its rate terms."""

from __future__ import annotations

from shipping.pricing import NotShipped, ParcelPrice, RateTerms, parcel_price

MUSEUM = RateTerms(
    version_id=7,
    default_rate=1000,
    province_rates={"新疆维吾尔自治区": 2500, "西藏自治区": 3000},
    free_over=20000,
    per_item=200,
    pickup=True,
)
ONLY_LISTED = RateTerms(version_id=8, default_rate=None, province_rates={"重庆市": 600, "四川省": 800})


def test_default_rate_for_a_province_without_its_own():
    assert parcel_price(MUSEUM, province="重庆市", goods=5000, items=1) == ParcelPrice(1000, version_id=7)


def test_a_province_rate_overrides_the_default():
    assert parcel_price(MUSEUM, province="新疆维吾尔自治区", goods=5000, items=1).amount == 2500


def test_the_per_item_surcharge_counts_every_item_after_the_first():
    assert parcel_price(MUSEUM, province="重庆市", goods=5000, items=3).amount == 1000 + 2 * 200
    assert parcel_price(MUSEUM, province="新疆维吾尔自治区", goods=5000, items=2).amount == 2500 + 200


def test_free_once_the_threshold_is_exactly_reached_and_not_a_fen_before():
    assert parcel_price(MUSEUM, province="重庆市", goods=19_999, items=5).amount == 1000 + 4 * 200
    free = parcel_price(MUSEUM, province="重庆市", goods=20_000, items=5)
    assert (free.amount, free.free) == (0, True)
    assert parcel_price(MUSEUM, province="西藏自治区", goods=20_001, items=1).amount == 0


def test_pickup_is_free_where_the_unit_allows_it_whatever_the_province():
    pickup = parcel_price(MUSEUM, province="", goods=100, items=9, pickup=True)
    assert (pickup.amount, pickup.pickup, pickup.refused) == (0, True, None)


def test_pickup_asked_of_a_unit_that_does_not_offer_it_is_a_shipped_parcel():
    price = parcel_price(ONLY_LISTED, province="重庆市", goods=100, items=1, pickup=True)
    assert (price.amount, price.pickup) == (600, False)


def test_a_province_not_served_leaves_the_parcel_unshipped():
    price = parcel_price(ONLY_LISTED, province="新疆维吾尔自治区", goods=100, items=1)
    assert (price.amount, price.refused) == (None, NotShipped.PROVINCE_NOT_SERVED)
    # the free-shipping threshold does not make an unserved province served
    rich = RateTerms(version_id=9, default_rate=None, province_rates={"重庆市": 600}, free_over=1)
    assert parcel_price(rich, province="西藏自治区", goods=10**6, items=1).amount is None


def test_an_unknown_province_is_refused_not_charged_the_default():
    for province in ("", "Atlantis", "台北市", "香港"):
        price = parcel_price(MUSEUM, province=province, goods=100, items=1)
        assert (price.amount, price.refused) == (None, NotShipped.UNKNOWN_PROVINCE), province


def test_a_province_written_without_its_suffix_is_the_province():
    assert parcel_price(ONLY_LISTED, province="四川", goods=100, items=1).amount == 800
    assert parcel_price(MUSEUM, province="新疆", goods=100, items=1).amount == 2500


def test_no_rates_means_no_price():
    assert parcel_price(None, province="重庆市", goods=100, items=1).refused == NotShipped.NO_RATES
