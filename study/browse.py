"""Browse and search the laws: documents by kind and region, a document as its 编/章/节/条 tree beside
its full text, keyword search with true hit counts, paging and filters. Every article has a stable
link: ?doc=<doc_id>&art=第十九条. Everything from a document is escaped before it is shown."""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from index.store import SearchIndex
from ingest.records import Chunk, book_title

NATIONAL = "全国"  # the region filter's word for documents without a region
PER_PAGE = 20
_MARKUP_RE = re.compile(r"<!--.*?-->\s*", re.S)  # header markers (<!-- INFO END -->) are not text


def article_link(doc_id: str, article: str = "") -> str:
    """The law browser's deep link to a document, at `article` when there is one."""
    return f"?doc={quote(doc_id)}" + (f"&art={quote(article)}" if article else "")


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


def kinds_and_regions(index: SearchIndex) -> tuple[list[str], list[str]]:
    """The search filters' choices: every kind, and 全国 plus every region, as the documents have them."""
    kinds = sorted({d["kind"] for d in index.manifest.documents})
    regions = sorted({d["region"] for d in index.manifest.documents if d["region"]})
    return kinds, [NATIONAL, *regions]


def shown_text(text: str) -> str:
    """A chunk's text as a reader sees it: no header markers, paragraphs one line apart (not three)."""
    return re.sub(r"\n\s*\n", "\n", _MARKUP_RE.sub("", text)).strip()


# -- one document: tree and full text -------------------------------------------------------------


@dataclass
class _Node:
    title: str
    anchor: str
    children: list[_Node | tuple[str, str]] = field(default_factory=list)  # sub-headings and (label, anchor)

    def articles(self) -> list[tuple[str, str]]:
        found = []
        for child in self.children:
            found += child.articles() if isinstance(child, _Node) else [child]
        return found


def _article_anchor(label: str) -> str:
    return "art-" + label


def _tree_html(node: _Node, focus: str) -> str:
    parts = []
    for child in node.children:
        if isinstance(child, tuple):
            label, anchor = child
            current = " focus" if label == focus else ""
            parts.append(f"<a class='leaf{current}' href='#{html.escape(anchor)}'>{html.escape(label)}</a>")
            continue
        articles = child.articles()
        title = html.escape(child.title)
        if not articles:  # a section of prose (案例's 基本案情): the heading itself is the place to go
            parts.append(f"<a class='leaf section' href='#{child.anchor}'>{title}</a>")
            continue
        opened = " open" if focus and any(label == focus for label, _ in articles) else ""
        span = articles[0][0] if len(articles) == 1 else f"{articles[0][0]}–{articles[-1][0]}"
        parts.append(
            f"<details class='node'{opened}><summary>{title} <span class='span'>{html.escape(span)}</span></summary>"
            f"<div class='leaves'>{_tree_html(child, focus)}</div></details>"
        )
    return "".join(parts)


def _article_html(chunk: Chunk, doc_id: str, focus: str) -> str:
    text = shown_text(chunk.text)
    if chunk.part > 1:
        return f"<div class='article continued'><p>{html.escape(text)}</p></div>"
    focused = " focus" if chunk.article == focus else ""
    rest = text.removeprefix(chunk.article).lstrip()  # the label is the link: shown once
    link = f"<a class='article-link' href='{article_link(doc_id, chunk.article)}'>{html.escape(chunk.article)}</a>"
    return (
        f"<div class='article{focused}' id='{html.escape(_article_anchor(chunk.article))}'>"
        f"<p>{link} {html.escape(rest)}</p></div>"
    )


