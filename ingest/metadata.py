"""What a document is: title, kind, region and dates, read from its header, name and folder."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from ingest import records
from ingest.records import SourceDocument
from ingest.regions import document_place

HEADER_END = "<!-- INFO END -->"
# Folder names of the laws corpus say the kind outright.
FOLDER_KINDS = {
    "案例": records.CASE,
    "司法解释": records.JUDICIAL_INTERPRETATION,
    "行政法规": records.ADMIN_REGULATION,
    "部门规章": records.DEPARTMENT_RULE,
    "地方性法规": records.LOCAL_REGULATION,
}
_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_NAME_DATE = re.compile(r"[（(](\d{4})-(\d{2})-(\d{2})[)）]")


def _iso(match: re.Match) -> str:
    year, month, day = match.groups()
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


def split_header(text: str) -> tuple[str, int]:
    """The header (title and dates) and the offset where the body starts."""
    end = text.find(HEADER_END)
    if end < 0:
        return "", 0
    return text[:end], end + len(HEADER_END)


def read_title(text: str, source: str) -> str:
    for line in text.splitlines()[:20]:
        match = re.match(r"^#\s+(.+?)\s*$", line)
        if match:
            return match.group(1)
    stem = PurePosixPath(source).stem
    return _NAME_DATE.sub("", stem).strip() or stem


def read_kind(title: str, header: str, source: str, has_articles: bool) -> str:
    for folder in PurePosixPath(source).parts[:-1]:
        if folder in FOLDER_KINDS:
            return FOLDER_KINDS[folder]
    bare = title.removeprefix("中华人民共和国")
    if "最高人民法院" in title or "最高人民检察院" in title or bare.endswith("解释"):
        return records.JUDICIAL_INTERPRETATION
    if not has_articles:
        return records.ARTICLE
    place = document_place(title, source)
    if place is not None:
        # A district or county issues normative documents; local regulations come from provinces and cities.
        return records.LOCAL_NORMATIVE if place.district else records.LOCAL_REGULATION
    # The header says who enacted it; the title's ending is the fallback.
    if "全国人民代表大会" in header or (bare.endswith("法") and not bare.endswith("办法")):
        return records.LAW
    if "国务院" in header:
        return records.ADMIN_REGULATION
    if "部务会议" in header or "部令" in header or bare.endswith(("办法", "细则")):
        return records.DEPARTMENT_RULE
    return records.ADMIN_REGULATION


def read_region(title: str, source: str = "") -> str:
    """Where the document applies (北京市海淀区, 浙江省杭州市); "" for national documents."""
    place = document_place(title, source)
    return place.name if place else ""


def read_dates(header: str, source: str) -> tuple[str, str, str]:
    """(promulgated, revised, version date) as ISO strings, '' when unknown."""
    dated = [(_iso(m), line) for line in header.splitlines() for m in _CN_DATE.finditer(line)]
    promulgated = min((d for d, _ in dated), default="")
    # An effective-date line (施行) is not a revision.
    revisions = [d for d, line in dated if d != promulgated and re.search("修正|修订|修改", line)]
    revised = max(revisions, default="")
    name_date = _NAME_DATE.search(PurePosixPath(source).name)
    version = _iso(name_date) if name_date else (revised or promulgated)
    return promulgated, revised, version


def describe(text: str, source: str, has_articles: bool) -> SourceDocument:
    header, _ = split_header(text)
    title = read_title(text, source)
    promulgated, revised, version = read_dates(header, source)
    return SourceDocument(
        source=source,
        title=title,
        kind=read_kind(title, header, source, has_articles),
        text=text,
        region=read_region(title, source),
        promulgated=promulgated,
        revised=revised,
        date=version,
    )


def version_key(title: str) -> str:
    """Titles that name the same law: 《》〈〉, spaces and the 中华人民共和国 prefix do not count."""
    return re.sub(r"[《》〈〉<>\s\u3000]", "", title).removeprefix("中华人民共和国")


def link_versions(documents: list[SourceDocument]) -> dict[str, str]:
    """doc_id → doc_id of the newest version, for every document a newer one supersedes.

    Versions are documents with the same title and different dates (行政复议法 2017 and 2023).
    """
    groups: dict[str, list[SourceDocument]] = {}
    for doc in documents:
        if doc.date:
            groups.setdefault(version_key(doc.title), []).append(doc)
    superseded = {}
    for versions in groups.values():
        newest = max(versions, key=lambda d: d.date)
        for doc in versions:
            if doc.date < newest.date:
                superseded[doc.doc_id] = newest.doc_id
    return superseded
