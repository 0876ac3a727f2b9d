"""Plain paragraphs to Saleor's EditorJS description JSON and back."""

from __future__ import annotations

import html
import json
from typing import Any


def editorjs(text: str) -> str:
    """Plain paragraphs (blank-line separated) as Saleor's EditorJS description JSON."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    blocks = [
        {"id": f"p{i}", "type": "paragraph", "data": {"text": html.escape(p).replace("\n", "<br>")}}
        for i, p in enumerate(paragraphs)
    ]
    return json.dumps({"blocks": blocks, "version": "2.24.3"}, ensure_ascii=False)


def editorjs_text(description: Any) -> str:
    """The plain text of an EditorJS description (as a string or parsed), for comparisons."""
    if not description:
        return ""
    document = json.loads(description) if isinstance(description, str) else description
    texts = [html.unescape(str((b.get("data") or {}).get("text", ""))) for b in document.get("blocks", [])]
    return "\n\n".join(t.replace("<br>", "\n").strip() for t in texts if t.strip())
