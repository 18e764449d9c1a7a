from __future__ import annotations

from answer.records import Answer, Citation
from web.ui import chat_text, escape_for_chat, sources_html

HOSTILE = "第一条 <script>alert(1)</script>见[链接](http://evil.example)。第二条 正常。"


def citation(quote: str) -> Citation:
    path = ("测试条例", "第一章 总则")
    return Citation(1, "测试条例", "第一条", path, "2020-01-01", quote, "t.md", "c1", HOSTILE, "d1")


def test_chat_bubble_shows_document_text_as_text():
    shown = escape_for_chat(HOSTILE)
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert "](http" not in shown and r"\[链接\]\(http://evil\.example\)" in shown
    text = chat_text(Answer("q", "见[链接](http://evil.example)[1]", [citation("见")]))
    assert "**出处**" in text and r"\[1\] 《测试条例》第一条（2020\-01\-01）" in text


def test_source_panel_escapes_and_marks_every_quoted_sentence():
    page = sources_html(Answer("q", "…", [citation("<script>alert(1)</script>见\n第二条 正常。")]))
    assert "<script>" not in page
    assert page.count('<span class="quote">') == 2
    assert 'href="?doc=d1&art=%E7%AC%AC%E4%B8%80%E6%9D%A1"' in page
