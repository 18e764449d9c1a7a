from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import docx

from index.store import open_index
from study.browse import PER_PAGE, catalogue, highlight, kinds_and_regions, outline_html, search_html, search_page
from study.export import chat_docx, chat_markdown, quiz_docx, quiz_markdown
from study.quiz import QuizGenerator, articles_from_index

PROJECT = Path(__file__).resolve().parents[2]


def test_quiz_handout_round_trip_through_docx(tiny_index):
    questions = QuizGenerator(articles_from_index(open_index(tiny_index))).generate(n=6, seed=2)
    document = docx.Document(io.BytesIO(quiz_docx(questions)))
    text = "\n".join(p.text for p in document.paragraphs)
    for q in questions:
        assert q.question in text and q.answer in text
    assert text.index("答案与出处") > text.index(questions[-1].question)
    markdown = quiz_markdown(questions)
    assert markdown.count("____") == len(questions) and "## 答案与出处" in markdown


def test_chat_session_export(tiny_retriever):
    from answer.service import AnswerService

    answers = [AnswerService(tiny_retriever).ask(q).to_dict() for q in ("哺乳时间有多少?", "红烧肉怎么做?")]
    document = docx.Document(io.BytesIO(chat_docx(answers)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "哺乳时间有多少?" in text and "《女职工劳动保护特别规定》第九条" in text and "12351" in text
    assert "> [1] 《女职工劳动保护特别规定》第九条" in chat_markdown(answers)


def test_browse_groups_documents_and_links_articles(tiny_index):
    index = open_index(tiny_index)
    labels = [label for label, _ in catalogue(index)]
    assert labels[0].startswith("【地方性法规 · 北京市】《北京市集体合同条例》")
    union_law = next(doc_id for label, doc_id in catalogue(index) if "中华人民共和国工会法" in label)
    page = outline_html(index, union_law, focus="第十条")
    assert re.search(r"<h4 id='sec-\d+'>第二章 工会组织</h4>", page)
    assert f"href='?doc={union_law}&art=%E7%AC%AC%E5%8D%81%E6%9D%A1'" in page
    assert "class='article focus' id='art-第十条'" in page


def test_browse_shows_a_tree_beside_the_text_without_markup_or_repeated_labels(tiny_index):
    index = open_index(tiny_index)
    union_law = next(doc_id for label, doc_id in catalogue(index) if "中华人民共和国工会法" in label)
    page = outline_html(index, union_law, focus="第十条")
    tree, text = page.split("<div class='doc-text'>")
    # the tree: one collapsible node per chapter, opened where the focused article is, each article a jump
    assert tree.count("<details class='node'") == 7
    assert re.search(r"<details class='node' open><summary>第二章 工会组织 <span class='span'>第十条–第十九条", tree)
    assert tree.count("<details class='node' open>") == 1
    assert "<a class='leaf focus' href='#art-第十条'>第十条</a>" in tree
    assert "id='art-第十条'" in text and "第十条 第十条" not in text
    assert text.count(">第十条<") == 1  # the label once, as the link
    assert "第十条</a> 工会各级组织按照民主集中制原则" in text
    assert "INFO END" not in page and "&lt;!--" not in page
    assert "<div class='preamble'><p>1992年4月3日 第七届全国人民代表大会第五次会议通过" in text  # dates, not an article


def test_search_counts_every_hit_pages_and_filters(tiny_index):
    index = open_index(tiny_index)
    every = search_page(index, "集体合同")
    holding = [c for c in index.chunks if "集体合同" in c.text]
    assert every.total == len(holding) > PER_PAGE // 2
    small = search_page(index, "集体合同", page=2, per_page=5)
    assert small.page == 2 and small.pages == -(-len(holding) // 5)
    assert f"共 {len(holding)} 条，第 6–10 条" in small.html and small.html.count("class='hit'") == 5
    assert search_page(index, "集体合同", page=99, per_page=5).page == small.pages  # clamped to the last page
    beijing = search_page(index, "集体合同", region="北京市")
    assert 0 < beijing.total < every.total and "北京市" in beijing.html
    national = search_page(index, "集体合同", kind="法律", region="全国")
    assert national.total == sum(1 for c in holding if c.kind == "法律")
    assert kinds_and_regions(index) == (["地方性法规", "文章", "法律", "行政法规"], ["全国", "北京市"])


def test_search_highlights_hits_and_escapes_text(tiny_index):
    page = search_html(open_index(tiny_index), "哺乳时间")
    assert "<mark>哺乳时间</mark>" in page and "第九条" in page
    assert highlight("<b>工会主席</b>", ["工会", "工会主席"]) == "&lt;b&gt;<mark>工会主席</mark>&lt;/b&gt;"


def test_quiz_command_prints_json(tiny_index):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "study",
            "quiz",
            "--index",
            str(tiny_index),
            "--doc",
            "女职工劳动保护特别规定",
            "--n",
            "4",
            "--seed",
            "1",
            "--json",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    questions = json.loads(result.stdout)["questions"]
    assert len(questions) == 4
    for q in questions:
        assert {"type", "question", "answer", "citation"} <= set(q)
        assert set(q["citation"]) >= {"title", "article", "text"}
        assert ("options" in q) == (q["type"] == "multiple_choice")
