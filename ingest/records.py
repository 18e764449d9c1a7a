"""The records that travel through the pipeline: a loaded document and its chunks."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field

# Document kinds, in the words users see.
LAW = "法律"
ADMIN_REGULATION = "行政法规"
DEPARTMENT_RULE = "部门规章"
LOCAL_REGULATION = "地方性法规"
LOCAL_NORMATIVE = "地方规范性文件"  # a district's or county's rules
JUDICIAL_INTERPRETATION = "司法解释"
CASE = "案例"
ARTICLE = "文章"

# The chapters statutes share, by the whole name after their 第X编/分编/章/节 label: 第一章 总则, 第七章 法律责任,
# 第八章 监督检查和法律责任, 第十章 奖励与处罚, 附 则 (not 一、关于总则部分的解释, a section of an interpretation).
_CHAPTER_LABEL = r"(?:第[一二三四五六七八九十百零〇\d]+(?:分编|[编章节]))?"
CHAPTER_KINDS = {
    "general": re.compile(_CHAPTER_LABEL + r"总则"),
    "liability": re.compile(_CHAPTER_LABEL + r"(?:\w{0,8}[和与及])?(?:法律责任|罚则|处罚|惩罚|责任追究)"),
    "supplementary": re.compile(_CHAPTER_LABEL + r"附则"),
}


def chapter_kind(heading_path: tuple[str, ...]) -> str:
    """Which of `CHAPTER_KINDS` the innermost heading naming one is ("" for none); the title never counts."""
    for heading in reversed(heading_path[1:]):
        name = "".join(heading.split())  # 附 则, 第七章 法律责任
        for kind, pattern in CHAPTER_KINDS.items():
            if pattern.fullmatch(name):
                return kind
    return ""


def book_title(title: str) -> str:
    """《标题》, a title quoted inside it taking 〈〉 as in print: 《北京市实施〈中华人民共和国工会法〉办法》."""
    return "《" + title.replace("《", "〈").replace("》", "〉") + "》"


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SourceDocument:
    """One loaded document: decoded text plus what we could tell about it."""

    source: str  # file name relative to the corpus root, e.g. "案例/xx.md"
    title: str
    kind: str
    text: str
    region: str = ""
    promulgated: str = ""  # ISO dates; "" when unknown
    revised: str = ""
    date: str = ""  # the version date: file-name date, else the latest header date
    content_hash: str = field(default="")
    ingested_at: str = ""  # when this content first entered the index (ISO, UTC)

    def __post_init__(self) -> None:
        if not self.content_hash:
            object.__setattr__(self, "content_hash", sha1(self.text))

    @property
    def doc_id(self) -> str:
        return self.content_hash[:16]

    def describe(self) -> dict:
        """Everything but the text, for manifests and listings."""
        info = asdict(self)
        del info["text"]
        info["doc_id"] = self.doc_id
        return info


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage: an article (or part of one) or a prose section."""

    doc_id: str
    source: str
    title: str
    kind: str
    text: str
    start: int  # character span of `text` in the document's text
    end: int
    article: str = ""  # e.g. "第十九条"; "" for prose
    part: int = 0  # 0 for a whole article; 1, 2… when a long article was split on 款
    heading_path: tuple[str, ...] = ()  # title › 编 › 章 › 节
    region: str = ""
    date: str = ""
    warning: str = ""  # why this passage must never be quoted (text that gives the assistant orders)

    @property
    def chunk_id(self) -> str:
        return sha1(f"{self.doc_id}:{self.start}:{self.end}:{self.text}")[:20]

    @property
    def search_text(self) -> str:
        """What is embedded and keyword-indexed: the heading path gives an article its context."""
        path = (*self.heading_path, self.article) if self.part > 1 else self.heading_path
        return " › ".join(path) + "\n" + self.text

    def to_dict(self) -> dict:
        data = asdict(self)
        data["heading_path"] = list(self.heading_path)
        data["chunk_id"] = self.chunk_id
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Chunk:
        fields = {k: v for k, v in data.items() if k != "chunk_id"}
        fields["heading_path"] = tuple(fields.get("heading_path", ()))
        return cls(**fields)
