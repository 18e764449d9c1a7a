"""The quotable units of a passage: its 款 (paragraphs), 项 (items) with their lead-in, and sentences.

A statute is read the way a lawyer quotes it: an item such as （三）未依法为劳动者缴纳社会保险费的
means nothing without its lead-in 用人单位有下列情形之一的，劳动者可以解除劳动合同：, nor a 款 that
applies the one before it (依前款规定被撤销的工会…) without that 款; a 款 is quoted whole unless it
is long. Lines that only record how a text came about (amendment history, commencement and repeal
clauses) are padding for a question about what the rule says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Used with .match(text, pos), which anchors at pos (a "^" would only match at the string's start).
ARTICLE_LABEL_RE = re.compile(r"第[零一二三四五六七八九十百千〇0-9]+条(?:之[一二三四五六七八九十]+)?[ \u3000]+")
ITEM_RE = re.compile(r"[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、")
SENTENCE_RE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_CLAUSE_RE = re.compile(r"[^；;]+[；;]?")
# A 款 that applies the one before it (依前款规定被撤销的工会…, 前款规定的期限…) means nothing without it.
REFERS_BACK_RE = re.compile(r"前款|上款")
LONG_SENTENCE = 120  # longer sentences are quoted clause by clause (split on ；); a list's lead-in stays whole
LONG_PARAGRAPH = 240  # longer 款 are quoted by their best sentences, not whole
# An article no longer than a 款 quoted whole is itself quoted whole (history lines aside) unless it is
# a list of items: its 款 are one rule with its conditions and exceptions (但书, 前款规定…除外), and a
# lawyer cites the article. A list's items are alternative cases; the one that answers is quoted with
# its lead-in. LeCoQA (`make eval-laws`, same retrieval and citations): METEOR 0.219 → 0.240; 200 and
# 300 chars measured within 0.003 of 240. Bundled sets: f03 八个月…经济补偿 now quotes 六个月以上不满一年的，
# 按一年计算; no key fact lost.
WHOLE_ARTICLE = LONG_PARAGRAPH
# How a text came about, not what it says: amendment records, commencement and repeal clauses.
HISTORY_RE = re.compile(
    r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日.{0,80}(?:会议|通过|公布|修正|修订|令)"
    r"|(?:根据|依照).{0,60}(?:决定|决议).{0,20}(?:修正|修订|修改)"
    r"|《关于修改.{2,40}的决定》"
    r"|自.{1,20}(?:起)?施行(?![之前后以])|同时废止|予以废止"  # not 自本条例施行之日起…, a rule's own start
)


@dataclass(frozen=True)
class Unit:
    """A span of a passage that can be quoted on its own (with its lead-in, for an item)."""

    start: int
    end: int
    lead_in: tuple[int, int] | None = None  # the 下列情形 sentence an item depends on, or the 款 a 前款 refers to
    paragraph: int = 0  # which 款 of the passage it belongs to

    def spans(self) -> list[tuple[int, int]]:
        return [self.lead_in, (self.start, self.end)] if self.lead_in else [(self.start, self.end)]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_spans(text: str, start: int = 0, end: int | None = None, clauses: bool = True) -> list[tuple[int, int]]:
    """Sentence spans of text[start:end] (long ones by ；-clause unless `clauses` is off), without an
    article's leading 第X条 label."""
    end = len(text) if end is None else end
    spans = []
    for match in SENTENCE_RE.finditer(text, start, end):
        s, e = match.span()
        label = ARTICLE_LABEL_RE.match(text, s)
        if label:
            s = label.end()
        split = clauses and e - s > LONG_SENTENCE
        pieces = [m.span() for m in _CLAUSE_RE.finditer(text, s, e)] if split else [(s, e)]
        for piece in pieces:
            piece_start, piece_end = _trimmed(text, *piece)
            if piece_end - piece_start >= 2:
                spans.append((piece_start, piece_end))
    return spans


