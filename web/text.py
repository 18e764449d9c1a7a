"""Document and user text shown in Markdown-rendering components: escaped so it stays text."""

from __future__ import annotations

import html
import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def escape_for_chat(text: str) -> str:
    """Plain text for a markdown-rendering component: no HTML, no markdown syntax."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))
