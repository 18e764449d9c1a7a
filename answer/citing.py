"""How an answer names what it quotes: the source line and one citation per quoted passage."""

from __future__ import annotations

from langchain_core.documents import Document

from answer.records import Citation
from ingest.regions import parse


def scope(kind: str, region: str) -> str:
    """How far a document reaches, in the words a worker reads: 全国, 上海市地方性法规, 案例…"""
    if kind in ("案例", "文章"):
        return kind
    if region:
        place = parse(region)
        return f"{place.name if place else region}{kind}"
    return "全国"


def source_line(citations: list[Citation]) -> str:
    """One line naming every quoted provision, grouped by document, each document with its scope."""
    groups: dict[str, list[Citation]] = {}
    for citation in citations:
        groups.setdefault(citation.doc_id or citation.title, []).append(citation)
    parts = []
    for group in groups.values():
        first = group[0]
        articles = "、".join(dict.fromkeys(c.article for c in group if c.article))
        parts.append(f"{first.book_title}{articles}（{scope(first.kind, first.region)}）")
    return "依据" + "；".join(parts) + "："


def citation_for(document: Document, n: int, quote: str) -> Citation:
    meta = document.metadata
    return Citation(
        n=n,
        title=meta["title"],
        article=meta.get("article", ""),
        heading_path=tuple(meta.get("heading_path", ())),
        date=meta.get("date", ""),
        quote=quote,
        source=meta["source"],
        chunk_id=document.id or meta.get("chunk_id", ""),
        text=document.page_content,
        doc_id=meta.get("doc_id", ""),
        kind=meta.get("kind", ""),
        region=meta.get("region", ""),
    )
