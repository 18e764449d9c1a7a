"""Browse and search the laws: documents by kind and region, a document as its 章/节/条 tree,
keyword search with highlighted hits. Every article has a stable link: ?doc=<doc_id>&art=第十九条."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from index.store import SearchIndex
from ingest.records import Chunk, book_title


def article_link(doc_id: str, article: str) -> str:
    return f"?doc={quote(doc_id)}&art={quote(article)}"


def catalogue(index: SearchIndex) -> list[tuple[str, str]]:
    """(label, doc_id) for every document, grouped by kind then region: 「法律 · 北京」《…》（日期）."""
    docs = sorted(index.manifest.documents, key=lambda d: (d["kind"], d["region"], d["title"], d["date"]))
    choices = []
    for d in docs:
        group = " · ".join(x for x in (d["kind"], d["region"]) if x)
        stale = "（旧版）" if d.get("superseded_by") else ""
        choices.append(
            (f"【{group}】{book_title(d['title'])}{d['date'] and '（' + d['date'] + '）'}{stale}", d["doc_id"])
        )
    return choices


def outline_html(index: SearchIndex, doc_id: str, focus: str = "") -> str:
    """The document as headings and articles, full text escaped; `focus` (第X条) is marked."""
    doc = index.document(doc_id)
    if doc is None:
        return "<p>没有找到这个文档。</p>"
    parts = [f"<h3>{html.escape(book_title(doc['title']))}</h3>"]
    if doc.get("superseded_by"):
        newer = index.document(doc["superseded_by"])
        if newer:
            parts.append(
                f"<p class='notice'>已有新版本：{html.escape(book_title(newer['title']))}（{newer['date']}）</p>"
            )
    path: tuple[str, ...] = ()
    for chunk in (c for c in index.chunks if c.doc_id == doc_id):
        for depth, heading in enumerate(chunk.heading_path[1:], 1):
            if path[: depth + 1] != chunk.heading_path[: depth + 1]:
                parts.append(f"<h{min(depth + 3, 6)}>{html.escape(heading)}</h{min(depth + 3, 6)}>")
        path = chunk.heading_path
        if chunk.article and chunk.part <= 1:
            focused = " focus" if chunk.article == focus else ""
            link = article_link(doc_id, chunk.article)
            parts.append(
                f"<div class='article{focused}' id='art-{html.escape(chunk.article)}'>"
                f"<a class='article-link' href='{link}'>{html.escape(chunk.article)}</a>"
            )
        elif not chunk.article:
            parts.append("<div class='article'>")
        else:
            parts.append("<div class='article continued'>")
        parts.append(f"<p>{html.escape(chunk.text)}</p></div>")
    return "".join(parts)


def highlight(text: str, terms: list[str]) -> str:
    """Escape `text`, then wrap each term in <mark> (longest first, so 工会主席 wins over 工会)."""
    escaped = html.escape(text)
    words = sorted({html.escape(t) for t in terms if len(t) >= 2}, key=len, reverse=True)
    if words:  # one pass, longest alternative first, so marks never nest
        escaped = re.sub("|".join(map(re.escape, words)), lambda m: f"\x00{m.group()}\x01", escaped)
    # adjacent hits (哺乳 + 时间) read as one: 哺乳时间
    return escaped.replace("\x01\x00", "").replace("\x00", "<mark>").replace("\x01", "</mark>")


def search_chunks(index: SearchIndex, query: str, k: int = 20) -> list[Chunk]:
    """Keyword search over every document: the best k passages, best first."""
    query = query.strip()
    return [index.chunks[row] for row, _ in index.keyword.search(query, k)] if query else []


def search_html(index: SearchIndex, query: str, k: int = 20) -> str:
    """Keyword search over every document; hits show title, article label and highlighted text."""
    query = query.strip()
    if not query:
        return "<p>输入关键词，例如：集体合同、哺乳、工会经费。</p>"
    hits = search_chunks(index, query, k)
    if not hits:
        return f"<p>没有找到包含“{html.escape(query)}”的条文。</p>"
    terms = index.keyword.tokenizer(query)
    items = []
    for chunk in hits:
        label = html.escape(book_title(chunk.title) + chunk.article)
        link = article_link(chunk.doc_id, chunk.article) if chunk.article else f"?doc={quote(chunk.doc_id)}"
        path = html.escape(" › ".join(chunk.heading_path[1:]))
        items.append(
            f"<div class='hit'><a href='{link}'>{label}</a> <span class='path'>{path}</span>"
            f"<p>{highlight(chunk.text, terms)}</p></div>"
        )
    return f"<p>找到 {len(hits)} 条：</p>" + "".join(items)
