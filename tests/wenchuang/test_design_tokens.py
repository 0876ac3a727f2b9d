"""The colour tokens of the shared design system (wenchuang/static/wenchuang/design.css) keep text readable:
a contrast of at least 4.5:1 (WCAG AA) for every text colour on the backgrounds it is used on, 3:1 for the
borders of form fields; and every layout links the design system before its own stylesheet (the back office's
through wenchuang/backoffice.html, which they extend)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
DESIGN = ROOT / "wenchuang" / "static" / "wenchuang" / "design.css"
LAYOUTS = (
    "storefront/templates/storefront/base.html",
    "unit_onboarding/templates/unit_onboarding/base.html",
    "payments/templates/payments/finance/base.html",
)


def tokens() -> dict[str, str]:
    root = re.search(r":root\s*\{(.*?)\n\}", DESIGN.read_text(), re.S).group(1)
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\b", root))


def luminance(colour: str) -> float:
    hex_ = colour.lstrip("#")
    if len(hex_) == 3:
        hex_ = "".join(c * 2 for c in hex_)
    channels = [int(hex_[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


TEXT_ON = [
    ("ink", "paper"),
    ("ink", "surface"),
    ("ink", "sunken"),
    ("ink", "accent-soft"),
    ("ink", "info-soft"),
    ("ink", "warning-soft"),
    ("accent", "paper"),
    ("accent", "surface"),
    ("accent", "accent-soft"),
    ("accent-strong", "accent-soft"),
    ("muted", "paper"),
    ("muted", "surface"),
    ("muted", "sunken"),
    ("danger", "surface"),
    ("danger", "paper"),
    ("success", "success-soft"),
    ("success", "paper"),
    ("warning", "warning-soft"),
    ("warning", "paper"),
    ("info", "info-soft"),
    ("surface", "accent"),  # white on a primary button
    ("surface", "accent-strong"),
    ("surface", "danger"),
]


@pytest.mark.parametrize(("text", "background"), TEXT_ON)
def test_text_colours_contrast_at_least_4_5_to_1(text, background):
    t = tokens()
    assert contrast(t[text], t[background]) >= 4.5, (text, background)


def test_field_borders_and_the_focus_ring_contrast_at_least_3_to_1():
    t = tokens()
    assert contrast(t["field-line"], t["surface"]) >= 3
    assert contrast(t["field-line"], t["paper"]) >= 3
    assert contrast(t["focus"], t["paper"]) >= 3


def test_the_colour_scheme_fails_a_pale_grey():
    assert contrast("#999999", "#ffffff") < 4.5  # the check itself can fail


def layout_text(layout: str) -> str:
    """The layout's text after the text of the layout it extends (whose head it fills)."""
    text = (ROOT / layout).read_text()
    parent = re.match(r'\{% extends "(([^/"]+)/[^"]+)" %\}', text)
    if parent is None:
        return text
    return layout_text(f"{parent.group(2)}/templates/{parent.group(1)}") + text


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_links_the_design_system_first(layout):
    link = r"<link rel=\"stylesheet\" href=\"\{% static '([^']+)' %\}\">"
    sheets = re.findall(link, layout_text(layout))
    assert sheets[0] == "wenchuang/design.css", sheets
    assert len(sheets) == 2  # then the layout's own
