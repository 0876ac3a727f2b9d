"""Chinese addresses as buyers write them, mapped to the form Saleor validates (Google's address data).

Two habits Saleor refuses: a province without its suffix ("广东" for 广东省), and, in the four
municipalities, the city written as the municipality itself (重庆市 / 重庆市 / 渝中区) where the
address data has the district at the city level (重庆市 / 渝中区).
"""

from __future__ import annotations

from core.provinces import PROVINCES, province_full, short_name

MUNICIPALITIES = frozenset(PROVINCES[:4])


def to_saleor(province: str, city: str, district: str) -> tuple[str, str, str]:
    """(province, city, district) as written -> (countryArea, city, cityArea) for Saleor."""
    province = province_full(province)
    if province in MUNICIPALITIES and city.strip() in {"", province, short_name(province), "市辖区"}:
        return province, district.strip(), ""
    return province, city.strip(), district.strip()


def from_saleor(country_area: str, city: str, city_area: str) -> tuple[str, str, str]:
    """Saleor's stored address back into the three fields a buyer fills in."""
    if country_area in MUNICIPALITIES and not city_area and city:
        return country_area, country_area, city
    return country_area, city, city_area
