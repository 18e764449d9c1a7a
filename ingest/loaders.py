"""File → text. One loader per format; every failure becomes a LoadError with a reason."""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

SUPPORTED_SUFFIXES = (".md", ".txt", ".docx", ".pdf", ".html", ".htm")
MAX_FILE_BYTES = 20 * 1024 * 1024


class LoadError(Exception):
    """A file that cannot be ingested; the message says why, in words an admin can act on."""


@dataclass(frozen=True)
class LoadedText:
    text: str
    encoding: str  # what the bytes were decoded as ("docx", "pdf" for binary formats)


def decode_text(data: bytes) -> LoadedText:
    """Decode Chinese text: BOMs first, then strict UTF-8, then a detector limited to sane choices."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return LoadedText(data.decode(name), name)
    if b"\x00" in data[:4096]:
        # UTF-16 without a BOM still shows as every other byte zero in ASCII-heavy text.
        even, odd = data[0:4096:2].count(0), data[1:4096:2].count(0)
        if max(even, odd) > len(data[:4096]) // 4:
            name = "utf-16-le" if odd > even else "utf-16-be"
            try:
                return LoadedText(data.decode(name), name)
            except UnicodeDecodeError:
                pass
        raise LoadError("看起来是二进制文件而不是文本（含有空字节）")
    try:
        return LoadedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312: the usual encoding of older Chinese files.
        return LoadedText(data.decode("gb18030"), "gb18030")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise LoadError("无法识别文本编码（不是 UTF-8、UTF-16 或 GB18030/GBK）")
    return LoadedText(str(best), best.encoding)


def _load_docx(data: bytes) -> str:
    import docx  # python-docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, lxml and package errors alike: the file is broken
        raise LoadError(f"无法解析 .docx 文件（{type(exc).__name__}）") from exc
    lines = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
        if style == "title":
            lines.append(f"# {text}")
        elif style.startswith("heading"):
            level = int(re.sub(r"\D", "", style) or 1)
            lines.append("#" * min(level + 1, 6) + " " + text)
        else:
            lines.append(text)
    return with_title(lines, document.core_properties.title or "")


def with_title(lines: list[str], declared: str) -> str:
    """The text with a "# title" first line: the document's own title style, else the title its
    properties declare, else its first heading, else a short opening line (as a Word or PDF
    document is titled), so the title never falls back to the file name when the document has one."""
    if any(line.startswith("# ") for line in lines[:3]):
        return "\n\n".join(lines)
    if declared.strip():
        return "\n\n".join([f"# {declared.strip()}", *lines])
    for i, line in enumerate(lines[:5]):
        bare = line.lstrip("#").strip()
        if line.startswith("#") or (len(bare) <= 40 and not bare.endswith(("。", "；", "，", "：", ":"))):
            return "\n\n".join([f"# {bare}", *lines[:i], *lines[i + 1 :]])
    return "\n\n".join(lines)


def _load_pdf(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        declared = (reader.metadata.title if reader.metadata else "") or ""
    except Exception as exc:  # pypdf raises many types for broken files
        raise LoadError(f"无法解析 PDF 文件（{type(exc).__name__}）") from exc
    lines = [line.strip() for line in "\n".join(pages).splitlines() if line.strip()]
    return with_title(lines, declared)


def _load_html(data: bytes) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_text(data).text, "html.parser")
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
    if soup.head:
        soup.head.decompose()
    has_h1 = soup.find("h1") is not None
    for level in range(1, 7):
        for heading in soup.find_all(f"h{level}"):
            heading.replace_with(f"\n\n{'#' * level} {heading.get_text(strip=True)}\n\n")
    for block in soup.find_all(["p", "div", "li", "tr", "br", "section", "article"]):
        block.insert_before("\n")
        block.insert_after("\n")
    text = re.sub(r"\n[ \t]*(\n[ \t]*)+", "\n\n", soup.get_text()).strip()
    return f"# {title}\n\n{text}" if title and not has_h1 else text


def load_text(path: Path, name: str | None = None) -> LoadedText:
    """Read one supported file as text; its format comes from `name` (an upload's own name) or the path.

    Raises LoadError with the reason when it cannot.
    """
    suffix = Path(name or path.name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"不支持的文件类型 {suffix or '（无扩展名）'}；支持 {' '.join(SUPPORTED_SUFFIXES)}")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise LoadError(f"文件过大（{size / 1e6:.1f} MB，上限 {MAX_FILE_BYTES // (1024 * 1024)} MB）")
    data = path.read_bytes()
    if suffix == ".docx":
        loaded = LoadedText(_load_docx(data), "docx")
    elif suffix == ".pdf":
        loaded = LoadedText(_load_pdf(data), "pdf")
    elif suffix in (".html", ".htm"):
        loaded = LoadedText(_load_html(data), "html")
    else:
        loaded = decode_text(data)
    text = clean_text(loaded.text)
    if not text.strip():
        raise LoadError("文件为空（没有可读的文字）")
    if _looks_garbled(text):
        raise LoadError("内容无法识别：解码后大多是控制字符或替换字符，可能是二进制文件")
    return LoadedText(text, loaded.encoding)


# Reposting sites append notices that are not part of the document.
_BOILERPLATE_RE = re.compile(r"^.*(文章来自网络|不代表本站观点|版权归原作者所有|责任编辑[:：]).*$\n?", re.MULTILINE)


def clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    return _BOILERPLATE_RE.sub("", text)


def _looks_garbled(text: str) -> bool:
    sample = text[:4000]
    bad = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\n\t"))
    return bad > len(sample) * 0.05