def paragraphs(text: str) -> list[tuple[int, int]]:
    """The 款 of a passage: its non-empty lines, the article label left out."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        start, end = match.span()
        label = ARTICLE_LABEL_RE.match(text, start)
        start, end = _trimmed(text, label.end() if label else start, end)
        if end - start >= 2:
            spans.append((start, end))
    return spans


def units(text: str) -> list[Unit]:
    """Quotable units in reading order: items with their lead-in, short 款 whole, long 款 by sentence."""
    found: list[Unit] = []
    lead_in: tuple[int, int] | None = None
    spans = paragraphs(text)
    for number, (start, end) in enumerate(spans):
        if ITEM_RE.match(text, start):
            found.append(Unit(start, end, lead_in, number))
            continue
        sentences = sentence_spans(text, start, end)
        lead_in = _lead_in(text, start, end) if text[start:end].rstrip().endswith(("：", ":")) else None
        items_follow = number + 1 < len(spans) and ITEM_RE.match(text, spans[number + 1][0])
        if lead_in and items_follow and len(sentences) <= 1:
            continue  # "有下列情形之一的：" alone answers nothing; its items carry it
        if end - start <= LONG_PARAGRAPH:
            found.append(Unit(start, end, _referred(text, spans, number), number))
        else:
            found.extend(Unit(s, e, paragraph=number) for s, e in sentences)
    return found


def _lead_in(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence that introduces a list: all of it, though long — its first clause names the cases
    (有下列情形之一的，工会应当…交涉；并在15日内答复；逾期…：) — unless too long to quote, then its last clause."""
    sentences = sentence_spans(text, start, end, clauses=False)
    if not sentences:
        return start, end
    last = sentences[-1]
    return last if last[1] - last[0] <= LONG_PARAGRAPH else sentence_spans(text, *last)[-1]


def _referred(text: str, spans: list[tuple[int, int]], number: int) -> tuple[int, int] | None:
    """The 款 before 款 `number` when that one applies it (依前款规定…) and it can be quoted whole: not the
    last item of a list (the 前款 is then the whole list), not a bare lead-in, not long."""
    if not number or not REFERS_BACK_RE.search(text, *spans[number]):
        return None
    start, end = spans[number - 1]
    whole = not ITEM_RE.match(text, start) and text[end - 1] not in "：:" and end - start <= LONG_PARAGRAPH
    return (start, end) if whole else None


def whole_article(text: str) -> list[Unit] | None:
    """Every unit of an article short enough to be quoted whole and not a list of items; else None."""
    found = [unit for unit in units(text) if not is_history(text[unit.start : unit.end])]
    if not found or any(ITEM_RE.match(text, unit.start) for unit in found):
        return None
    spans = {span for unit in found for span in unit.spans()}
    return found if sum(end - start for start, end in spans) <= WHOLE_ARTICLE else None


def is_history(sentence: str) -> bool:
    """An amendment record, commencement or repeal clause."""
    return bool(HISTORY_RE.search(sentence))


def with_list_items(text: str, quote: list[Unit], budget: int) -> list[Unit]:
    """`quote`, and when it is an item of a list (（一）…, with its lead-in) the list's other items in reading order,
    as many as fit in `budget` characters: what a "which ones" question asks is the list (left-out items show
    as "……")."""
    first = quote[0]
    if not first.lead_in or not ITEM_RE.match(text, first.start):
        return quote
    grown = list(quote)
    for item in units(text):
        sibling = item.lead_in == first.lead_in and item not in grown and ITEM_RE.match(text, item.start)
        if sibling and quoted_length(text, [*grown, item]) <= budget:
            grown.append(item)
    return grown


def list_goes_on(text: str, last: tuple[int, int]) -> bool:
    """Whether the quoted span `last` is an item of a list whose later items are not quoted."""
    start, end = last
    return bool(ITEM_RE.match(text, start)) and any(ITEM_RE.match(text, s) for s, _ in paragraphs(text) if s >= end)


def merged_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans in reading order, those that overlap made one (a long lead-in holds the clause quoted beside it)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(set(spans)):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def quoted_texts(text: str, chosen: list[Unit]) -> list[str]:
    """What the units quote, span by span in reading order, a lead-in shared by several items once."""
    return [text[s:e] for s, e in merged_spans(span for unit in chosen for span in unit.spans())]


def quoted_length(text: str, chosen: list[Unit]) -> int:
    """Characters the units quote, a lead-in shared by several items counted once."""
    return sum(map(len, quoted_texts(text, chosen)))


REPEAT_GRAM = 8  # characters: long enough that two provisions share one only by quoting each other
REPEAT_SHARE = 0.6


def runs(texts: Iterable[str]) -> set[str]:
    """Every `REPEAT_GRAM`-character run of the texts."""
    return {text[i : i + REPEAT_GRAM] for text in texts for i in range(len(text) - REPEAT_GRAM + 1)}


def repeats(text: str, said: set[str]) -> bool:
    """Whether `text` mostly restates what is already quoted (`said`: the `runs` of the quoted text): a case citing
    劳动法 第四十一条 word for word after that article adds nothing. At least `REPEAT_SHARE` of its runs are said."""
    own = runs([text])
    return bool(own) and len(own & said) >= REPEAT_SHARE * len(own)
