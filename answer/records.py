"""What the answer step returns: the text, its numbered citations, and whether it refused."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ingest.records import book_title


@dataclass(frozen=True)
class Citation:
    n: int  # the [n] marker in the answer text
    title: str
    article: str  # "第十九条", or "" for prose
    heading_path: tuple[str, ...]
    date: str
    quote: str  # the sentence(s) the answer took from this passage, one per line
    source: str  # file name
    chunk_id: str
    text: str  # the whole passage, for the source panel
    doc_id: str = ""
    newer_version: str = ""  # title (date) of a newer version of the same law, when one exists
    kind: str = ""  # 法律, 地方性法规, 案例, 文章…
    region: str = ""  # the region a local rule applies in; "" for national documents

    @property
    def book_title(self) -> str:
        return book_title(self.title)

    @property
    def label(self) -> str:
        """《标题》第X条（日期）; a title quoted inside a title takes 〈〉, as in print. A passage without
        an article is placed by its section (《…》处理结果), so two passages of one case read apart."""
        section = self.heading_path[-1] if not self.article and len(self.heading_path) > 1 else ""
        label = self.book_title + (self.article or section)
        return f"{label}（{self.date}）" if self.date else label


@dataclass
class Answer:
    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    generator: str = "extractive"  # "extractive" or the LLM model name
    notice: str = ""  # e.g. "生成服务不可用，已改用原文摘录"
    search_query: str = ""  # the question as searched (after merging a follow-up with its context)
    support: float = 0.0  # share of the question's weighted words the quoted text (with its context) holds
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds per stage
    index_version: str = ""  # the one index version every passage of this answer came from

    def to_dict(self) -> dict:
        data = asdict(self)
        for citation, item in zip(self.citations, data["citations"], strict=True):
            item["heading_path"] = list(citation.heading_path)
            item["label"] = citation.label
        return data
