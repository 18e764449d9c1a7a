from __future__ import annotations

import docx
import pytest

from ingest.loaders import MAX_FILE_BYTES, LoadError, load_text

EXCERPT = "第十条 企业、事业单位、社会组织会员二十五人以上的，应当建立基层工会委员会。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_text_encodings(tmp_path, encoding):
    path = tmp_path / f"excerpt-{encoding}.txt"
    path.write_bytes(EXCERPT.encode(encoding))
    assert load_text(path).text == EXCERPT


def test_gbk_markdown_decodes_without_mojibake(tmp_path):
    path = tmp_path / "工会法.md"
    path.write_bytes(("# 中华人民共和国工会法\n\n" + EXCERPT).encode("gbk"))
    loaded = load_text(path)
    assert loaded.encoding == "gb18030"
    assert loaded.text.startswith("# 中华人民共和国工会法")


def test_windows_newlines_are_normalised(tmp_path):
    path = tmp_path / "crlf.md"
    path.write_bytes("第一条 甲。\r\n\r\n第二条 乙。\r\n".encode())
    assert load_text(path).text == "第一条 甲。\n\n第二条 乙。\n"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "为空"),
        ("blank.txt", "  \n\u3000\n".encode(), "为空"),
        ("binary.txt", bytes(range(256)) * 20, "二进制"),
        ("broken.docx", b"PK\x03\x04 this is not really a zip", ".docx"),
        ("broken.pdf", b"%PDF-1.4 garbage", "PDF"),
        ("notes.xlsx", b"whatever", "不支持"),
    ],
)
def test_bad_files_raise_a_clear_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=reason):
        load_text(path)


def test_oversized_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as out:
        out.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(LoadError, match="过大"):
        load_text(path)


def test_docx_headings_become_markdown(tmp_path):
    document = docx.Document()
    document.add_heading("女职工劳动保护特别规定", level=0)
    document.add_heading("第一章 总则", level=1)
    document.add_paragraph("第一条 为了减少和解决女职工在劳动中因生理特点造成的特殊困难，制定本规定。")
    path = tmp_path / "规定.docx"
    document.save(path)
    text = load_text(path).text
    assert text.splitlines()[0] == "# 女职工劳动保护特别规定"
    assert "## 第一章 总则" in text and "第一条 为了减少" in text


def test_html_drops_scripts_and_keeps_title(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>北京市集体合同条例</title><script>alert(1)</script></head>"
        "<body><h2>第一章 总则</h2><p>第一条 为了规范集体协商。</p><p>第二条 本条例适用于本市。</p></body></html>",
        "utf-8",
    )
    text = load_text(path).text
    assert text.startswith("# 北京市集体合同条例")
    assert "alert" not in text
    assert "第一条 为了规范集体协商。" in text and "第二条" in text


def test_docx_title_comes_from_the_document_not_the_file_name(tmp_path):
    import docx

    from ingest.pipeline import read_document

    document = docx.Document()
    document.add_heading("某市职工权益保障办法", level=1)  # a Heading 1, no Title style
    document.add_paragraph("第一条 为保障职工权益，制定本办法。")
    document.add_paragraph("第二条 本办法自公布之日起施行。")
    path = tmp_path / "upload-0.docx"
    document.save(path)
    assert read_document(path, "scan_20240101.docx").title == "某市职工权益保障办法"


def test_a_short_opening_line_titles_a_document_without_headings():
    from ingest.loaders import with_title

    text = with_title(["关于加强工会建设的通知", "各单位：", "现将有关事项通知如下。"], "")
    assert text.startswith("# 关于加强工会建设的通知")
    assert with_title(["第一条 正文很长的一句话，没有标题。"], "文件属性里的标题").startswith("# 文件属性里的标题")
