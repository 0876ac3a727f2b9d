"""Every translation in a .po file is in its compiled .mo (Django reads only the .mo)."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))


def po_entries(path: Path) -> dict[str, str]:
    """msgid -> msgstr of the singular, non-fuzzy, translated entries (enough to prove the .mo is current)."""
    entries: dict[str, str] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [ln for ln in block.splitlines() if ln and not ln.startswith("#~")]
        if any(ln.startswith("#,") and "fuzzy" in ln for ln in lines) or any(
            "msgid_plural" in ln for ln in lines
        ):
            continue
        parts: dict[str, str] = {}
        key = None
        for ln in lines:
            if ln.startswith(("msgid ", "msgstr ", "msgctxt ")):
                key, _, rest = ln.partition(" ")
                parts[key] = ast.literal_eval(rest)
            elif ln.startswith('"') and key:
                parts[key] += ast.literal_eval(ln)
        if parts.get("msgid") and parts.get("msgstr") and "msgctxt" not in parts:
            entries[parts["msgid"]] = parts["msgstr"]
    return entries


def test_there_are_catalogs():
    assert len(CATALOGS) >= 5


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parts[-5])
def test_the_compiled_catalog_holds_every_translation(po):
    with po.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = {m: s for m, s in po_entries(po).items() if compiled.gettext(m) != s}
    assert not stale, (
        f"run msgfmt -o {po.with_suffix('.mo')} {po}: {len(stale)} not compiled, e.g. {list(stale)[:3]}"
    )


def test_a_message_means_one_thing_across_the_apps_catalogs():
    """Django merges every app's catalog (the first app wins): one msgid translated two ways shows the
    wrong words somewhere (a listing's "Archive" button read 档案馆, the cart's "Item" 项目). Give such
    strings a context (pgettext, {% translate ... context ... %}) instead."""
    by_message: dict[str, dict[str, str]] = {}
    for po in CATALOGS:
        for message, translated in po_entries(po).items():
            by_message.setdefault(message, {})[po.parts[-5]] = translated
    clashes = {m: apps for m, apps in by_message.items() if len(set(apps.values())) > 1}
    assert not clashes, clashes
