"""Saleor's English translations on English pages, the Chinese original wherever one is missing.

Storefront queries ask each translatable object for `en: translation(languageCode: EN) {...}` next to
its own fields: one answer (and one cached copy) serves both languages; the page picks.
"""

from __future__ import annotations

from typing import Any


def is_english(language: str) -> bool:
    return language.lower().startswith("en")


def translated(node: dict | None, field: str, language: str) -> Any:
    """The field in the page's language: the EN translation's when it has a value, else the original."""
    node = node or {}
    if is_english(language):
        value = (node.get("en") or {}).get(field)
        if value:
            return value
    return node.get(field)


def seo_texts(node: dict, language: str) -> tuple[str, str]:
    """SEO title and description in the page's language ("" where none): an English page whose object has
    an English name does not fall back to the original's SEO texts (a Chinese title under an English h1);
    the templates then use the name."""
    en = (node.get("en") or {}) if is_english(language) else {}
    if en.get("name"):
        return en.get("seoTitle") or "", en.get("seoDescription") or ""
    return translated(node, "seoTitle", language) or "", translated(node, "seoDescription", language) or ""


def localized(node: dict | None, language: str) -> dict | None:
    """A copy of the node (a category, say) whose name reads in the page's language."""
    if node is None:
        return None
    return {**node, "name": translated(node, "name", language)}


def localized_nodes(connection: dict | None, language: str) -> list[dict]:
    """The nodes of a connection (e.g. categories), named in the page's language."""
    return [localized(edge["node"], language) for edge in (connection or {}).get("edges", [])]
