"""Rich text from operators is sanitised before it is stored (and so before any page shows it)."""

from __future__ import annotations

import nh3

STORY_TAGS = {"p", "br", "strong", "em", "b", "i", "u", "h2", "h3", "ul", "ol", "li", "blockquote", "a"}
STORY_ATTRIBUTES = {"a": {"href", "title"}}


def story_clean(html: str) -> str:
    """Keep structure and links (http/https/mailto only); drop scripts, styles, handlers and the rest."""
    return nh3.clean(
        html,
        tags=STORY_TAGS,
        attributes=STORY_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()
