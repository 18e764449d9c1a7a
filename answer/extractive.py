"""The offline answer: the sentences of the retrieved passages that answer the question, quoted verbatim.

Every sentence is an exact span of the passage it cites, so nothing is invented. Sentences are
scored by how much of the question's idf-weighted vocabulary (after colloquial expansion) they
contain; quantity questions (多少/几天/多久…) favour sentences that state a number. An enumerated
item (（二）…) is quoted together with its article's lead-in, so it keeps its meaning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from langchain_core.documents import Document

from answer.records import Answer, Citation

_SENTENCE_RE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_CLAUSE_RE = re.compile(r"[^；;]+[；;]?")
LONG_SENTENCE = 120  # longer sentences are quoted clause by clause (split on ；)
_ARTICLE_LABEL_RE = re.compile(r"^第[零一二三四五六七八九十百千〇0-9]+条(?:之[一二三四五六七八九十]+)?[ \u3000]+")
_ITEM_RE = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
_QUANTITY_QUESTION_RE = re.compile(r"多少|几|多久|多长|多大|比例|期限|多高|最低|最高|最长|最短|上限")
_QUANTITY_RE = re.compile(r"\d|百分之|[一二三四五六七八九十百千两半]+[个]?(?:日|天|月|年|周|小时|倍|人|次|届)")


@dataclass(frozen=True)
class _Sentence:
    passage: int  # index into the documents
    start: int
    end: int
    text: str
    score: float


@dataclass(frozen=True)
class ExtractiveComposer:
    tokenize: Callable[[str], list[str]]
    weight: Callable[[str], float]  # idf of a token
    max_chars: int = 200
    max_sentences: int = 3
    min_relative_score: float = 0.5  # a further sentence must score at least this share of the best

    def __post_init__(self) -> None:
        if self.max_chars < 20 or self.max_sentences < 1 or not 0 < self.min_relative_score <= 1:
            raise ValueError("max_chars ≥ 20, max_sentences ≥ 1 and 0 < min_relative_score ≤ 1 required")

    def compose(self, question: str, search_query: str, documents: list[Document]) -> Answer:
        sentences = self._score(question, search_query, documents)
        chosen = self._choose(sentences)
        if not chosen:
            return Answer(question=question, text="", refused=True, search_query=search_query)
        chosen = self._with_lead_ins(chosen, documents)
        numbers: dict[int, int] = {}
        parts: list[str] = []
        for sentence in sorted(chosen, key=lambda s: (s.passage, s.start)):
            n = numbers.setdefault(sentence.passage, len(numbers) + 1)
            parts.append(f"{sentence.text}[{n}]")
        citations = [
            citation_for(
                documents[p], n, "\n".join(s.text for s in sorted(chosen, key=lambda s: s.start) if s.passage == p)
            )
            for p, n in numbers.items()
        ]
        return Answer(question=question, text="".join(parts), citations=citations, search_query=search_query)

    def _score(self, question: str, search_query: str, documents: list[Document]) -> list[_Sentence]:
        weights = {t: self.weight(t) for t in self.tokenize(search_query)}
        total = sum(weights.values()) or 1.0
        wants_quantity = bool(_QUANTITY_QUESTION_RE.search(question))
        scored = []
        for passage, document in enumerate(documents):
            for start, end in sentence_spans(document.page_content):
                text = document.page_content[start:end]
                present = set(self.tokenize(text))
                score = sum(w for t, w in weights.items() if t in present) / total
                if wants_quantity and _QUANTITY_RE.search(text):
                    score += 0.15
                # the passage's own retrieval score (fused, in [0, 1]) vouches for its sentences
                score *= 0.6 + 0.4 * float(document.metadata.get("score", 1.0))
                scored.append(_Sentence(passage, start, end, text, score))
        return scored

    def _choose(self, sentences: list[_Sentence]) -> list[_Sentence]:
        """Greedy: the best sentence, then the next best while it scores well and fits; a sentence from a
        passage already quoted counts for less, so the answer spans the best passages, not one."""
        pool = [s for s in sentences if s.score > 0]
        if not pool:
            return []
        best = max(s.score for s in pool)
        chosen: list[_Sentence] = []
        length = 0
        while pool and len(chosen) < self.max_sentences:
            used = {c.passage for c in chosen}
            pick = max(pool, key=lambda s: s.score * (0.7 if s.passage in used else 1.0))
            pool.remove(pick)
            if pick.score * (0.7 if pick.passage in used else 1.0) < best * self.min_relative_score:
                break
            if chosen and length + len(pick.text) > self.max_chars:
                continue
            if pick.text not in {c.text for c in chosen}:
                chosen.append(pick)
                length += len(pick.text)
        return chosen

    @staticmethod
    def _with_lead_ins(chosen: list[_Sentence], documents: list[Document]) -> list[_Sentence]:
        """An item like （二）未及时足额支付劳动报酬的 means nothing without the article's 下列情形 lead-in."""
        result = list(chosen)
        for sentence in chosen:
            if not _ITEM_RE.match(sentence.text):
                continue
            text = documents[sentence.passage].page_content
            lead_ins = [
                (s, e)
                for s, e in sentence_spans(text)
                if e <= sentence.start and text[s:e].rstrip().endswith(("：", ":")) and not _ITEM_RE.match(text[s:e])
            ]
            if lead_ins and all(r.start != lead_ins[-1][0] or r.passage != sentence.passage for r in result):
                s, e = lead_ins[-1]
                result.append(_Sentence(sentence.passage, s, e, text[s:e], sentence.score))
        return result


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a passage (long ones by ；-clause), without an article's leading 第X条 label."""
    spans = []
    for match in _SENTENCE_RE.finditer(text):
        start, end = match.span()
        label = _ARTICLE_LABEL_RE.match(text, start)
        if label:
            start = label.end()
        pieces = (
            [m.span() for m in _CLAUSE_RE.finditer(text, start, end)] if end - start > LONG_SENTENCE else [(start, end)]
        )
        for piece_start, piece_end in pieces:
            while piece_start < piece_end and text[piece_start].isspace():
                piece_start += 1
            if piece_end - piece_start >= 2:
                spans.append((piece_start, piece_end))
    return spans


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
    )
