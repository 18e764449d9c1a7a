"""Statute-aware splitting: one chunk per 条, prose packed by paragraph.

Laws are read as a tree of 编/章/节 headings over 条 articles. Each article becomes its own chunk
(never two in one), carrying its heading path; an article over the cap splits on paragraph (款)
boundaries and each part keeps its label. Text without articles (commentary, court cases) is
packed paragraph by paragraph into 300–600-character chunks with a one-sentence overlap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.injection import instruction_like
from ingest.records import Chunk, SourceDocument

# 3: passages addressing the assistant carry a warning; 4: appendices are their own block
SPLITTER_VERSION = "statute-4"
_NUM = "零一二三四五六七八九十百千〇两0-9０-９"
_SPACE = r"[ \t\u3000\xa0]"
STRUCTURE_RE = re.compile(rf"^{_SPACE}*(?:#+{_SPACE}*)?(第[{_NUM}]+([编章节]))(?:{_SPACE}+(.*?))?{_SPACE}*$")
MARKDOWN_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*$")
ARTICLE_RE = re.compile(rf"^{_SPACE}*(第[{_NUM}]+条(?:之[{_NUM}]+)?)(?={_SPACE}|$)")
SENTENCE_RE = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』\"]?|$)")
STRUCTURE_LEVELS = {"编": 0, "章": 1, "节": 2}
GENERIC_LEVEL = 3  # markdown headings that are not 编/章/节 (案例的「基本案情」 etc.)
HEADER_END_LINE = "<!-- INFO END -->"
# "附录：" / "附件一" alone on a line opens an appendix: its items are not part of the last 条.
APPENDIX_RE = re.compile(rf"^{_SPACE}*(?:#+{_SPACE}*)?((?:附录|附件|附表)[{_NUM}]*){_SPACE}*[：:]?{_SPACE}*$")


# 依照本法第四十条、第四十一条第一款: the whole run of articles of its own law a provision refers to
_SAME_LAW_REFERENCE_RE = re.compile(
    rf"本(?:法|条例|规定|办法|细则|解释|决定)((?:[、和及至与或]*第[{_NUM}]+条(?:第[{_NUM}]+[款项])?)+)"
)
_ARTICLE_LABEL_RE = re.compile(rf"第[{_NUM}]+条")


def same_law_references(text: str) -> set[str]:
    """The labels (第四十七条) of the articles of its own law a text refers to (依照本法第四十七条…), as
    ARTICLE_RE reads them at the head of an article."""
    return {label for run in _SAME_LAW_REFERENCE_RE.findall(text) for label in _ARTICLE_LABEL_RE.findall(run)}


def count_articles(text: str) -> int:
    return sum(1 for line in text.splitlines() if ARTICLE_RE.match(line))


@dataclass
class _Block:
    """Consecutive paragraphs under one heading path: an article, or prose."""

    heading_path: tuple[str, ...]
    article: str = ""
    paragraphs: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class StatuteSplitter:
    article_cap: int = 600
    prose_min: int = 300
    prose_max: int = 600
    overlap_max: int = 150  # longest sentence repeated at the start of the next prose chunk

    def __post_init__(self) -> None:
        if not 0 < self.prose_min <= self.prose_max:
            raise ValueError("need 0 < prose_min <= prose_max")
        if self.article_cap <= 0 or self.overlap_max >= self.prose_max:
            raise ValueError("article_cap must be positive and overlap_max below prose_max")

    def split(self, doc: SourceDocument) -> list[Chunk]:
        chunks: list[Chunk] = []
        for block in self._blocks(doc):
            if not block.paragraphs:  # a heading with nothing under it (an appendix label as the last line)
                continue
            if block.article:
                spans = self._article_parts(doc.text, block.paragraphs)
            else:
                spans = self._prose_parts(doc.text, block.paragraphs)
            for index, (start, end) in enumerate(spans):
                chunks.append(
                    Chunk(
                        doc_id=doc.doc_id,
                        source=doc.source,
                        title=doc.title,
                        kind=doc.kind,
                        text=doc.text[start:end],
                        start=start,
                        end=end,
                        article=block.article,
                        part=index + 1 if block.article and len(spans) > 1 else 0,
                        heading_path=block.heading_path,
                        region=doc.region,
                        date=doc.date,
                        warning=instruction_like(doc.text[start:end]),
                    )
                )
        return chunks

    def _blocks(self, doc: SourceDocument) -> list[_Block]:
        levels: dict[int, str] = {}
        blocks: list[_Block] = []
        current: _Block | None = None

        def path() -> tuple[str, ...]:
            return (doc.title, *(levels[k] for k in sorted(levels)))

        def set_heading(level: int, text: str) -> None:
            nonlocal current
            for deeper in [k for k in levels if k >= level]:
                del levels[deeper]
            levels[level] = text
            current = None

        for match in re.finditer(r"[^\n]*\n?", doc.text):
            line = match.group().rstrip("\n")
            stripped = line.strip()
            if not stripped:
                continue
            if stripped == HEADER_END_LINE:
                current = None  # the header (title, dates) and the body never share a chunk
                continue
            appendix = APPENDIX_RE.match(line)
            if appendix:
                levels.clear()  # an appendix stands outside the chapters
                current = _Block(path(), appendix.group(1))
                blocks.append(current)
                continue
            structure = STRUCTURE_RE.match(line)
            markdown = MARKDOWN_HEADING_RE.match(line)
            if structure:
                label, unit, name = structure.groups()
                name = re.sub(r"[\s\u3000]+", "", name or "")  # "总　则" → "总则"
                set_heading(STRUCTURE_LEVELS[unit], f"{label} {name}".strip())
                continue
            if markdown:
                level = len(markdown.group(1))
                if level > 1:
                    set_heading(GENERIC_LEVEL + level - 2, markdown.group(2))
                else:
                    current = None  # the title line starts the document afresh
                continue
            start = match.start() + (len(line) - len(line.lstrip()))
            end = match.start() + len(line.rstrip())
            article = ARTICLE_RE.match(line)
            if article:
                current = _Block(path(), article.group(1))
                blocks.append(current)
            elif current is None:
                current = _Block(path())
                blocks.append(current)
            current.paragraphs.append((start, end))
        return blocks

    def _article_parts(self, text: str, paragraphs: list[tuple[int, int]]) -> list[tuple[int, int]]:
        whole = (paragraphs[0][0], paragraphs[-1][1])
        if whole[1] - whole[0] <= self.article_cap:
            return [whole]
        units = [s for p in paragraphs for s in self._fit(text, p, self.article_cap)]
        parts: list[tuple[int, int]] = []
        for start, end in units:
            if parts and end - parts[-1][0] <= self.article_cap:
                parts[-1] = (parts[-1][0], end)
            else:
                parts.append((start, end))
        return parts

    def _prose_parts(self, text: str, paragraphs: list[tuple[int, int]]) -> list[tuple[int, int]]:
        # Sentences, each marked with whether it opens a paragraph (a preferred place to cut).
        sentences = [
            (span, i == 0)
            for paragraph in paragraphs
            for i, span in enumerate(self._fit(text, paragraph, self.prose_max, whole_if_fits=False))
        ]
        parts: list[tuple[int, int]] = []
        i = 0
        while i < len(sentences):
            start = sentences[i][0][0]
            j = i + 1
            while j < len(sentences):
                (s_start, s_end), opens_paragraph = sentences[j]
                size = s_end - start
                if size > self.prose_max or (opens_paragraph and s_start - start >= self.prose_min):
                    break
                j += 1
            parts.append((start, sentences[j - 1][0][1]))
            if j >= len(sentences):
                break
            last_start, last_end = sentences[j - 1][0]
            overlap = j - 1 > i and last_end - last_start <= self.overlap_max and not sentences[j][1]
            i = j - 1 if overlap else j
        return parts

    @staticmethod
    def _fit(text: str, span: tuple[int, int], cap: int, whole_if_fits: bool = True) -> list[tuple[int, int]]:
        """Cut a paragraph into sentence spans (each at most `cap`); kept whole if it fits."""
        start, end = span
        if whole_if_fits and end - start <= cap:
            return [span]
        pieces = []
        for match in SENTENCE_RE.finditer(text, start, end):
            s, e = match.span()
            if e <= s or not text[s:e].strip():
                continue
            while e - s > cap:  # a "sentence" with no punctuation: cut hard
                pieces.append((s, s + cap))
                s += cap
            pieces.append((s, e))
        return pieces
