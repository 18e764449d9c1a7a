"""Text for Markdown-rendering places (the chat, the OpenAI-compatible API): document and user text escaped
so it stays text, and an answer as Markdown with its [n] markers and 出处 list."""

from __future__ import annotations

import html
import re

from answer.records import Answer

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_ESCAPED_MARKER = re.compile(r"\\\[(\d+)\\\]([\w\u4e00-\u9fff]?)")  # \[3\] in escaped text, and what follows
_MARKER_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\(#source-\d+\)")


def escape_for_chat(text: str) -> str:
    """Plain text for a markdown-rendering component: no HTML, no markdown syntax."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def link_markers(escaped: str, numbers: set[int]) -> str:
    """Each [n] of a cited source (in `numbers`) becomes a link to its card (#source-n); every marker gets
    a space after it when a sentence follows at once ([1]用人单位… → [1] 用人单位…)."""

    def link(match: re.Match) -> str:
        n, after = int(match.group(1)), match.group(2)
        marker = f"[\\[{n}\\]](#source-{n})" if n in numbers else match.group(0)[: -len(after) or None]
        return marker + (" " + after if after else "")

    return _ESCAPED_MARKER.sub(link, escaped)


def unlink_markers(text: str) -> str:
    """An earlier answer's markers stop being links: the sources panel shows the latest answer's cards."""
    return _MARKER_LINK.sub(r"\1", text)


def answer_markdown(answer: Answer, link: bool = False) -> str:
    """The answer with its [n] markers (`link`: as links to their source cards), any notice, then the 出处
    list — markdown that shows document text as text. Also the content of the OpenAI-compatible API's replies."""
    text = link_markers(escape_for_chat(answer.text), {c.n for c in answer.citations} if link else set())
    if answer.notice:
        text += f"\n\n（{escape_for_chat(answer.notice)}）"
    if answer.citations:
        listed = [f"[{escape_for_chat(f'[{c.n}] {c.label}')}](#source-{c.n})  " for c in answer.citations]
        text += "\n\n**出处**（点编号看原文）\n" + "\n".join(listed)
    return text
