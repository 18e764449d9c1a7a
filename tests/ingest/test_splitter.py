from __future__ import annotations

import itertools

from ingest.pipeline import read_document
from ingest.records import SourceDocument
from ingest.splitter import StatuteSplitter, count_articles, same_law_references


def split_file(path, source=None, splitter=None):
    doc = read_document(path, source or path.name)
    return doc, (splitter or StatuteSplitter()).split(doc)


def by_article(chunks, label):
    return [c for c in chunks if c.article == label]


def test_trade_union_law_one_chunk_per_article_with_chapter_path(corpus_file):
    _, chunks = split_file(corpus_file("工会法(2021-12-24).md"))
    articles = [c for c in chunks if c.article]
    assert len({c.article for c in articles}) == 58  # 第一条 … 第五十八条
    assert all(c.part == 0 for c in articles)  # none is long enough to split
    tenth = by_article(chunks, "第十条")[0]
    assert tenth.heading_path == ("中华人民共和国工会法", "第二章 工会组织")
    assert tenth.text.startswith("第十条 ") and "第十一条" not in tenth.text
    assert by_article(chunks, "第一条")[0].heading_path[-1] == "第一章 总则"  # "总 则" loses its space


def test_labour_contract_law_keeps_sections_apart(corpus_file):
    """RAGFlow collapses whole chapters once a law has 节; here each 条 stays its own chunk."""
    _, chunks = split_file(corpus_file("劳动合同法(2012-12-28).md"))
    fifty_seventh = by_article(chunks, "第五十七条")[0]
    assert fifty_seventh.heading_path == ("中华人民共和国劳动合同法", "第五章 特别规定", "第二节 劳务派遣")
    first_in_section = by_article(chunks, "第五十一条")[0]
    assert first_in_section.heading_path[-1] == "第一节 集体合同"
    # after the 章 closes, its 节 does not leak into the next chapter
    assert by_article(chunks, "第七十三条")[0].heading_path == ("中华人民共和国劳动合同法", "第六章 监督检查")
    labels = [c.article for c in chunks if c.article and c.part <= 1]
    assert len(labels) == len(set(labels)) == 98


def test_full_width_spaces_in_headings_and_articles(corpus_file):
    doc, chunks = split_file(corpus_file("北京市实施《工会法》办法.md"))
    assert doc.title == "北京市实施《中华人民共和国工会法》办法"
    first = by_article(chunks, "第一条")[0]
    assert first.heading_path[-1] == "第一章 总则"
    assert "\u3000" not in " ".join(first.heading_path)
    assert len({c.article for c in chunks if c.article}) == count_articles(doc.text)


def test_every_chunk_is_an_exact_span_of_its_document(corpus_file):
    for name in [
        "劳动合同法(2012-12-28).md",
        "认真学习贯彻党的二十届四中全会精神-齐静.txt",
        "安全生产法(2021-06-10).md",
    ]:
        doc, chunks = split_file(corpus_file(name))
        for chunk in chunks:
            assert doc.text[chunk.start : chunk.end] == chunk.text


def test_long_article_splits_on_paragraphs_and_keeps_its_label(corpus_file):
    _, chunks = split_file(
        corpus_file("女职工劳动保护特别规定(2012-04-28).md"), splitter=StatuteSplitter(article_cap=200)
    )
    parts = [c for c in chunks if c.part > 0]
    assert parts, "an article over the cap must be split"
    for label in {c.article for c in parts}:
        pieces = by_article(chunks, label)
        assert [p.part for p in pieces] == list(range(1, len(pieces) + 1))
        assert all(len(p.text) <= 200 for p in pieces)
        assert label in pieces[-1].search_text  # later parts still say which article they belong to


def test_commentary_is_packed_into_prose_chunks_with_overlap(corpus_file):
    doc, chunks = split_file(corpus_file("认真学习贯彻党的二十届四中全会精神-齐静.txt"))
    assert doc.kind == "文章"
    assert all(not c.article for c in chunks)
    assert all(len(c.text) <= 600 for c in chunks)
    assert sum(1 for c in chunks if len(c.text) >= 300) >= 4
    seed = [c for c in chunks if "北京市集体合同条例" in c.text]
    assert len(seed) == 1 and "《北京市实施〈中华人民共和国工会法〉办法》" in seed[0].text
    assert "文章来自网络" not in doc.text  # reposting boilerplate is cleaned away


