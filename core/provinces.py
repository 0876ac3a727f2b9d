"""Mainland China's province-level divisions, named as Saleor's address data (countryArea) names them."""

from __future__ import annotations

PROVINCES = (
    "北京市", "天津市", "上海市", "重庆市",
    "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省", "安徽省", "福建省", "江西省",
    "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省",
    "甘肃省", "青海省",
    "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
)  # fmt: skip
_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市")


def short_name(name: str) -> str:
    """广西壮族自治区 -> 广西, 重庆市 -> 重庆: the name without its administrative suffix."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


_BY_SHORT = {short_name(full): full for full in PROVINCES}


def province_of(name: str) -> str | None:
    """重庆 / 重庆市 -> 重庆市; None for anything that is not a mainland province."""
    name = (name or "").strip()
    if name in PROVINCES:
        return name
    return _BY_SHORT.get(name)


def province_full(name: str) -> str:
    """广东 -> 广东省, 广西 -> 广西壮族自治区; anything else unchanged."""
    return province_of(name) or name.strip()
