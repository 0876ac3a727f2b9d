"""zh-Hans completeness: every message marked for translation in the code and the templates has a Chinese
translation in some app's catalog, so no page shows an English string in the Chinese UI (a fulfilment message
once did).

Read from the source itself (no extraction tool needed): Python calls of `_`, `gettext`, `gettext_lazy`,
`pgettext` and `pgettext_lazy` with literal arguments, and templates' `{% translate "…" %}` (with context).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.wenchuang.test_translations import CATALOGS, ROOT

APPS = sorted({po.parts[-5] for po in CATALOGS} | {"wenchuang"})
TEMPLATE_TAG = re.compile(
    r"""\{%\s*(?:translate|trans)\s+("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
    r"""(?:\s+context\s+("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'))?"""
)
PLAIN = {"_", "gettext", "gettext_lazy"}
CONTEXTUAL = {"pgettext", "pgettext_lazy"}


def translated() -> set[tuple[str, str]]:
    """(context, msgid) of every translated, non-fuzzy entry of every catalog."""
    found: set[tuple[str, str]] = set()
    for po in CATALOGS:
        for block in po.read_text(encoding="utf-8").split("\n\n"):
            lines = [ln for ln in block.splitlines() if ln and not ln.startswith("#~")]
            if any(ln.startswith("#,") and "fuzzy" in ln for ln in lines):
                continue
            parts: dict[str, str] = {}
            key = None
            for ln in lines:
                if ln.startswith(("msgid ", "msgstr ", "msgctxt ", "msgstr[0] ")):
                    key, _, rest = ln.partition(" ")
                    parts[key] = ast.literal_eval(rest)
                elif ln.startswith('"') and key:
                    parts[key] += ast.literal_eval(ln)
            if parts.get("msgid") and (parts.get("msgstr") or parts.get("msgstr[0]")):
                found.add((parts.get("msgctxt", ""), parts["msgid"]))
    return found


def marked_in_python(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        args = [
            a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args
        ]
        if node.func.id in PLAIN and args and args[0]:
            yield "", args[0]
        elif node.func.id in CONTEXTUAL and len(args) >= 2 and args[0] and args[1]:
            yield args[0], args[1]


def marked_in_template(path: Path):
    for match in TEMPLATE_TAG.finditer(path.read_text(encoding="utf-8")):
        # Django looks a template literal up with its % doubled, as makemessages extracted it.
        message = ast.literal_eval(match.group(1)).replace("%", "%%")
        context = ast.literal_eval(match.group(2)) if match.group(2) else ""
        yield context, message


def test_every_marked_message_has_a_chinese_translation():
    have = translated()
    missing = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                missing += [(path.relative_to(ROOT), m) for m in marked_in_python(path) if m not in have]
        for suffix in ("*.html", "*.txt"):
            for path in sorted((ROOT / app).rglob(suffix)):
                missing += [(path.relative_to(ROOT), m) for m in marked_in_template(path) if m not in have]
    assert not missing, (
        f"{len(missing)} messages without zh-Hans (makemessages, then translate): {missing[:10]}"
    )


def test_the_scan_finds_what_it_should():
    """The reader sees the forms the project uses, so the test above cannot pass by reading nothing."""
    have = translated()
    assert ("", "Withdraw") in have and len(have) > 500
    template = ROOT / "catalog" / "templates" / "catalog" / "royalty.html"
    assert ("", "Designer royalty") in set(marked_in_template(template))
    assert ("validity", "From") in set(marked_in_template(template))
    python = ROOT / "catalog" / "error_codes.py"
    assert ("", "Say why you reject this licence.") in set(marked_in_python(python))