def outline_html(index: SearchIndex, doc_id: str, focus: str = "") -> str:
    """The document as a collapsible 编/章/节/条 tree (each article a jump) beside its full text;
    `focus` (第X条) is marked and its chapter opened."""
    doc = index.document(doc_id)
    if doc is None:
        return "<p>没有找到这个文档。</p>"
    meta = " · ".join(x for x in (doc["kind"], doc["region"] or NATIONAL, doc["date"]) if x)
    head = [f"<h3>{html.escape(book_title(doc['title']))}</h3><p class='doc-meta'>{html.escape(meta)}</p>"]
    if doc.get("superseded_by"):
        newer = index.document(doc["superseded_by"])
        if newer:
            head.append(
                f"<p class='notice'>已有新版本：{html.escape(book_title(newer['title']))}（{newer['date']}）</p>"
            )
    root = _Node("", "")
    nodes: dict[tuple[str, ...], _Node] = {(): root}
    body: list[str] = []
    seen_article = False
    for chunk in (c for c in index.chunks if c.doc_id == doc_id):
        path = chunk.heading_path[1:]
        for depth in range(1, len(path) + 1):
            if path[:depth] not in nodes:
                node = _Node(path[depth - 1], f"sec-{len(nodes)}")
                nodes[path[: depth - 1]].children.append(node)
                nodes[path[:depth]] = node
                level = min(depth + 3, 6)
                body.append(f"<h{level} id='{node.anchor}'>{html.escape(node.title)}</h{level}>")
        if chunk.article:
            if chunk.part <= 1:
                nodes[path].children.append((chunk.article, _article_anchor(chunk.article)))
            body.append(_article_html(chunk, doc_id, focus))
            seen_article = True
        elif text := shown_text(chunk.text):
            kind = "prose" if seen_article or path else "preamble"  # before the first 条: dates and preface
            body.append(f"<div class='{kind}'><p>{html.escape(text)}</p></div>")
    tree = _tree_html(root, focus)
    toc = f"<details class='toc' open><summary>目录</summary><nav class='doc-tree'>{tree}</nav></details>"
    columns = f"<div class='doc-columns'>{toc if tree else ''}<div class='doc-text'>{''.join(body)}</div></div>"
    return f"<div class='doc-view'>{''.join(head)}{columns}</div>"


# -- search -------------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class SearchPage:
    html: str
    total: int  # every matching passage, not just this page's
    page: int  # 1-based, clamped to the pages there are
    pages: int


def _in_region(chunk: Chunk, region: str) -> bool:
    if not region:
        return True
    return not chunk.region if region == NATIONAL else chunk.region.startswith(region)  # 北京市 holds 北京市海淀区


def search_page(
    index: SearchIndex, query: str, page: int = 1, kind: str = "", region: str = "", per_page: int = PER_PAGE
) -> SearchPage:
    """Passages holding every word of the query (words split by spaces), best BM25 first, filtered by
    kind and region; when none holds them all, the passages BM25 finds at all, said as such."""
    query = query.strip()
    if not query:
        return SearchPage("<p>输入关键词，例如：集体合同、哺乳、工会经费。</p>", 0, 1, 0)
    words = [w.lower() for w in query.split()]
    scores = index.keyword.scores(query)
    allowed = [
        row for row, chunk in enumerate(index.chunks) if (not kind or chunk.kind == kind) and _in_region(chunk, region)
    ]
    exact = [row for row in allowed if all(w in index.chunks[row].text.lower() for w in words)]
    related = exact or ([row for row in allowed if scores[row] > 0] if scores is not None else [])
    if scores is not None:
        related.sort(key=lambda row: -scores[row])
    scope = "、".join(x for x in (kind, region) if x)
    where = f"（{html.escape(scope)}）" if scope else ""
    if not related:
        return SearchPage(f"<p>{where}没有找到包含“{html.escape(query)}”的条文。</p>", 0, 1, 0)
    pages = math.ceil(len(related) / per_page)
    page = min(max(1, page), pages)
    first = (page - 1) * per_page
    shown = related[first : first + per_page]
    terms = [*words, *index.keyword.tokenizer(query)]
    items = []
    for row in shown:
        chunk = index.chunks[row]
        label = html.escape(book_title(chunk.title) + chunk.article)
        link = article_link(chunk.doc_id, chunk.article)
        path = html.escape(" › ".join(chunk.heading_path[1:]))
        items.append(
            f"<div class='hit'><a href='{link}'>{label}</a> <span class='path'>{path}</span>"
            f"<p>{highlight(shown_text(chunk.text), terms)}</p></div>"
        )
    lead = "" if exact else f"<p class='notice'>没有同时包含“{html.escape(query)}”各词的条文，以下是相关的条文。</p>"
    count = f"<p class='count'>{where}共 {len(related)} 条，第 {first + 1}–{first + len(shown)} 条</p>"
    return SearchPage(lead + count + "".join(items), len(related), page, pages)


def search_html(index: SearchIndex, query: str, k: int = PER_PAGE) -> str:
    """The first page of hits (what the command line and older callers want)."""
    return search_page(index, query, per_page=k).html
