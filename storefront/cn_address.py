"""Chinese addresses as buyers write them, mapped to the form Saleor validates (Google's address data).

Two habits Saleor refuses: a province without its suffix ("广东" for 广东省), and, in the four
municipalities, the city written as the municipality itself (重庆市 / 重庆市 / 渝中区) where the
address data has the district at the city level (重庆市 / 渝中区).
"""

from __future__ import annotations

# Mainland province-level divisions as Saleor's address data names them.
PROVINCES = (
    "北京市", "天津市", "上海市", "重庆市",
    "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省", "安徽省", "福建省", "江西省",
    "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省",
    "甘肃省", "青海省",
    "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
)  # fmt: skip
MUNICIPALITIES = frozenset(PROVINCES[:4])
_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市")


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


_BY_SHORT = {_short(full): full for full in PROVINCES}


def province_full(name: str) -> str:
    """广东 -> 广东省, 广西 -> 广西壮族自治区; anything else unchanged."""
    name = name.strip()
    return _BY_SHORT.get(name, name)


def to_saleor(province: str, city: str, district: str) -> tuple[str, str, str]:
    """(province, city, district) as written -> (countryArea, city, cityArea) for Saleor."""
    province = province_full(province)
    if province in MUNICIPALITIES and city.strip() in {"", province, _short(province), "市辖区"}:
        return province, district.strip(), ""
    return province, city.strip(), district.strip()


def from_saleor(country_area: str, city: str, city_area: str) -> tuple[str, str, str]:
    """Saleor's stored address back into the three fields a buyer fills in."""
    if country_area in MUNICIPALITIES and not city_area and city:
        return country_area, country_area, city
    return country_area, city, city_area