def test_prose_overlap_repeats_one_short_sentence():
    sentences = [f"这是第{i}句，用来测试重叠的切分是否正确。" for i in range(40)]
    doc = SourceDocument(source="t.txt", title="t", kind="文章", text="".join(sentences))
    chunks = StatuteSplitter(prose_min=100, prose_max=200, overlap_max=50).split(doc)
    assert len(chunks) > 3
    for before, after in itertools.pairwise(chunks):
        assert after.start < before.end  # the last sentence of one chunk opens the next
        assert before.text.endswith(doc.text[after.start : before.end])


def test_court_case_splits_on_its_headings(corpus_file):
    doc, chunks = split_file(
        corpus_file("案例/处理加班费争议，如何分配举证责任.md"), source="案例/处理加班费争议，如何分配举证责任.md"
    )
    assert doc.kind == "案例"
    sections = [c.heading_path[-1] for c in chunks]
    assert sections[0] == "基本案情" and "案例分析" in sections
    assert all(c.heading_path[0] == doc.title for c in chunks)


def test_inline_article_references_do_not_start_articles():
    text = (
        "# 案例\n\n<!-- INFO END -->\n\n## 案例分析\n\n"
        "《劳动法》第四十四条规定：应当支付加班费。\n\n第四十四条 行首的才是条文。"
    )
    assert count_articles(text) == 1


def test_an_appendix_is_its_own_block_not_part_of_the_last_article(corpus_file):
    _, chunks = split_file(corpus_file("女职工劳动保护特别规定(2012-04-28).md"))
    last = by_article(chunks, "第十六条")
    assert len(last) == 1 and last[0].text.endswith("同时废止。")
    appendix = by_article(chunks, "附录")
    assert appendix and appendix[0].text.startswith("女职工禁忌从事的劳动范围")
    assert "(一)矿山井下作业" in appendix[0].text
    assert all(c.heading_path == ("女职工劳动保护特别规定",) for c in appendix)  # outside every chapter


def test_the_header_marker_never_reaches_a_chunk(corpus_file):
    name = "最高人民法院关于在民事审判工作中适用《工会法》若干问题的解释(2020-12-29).md"
    doc, chunks = split_file(corpus_file(name))
    assert "<!-- INFO END -->" in doc.text and not any("INFO END" in c.text for c in chunks)
    header, preamble = chunks[0], chunks[1]  # the dates, then the preface: two chunks, not one
    assert header.text.startswith("2003年1月9日") and header.text.endswith("会议通过")
    assert preamble.text.startswith("为正确审理涉及工会经费")


def test_an_appendix_label_with_nothing_under_it_adds_no_empty_chunk():
    # the end of a real judicial interpretation (毒鼠强, 2003): its table was an image the text lacks
    text = (
        "第六条 本解释所称“毒鼠强等禁用剧毒化学品”，是指国家明令禁止的毒鼠强、氟乙酰胺、氟乙酸钠、"
        "毒鼠硅、甘氟（见附表）。\n\n附表：\n"
    )
    chunks = StatuteSplitter().split(SourceDocument(source="t.md", title="t", kind="司法解释", text=text))
    assert [c.article for c in chunks] == ["第六条"] and chunks[0].text.endswith("（见附表）。")


def test_a_file_the_splitter_fails_on_is_reported_and_the_rest_indexed(tmp_path, corpus_file, monkeypatch):
    import shutil

    from ingest.pipeline import ingest_paths

    shutil.copy(corpus_file("工会法(2021-12-24).md"), tmp_path / "工会法.md")
    (tmp_path / "坏.md").write_text("# 坏\n\n第一条 触发切分错误的文件。\n", "utf-8")
    real_split = StatuteSplitter.split

    def split(self, doc):
        if doc.source == "坏.md":
            raise IndexError("list index out of range")
        return real_split(self, doc)

    monkeypatch.setattr(StatuteSplitter, "split", split)
    result = ingest_paths([tmp_path])
    assert [d.source for d in result.documents] == ["工会法.md"] and result.chunks
    assert [e.source for e in result.errors] == ["坏.md"] and "切分失败" in result.errors[0].reason


def test_references_to_articles_of_the_same_law_are_read_as_their_labels():
    assert same_law_references("应当依照本法第四十七条规定的经济补偿标准的二倍向劳动者支付赔偿金。") == {"第四十七条"}
    assert same_law_references("且劳动者没有本法第三十九条和第四十条第一项、第二项规定的情形的") == {
        "第三十九条",
        "第四十条",
    }
    assert same_law_references("违反本条例第二十条规定的") == {"第二十条"}
    # another law's article is not this law's
    assert same_law_references("依照《中华人民共和国劳动法》第四十四条的规定") == set()
