"""Training examples from a question file and an index: which chunks hold each question's relevant articles."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from eval.metrics import Question, squeeze
from index.store import SearchIndex

_LABEL_RE = re.compile(r"^第[零一二三四五六七八九十百千〇0-9]+条(?:之[零一二三四五六七八九十]+)?")
_KEY = 8  # characters of an article's opening used to find it quickly
# Article numbers and structure words (第六节, 十七条) say where a rule sits, not what it is about.
_STRUCTURAL_RE = re.compile(r"^[第零一二三四五六七八九十百千〇两0-9条款项章节编之]+$")


def relevant_rows(index: SearchIndex, questions: Sequence[Question]) -> dict[str, set[int]]:
    """question id → rows of the chunks that hold one of its relevant articles, in the files it names."""
    by_opening: dict[str, list[int]] = {}
    bodies: dict[int, str] = {}
    for row, chunk in enumerate(index.chunks):
        body = _LABEL_RE.sub("", squeeze(chunk.text), count=1)
        bodies[row] = body
        by_opening.setdefault(body[:_KEY], []).append(row)
    found: dict[str, set[int]] = {}
    for question in questions:
        rows: set[int] = set()
        for key in question.relevant:
            found_here = {r for r in by_opening.get(key[:_KEY], []) if bodies[r].startswith(key)}
            # evidence that is not an article's opening (a dev row's key sentence): search every chunk
            rows |= found_here or {r for r, body in bodies.items() if key in body}
        # only in the files the question names, as eval counts a hit (a case quoting the law is not it)
        sources = question.docs or ("",)
        found[question.id] = {r for r in rows if any(d in index.chunks[r].source for d in sources)}
    return found


def translation_pairs(
    index: SearchIndex,
    questions: Sequence[Question],
    relevant: dict[str, set[int]],
    tokenize: Callable[[str], list[str]],
) -> list[tuple[list[str], list[str]]]:
    """(question words, article words) for every question and each distinct relevant article text."""
    pairs = []
    for question in questions:
        q_tokens = tokenize(question.question)
        seen: set[str] = set()
        for row in sorted(relevant.get(question.id, ())):
            chunk = index.chunks[row]
            if chunk.text in seen:  # the same article in two versions of a law counts once
                continue
            seen.add(chunk.text)
            words = tokenize(_LABEL_RE.sub("", chunk.text.strip(), count=1))  # the title is the ranker's to weigh
            pairs.append((q_tokens, [w for w in words if not _STRUCTURAL_RE.match(w)]))
    return pairs
