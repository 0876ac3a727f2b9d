"""The marketplace's categories and product types: slugs shared with Saleor, names in both languages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

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


def category_choices() -> list[tuple[str, str]]:
    return [(slug, _(en)) for slug, (_zh, en) in CATEGORIES.items()]


def product_type_choices() -> list[tuple[str, str]]:
    return [(slug, _(en)) for slug, (_zh, en) in PRODUCT_TYPES.items()]
