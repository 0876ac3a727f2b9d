"""The marketplace's categories, product types and attributes: slugs shared with Saleor, bilingual names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.functional import lazy

# slug -> (name in Saleor (Chinese), English name for the portal)
CATEGORIES: dict[str, tuple[str, str]] = {
    "wenchuang-stationery": ("文具", "Stationery"),
    "wenchuang-homeware": ("家居", "Homeware"),
    "wenchuang-textiles": ("丝织品与服饰", "Textiles and apparel"),
    "wenchuang-ceramics": ("陶瓷", "Ceramics"),
    "wenchuang-books-prints": ("图书与印刷品", "Books and prints"),
    "wenchuang-jewellery": ("首饰", "Jewellery"),
    "wenchuang-toys": ("文创玩具", "Toys and games"),
}
PRODUCT_TYPES: dict[str, tuple[str, str]] = {
    "wenchuang-goods": ("文创商品", "Cultural goods (shipped)"),
    "wenchuang-book": ("出版物", "Publication (shipped)"),
}


def _in_language(zh: str, en: str) -> str:
    return zh if (translation.get_language() or "zh-hans").startswith("zh") else en


# The names are kept in both languages here (Saleor holds the Chinese ones), not in a message catalogue.
in_language = lazy(_in_language, str)


def category_choices() -> list[tuple[str, str]]:
    return [(slug, in_language(zh, en)) for slug, (zh, en) in CATEGORIES.items()]


def product_type_choices() -> list[tuple[str, str]]:
    return [(slug, in_language(zh, en)) for slug, (zh, en) in PRODUCT_TYPES.items()]


class AttributeValueError(ValueError):
    """A value an attribute does not accept; the message says what it does accept."""


@dataclass(frozen=True)
class Attribute:
    """A product attribute, kept in Saleor under the same slug (names there are the Chinese ones).

    Values are stored as strings: a dropdown's choice slug, the text, or a number such as "18.5".
    """

    slug: str
    name_zh: str
    name_en: str
    input_type: str  # DROPDOWN, PLAIN_TEXT or NUMERIC (Saleor's AttributeInputTypeEnum)
    choices: tuple[tuple[str, str, str], ...] = ()  # (value slug, Chinese, English) of a dropdown
    unit: str = ""  # Saleor's MeasurementUnitsEnum for a numeric attribute, e.g. CM
    required: bool = False
    max_length: int = 100

    @property
    def label(self) -> str:
        suffix = f" ({self.unit.lower()})" if self.unit else ""
        return f"{self.name_zh} / {self.name_en}{suffix}"

    def choice_reference(self, value: str) -> str:
        """The external reference of a dropdown value in Saleor."""
        return f"{self.slug}-{value}"

    def display(self, value: str) -> str:
        """The value as buyers read it (a choice's Chinese name; numbers with their unit)."""
        if self.choices:
            return next((zh for slug, zh, _en in self.choices if slug == value), value)
        return f"{value} {self.unit.lower()}" if self.unit else value

    def clean(self, raw: Any) -> str:
        """The stored form of `raw` ("" when empty); refuses a value the attribute does not accept."""
        value = str(raw if raw is not None else "").strip()
        if not value:
            return ""
        if self.input_type == "DROPDOWN":
            for slug, zh, en in self.choices:
                if value in (slug, zh) or value.lower() == en.lower():
                    return slug
            raise AttributeValueError(f"one of {', '.join(slug for slug, _zh, _en in self.choices)}")
        if self.input_type == "NUMERIC":
            try:
                number = Decimal(value)
            except InvalidOperation as exc:
                raise AttributeValueError("a number such as 18.5") from exc
            if not number.is_finite() or number <= 0 or number > 100_000:
                raise AttributeValueError("a positive number up to 100000")
            return format(number.quantize(Decimal("0.01")).normalize(), "f")
        if len(value) > self.max_length:
            raise AttributeValueError(f"at most {self.max_length} characters")
        return value


def _isbn13_ok(value: str) -> bool:
    digits = value.replace("-", "")
    if len(digits) != 13 or not digits.isdigit():
        return False
    return sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0


class IsbnAttribute(Attribute):
    """An ISBN-13, stored without hyphens; the check digit is verified."""

    def clean(self, raw: Any) -> str:
        value = super().clean(raw).replace("-", "").replace(" ", "")
        if value and not _isbn13_ok(value):
            raise AttributeValueError("an ISBN-13 such as 9787020002207 (check digit included)")
        return value


ATTRIBUTES: dict[str, Attribute] = {
    a.slug: a
    for a in (
        Attribute(
            "wenchuang-material",
            "材质",
            "Material",
            "DROPDOWN",
            choices=(
                ("bronze", "铜", "Bronze or brass"),
                ("porcelain", "陶瓷", "Porcelain or ceramic"),
                ("silk", "丝绸", "Silk"),
                ("cotton", "棉麻", "Cotton or linen"),
                ("paper", "纸", "Paper"),
                ("wood", "木", "Wood"),
                ("jade", "玉石", "Jade or stone"),
                ("enamel", "珐琅", "Enamel"),
                ("silver", "银", "Silver"),
                ("resin", "树脂", "Resin"),
            ),
            required=True,
        ),
        Attribute(
            "wenchuang-era",
            "源物年代",
            "Era of the source object",
            "DROPDOWN",
            choices=(
                ("neolithic", "新石器时代", "Neolithic"),
                ("shang-zhou", "商周", "Shang and Zhou"),
                ("qin-han", "秦汉", "Qin and Han"),
                ("wei-jin", "魏晋南北朝", "Wei, Jin and the Northern and Southern dynasties"),
                ("sui-tang", "隋唐", "Sui and Tang"),
                ("song-yuan", "宋元", "Song and Yuan"),
                ("ming", "明", "Ming"),
                ("qing", "清", "Qing"),
                ("republic", "民国", "Republic of China (1912-1949)"),
                ("modern", "现代", "Modern"),
            ),
        ),
        Attribute("wenchuang-length-cm", "最长边尺寸", "Size, longest side", "NUMERIC", unit="CM"),
        Attribute("wenchuang-author", "作者", "Author", "PLAIN_TEXT", required=True, max_length=200),
        Attribute("wenchuang-publisher", "出版社", "Publisher", "PLAIN_TEXT", max_length=200),
        IsbnAttribute("wenchuang-isbn", "ISBN", "ISBN", "PLAIN_TEXT", max_length=17),
    )
}
# Which attributes each product type carries, in display order.
PRODUCT_TYPE_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "wenchuang-goods": ("wenchuang-material", "wenchuang-era", "wenchuang-length-cm"),
    "wenchuang-book": ("wenchuang-author", "wenchuang-publisher", "wenchuang-isbn", "wenchuang-era"),
}


def attributes_of(product_type: str) -> list[Attribute]:
    return [ATTRIBUTES[slug] for slug in PRODUCT_TYPE_ATTRIBUTES.get(product_type, ())]


def attributes_clean(product_type: str, raw: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """(values, errors) of the product type's attributes in `raw`; others are dropped, empties left out."""
    values, errors = {}, {}
    for attribute in attributes_of(product_type):
        try:
            value = attribute.clean(raw.get(attribute.slug))
        except AttributeValueError as error:
            errors[attribute.slug] = str(error)
            continue
        if value:
            values[attribute.slug] = value
    return values, errors


def attributes_missing(product_type: str, values: Mapping[str, str]) -> list[str]:
    """Required attributes of the product type without a value."""
    return [a.slug for a in attributes_of(product_type) if a.required and not values.get(a.slug)]
